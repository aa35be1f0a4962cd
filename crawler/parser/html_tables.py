"""HTML → text lines and table grids.

Data tables (no nested table, no long cells) become explicit rows with
rowspan/colspan expanded: a cell merged from the row above is dropped when
it is a label (the interpreters keep the group context) and kept as a
placeholder when it sits among values, so values keep their order.  A
colspan cell counts once, which aligns values by order within a row even
when header and data rows use different colspans (Shanghai 2019).
Layout tables are walked like ``<div>``s.
"""

from __future__ import annotations

import re

from lxml import etree

from .normalize import collapse_ws, squeeze
from .text_tables import feed_line
from .tokens import BLANK, LABEL, SPANNED, VALUE, Cell, RowBuilder, classify

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "select", "option",
                   "button", "iframe", "object", "svg", "textarea", "map", "embed"})
_BLOCK = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "dl", "dt", "dd",
    "form", "center", "address", "hr", "nav", "aside", "main", "figure", "figcaption",
    "caption", "thead", "tbody", "tfoot", "td", "th", "body", "html", "fieldset", "legend",
})
_SPAN_RE = re.compile(r"\d+")
_MAX_SPAN = 200
_LONG_CELL = 300


class _Out:
    """Accumulates inline text into lines; tables go to the row builder."""

    def __init__(self, builder: RowBuilder | None) -> None:
        self.lines: list[str] = []
        self.builder = builder
        self._buf: list[str] = []

    def text(self, text: str | None) -> None:
        if text:
            self._buf.append(text)

    def newline(self) -> None:
        if self._buf:
            line = collapse_ws("".join(self._buf))
            self._buf = []
            if line:
                self.lines.append(line)
                if self.builder is not None:
                    feed_line(self.builder, line)

    def table(self, rows: list[list[Cell]]) -> None:
        self.newline()
        for cells in rows:
            texts = [c.text for c in cells if c.kind in (LABEL, VALUE)]
            if texts:
                self.lines.append(" | ".join(texts))
            if self.builder is not None:
                self.builder.explicit(cells)


def _span(el: etree._Element, name: str) -> int:
    raw = el.get(name)
    if raw is None:
        return 1
    if raw.isdigit():
        return max(1, min(int(raw), _MAX_SPAN))
    m = _SPAN_RE.search(raw)
    return max(1, min(int(m.group()), _MAX_SPAN)) if m else 1


_BREAKS = etree.XPath("descendant::td//br | descendant::td//p | descendant::td//div"
                      " | descendant::td//li | descendant::th//br | descendant::th//p")
_CELL_JUNK = etree.XPath("descendant::td//script | descendant::td//style")


def _cell_text(el: etree._Element) -> str:
    # <br>/<p> boundaries inside cells were marked with newlines by _mark_breaks
    return "".join(el.itertext())


def _mark_breaks(root: etree._Element) -> None:
    """Put a newline after every <br> and block inside table cells, so that a
    cell's text keeps "1<br>2" apart (two numbers, never 12)."""
    for el in _BREAKS(root):
        el.tail = "\n" + (el.tail or "")
    for el in _CELL_JUNK(root):
        el.text = ""


def _rows_of(table: etree._Element) -> list[etree._Element]:
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if isinstance(r.tag, str) and r.tag == "tr")
    return rows


def grid_rows(table: etree._Element, marked: bool = False) -> list[list[Cell]] | None:
    """Explicit rows of a data table, or None if it is a layout table."""
    if not marked:
        _mark_breaks(table)
    trs = _rows_of(table)
    parsed: list[list[tuple[str, int, int]]] = []
    for tr in trs:
        cells = []
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            text = _cell_text(td)
            if len(text) > _LONG_CELL:
                return None
            cells.append((text, _span(td, "rowspan"), _span(td, "colspan")))
        parsed.append(cells)
    return _expand(parsed)


def _expand(parsed: list[list[tuple[str, int, int]]]) -> list[list[Cell]]:
    """Rows with rowspans expanded: a cell merged from above is re-emitted in
    the rows below as a placeholder when it is a value (SPANNED) or blank,
    and dropped when it is a label; colspan cells count once."""
    nrows = len(parsed)
    pending: dict[int, list] = {}  # start column → [rows still covered, cell, colspan, row]
    out: list[list[Cell]] = []
    for r, cells in enumerate(parsed):
        row: list[Cell] = []
        col = 0

        def spill() -> None:
            nonlocal col
            while col in pending and pending[col][3] < r:
                _, cell, cs, _ = pending[col]
                if cell.kind == VALUE:
                    row.append(Cell(SPANNED, cell.text))
                elif cell.kind == BLANK:
                    row.append(Cell(BLANK, ""))
                col += cs

        for text, rs, cs in cells:
            spill()
            cell = classify(text)
            row.append(cell)
            if rs > 1 and r + 1 < nrows:
                pending[col] = [min(rs, nrows - r) - 1, cell, cs, r]
            col += cs
        for start in sorted(c for c in pending if c >= col and pending[c][3] < r):
            col = start
            spill()
        for start, entry in list(pending.items()):
            if entry[3] < r:
                entry[0] -= 1
                if entry[0] <= 0:
                    del pending[start]
        out.append(row)
    return out


def _has_nested_table(table: etree._Element) -> bool:
    return any(True for _ in table.iterdescendants("table"))


def _walk(el: etree._Element, out: _Out, in_cell: bool = False) -> None:
    tag = el.tag if isinstance(el.tag, str) else None
    if tag is None or tag in _SKIP:
        return
    if tag == "br":
        out.newline()
        return
    if tag == "table" and not in_cell and out.builder is not None \
            and not _has_nested_table(el):
        rows = grid_rows(el, marked=True)
        if rows is not None:
            out.table(rows)
            return
    block = tag in _BLOCK
    if block:
        out.newline()
    out.text(el.text)
    for child in el:
        _walk(child, out, in_cell)
        out.text(child.tail)
    if block:
        out.newline()


class HtmlDoc:
    """What the parser needs from a page: lines, the row stream, meta tags, <title>."""

    def __init__(self, text: str) -> None:
        self.meta: dict[str, str] = {}
        self.title: str | None = None
        self.h1: list[str] = []
        parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
        root = etree.fromstring(text.encode("utf-8", "replace") or b"<html/>", parser)
        if root is None:
            raise ValueError("no HTML document")
        for meta in root.iter("meta"):
            name = (meta.get("name") or meta.get("property") or "").strip().lower()
            if name and name not in self.meta:
                self.meta[name] = squeeze(meta.get("content") or "")
        for t in root.iter("title"):
            self.title = squeeze("".join(t.itertext())) or None
            break
        for h in root.iter("h1", "h2"):
            text = squeeze("".join(h.itertext()))
            if text:
                self.h1.append(text)
        self.builder = RowBuilder()
        _mark_breaks(root)
        out = _Out(self.builder)
        body = root.find("body")
        try:
            _walk(body if body is not None else root, out)
        except RecursionError:
            out = _Out(self.builder)
            out.text("".join(root.itertext()))
        out.newline()
        self.builder.flush()
        self.lines = out.lines
