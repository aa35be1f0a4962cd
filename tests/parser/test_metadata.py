from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parser import parse_report
from crawler.parser.metadata import agency_of, find_year, labelled_fields, normalize_date

LINHAI = """<html><head><meta charset="utf-8"><title>临海市经济和信息化局2022年政府信息公开工作年度报告_临海市人民政府</title>
<meta name="SiteName" content="临海市人民政府"><meta name="SiteDomain" content="www.linhai.gov.cn">
<meta name="SiteIDCode" content="3310820001"><meta name="ColumnName" content="信息公开年报">
<meta name="ArticleTitle" content="临海市经济和信息化局2022年政府信息公开工作年度报告">
<meta name="PubDate" content="2023-01-04 15:28"><meta name="ContentSource" content="市经信局(市中小企业局)">
</head><body><div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 信息公开年报</div>
<div class="article-title">临海市经济和信息化局2022年政府信息公开工作年度报告</div>
<ul class="article-info"><li>日期: 2023-01-04 15:28</li><li>来源: 市经信局(市中小企业局)</li>
<li>浏览次数: <span id="views"></span></li></ul><div id="zoom"><p>一、总体情况</p><p>内容。</p></div>
</body></html>"""


def test_hanweb_page_metadata_title_agency() -> None:
    record = parse_report(LINHAI.encode(), url="https://www.linhai.gov.cn/art/2023/1/4/art_1229709042_67998.html",
                          content_type="text/html; charset=UTF-8")
    assert record["source"].endswith("art_1229709042_67998.html")
    assert record["title"] == "临海市经济和信息化局2022年政府信息公开工作年度报告"
    assert record["agency"] == "临海市经济和信息化局"
    assert record["year"] == 2022
    meta = record["metadata"]
    assert meta["published_date"] == "2023-01-04"
    assert meta["publisher"] == "市经信局(市中小企业局)"
    assert (meta["site_name"], meta["column_name"]) == ("临海市人民政府", "信息公开年报")


def test_meta_tags_are_the_fallback_of_the_visible_block() -> None:
    html = LINHAI.replace("<li>日期: 2023-01-04 15:28</li><li>来源: 市经信局(市中小企业局)</li>", "")
    meta = parse_report(html)["metadata"]
    assert (meta["published_date"], meta["publisher"]) == ("2023-01-04", "市经信局(市中小企业局)")
    html = LINHAI.replace('<meta name="ArticleTitle" content="临海市经济和信息化局2022年政府信息公开工作年度报告">', "")
    assert parse_report(html)["title"] == "临海市经济和信息化局2022年政府信息公开工作年度报告"


@pytest.mark.parametrize("lines, expected", [
    (["索 引 号: | hedongquhd0207/2019-0000270 | 公开目录: | 部门年报 |",
      "成文日期: | 2019-01-16 | 发布日期: | 2019-01-16 |"],
     {"index_no": "hedongquhd0207/2019-0000270", "subject": "部门年报",
      "written_date": "2019-01-16", "published_date": "2019-01-16"}),
    (["索 引 号 | 014416330/2018-04736 | 分 类 | 政府信息公开年报", "发布机构 | 市政府办 | 发文日期 | 2018-02-28",
      "文 号 | | 有效性 |"],
     {"index_no": "014416330/2018-04736", "subject": "政府信息公开年报", "publisher": "市政府办",
      "written_date": "2018-02-28"}),
    (["信息提供日期 : 2022-01-21 17:48来源 : 福田区集体经济发展服务署"],
     {"published_date": "2022-01-21", "publisher": "福田区集体经济发展服务署"}),
    (["来源:原创 发布时间:2023-01-31 13:24 浏览次数:次"],
     {"publisher": "原创", "published_date": "2023-01-31"}),
    (["标　　题：国务院关于…的决定", "文 号: 无号", "时间:2021-12-31 点击: 【下载Word】"],
     {"title": "国务院关于…的决定", "published_date": "2021-12-31"}),
])
def test_labelled_fields(lines: list[str], expected: dict) -> None:
    assert labelled_fields(lines) == expected


def test_dates() -> None:
    assert normalize_date("2018年12月21日") == "2018-12-21"
    assert normalize_date("2019.1.6") == "2019-01-06"
    assert normalize_date("2023-01-04 15:28:00") == "2023-01-04"
    assert normalize_date("2023-13-04") is None


def test_agency_and_year() -> None:
    assert agency_of("2019年上海市人民政府办公厅政府信息公开工作年度报告") == "上海市人民政府办公厅"
    assert agency_of("淮安市人民政府2024年政府信息公开工作年度报告") == "淮安市人民政府"
    assert agency_of("关于某某局2020年度政府信息公开工作年度报告") == "某某局"
    year, notes = find_year("某局2021年政府信息公开工作年度报告",
                            ["本年度报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。"])
    assert year == 2021 and notes[0][0] == "year_conflict"
    year, _ = find_year(None, ["统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日。"])
    assert year == 2024


def test_gov_cn_metadata_table_fragment() -> None:
    path = Path(__file__).parent / "golden" / "inputs" / "shanghai-2019-municipal-office.content.html"
    assert parse_report(path.read_bytes())["metadata"]["published_date"] == "2020-01-31"
    html = ("<table><tr><td><b>索 引 号：</b></td><td>000014349/2018-00222</td><td><b>主题分类：</b></td>"
            "<td>卫生、体育\\医药管理</td></tr><tr><td><b>发文机关：</b></td><td>国务院</td>"
            "<td><b>成文日期：</b></td><td>2018年12月21日</td></tr><tr><td><b>发文字号：</b></td>"
            "<td>国发〔2018〕43号</td><td><b>发布日期：</b></td><td>2018年12月29日</td></tr></table>")
    record = parse_report(html)
    meta = record["metadata"]
    assert (meta["index_no"], meta["publisher"], meta["written_date"], meta["published_date"],
            meta["doc_number"], meta["subject"]) == (
        "000014349/2018-00222", "国务院", "2018-12-21", "2018-12-29", "国发〔2018〕43号",
        "卫生、体育\\医药管理")
    assert record["template"] == "unknown"
    assert [i["code"] for i in record["issues"]][-1] == "not_a_report"
