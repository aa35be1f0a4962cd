"""表三 收到和处理政府信息公开申请情况.

Rows are keyed by their labels (the right-most recognised phrase of a row's
label text wins, so merged group cells and header text before it do not
matter), never by position.  Each row should carry 7 values; rows with 6
or 8 are resolved by :mod:`crawler.parser.columns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nianbao_core.stat_keys import APPLICANT_COLUMNS, OTHER_ROWS_2021, RESULT_GROUPS

from .columns import Cell3, resolve_row
from .issues import issue
from .labels import APPLICATION_GROUPS, APPLICATION_ROWS, APPLICATION_TOP_NUMBERS
from .normalize import match_form, strip_notes
from .tokens import BLANK, Cell, Row

_ROW_RE = re.compile("|".join(
    [f"(?P<r{i}>{pat})" for i, (_, pat) in enumerate(APPLICATION_ROWS)]
    + [f"(?P<g{i}>{pat})" for i, (_, pat) in enumerate(APPLICATION_GROUPS)]))
_ITEM_RE = re.compile(r"^(\d+)[.、]")
_GROUP_OF = {k: g for g, ks in RESULT_GROUPS.items() for k in ks}


@dataclass
class _T3Row:
    key: str | None  # row key, "group:<name>" (a subtotal / 2019 （六）), or None
    label: str
    values: list[Cell]
    explicit: bool


@lru_cache(maxsize=4096)
def match_row(form: str) -> tuple[str | None, str | None, int]:
    """(row key, group, end of the row match) of a label's match form."""
    key = group = None
    key_start = -1
    end = 0
    for m in _ROW_RE.finditer(form):
        name = m.lastgroup or ""
        if name.startswith("r"):
            key, key_start, end = APPLICATION_ROWS[int(name[1:])][0], m.start(), m.end()
        elif key is None or m.start() < key_start:
            group = APPLICATION_GROUPS[int(name[1:])][0]
            end = max(end, m.end())
    if key is not None:
        group = _GROUP_OF.get(key, group if key.startswith("group:") else None)
    return key, group, end


class ApplicationsCollector:
    """Feeds on rows of 表三; :meth:`finish` resolves keys, columns and values."""

    def __init__(self) -> None:
        self.group: str | None = None
        self.header = ""
        self.rows: list[_T3Row] = []
        self.seen = False

    def feed(self, row: Row) -> None:
        labels = row.labels
        values = row.values()
        form = strip_notes(match_form("".join(labels)))
        key, group, end = match_row(form)
        if not self.rows and key is None:
            self.header += form
        if key is None and group is not None:
            self.group = group
        blank = all(c.kind == BLANK for c in values)
        if blank and (not self.rows or key is None and not (
                row.explicit and group is not None and end == len(form))):
            return  # a header row (its pads are blank)
        if not values:
            if key is not None and row.explicit:
                self._add(key, form, values, row.explicit)
            return
        if key is None:
            key = self._fallback(form, end, group)
        self._add(key, form, values, row.explicit)

    def _fallback(self, form: str, end: int, group: str | None) -> str | None:
        if group is not None and end == len(form):
            return f"group:{group}"
        tail = form[end:]
        if group is not None and tail.strip(":：") in ("小计", "合计"):
            return f"group:{group}"
        m = _ITEM_RE.match(tail)
        if m and self.group is not None:
            members = RESULT_GROUPS[self.group]
            idx = int(m.group(1)) - 1
            if 0 <= idx < len(members):
                return members[idx]
        for prefix, key in APPLICATION_TOP_NUMBERS.items():
            if form.startswith(prefix):
                return key
        return None

    def _add(self, key: str | None, form: str, values: list[Cell], explicit: bool) -> None:
        self.seen = True
        if key is not None:
            grp = _GROUP_OF.get(key)
            if key.startswith("group:"):
                grp = key[6:]
            self.group = grp
        self.rows.append(_T3Row(key, form, values, explicit))

    # -- results ------------------------------------------------------------
    def evidence(self) -> str | None:
        keys = {r.key for r in self.rows}
        if keys & set(OTHER_ROWS_2021):
            return "2021"
        if "group:other" in keys or "other.total" in keys:
            return "2019"
        return None

    def finish(self) -> tuple[dict[str, dict[str, Cell3]], dict[str, dict[str, Cell3]], list]:
        """Return (rows by key, subtotal rows by group, issues)."""
        issues: list[dict] = []
        has_2021_other = any(r.key in OTHER_ROWS_2021 for r in self.rows)
        expected = 8 if "小计" in self.header else 7
        sub_pos = None
        if expected == 8:
            i_sub, i_com = self.header.find("小计"), self.header.find("商业企业")
            sub_pos = 1 if 0 <= i_sub < i_com else 6
        table: dict[str, dict[str, Cell3]] = {}
        subtotals: dict[str, dict[str, Cell3]] = {}
        for row in self.rows:
            key = row.key
            if key == "group:other" and not has_2021_other:
                key = "other.total"
            if key is None:
                issues.append(issue("unknown_row_label", "applications",
                                    f"unrecognised row {row.label!r} in 表三"))
                continue
            where = "applications." + (key[6:] + " (subtotal)" if key.startswith("group:")
                                       else key)
            cells, row_issues = resolve_row(row.values, expected, sub_pos, where, row.explicit)
            issues.extend(row_issues)
            target = subtotals if key.startswith("group:") else table
            name = key[6:] if key.startswith("group:") else key
            if name in target:
                if _numbers(target[name]) != _numbers(cells):
                    issues.append(issue("duplicate_row", where,
                                        "row appears twice with different values; first kept"))
                continue
            target[name] = cells
        return table, subtotals, issues


def _numbers(cells: dict[str, Cell3]) -> list:
    return [cells[c].value for c in APPLICANT_COLUMNS if c in cells]
