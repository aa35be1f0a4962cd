"""Seed text → the HTML body of its report page (paragraphs and table rows, as extracted).

The seeds were made by extractors that write a table row or a cell per line:

* ``rows``: one row a line, cells separated by ``|`` (seed 000);
* ``cells``: one cell a line ending in ``|``; a line ending in two or more
  ``|`` (the row's empty trailing cells) ends the row (seed 001), or rows
  have a fixed width (seed 003's 统计表: 指标 | 单位 | 统计数);
* ``paragraphs``: one cell a paragraph between blank lines (seed 002); the
  row breaks are given as the number of cells per row (the same form as
  seed 001, whose row breaks the extraction kept).

Rowspan and colspan attributes are not in the text, so the rows come back
with the cells they had in the page's markup (a rowspan cell only in its
first row), which is how real pages' ``<tr>`` look.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

# Copies of shared/seeds/ (the replica must run where shared/ is not).
SEEDS = Path(__file__).with_name("data")
_ROW_END = re.compile(r"\|\s*\|[\s|]*$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
TABLE_OPEN = ('<table border="1" cellspacing="0" cellpadding="0" width="100%" '
              'style="border-collapse:collapse;">')


def seed_text(name: str) -> str:
    """A seed file by its number prefix ("000")."""
    [path] = sorted(SEEDS.glob(f"{name}_*.txt"))
    return path.read_text(encoding="utf-8")


def p(text: str, indent: bool = True) -> str:
    style = ' style="text-indent:2em;"' if indent else ""
    return f"<p{style}>{escape(text.strip(), quote=False)}</p>"


def table(rows: Iterable[list[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(c, quote=False)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"{TABLE_OPEN}<tbody>{body}</tbody></table>"


def _cells_of(line: str) -> list[str]:
    parts = line.split("|")
    return [c.strip() for c in parts[:-1]]  # every cell ends with its "|"


def body_from_rows(lines: list[str]) -> list[str]:
    """Seed 000: a line with ``|`` is a row; other lines are paragraphs."""
    out, rows = [], []
    for line in lines:
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            rows.append(cells[:-1] if cells[-1] == "" else cells)
            continue
        if rows:
            out.append(table(rows))
            rows = []
        if line.strip():
            out.append(p(line))
    if rows:
        out.append(table(rows))
    return out


def body_from_cells(lines: list[str], width: int | None = None) -> list[str]:
    """Seeds 001 and 003: a cell a line; rows end at a multi-``|`` line or at ``width`` cells."""
    out, rows, row = [], [], []

    def end_row():
        nonlocal row
        if row:
            rows.append(row)
            row = []

    for line in lines:
        if line.rstrip().endswith("|") or line.strip() == "":
            if line.strip() == "":
                if rows or row:
                    continue  # blank lines inside a table are the extractor's
                continue
            for cell in _cells_of(line):
                row.append(cell)
                if width and len(row) == width:
                    end_row()
            if not width and _ROW_END.search(line):
                end_row()
            continue
        end_row()
        if rows:
            out.append(table(rows))
            rows = []
        out.append(p(line))
    end_row()
    if rows:
        out.append(table(rows))
    return out


def row_sizes(lines: list[str]) -> list[list[int]]:
    """Per table of a ``cells`` seed, the number of non-empty cells of each row."""
    tables, sizes, row = [], [], 0
    for line in lines:
        if line.rstrip().endswith("|"):
            row += sum(1 for c in _cells_of(line) if c)
            if _ROW_END.search(line):
                sizes.append(row)
                row = 0
        elif line.strip():
            if row:
                sizes.append(row)
                row = 0
            if sizes:
                tables.append(sizes)
                sizes = []
    if row:
        sizes.append(row)
    if sizes:
        tables.append(sizes)
    return tables


def body_from_paragraphs(text: str, tables: list[list[int]], joined: dict[str, str],
                         table_starts: tuple[str, ...]) -> list[str]:
    """Seed 002: a cell a paragraph. ``joined``: cells the extractor split at a <br>
    (first part → whole text); ``table_starts``: the first cell of each table."""
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    out: list[str] = []
    i = 0
    remaining = list(tables)
    while i < len(paragraphs):
        para = paragraphs[i]
        if remaining and para == table_starts[len(tables) - len(remaining)]:
            rows = []
            for size in remaining.pop(0):
                row = []
                while len(row) < size:
                    cell = paragraphs[i]
                    i += 1
                    if cell in joined:
                        cell = joined[cell]
                        i += 1
                    row.append(cell)
                rows.append(row)
            out.append(table(rows))
            continue
        out.append(p(para))
        i += 1
    return out
