"""Pre-2019 政府信息公开情况统计表: every indicator row as a legacy indicator.

Columns 统计指标 | 单位 | 统计数 (variants add 序号 or split 统计数).  Rows
are read cell by cell: a label opens a row, a unit word fills its unit,
numbers fill its value.  A number standing where the unit belongs (no unit
word, number then blank) is kept and flagged; the group is the last
top-level heading row (``一、主动公开情况``); heading rows with neither
unit nor number are groups, not indicators, and are not returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .issues import issue
from .labels import (
    LEGACY_CAPTION_RE,
    LEGACY_GROUP_RE,
    LEGACY_HEADER_RE,
    LEGACY_ITEM_RE,
    LEGACY_UNITS,
)
from .normalize import canonical_label, match_form
from .numbers import BLANK as N_BLANK
from .numbers import Number, parse_number
from .tokens import BLANK, LABEL, SPANNED, Cell, Row


@dataclass
class _Legacy:
    label: str
    group: str | None
    unit: str | None = None
    values: list[Cell] = field(default_factory=list)
    explicit: bool = False


class LegacyRow(NamedTuple):
    """One row as the rules P1–P7 see it (heading rows included, see rules_legacy)."""

    label: str
    group: str | None
    unit: str | None
    numbers: tuple[Number, ...]  # one per 统计数 cell; () when the row has none


class LegacyCollector:
    """Feeds on rows of the pre-2019 统计表."""

    def __init__(self) -> None:
        self.rows: list[_Legacy] = []
        self.group: str | None = None
        self.seen = False
        self.checked: list[LegacyRow] = []  # filled by finish()
        self.label_header = False  # 统计指标/指标名称 header seen
        self.code_column = False  # a 代码 column after the labels (定西-style 统计报表)

    def _open(self, text: str, explicit: bool) -> None:
        label = canonical_label(text)
        form = match_form(label)
        if LEGACY_GROUP_RE.match(form):
            self.group = label
        last = self.rows[-1] if self.rows else None
        if (last is not None and not explicit and not last.explicit and last.unit is None
                and not last.values and not LEGACY_ITEM_RE.match(form)
                and not LEGACY_GROUP_RE.match(match_form(last.label))):
            last.label += label  # a label wrapped over two lines
            return
        self.rows.append(_Legacy(label, self.group, explicit=explicit))

    def feed(self, row: Row) -> None:
        self.seen = True
        current: _Legacy | None = None
        for cell in row.cells:
            if cell.kind == LABEL:
                form = match_form(cell.text)
                if LEGACY_HEADER_RE.match(form) or LEGACY_CAPTION_RE.search(form):
                    self.label_header |= form in ("统计指标", "指标名称")
                    self.code_column |= form == "代码" and self.label_header
                    continue
                if form in LEGACY_UNITS and self.rows and self.rows[-1].unit is None \
                        and not self.rows[-1].values:
                    self.rows[-1].unit = form
                    continue
                self._open(cell.text, row.explicit)
                current = self.rows[-1]
            else:
                target = current or (self.rows[-1] if self.rows and not row.explicit else None)
                if target is not None:
                    target.values.append(cell)

    def finish(self) -> tuple[list[dict], list]:
        out: list[dict] = []
        issues: list[dict] = []
        self.checked = []
        for row in self.rows:
            values = [c for c in row.values]
            while values and values[-1].kind == BLANK and len(values) > 1:
                values.pop()
            value = None
            where = f"legacy:{row.label}"
            unit = row.unit
            self.checked.append(LegacyRow(row.label, row.group, unit, tuple(
                parse_number(None if c.kind == SPANNED else c.text, money=unit == "万元",
                             unit="万元") for c in values[int(self.code_column):])))
            if values:
                first = values[0]
                num = parse_number(None if first.kind == SPANNED else first.text,
                                   money=unit == "万元", unit="万元")
                value = num.value
                if num.code:
                    issues.append(issue(num.code, where, num.note))
                if unit is None and len(row.values) >= 2 and row.values[-1].kind == BLANK \
                        and value is not None:
                    issues.append(issue("legacy_misplaced_value", where,
                                        f"value {first.text} stands in the 单位 column"))
                elif unit is None and value is not None:
                    issues.append(issue("legacy_unit_missing", where, "value without a unit"))
            if unit is None and value is None and all(
                    c.kind != SPANNED and parse_number(c.text).state == N_BLANK for c in values):
                continue  # a heading row (一、主动公开情况): no unit, no number
            entry = {"label": row.label, "group": row.group, "unit": unit, "value": value}
            extra = [c for c in values[1:] if c.kind != BLANK]
            if extra:
                entry["values"] = [parse_number(c.text).value for c in values]
            out.append(entry)
        return out, issues
