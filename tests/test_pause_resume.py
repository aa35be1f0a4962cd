"""A crawl paused with SIGINT under ``JOBDIR`` and started again: every report once,
nothing fetched twice, and every queued request small.

Scrapy keeps a paused crawl's queue (each request pickled, callback arguments
and all) and the fingerprints of the requests it has seen in ``JOBDIR``. The
first crawl is interrupted half way. The replica holds back the page of the
PDF-only report until Scrapy has begun to shut down, so that page is fetched
and archived by the first crawl while the request for its attachment, which
carries the report as WARC places (``Capture.pointer_only``), waits in
``JOBDIR``: the second crawl fetches the attachment and reads the page back
from the first crawl's WARC file. The same crawls record the size of every
request they schedule, as the disk queue pickles it (``tests/request_sizes.py``):
a shared frontier (scrapy-redis) stores requests the same way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from replica import ReplicaServer
from replica.linhai import ground_truth, make_site
from replica.server import Request, Response
from storage.db import make_engine
from storage.models import Capture, CrawlRun, Report, ReportVersion
from tests.crawling import PROJECT, SCRAPY, crawl

REPORTS = {a["path"]: a for a in ground_truth() if a["kind"] in ("report", "pdf_report")}
HELD = next(path for path, a in REPORTS.items() if a["kind"] == "pdf_report")
# A queued request pickled, headers, meta and callback state: 0.3–2.1 KB here (the
# most: the attachment's redirected request, with redirect meta and the report's
# WARC places). Its callback state alone: under 0.9 KB. The page bytes that once rode
# along with the attachment requests are 3.5 KB here, 7–240 KB on real portals.
MAX_REQUEST_BYTES = 4096
MAX_STATE_BYTES = 2048


class HeldPage:
    """The Linhai replica, answering one page only when the test lets it go."""

    def __init__(self, site, path: str):
        self.site, self.name, self.path = site, site.name, path
        self.arrived, self.released = threading.Event(), threading.Event()

    def handle(self, request: Request) -> Response:
        if request.path == self.path:
            self.arrived.set()
            self.released.wait(120)
        return self.site.handle(request)


def stored_reports(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Report)) or 0
    except Exception:  # noqa: BLE001 - the crawl has not created the tables yet
        return 0
    finally:
        engine.dispose()


def wait_for(condition, what: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Poll ``condition`` until it holds; fail if the crawl ends or time runs out first."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, f"the crawl ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def paused_and_resumed(tmp_path_factory):
    root = tmp_path_factory.mktemp("pause")
    database = f"sqlite:///{root}/nianbao.db"
    sizes = root / "request-sizes.tsv"
    settings = ("-s", f"JOBDIR={root / 'job'}", "-s", f"WARC_DIR={root / 'archive'}",
                "-s", "EXTENSIONS=" + json.dumps({"tests.request_sizes.RequestSizes": 0}),
                "-s", f"REQUEST_SIZES_FILE={sizes}")
    site = HeldPage(make_site(), HELD)
    with ReplicaServer(site).start() as replica:
        log = root / "first.log"
        process = subprocess.Popen(
            [str(SCRAPY), "crawl", "linhai", "-s", f"PORTAL_BASE_URL={replica.base_url}",
             "-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", f"LOG_FILE={log}", *settings],
            cwd=PROJECT, env={**os.environ, "DATABASE_URL": database})
        try:
            assert site.arrived.wait(120), "the held page was never asked for"
            wait_for(lambda: stored_reports(database) >= 10, "10 stored reports", process)
            process.send_signal(signal.SIGINT)
            # Once Scrapy is closing it takes no request from its queue: the held page's
            # answer, let go now, can only add the attachment's request to JOBDIR.
            wait_for(lambda: "Closing spider (shutdown)" in log.read_text(encoding="utf-8"),
                     "graceful shutdown", process)
        finally:
            site.released.set()
            returncode = process.wait(timeout=120)
        assert returncode == 0, log.read_text(encoding="utf-8")[-5000:]
        first_served = replica.served.snapshot()
        first = {"served": first_served, "reports": stored_reports(database)}
        engine = make_engine(database)
        with engine.connect() as connection:
            first["reason"], first["stats"] = connection.execute(
                select(CrawlRun.finish_reason, CrawlRun.stats)).one()
        engine.dispose()
        second = crawl("linhai", replica, root / "second", database, *settings)
    sizes_read = [line.split("\t", 2) for line in sizes.read_text().splitlines()]
    return {"first": first, "second": second, "served": first_served + second.served,
            "sizes": [(int(state), int(size), request) for state, size, request in sizes_read],
            "database": database, "base_url": replica.base_url}


def test_the_first_crawl_stopped_half_way_with_requests_queued(paused_and_resumed):
    first = paused_and_resumed["first"]
    assert first["reason"] == "shutdown"
    assert 10 <= first["reports"] < len(REPORTS)
    stats = first["stats"]
    assert stats["scheduler/enqueued/disk"] > stats["scheduler/dequeued/disk"]
    assert "scheduler/unserializable" not in stats
    assert "scheduler/enqueued/memory" not in stats  # every request went to JOBDIR


def test_the_resumed_crawl_stores_every_report_exactly_once(paused_and_resumed, tmp_path):
    first, second = paused_and_resumed["first"], paused_and_resumed["second"]
    assert second.stats["finish_reason"] == "finished"
    assert "scheduler/unserializable" not in second.stats
    assert (first["stats"].get("storage/reports_saved", 0)
            + second.stats["storage/reports_saved"]) == len(REPORTS)
    engine = make_engine(paused_and_resumed["database"])
    with engine.connect() as connection:
        reports = connection.scalar(select(func.count()).select_from(Report))
        versions = connection.scalar(select(func.count()).select_from(ReportVersion))
    engine.dispose()
    assert reports == versions == len(REPORTS)
    base = paused_and_resumed["base_url"]
    exported = {r["source"][len(base):]: r for r in second.export(tmp_path / "o.jsonl")}
    assert set(exported) == set(REPORTS)
    for path, truth in REPORTS.items():
        if truth["stats"]:
            stats = exported[path]["stats"]
            assert {k: stats.get(k) for k in truth["stats"]} == truth["stats"], path


def test_the_held_reports_page_was_read_back_from_the_first_crawls_archive(paused_and_resumed):
    second = paused_and_resumed["second"]
    assert second.stats["nianbao/bodies_read_back"] == 1
    first_paths = {entry["path"] for entry in paused_and_resumed["first"]["served"]}
    assert HELD in first_paths
    assert HELD not in {entry["path"] for entry in second.served}
    assert any("downfile.jsp" in entry["path"] for entry in second.served)


def test_nothing_is_fetched_twice(paused_and_resumed):
    served = Counter((e["method"], e["path"]) for e in paused_and_resumed["served"])
    # robots.txt is asked for by each crawl process (RobotsTxtMiddleware), by design.
    assert served.pop(("GET", "/robots.txt")) == 2
    assert served and {path: n for path, n in served.items() if n > 1} == {}
    engine = make_engine(paused_and_resumed["database"])
    with engine.connect() as connection:
        archived = Counter(connection.execute(select(Capture.method, Capture.url)).all())
    engine.dispose()
    again = {key: n for key, n in archived.items() if n > 1}
    assert [url for _, url in again] == [u for _, u in again if u.endswith("/robots.txt")]
    assert sum(archived.values()) == sum(served.values()) + 2


def test_every_scheduled_request_pickles_small(paused_and_resumed):
    sizes = paused_and_resumed["sizes"]
    first, second = paused_and_resumed["first"]["stats"], paused_and_resumed["second"].stats
    # Scheduled: queued, or dropped by the duplicate filter (the resumed crawl's start
    # request for the column page, seen before the pause).
    assert len(sizes) == sum(stats["scheduler/enqueued"] + stats.get("dupefilter/filtered", 0)
                             for stats in (first, second))
    assert any("downfile.jsp" in request for *_, request in sizes)  # the report rode in one
    too_big = [(state, size, request) for state, size, request in sizes
               if size > MAX_REQUEST_BYTES or state > MAX_STATE_BYTES]
    assert not too_big, too_big
