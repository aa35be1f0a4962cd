"""The CMS families' list readers, on real pages and on the shapes real pages take."""

import json
from pathlib import Path

import pytest

from spiders.cms import generic_lists, gkmlpt_lists, hanweb_xxgk_lists, trs_lists

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
ORDOS = REAL / "ordos-engebei-xxgknb-list-trs.html"
ORDOS_URL = "http://www.ordos.gov.cn/egbstsfq/xxgk/xxgknb/index.html"


# -- TRS WCM ---------------------------------------------------------------------------
def test_trs_real_column_page_entries_dates_and_pager():
    html = ORDOS.read_text(encoding="utf-8")
    entries = trs_lists.parse_list(html, ORDOS_URL)
    assert len(entries) == 10  # news and reports alike: the page decides what is a report
    first = entries[0]
    assert first.url == "http://www.ordos.gov.cn/egbstsfq/xxgk/xxgknb/202009/t20200903_2748784.html"
    assert first.title == "鄂尔多斯市2019年政府信息公开工作年度报告"
    assert first.date == "2020-09-03"
    # the listed date is the editor's, not the URL's
    [mismatch] = [e for e in entries if e.url.endswith("t20181102_2290635.html")]
    assert mismatch.date == "2018-03-26" and trs_lists.url_date(mismatch.url) == "2018-11-02"
    # nothing from the navigation (../xxgkgd/, ../../zjegb/) is an entry
    assert all("/xxgknb/" in e.url for e in entries)
    pager = trs_lists.parse_pager(html)
    assert (pager.count, pager.current) == (2, 0)
    assert pager.page_files() == ["index_1.html"]


@pytest.mark.parametrize("script, count, current, files", [
    ('createPageHTML(3, 0, "index", "html");', 3, 0, ["index_1.html", "index_2.html"]),
    # a template whose first page calls itself 1: still index_1 … index_{count-1}
    ("createPageHTML('page_div',3, 1,'index','html',41);", 3, 1, ["index_1.html", "index_2.html"]),
    ('//wcm分页，总记录：50\ncreatePage(34, 0, "index", "shtml");', 34, 0,
     [f"index_{i}.shtml" for i in range(1, 34)]),
    ('createPageHTML(1, 0, "index", "html");', 1, 0, []),
])
def test_trs_pager_calls(script, count, current, files):
    pager = trs_lists.parse_pager(f"<script>{script}</script>")
    assert (pager.count, pager.current) == (count, current)
    assert pager.page_files() == files


def test_trs_page_without_pager():
    assert trs_lists.parse_pager("<html><body><a href='./202001/t20200101_1.html'>x</a>") is None


def test_trs_entries_of_other_columns_are_left_out_unless_asked():
    html = ("<ul><li><a href='./202101/t20210105_11.html' title='某县2020年政府信息公开工作年度报告'>"
            "某县2020年…</a><span>2021/1/5</span></li>"
            "<li><a href='../../xwzx/202101/t20210106_12.html'>要闻</a></li></ul>")
    url = "http://x.gov.cn/zwgk/nb/index.html"
    [entry] = trs_lists.parse_list(html, url)
    assert entry.title == "某县2020年政府信息公开工作年度报告" and entry.date == "2021-01-05"
    assert len(trs_lists.parse_list(html, url, same_directory=False)) == 2


# -- gkmlpt ------------------------------------------------------------------------------
def test_gkmlpt_config_and_api():
    page = ("<script>window._CONFIG = { SID: '755325', TREE: [{\"id\":3120,\"name\":\"机构职能\"},"
            "{\"id\":3121,\"name\":\"政府信息公开年报\",\"children\":[]}] };</script>")
    sid, tree = gkmlpt_lists.parse_config(page)
    assert sid == "755325" and tree[3121] == "政府信息公开年报"
    answer = json.dumps({"total": 230, "articles": [
        {"id": 9529455, "title": "某县信访局2020年政府信息公开工作年度报告",
         "url": "http://x.gov.cn/gkmlpt/content/9/9529/post_9529455.html",
         "display_publish_time": 1611211680},
        {"id": 1, "title": "no link"}]})
    api_url = "http://x.gov.cn/gkmlpt/api/all/3121?page=1&sid=755325"
    listing = gkmlpt_lists.parse_api(answer, api_url)
    assert listing.pages == 3
    [entry] = listing.entries
    assert entry.url.endswith("post_9529455.html") and entry.date == "2021-01-21"


@pytest.mark.parametrize("text", ["<html>412</html>", "[]", '{"total": 3}'])
def test_gkmlpt_garbage_is_an_error_not_an_empty_list(text):
    with pytest.raises(gkmlpt_lists.GkmlptError):
        gkmlpt_lists.parse_api(text, "http://x/gkmlpt/api/all/1?page=1&sid=1")


# -- generic ------------------------------------------------------------------------------
VSB = """<ul class="list">
<li id="line_u8_0"><a href="../../info/2821/1647.htm"
 title="河东区行政审批服务局2018年政府信息公开工作年度报告">河东区行政审批服务局2018年…</a>
 <span>2019-01-16</span></li>
<li id="line_u8_1"><a href="../../info/2821/1650.htm">区政务服务中心召开会议</a><span>2019年1月3日</span></li>
<li class="more"><a href="javascript:void(0)">更多</a></li></ul>
<div class="pb"><span class="p_first p_fun"><a href="xxgknb.htm">首页</a></span>
<span class="p_next p_fun"><a href="xxgknb/4.htm">下页</a></span></div>"""


def test_generic_css_rules():
    rules = generic_lists.ListRules("ul.list li[id^=line_u]", "span.p_next a")
    page = generic_lists.parse_page(VSB, "http://h.gov.cn/gk/zfxxgk/xxgknb.htm", rules)
    assert [e.url for e in page.entries] == ["http://h.gov.cn/info/2821/1647.htm",
                                             "http://h.gov.cn/info/2821/1650.htm"]
    assert page.entries[0].title.endswith("年度报告") and page.entries[1].date == "2019-01-03"
    assert page.next_url == "http://h.gov.cn/gk/zfxxgk/xxgknb/4.htm"


def test_generic_xpath_rules_and_last_page():
    html = ("<table class='govinfo_list'><tr><th>标题</th></tr>"
            "<tr><td><a href='/info/1/2.htm'>某街道2021年政府信息公开工作年度报告</a></td>"
            "<td class='d'>2021-12-31</td></tr></table><a>下页</a>")
    rules = generic_lists.ListRules("//table[@class='govinfo_list']//tr[td/a]",
                                    "//a[normalize-space()='下页']", "td.d")
    page = generic_lists.parse_page(html, "http://q.gov.cn/zfxxgk/nb.htm", rules)
    assert [(e.url, e.date) for e in page.entries] == [("http://q.gov.cn/info/1/2.htm",
                                                        "2021-12-31")]
    assert page.next_url is None  # a 下页 without href: the last page


# -- Hanweb 信息公开目录 ----------------------------------------------------------------------
def test_hanweb_xxgk_search_rows_and_pages():
    html = ("<table><tr class='tr_main_value_odd'><td>113325/2021-00012</td>"
            "<td><a href='/art/2021/1/20/art_1229_55.html' title='丽水市2020年政府信息公开工作年度报告'>"
            "丽水市2020年…</a></td><td>2021-01-20</td></tr>"
            "<tr class='tr_main_value_even'><td>x</td><td><a href='/art/2021/1/2/art_1229_56.html'>"
            "通知</a></td><td>2021-1-2</td></tr></table><div>共3页 第1页</div>")
    page = hanweb_xxgk_lists.parse_search(html, "http://www.lishui.gov.cn/module/xxgk/search.jsp")
    assert page.total_pages == 3
    assert [(e.title, e.date) for e in page.entries] == [
        ("丽水市2020年政府信息公开工作年度报告", "2021-01-20"), ("通知", "2021-1-2")]
    assert hanweb_xxgk_lists.annual_report_url("http://www.lishui.gov.cn", "113325000026455663",
                                               2017) == (
        "http://www.lishui.gov.cn/module/xxgk/xxgkAnnualReport.jsp?fbtime=2017"
        "&area=113325000026455663")
    form = hanweb_xxgk_lists.search_form("113325", "5", 2)
    assert form["currpage"] == "2" and form["fbtime"] == "-1" and form["infotypeId"] == "5"
