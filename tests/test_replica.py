"""Tests of the replica portals themselves (server, Linhai site, ground truth)."""

from __future__ import annotations

import gzip
import http.client
import io
import json
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from lxml import etree
from lxml import html as lxml_html

from replica import serve_site
from replica.linhai import SITE, catalog, reports
from replica.linhai.catalog import SEED_PATH, build
from replica.reportgen import keys as K
from replica.reportgen import legacy
from replica.reportgen import stats as gen

COLUMN = "/col/col1229317620/index.html"
PROXY = "/module/web/jpage/dataproxy.jsp"
SEED_TEXT = Path(__file__).parents[1] / "replica" / "linhai" / "data" / "seed004.txt"
FORM = {"col": "1", "appid": "1", "webid": str(SITE.webid), "path": "/",
        "columnid": str(SITE.list_column.id), "sourceContentType": "1",
        "unitid": str(SITE.unitid), "webname": SITE.site_name, "permissiontype": "0"}
LISTED = sorted(catalog, key=lambda a: (a.published, a.article_id), reverse=True)


@pytest.fixture(scope="session")
def server():
    with serve_site("linhai") as srv:
        yield srv


def fetch(srv, path, method="GET", form=None, headers=None):
    host, port = urlsplit(srv.base_url).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    body = urlencode(form).encode() if form is not None else None
    hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"} if form else {}
    hdrs.update(headers or {})
    conn.request(method, path, body=body, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.headers, data


def proxy(srv, start, end, perpage=15, form=FORM):
    status, headers, data = fetch(srv, f"{PROXY}?startrecord={start}&endrecord={end}&perpage={perpage}",
                                  "POST", form)
    assert status == 200 and headers["Content-Type"] == "text/xml;charset=UTF-8"
    return etree.fromstring(data)


def record_paths(datastore) -> list[str]:
    paths = []
    for rec in datastore.iter("record"):
        li = lxml_html.fragment_fromstring(rec.text.strip())
        paths.append(li.find("a").get("href"))
    return paths


def embedded_datastore(page: bytes):
    doc = lxml_html.fromstring(page)
    script = doc.xpath(f'//div[@id="{SITE.unitid}"]/script[@type="text/xml"]')[0]
    return etree.fromstring(script.text), doc


# --- server and CLI -------------------------------------------------------------


def test_cli_prints_ready_serves_logs_and_exits_cleanly(tmp_path):
    log = tmp_path / "served.jsonl"
    cmd = [sys.executable, "-m", "replica", "linhai", "--port", "0", "--served-log", str(log)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
        try:
            line = proc.stdout.readline()
            assert re.fullmatch(r"READY http://127\.0\.0\.1:\d+\n", line)

            class Srv:
                base_url = line.split()[1]

            assert fetch(Srv, "/robots.txt")[0] == 200
            assert fetch(Srv, "/nope")[0] == 404
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ""
    entries = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/robots.txt", 200), ("GET", "/nope", 404)]


def test_served_log_has_one_entry_per_response():
    with serve_site("linhai") as srv:
        fetch(srv, COLUMN)
        fetch(srv, f"{PROXY}?startrecord=16&endrecord=30&perpage=15", "POST", FORM)
        fetch(srv, "/robots.txt", "HEAD")
        fetch(srv, "/does/not/exist.html")
        status, headers, _ = fetch(srv, reports()[0].path, headers={"Accept-Encoding": "gzip"})
        served = srv.served.snapshot()
    assert [(e["method"], e["status"]) for e in served] == [
        ("GET", 200), ("POST", 200), ("HEAD", 200), ("GET", 404), ("GET", 200)]
    assert served[1]["path"] == f"{PROXY}?startrecord=16&endrecord=30&perpage=15"
    assert served[1]["content_type"] == "text/xml;charset=UTF-8"
    assert served[4]["content_encoding"] == "gzip"
    assert served[4]["length"] == int(headers["Content-Length"])


def test_persistent_connection_and_headers(server):
    host, port = urlsplit(server.base_url).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    for path in ("/robots.txt", COLUMN, "/robots.txt"):
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200
        assert resp.headers["Server"] == "nginx" and resp.headers["Date"]
        assert resp.headers["Connection"] == "keep-alive"
    conn.close()


def test_gzip_when_accepted(server):
    _, plain_headers, plain = fetch(server, COLUMN)
    status, headers, packed = fetch(server, COLUMN, headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(packed) == plain and "Content-Encoding" not in plain_headers
    _, headers, _ = fetch(server, COLUMN, headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in headers


# --- column page and dataproxy --------------------------------------------------


def test_column_page_embeds_first_list_page_invisibly(server):
    status, headers, page = fetch(server, COLUMN)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=UTF-8"
    datastore, doc = embedded_datastore(page)
    metas = {m.get("name"): m.get("content") for m in doc.xpath("//meta[@name]")}
    assert metas["SiteName"] == "临海市人民政府" and metas["SiteDomain"] == "www.linhai.gov.cn"
    assert re.fullmatch(r"331082\d{4}", metas["SiteIDCode"])
    assert metas["ColumnName"] == "信息公开年报"
    assert {"ColumnDescription", "ColumnKeywords", "ColumnType"} <= metas.keys()
    assert not [h for h in doc.xpath("//a/@href") if "/art/" in h]  # plain extractors see none
    assert record_paths(datastore) == [a.path for a in LISTED[:15]]
    nextgroup = datastore.find("nextgroup").text
    assert "dataproxy.jsp?page=1&appid=1&webid=3196&path=/&columnid=1229317620" in nextgroup
    script = page.decode()
    assert f"totalRecord:{len(LISTED)}" in script and "perPage:15" in script
    for key, value in FORM.items():
        assert f"{key}:" in script and value in script


def test_dataproxy_pages_cover_the_list_in_order(server):
    pages, seen = [], []
    start = 1
    while True:
        ds = proxy(server, start, start + 14)
        assert ds.findtext("totalrecord") == str(len(LISTED))
        assert ds.findtext("totalpage") == str(-(-len(LISTED) // 15))
        paths = record_paths(ds)
        if not paths:
            break
        pages.append(paths)
        seen += paths
        start += 15
    assert len(pages) >= 4 and seen == [a.path for a in LISTED]
    assert record_paths(proxy(server, 1, 45)) == [a.path for a in LISTED[:45]]  # a jpage group
    reports_pages = {i for i, page in enumerate(pages) for p in page
                     if any(a.path == p and a.is_report for a in catalog)}
    assert len(reports_pages) >= 3


def test_dataproxy_rejects_other_units_and_answers_get(server):
    for wrong in ({"columnid": "1229317621"}, {"unitid": "123"}):
        ds = proxy(server, 1, 15, form={**FORM, **wrong})
        assert ds.findtext("totalrecord") == "0" and record_paths(ds) == []
    query = urlencode({"page": 1, **{k: v for k, v in FORM.items() if k != "sourceContentType"}})
    status, _, data = fetch(server, f"{PROXY}?{query}")
    ds = etree.fromstring(data)
    assert status == 200 and record_paths(ds) == [a.path for a in LISTED]
    assert ds.findtext("totalpage") == "1"  # GET without perpage: 100 per page


def test_list_records_quirks():
    from replica.hanweb.templates import record

    recs = [record(a) for a in LISTED]
    assert sum("<b>" in r for r in recs) >= 3 and sum("<span>" in r for r in recs) >= 40
    truncated = [a for a in LISTED if a.list_title != a.title]
    assert truncated and all(a.list_title.endswith("…") for a in truncated)
    assert all(a.title.startswith(a.list_title[:-1]) for a in truncated)


# --- articles -------------------------------------------------------------------


def test_every_listed_url_answers_as_intended(server):
    for a in LISTED:
        status, headers, body = fetch(server, a.path)
        assert status == a.status, a.path
        if a.kind == "dead":
            assert "页面不存在" in body.decode("utf-8")
        elif a.kind == "soft404":
            assert "页面不存在" in body.decode("utf-8") and len(body) < 1000
        else:
            assert a.title in body.decode(a.encoding)


def test_article_meta_tags_and_info_block(server):
    for a in catalog:
        if a.page_style != "modern" or a.status != 200 or a.kind == "soft404":
            continue
        _, _, body = fetch(server, a.path)
        doc = lxml_html.fromstring(body)
        metas = {m.get("name"): m.get("content") for m in doc.xpath("//meta[@name]")}
        assert metas["ArticleTitle"] == a.title and metas["PubDate"] == a.published
        assert metas["ContentSource"] == a.publisher
        assert metas["Url"] == f"https://www.linhai.gov.cn{a.path}"
        assert metas["ColumnName"] == SITE.columns[a.column_id].name
        info = [li.text_content() for li in doc.xpath('//ul[@class="article-info"]/li')]
        assert info[:2] == [f"日期: {a.published}", f"来源: {a.publisher}"]
        y, m, d, col = re.fullmatch(r"/art/(\d{4})/([1-9]\d?)/([1-9]\d?)/art_(\d+)_\d+\.html",
                                    a.path).groups()
        assert f"{y}-{int(m):02d}-{int(d):02d}" == a.published_date and int(col) == a.column_id


def _visible_lines(page: bytes, encoding: str = "utf-8") -> list[str]:
    """Text a browser-like extractor prints: block elements break lines, table cells do not."""
    doc = lxml_html.fromstring(page.decode(encoding))
    for bad in doc.xpath("//script|//style|//head"):
        bad.drop_tree()
    blocks = {"p", "div", "li", "tr", "table", "ul", "br", "h1", "h2", "h3", "tbody"}
    parts = []

    def walk(el):
        if el.tag in blocks:
            parts.append("\n")
        parts.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str):  # not a comment
                walk(child)
            parts.append(child.tail or "")
        if el.tag in blocks:
            parts.append("\n")

    walk(doc.body)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def test_seed_page_text_matches_the_real_page(server):
    seed = [" ".join(line.lstrip(" •").split()) for line in SEED_TEXT.read_text("utf-8").splitlines()]
    seed = [line for line in seed if line]
    _, _, page = fetch(server, SEED_PATH)
    assert _visible_lines(page)[:len(seed)] == seed
    import trafilatura

    text = " ".join(trafilatura.extract(page, include_tables=True).split())
    body = seed[seed.index("年报解读链接") + 1:seed.index("打印 关闭")]
    pos = 0
    for line in body:  # every paragraph and cell, in order
        for piece in (list(line) if line == "0000000" else [line]):  # seven cells run together
            pos = text.index(piece, pos)


def test_gbk_pages_declare_no_charset_in_header(server):
    old = [a for a in catalog if a.encoding == "gbk"]
    assert {a.meta_charset for a in old} == {None, "gb2312"}
    for a in old:
        _, headers, body = fetch(server, a.path)
        assert headers["Content-Type"] == "text/html"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gb18030")
        assert a.title in text and "统计指标" in text
        if a.meta_charset is None:
            assert b"charset" not in body.lower()
        else:
            assert 'charset=gb2312' in text and "〇" in text
            with pytest.raises(UnicodeDecodeError):
                body.decode("gb2312")


def test_pdf_only_report_redirects_to_a_real_pdf(server):
    (a,) = [a for a in catalog if a.kind == "pdf_report"]
    _, _, page = fetch(server, a.path)
    doc = lxml_html.fromstring(page)
    assert not doc.xpath('//div[@id="zoom"]//table')
    (href,) = [h for h in doc.xpath('//div[@id="zoom"]//a/@href') if "downfile.jsp" in h]
    assert re.fullmatch(r"/module/download/downfile\.jsp\?classid=0&filename=[0-9a-f]{32}\.pdf", href)
    assert href == a.attachments[0]["url"]
    status, headers, body = fetch(server, href)
    assert status == 302 and body == b"" and headers["Location"] == a.attachments[0]["location"]
    status, headers, pdf = fetch(server, headers["Location"], headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF-") and "Content-Encoding" not in headers
    import pdfplumber
    import pypdf

    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        plumbed = "".join(p.extract_text() for p in doc.pages)
    for extracted in (text, plumbed):
        flat = "".join(extracted.split())
        assert a.title in flat and "三、收到和处理政府信息公开申请情况" in flat
        total_row = "（七）总计" + "".join(a.cells[f"applications.total.{c}"] for c in K.T3_COLUMN_KEYS)
        assert total_row in flat
    assert fetch(server, "/module/download/downfile.jsp?classid=0&filename=" + "0" * 32 + ".pdf")[0] == 404


def test_robots_txt_allows_the_crawl_and_disallows_search(server):
    status, headers, body = fetch(server, "/robots.txt")
    assert status == 200 and headers["Content-Type"] == "text/plain"
    robots = RobotFileParser()
    robots.parse(body.decode().splitlines())
    needed = [COLUMN, PROXY, "/module/download/downfile.jsp?classid=0&filename=x.pdf",
              "/attach/0/x.pdf", *(a.path for a in catalog)]
    assert all(robots.can_fetch("nianbao-archive", server.url(p)) for p in needed)
    _, _, page = fetch(server, COLUMN)
    hrefs = lxml_html.fromstring(page).xpath("//a/@href")
    assert [h for h in hrefs if not robots.can_fetch("nianbao-archive", server.url(h))]


def test_unknown_paths_and_methods(server):
    assert fetch(server, "/col/col1229317621/index.html")[0] == 404
    assert fetch(server, "/art/2023/1/4/art_1229709042_1.html")[0] == 404
    assert fetch(server, SEED_PATH, "POST", {"a": "b"})[0] == 405
    status, _, body = fetch(server, COLUMN + "?uid=7089461&pageNum=3")
    assert status == 200 and record_paths(embedded_datastore(body)[0]) == [a.path for a in LISTED[:15]]


# --- ground truth ---------------------------------------------------------------


def test_catalog_covers_what_the_issue_asks():
    reps = reports()
    html_reports = [a for a in reps if a.kind == "report"]
    assert len(html_reports) >= 40
    assert {a.published[:4] for a in reps} == {"2019", "2020", "2021", "2022", "2023", "2024"}
    assert Counter(a.template for a in reps).keys() == {"pre2019", "2019", "2021"}
    assert len({a.publisher for a in reps}) >= 10
    kinds = Counter(a.kind for a in catalog)
    assert kinds["interpretation"] == kinds["dead"] == kinds["soft404"] == kinds["pdf_report"] == 1
    assert any(a.year >= 2021 and a.template == "2019" for a in reps)  # format lag
    texts = [t for a in reps if a.cells for t in a.cells.values()]
    for printed in ("-", "/", "", "0", "251000元"):
        assert printed in texts
    assert any(t.startswith("+") for t in texts) and "-2" in texts
    assert {a.intended_break for a in reps} >= {"column_balance", "row_total", "result_total",
                                                "review_litigation_total"}
    blank_total = [a for a in reps if a.stats and a.stats.get("applications.granted.total", 0) is None
                   and a.stats["applications.total.total"] is not None]
    assert blank_total


# Rule instances each deliberate break necessarily drags along (a 总计 cell is in H1 or H2).
_BREAK_FAMILIES = {"column_balance": {"column_balance"}, "result_total": {"result_total"},
                   "row_total": {"row_total", "column_balance"},
                   "review_litigation_total": {"review_litigation_total"}}


def test_ground_truth_is_consistent_except_where_broken_on_purpose():
    for a in reports():
        if a.stats_source == "real_page":
            assert a.stats is None and a.template == "2021" and a.year == 2022
            continue
        if a.template == "pre2019":
            values = {row["label"] + row["group"]: row["value"] for row in a.legacy_indicators}
            assert len(values) == len(a.legacy_indicators)
            assert a.broken_rules == [] and a.stats == {}
            continue
        assert list(a.stats) == K.all_keys(a.template) and a.stats.keys() == a.cells.keys()
        assert a.broken_rules == gen.check(a.stats, a.template)
        if a.intended_break is None:
            assert a.broken_rules == [], a.path
        else:
            families = {r["rule"] for r in a.broken_rules}
            assert a.intended_break in families and families <= _BREAK_FAMILIES[a.intended_break]


def test_ground_truth_matches_the_printed_tables(server):
    for a in reports():
        if a.kind != "report" or a.stats_source != "generated" or a.template == "pre2019":
            continue
        _, _, page = fetch(server, a.path)
        doc = lxml_html.fromstring(page.decode(a.encoding))
        t3 = [t for t in doc.xpath('//div[@id="zoom"]//table') if "申请人情况" in t.text_content()][0]
        rows = [[td.text_content().strip() for td in tr.xpath("td")] for tr in t3.xpath(".//tr")][3:]
        printed = [value for row in rows for value in row[-7:]]
        assert printed == [a.cells[k] for k in K.t3_keys(a.template)], a.path
        t4 = doc.xpath('//div[@id="zoom"]//table')[-1]
        last = [td.text_content().strip() for td in t4.xpath(".//tr")[-1].xpath("td")]
        assert last == [a.cells[k] for k in K.t4_keys()]
        for key, text in a.cells.items():
            value = a.stats[key]
            assert (value is None) == (text in ("", "-", "/"))


def test_cross_year_carry_over_and_in_force_hold_per_department_but_for_one_pair():
    """S3 and S3b by the replica's own arithmetic (not the parser's rules)."""
    by_dept = {}
    for a in reports():
        if a.stats:
            by_dept.setdefault(a.agency, {})[a.year] = a
    checked = broken = 0
    for years in by_dept.values():
        for year, a in years.items():
            before = years.get(year - 1)
            if not before:
                continue
            stats, earlier = a.stats, before.stats
            found = set()
            for col in K.APPLICANT_KEYS:
                if (stats[f"applications.carried_over.{col}"] or 0) != \
                        (earlier[f"applications.carried_forward.{col}"] or 0):
                    found.add("cross_carried_over")
            if a.template == before.template == "2021":
                for row in ("regulations", "normative_documents"):
                    def v(s, col, row=row):
                        return s[f"active.{row}.{col}"] or 0
                    if v(stats, "in_force") != (v(earlier, "in_force") + v(stats, "issued")
                                                - v(stats, "repealed")):
                        found.add("cross_in_force")
            assert found == set(a.broken_links), a.path
            broken += bool(found)
            checked += 1
    assert checked >= 10 and broken == 1


def test_legacy_rules_hold():
    for a in reports():
        if a.template == "pre2019":
            values = dict.fromkeys((k for _, _, k in legacy.ROWS if k), 0)
            for (label, unit, key), row in zip([r for r in legacy.ROWS if r[2]], a.legacy_indicators):
                assert row["label"] == label and row["unit"] == unit
                values[key] = row["value"] or 0
            assert legacy.check(values) == []


def test_site_is_deterministic():
    first = [(a.path, a.body_html, a.stats) for a in build()[0]]
    pdf_first = {name: make() for name, make in build()[1].items()}
    build.cache_clear()
    try:
        again = [(a.path, a.body_html, a.stats) for a in build()[0]]
        assert again == first
        assert {name: make() for name, make in build()[1].items()} == pdf_first
    finally:
        build.cache_clear()


# --- report narratives ------------------------------------------------------------


def _generated_zoom_texts():
    """(article, text of div#zoom) of every generated HTML report."""
    for a in reports():
        if a.kind == "report" and a.stats_source == "generated":
            yield a, lxml_html.fromstring(f"<div>{a.body_html}</div>").text_content()


def test_narratives_are_as_long_as_real_reports_and_vary():
    # the five seed reports run 2,889-5,816 non-whitespace characters (tables included)
    sizes = sorted(len(re.sub(r"\s", "", text)) for _, text in _generated_zoom_texts())
    assert sizes[0] >= 2600 and sizes[-1] <= 6000, sizes
    assert 3000 <= sizes[len(sizes) // 2] <= 4500 and sizes[-1] - sizes[0] >= 1500, sizes


def test_no_sentence_repeats_within_a_page():
    for a, text in _generated_zoom_texts():
        sentences = [s.strip() for s in re.split(r"[。；！？]", text) if len(s.strip()) > 6]
        repeated = [s for s, n in Counter(sentences).items() if n > 1]
        assert not repeated, (a.path, repeated)


_SECTIONS = {
    "pre2019": ("一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况",
                "四、政府信息公开的收费及减免情况", "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
                "六、存在的主要问题及改进情况", "七、其他需要报告的事项"),
    "modern": ("一、总体情况", "（一）", "（二）", "（三）", "（四）", "（五）", "二、主动公开政府信息情况",
               "三、收到和处理政府信息公开申请情况", "四、", "五、", "六、其他需要报告的事项"),
}


def test_narratives_have_the_sections_of_their_format():
    for a, text in _generated_zoom_texts():
        pos = 0
        for heading in _SECTIONS["pre2019" if a.template == "pre2019" else "modern"]:
            pos = text.index(heading, pos)  # present, in order
        if a.year >= 2021 and a.template != "pre2019":  # 信息处理费 and last year's problems
            assert "信息处理费" in text and ("上一年度" in text or f"{a.year - 1}年度" in text), a.path


def test_many_servers_on_their_own_addresses_start_and_stop_together():
    from replica.linhai import make_site
    from replica.server import ReplicaServer, stop_all

    servers = [ReplicaServer(make_site(), host=f"127.0.1.{i}").start() for i in range(1, 21)]
    try:
        # No name lookup at bind (it could wait seconds for a DNS answer): the address.
        assert [s._httpd.server_name for s in servers] == [f"127.0.1.{i}" for i in range(1, 21)]
        for s in servers[::7]:
            conn = http.client.HTTPConnection(s.host, s.port, timeout=10)
            conn.request("GET", "/robots.txt")
            assert conn.getresponse().status == 200
            conn.close()
    finally:
        stop_all(servers)
    assert all(s._thread is None for s in servers)
    with pytest.raises(OSError):
        http.client.HTTPConnection(servers[0].host, servers[0].port, timeout=5).connect()
