"""The fonts of the replica's PDFs: embedded subset TrueType faces, as WPS embeds them.

What a Word/WPS export of a government report looks like, from the one real
PDF at hand (``shared/corpus/real/huaian-2024-municipal-govt.pdf``: Creator
"WPS 文字", 6 pages, 412,842 bytes): it embeds every font it uses, nine of
them, each as a subset.  Each is a ``/Type0`` font with ``/Encoding
/Identity-H`` over one ``/CIDFontType2`` descendant (``/CIDSystemInfo``
Adobe-Identity-0, ``/CIDToGIDMap /Identity``, ``/DW 1000`` and a ``/W``
array listing only the glyphs that are not 1000 wide, such as digits), a
``/FontDescriptor`` (``/Flags 32``, ``/StemV 56``, ``/FontFamily``) holding
a ``/FontFile2``, and a ``/ToUnicode`` CMap (``Adobe-Identity-UCS``, bfchar
lines in blocks of 100).  The subsets keep the full font's glyph ids (the
codes in the content streams are the glyph ids: ``maxp`` still counts all
7,580–50,377 glyphs, only the used ones have outlines), keep only ``glyf``,
``loca``, ``head``, ``hhea``, ``hmtx``, ``maxp`` and the hinting tables, and
are named ``TAG+Face`` with the face's Chinese name where it has one
(``LNUHNF+宋体``, UTF-8 written ``#e5#ae#8b…``).  The faces follow the clerk's
document: 方正小标宋 (22 pt) for the title, 黑体 for 一、 headings, Arial
Unicode MS for （一） headings, 方正仿宋 (16 pt; 仿宋 and 仿宋_GB2312 in a few
paragraphs) for the body, 宋体 for the table headers with 楷体 row labels and
仿宋 numbers, Times New Roman for digits in the text and the page numbers.
Its FontFile2 streams are 50–430 KB decompressed (3–121 KB deflated).  Text
comes out through the ToUnicode maps only: Identity-H codes are CIDs, which
are glyph ids, which only the ToUnicode map ties to characters.

The replica does the same with free TrueType (``glyf``) CJK fonts from
Debian, subset with fontTools the way WPS subsets (original glyph ids kept,
the same tables kept): WenQuanYi Zen Hei (黑体) for the title and 一、
headings, AR PL UMing CN (明体/宋体, standing in for 仿宋, which Debian has no
free simplified-Chinese TrueType version of) for the body, AR PL UKai CN (楷体)
for （一） headings and the （一）…。 lead of a paragraph, AR PL SungtiL GB (宋体)
for the tables (``FONTS``); a character a face lacks is taken from the next
face that has it.  Digits stay in the CJK faces (no Times New Roman), and the
sizes and layout are this writer's own (title 15 pt, body 10.5 pt).

Without those fonts (``FONT_PACKAGES`` not installed, or fontTools missing)
it logs one warning and writes what it wrote before: the standard
``STSong-Light`` referenced, not embedded, with the ``UniGB-UCS2-H`` CMap (as
reportlab's ``UnicodeCIDFont`` does), whose codes extractors read as UCS-2.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import threading
import zlib

logger = logging.getLogger(__name__)

# role -> (Debian package, font file, face number in a .ttc)
_HEI = ("fonts-wqy-zenhei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0)
FONTS = {
    "title": _HEI,
    "heading": _HEI,
    "body": ("fonts-arphic-uming", "/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "subheading": ("fonts-arphic-ukai", "/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    "table": ("fonts-arphic-gbsn00lp", "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
}
FONT_PACKAGES = tuple(sorted({package for package, _, _ in FONTS.values()}))
FALLBACK_ORDER = ("body", "table", "title", "subheading")
_SUBSET_LOCK = threading.Lock()
# What WPS keeps of a TrueType font in a subset.
_KEEP_TABLES = {"glyf", "loca", "head", "hhea", "hmtx", "maxp", "cvt ", "fpgm", "prep"}

# Advance widths (1/1000 em) of STSong-Light's proportional Latin, CIDs 1–95 = U+0020–U+007E.
_LATIN_W = [207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334,
            462, 462, 462, 462, 462, 462, 462, 462, 462, 462, 238, 238, 605, 605, 605, 344,
            748, 684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896, 758, 772,
            544, 772, 628, 465, 607, 753, 711, 972, 647, 620, 607, 374, 333, 374, 606, 500,
            239, 417, 503, 427, 529, 415, 264, 444, 518, 241, 230, 495, 228, 793, 527, 524,
            524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407, 370, 258, 370, 605]


def missing_font_packages() -> list[str]:
    """The Debian packages of :data:`FONTS` whose font files are not installed."""
    return sorted({package for package, path, _ in FONTS.values() if not os.path.exists(path)})


class StandardFont:
    """STSong-Light, referenced and not embedded: the fallback without the Debian fonts."""

    def width(self, ch: str) -> int:
        return _LATIN_W[ord(ch) - 0x20] if 0x20 <= ord(ch) <= 0x7E else 1000

    def code(self, ch: str) -> str:
        return ch.encode("utf-16-be").hex().upper()

    def objects(self, num: int) -> list[bytes]:
        w_array = "[1 [" + " ".join(map(str, _LATIN_W)) + "]]"
        return [
            f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
            f"/DescendantFonts [{num + 1} 0 R] >>".encode(),
            f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
            f"/FontDescriptor {num + 2} 0 R /DW 1000 /W {w_array} >>".encode(),
            b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
            b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
            b"/CapHeight 880 /StemV 93 /XHeight 616 >>"]


STANDARD = StandardFont()


class Face:
    """One TrueType face: its cmap and advance widths; subsets of it per document."""

    def __init__(self, path: str, number: int) -> None:
        from fontTools.ttLib import TTFont

        self.path, self.number = path, number
        with TTFont(path, fontNumber=number, lazy=True) as font:
            order = font.getGlyphOrder()
            gid_of = {name: gid for gid, name in enumerate(order)}
            self.gids = {cp: gid_of[name] for cp, name in font.getBestCmap().items()}
            s = 1000 / font["head"].unitsPerEm
            metrics = font["hmtx"].metrics
            self.widths = [round(metrics[name][0] * s) for name in order]
            names = {(r.nameID, r.langID): r.toUnicode() for r in font["name"].names}
            head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
        self.family = names.get((1, 0x409)) or names[1, 0]
        # WPS names a subset after the face's Chinese name (宋体), else its PostScript name
        self.name = names.get((1, 0x804)) or names.get((6, 0x409)) or names[6, 0]
        self.descriptor = (
            f"/Flags 32 /FontBBox [{round(head.xMin * s)} {round(head.yMin * s)} "
            f"{round(head.xMax * s)} {round(head.yMax * s)}] /ItalicAngle 0 "
            f"/Ascent {round(hhea.ascent * s)} /Descent {round(hhea.descent * s)} "
            f"/CapHeight {round(getattr(os2, 'sCapHeight', 0) * s)} /StemV 56 "
            f"/FontWeight {os2.usWeightClass} /AvgWidth {round(os2.xAvgCharWidth * s)} "
            f"/MaxWidth {round(hhea.advanceWidthMax * s)} /MissingWidth 1000")

    def width(self, ch: str) -> int:
        return self.widths[self.gids[ord(ch)]]

    def code(self, ch: str) -> str:
        return f"{self.gids[ord(ch)]:04X}"  # Identity-H: the code is the CID is the glyph id

    def objects(self, num: int, used: dict[int, str]) -> list[bytes]:
        gids = tuple(sorted(used))
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(
            f"{self.name}:{gids}".encode()).digest()[:6])
        base = _pdf_name(f"{tag}+{self.name}")
        runs: list[list[int]] = []
        for gid in gids:
            if self.widths[gid] == 1000:
                continue
            if runs and runs[-1][-1] == gid - 1:
                runs[-1].append(gid)
            else:
                runs.append([gid])
        w_array = " ".join(f"{r[0]} [{' '.join(str(self.widths[g]) for g in r)}]" for r in runs)
        font_file = _subset(self.path, self.number, gids)
        bfchars = [f"<{gid:04X}> <{used[gid].encode('utf-16-be').hex().upper()}>" for gid in gids]
        blocks = "".join(f"{len(block)} beginbfchar\n" + "\n".join(block) + "\nendbfchar\n"
                         for block in (bfchars[i:i + 100] for i in range(0, len(bfchars), 100)))
        to_unicode = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                      "/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n"
                      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + blocks
                      + "endcmap CMapName currentdict /CMap defineresource pop end end\n")
        return [
            f"<< /Type /Font /Subtype /Type0 /BaseFont {base} /Encoding /Identity-H "
            f"/DescendantFonts [{num + 1} 0 R] /ToUnicode {num + 4} 0 R >>".encode(),
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont {base} "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {num + 2} 0 R /DW 1000 /W [{w_array}] /CIDToGIDMap /Identity >>"
            .encode(),
            f"<< /Type /FontDescriptor /FontName {base} /FontFamily ({self.family}) "
            f"{self.descriptor} /FontFile2 {num + 3} 0 R >>".encode(),
            stream_object(font_file, f" /Length1 {len(font_file)}"),
            stream_object(to_unicode.encode("ascii")),
        ]


def _pdf_name(text: str) -> str:
    return "/" + "".join(chr(b) if 0x21 <= b <= 0x7E and chr(b) not in "#()<>[]{}/%"
                         else f"#{b:02x}" for b in text.encode("utf-8"))


@functools.lru_cache(maxsize=64)
def _subset(path: str, number: int, gids: tuple[int, ...]) -> bytes:
    """The face's subset for ``gids``, keeping glyph ids and only the tables WPS keeps."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    quiet = logging.getLogger("fontTools")  # e.g. "too much 'glyf' table data" for Zen Hei
    with _SUBSET_LOCK:  # replica threads: one subset at a time, one saved log level
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            with TTFont(path, fontNumber=number, recalcTimestamp=False, recalcBBoxes=False) as font:
                for tag in font.keys():
                    if tag not in _KEEP_TABLES and tag != "GlyphOrder":
                        del font[tag]  # before anything reads them (cmap, post names, GSUB…)
                options = subset.Options()
                options.retain_gids = True
                options.notdef_outline = True
                options.recalc_timestamp = False
                options.layout_features = []
                subsetter = subset.Subsetter(options)
                subsetter.populate(gids=list(gids))
                subsetter.subset(font)
                out = io.BytesIO()
                font.save(out)
        finally:
            quiet.setLevel(level)
    return out.getvalue()


@functools.lru_cache(maxsize=None)
def faces() -> dict[str, Face] | None:
    """The faces by role, or None (and one warning) when they cannot be embedded."""
    problem = ""
    if missing := missing_font_packages():
        problem = "apt-get install " + " ".join(missing)
    else:
        try:
            import fontTools  # noqa: F401
        except ImportError:
            problem = "pip install fonttools"
    if problem:
        logger.warning("replica PDFs reference STSong-Light instead of embedding subset "
                       "TrueType fonts as WPS does; for those: %s", problem)
        return None
    by_file: dict[tuple[str, int], _Face] = {}
    return {role: by_file.setdefault((path, number), Face(path, number))
            for role, (_, path, number) in FONTS.items()}


def stream_object(data: bytes, extra: str = "") -> bytes:
    packed = zlib.compress(data, 9)
    return (f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n".encode()
            + packed + b"\nendstream")


