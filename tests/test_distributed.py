"""Three workers, one Redis frontier, one PostgreSQL: a column of 300 reports crawled together.

Real parts: Redis on 127.0.0.1:6379 (keys under a prefix of this test's own,
deleted afterwards), PostgreSQL (a database of this test's own), three
``scrapy crawl linhai`` processes with ``REDIS_URL`` set, sharing one WARC
directory as workers on a shared volume would, against the benchmarks'
synthetic Hanweb column (``benchmarks/synthetic_portal.py``: the Linhai
replica's reports repeated to 300, each answer 0-20 ms late). One worker is
killed with SIGKILL (with its extraction processes: a machine lost) while it
holds a report page in flight, and is started again: what it had taken from
the frontier goes back on it.

What the workers did together is compared with one process alone: the
archive of a plain ``scrapy crawl`` of the same column (no Redis), and the
reports one process stores from the Linhai replica, whose pages the synthetic
reports are copies of.

Every assertion is a property of the crawl's outcome (the replica's served
log, the WARC files, the database, Redis), whatever order the workers took
the requests in.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import threading
import uuid
import zlib
from collections import Counter
from pathlib import Path
from time import sleep

import pytest
import redis
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from benchmarks.synthetic_portal import copies, make_site
from crawler.settings import CAPTURE_INDEX_BATCH_SIZE
from replica import ReplicaServer
from storage.db import make_engine
from storage.models import Capture, CrawlRun, Report, ReportVersion
from tests.crawling import PROJECT, SCRAPY
from tests.databases import postgres_database

REDIS = "redis://127.0.0.1:6379/0"
REPORTS = 300
# The same settings for the workers and the process alone: no politeness delay
# (tests/test_site_budget.py holds the budget), each answer 0-20 ms late.
CRAWL_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                  "CONCURRENT_REQUESTS_PER_DOMAIN": "4", "AUDIT_ENABLED": "False",
                  "EXTRACTION_WORKERS": "1"}


class LatePortal:
    """The synthetic column, each answer 0-20 ms late (fixed per URL); ``stall``
    holds the answer of one page until the test lets it go."""

    def __init__(self, site, stall_path: str) -> None:
        self.site, self.name = site, site.name
        self.stall_path = stall_path
        self.stalled, self.released = threading.Event(), threading.Event()

    def handle(self, request):
        if request.path == self.stall_path:
            self.stalled.set()
            self.released.wait(120)
        sleep((zlib.crc32(request.target.encode()) % 21) / 1000)
        return self.site.handle(request)


def scrapy_crawl(name: str, tmp_path: Path, base_url: str, env: dict, **settings: str):
    args = {**CRAWL_SETTINGS, "PORTAL_BASE_URL": base_url, "WARC_DIR": str(tmp_path / "archive"),
            "LOG_FILE": str(tmp_path / f"{name}.log"), **settings}
    env = {**{k: v for k, v in os.environ.items()
              if k not in ("NIANBAO_PORTAL_BASE_URL", "REDIS_URL")}, **env}
    return subprocess.Popen(
        [str(SCRAPY), "crawl", "linhai", *(a for k, v in args.items() for a in ("-s", f"{k}={v}"))],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        # Its own process group: killing it kills its extraction processes too.
        start_new_session=True)


def start_worker(name: str, tmp_path: Path, base_url: str, database_url: str, prefix: str):
    return scrapy_crawl(name, tmp_path, base_url,
                        {"DATABASE_URL": database_url, "REDIS_URL": REDIS},
                        REDIS_KEY_PREFIX=prefix, REDIS_IDLE_TIMEOUT="2", REDIS_WORKER_TTL="3")


def stop_all(process) -> None:
    """SIGSTOP to the worker and its extraction processes: it takes nothing more."""
    os.killpg(process.pid, signal.SIGSTOP)
    for _ in range(500):
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "T":
            return
        sleep(0.01)
    raise AssertionError(f"worker {process.pid} did not stop")


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def in_flight_paths(server, key: str) -> set[str]:
    return {path_of(pickle.loads(value)["url"]) for value in server.hvals(key)}


@pytest.fixture(scope="module")
def one_process_archive(tmp_path_factory):
    """What one process alone archives of the column: a plain crawl, no Redis,
    fetching and archiving only (which pages are fetched does not depend on
    what the pipelines do with them)."""
    tmp_path = tmp_path_factory.mktemp("alone")
    site = make_site(REPORTS)
    with ReplicaServer(site) as replica:
        process = scrapy_crawl("alone", tmp_path, replica.base_url,
                               {"DATABASE_URL": f"sqlite:///{tmp_path}/nianbao.db"},
                               ITEM_PIPELINES="{}")
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
    return response_records(tmp_path / "archive")


@pytest.fixture(scope="module")
def workers_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("workers")
    prefix = f"nianbao-test-{uuid.uuid4().hex[:10]}"
    server = redis.Redis.from_url(REDIS)
    site = make_site(REPORTS)
    # A report page listed half way down the column: its request is popped and in
    # flight when its worker is killed, with half the crawl still to do.
    stall_path = site.listed[REPORTS // 2].path
    portal = LatePortal(site, stall_path)
    replica = ReplicaServer(portal).start()
    workers = []
    try:
        with postgres_database() as database_url:
            # Not migrated beforehand: the workers start together on an empty
            # database and take turns in the migration (storage.db.upgrade).
            workers = [start_worker(f"w{k}", tmp_path, replica.base_url, database_url, prefix)
                       for k in range(3)]
            assert portal.stalled.wait(180), "the stalled page was never asked for"
            holder = next(key.decode() for key in server.scan_iter(f"{prefix}:linhai:inflight:*")
                          if stall_path in in_flight_paths(server, key))
            victim = next(w for w in workers if holder.endswith(f":{w.pid}"))
            # Stopped first, so what it holds is read while it can take no more.
            stop_all(victim)
            in_flight = in_flight_paths(server, holder)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait(30)
            victim.stderr.close()
            portal.released.set()
            # Started again (a new process, as systemd's Restart would): the dead
            # worker's heartbeat expires and its in-flight requests go back on the frontier.
            workers.append(start_worker("w0-again", tmp_path, replica.base_url, database_url,
                                        prefix))
            for worker in workers:
                if worker is not victim:
                    _, err = worker.communicate(timeout=300)
                    assert worker.returncode == 0, err[-3000:]
            engine = make_engine(database_url)
            with engine.connect() as connection:
                runs = connection.execute(select(CrawlRun.stats)).scalars().all()
                captures = Counter(connection.execute(select(Capture.method, Capture.url)).all())
                versions = connection.scalar(select(func.count()).select_from(ReportVersion))
                sources = connection.execute(select(Report.source_url)).scalars().all()
            engine.dispose()
            left = sorted(key.decode() for key in server.scan_iter(f"{prefix}:*"))
            yield {"served": replica.served.snapshot(), "runs": runs, "captures": captures,
                   "versions": versions, "sources": sources,
                   "warc_dir": tmp_path / "archive", "left": left, "stall": stall_path,
                   "base_url": replica.base_url, "in_flight": in_flight}
    finally:
        portal.released.set()
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
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
                    found[path_of(record.rec_headers.get_header("WARC-Target-URI"))] += 1
    return found


def test_every_url_is_fetched_once_by_one_of_the_workers(workers_crawl, one_process_archive):
    served = Counter(e["path"] for e in workers_crawl["served"])
    # robots.txt: asked for by each worker process (RobotsTxtMiddleware), by design;
    # the one started again may find nothing left to do.
    assert served.pop("/robots.txt") in (3, 4)
    # The killed worker held the stalled page, which was fetched again.
    assert workers_crawl["stall"] in workers_crawl["in_flight"]
    assert served[workers_crawl["stall"]] == 2
    # Fetched twice: only what the killed worker had taken and not finished; nothing
    # three times.
    assert {path for path, n in served.items() if n > 1} <= workers_crawl["in_flight"]
    assert max(served.values()) == 2
    # Every page one process fetches, and nothing else.
    assert set(served) == set(one_process_archive) - {"/robots.txt"}
    assert len(served) > REPORTS
    captured = Counter({path_of(url): n for (_, url), n in workers_crawl["captures"].items()})
    assert captured.pop("/robots.txt") in (2, 3, 4)
    # The capture index is written in batches (storage/capture_index.py): the rows
    # the killed worker had not yet written are lost with it (its records are in
    # its WARC file); every other page has its row.
    assert set(captured) <= set(served)
    assert len(set(served) - set(captured)) <= CAPTURE_INDEX_BATCH_SIZE
    assert {path for path, n in captured.items() if n > 1} <= workers_crawl["in_flight"]


def test_every_report_is_stored_exactly_once(workers_crawl, linhai_sqlite_crawl):
    # The synthetic reports are copies of the Linhai replica's: a copy is stored when
    # one process stores its original from the replica (the replica's failing report
    # page, which both crawls log and count, is stored by neither).
    engine = make_engine(linhai_sqlite_crawl.database_url)
    with engine.connect() as connection:
        alone = {path_of(url) for url in connection.execute(select(Report.source_url)).scalars()}
    engine.dispose()
    pairs, _ = copies(REPORTS)
    expected = {clone.path for original, clone in pairs if original.path in alone}
    together = [path_of(url) for url in workers_crawl["sources"]]
    assert len(together) == len(set(together)) == workers_crawl["versions"]
    assert set(together) == expected
    assert len(expected) > REPORTS * 0.9


def test_the_work_was_shared_and_the_dead_workers_requests_requeued(workers_crawl):
    # The killed worker's run has no stats: it never ended.
    runs = [stats for stats in workers_crawl["runs"] if stats is not None]
    assert len(runs) == 3 and len(workers_crawl["runs"]) == 4
    assert all(stats["finish_reason"] == "finished" for stats in runs)
    assert sum(stats.get("frontier/requeued_from_dead_workers", 0) for stats in runs) \
        == len(workers_crawl["in_flight"])
    # Shared: at least two of them fetched more than their own robots.txt. How evenly
    # depends on timing, so no more is asked.
    responses = [stats.get("downloader/response_count", 0) for stats in runs]
    assert sum(1 for n in responses if n > 1) >= 2, responses


def test_the_workers_archive_equals_one_process_archive(workers_crawl, one_process_archive):
    together = response_records(workers_crawl["warc_dir"])
    alone = Counter(one_process_archive)
    together.pop("/robots.txt"), alone.pop("/robots.txt")
    assert set(together) == set(alone)
    assert all(n == 1 for n in alone.values())
    # Archived twice: only what the killed worker had archived before it died (its file
    # is kept, finished by the worker started after it) and was fetched again.
    assert {path for path, n in together.items() if n > 1} <= workers_crawl["in_flight"]
    assert not list(workers_crawl["warc_dir"].glob("*.open"))
    # Each worker wrote files of its own (names carry host, pid and serial): the killed
    # one's unfinished file was finished by the worker started after it.
    assert len(list(workers_crawl["warc_dir"].glob("*.warc.gz"))) >= 3


def test_the_frontier_is_cleared_when_the_crawl_ends(workers_crawl):
    # Queue, fingerprints, heartbeats, in-flight hashes: nothing is left, the dead
    # worker's included (its heartbeat expired, its in-flight hash was requeued).
    assert workers_crawl["left"] == []
