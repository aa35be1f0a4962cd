from __future__ import annotations

import lxml.html

from crawler.parser import parse_report
from crawler.parser.html_tables import grid_rows
from crawler.parser.tokens import BLANK, LABEL, SPANNED, VALUE

HEAD = ("<p>四、政府信息公开行政复议、行政诉讼情况</p><table>"
        "<tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr>"
        "<tr><td rowspan='2'>结果维持</td><td rowspan='2'>结果纠正</td><td rowspan='2'>其他结果</td>"
        "<td rowspan='2'>尚未审结</td><td rowspan='2'>总计</td><td colspan='5'>未经复议直接起诉</td>"
        "<td colspan='5'>复议后起诉</td></tr><tr>" + "<td>结果维持</td><td>结果纠正</td>"
        "<td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2 + "</tr>")


def _kinds(html: str) -> list[list[str]]:
    table = lxml.html.fromstring(html)
    return [[c.kind for c in row] for row in grid_rows(table)]


def test_colspan_counts_once_and_rowspan_labels_drop() -> None:
    rows = _kinds("<table><tr><td rowspan='2'>（三）不予公开</td><td>1.国家秘密</td>"
                  "<td colspan='2'>1</td><td>&nbsp;</td></tr><tr><td>2.禁止公开</td>"
                  "<td>2</td><td>3</td><td>4</td></tr></table>")
    assert rows == [[LABEL, LABEL, VALUE, BLANK], [LABEL, VALUE, VALUE, VALUE]]


def test_value_merged_down_is_kept_as_unknown_placeholder() -> None:
    rows = _kinds("<table><tr><td>a</td><td rowspan='2'>5</td><td>1</td></tr>"
                  "<tr><td>b</td><td>2</td></tr></table>")
    assert rows[1] == [LABEL, SPANNED, VALUE]


def test_p_and_br_inside_cells() -> None:
    table = lxml.html.fromstring("<table><tr><td><p>本年新<br/>制作数量</p></td>"
                                 "<td><p>1</p><p>2</p></td></tr></table>")
    cells = grid_rows(table)[0]
    assert cells[0].text == "本年新制作数量"
    assert cells[1].text == "1 2"  # read as two numbers, never as 12


def test_review_table_values_in_order_with_blanks() -> None:
    html = HEAD + "<tr>" + "".join(f"<td>{v}</td>" for v in
                                   ["5", "", "", "2", "7", "8", "", "", "1", "9"] + [""] * 5) + "</tr></table>"
    stats = parse_report(html)["stats"]
    assert stats["review_litigation.review.total"] == 7
    assert stats["review_litigation.review.corrected"] is None
    assert stats["review_litigation.litigation_direct.pending"] == 1
    assert stats["review_litigation.litigation_after_review.total"] is None


def test_review_table_split_in_three() -> None:
    parts = []
    for label, vals in (("行政复议", "1 0 0 0 1"), ("未经复议直接起诉", "0 2 0 0 2"),
                        ("复议后起诉", "0 0 3 0 3")):
        cells = "".join(f"<td>{v}</td>" for v in vals.split())
        parts.append(f"<table><tr><td colspan='5'>{label}</td></tr><tr><td>结果维持</td>"
                     f"<td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>"
                     f"<tr>{cells}</tr></table>")
    record = parse_report("<p>四、政府信息公开行政复议、行政诉讼情况</p>" + "".join(parts))
    stats = record["stats"]
    assert stats["review_litigation.review.upheld"] == 1
    assert stats["review_litigation.litigation_direct.corrected"] == 2
    assert stats["review_litigation.litigation_after_review.other"] == 3
    assert not [i for i in record["issues"] if i["code"].startswith("rule")]


def test_review_rule_and_short_row_flagged() -> None:
    bad = HEAD + "<tr>" + "".join(f"<td>{v}</td>" for v in "1 1 0 0 5".split() + ["0"] * 10) + "</tr></table>"
    codes = {i["code"] for i in parse_report(bad)["issues"]}
    assert "rule_review_total" in codes
    short = HEAD + "<tr>" + "<td>0</td>" * 14 + "</tr></table>"
    record = parse_report(short)
    assert "column_count" in {i["code"] for i in record["issues"]}
    assert not any(k.startswith("review") for k in record["stats"])


def test_layout_tables_are_walked_not_gridded() -> None:
    html = ("<table><tr><td><p>一、总体情况</p><p>概述内容。</p>"
            "<table><tr><td>规章</td><td>1</td></tr></table></td></tr></table>")
    record = parse_report(html)
    assert record["sections"]["overview"].startswith("概述内容。")
    assert record["stats"] == {}
