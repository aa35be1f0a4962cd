from __future__ import annotations

from crawler.parser import parse_report

TABLE = """<p>附件：2017年度政府信息公开情况统计表</p><table>
<tr><td>统计指标</td><td>单位</td><td>统计数</td></tr>
<tr><td>一、主动公开情况</td><td></td><td></td></tr>
<tr><td>（一）主动公开政府信息数</td><td>条</td><td>1,234</td></tr>
<tr><td>1.政府网站公开政府信息数</td><td>条</td><td>1200</td></tr>
<tr><td>四、行政复议数量</td><td>件</td><td>2</td></tr>
<tr><td>（一）维持具体行政行为数</td><td>件</td><td>—</td></tr>
<tr><td>七、依申请公开信息收取的费用</td><td>万元</td><td>0.35</td></tr>
<tr><td>（三）从事政府信息公开工作人员数</td><td>5</td><td></td></tr>
</table>"""


def test_every_row_is_an_indicator_with_group_unit_value() -> None:
    record = parse_report(TABLE)
    assert (record["template"], record["year"], record["stats"]) == ("pre2019", 2017, {})
    rows = [(x["label"], x["group"], x["unit"], x["value"]) for x in record["legacy_indicators"]]
    assert rows == [  # the heading row 一、主动公开情况 is a group, not an indicator
        ("（一）主动公开政府信息数", "一、主动公开情况", "条", 1234),
        ("1.政府网站公开政府信息数", "一、主动公开情况", "条", 1200),
        ("四、行政复议数量", "四、行政复议数量", "件", 2),
        ("（一）维持具体行政行为数", "四、行政复议数量", "件", None),
        ("七、依申请公开信息收取的费用", "七、依申请公开信息收取的费用", "万元", 0.35),
        ("（三）从事政府信息公开工作人员数", "七、依申请公开信息收取的费用", None, 5),
    ]
    codes = [(i["code"], i["where"]) for i in record["issues"]]
    assert ("legacy_misplaced_value", "legacy:（三）从事政府信息公开工作人员数") in codes


def test_traditional_mirror_with_pinyin() -> None:
    html = TABLE.replace("主动公开情况", "主動公開(kāi)情況").replace("统计指标", "統計指標")
    record = parse_report(html)
    assert record["legacy_indicators"][0]["group"] == "一、主动公开情况"
