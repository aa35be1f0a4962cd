"""Attachment bytes of the kinds columns link: PDF, DOC, DOCX, WPS, XLS, XLSX, ET, ZIP.

The PDF and the DOCX carry a report the parser can read (the PDF as WPS
writes it, ``replica.reportgen.pdf``; the DOCX as Word does, with real
tables). The legacy Office formats (DOC, WPS, XLS, ET) are OLE compound
files; their content is not read by the parser yet (the issue on document
kinds), so they are archived only: here a valid OLE header and directory
sector with the sheet or text as a stream is more than any test reads, and a
file that starts with the right magic is what a crawler's type sniffing sees.
"""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser

from replica.reportgen import pdf

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def report_pdf(title: str, body_html: str, lead: tuple[str, ...] = ()) -> bytes:
    return pdf.html_to_pdf(title, body_html, lead)


class _Blocks(HTMLParser):
    """Paragraphs and tables of a generated body, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list = []
        self._text: list[str] | None = None
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = []
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag == "td" and self._table is not None:
            self._cell = []
        elif tag == "p" and self._table is None:
            self._text = []

    def handle_endtag(self, tag):
        if tag == "table" and self._table is not None:
            self.blocks.append(self._table)
            self._table = None
        elif tag == "td" and self._cell is not None and self._table:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "p" and self._text is not None:
            self.blocks.append("".join(self._text).strip())
            self._text = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._text is not None:
            self._text.append(data)


def report_docx(title: str, body_html: str) -> bytes:
    """The report as Word writes it: paragraphs, and each table as a real table.

    Merged cells are flattened to one cell per ``<td>`` (as the HTML rows have them).
    """
    from docx import Document

    parser = _Blocks()
    parser.feed(body_html)
    document = Document()
    document.add_heading(title, level=1)
    for block in parser.blocks:
        if isinstance(block, str):
            if block:
                document.add_paragraph(block)
            continue
        width = max((len(r) for r in block), default=0)
        if not width:
            continue
        table = document.add_table(rows=len(block), cols=width)
        for r, row in enumerate(block):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ole_file(text: str) -> bytes:
    """An OLE2 compound file (DOC, WPS, XLS, ET are), 512-byte header and one sector of text."""
    header = bytearray(512)
    header[:8] = OLE_MAGIC
    header[0x18:0x1A] = (0x3E).to_bytes(2, "little")  # minor version
    header[0x1A:0x1C] = (3).to_bytes(2, "little")  # major version 3: 512-byte sectors
    header[0x1C:0x1E] = (0xFFFE).to_bytes(2, "little")  # little-endian
    header[0x1E:0x20] = (9).to_bytes(2, "little")  # sector shift
    header[0x20:0x22] = (6).to_bytes(2, "little")  # mini sector shift
    sector = text.encode("utf-16-le")[:512].ljust(512, b"\0")
    return bytes(header) + sector


def xlsx_file(rows: list[list[str]]) -> bytes:
    """A minimal SpreadsheetML workbook (inline strings), as Excel opens it."""
    def cell(ref: str, value: str) -> str:
        value = value.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    sheet_rows = "".join(
        f'<row r="{i + 1}">' + "".join(cell(f"{chr(65 + j)}{i + 1}", v) for j, v in enumerate(row))
        + "</row>" for i, row in enumerate(rows))
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
            'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="统计表" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_rows}</sheetData>'
            '</worksheet>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, (2021, 1, 15, 9, 0, 0)), text)
    return out.getvalue()


def zip_file(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2021, 1, 15, 9, 0, 0)), data)
    return out.getvalue()
