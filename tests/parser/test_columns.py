"""Rows of 表三 with 6 or 8 values where 7 are expected."""

from __future__ import annotations

from crawler.parser.columns import resolve_row
from crawler.parser.numbers import UNKNOWN, VALUE
from crawler.parser.tokens import VALUE as V
from crawler.parser.tokens import Cell


def _cells(*values: str) -> list[Cell]:
    return [Cell(V, v) for v in values]


def _values(cells: dict) -> dict:
    return {k: c.value for k, c in cells.items() if not k.startswith("_")}


def test_seven_values_map_in_order() -> None:
    cells, issues = resolve_row(_cells(*"1 2 0 0 0 0 3".split()), 7, None, "w")
    assert _values(cells)["total"] == 3 and issues == []


def test_dropped_total_column_is_recognised() -> None:
    # no natural/organisation column can be missing (sums would be negative)
    cells, issues = resolve_row(_cells(*"3 1 0 0 0 2".split()), 7, None, "w")
    assert _values(cells) == {"natural_person": 3, "commercial_enterprise": 1,
                              "research_institution": 0, "social_welfare_org": 0,
                              "legal_service_org": 0, "other_org": 2, "total": None}
    assert [i["code"] for i in issues] == ["column_count"]


def test_ambiguous_drop_leaves_only_undecided_cells_null() -> None:
    cells, issues = resolve_row(_cells(*"2 0 0 0 0 2".split()), 7, None, "w")
    values = _values(cells)
    assert values["total"] == 2 and values["research_institution"] == 0
    assert values["natural_person"] is None and values["commercial_enterprise"] is None
    assert cells["natural_person"].state == UNKNOWN
    assert "undecided" in issues[-1]["message"]


def test_all_zero_row_is_decided() -> None:
    cells, issues = resolve_row(_cells(*"0 0 0 0 0 0".split()), 7, None, "w")
    assert set(_values(cells).values()) == {0}
    assert issues[-1]["code"] == "column_count"


def test_eight_values_with_org_subtotal() -> None:
    cells, issues = resolve_row(_cells(*"5 1 2 0 0 0 3 8".split()), 7, None, "w")
    assert _values(cells) == {"natural_person": 5, "commercial_enterprise": 1,
                              "research_institution": 2, "social_welfare_org": 0,
                              "legal_service_org": 0, "other_org": 0, "total": 8}
    assert all(c.state == VALUE for c in cells.values())
    # with a header naming 小计 the column is expected and kept for rule H5
    cells, issues = resolve_row(_cells(*"5 1 2 0 0 0 3 8".split()), 8, 6, "w")
    assert cells["_subtotal"].value == 3 and issues == []


def test_merged_digits_make_the_row_unreadable() -> None:
    cells, issues = resolve_row(_cells("0000000"), 7, None, "w", explicit=False)
    assert all(c.state == UNKNOWN for c in cells.values())
    assert [i["code"] for i in issues] == ["merged_digits", "column_count"]
