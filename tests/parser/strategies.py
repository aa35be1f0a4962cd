"""Hypothesis strategies: random tables that satisfy every 勾稽关系 rule."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from nianbao_core.stat_keys import (
    ACTIVE_KEYS_2019,
    ACTIVE_KEYS_2021,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    MONEY_KEYS,
    RESULT_ROWS_2019,
    RESULT_ROWS_2021,
    REVIEW_LITIGATION_GROUPS,
    SIGNED_KEYS,
)

_SIX = APPLICANT_COLUMNS[:6]


@st.composite
def valid_stats(draw, template: str, blanks: bool = True) -> dict:
    """Stats of one report of ``template`` ("2019"/"2021"), consistent by construction.

    With ``blanks`` some cells are blank (``None``, counted as 0 by the rules).
    """
    small = st.integers(0, 40)
    maybe = (st.one_of(st.none(), small) if blanks else small)
    stats: dict = {}
    for key in (ACTIVE_KEYS_2019 if template == "2019" else ACTIVE_KEYS_2021):
        if key in MONEY_KEYS:
            tenths = draw(st.integers(0, 10**6))
            value = Decimal(tenths) / 10
            stats[key] = int(value) if value == value.to_integral_value() else float(value)
        elif key in SIGNED_KEYS:
            stats[key] = draw(st.integers(-50, 50))
        else:
            stats[key] = draw(st.one_of(st.none(), st.integers(0, 5000)) if blanks
                              else st.integers(0, 5000))
    for item in ("regulations", "normative_documents"):  # S2: 新公开 ≤ 对外公开总数量
        new, total = (f"active.{item}.{c}" for c in ("new_published", "total_published"))
        if new in stats and None not in (stats[new], stats[total]) and stats[new] > stats[total]:
            stats[new], stats[total] = stats[total], stats[new]
    rows = APPLICATION_ROWS_2019 if template == "2019" else APPLICATION_ROWS_2021
    results = RESULT_ROWS_2019 if template == "2019" else RESULT_ROWS_2021
    table = {r: {} for r in rows}
    for col in _SIX:
        for r in results:
            table[r][col] = draw(maybe)
        total = sum(table[r][col] or 0 for r in results)
        table["total"][col] = total
        forward = draw(small)
        over = draw(st.integers(0, total + forward))
        table["carried_over"][col] = over
        table["carried_forward"][col] = forward
        table["new_received"][col] = total + forward - over
    for r in rows:
        table[r]["total"] = sum(table[r][c] or 0 for c in _SIX)
        for c in APPLICANT_COLUMNS:
            stats[f"applications.{r}.{c}"] = table[r][c]
    for g, _ in REVIEW_LITIGATION_GROUPS:
        parts = [draw(maybe) for _ in range(4)]
        for o, v in zip(("upheld", "corrected", "other", "pending"), parts):
            stats[f"review_litigation.{g}.{o}"] = v
        stats[f"review_litigation.{g}.total"] = sum(v or 0 for v in parts)
    return stats
