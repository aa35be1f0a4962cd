"""Pre-2019 统计表 logical rules P1–P7 (crawler/parser/rules_legacy.py)."""

from __future__ import annotations

from crawler.parser import parse_report

H = None  # a heading row: no unit, no number

#: a consistent 2017 统计表 (national 2016 version): (label, unit, value)
ROWS: list[tuple[str, str, object]] = [
    ("一、主动公开情况", "", H),
    ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", 120),
    ("其中：主动公开规范性文件数", "条", 3),
    ("制发规范性文件总数", "件", 4),
    ("（二）通过不同渠道和方式公开政府信息的情况", "", H),
    ("1.政府公报公开政府信息数", "条", 0),
    ("2.政府网站公开政府信息数", "条", 120),
    ("二、回应解读情况", "", H),
    ("（一）回应公众关注热点或重大舆情数", "次", 2),
    ("（二）通过不同渠道和方式回应解读的情况", "", H),
    ("1.参加或举办新闻发布会总次数", "次", 2),
    ("其中：主要负责同志参加新闻发布会次数", "次", 1),
    ("2.政府网站在线访谈次数", "次", 1),
    ("其中：主要负责同志参加政府网站在线访谈次数", "次", 1),
    ("三、依申请公开情况", "", H),
    ("（一）收到申请数", "件", 10),
    ("1.当面申请数", "件", 3),
    ("2.传真申请数", "件", ""),  # blank counts as 0
    ("3.网络申请数", "件", 6),
    ("4.信函申请数", "件", 1),
    ("（二）申请办结数", "件", 10),
    ("1.按时办结数", "件", 9),
    ("2.延期办结数", "件", 1),
    ("（三）申请答复数", "件", 10),
    ("1.属于已主动公开范围数", "件", 2),
    ("2.同意公开答复数", "件", 4),
    ("3.同意部分公开答复数", "件", 1),
    ("4.不同意公开答复数", "件", 2),
    ("其中：涉及国家秘密", "件", 0),
    ("涉及商业秘密", "件", 1),
    ("涉及个人隐私", "件", 1),
    ("危及国家安全、公共安全、经济安全和社会稳定", "件", 0),
    ("不是《条例》所指政府信息", "件", 0),
    ("法律法规规定的其他情形", "件", 0),
    ("5.不属于本行政机关公开数", "件", 1),
    ("6.申请信息不存在数", "件", 0),
    ("7.告知作出更改补充数", "件", 0),
    ("8.告知通过其他途径办理数", "件", 0),
    ("四、行政复议数量", "件", 2),
    ("（一）维持具体行政行为数", "件", 1),
    ("（二）被依法纠错数", "件", 1),
    ("（三）其他情形数", "件", 0),
    ("五、行政诉讼数量", "件", 1),
    ("（一）维持具体行政行为或者驳回原告诉讼请求数", "件", 1),
    ("（二）被依法纠错数", "件", 0),
    ("（三）其他情形数", "件", 0),
    ("六、被举报投诉数量", "件", ""),
    ("（一）维持具体行政行为数", "件", ""),
    ("（二）被纠错数", "件", ""),
    ("（三）其他情形数", "件", ""),
    ("七、依申请公开信息收取的费用", "万元", 0),
    ("八、机构建设和保障经费情况", "", H),
    ("（一）政府信息公开工作专门机构数", "个", 1),
    ("（二）设置政府信息公开查阅点数", "个", 1),
    ("（三）从事政府信息公开工作人员数", "人", 3),
    ("1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", 1),
    ("2.兼职人员数", "人", 2),
    ("（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）", "万元", 0.5),
]


def _html(rows, columns: int = 1) -> str:
    head = "".join(f"<td>{h}</td>" for h in ["统计指标", "单位"] + ["统计数"] * columns)
    body = []
    for label, unit, value in rows:
        values = value if isinstance(value, tuple) else (value,) * columns if value is H \
            else (value,) + ("",) * (columns - 1)
        cells = [label, unit or ""] + ["" if v is H else str(v) for v in values]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ("<p>某某局2017年政府信息公开工作年度报告</p><p>附件：2017年度政府信息公开情况统计表</p>"
            f"<table><tr>{head}</tr>{''.join(body)}</table>")


def _set(rows, label: str, value) -> list:
    out, hit = [], 0
    for row in rows:
        if row[0] == label:
            row, hit = (row[0], row[1], value), hit + 1
        out.append(row)
    assert hit == 1, label
    return out


def _drop(rows, label: str) -> list:
    out = [r for r in rows if r[0] != label]
    assert len(out) == len(rows) - 1
    return out


def _issues(rows, columns: int = 1) -> list[tuple[str, str, str]]:
    record = parse_report(_html(rows, columns))
    assert record["template"] == "pre2019"
    return [(i["code"], i["severity"], i["where"]) for i in record["issues"]]


def test_consistent_table_has_no_issue() -> None:
    assert _issues(ROWS) == []


def test_p1_received_is_the_sum_of_the_channels() -> None:
    rows = _set(ROWS, "（一）收到申请数", 11)
    assert _issues(rows) == [("rule_legacy_received", "error", "legacy:（一）收到申请数")]
    message = parse_report(_html(rows))["issues"][0]["message"]
    assert "11" in message and "10" in message


def test_p1_counts_a_local_extra_channel() -> None:
    i = ROWS.index(("4.信函申请数", "件", 1))
    rows = _set(ROWS[:i + 1] + [("5.其他形式", "件", 1)] + ROWS[i + 1:], "（一）收到申请数", 11)
    assert _issues(rows) == []


def test_p1_missing_or_unreadable_part_is_unverifiable_not_failed() -> None:
    rows = _set(_drop(ROWS, "2.传真申请数"), "（一）收到申请数", 11)
    assert _issues(rows) == []
    rows = _set(_set(ROWS, "3.网络申请数", "6 1"), "（一）收到申请数", 11)
    assert [c for c, _, _ in _issues(rows)] == ["multiple_numbers"]


def test_p2_completed() -> None:
    rows = _set(ROWS, "2.延期办结数", 2)
    assert _issues(rows) == [("rule_legacy_completed", "error", "legacy:（二）申请办结数")]


def test_p3_answered_counts_numbered_items_not_the_qizhong_rows() -> None:
    rows = _set(ROWS, "6.申请信息不存在数", 1)
    assert _issues(rows) == [("rule_legacy_answered", "error", "legacy:（三）申请答复数")]
    # raising a 其中 row of 4. does not touch P3 (but breaks P4)
    rows = _set(ROWS, "涉及个人隐私", 2)
    assert ("rule_legacy_answered", "error", "legacy:（三）申请答复数") not in _issues(rows)


def test_p4_excess_is_an_error_shortfall_is_info() -> None:
    rows = _set(ROWS, "涉及个人隐私", 2)
    assert _issues(rows) == [("rule_legacy_refused", "error", "legacy:4.不同意公开答复数")]
    rows = _set(ROWS, "涉及个人隐私", "")
    assert _issues(rows) == [("legacy_refused_partial", "info", "legacy:4.不同意公开答复数")]


def test_p5_outcomes() -> None:
    i = ROWS.index(("五、行政诉讼数量", "件", 1))
    rows = ROWS[:i + 1] + [("（一）维持具体行政行为或者驳回原告诉讼请求数", "件", 2)] + ROWS[i + 2:]
    assert _issues(rows) == [("rule_legacy_outcomes", "error", "legacy:五、行政诉讼数量")]
    # a local variant inserts a block: 行政复议 becomes 六、, still checked by its label
    j = ROWS.index(("四、行政复议数量", "件", 2))
    extra = [("四、主动公开机构领导信息", "", H), ("（一）公开领导信息数", "条", 5),
             ("五、行政执法信息公开", "", H), ("（一）公开行政执法信息数", "条", 3)]
    rows = ROWS[:j] + extra + [("六、行政复议数量", "件", 3)] + ROWS[j + 1:]
    assert _issues(rows) == [("rule_legacy_outcomes", "error", "legacy:六、行政复议数量")]


def test_p6_staff() -> None:
    rows = _set(ROWS, "2.兼职人员数", 3)
    assert _issues(rows) == [("rule_legacy_staff", "error", "legacy:（三）从事政府信息公开工作人员数")]


def test_p7_qizhong_not_above_its_parent() -> None:
    rows = _set(ROWS, "其中：主要负责同志参加政府网站在线访谈次数", 2)
    assert _issues(rows) == [("rule_legacy_subitem", "error",
                              "legacy:其中：主要负责同志参加政府网站在线访谈次数")]
    rows = _set(ROWS, "其中：主动公开规范性文件数", 121)
    assert _issues(rows) == [("rule_legacy_subitem", "error", "legacy:其中：主动公开规范性文件数")]
    # 制发规范性文件总数 continues the 其中 line but is not a part of 主动公开政府信息数
    rows = _set(ROWS, "制发规范性文件总数", 500)
    assert _issues(rows) == []


def test_blank_total_with_items_is_not_filled() -> None:
    rows = _set(ROWS, "（三）从事政府信息公开工作人员数", "")
    assert _issues(rows) == [("legacy_total_not_filled", "info",
                              "legacy:（三）从事政府信息公开工作人员数")]
    rows = _set(ROWS, "1.参加或举办新闻发布会总次数", "")
    assert _issues(rows) == [("legacy_total_not_filled", "info", "legacy:1.参加或举办新闻发布会总次数")]


def test_split_columns_are_checked_column_by_column() -> None:
    rows = [(label, unit, value if value is H or value == "" else (value, 0, value))
            for label, unit, value in ROWS]
    assert _issues(rows, 3) == []
    rows = _set(rows, "2.兼职人员数", (2, 1, 2))
    record = parse_report(_html(rows, 3))
    [found] = [i for i in record["issues"] if i["code"] == "rule_legacy_staff"]
    assert found["where"] == "legacy:（三）从事政府信息公开工作人员数"
    assert "column 2" in found["message"]


def test_dingxi_style_report_with_code_column_and_unnumbered_parents() -> None:
    """定西 统计报表: 指标名称 | 计量单位 | 代码 | 本期实际 | 本年累计; the 代码 is no value."""
    rows = [("主动公开信息数", "条", "01", "120", "300"),
            ("其中：全文电子化的主动公开信息数", "条", "02", "100", "280"),
            ("对申请的答复总数", "条", "17", "5", "9"),
            ("其中：1.同意公开答复数", "条", "18", "3", "9"),
            ("2.同意部分公开答复数", "条", "19", "0", "0"),
            ("3.否决公开答复总数", "条", "20", "2", "2"),
            ("其中：（1）“非《规定》所指政府信息”数", "条", "21", "1", "1"),
            ("（2）“信息不存在”数", "条", "22", "1", "1")]

    def issues(rows):
        html = ("<p>定西市政府信息公开情况统计报表</p><table><tr><td>指标名称</td><td>计量单位</td>"
                "<td>代码</td><td>本期实际</td><td>本年累计</td></tr>"
                + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
                + "</table>")
        return [(i["code"], i["where"], i["message"]) for i in parse_report(html)["issues"]
                if i["code"].startswith(("rule_", "legacy_"))]

    assert issues(rows) == []  # codes 21 > 20 are not values
    rows[1] = ("其中：全文电子化的主动公开信息数", "条", "02", "100", "301")
    [(code, where, message)] = issues(rows)
    assert (code, where) == ("rule_legacy_subitem", "legacy:其中：全文电子化的主动公开信息数")
    assert "column 2" in message


def test_numbered_qizhong_list_is_not_mistaken_for_siblings() -> None:
    """其中：1.涉及国家秘密 2.涉及商业秘密 …: the 2. continues the 其中 list, not the answers."""
    rows = [(label, unit, value) for label, unit, value in ROWS]
    i = rows.index(("其中：涉及国家秘密", "件", 0))
    names = ["其中：1.涉及国家秘密", "2.涉及商业秘密", "3.涉及个人隐私",
             "4.危及国家安全、公共安全、经济安全和社会稳定", "5.不是《条例》所指政府信息",
             "6.法律法规规定的其他情形"]
    for k, name in enumerate(names):
        rows[i + k] = (name, "件", rows[i + k][2])
    assert _issues(rows) == []
    rows = _set(rows, "3.涉及个人隐私", 3)
    assert _issues(rows) == [("rule_legacy_refused", "error", "legacy:4.不同意公开答复数")]


def test_short_numbered_qizhong_list_followed_by_the_next_answer_is_unverifiable() -> None:
    """其中：1.… 4. under "4.不同意公开答复数", then "5.": item 5 of the 其中 list or answer 5?"""
    i = ROWS.index(("其中：涉及国家秘密", "件", 0))
    short = [("其中：1.涉及国家秘密", "件", 0), ("2.涉及商业秘密", "件", 1), ("3.涉及个人隐私", "件", 1),
             ("4.其他情形", "件", 0)]
    rows = ROWS[:i] + short + ROWS[i + 6:]
    assert _issues(rows) == []
    rows = _set(rows, "（三）申请答复数", 11)  # now wrong, but the structure is undecidable
    assert _issues(rows) == []
    rows = _set(rows, "2.延期办结数", 2)  # rules elsewhere still run
    assert _issues(rows) == [("rule_legacy_completed", "error", "legacy:（二）申请办结数")]
