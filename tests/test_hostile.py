"""A crawl of a hostile portal: what it tries, and the safe outcome of each try.

The Linhai replica with hostile answers on some paths (``replica/hostile.py``)
and, next to it, an "internal" server on another port of the same host (what
an admin console would be) and a "CDN" server on 127.0.0.2 whose name the
portal lists as its own. Names resolve through ``MappedResolver``: nothing
leaves 127.0.0.0/8. What must hold:

* redirects, meta refreshes and attachments pointing at another port are
  refused before connecting (the internal server is never asked), counted
  and logged once; a name of the portal's own that resolves to a loopback
  address it was not configured with is refused before connecting;
* a page over the page bound, and a gzip bomb served as a page, are counted
  skips, never a hang or a report; on the recrawl the bomb's 304 does not
  decode the archived body in full;
* a redirect to itself is counted; an attachment that is not a document is an
  issue on its report; a list title with CR/LF cannot forge a log line;
* a robots.txt forbidding the column ends the crawl ``blocked_by_robots``.
"""

from __future__ import annotations

import gzip
import re
import resource
import time

import pytest
from sqlalchemy import select

from crawler.warc.reader import BodyTooLarge, read_response
from replica.faults import FaultySite
from replica.hostile import (
    GzipBomb,
    MetaRefreshTo,
    NotADocument,
    Oversized,
    RedirectTo,
    ReportLinkingAttachment,
    Rewritten,
    RobotsForbidding,
    gzip_bomb,
)
from replica.linhai import ground_truth, make_site
from replica.server import ReplicaServer
from storage.db import make_engine
from storage.models import CrawlRun
from tests.crawling import crawl

REPORTS = [a for a in ground_truth() if a["kind"] == "report"]
TO_INTERNAL, REFRESH_TO_INTERNAL, LOOP, BOMB, HUGE, TO_CDN, LINKS_BROKEN = (
    a["path"] for a in REPORTS[-7:])
PDF_REPORT = next(a for a in ground_truth() if a["kind"] == "pdf_report")
DOWNFILE = PDF_REPORT["attachments"][0]["url"].split("?")[0]
BROKEN_PDF = "/attach/hostile/report.pdf"
INTERPRETATION = next(a for a in ground_truth() if a["kind"] == "interpretation")
FORGED = "\r\n2026-01-01 00:00:00 [scrapy.core.engine] INFO: Spider closed (finished)"
MAPPED = ["-s", "TWISTED_DNS_RESOLVER=replica.hostile.MappedResolver"]


@pytest.fixture(scope="module")
def neighbours():
    """An internal server on another port of 127.0.0.1, and a CDN on 127.0.0.2."""
    with ReplicaServer(make_site()) as internal, \
            ReplicaServer(make_site(), host="127.0.0.2") as cdn:
        yield internal, cdn


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, neighbours):
    internal, cdn = neighbours
    tmp_path = tmp_path_factory.mktemp("hostile")
    cdn_origin = f"http://cdn.linhai.test:{cdn.port}"
    answers = {
        TO_INTERNAL: RedirectTo(location=internal.url(TO_INTERNAL)),
        REFRESH_TO_INTERNAL: MetaRefreshTo(location=internal.url(REFRESH_TO_INTERNAL)),
        DOWNFILE: RedirectTo(location=internal.url(PDF_REPORT["attachments"][0]["location"])),
        LOOP: RedirectTo(),
        BOMB: GzipBomb(decoded_size=64 << 20),
        HUGE: Oversized(size=16 << 20),
        TO_CDN: RedirectTo(location=cdn_origin + TO_CDN),
        LINKS_BROKEN: ReportLinkingAttachment(href=BROKEN_PDF),
        BROKEN_PDF: NotADocument(),
    }
    site = FaultySite(make_site(), answers)
    # The interpretation's list title, wherever it is listed, carries a forged log line.
    title = INTERPRETATION["title"]  # the title attribute, which the spider reads
    for path in ("/col/col1229317620/index.html", "/module/web/jpage/dataproxy.jsp"):
        answers[path] = Rewritten(old=title, new=title + FORGED)
    database_url = f"sqlite:///{tmp_path}/nianbao.db"
    settings = [*MAPPED, "-s", "REPLICA_HOSTS=cdn.linhai.test=127.0.0.2",
                "-s", f"SCOPE_EXTRA_ORIGINS={cdn_origin}", "-s", "RETRY_TIMES=0"]
    with ReplicaServer(site) as replica:
        started = time.monotonic()
        first = crawl("linhai", replica, tmp_path / "first", database_url, *settings)
        first.seconds = time.monotonic() - started
        first.log = (tmp_path / "first" / "crawl.log").read_text(encoding="utf-8")
        first.exported = first.export(tmp_path / "first.jsonl")
        first.base_url = replica.base_url
        # The recrawl: the same archive and database, a conditional GET for the bomb.
        warc = ["-s", f"WARC_DIR={first.warc_dir}", "-s", "WARC_READ_MAXSIZE=16777216"]
        second = crawl("linhai", replica, tmp_path / "second", database_url, *settings, *warc)
        second.log = (tmp_path / "second" / "crawl.log").read_text(encoding="utf-8")
    yield first, second, answers


def reports_by_path(result) -> dict[str, dict]:
    return {r["source"][len(result.base_url):]: r for r in result.exported}


# -- scope --------------------------------------------------------------------------------
def test_nothing_reaches_another_port_of_the_host_or_the_cdn(hostile, neighbours):
    first, second, answers = hostile
    internal, cdn = neighbours
    assert internal.served.snapshot() == [] and cdn.served.snapshot() == []
    assert answers[TO_INTERNAL].answered >= 1 and answers[DOWNFILE].answered >= 1
    stats = first.stats
    # redirect, meta refresh, attachment redirect: refused by origin
    assert stats["scope/refused/origin"] == 3, stats
    assert stats["scope/refused/address"] == 1, stats  # cdn.linhai.test -> 127.0.0.2
    for path in (TO_INTERNAL, REFRESH_TO_INTERNAL):
        assert first.log.count(f"Refused {internal.url(path)}") == 1


def test_no_record_holds_what_another_port_served(hostile):
    first, _, _ = hostile
    stored = reports_by_path(first)
    assert TO_INTERNAL not in stored and REFRESH_TO_INTERNAL not in stored
    assert TO_CDN not in stored
    pdf_page = stored[PDF_REPORT["path"]]
    assert pdf_page.get("document") is None
    assert not any(v is not None for v in pdf_page["stats"].values())


# -- bounds -------------------------------------------------------------------------------
def test_a_huge_page_and_a_gzip_bomb_are_counted_skips(hostile):
    first, _, _ = hostile
    stored = reports_by_path(first)
    assert HUGE not in stored and BOMB not in stored
    assert first.stats["bounds/page_too_large"] == 1
    assert "exceeded DOWNLOAD_MAXSIZE" in first.log and BOMB in first.log
    assert first.stats["nianbao/listed_pages_failed"] >= 5
    assert first.seconds < 120  # it ends; the pool and the reactor stayed free


def test_the_recrawl_does_not_decode_the_archived_bomb(hostile):
    _, second, answers = hostile
    assert answers[BOMB].answered == 2  # asked again, conditionally, and answered 304
    assert second.stats["warc/revisits_unreadable"] == 1
    assert "WARC_READ_MAXSIZE" in second.log


def test_reading_back_a_bomb_stops_at_the_bound(tmp_path):
    bomb = gzip_bomb(512 << 20)
    block = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
             b"Content-Length: %d\r\n\r\n" % len(bomb)) + bomb
    record = (b"WARC/1.1\r\nWARC-Type: response\r\n"
              b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
              b"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: http://h/bomb\r\n"
              b"Content-Type: application/http; msgtype=response\r\n"
              b"Content-Length: %d\r\n\r\n" % len(block)) + block + b"\r\n\r\n"
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(gzip.compress(record))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(BodyTooLarge, match="WARC_READ_MAXSIZE"):
        read_response(path, 0, max_size=4 << 20)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 128, f"decoding grew the process by {grown_mb:.0f} MB"


# -- the smaller cases ----------------------------------------------------------------------
def test_a_redirect_to_itself_is_counted(hostile):
    first, _, answers = hostile
    assert first.stats["nianbao/redirect_loops"] == 1
    assert answers[LOOP].answered == 2  # once in each crawl, never followed
    assert LOOP not in reports_by_path(first)


def test_an_attachment_that_is_not_a_document_is_an_issue_on_its_report(hostile):
    first, _, _ = hostile
    record = reports_by_path(first)[LINKS_BROKEN]
    [found] = [i for i in record["issues"] if i["code"] == "attachment_unparsed"]
    assert BROKEN_PDF in found["message"] and found["severity"] == "error"


def test_a_list_title_cannot_forge_a_log_line(hostile):
    first, _, _ = hostile
    lines = first.log.splitlines()
    assert not [line for line in lines if line.startswith("2026-01-01 00:00:00")]
    assert any("\\r\\n2026-01-01" in line or "\\n2026-01-01" in line for line in lines)


# -- crawls that stop at the door ------------------------------------------------------------
def finish_reason(database_url: str) -> str:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        reason = connection.execute(
            select(CrawlRun.finish_reason).order_by(CrawlRun.id.desc()).limit(1)).scalar_one()
    engine.dispose()
    return reason


def test_a_column_forbidden_by_robots_txt_ends_blocked_by_robots(tmp_path):
    site = FaultySite(make_site(), {"/robots.txt": RobotsForbidding(disallow="/col/")})
    with ReplicaServer(site) as replica:
        result = crawl("linhai", replica, tmp_path, f"sqlite:///{tmp_path}/nianbao.db")
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert finish_reason(result.database_url) == "blocked_by_robots"
    assert result.stats["nianbao/blocked_by_robots"] >= 1
    assert re.search(r"WARNING: robots.txt forbids the column", log), log[-3000:]
    assert [e["path"] for e in result.served] == ["/robots.txt"]


def test_a_portal_name_resolving_to_loopback_is_refused_before_connecting(tmp_path):
    """www.linhai.test is configured by name; it resolves to 127.0.0.1, which is not a
    public address, so not one byte is sent (SCOPE_ALLOWED_NETWORKS would allow it)."""
    with ReplicaServer(make_site()) as replica:
        replica.base_url_by_name = f"http://www.linhai.test:{replica.port}"
        result = crawl("linhai", replica, tmp_path, f"sqlite:///{tmp_path}/nianbao.db",
                       *MAPPED, "-s", "REPLICA_HOSTS=www.linhai.test=127.0.0.1",
                       "-s", f"PORTAL_BASE_URL={replica.base_url_by_name}")
    assert replica.served.snapshot() == []
    assert result.stats["scope/refused/address"] >= 1


def test_the_bounds_have_sane_defaults():
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    assert 0 < settings.getint("MEMUSAGE_LIMIT_MB") <= 4096 and settings.getbool("MEMUSAGE_ENABLED")
    page, attachment = (settings.getint("DOWNLOAD_MAXSIZE_PAGE"),
                        settings.getint("DOWNLOAD_MAXSIZE"))
    assert 0 < page <= attachment // 8 and attachment <= 256 << 20
    assert 0 < settings.getint("WARC_READ_MAXSIZE") <= 256 << 20
    assert settings.getbool("SCOPE_ENABLED") and settings.getbool("LOG_ESCAPE_CONTROL_CHARACTERS")
