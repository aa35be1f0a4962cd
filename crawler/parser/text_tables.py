"""Tables written as text: the layouts of extracted pages and PDF text.

* cells joined by `` | `` on one line (one row per line; blanks visible);
* one cell per line followed by `` |`` (row ends unknown; ``|`` alone = blank);
* one cell per line with blank lines between (row ends and blanks unknown);
* PDF text: a row label followed by its numbers on one line, 15 numbers on
  one line, labels wrapped over several lines, spaced characters, page
  markers (``- 4 -``) inside tables.

Rows whose ends are unknown are rebuilt from the labels (a label after
values starts a row); short rows are then left to the interpreters to flag.
"""

from __future__ import annotations

from collections.abc import Iterable

from .labels import PAGE_MARKER_RE
from .normalize import collapse_ws
from .numbers import is_value_token
from .tokens import BLANK, Cell, RowBuilder, classify


def split_pipe_line(line: str, border: bool = True) -> list[str]:
    """Cells of a ``a | b | c |`` line; a trailing pipe does not make a cell, nor
    a leading one when ``border`` (the line starts with ``|`` at column 0: a
    table border, where `` | x`` is a blank first cell)."""
    parts = line.split("|")
    if border and parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return [p.strip() for p in parts]


def feed_line(builder: RowBuilder, raw: str, collapsed: bool = False) -> None:
    """Add one text line to ``builder`` (``collapsed``: already through collapse_ws)."""
    line = raw if collapsed else collapse_ws(raw)
    if not line or PAGE_MARKER_RE.match(line):
        return
    if "|" in line:
        cells = split_pipe_line(line, border=raw[:1] == "|")
        filled = [c for c in cells if c]
        if len(filled) >= 2 or (len(cells) >= 2 and cells[0] and not is_value_token(cells[0])):
            # a whole row; "label | | |" is a row of blanks (a value then pads is not)
            builder.explicit([classify(c) for c in cells])
            return
        if not filled:
            builder.cell(Cell(BLANK, ""))
            return
        line = filled[0]
    parts = line.split(" ")
    j = len(parts)
    while j > 0 and is_value_token(parts[j - 1]):
        j -= 1
    if j == len(parts):
        builder.label(line)
        return
    if j:
        builder.label(" ".join(parts[:j]))
    for part in parts[j:]:
        builder.cell(classify(part))


def rows_from_lines(lines: Iterable[str], builder: RowBuilder | None = None) -> RowBuilder:
    """Tokenise text ``lines`` into ``builder`` (a new one by default)."""
    builder = builder or RowBuilder()
    for line in lines:
        feed_line(builder, line)
    builder.flush()
    return builder
