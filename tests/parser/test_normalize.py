from __future__ import annotations

from crawler.parser.normalize import (
    canonical_label,
    clean_text,
    collapse_ws,
    match_form,
    squeeze,
    strip_pinyin,
    to_simplified,
)


def test_traditional_and_pinyin() -> None:
    assert to_simplified("總計(jì)") == "总计"
    assert to_simplified("東鄉(xiāng)區(qū)工業(yè)和信息化局") == "东乡区工业和信息化局"
    assert strip_pinyin("首頁(yè)") == "首頁"
    # brackets that are not pinyin stay
    assert strip_pinyin("第二十条第(一)项 网站(APP)") == "第二十条第(一)项 网站(APP)"


def test_simplified_text_is_unchanged() -> None:
    text = "临海市经济和信息化局2022年政府信息公开工作年度报告"
    assert to_simplified(text) == text


def test_whitespace() -> None:
    assert squeeze("商 业 企 业") == "商业企业"
    assert squeeze("2024 年 1 月") == "2024年1月"
    assert squeeze("3001 53") == "3001 53"
    assert collapse_ws("规章 1\u3000 0  11") == "规章 1 0 11"
    assert clean_text("一、 总体情况\n  第二段 ") == "一、总体情况\n第二段"
    assert clean_text("   ") is None


def test_label_forms() -> None:
    assert match_form("（七）总 计") == match_form("(七)总计") == "(七)总计"
    assert canonical_label("(一)主动公开 (计1条)") == "（一）主动公开（计1条）"
