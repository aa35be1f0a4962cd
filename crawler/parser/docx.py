"""DOCX → text lines and table grids (WordprocessingML read with lxml).

Paragraphs become lines; ``w:tbl`` become explicit rows with ``gridSpan``
(colspan) and ``vMerge`` (rowspan) handled like HTML merged cells.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from lxml import etree

from .issues import UnreadableDocument
from .limits import LimitExceeded, ParseLimits
from .normalize import collapse_ws, to_simplified
from .text_tables import feed_line
from .tokens import BLANK, LABEL, SPANNED, VALUE, Cell, RowBuilder, classify

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def _para_text(p: etree._Element) -> str:
    parts = []
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        else:
            parts.append(" " if node.tag == f"{_W}tab" else "\n")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    return "\n".join(_para_text(p) for p in tc.iter(f"{_W}p"))


def _table_rows(tbl: etree._Element) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    above: dict[int, Cell] = {}  # grid column → cell that a vMerge continues
    for tr in tbl.iterchildren(f"{_W}tr"):
        row: list[Cell] = []
        col = 0
        for tc in tr.iterchildren(f"{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span, merge = 1, None
            if props is not None:
                gs = props.find(f"{_W}gridSpan")
                if gs is not None:
                    try:
                        span = max(1, min(int(gs.get(f"{_W}val", "1")), 100))
                    except ValueError:
                        span = 1
                vm = props.find(f"{_W}vMerge")
                if vm is not None:
                    merge = vm.get(f"{_W}val", "continue")
            if merge == "continue" and col in above:
                origin = above[col]
                if origin.kind == VALUE:
                    row.append(Cell(SPANNED, origin.text))
                elif origin.kind == BLANK:
                    row.append(Cell(BLANK, ""))
            else:
                cell = classify(to_simplified(_cell_text(tc)))
                row.append(cell)
                above[col] = cell
            col += span
        rows.append(row)
    return rows


class DocxDoc:
    """Lines and the row stream of a .docx body."""

    def __init__(self, data: bytes, max_xml_bytes: int = ParseLimits.docx_max_xml_bytes
                 ) -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                info = z.getinfo("word/document.xml")
                # The size in the zip directory is the sender's word: the read is bounded too.
                with z.open(info) as member:
                    xml = member.read(max_xml_bytes + 1)
        except (zipfile.BadZipFile, KeyError, EOFError, zlib.error,
                NotImplementedError) as exc:  # NotImplementedError: an unknown compression
            raise UnreadableDocument(f"unreadable DOCX: {exc}") from exc
        if info.file_size > max_xml_bytes or len(xml) > max_xml_bytes:
            raise LimitExceeded("docx_too_large",
                                f"word/document.xml expands beyond {max_xml_bytes} bytes")
        try:
            root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False,
                                                         huge_tree=False))
        except etree.XMLSyntaxError as exc:
            raise UnreadableDocument(f"unreadable DOCX: {exc}") from exc
        body = root.find(f"{_W}body")
        self.builder = RowBuilder()
        self.lines: list[str] = []
        for el in (body if body is not None else []):
            if el.tag == f"{_W}p":
                for line in to_simplified(_para_text(el)).split("\n"):
                    line = collapse_ws(line)
                    if line:
                        self.lines.append(line)
                        feed_line(self.builder, line)
            elif el.tag == f"{_W}tbl":
                for cells in _table_rows(el):
                    texts = [c.text for c in cells if c.kind in (LABEL, VALUE)]
                    if texts:
                        self.lines.append(" | ".join(texts))
                    self.builder.explicit(cells)
        self.builder.flush()
