"""The intermediate stream every input is turned into before interpretation.

HTML and DOCX tables become *explicit* rows (cell boundaries and blanks are
known); text lines (``.txt``, PDF text, ``<p>`` outside tables) are split
into cells by :mod:`crawler.parser.text_tables` and grouped into rows by
their labels.  Interpreters (:mod:`.active`, :mod:`.applications`,
:mod:`.review`, :mod:`.legacy`) read only this stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .labels import LEGACY_END_RE, SECTION_HEADINGS
from .normalize import match_form, squeeze
from .numbers import looks_numeric

LABEL, VALUE, BLANK, SPANNED = "L", "V", "B", "U"
_HEADING_WORDS = re.compile(r"情况|概述|事项|问题")


@dataclass(slots=True, frozen=True)
class Cell:
    kind: str  # LABEL / VALUE / BLANK / SPANNED (value cell merged from the row above)
    text: str


@dataclass(slots=True)
class Row:
    cells: list[Cell] = field(default_factory=list)
    explicit: bool = False  # boundaries known: a grid row or a one-line pipe row

    @property
    def labels(self) -> list[str]:
        return [c.text for c in self.cells if c.kind == LABEL]

    def values(self) -> list[Cell]:
        """Value-side cells after the last label (leading numbers such as 序号 dropped)."""
        cells = self.cells
        for i in range(len(cells) - 1, -1, -1):  # from the end: most rows end in values
            if cells[i].kind == LABEL:
                return cells[i + 1:]
        return cells[:]


@dataclass(slots=True)
class Heading:
    name: str  # overview / active / applications / review / problems / other
    text: str


@dataclass(slots=True)
class Prose:
    text: str


Item = Row | Heading | Prose


@lru_cache(maxsize=8192)  # asked of each line up to three times (rows, metadata, sections)
def heading_of(text: str) -> str | None:
    """Section name if ``text`` is a section heading of the 2019/2021 formats."""
    form = match_form(text)
    if len(form) > 40 or not _HEADING_WORDS.search(form):
        return None
    for name, pattern in SECTION_HEADINGS:
        if pattern.match(form):
            return name
    return None


def is_prose(text: str) -> bool:
    """Sentences and notes: never a cell of a statistics table."""
    if "。" in text or "；" in text or len(text) > 90:
        return True
    return bool(LEGACY_END_RE.match(match_form(text)))


@lru_cache(maxsize=8192)
def classify(text: str) -> Cell:
    """A cell from its text: blank, value (numbers or null markers) or label."""
    if text.isascii() and text.strip().isdigit():
        return Cell(VALUE, text.strip())
    text = " ".join(text.split())
    if " " in text:
        text = squeeze(text)
    if not text:
        return Cell(BLANK, "")
    if looks_numeric(text):
        return Cell(VALUE, text)
    return Cell(LABEL, text)


class RowBuilder:
    """Groups a stream of loose cells into rows: a label after values starts a row."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self._row: Row | None = None
        self._has_values = False

    def flush(self) -> None:
        if self._row is not None and self._row.cells:
            self.items.append(self._row)
        self._row = None
        self._has_values = False

    def cell(self, cell: Cell) -> None:
        if cell.kind == LABEL and self._has_values:
            self.flush()
        if self._row is None:
            self._row = Row()
        self._row.cells.append(cell)
        if cell.kind != LABEL:
            self._has_values = True

    def label(self, text: str) -> None:
        """A label-like text: heading, prose or label cell."""
        name = heading_of(text)
        if name is not None:
            self.flush()
            self.items.append(Heading(name, text))
        elif is_prose(text):
            self.flush()
            self.items.append(Prose(text))
        else:
            self.cell(Cell(LABEL, text))

    def explicit(self, cells: list[Cell]) -> None:
        self.flush()
        labels = [c for c in cells if c.kind == LABEL]
        if len(labels) == 1 and all(c.kind == BLANK for c in cells if c.kind != LABEL):
            text = labels[0].text
            name = heading_of(text)
            if name is not None:
                self.items.append(Heading(name, text))
                return
            if is_prose(text):
                self.items.append(Prose(text))
                return
        if cells:
            self.items.append(Row(cells, explicit=True))
