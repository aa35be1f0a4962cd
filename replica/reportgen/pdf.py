"""A small PDF writer for report attachments with Chinese text, the way WPS writes them.

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

This writer does the same with free TrueType (``glyf``) CJK fonts from
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

Output is byte-for-byte reproducible: fixed dates and ``/ID``, subset tags
taken from a digest of the face and glyph ids, fixed fontTools options (no
timestamp recalculation), sorted objects, zlib level 9.

Sites call :func:`html_to_pdf` on a report body (paragraphs and ``<table>``
with rowspan/colspan) and cache the bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import re
import threading
import zlib
from dataclasses import dataclass

from lxml import html as lxml_html

logger = logging.getLogger(__name__)

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56.0, 64.0, 64.0
FIXED_DATE = "D:20220120093000+08'00'"

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
_FALLBACK_ORDER = ("body", "table", "title", "subheading")
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


class _StandardFont:
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


_STANDARD = _StandardFont()


class _Face:
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
            _stream(font_file, f" /Length1 {len(font_file)}"),
            _stream(to_unicode.encode("ascii")),
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
def _faces() -> dict[str, _Face] | None:
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
    return {role: by_file.setdefault((path, number), _Face(path, number))
            for role, (_, path, number) in FONTS.items()}


Char = tuple[object, str]  # (font, character)


@dataclass
class _Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


class PdfDocument:
    """Lays out paragraphs and tables top to bottom over A4 pages."""

    def __init__(self) -> None:
        self.faces = _faces()
        self.used: dict[object, dict[int, str]] = {}  # face -> glyph id -> character
        self.pages: list[list[str]] = []
        self.page_fonts: list[set[str]] = []
        self.resource: dict[object, str] = {}  # font -> /F1, /F2, … in order of first use
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append([])
        self.page_fonts.append(set())
        self.y = PAGE_H - MARGIN_TOP

    def _ensure(self, height: float) -> None:
        if self.y - height < MARGIN_BOTTOM:
            self._new_page()

    def chars(self, runs: list[tuple[str, str]]) -> list[Char]:
        """(role, text) runs as (font, character): the role's face, else the next that has it."""
        if self.faces is None:
            return [(_STANDARD, ch) for _, text in runs for ch in text]
        out = []
        for role, text in runs:
            for ch in text:
                for face in dict.fromkeys(self.faces[r] for r in (role, *_FALLBACK_ORDER)):
                    gid = face.gids.get(ord(ch))
                    used = self.used.setdefault(face, {})
                    if gid is not None and used.setdefault(gid, ch) == ch:
                        out.append((face, ch))
                        break
                else:
                    logger.warning("no replica font has %r (U+%04X)", ch, ord(ch))
        return out

    @staticmethod
    def _width(chars: list[Char], size: float) -> float:
        return sum(font.width(ch) for font, ch in chars) * size / 1000

    def _wrap(self, chars: list[Char], width: float, size: float) -> list[list[Char]]:
        lines: list[list[Char]] = [[]]
        used = 0.0
        for item in chars:
            w = self._width([item], size)
            if used + w > width and lines[-1]:
                lines.append([])
                used = 0.0
            lines[-1].append(item)
            used += w
        return lines

    def _text(self, page: int, x: float, y: float, chars: list[Char], size: float) -> None:
        ops, current = [], None
        for font, ch in chars:
            if font is not current:
                name = self.resource.setdefault(font, f"F{len(self.resource) + 1}")
                self.page_fonts[page].add(name)
                where = f"1 0 0 1 {x:.2f} {y:.2f} Tm " if current is None else ""
                ops.append(("" if current is None else "> Tj ") + f"/{name} {size:g} Tf {where}<")
                current = font
            ops.append(font.code(ch))
        if ops:
            self.pages[page].append("BT " + "".join(ops) + "> Tj ET")

    def paragraph(self, text: str | list[tuple[str, str]], size: float = 10.5,
                  indent: bool = True, center: bool = False, space_after: float = 4.0) -> None:
        """A paragraph: plain text in the body face, or (role, text) runs."""
        runs = [("body", text)] if isinstance(text, str) else list(text)
        if indent and not center:
            runs[0] = (runs[0][0], "\u3000\u3000" + runs[0][1])
        width = PAGE_W - 2 * MARGIN_X
        lead = size * 1.6
        for line in self._wrap(self.chars(runs), width, size):
            self._ensure(lead)
            x = MARGIN_X + (width - self._width(line, size)) / 2 if center else MARGIN_X
            self.y -= lead
            self._text(len(self.pages) - 1, x, self.y + size * 0.3, line, size)
        self.y -= space_after

    def table(self, cells: list[_Cell], ncols: int, widths: list[float], size: float = 7.5) -> None:
        pad, lead = 2.0, size * 1.3
        nrows = max(c.row + c.rowspan for c in cells)
        heights = [0.0] * nrows
        wrapped = {}
        for c in sorted(cells, key=lambda c: c.rowspan):
            w = sum(widths[c.col:c.col + c.colspan]) - 2 * pad
            lines = self._wrap(self.chars([("table", c.text)]), w, size)
            wrapped[id(c)] = lines
            need = len(lines) * lead + 2 * pad
            have = sum(heights[c.row:c.row + c.rowspan])
            if need > have:
                heights[c.row + c.rowspan - 1] += need - have
        x0 = [MARGIN_X + sum(widths[:i]) for i in range(ncols + 1)]
        by_row: dict[int, list[_Cell]] = {}
        for c in cells:
            by_row.setdefault(c.row, []).append(c)
        row_top: dict[int, float] = {}
        row_page: dict[int, int] = {}
        r = 0
        while r < nrows:
            # keep a block of rows tied together by a rowspan on one page
            end = r + 1
            while any(c.row < end and c.row + c.rowspan > end for c in cells if c.row >= r):
                end = max(c.row + c.rowspan for c in cells if r <= c.row < end)
            self._ensure(sum(heights[r:end]))
            for i in range(r, end):
                row_top[i] = self.y
                row_page[i] = len(self.pages) - 1
                self.y -= heights[i]
            r = end
        for row in range(nrows):
            for c in by_row.get(row, []):
                top = row_top[c.row]
                bottom = top - sum(heights[c.row:c.row + c.rowspan])
                left, right = x0[c.col], x0[c.col + c.colspan]
                page = row_page[c.row]
                self.pages[page].append(
                    f"{left:.2f} {bottom:.2f} {right - left:.2f} {top - bottom:.2f} re S")
                lines = wrapped[id(c)]
                block = len(lines) * lead
                ty = top - (top - bottom - block) / 2 - size
                for line in lines:
                    tx = left + (right - left - self._width(line, size)) / 2
                    self._text(page, tx, ty, line, size)
                    ty -= lead
        self.y -= 8

    def build(self, title: str = "") -> bytes:
        objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
        refs = {}
        for font, name in self.resource.items():
            refs[name] = len(objs) + 1
            objs += (font.objects(len(objs) + 1) if font is _STANDARD
                     else font.objects(len(objs) + 1, self.used[font]))
        title_hex = "<FEFF" + title.encode("utf-16-be").hex().upper() + ">"
        objs.append(f"<< /Title {title_hex} /Producer (WPS Writer) /Creator (WPS Writer) "
                    f"/CreationDate ({FIXED_DATE}) /ModDate ({FIXED_DATE}) >>".encode())
        info, kids = len(objs), []
        for ops, fonts in zip(self.pages, self.page_fonts):
            kids.append(f"{len(objs) + 1} 0 R")
            font_dict = " ".join(f"/{name} {refs[name]} 0 R" for name in sorted(fonts))
            objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W:g} {PAGE_H:g}] "
                        f"/Resources << /Font << {font_dict} >> >> /Contents {len(objs) + 2} 0 R >>"
                        .encode())
            objs.append(_stream(("0.5 w\n" + "\n".join(ops) + "\n").encode("ascii")))
        objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
        return _serialize(objs, info)


def _stream(data: bytes, extra: str = "") -> bytes:
    packed = zlib.compress(data, 9)
    return (f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n".encode()
            + packed + b"\nendstream")


def _serialize(objs: list[bytes], info: int) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    doc_id = zlib.crc32(bytes(out)) & 0xFFFFFFFF
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info {info} 0 R "
            f"/ID [<{doc_id:032X}> <{doc_id:032X}>] >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _html_table_cells(table) -> tuple[list[_Cell], int]:
    cells, taken = [], set()
    ncols = 0
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            text = " ".join(td.text_content().replace("\xa0", " ").split())
            cells.append(_Cell(r, c, rs, cs, text))
            for i in range(r, r + rs):
                for j in range(c, c + cs):
                    taken.add((i, j))
            c += cs
            ncols = max(ncols, c)
    return cells, ncols


def _widths(ncols: int) -> list[float]:
    full = PAGE_W - 2 * MARGIN_X
    if ncols == 10:  # T3: three label columns, seven value columns
        label = [44.0, 56.0, 120.0]
        return label + [(full - sum(label)) / 7] * 7
    if ncols == 4:  # T2
        return [full * 0.31] + [full * 0.23] * 3
    if ncols == 3:  # pre-2019 统计表
        return [full * 0.7, full * 0.12, full * 0.18]
    return [full / ncols] * ncols


_LEVEL1 = re.compile(r"[一二三四五六七八九十]+、")
_LEVEL2 = re.compile(r"（[一二三四五六七八九十]+）")
_LEAD = re.compile(r"（[一二三四五六七八九十]+）[^。：；]{1,20}[。：；]")


def _runs(el, text: str) -> list[tuple[str, str]]:
    """A paragraph's faces as a clerk sets them: 黑体 一、 headings, 楷体 （一） headings and
    leads, the rest in the body face."""
    bold = "".join(" ".join(b.text_content().split()) for b in el.iter("strong", "b"))
    if bold == text or (_LEVEL1.match(text) and len(text) <= 30 and "。" not in text):
        return [("subheading" if _LEVEL2.match(text) else "heading", text)]
    if lead := _LEAD.match(text):
        rest = text[lead.end():]
        return [("subheading", lead.group())] + ([("body", rest)] if rest else [])
    return [("body", text)]


def html_to_pdf(title: str, body_html: str, lead_lines: tuple[str, ...] = ()) -> bytes:
    """A PDF of ``title`` (centred), ``lead_lines`` and a report body's paragraphs and tables."""
    doc = PdfDocument()
    doc.paragraph([("title", title)], size=15, center=True, space_after=10)
    for line in lead_lines:
        doc.paragraph(line, size=10.5, center=True)
    root = lxml_html.fragment_fromstring(body_html, create_parent="div")
    for el in root:
        if el.tag == "table":
            cells, ncols = _html_table_cells(el)
            doc.table(cells, ncols, _widths(ncols))
        else:
            text = " ".join(el.text_content().replace("\xa0", " ").split())
            if text:
                doc.paragraph(_runs(el, text))
    return doc.build(title)
