"""A subset of a CJK font as CSS, so a saved page shows its Chinese text anywhere.

A report card is one HTML file meant to be shared: its reader may have no CJK
font, and the page may not fetch one. fontTools cuts the font down to the
characters the page uses (tens of kilobytes instead of the 16 MB WenQuanYi
collection) and the subset goes into an ``@font-face`` as a data URL.
"""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

logger = logging.getLogger(__name__)
# fontTools names every table it drops at WARNING; dropping the bitmap tables is the point.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

# Bitmap strikes are for small sizes on old screens; outlines are enough and far smaller.
_DROP = ["EBDT", "EBLC", "EBSC", "BDF ", "FFTM"]


def subset_font(font_file: Path, text: str) -> bytes:
    """TrueType bytes of the first font in ``font_file`` with only ``text``'s glyphs."""
    options = subset.Options()
    options.drop_tables += _DROP
    options.name_IDs = ["*"]
    # lazy: read only the glyphs kept (loading all 20,000 takes seconds)
    with TTFont(str(font_file), fontNumber=0, lazy=True) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def font_face_css(family: str, font_file: Path | None, text: str) -> str:
    """``@font-face`` for ``family`` with the subset inline; empty when there is no file."""
    if font_file is None or not font_file.is_file():
        logger.warning("no font file %s: the card's Chinese text is left to the reader's "
                       "fonts", font_file)
        return ""
    data = base64.b64encode(subset_font(font_file, text)).decode("ascii")
    return (f"@font-face {{ font-family: '{family}'; "
            f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}")
