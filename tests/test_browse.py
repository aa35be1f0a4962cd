"""``scrapy browse`` (``make browse``): Datasette over a crawled database, seen in Chromium.

A real crawl of the Linhai replica fills a SQLite file; ``scrapy browse --port
0`` serves it and prints its address; headless Debian Chromium, driven by
Playwright, loads the index, the database page and the canned queries, and
the rows it shows are checked against the stored reports read through the
repository. The database file is the same, byte for byte, afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import re
import sqlite3
import subprocess
import time
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import pytest

from crawler.browse.metadata import QUERIES, RULES, TABLES, metadata
from crawler.parser.issues import SEVERITY
from storage.db import make_engine
from storage.export import report_record
from storage.models import Base
from storage.repository import ReportStore
from tests.crawling import PROJECT, SCRAPY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def database(linhai_sqlite_crawl):
    url = linhai_sqlite_crawl.database_url
    return Path(url.removeprefix("sqlite:///")), url


@pytest.fixture(scope="module")
def records(database):
    engine = make_engine(database[1])
    stored = [report_record(report) for report in ReportStore(engine).reports()]
    engine.dispose()
    return stored


PLANTED_QUERY = "wipe"


def plant_metadata(tmpdir: Path, database_name: str) -> Path:
    """What another local user could leave where browse once looked for its metadata
    (``$TMPDIR/nianbao-browse-<sha1 of the metadata>.json``, reused if present): the
    real metadata plus a canned write query."""
    text = json.dumps(metadata(database_name), ensure_ascii=False, indent=1)
    planted = metadata(database_name)
    planted["databases"][database_name]["queries"] = {
        **planted["databases"][database_name]["queries"],
        PLANTED_QUERY: {"sql": "delete from report_issues", "write": True}}
    path = tmpdir / f"nianbao-browse-{hashlib.sha1(text.encode()).hexdigest()[:12]}.json"
    path.write_text(json.dumps(planted, ensure_ascii=False), encoding="utf-8")
    return path


def issue_rows(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute("select count(*) from report_issues").fetchone()[0]


@pytest.fixture(scope="module")
def browse_tmpdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browse-tmpdir")


@pytest.fixture(scope="module")
def server(database, browse_tmpdir):
    """``scrapy browse --port 0``, as ``make browse`` runs it; yields its base URL."""
    path, url = database
    plant_metadata(browse_tmpdir, path.stem)
    before = sha256(path)
    process = subprocess.Popen([str(SCRAPY), "browse", "--port", "0"], cwd=PROJECT,
                               env={**os.environ, "DATABASE_URL": url,
                                    "TMPDIR": str(browse_tmpdir)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline, lines = time.monotonic() + 30, []
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            ready = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if ready or not line:
                break
        assert ready, "".join(lines)
        yield ready.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()
    assert sha256(path) == before, "browsing changed the database file"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is needed: apt-get install chromium "
                    "(scripts/setup-test-env.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def table_rows(page) -> list[dict]:
    """The result table as the browser shows it: header text → cell text."""
    headers = [h.strip() for h in page.locator("table.rows-and-columns thead th").all_inner_texts()]
    return [dict(zip(headers, (c.strip() for c in row.locator("td").all_inner_texts()),
                     strict=True))
            for row in page.locator("table.rows-and-columns tbody tr").all()]


def screenshot(page, name: str) -> None:
    """Kept where NIANBAO_SCREENSHOTS points, to look at what a person sees."""
    directory = os.environ.get("NIANBAO_SCREENSHOTS")
    if directory:
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


# -- the metadata, without a server ------------------------------------------------------
def test_every_table_and_column_is_described():
    for table in Base.metadata.sorted_tables:
        assert table.name in TABLES, table.name
        description, columns = TABLES[table.name]
        assert re.search(r"[\u4e00-\u9fff]", description) and re.search("[A-Za-z]{4}",
                                                                         description)
        actual = {column.name for column in table.columns}
        assert set(columns) == actual, (
            f"{table.name}: describe {sorted(actual - set(columns))} and drop "
            f"{sorted(set(columns) - actual)} in crawler/browse/metadata.py")
        for text in columns.values():
            assert re.search(r"[\u4e00-\u9fff]", text) and " / " in text, text


def test_every_rule_has_a_description_and_queries_read_latest_versions():
    assert set(RULES) == {code for code in SEVERITY if code.startswith("rule_")}
    for name, query in QUERIES.items():
        if name != "latest_crawl_per_portal":
            assert "r.latest_version_id" in query["sql"], name
    assert metadata("x")["databases"]["x"]["queries"] is QUERIES


def test_browse_refuses_what_it_cannot_open(tmp_path):
    missing = subprocess.run([str(SCRAPY), "browse"], cwd=PROJECT, capture_output=True,
                             text=True, env={**os.environ,
                                             "DATABASE_URL": f"sqlite:///{tmp_path}/none.db"})
    assert missing.returncode != 0 and "no database at" in missing.stderr
    assert not (tmp_path / "none.db").exists()


# -- read-only, whatever is planted ----------------------------------------------------------
def _request(url: str, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {},
                                     method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_a_planted_write_query_is_not_served_and_no_post_writes(server, database,
                                                                browse_tmpdir):
    path = database[0]
    rows = issue_rows(path)
    assert rows > 0
    query_url = f"{server}/{path.stem}/{PLANTED_QUERY}"
    status, headers, page = _request(query_url)
    assert status == 404, "browse read metadata planted in its temporary directory"
    # Even with the form's CSRF token in hand, a POST is refused before Datasette.
    token = re.search(r'name="csrftoken" value="([^"]+)"', page)
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    form = urllib.parse.urlencode({"csrftoken": token.group(1) if token else ""}).encode()
    for url in (query_url, f"{server}/{path.stem}", f"{server}/{path.stem}/reports"):
        status, _, _ = _request(url, form, {"Cookie": cookie})
        assert status == 405, url
    assert issue_rows(path) == rows


def test_browse_writes_nothing_to_the_temporary_directory(server, database, browse_tmpdir):
    planted = plant_metadata(browse_tmpdir, database[0].stem)  # the same name again
    assert [p.name for p in browse_tmpdir.iterdir()] == [planted.name]


def test_browse_listens_on_loopback_only_by_default(server):
    assert server.startswith("http://127.0.0.1:")


def test_the_database_is_opened_immutable(database):
    from crawler.commands.browse import datasette_app

    ds, _ = datasette_app(database[0])
    db = ds.get_database(database[0].stem)
    assert not db.is_mutable
    with pytest.raises(AssertionError):
        db.connect(write=True)


# -- in the browser -------------------------------------------------------------------------
def test_index_page_shows_the_database_and_its_tables(server, page, database, records):
    with closing(sqlite3.connect(f"file:{database[0]}?mode=ro", uri=True)) as connection:
        tables = {name for (name,) in connection.execute(
            "select name from sqlite_master where type = 'table'")} - {"alembic_version"}
        total = sum(connection.execute(f'select count(*) from "{t}"').fetchone()[0]
                    for t in tables)
    page.goto(server + "/")
    assert page.title().startswith("政府信息公开工作年度报告档案 / nianbao-archive")
    body = page.inner_text("body")
    assert f"{total:,} rows in {len(tables)} tables" in body
    screenshot(page, "index")
    page.click("h2 a:text-is('nianbao')")
    page.wait_for_url(re.compile(r"/nianbao$"))
    screenshot(page, "database")
    body = page.inner_text("body")
    for query in QUERIES.values():  # the canned queries are listed by their titles
        assert query["title"] in body
    for table in tables:
        assert page.locator(f"a[href$='/nianbao/{table}']").count() >= 1, table
    page.goto(server + "/nianbao/report_versions?_sort=id")
    screenshot(page, "report_versions")
    shown = table_rows(page)
    assert len(shown) == len(records)
    assert {row["agency"] for row in shown} == {r["agency"] for r in records}


def test_applications_per_year(server, page, records):
    expected = defaultdict(lambda: [0, 0, 0])
    for record in records:
        if record["template"] in ("2019", "2021"):
            sums = expected[record["year"]]
            sums[0] += 1
            sums[1] += record["stats"].get("applications.new_received.total") or 0
            sums[2] += record["stats"].get("applications.granted.total") or 0
    page.goto(server + "/nianbao/applications_per_year")
    screenshot(page, "applications_per_year")
    shown = {int(row["year"]): [int(row["reports"]), float(row["received"]),
                                float(row["granted"])]
             for row in table_rows(page)}
    assert shown == {year: [n, float(r), float(g)] for year, (n, r, g) in expected.items()}
    assert len(shown) >= 4 and all(received > 0 for _, received, _ in shown.values())


def test_failed_rules_show_the_rule_and_the_numbers(server, page, records):
    expected = sorted((r["agency"], r["year"], i["code"], i["message"])
                      for r in records for i in r["issues"] if i["code"].startswith("rule_"))
    assert expected  # the replica publishes reports that break rules
    page.goto(server + "/nianbao/failed_rules")
    screenshot(page, "failed_rules")
    shown = table_rows(page)
    assert sorted((row["agency"], int(row["year"]), row["rule"], row["numbers"])
                  for row in shown) == expected
    for row in shown:
        assert row["rule_text"] == RULES[row["rule"]]
        assert row["where"]


def test_reports_by_agency_and_year_filters(server, page, records):
    agency = next(r["agency"] for r in records if r["year"] == 2022)
    page.goto(server + "/nianbao/reports_by_agency_year")
    assert len(table_rows(page)) == len(records)
    page.fill("input[name=agency]", agency)
    page.fill("input[name=year]", "2022")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"agency="))
    shown = table_rows(page)
    expected = {r["source"] for r in records if r["year"] == 2022 and agency in r["agency"]}
    assert {row["source_url"] for row in shown} == expected
    assert all(row["agency"] == agency and row["year"] == "2022" for row in shown)


def test_latest_crawl_per_portal(server, page, records):
    page.goto(server + "/nianbao/latest_crawl_per_portal")
    [row] = table_rows(page)
    assert row["portal"] == "linhai" and row["title"] == "临海市人民政府"
    assert row["finish_reason"] == "finished"
    assert int(row["reports_saved"]) == int(row["reports_stored"]) == len(records)
