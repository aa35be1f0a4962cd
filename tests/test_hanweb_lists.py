"""Reading Hanweb JCMS lists: the embedded <datastore> and dataproxy.jsp XML."""

import time

import pytest

from replica.hostile_lists import benign_list, hostile_lists
from spiders.cms.hanweb_lists import MAX_RECORDS, parse_column_page, parse_dataproxy, parse_record

COLUMN_PAGE = """<html><body><div class="list">
<div id="4981261"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3213&path=/&columnid=1229317620&unitid=4981261&webname=临海市人民政府&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href='/art/2023/1/4/art_1229709042_67998.html' title='临海市经济和信息化局2022年政府信息公开工作年度报告' target='_blank'>临海市经济和信息化局2022年政府…</a><span>2023-01-04</span></li>]]></record>
<record><![CDATA[
<li><a href="/art/2022/1/20/art_1229317620_5.html">临海市2021年政府信息公开工作年度报告</a><b>2022-1-20</b></li>
]]></record>
<record><![CDATA[<li>no link here</li>]]></record>
</recordset></datastore></script></div>
<script type="text/javascript">
var param_4981261 = {col:1,appid:1,webid:3213,path:'/',columnid:1229317620,sourceContentType:1,unitid:'4981261',webname:'临海市人民政府',permissiontype:0};
$('#4981261').jpage({dataStore:param_4981261,perPage:15,totalRecord:46,groupSize:3});
</script></div></body></html>"""

DATAPROXY = """<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>46</totalrecord>
<totalpage>4</totalpage><recordset>
<record><![CDATA[ <li class="item"><a href="/art/2020/1/15/art_1229317620_9.html" target="_blank" title="临海市杜桥镇2019年政府信息公开工作年度报告">临海市杜桥镇2019年…</a><span>2020-01-15</span></li> ]]></record>
</recordset></datastore>"""


def test_column_page_entries_come_from_cdata_records():
    page = parse_column_page(COLUMN_PAGE, "http://127.0.0.1:8000/col/col1229317620/index.html")
    assert [(e.url, e.title, e.date) for e in page.entries] == [
        ("http://127.0.0.1:8000/art/2023/1/4/art_1229709042_67998.html",
         "临海市经济和信息化局2022年政府信息公开工作年度报告", "2023-01-04"),
        ("http://127.0.0.1:8000/art/2022/1/20/art_1229317620_5.html",
         "临海市2021年政府信息公开工作年度报告", "2022-1-20"),
    ]


def test_column_page_gives_dataproxy_parameters_and_totals():
    page = parse_column_page(COLUMN_PAGE, "http://h/col/col1229317620/index.html")
    assert page.params == {"col": "1", "appid": "1", "webid": "3213", "path": "/",
                           "columnid": "1229317620", "sourceContentType": "1",
                           "unitid": "4981261", "webname": "临海市人民政府",
                           "permissiontype": "0"}
    assert (page.total_records, page.per_page) == (46, 15)


def test_page_without_datastore_has_no_entries():
    page = parse_column_page("<html><a href='/art/2023/1/1/art_1_1.html'>x</a></html>", "http://h/")
    assert page.entries == [] and page.params == {}


def test_dataproxy_answer():
    page = parse_dataproxy(DATAPROXY, "http://h/module/web/jpage/dataproxy.jsp?startrecord=16")
    assert (page.total_records, page.total_pages) == (46, 4)
    assert [(e.url, e.title, e.date) for e in page.entries] == [
        ("http://h/art/2020/1/15/art_1229317620_9.html",
         "临海市杜桥镇2019年政府信息公开工作年度报告", "2020-01-15")]


def test_record_without_title_attribute_uses_anchor_text():
    entry = parse_record("<li><a href='a.html'> 标题 </a></li>", "http://h/x/")
    assert (entry.url, entry.title, entry.date) == ("http://h/x/a.html", "标题", None)


# -- hostile list pages: cost in proportion to length ---------------------------------------
def _best_time(function, *args, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.fixture(scope="module")
def benign_megabyte_cost() -> float:
    """What a well-formed list page of 1 MB costs: the linear baseline."""
    return _best_time(parse_column_page, benign_list(1_000_000), "http://h/")


@pytest.mark.parametrize("name", sorted(hostile_lists(100)))
def test_a_hostile_megabyte_list_costs_no_more_than_a_benign_one(name, benign_megabyte_cost):
    kind, text = hostile_lists(1_000_000)[name]
    parse = parse_column_page if kind == "column" else parse_dataproxy
    cost = _best_time(parse, text, "http://h/")
    # Quadratic parsing costs minutes here (a 330 KB page of unclosed
    # <datastore> took 46 s before); linear parsing costs about the baseline.
    assert cost <= 2 * benign_megabyte_cost, (name, cost, benign_megabyte_cost)


def test_a_list_of_thousands_of_records_is_cut_at_max_records():
    page = parse_column_page(benign_list(1_000_000), "http://h/")
    assert len(page.entries) == MAX_RECORDS


def test_a_control_character_in_a_title_does_not_lose_the_records_after_it():
    xml = ("<?xml version='1.0' encoding='UTF-8'?><datastore><recordset>"
           "<record><![CDATA[<li><a href='/a.html' title='A'>A</a></li>]]></record>"
           "<record><![CDATA[<li><a href='/b.html' title='B\x1b[2K\x00'>B</a></li>]]></record>"
           "<record><![CDATA[<li><a href='/c.html' title='C'>C</a></li>]]></record>"
           "</recordset></datastore>")
    page = parse_dataproxy(xml, "http://h/")
    assert [e.title for e in page.entries] == ["A", "B\ufffd[2K\ufffd", "C"]
