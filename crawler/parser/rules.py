"""勾稽关系: the consistency rules of 表三 and 表四 (DOMAIN.md A4).

H1  per column: 一 + 二 = （七）总计 + 四                  rule_column_balance
H2  per column: （七）总计 = sum of the result rows         rule_result_total
H3  per row: 总计 = the six applicant columns               rule_row_total
    (a blank 总计 with non-zero parts is "not filled")     total_not_filled
H4  per 表四 group: 总计 = 维持 + 纠正 + 其他 + 尚未审结       rule_review_total
H5  subtotal rows / 法人小计 column = their children         rule_subtotal

Blank cells count as 0; unreadable cells make a rule unverifiable, not
failed.  For H1/H2 a 总计 cell that is "not filled" stands for the sum of
its row, so a report that fills only the 自然人…其他 columns still checks.
"""

from __future__ import annotations

from nianbao_core.stat_keys import (
    APPLICANT_COLUMNS,
    ORG_COLUMNS,
    RESULT_GROUPS,
    RESULT_ROWS_2019,
    RESULT_ROWS_2021,
)

from .columns import Cell3
from .issues import issue

_SIX = APPLICANT_COLUMNS[:6]
Table = dict[str, dict[str, Cell3]]


def _fmt(x: int | float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _row_sum(cells: dict[str, Cell3], cols) -> int | float | None:
    total = 0
    for c in cols:
        v = cells.get(c)
        if v is None or v.as_zero is None:
            return None
        total += v.as_zero
    return total


Zeros = dict[str, dict[str, int | float | None]]


def _zeros(table: Table) -> Zeros:
    """Every cell as the rules count it (:attr:`Cell3.as_zero`), read once: the
    rules look each cell up several times and ``as_zero`` is a property."""
    return {key: {c: cell.as_zero for c, cell in cells.items()} for key, cells in table.items()}


def _sum(row: dict[str, int | float | None], cols) -> int | float | None:
    """:func:`_row_sum` of a row of :func:`_zeros`."""
    total = 0
    for c in cols:
        v = row.get(c)
        if v is None:
            return None
        total += v
    return total


def _effective(table: Table, zeros: Zeros) -> tuple[Zeros, list[str]]:
    """``zeros`` with not-filled 总计 cells replaced by their row sums (for H1/H2)."""
    out: Zeros = {}
    not_filled = []
    for key, cells in table.items():
        row = zeros[key]
        total = cells.get("total")
        parts = _sum(row, _SIX)
        if total is not None and total.state == "blank" and parts:
            not_filled.append(key)
            row = row | {"total": parts}
        out[key] = row
    return out, not_filled


def check_applications(table: Table, subtotals: Table) -> list[dict]:
    issues: list[dict] = []
    zeros = _zeros(table)
    # H3 per row
    for key, cells in table.items():
        total = cells.get("total")
        parts = _sum(zeros[key], _SIX)
        if total is None or total.state != "value" or parts is None:
            continue
        if total.value != parts:
            issues.append(issue("rule_row_total", f"applications.{key}",
                                f"总计 {_fmt(total.value)} ≠ sum of applicant columns {_fmt(parts)}"))
    eff, not_filled = _effective(table, zeros)
    if not_filled:
        issues.append(issue("total_not_filled", "applications.*.total",
                            f"总计 column blank in {len(not_filled)} rows with non-zero values: "
                            + ", ".join(not_filled)))
    results = RESULT_ROWS_2021 if any(k in eff for k in RESULT_ROWS_2021[-3:]) \
        else RESULT_ROWS_2019
    all_results = all(k in eff for k in results)
    for col in APPLICANT_COLUMNS:
        def get(key: str) -> int | float | None:
            row = eff.get(key)
            return None if row is None else row.get(col)
        a, b, t, f = (get(k) for k in ("new_received", "carried_over", "total",
                                       "carried_forward"))
        if None not in (a, b, t, f) and a + b != t + f:  # type: ignore[operator]
            issues.append(issue(
                "rule_column_balance", f"applications.*.{col}",
                f"一 {a} + 二 {b} ≠ （七） {t} + 四 {f}"))
        if t is not None and all_results:
            parts = [get(k) for k in results]
            if None not in parts:
                s = sum(parts)  # type: ignore[arg-type]
                if s != t:
                    issues.append(issue("rule_result_total", f"applications.total.{col}",
                                        f"（七）总计 {_fmt(t)} ≠ sum of result rows {_fmt(s)}"))
    # H5 subtotal rows and the 法人小计 column
    for group, cells in subtotals.items():
        if all(c.state == "blank" for c in cells.values()):
            continue  # an empty subtotal row: not filled
        members = RESULT_GROUPS.get(group, ())
        for col in APPLICANT_COLUMNS:
            sub = cells.get(col)
            vals = [eff[k].get(col) for k in members if k in eff]
            if sub is None or sub.as_zero is None or not vals or None in vals:
                continue
            s = sum(vals)  # type: ignore[arg-type]
            if sub.state == "blank" and col == "total":
                continue
            if s != sub.as_zero:
                issues.append(issue("rule_subtotal", f"applications.{group}.{col}",
                                    f"subtotal {_fmt(sub.as_zero)} ≠ sum of items {_fmt(s)}"))
    for key, cells in table.items():
        sub = cells.get("_subtotal")
        orgs = _sum(zeros[key], ORG_COLUMNS)
        if sub is not None and sub.as_zero is not None and orgs is not None \
                and sub.as_zero != orgs:
            issues.append(issue("rule_subtotal", f"applications.{key}",
                                f"法人或其他组织小计 {_fmt(sub.as_zero)} ≠ {_fmt(orgs)}"))
    return issues


def check_review(groups: Table) -> list[dict]:
    issues = []
    for group, cells in groups.items():
        total = cells.get("total")
        parts = _row_sum(cells, ("upheld", "corrected", "other", "pending"))
        if total is None or parts is None:
            continue
        if total.state == "blank":
            if parts:
                issues.append(issue("total_not_filled", f"review_litigation.{group}.total",
                                    f"总计 blank, parts sum to {_fmt(parts)}"))
            continue
        if total.as_zero is not None and total.as_zero != parts:
            issues.append(issue("rule_review_total", f"review_litigation.{group}",
                                f"总计 {_fmt(total.as_zero)} ≠ 维持+纠正+其他+尚未审结 {_fmt(parts)}"))
    return issues
