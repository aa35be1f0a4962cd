"""A small, dependency-free PDF writer for report attachments with Chinese text.

Chinese government PDFs made by Word/WPS mostly use the standard Adobe-GB1
font ``STSong-Light`` with the ``UniGB-UCS2-H`` CMap; here it is referenced,
not embedded (as reportlab's ``UnicodeCIDFont`` does).  The predefined
CMap tells extractors the codes are UCS-2, so pypdf and pdfminer/pdfplumber
extract real characters (pdfminer through its Adobe-GB1 tables; a /ToUnicode
map would mislead it, since it applies such maps to CIDs).
Output is byte-for-byte reproducible: fixed dates and ``/ID``, sorted
objects, zlib level 9.

Sites call :func:`html_to_pdf` on a report body (paragraphs and ``<table>``
with rowspan/colspan) and cache the bytes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from lxml import html as lxml_html

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56.0, 64.0, 64.0
FIXED_DATE = "D:20220120093000+08'00'"

# Advance widths (1/1000 em) of STSong-Light's proportional Latin, CIDs 1–95 = U+0020–U+007E.
_LATIN_W = [207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334,
            462, 462, 462, 462, 462, 462, 462, 462, 462, 462, 238, 238, 605, 605, 605, 344,
            748, 684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896, 758, 772,
            544, 772, 628, 465, 607, 753, 711, 972, 647, 620, 607, 374, 333, 374, 606, 500,
            239, 417, 503, 427, 529, 415, 264, 444, 518, 241, 230, 495, 228, 793, 527, 524,
            524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407, 370, 258, 370, 605]


def char_width(ch: str, size: float) -> float:
    code = ord(ch)
    if 0x20 <= code <= 0x7E:
        return _LATIN_W[code - 0x20] * size / 1000
    return size


def text_width(text: str, size: float) -> float:
    return sum(char_width(ch, size) for ch in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    lines, line, used = [], "", 0.0
    for ch in text:
        if ch == "\n":
            lines.append(line)
            line, used = "", 0.0
            continue
        w = char_width(ch, size)
        if used + w > width and line:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    if line or not lines:
        lines.append(line)
    return lines


def _hex(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


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
        self.pages: list[list[str]] = []
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - MARGIN_TOP

    def _ensure(self, height: float) -> None:
        if self.y - height < MARGIN_BOTTOM:
            self._new_page()

    def _text(self, x: float, y: float, text: str, size: float) -> None:
        self.pages[-1].append(f"BT /F1 {size:g} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm {_hex(text)} Tj ET")

    def paragraph(self, text: str, size: float = 10.5, indent: bool = True,
                  center: bool = False, space_after: float = 4.0) -> None:
        width = PAGE_W - 2 * MARGIN_X
        lead = size * 1.6
        prefix = "\u3000\u3000" if indent and not center else ""
        for line in wrap(prefix + text, width, size):
            self._ensure(lead)
            x = MARGIN_X + (width - text_width(line, size)) / 2 if center else MARGIN_X
            self.y -= lead
            self._text(x, self.y + size * 0.3, line, size)
        self.y -= space_after

    def table(self, cells: list[_Cell], ncols: int, widths: list[float], size: float = 7.5) -> None:
        pad, lead = 2.0, size * 1.3
        nrows = max(c.row + c.rowspan for c in cells)
        heights = [0.0] * nrows
        wrapped = {}
        for c in sorted(cells, key=lambda c: c.rowspan):
            w = sum(widths[c.col:c.col + c.colspan]) - 2 * pad
            lines = wrap(c.text, w, size)
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
                page = self.pages[row_page[c.row]]
                page.append(f"{left:.2f} {bottom:.2f} {right - left:.2f} {top - bottom:.2f} re S")
                lines = wrapped[id(c)]
                block = len(lines) * lead
                ty = top - (top - bottom - block) / 2 - size
                for line in lines:
                    tx = left + (right - left - text_width(line, size)) / 2
                    page.append(f"BT /F1 {size:g} Tf 1 0 0 1 {tx:.2f} {ty:.2f} Tm {_hex(line)} Tj ET")
                    ty -= lead
        self.y -= 8

    def build(self, title: str = "") -> bytes:
        return _serialize(self.pages, title)


def _stream(data: bytes, extra: str = "") -> bytes:
    packed = zlib.compress(data, 9)
    return (f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n".encode()
            + packed + b"\nendstream")


def _serialize(pages: list[list[str]], title: str) -> bytes:
    objs: list[bytes] = []
    n_pages = len(pages)
    first_page = 7
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(n_pages))
    w_array = "[1 [" + " ".join(map(str, _LATIN_W)) + "]]"
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
                b"/DescendantFonts [4 0 R] >>")
    objs.append(f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                f"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
                f"/FontDescriptor 5 0 R /DW 1000 /W {w_array} >>".encode())
    objs.append(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
                b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
                b"/CapHeight 880 /StemV 93 /XHeight 616 >>")
    title_hex = "<FEFF" + title.encode("utf-16-be").hex().upper() + ">"
    objs.append(f"<< /Title {title_hex} /Producer (WPS Writer) /Creator (WPS Writer) "
                f"/CreationDate ({FIXED_DATE}) /ModDate ({FIXED_DATE}) >>".encode())
    for i, ops in enumerate(pages):
        content = first_page + 2 * i + 1
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W:g} {PAGE_H:g}] "
                    f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>".encode())
        objs.append(_stream(("0.5 w\n" + "\n".join(ops) + "\n").encode("ascii")))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    doc_id = zlib.crc32(bytes(out)) & 0xFFFFFFFF
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 6 0 R "
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


def html_to_pdf(title: str, body_html: str, lead_lines: tuple[str, ...] = ()) -> bytes:
    """A PDF of ``title`` (centred), ``lead_lines`` and a report body's paragraphs and tables."""
    doc = PdfDocument()
    doc.paragraph(title, size=15, center=True, space_after=10)
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
                doc.paragraph(text)
    return doc.build(title)
