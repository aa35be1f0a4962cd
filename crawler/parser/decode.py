"""Bytes → text for HTML and text inputs.

Order: byte-order mark, the HTTP ``Content-Type`` charset, the page's own
``<meta charset>``/``http-equiv``, then detection (UTF-8, else GB18030, else
charset-normalizer).  GB2312/GBK labels are decoded as GB18030, their
superset, since pages labelled GB2312 routinely contain GBK characters.
"""

from __future__ import annotations

import codecs
import re

_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "cp936": "gb18030", "csgb2312": "gb18030", "chinese": "gb18030", "x-euc-cn": "gb18030",
    "euc-cn": "gb18030", "big5": "big5hkscs", "x-x-big5": "big5hkscs", "utf8": "utf-8",
    "unicode": "utf-8", "iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "utf-8",
    "us-ascii": "utf-8",
}
_CT_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET_RE = re.compile(
    rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def codec_for(label: str | None) -> str | None:
    """Python codec for a charset label, GB2312/GBK mapped to GB18030; None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charsets(content_type: str | None, data: bytes = b"") -> tuple[str | None,
                                                                          str | None]:
    """The charset labels as declared, in the HTTP header and in a ``<meta>`` (evidence)."""
    header = _CT_CHARSET_RE.search(content_type or "")
    meta = _META_CHARSET_RE.search(data[:8192])
    return (header.group(1).lower() if header else None,
            meta.group(1).decode("ascii", "replace").lower() if meta else None)


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CT_CHARSET_RE.search(content_type)
    return codec_for(m.group(1)) if m else None


def charset_from_meta(data: bytes) -> str | None:
    m = _META_CHARSET_RE.search(data[:8192])
    return codec_for(m.group(1).decode("ascii", "ignore")) if m else None


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str, bool]:
    """Return ``(text, codec, clean)``; ``clean`` is False if bytes had to be replaced."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, "replace"), codec, True
    tried: list[str] = []
    declared = charset_from_content_type(content_type)
    order = [declared, charset_from_meta(data), "utf-8", "gb18030"]
    if declared == "cp1252":  # servers' default label, rarely the truth for a Chinese page
        order = order[1:] + [declared]
    for codec in order:
        if codec is None or codec in tried:
            continue
        tried.append(codec)
        try:
            return data.decode(codec), codec, True
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            codec = codec_for(best.encoding) or "utf-8"
            return data.decode(codec, "replace"), codec, False
    except ImportError:  # pragma: no cover - charset-normalizer ships with requests
        pass
    return data.decode(tried[0] if tried else "utf-8", "replace"), tried[0], False
