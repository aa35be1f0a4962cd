"""A column that exists only after JavaScript runs: ``scrapy crawl jscolumn`` in Chromium.

One rendered crawl of the ``jscolumn`` replica (Debian's Chromium through
scrapy-playwright; it fails, not skips, without /usr/bin/chromium, which
scripts/setup-test-env.sh installs), then one replay of its archive, which must not
reach the (still running) replica at all.
"""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.warc.reader import read_response
from replica import serve_site
from replica.jscolumn import AGENCY, JsColumnSite
from replica.seeds.reports import generate
from tests.crawling import crawl, scrapy
from tests.databases import database_url

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    assert CHROMIUM.exists(), "Chromium is missing: run scripts/setup-test-env.sh"
    tmp_path = tmp_path_factory.mktemp("jscolumn")
    with serve_site("jscolumn") as replica, database_url("sqlite", tmp_path) as url:
        result = crawl("jscolumn", replica, tmp_path, url)
        yield result, result.export(tmp_path / "live.jsonl"), replica


def records(warc_dir: Path) -> list[dict]:
    out = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                headers = record.http_headers
                out.append({
                    "type": record.rec_type,
                    "id": record.rec_headers.get_header("WARC-Record-ID"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "refers_to": record.rec_headers.get_header("WARC-Refers-To"),
                    "concurrent_to": record.rec_headers.get_header("WARC-Concurrent-To"),
                    "http": dict(headers.headers) if headers else {},
                    "raw": record.raw_stream.read(),  # the payload as sent (no decoding)
                })
    return out


def test_rendered_crawl_archives_what_the_browser_fetched(rendered):
    result, exported, replica = rendered
    base_url = replica.base_url
    archived = records(result.warc_dir)
    subprocess.run([str(Path(sys.executable).parent / "warcio"), "check",
                    *map(str, result.warc_dir.glob("*.warc.gz"))], check=True)

    # The JSON list answers: response records whose payload is what the server
    # sent, byte for byte, asked by the page's script (its XHR header came along).
    site = JsColumnSite()
    served = {entry["path"]: entry for entry in result.served}
    lists = [r for r in archived if r["type"] == "response" and "/api/column/" in r["uri"]]
    assert sorted(urlsplit(r["uri"]).query for r in lists) == ["page=1", "page=2", "page=3"]
    for record in lists:
        target = record["uri"].removeprefix(base_url)
        sent = served[target]
        assert len(record["raw"]) == sent["length"]
        body = gzip.decompress(record["raw"]) if sent["content_encoding"] == "gzip" \
            else record["raw"]
        expected = site.list_page(urlsplit(target).query.removeprefix("page=")).body
        assert body == expected
        request = next(r for r in archived if r["type"] == "request" and r["uri"] == record["uri"])
        assert request["http"].get("X-Requested-With") == "XMLHttpRequest"

    # One rendered-DOM record per rendered page, referring to the served page's
    # response record, the browser's particulars beside it.
    responses = {r["id"]: r for r in archived if r["type"] == "response"}
    conversions = [r for r in archived if r["type"] == "conversion"]
    assert len(conversions) == 4  # three list pages, one script-filled article
    for conversion in conversions:
        assert responses[conversion["refers_to"]]["uri"] == conversion["uri"]
        metadata = next(r for r in archived if r["type"] == "metadata"
                        and r["concurrent_to"] == conversion["id"])
        fields = dict(line.split(": ", 1) for line in metadata["raw"].decode().splitlines())
        assert "Chrome" in fields["user-agent"] and fields["viewport"].count("x") == 1
    first_list = next(c for c in conversions if c["uri"].endswith("/col/col9001/index.html"))
    assert "art_9001_2123.html" in first_list["raw"].decode()  # the list the script built
    assert b"art_9001" not in gzip.decompress(responses[first_list["refers_to"]]["raw"])
    # Nothing outside the replica was asked for.
    assert {urlsplit(r["uri"]).netloc for r in archived if r["uri"]} == {
        urlsplit(base_url).netloc}

    # Every report of the column stored, the script-filled one with its numbers.
    years = sorted(record["year"] for record in exported)
    assert years == list(range(2017, 2024))
    filled = next(r for r in exported if r["source"].endswith("art_9001_2123.html"))
    truth = generate(AGENCY, 2023, "jscolumn/2023").stats
    assert truth and {k: filled["stats"].get(k) for k in truth} == truth
    # It points at the page it was read from, the rendered DOM, which reads back whole
    # (for re-parsing), not at the served shell.
    dom = next(c for c in conversions if c["id"] == filled["warc_record_id"])
    read_back = read_response(result.warc_dir / filled["warc_file"], filled["warc_offset"])
    assert read_back.body == dom["raw"] and "政府信息公开" in read_back.body.decode()
    assert len(read_back.body) > 3 * len(responses[dom["refers_to"]]["raw"])

    stats = result.stats
    assert stats["render/pages"] == 4
    assert stats["render/browser_requests"] == 16
    assert stats["render/seconds"] > 0
    assert stats["playwright/page_count"] == stats["playwright/page_count/closed"]
    assert stats.get("render/browser_requests_blocked", 0) == 0


def test_replay_renders_from_the_archive(rendered, tmp_path):
    result, exported, replica = rendered
    base_url, served_before = replica.base_url, len(replica.served)
    with database_url("sqlite", tmp_path) as url:
        process = scrapy("crawl", "jscolumn", "-s", f"PORTAL_BASE_URL={base_url}",
                         "-s", f"WARC_REPLAY={result.warc_dir}",
                         "-s", f"LOG_FILE={tmp_path / 'replay.log'}", database_url=url)
        log = (tmp_path / "replay.log").read_text()
        assert process.returncode == 0, log[-5000:]
        assert "'render/pages': 4" in log and "warc_replay/misses" not in log
        assert len(replica.served) == served_before  # nothing reached the portal
        replayed = type(result)(process, result.warc_dir, url, [], {}).export(
            tmp_path / "replayed.jsonl")
    strip = lambda rs: sorted(  # noqa: E731
        json.dumps({k: v for k, v in r.items() if k not in ("fetched_at", "crawled_at")},
                   sort_keys=True, ensure_ascii=False) for r in rs)
    assert strip(replayed) == strip(exported)


def test_pywb_replays_the_column_from_the_wacz_in_chromium(rendered, tmp_path):
    """The WACZ of the crawl in pywb, opened in headless Chromium: the column's script
    runs in replay, its JSON comes from the archive, and the list and pager appear."""
    from playwright.sync_api import sync_playwright

    from tests.test_archive_packages import PYWB, WAYBACK_ON_SOCKET

    assert (PYWB / "wayback").exists(), "pywb is installed by `make test` into .venv-pywb"
    result, _, replica = rendered
    package = tmp_path / "jscolumn.wacz"
    done = scrapy("wacz", "-o", str(package), str(result.warc_dir),
                  database_url=result.database_url)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "pywb"
    root.mkdir()
    for command in (["init", "js"], ["add", "--unpack-wacz", "js", str(package)]):
        done = subprocess.run([PYWB / "wb-manager", *command], cwd=root, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    column = f"{replica.base_url}/col/col9001/index.html"
    captured = next(r["date"] for r in records(result.warc_dir)
                    if r["type"] == "response" and r["uri"] == column)
    timestamp = "".join(c for c in captured if c.isdigit())[:14]
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        wayback = subprocess.Popen(
            [PYWB / "python", "-c", WAYBACK_ON_SOCKET, str(listener.fileno())], cwd=root,
            pass_fds=[listener.fileno()], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
    served_before = len(replica.served)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            try:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/js/{timestamp}mp_/{column}")
                frame = page.frame_locator("iframe").first  # pywb's replay frame
                frame.locator("#list li").first.wait_for(timeout=30_000)
                assert frame.locator("#list li").count() == 4
                assert "art_9001_2123.html" in frame.locator("#list").inner_html()
                assert frame.locator("#pager a.page").count() == 2
                frame.locator("#pager a.next").click()  # the script-built pager, replayed
                frame.locator("#list a[href*='art_9001_2118']").wait_for(timeout=30_000)
            finally:
                browser.close()
    finally:
        wayback.terminate()
        wayback.wait(timeout=10)
    assert len(replica.served) == served_before  # all of it from the archive
