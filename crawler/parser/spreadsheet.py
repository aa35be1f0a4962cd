"""Spreadsheets (``.xlsx`` by openpyxl, ``.xls``/``.et`` by xlrd) → text lines and table rows.

Both readers give a :class:`Grid` (cell texts and merged ranges); the grid
becomes explicit rows as DOCX tables do: a merged range is one cell, a
vertical merge of a value continues it as a spanned cell (``SPANNED``), a
row with a single text is a line (title, heading, prose). Empty columns to
the right of a table are not blanks of the table: a row keeps cells up to the
rightmost column used by its neighbourhood (the table it belongs to).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from struct import error as struct_error

from lxml import etree

from .issues import UnreadableDocument
from .normalize import collapse_ws, to_simplified
from .text_tables import feed_line
from .tokens import BLANK, LABEL, SPANNED, VALUE, Cell, RowBuilder, classify

MAX_SHEETS = 20
MAX_ROWS = 5_000  # a report's tables run to ~100 rows
MAX_COLUMNS = 100
MAX_XML = 50_000_000  # uncompressed bytes of one part of an .xlsx
_WINDOW = 3  # rows either side that decide a row's table width


@dataclass
class Grid:
    """One sheet: cell texts (None = empty) and merged ranges (row0, row1, col0, col1), ends
    exclusive."""

    cells: list[list[str | None]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def cell_text(value) -> str | None:
    """A cell's value as the text a reader sees (numbers without a trailing .0)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".12g")
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


# What openpyxl and xlrd raise on a damaged or hostile file (besides their own errors)
_READ_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError,
                AttributeError, EOFError, AssertionError, struct_error, etree.LxmlError)


def read_xlsx(data: bytes) -> list[Grid]:
    """The sheets of an .xlsx; UnreadableDocument if it cannot be opened."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if any(info.file_size > MAX_XML for info in z.infolist()):
                raise UnreadableDocument("a part of the .xlsx is too large")
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (*_READ_ERRORS, InvalidFileException) as exc:
        raise UnreadableDocument(f"unreadable .xlsx: {exc}"[:300]) from exc
    return _xlsx_grids(book)


def _xlsx_grids(book) -> list[Grid]:
    grids = []
    for sheet in book.worksheets[:MAX_SHEETS]:
        rows = min(sheet.max_row, MAX_ROWS)
        cols = min(sheet.max_column, MAX_COLUMNS)
        cells = [[cell_text(c.value) for c in row]
                 for row in sheet.iter_rows(min_row=1, max_row=rows, max_col=cols)]
        merges = [(r.min_row - 1, r.max_row, r.min_col - 1, r.max_col)
                  for r in sheet.merged_cells.ranges]
        grids.append(Grid(cells, merges))
    return grids


def read_xls(data: bytes) -> list[Grid]:
    """BIFF ``.xls`` (and Kingsoft ``.et``, which is BIFF inside) by xlrd; UnreadableDocument
    if xlrd cannot open it."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                  logfile=io.StringIO())
        return _xls_grids(book)
    except (*_READ_ERRORS, xlrd.XLRDError) as exc:
        raise UnreadableDocument(f"unreadable .xls: {exc}"[:300]) from exc


def _xls_grids(book) -> list[Grid]:
    import xlrd

    grids = []
    for index in range(min(book.nsheets, MAX_SHEETS)):
        sheet = book.sheet_by_index(index)
        cells = []
        for r in range(min(sheet.nrows, MAX_ROWS)):
            row = []
            for c in range(min(sheet.ncols, MAX_COLUMNS)):
                kind = sheet.cell_type(r, c)
                if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    row.append(None)
                elif kind == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate_as_datetime(sheet.cell_value(r, c),
                                                       book.datemode).date().isoformat())
                else:
                    row.append(cell_text(sheet.cell_value(r, c)))
            cells.append(row)
        grids.append(Grid(cells, [tuple(m) for m in sheet.merged_cells]))
        book.unload_sheet(index)
    return grids


class SheetDoc:
    """Lines and the row stream of a workbook's sheets."""

    def __init__(self, grids: list[Grid]) -> None:
        self.builder = RowBuilder()
        self.lines: list[str] = []
        for grid in grids:
            self._sheet(grid)
        self.builder.flush()

    def _sheet(self, grid: Grid) -> None:
        origin: dict[tuple[int, int], tuple[int, int]] = {}  # covered cell → its range's origin
        for r0, r1, c0, c1 in grid.merges:
            for r in range(r0, min(r1, len(grid.cells))):
                for c in range(c0, c1):
                    if (r, c) != (r0, c0):
                        origin[(r, c)] = (r0, c0)
        # A cell holding only spaces was written on purpose (a blank of the table).
        last_used = [max((c for c, t in enumerate(row) if t is not None), default=-1)
                     for row in grid.cells]
        kinds: dict[tuple[int, int], Cell] = {}
        for r, row in enumerate(grid.cells):
            lo, hi = max(0, r - _WINDOW), min(len(grid.cells), r + _WINDOW + 1)
            width = max(last_used[lo:hi], default=-1) + 1
            cells: list[Cell] = []
            for c in range(min(width, len(row))):
                if (r, c) in origin:
                    r0, c0 = origin[(r, c)]
                    if r0 < r and c0 == c:  # a vertical merge continues into this row
                        above = kinds.get((r0, c0))
                        if above is not None and above.kind == VALUE:
                            cells.append(Cell(SPANNED, above.text))
                        elif above is not None and above.kind == BLANK:
                            cells.append(Cell(BLANK, ""))
                    continue
                cell = classify(to_simplified(row[c] or ""))
                kinds[(r, c)] = cell
                cells.append(cell)
            self._row(cells)

    def _row(self, cells: list[Cell]) -> None:
        texts = [c.text for c in cells if c.kind in (LABEL, VALUE)]
        if not texts:
            return
        if len(cells) == 1 and cells[0].kind == LABEL:  # a paragraph: title, heading, prose
            for part in cells[0].text.split("\n"):
                line = collapse_ws(part)
                if line:
                    self.lines.append(line)
                    feed_line(self.builder, line, collapsed=True)
            return
        self.lines.append(" | ".join(texts))
        self.builder.explicit(cells)
