"""表四 行政复议、行政诉讼: 15 numbers in three groups of five.

The standard layout puts all 15 numbers on one row after a three-row
header; some reports split it into three 5-column tables, each after its
group's label.  Any other count is flagged and left unread.
"""

from __future__ import annotations

import re

from nianbao_core.stat_keys import REVIEW_LITIGATION_GROUPS, REVIEW_LITIGATION_OUTCOMES

from .columns import Cell3
from .issues import issue
from .labels import REVIEW_GROUP_WORDS
from .normalize import match_form
from .numbers import parse_number
from .tokens import BLANK, SPANNED, Cell, Row

_GROUP_RE = re.compile("|".join(f"(?P<g{i}>{p})" for i, (p, _) in enumerate(REVIEW_GROUP_WORDS)))
_GROUPS = [g for g, _ in REVIEW_LITIGATION_GROUPS]
_OUTCOMES = [o for o, _ in REVIEW_LITIGATION_OUTCOMES]


class ReviewCollector:
    """Feeds on rows of 表四; :meth:`finish` returns cells by group and outcome."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str | None, list[Cell], bool]] = []
        self.group: str | None = None
        self.seen = False
        self._pending_group: str | None = None

    def feed(self, row: Row) -> None:
        self.seen = True
        for label in row.labels:
            for m in _GROUP_RE.finditer(match_form(label)):
                name = REVIEW_GROUP_WORDS[int((m.lastgroup or "g0")[1:])][1]
                self.group = name
        values = row.values()
        if row.labels and all(c.kind == BLANK for c in values):
            return  # a header row and its pads
        if values:
            if self.chunks and not row.labels and not row.explicit and \
                    self.chunks[-1][0] == self.group:
                self.chunks[-1][1].extend(values)
            else:
                self.chunks.append((self.group, list(values), row.explicit))

    def finish(self) -> tuple[dict[str, dict[str, Cell3]], list]:
        issues: list[dict] = []
        chunks = []
        for group, values, _ in self.chunks:
            vals = list(values)
            while len(vals) > 15 and vals[-1].kind == BLANK:
                vals.pop()
            while len(vals) > 5 and len(vals) % 5 and vals[-1].kind == BLANK:
                vals.pop()
            chunks.append((group, vals))
        total = sum(len(v) for _, v in chunks)
        assigned: dict[str, list[Cell]] = {}
        if len(chunks) == 1 and total == 15:
            vals = chunks[0][1]
            for i, g in enumerate(_GROUPS):
                assigned[g] = vals[5 * i:5 * i + 5]
        elif chunks and all(len(v) == 5 for _, v in chunks):
            order = iter(_GROUPS)
            for group, vals in chunks:
                g = group if group in _GROUPS and group not in assigned else None
                if g is None:
                    g = next((x for x in order if x not in assigned), None)
                if g is None:
                    break
                assigned[g] = vals
        elif chunks:
            issues.append(issue("column_count", "review_litigation",
                                f"{total} values for 15 columns; 表四 left unread"))
        out: dict[str, dict[str, Cell3]] = {}
        for g, vals in assigned.items():
            cells = {}
            for o, cell in zip(_OUTCOMES, vals):
                num = parse_number(None if cell.kind == SPANNED else cell.text)
                cells[o] = Cell3(num.value, num.state)
                if num.code:
                    issues.append(issue(num.code, f"review_litigation.{g}.{o}", num.note))
            out[g] = cells
        return out, issues
