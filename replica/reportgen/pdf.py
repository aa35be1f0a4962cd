"""A small PDF writer for report attachments with Chinese text, the way WPS writes them.

The fonts, and what a real WPS export embeds, are :mod:`replica.reportgen.pdf_fonts`;
this module lays out pages (paragraphs, headings, ruled tables with
rowspan/colspan) and writes the objects.

Output is byte-for-byte reproducible: fixed dates and ``/ID``, subset tags
taken from a digest of the face and glyph ids, fixed fontTools options (no
timestamp recalculation), sorted objects, zlib level 9.

Sites call :func:`html_to_pdf` on a report body (paragraphs and ``<table>``
with rowspan/colspan) and cache the bytes.
"""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass

from lxml import html as lxml_html

from replica.reportgen.pdf_fonts import FALLBACK_ORDER, STANDARD, faces, stream_object

logger = logging.getLogger(__name__)

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56.0, 64.0, 64.0
FIXED_DATE = "D:20220120093000+08'00'"

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
        self.faces = faces()
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
            return [(STANDARD, ch) for _, text in runs for ch in text]
        out = []
        for role, text in runs:
            for ch in text:
                for face in dict.fromkeys(self.faces[r] for r in (role, *FALLBACK_ORDER)):
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
            objs += (font.objects(len(objs) + 1) if font is STANDARD
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
            objs.append(stream_object(("0.5 w\n" + "\n".join(ops) + "\n").encode("ascii")))
        objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
        return _serialize(objs, info)


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
