"""表二 主动公开政府信息情况: sub-tables 第二十条第（一/五/六/八/九）项.

Values are aligned by order within each sub-table's header (never by grid
position: header and data rows may carry different colspans).  Column
headers are also the evidence of the format: 本年新制作数量/上一年项目数量
are 2019, 本年制发件数/本年处理决定数量 are 2021.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from nianbao_core.stat_keys import ACTIVE_KEYS_2019, ACTIVE_KEYS_2021, MONEY_KEYS, SIGNED_KEYS

from .issues import issue
from .labels import ACTIVE_COLUMNS, ACTIVE_HEADER_START, ACTIVE_ROWS, CAPTION_RE, MONEY_UNIT_RE
from .normalize import match_form, strip_notes
from .numbers import parse_number
from .tokens import BLANK, LABEL, Cell, Row

_ALL_KEYS = frozenset(ACTIVE_KEYS_2019) | frozenset(ACTIVE_KEYS_2021)
_TOKEN_RE = re.compile("|".join(
    [f"(?P<cap>{CAPTION_RE.pattern})", f"(?P<head>{ACTIVE_HEADER_START})"]
    + [f"(?P<c{i}>{pat})" for i, (pat, _, _) in enumerate(ACTIVE_COLUMNS)]
    + [f"(?P<r{i}>{pat})" for i, (pat, _) in enumerate(ACTIVE_ROWS)]))

#: columns when a sub-table has no header: (caption, template) → columns
_DEFAULT_COLUMNS = {
    ("一", "2019"): ["new_made", "new_published", "total_published"],
    ("一", "2021"): ["issued", "repealed", "in_force"],
    ("五", "2019"): ["previous_year", "change", "decisions"], ("五", "2021"): ["decisions"],
    ("六", "2019"): ["previous_year", "change", "decisions"], ("六", "2021"): ["decisions"],
    ("八", "2019"): ["previous_year", "change"], ("八", "2021"): ["amount"],
    ("九", "2019"): ["items", "amount"],
}
_ROW_CAPTION = {"regulations": "一", "normative_documents": "一", "licensing": "五",
                "other_services": "五", "penalty": "六", "coercion": "六", "fees": "八",
                "procurement": "九"}


@lru_cache(maxsize=4096)  # the same header and row labels recur in every report
def _tokens(form: str) -> tuple[tuple[str, str], ...]:
    """(group name, matched words) of each caption/header/column/row word in a label."""
    return tuple((next(k for k, v in m.groupdict().items() if v is not None), m.group(0))
                 for m in _TOKEN_RE.finditer(form))


@dataclass
class _Pending:
    caption: str | None
    key: str | None
    label: str
    columns: list[str] | None
    unit: str | None
    values: list[Cell] = field(default_factory=list)
    explicit: bool = False


class ActiveCollector:
    """Feeds on rows of 表二; :meth:`finish` returns stats and issues."""

    def __init__(self) -> None:
        self.caption: str | None = None
        self.columns: list[str] | None = None
        self.unit: str | None = None
        self.in_header = False
        self.row: _Pending | None = None
        self.rows: list[_Pending] = []
        self.votes: Counter[str] = Counter()
        self.seen = False

    # -- feeding ------------------------------------------------------------
    def _flush(self) -> None:
        if self.row is not None:
            self.rows.append(self.row)
        self.row = None

    def _label(self, text: str) -> None:
        full = match_form(text)
        form = strip_notes(full)
        matched = row_seen = False
        for name, word in _tokens(form):
            if name.startswith("r") and row_seen:
                continue  # one row per label: later words are part of its description
            matched = True
            if name == "cap":
                self._flush()
                self.caption = CAPTION_RE.search(word).group(1)  # type: ignore[union-attr]
                self.columns, self.unit, self.in_header = None, None, True
                self.seen = True
            elif name == "head":
                self._flush()
                self.columns, self.in_header = [], True
            elif name.startswith("c"):
                self._column(int(name[1:]), full)
            else:
                row_seen = True
                self._flush()
                self.in_header = False
                self.seen = True
                self.row = _Pending(self.caption, ACTIVE_ROWS[int(name[1:])][1], text,
                                    self.columns, self.unit)
        if not matched and not self.in_header and len(form) <= 200:
            if self.row is None or self.row.values or self.row.key:
                self._flush()
                self.row = _Pending(self.caption, None, text, self.columns, self.unit)

    def _column(self, index: int, label: str) -> None:
        _, col, vote = ACTIVE_COLUMNS[index]
        if vote:
            self.votes[vote] += 1
        if self.row is not None:
            self._flush()
        if not self.in_header or self.columns is None:
            self.columns, self.in_header = [], True
        self.columns.append(col)
        unit = MONEY_UNIT_RE.search(label) if col == "amount" else None
        if col == "amount" and unit:
            self.unit = unit.group(1) or unit.group(2)

    def feed(self, row: Row) -> None:
        for cell in row.cells:
            if cell.kind == LABEL:
                self._label(cell.text)
                if self.row is not None:
                    self.row.explicit = row.explicit
            elif self.row is not None:
                self.row.values.append(cell)
        if row.explicit:
            self._flush()

    # -- results ------------------------------------------------------------
    def template(self) -> str | None:
        if not self.votes:
            return None
        return "2021" if self.votes["2021"] > self.votes["2019"] else "2019"

    def finish(self, template_hint: str | None) -> tuple[dict, list]:
        self._flush()
        tpl = self.template() or template_hint or "2019"
        stats: dict[str, int | float | None] = {}
        issues: list[dict] = []
        for row in self.rows:
            values = list(row.values)
            if row.key is None:
                if any(c.kind != BLANK for c in values):
                    issues.append(issue("unknown_row_label", "active",
                                        f"unrecognised row {row.label!r} in 表二"))
                continue
            where = f"active.{row.key}"
            caption = row.caption or _ROW_CAPTION.get(row.key)
            columns = row.columns
            if not columns:
                columns = _DEFAULT_COLUMNS.get((caption or "", tpl))
                if columns is None or (values and len(values) != len(columns)):
                    alt = _DEFAULT_COLUMNS.get((caption or "", "2021" if tpl == "2019" else "2019"))
                    if alt is not None and len(values) == len(alt):
                        columns = alt
                if columns is None:
                    continue
            while len(values) > len(columns) and values[-1].kind == BLANK:
                values.pop()
            if len(values) != len(columns):
                issues.append(issue("column_count", where,
                                    f"{len(values)} values for {len(columns)} columns"))
                for col in columns:
                    if f"{where}.{col}" in _ALL_KEYS:
                        stats.setdefault(f"{where}.{col}", None)
                continue
            for i, col in enumerate(columns):
                key = f"{where}.{col}"
                if key not in _ALL_KEYS:
                    issues.append(issue("unknown_row_label", key, f"no such cell {key}"))
                    continue
                if key in stats and stats[key] is not None:
                    continue
                if i >= len(values):
                    stats[key] = None
                    continue
                num = parse_number(values[i].text if values[i].kind != "U" else None,
                                   money=key in MONEY_KEYS, unit=row.unit,
                                   signed=key in SIGNED_KEYS)
                stats[key] = num.value
                if num.code:
                    issues.append(issue(num.code, key, num.note))
        return stats, issues
