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

from .issues import UnreadableDocument
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
            self._buf.clear()  # in place: _walk holds on to the list
            if line:
                self.lines.append(line)
                if self.builder is not None:
                    feed_line(self.builder, line, collapsed=True)

    def table(self, rows: list[list[Cell]]) -> None:
        self.newline()
        for cells in rows:
            texts = [c.text for c in cells if c.kind in (LABEL, VALUE)]
            if texts:
                self.lines.append(" | ".join(texts))
            if self.builder is not None:
                self.builder.explicit(cells)


def _span(raw: str) -> int:
    """A rowspan/colspan attribute's value, clamped to 1.._MAX_SPAN."""
    if raw.isdigit():
        return max(1, min(int(raw), _MAX_SPAN))
    m = _SPAN_RE.search(raw)
    return max(1, min(int(m.group()), _MAX_SPAN)) if m else 1


_BREAKS = etree.XPath("descendant::td//br | descendant::td//p | descendant::td//div"
                      " | descendant::td//li | descendant::th//br | descendant::th//p")
_CELL_JUNK = etree.XPath("descendant::td//script | descendant::td//style")

# The text of a page is read as if _mark_breaks had run, without running it
# (its XPath and the rewriting of every tail in the tables cost ~5% of a
# parse): the cell context says which tails take the newline.  Context: 0
# outside cells, _IN_TH inside a <th> only, _IN_TD inside a <td>.
_IN_TH, _IN_TD = 1, 2
_BREAK_TAGS = (frozenset(), frozenset({"br", "p"}), frozenset({"br", "p", "div", "li"}))
_JUNK_TAGS = frozenset({"script", "style"})


def _cell_text(el: etree._Element, cell: int = 0) -> str:
    """``"".join(el.itertext())`` of a <td>/<th> as it reads after _mark_breaks;
    ``cell`` is the context around the cell."""
    inner = _IN_TD if cell == _IN_TD or el.tag == "td" else _IN_TH
    n = len(el)
    if n == 0:
        return el.text or ""
    if n == 1:  # most cells: bare text or text in one <p>, read without itertext (~1.5 µs)
        child = el[0]
        tag = child.tag
        if isinstance(tag, str) and not len(child):  # not a comment/PI/entity
            text = "" if inner == _IN_TD and tag in _JUNK_TAGS else child.text or ""
            brk = "\n" if tag in _BREAK_TAGS[inner] else ""
            return (el.text or "") + text + brk + (child.tail or "")
    # what itertext() does (text at "start", tails after), with the marks
    parts = []
    tds, ths = int(cell == _IN_TD), int(cell == _IN_TH)  # open cells around a node
    for event, node in etree.iterwalk(el, events=("start", "comment", "pi", "end")):
        if event == "start":
            tag = node.tag
            text = "" if tds and tag in _JUNK_TAGS else node.text
            if tag == "td":
                tds += 1
            elif tag == "th":
                ths += 1
        elif node is el:
            continue
        elif event == "end":
            tag = node.tag
            if tag == "td":
                tds -= 1
            elif tag == "th":
                ths -= 1
            text = node.tail
            if tag in _BREAK_TAGS[_IN_TD if tds else _IN_TH if ths else 0]:
                text = "\n" + (text or "")
        else:  # a comment or PI: its tail
            text = node.tail
        if text:
            parts.append(text)
    return "".join(parts)


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


def grid_rows(table: etree._Element, cell: int = 0) -> list[list[Cell]] | None:
    """Explicit rows of a data table, or None if it is a layout table.

    Breaks in cells read as marked by :func:`_mark_breaks` (the tree is left
    as it is); ``cell`` is the cell context around the table."""
    trs = _rows_of(table)
    parsed: list[list[tuple[str, int, int]]] = []
    for tr in trs:
        cells = []
        for td in tr:
            if td.tag not in ("td", "th"):  # a comment's tag is a function: not in
                continue
            text = _cell_text(td, cell)
            if len(text) > _LONG_CELL:
                return None
            rs, cs = td.get("rowspan"), td.get("colspan")
            cells.append((text, 1 if rs is None else _span(rs), 1 if cs is None else _span(cs)))
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
            if pending:  # most rows are below no rowspan
                spill()
            cell = classify(text)
            row.append(cell)
            if rs > 1 and r + 1 < nrows:
                pending[col] = [min(rs, nrows - r) - 1, cell, cs, r]
            col += cs
        if pending:
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


def _walk(el: etree._Element, out: _Out, in_cell: bool = False, cell: int = 0) -> None:
    """Text and tables of ``el``, read as marked by :func:`_mark_breaks`; ``cell``
    is the cell context around ``el``."""
    tag = el.tag
    if not isinstance(tag, str) or tag in _SKIP:  # comments, PIs, entities; hidden content
        return
    if tag == "br":
        out.newline()
        return
    if tag == "table" and not in_cell and out.builder is not None \
            and not _has_nested_table(el):
        rows = grid_rows(el, cell)
        if rows is not None:
            out.table(rows)
            return
    block = tag in _BLOCK
    if block:
        out.newline()
    inner = _IN_TD if tag == "td" else max(cell, _IN_TH) if tag == "th" else cell
    breaks = _BREAK_TAGS[inner]
    # appends inlined (no out.text calls): this runs for every element of the page
    buf = out._buf
    text = el.text
    if text:
        buf.append(text)
    for child in el:
        _walk(child, out, in_cell, inner)
        if inner and child.tag in breaks:
            buf.append("\n")
        text = child.tail
        if text:
            buf.append(text)
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
            raise UnreadableDocument("no HTML document")
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
        out = _Out(self.builder)
        body = root.find("body")
        try:
            _walk(body if body is not None else root, out)
        except RecursionError:
            _mark_breaks(root)  # the walk read the breaks without marking them
            out = _Out(self.builder)
            out.text("".join(root.itertext()))
        out.newline()
        self.builder.flush()
        self.lines = out.lines
