"""表二: labels with fill-in notes, money units, formats from column headers."""

from __future__ import annotations

from crawler.parser import parse_report

# a real 2019-format page re-published in 繁體 by a mirror (文件 rewritten as 檔案),
# row labels carrying long notes that name other rows
WUHAN = """二、主動公開政府信息情況
第二十條第(一)項 | |||||
信息內容 | 本年新 製作數量 | 本年新 公開數量 | 對外公開總數量 | ||
規章(設區的市、自治州人民政府應提供相關數據) | 0 | 0 | 0 | ||
規範性檔案(行政機關制定發布的決定、公告、通告、意見、通知,一般情況下屬於規範性檔案) | 2 | 2 | 19 | ||
其他主動公開檔案(含以本單位名義正式簽發的、除規範性檔案以外的主動公開檔案) | 186 | 86 | 255 | ||
第二十條第(五)項 | |||||
信息內容 | 上一年項目數量(指2019年事項數) | 本年增/減(減用負值表示,如-8) | 處理決定數量(指2020年辦件量) | ||
行政許可 | 8 | 5 | 93 | ||
其他對外管理服務事項(含行政確認、行政處罰、行政強制、行政檢查和其他類) | 117 | -3 | 165 | ||
第二十條第(六)項 | |||||
信息內容 | 上一年項目數量 | 本年增/減 | 處理決定數量 | ||
行政處罰 | 90 | 0 | 22 | ||
行政強制 | 4 | +4 | - | ||
第二十條第(九)項 | |||||
信息內容 | 採購項目數量 | 採購總金額(元) | ||
政府集中採購 | 3 | 4773500 | ||
"""


def test_notes_naming_other_rows_do_not_move_values() -> None:
    record = parse_report(WUHAN, filename="wuhan.txt")
    stats = record["stats"]
    assert record["template"] == "2019"
    assert [stats[f"active.normative_documents.{c}"] for c in
            ("new_made", "new_published", "total_published")] == [2, 2, 19]
    assert [stats[f"active.other_services.{c}"] for c in
            ("previous_year", "change", "decisions")] == [117, -3, 165]
    assert [stats[f"active.coercion.{c}"] for c in
            ("previous_year", "change", "decisions")] == [4, 4, None]
    assert stats["active.procurement.amount"] == 477.35  # 元 in the header → 万元
    codes = [(i["code"], i["where"]) for i in record["issues"]]
    assert ("unknown_row_label", "active") in codes  # 其他主动公开档案 is kept apart


def test_2021_columns_single_value_subtables() -> None:
    text = ("二、主动公开政府信息情况\n第二十条 第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n"
            "规章 1 0 11\n行政规范性文件 8 26 66\n第二十条 第（五）项\n信息内容 本年处理决定数量\n"
            "行政许可 447228\n第二十条 第（八）项\n信息内容 本年收费金额（单位：万元）\n行政事业性收费 96171.6\n")
    record = parse_report(text, filename="a.txt")
    assert record["template"] == "2021"
    assert record["stats"] == {
        "active.regulations.issued": 1, "active.regulations.repealed": 0,
        "active.regulations.in_force": 11, "active.normative_documents.issued": 8,
        "active.normative_documents.repealed": 26, "active.normative_documents.in_force": 66,
        "active.licensing.decisions": 447228, "active.fees.amount": 96171.6}
