"""Three workers, one Redis frontier, one PostgreSQL: the Linhai replica crawled together.

Real parts: Redis on 127.0.0.1:6379 (keys under a prefix of this test's own,
deleted afterwards), PostgreSQL (a database of this test's own), three
``scrapy crawl linhai`` processes with ``REDIS_URL`` set, sharing one WARC
directory as workers on a shared volume would. One of them is killed with
SIGKILL while it holds requests in flight, and a fourth worker joins in its
place: what the dead worker had popped goes back on the frontier. Compared with
the suite's one-process crawl of the same replica (``linhai_sqlite_crawl``).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from replica import ReplicaServer
from replica.linhai import ground_truth, make_site
from storage.db import make_engine, upgrade
from storage.models import Capture, CrawlRun, Report, ReportVersion
from tests.crawling import PROJECT, SCRAPY
from tests.databases import postgres_database

REDIS = "redis://127.0.0.1:6379/0"
REPORTS = {a["path"] for a in ground_truth() if a["kind"] in ("report", "pdf_report")}


class SlowPages:
    """The Linhai replica, every answer a little late, so work spreads over the workers;
    ``stall`` holds the answers of one listed page until the test lets it go."""

    def __init__(self, site) -> None:
        self.site, self.name = site, site.name
        self.stalled, self.released = threading.Event(), threading.Event()
        self.stall_path: str | None = None

    def handle(self, request):
        if request.path == self.stall_path:
            self.stalled.set()
            self.released.wait(120)
        time.sleep(0.05)
        return self.site.handle(request)


def start_worker(name: str, tmp_path: Path, base_url: str, database_url: str, prefix: str):
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS}
    env.pop("NIANBAO_PORTAL_BASE_URL", None)
    return subprocess.Popen(
        [str(SCRAPY), "crawl", "linhai",
         "-s", f"PORTAL_BASE_URL={base_url}", "-s", f"WARC_DIR={tmp_path / 'archive'}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01",
         "-s", f"REDIS_KEY_PREFIX={prefix}", "-s", "REDIS_IDLE_TIMEOUT=2",
         "-s", "REDIS_WORKER_TTL=3", "-s", "WITHDRAWAL_CHECK_ENABLED=False",
         "-s", "AUDIT_ENABLED=False", "-s", "EXTRACTION_WORKERS=1",
         "-s", f"LOG_FILE={tmp_path / (name + '.log')}"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def workers_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("workers")
    prefix = f"nianbao-test-{uuid.uuid4().hex[:10]}"
    server = redis.Redis.from_url(REDIS)
    site = SlowPages(make_site())
    # A report page: its request is popped and in flight when its worker is killed.
    site.stall_path = sorted(REPORTS)[-1]
    replica = ReplicaServer(site).start()
    try:
        with postgres_database() as database_url:
            # Migrated once before the workers start, as a deployment does.
            engine = make_engine(database_url)
            upgrade(engine)
            engine.dispose()
            workers = [start_worker(f"w{k}", tmp_path, replica.base_url, database_url, prefix)
                       for k in range(3)]
            assert site.stalled.wait(120), "the stalled page was never asked for"
            holder = next(key.decode() for key in server.scan_iter(f"{prefix}:linhai:inflight:*")
                          if any(pickle.loads(value)["url"].endswith(site.stall_path)
                                 for value in server.hvals(key)))
            victim = next(w for w in workers if holder.endswith(f":{w.pid}"))
            in_flight = {"/" + pickle.loads(value)["url"].split("/", 3)[3]
                         for value in server.hvals(holder)}
            victim.send_signal(signal.SIGKILL)
            victim.wait(30)
            victim.stderr.close()
            site.released.set()
            # Its replacement: the dead worker's heartbeat expires, its in-flight requests
            # go back on the frontier.
            workers.append(start_worker("w3", tmp_path, replica.base_url, database_url, prefix))
            for worker in workers:
                if worker is not victim:
                    _, err = worker.communicate(timeout=300)
                    assert worker.returncode == 0, err[-3000:]
            engine = make_engine(database_url)
            with engine.connect() as connection:
                runs = connection.execute(select(CrawlRun.stats)).scalars().all()
                captures = Counter(connection.execute(select(Capture.method, Capture.url)).all())
                reports = connection.scalar(select(func.count()).select_from(Report))
                versions = connection.scalar(select(func.count()).select_from(ReportVersion))
                sources = connection.execute(select(Report.source_url)).scalars().all()
            engine.dispose()
            left = sorted(key.decode() for key in server.scan_iter(f"{prefix}:*"))
            yield {"served": replica.served.snapshot(), "runs": runs, "captures": captures,
                   "reports": reports, "versions": versions, "sources": sources,
                   "warc_dir": tmp_path / "archive", "left": left, "stall": site.stall_path,
                   "base_url": replica.base_url, "victim": victim,
                   "in_flight": in_flight}
    finally:
        site.released.set()
        replica.stop()
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        server.close()


def response_records(directory: Path) -> Counter:
    found = Counter()
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    found["/" + url.split("/", 3)[3]] += 1
    return found


def test_every_url_is_fetched_once_by_one_of_the_workers(workers_crawl):
    served = Counter((e["method"], e["path"]) for e in workers_crawl["served"])
    # robots.txt: asked for by each worker process (RobotsTxtMiddleware), by design;
    # the last one may find nothing left to do.
    assert served.pop(("GET", "/robots.txt")) in (3, 4)
    again = {path: n for path, n in served.items() if n > 1}
    # What the killed worker had taken from the frontier and not finished was put back
    # and asked for again: its stalled page among them.
    assert workers_crawl["stall"] in workers_crawl["in_flight"]
    assert {path for _, path in again} <= workers_crawl["in_flight"]
    assert {path for _, path in served} >= REPORTS
    captured = Counter({url[len(workers_crawl["base_url"]):]: n
                        for (_, url), n in workers_crawl["captures"].items()})
    assert captured.pop("/robots.txt") in (3, 4)
    assert set(captured) == {path for _, path in served}
    # Archived twice: only what the killed worker had archived before it died.
    assert {path for path, n in captured.items() if n > 1} <= workers_crawl["in_flight"]


def test_every_report_is_stored_exactly_once(workers_crawl, linhai_sqlite_crawl):
    # The same reports as one process stores (the replica's failing report page, which
    # both crawls log and count, included in neither).
    engine = make_engine(linhai_sqlite_crawl.database_url)
    with engine.connect() as connection:
        alone = connection.execute(select(Report.source_url)).scalars().all()
    engine.dispose()
    base, alone_base = workers_crawl["base_url"], linhai_sqlite_crawl.base_url
    together = [url[len(base):] for url in workers_crawl["sources"]]
    assert len(together) == len(set(together)) == workers_crawl["versions"]
    assert set(together) == REPORTS == {url[len(alone_base):] for url in alone}


def test_the_work_was_shared_and_the_dead_workers_requests_requeued(workers_crawl):
    # The killed worker's run has no stats: it never ended.
    runs = [stats for stats in workers_crawl["runs"] if stats is not None]
    assert len(runs) == 3 and len(workers_crawl["runs"]) == 4
    assert all(stats["finish_reason"] == "finished" for stats in runs)
    assert sum(stats.get("frontier/requeued_from_dead_workers", 0) for stats in runs) >= 1
    # Shared: at least two of them fetched more than their own robots.txt. How evenly
    # depends on timing (one worker took 34 of 44 pages in one run), so no more is asked.
    responses = [stats.get("downloader/response_count", 0) for stats in runs]
    assert sum(1 for n in responses if n > 1) >= 2, responses


def test_the_workers_archive_equals_one_process_archive(workers_crawl, linhai_sqlite_crawl):
    together = response_records(workers_crawl["warc_dir"])
    alone = response_records(linhai_sqlite_crawl.warc_dir)
    together.pop("/robots.txt"), alone.pop("/robots.txt")
    assert set(together) == set(alone)
    # Archived twice: only what the killed worker had archived before it died (its file
    # is kept, finished by the worker started after it) and was fetched again.
    assert {path for path, n in together.items() if n > 1} <= workers_crawl["in_flight"]
    assert all(n == 1 for n in alone.values())
    assert not list(workers_crawl["warc_dir"].glob("*.open"))
    # Each worker wrote files of its own (names carry host, pid and serial): the killed
    # one's unfinished file was finished by the worker started after it.
    assert len(list(workers_crawl["warc_dir"].glob("*.warc.gz"))) >= 3


def test_the_frontier_is_cleared_when_the_crawl_ends(workers_crawl):
    # Only the dead worker's leftovers might remain: its heartbeat expired, its in-flight
    # hash was claimed and requeued.
    assert workers_crawl["left"] == []
