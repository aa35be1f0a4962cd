"""Aligning one row of 表三 with its 7 applicant columns.

7 values map in order.  6 or 8 values (a column dropped, or an extra
法人或其他组织小计) are resolved with the rules instead of by position:
every candidate mapping is tried, those contradicting the row rule H3
(总计 = the six applicant columns; 小计 = the five organisation columns)
are dropped, and a cell is returned only where all remaining candidates
agree on it; the others stay null.  Such rows are always flagged.
Digits run together make the row's alignment unknowable: its cells stay
null and the row is flagged.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from nianbao_core.stat_keys import APPLICANT_COLUMNS

from .issues import issue
from .numbers import BLANK, UNKNOWN, VALUE, Number, parse_number
from .tokens import BLANK as T_BLANK
from .tokens import SPANNED, Cell

_SIX = APPLICANT_COLUMNS[:6]
_ORGS = APPLICANT_COLUMNS[1:6]
_FATAL = ("merged_digits", "multiple_numbers")


class Cell3(NamedTuple):
    value: int | float | None
    state: str  # numbers.VALUE / BLANK / UNKNOWN

    @property
    def as_zero(self) -> int | float | None:
        """The cell in the arithmetic of the rules: blank = 0, unknown = None."""
        if self.state == BLANK:
            return 0
        return self.value if self.state == VALUE else None


UNKNOWN_CELL = Cell3(None, UNKNOWN)
BLANK_CELL = Cell3(None, BLANK)


def _cell(num: Number) -> Cell3:
    return Cell3(num.value, num.state)


@lru_cache(maxsize=8192)  # keyed by the text: 1 and 1.0 stay apart (not so for Numbers)
def _read_text(raw: str | None) -> tuple[Number, Cell3]:
    num = parse_number(raw)
    return num, _cell(num)


def _read(cell: Cell) -> tuple[Number, Cell3]:
    """The cell's number and its :class:`Cell3` (shared: both are immutable)."""
    return _read_text(None if cell.kind == SPANNED else cell.text)


def _candidates_short(nums: list[Cell3]) -> list[dict[str, Cell3]]:
    """6 values: one of the 7 columns is missing."""
    verified: list[dict[str, Cell3]] = []
    for missing in _SIX:
        rest = [c for c in APPLICANT_COLUMNS if c != missing]
        mapping = dict(zip(rest, nums))
        parts = [mapping[c].as_zero for c in _SIX if c != missing]
        total = mapping["total"].as_zero
        if total is None or any(p is None for p in parts):
            return []  # an unreadable cell: nothing can be verified
        derived = total - sum(parts)  # type: ignore[arg-type]
        if derived >= 0:
            verified.append(mapping | {missing: Cell3(derived, VALUE)})
    if verified:
        return verified
    # no natural/organisation column can be the missing one: 总计 was dropped
    return [dict(zip(_SIX, nums)) | {"total": UNKNOWN_CELL}]


def _candidates_long(nums: list[Cell3], sub_pos: int | None) -> list[dict[str, Cell3]]:
    """8 values: an extra 法人小计 column (after or before the 5 organisations)."""
    out = []
    for pos in ((sub_pos,) if sub_pos is not None else (6, 1)):
        rest = nums[:pos] + nums[pos + 1:]
        mapping = dict(zip(APPLICANT_COLUMNS, rest))
        sub = nums[pos].as_zero
        orgs = [mapping[c].as_zero for c in _ORGS]
        six = [mapping[c].as_zero for c in _SIX]
        total = mapping["total"].as_zero
        if sub is None or None in orgs or None in six or total is None:
            continue
        if sub == sum(orgs) and total == sum(six):  # type: ignore[arg-type]
            out.append(mapping)
    return out


def _agree(cands: list[dict[str, Cell3]]) -> tuple[dict[str, Cell3], list[str]]:
    result: dict[str, Cell3] = {}
    undecided = []
    for col in APPLICANT_COLUMNS:
        cells = [c.get(col, UNKNOWN_CELL) for c in cands]
        nums = {c.as_zero for c in cells}
        if len(nums) == 1 and None not in nums:
            result[col] = BLANK_CELL if all(c.state == BLANK for c in cells) else \
                Cell3(cells[0].as_zero, VALUE)
        else:
            result[col] = UNKNOWN_CELL
            undecided.append(col)
    return result, undecided


def resolve_row(values: list[Cell], expected: int, sub_pos: int | None, where: str,
                explicit: bool = True) -> tuple[dict[str, Cell3], list[dict]]:
    """Cells of one row by applicant column (plus ``_subtotal`` for the 8-column
    variant), and the issues met on the way."""
    vals = list(values)
    while len(vals) > expected and vals[-1].kind == T_BLANK:
        vals.pop()  # padding cells of text layouts
    read = [_read(v) for v in vals]
    parsed = [num for num, _ in read]
    n = len(parsed)
    if not n:
        return {c: UNKNOWN_CELL for c in APPLICANT_COLUMNS}, [
            issue("column_count", where, f"no value cells for {expected} columns")]
    issues = [issue(p.code, where, p.note) for p in parsed if p.code]
    fatal = any(p.code in _FATAL for p in parsed)
    nums = [cell for _, cell in read]
    if n == expected and (explicit or not fatal):
        if expected == 8:
            sub = nums.pop(6 if sub_pos is None else sub_pos)
            return dict(zip(APPLICANT_COLUMNS, nums)) | {"_subtotal": sub}, issues
        return dict(zip(APPLICANT_COLUMNS, nums)), issues
    if n == 7 and expected == 8:  # this row simply lacks the 小计 column
        return dict(zip(APPLICANT_COLUMNS, nums)), issues
    cands: list[dict[str, Cell3]] = []
    if not fatal and n == 6 and expected == 7:
        cands = _candidates_short(nums)
    elif not fatal and n == 8 and expected == 7:
        cands = _candidates_long(nums, None)
    if not cands:
        issues.append(issue("column_count", where,
                            f"{n} values for {expected} columns; row left unread"))
        return {c: UNKNOWN_CELL for c in APPLICANT_COLUMNS}, issues
    cells, undecided = _agree(cands)
    msg = f"{n} values for 7 columns"
    if undecided:
        msg += "; the rules leave " + ", ".join(undecided) + " undecided (null)"
    else:
        msg += "; columns chosen by the rules"
    issues.append(issue("column_count", where, msg))
    return cells, issues
