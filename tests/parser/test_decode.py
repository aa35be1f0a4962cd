from __future__ import annotations

import codecs

from crawler.parser import parse_report
from crawler.parser.decode import codec_for, decode

TEXT = "<html><head>{meta}</head><body><p>临海市2022年政府信息公开工作年度报告</p></body></html>"


def test_gb2312_label_decodes_as_gb18030() -> None:
    assert codec_for("GB2312") == codec_for("gbk") == "gb18030"
    raw = TEXT.format(meta='<meta charset="gb2312">').replace("临海", "临海镕").encode("gb18030")
    text, codec, clean = decode(raw)
    assert (codec, clean) == ("gb18030", True) and "镕" in text


def test_priority_bom_header_meta() -> None:
    html = TEXT.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=gbk">')
    assert decode(codecs.BOM_UTF8 + html.encode("utf-8"), "text/html; charset=gbk")[1] == "utf-8"
    assert decode(html.encode("gbk"), "text/html; charset=GBK")[1] == "gb18030"
    assert decode(html.encode("gbk"))[1] == "gb18030"  # from the meta tag
    # a wrong header falls back to what decodes
    assert decode(html.encode("utf-8"), "text/html; charset=ascii")[1] == "utf-8"


def test_undeclared_gbk_is_detected() -> None:
    raw = TEXT.format(meta="").encode("gbk")
    assert decode(raw)[:2] == (TEXT.format(meta=""), "gb18030")


def test_parse_report_title_from_gbk_page() -> None:
    raw = TEXT.format(meta="").encode("gbk")
    record = parse_report(raw, content_type="text/html")
    assert record["title"] == "临海市2022年政府信息公开工作年度报告"
    assert record["agency"] == "临海市"
