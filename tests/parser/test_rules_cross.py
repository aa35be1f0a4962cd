"""S3 and S3b, the rules across reports, on figures built to break them and on real reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.parser.issues import CROSS_REPORT_CODES, SEVERITY
from nianbao_core.stat_keys import APPLICANT_COLUMNS
from crawler.parser.rules_cross import ReportFigures, check_pair

GOLDEN = Path(__file__).parent / "golden"


def figures(year, stats, template="2021", issues=(), source=None):
    return ReportFigures.of(source or f"http://h/{year}.html", year, template, stats, issues)


def carry(row, values):
    return {f"applications.{row}.{col}": v for col, v in zip(APPLICANT_COLUMNS, values)}


def in_force(issued, repealed, now, row="normative_documents"):
    return {f"active.{row}.issued": issued, f"active.{row}.repealed": repealed,
            f"active.{row}.in_force": now}


def test_codes_are_registered():
    assert CROSS_REPORT_CODES <= set(SEVERITY)


def test_s3_fires_per_column_and_names_both_reports():
    earlier = figures(2022, carry("carried_forward", [2, 0, 0, 0, 0, 1, 3]))
    later = figures(2023, carry("carried_over", [3, 0, 0, 0, 0, 1, 4]))
    issues = check_pair(later, earlier)
    assert [(i["code"], i["where"]) for i in issues] == [
        ("cross_carried_over", "applications.carried_over.natural_person"),
        ("cross_carried_over", "applications.carried_over.total")]
    assert issues[0]["earlier_report"] == "http://h/2022.html"
    assert issues[0]["earlier_year"] == 2022
    assert (issues[0]["expected"], issues[0]["found"]) == (2, 3)
    assert "http://h/2022.html" in issues[0]["message"]


def test_s3_agreeing_years_and_non_adjacent_years_give_nothing():
    earlier = figures(2022, carry("carried_forward", [2, 0, 0, 0, 0, 1, 3]))
    assert check_pair(figures(2023, carry("carried_over", [2, 0, 0, 0, 0, 1, 3])), earlier) == []
    assert check_pair(figures(2024, carry("carried_over", [9] * 7)), earlier) == []


def test_blank_counts_as_zero_but_an_unread_cell_is_never_compared():
    earlier = figures(2022, carry("carried_forward", [None] * 7))
    later = figures(2023, carry("carried_over", [1, 0, 0, 0, 0, 0, 1]))
    assert len(check_pair(later, earlier)) == 2  # blank = 0 ≠ 1
    unread = figures(2022, carry("carried_forward", [None] * 7), issues=[
        {"code": "merged_digits", "where": "applications.carried_forward"}])
    assert check_pair(later, unread) == []


def test_s3b_in_force_follows_from_last_year():
    earlier = figures(2022, in_force(1, 0, 10))
    assert check_pair(figures(2023, in_force(3, 1, 12)), earlier) == []
    issues = check_pair(figures(2023, in_force(3, 1, 13)), earlier)
    assert [(i["code"], i["where"], i["expected"], i["found"]) for i in issues] == [
        ("cross_in_force", "active.normative_documents.in_force", 12, 13)]
    # the 2019 form has no 现行有效件数: nothing to compare
    assert check_pair(figures(2023, in_force(3, 1, 13)), figures(2022, {}, "2019")) == []


def golden_record(name):
    return json.loads((GOLDEN / "expected" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["huaian-2024-municipal-govt", "004_ff89c14eeb936450",
                                  "000_8ea8eed0dcff065f", "shanghai-2019-municipal-office.content"])
def test_real_reports_where_the_figures_agree_give_nothing(name):
    """A real report against a year before that hands on exactly what it carried over."""
    record = golden_record(name)
    later = figures(record["year"], record["stats"], record["template"], record["issues"])
    handed_on = {key.replace(".carried_over.", ".carried_forward."): value
                 for key, value in record["stats"].items() if ".carried_over." in key}
    for row, _ in (("regulations", 0), ("normative_documents", 0)):
        now = record["stats"].get(f"active.{row}.in_force")
        if now is not None:
            handed_on[f"active.{row}.in_force"] = (
                now - (record["stats"].get(f"active.{row}.issued") or 0)
                + (record["stats"].get(f"active.{row}.repealed") or 0))
    earlier = figures(record["year"] - 1, handed_on, record["template"])
    assert check_pair(later, earlier) == []
    # …and the same pair with one application more carried over does fire
    broken = dict(record["stats"])
    broken["applications.carried_over.total"] = (broken["applications.carried_over.total"] or 0) + 1
    codes = [i["code"] for i in check_pair(
        figures(record["year"], broken, record["template"], record["issues"]), earlier)]
    assert codes == ["cross_carried_over"]


def test_real_seed_with_unreadable_carried_forward_is_not_compared():
    """Seed 004 prints 四、结转下年度 as '0000000': no number, so no S3 against it."""
    record = golden_record("004_ff89c14eeb936450")
    earlier = figures(record["year"], record["stats"], record["template"], record["issues"])
    later = figures(record["year"] + 1, carry("carried_over", [5, 0, 0, 0, 0, 0, 5]))
    assert check_pair(later, earlier) == []

