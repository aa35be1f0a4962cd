"""勾稽关系 checks and their issue codes."""

from __future__ import annotations

from crawler.parser import parse_report
from nianbao_core.stat_keys import stat_keys
from tests.parser.render import render_html


def _zero(template: str = "2021") -> dict:
    return {k: 0 for k in stat_keys(template)}


def _codes(stats: dict, template: str = "2021") -> list[tuple[str, str]]:
    record = parse_report(render_html(stats, template))
    return [(i["code"], i["where"]) for i in record["issues"]]


def test_consistent_table_has_no_issue() -> None:
    assert _codes(_zero()) == []


def test_h3_row_total() -> None:
    stats = _zero() | {"applications.granted.natural_person": 1, "applications.total.natural_person": 1,
                       "applications.new_received.natural_person": 1,
                       "applications.new_received.total": 1, "applications.total.total": 1}
    # granted.total stays 0, so the 总计 column also fails H2
    assert _codes(stats) == [("rule_row_total", "applications.granted"),
                             ("rule_result_total", "applications.total.total")]


def test_blank_total_column_is_not_filled_not_an_error() -> None:
    stats = _zero() | {"applications.granted.natural_person": 1, "applications.granted.total": None,
                       "applications.total.natural_person": 1, "applications.total.total": 1,
                       "applications.new_received.natural_person": 1,
                       "applications.new_received.total": 1}
    codes = _codes(stats)
    assert codes == [("total_not_filled", "applications.*.total")]


def test_h1_and_h2() -> None:
    stats = _zero() | {"applications.carried_forward.other_org": 2,
                       "applications.carried_forward.total": 2}
    assert ("rule_column_balance", "applications.*.other_org") in _codes(stats)
    stats = _zero() | {"applications.total.other_org": 2, "applications.total.total": 2,
                       "applications.new_received.other_org": 2,
                       "applications.new_received.total": 2}
    codes = _codes(stats)
    assert ("rule_result_total", "applications.total.other_org") in codes
    assert ("rule_column_balance", "applications.*.other_org") not in codes


def test_h2_counts_the_three_other_rows_of_2021() -> None:
    stats = _zero() | {f"applications.{r}.natural_person": 1 for r in
                       ("other.no_correction", "other.no_fee", "other.other")}
    stats |= {f"applications.{r}.total": 1 for r in ("other.no_correction", "other.no_fee",
                                                      "other.other")}
    stats |= {"applications.total.natural_person": 3, "applications.total.total": 3,
              "applications.new_received.natural_person": 3, "applications.new_received.total": 3}
    assert _codes(stats) == []


def test_h4_review_groups() -> None:
    stats = _zero("2019") | {"review_litigation.litigation_direct.upheld": 2,
                             "review_litigation.litigation_direct.total": 3}
    assert _codes(stats, "2019") == [("rule_review_total", "review_litigation.litigation_direct")]


def test_h5_subtotal_row_recognised_and_checked() -> None:
    html = render_html(_zero("2019") | {"applications.withheld.state_secret.natural_person": 1,
                                        "applications.withheld.state_secret.total": 1,
                                        "applications.total.natural_person": 1,
                                        "applications.total.total": 1,
                                        "applications.new_received.natural_person": 1,
                                        "applications.new_received.total": 1}, "2019")
    sub = ("<tr><td colspan='2'>（三）不予公开小计</td>" + "<td>2</td>" + "<td>0</td>" * 5
           + "<td>2</td></tr>")
    html = html.replace("<tr><td rowspan=\"8\">", sub + "<tr><td rowspan=\"8\">", 1)
    record = parse_report(html)
    codes = [(i["code"], i["where"]) for i in record["issues"]]
    assert ("rule_subtotal", "applications.withheld.natural_person") in codes
    # the subtotal row is not shifted into the next row
    assert record["stats"]["applications.withheld.state_secret.natural_person"] == 1
