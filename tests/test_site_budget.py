"""Each site's request budget holds for all workers together (crawler/site_budget.py).

The settings side in process: which budget a site gets, and what
``FrontierAddon`` switches on with ``REDIS_URL`` and leaves alone without it.
Then three real workers (Redis, PostgreSQL, ``scrapy crawl`` processes) on a
small synthetic column, each free to send as fast as it likes (no delay of
its own, two requests in flight), with a budget of two requests a second for
the site (one every half second, all workers together): in the replica's log
of when each request arrived, no window of three seconds may hold more than
the budget's turns in it, allowing for the transit time a request may take
from its worker's turn to the server (``TRANSIT``). The workers alone would
send the column in about a second.
"""

from __future__ import annotations

import math
import os
import subprocess
import uuid
from collections import Counter

import pytest
import redis
from scrapy.settings import Settings
from sqlalchemy import select

from benchmarks.synthetic_portal import make_site
from crawler.distributed import FrontierAddon
from crawler.site_budget import Budget, SiteBudgets, budget_for_delay
from replica import ReplicaServer
from storage.db import make_engine
from storage.models import CrawlRun
from tests.crawling import PROJECT, SCRAPY
from tests.databases import postgres_database

REDIS = "redis://127.0.0.1:6379/0"
BUDGET = Budget(2, 1)
WINDOW = 3.0
# From a worker's turn (Redis's clock) to the replica's clock
# when it has read the request: the Redis round trip, the worker's reactor getting
# to the write (after whatever callback it is running), the server thread reading.
# Generous for a loaded two-core machine, where a process may get a fifth of a core.
TRANSIT = 1.0


@pytest.mark.parametrize(("delay", "budget"), [
    (0, None), (1.0, Budget(1, 1)), (0.5, Budget(2, 1)), (0.25, Budget(4, 1)),
    (0.3, Budget(3, 1)), (0.4, Budget(2, 1)), (2, Budget(1, 2)), (2.5, Budget(1, 3)),
])
def test_a_delay_is_a_budget_never_faster_than_the_delay(delay, budget):
    assert budget_for_delay(delay) == budget
    if budget is not None:
        assert budget.requests / budget.seconds <= 1 / delay


def project_settings(**overrides) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_a_site_budget_comes_from_its_slot_then_the_crawl():
    settings = project_settings(
        DOWNLOAD_DELAY=0.5,
        DOWNLOAD_SLOTS={"a.gov.cn": {"budget": "10/minute", "delay": 1},
                        "b.gov.cn": {"delay": 2}, "c.gov.cn": {"concurrency": 1}})
    budgets = SiteBudgets(settings)
    assert budgets.for_site("a.gov.cn") == Budget(10, 60)
    assert budgets.for_site("b.gov.cn") == Budget(1, 2)
    assert budgets.for_site("c.gov.cn") == Budget(2, 1)  # DOWNLOAD_DELAY's
    assert budgets.for_site("d.gov.cn") == Budget(2, 1)
    settings = project_settings(DOWNLOAD_DELAY=0.5, SITE_BUDGET="3/second")
    assert SiteBudgets(settings).for_site("d.gov.cn") == Budget(3, 1)
    assert Budget.parse("20 per minute").interval == 3.0
    with pytest.raises(ValueError):
        Budget.parse("3 per 2 seconds")
    assert SiteBudgets(project_settings(DOWNLOAD_DELAY=0)).for_site("d.gov.cn") is None


def test_with_redis_the_handlers_sit_behind_the_budget_and_withdrawals_are_off():
    settings = project_settings(REDIS_URL=REDIS)
    before = settings.getwithbase("DOWNLOAD_HANDLERS")
    FrontierAddon().update_settings(settings)
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    assert handlers["http"] == "crawler.site_budget.HttpSiteBudget"
    assert handlers["https"] == "crawler.site_budget.HttpsSiteBudget"
    assert settings.getdict("SITE_BUDGET_HANDLERS") == {"http": before["http"],
                                                        "https": before["https"]}
    assert handlers["file"] == before["file"]
    assert settings.getbool("WITHDRAWAL_CHECK_ENABLED") is False
    # Applied twice (a second crawler from the same settings): not wrapped twice.
    FrontierAddon().update_settings(settings)
    assert settings.getdict("SITE_BUDGET_HANDLERS")["http"] == before["http"]


def test_without_redis_nothing_changes():
    settings = project_settings(REDIS_URL="")
    before = settings.copy_to_dict()
    FrontierAddon().update_settings(settings)
    assert settings.copy_to_dict() == before
    assert settings.getbool("WITHDRAWAL_CHECK_ENABLED") is True


@pytest.fixture(scope="module")
def budgeted_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("budget")
    prefix = f"nianbao-test-{uuid.uuid4().hex[:10]}"
    server = redis.Redis.from_url(REDIS)
    workers = []
    try:
        with ReplicaServer(make_site(16)) as replica, postgres_database() as database_url:
            env = {**{k: v for k, v in os.environ.items() if k != "NIANBAO_PORTAL_BASE_URL"},
                   "DATABASE_URL": database_url, "REDIS_URL": REDIS}
            settings = {"PORTAL_BASE_URL": replica.base_url, "WARC_DIR": str(tmp_path / "archive"),
                        "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                        # Two each, so one worker does not take the whole queue
                        # while the others have not looked yet.
                        "CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                        "AUDIT_ENABLED": "False",
                        "EXTRACTION_WORKERS": "1", "REDIS_KEY_PREFIX": prefix,
                        "REDIS_IDLE_TIMEOUT": "2", "REDIS_WORKER_TTL": "10",
                        "SITE_BUDGET": f"{BUDGET.requests}/second"}
            workers = [subprocess.Popen(
                [str(SCRAPY), "crawl", "linhai",
                 *(arg for name, value in {**settings,
                                            "LOG_FILE": str(tmp_path / f"w{k}.log")}.items()
                   for arg in ("-s", f"{name}={value}"))],
                cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True) for k in range(3)]
            for worker in workers:
                _, err = worker.communicate(timeout=300)
                assert worker.returncode == 0, err[-3000:]
            engine = make_engine(database_url)
            with engine.connect() as connection:
                runs = connection.execute(select(CrawlRun.stats)).scalars().all()
            engine.dispose()
            yield {"served": replica.served.snapshot(), "runs": runs,
                   "left": sorted(key.decode() for key in server.scan_iter(f"{prefix}:*"))}
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        server.close()


def test_no_window_holds_more_requests_than_the_budget(budgeted_crawl):
    arrivals = sorted(entry["received"] for entry in budgeted_crawl["served"])
    # Turns are at least an interval apart; a request reaches the server up to
    # TRANSIT after its turn, so a window may gain what TRANSIT spans.
    allowed = math.floor((WINDOW + TRANSIT) / BUDGET.interval) + 1
    most = max(sum(1 for t in arrivals[i:] if t <= start + WINDOW)
               for i, start in enumerate(arrivals))
    assert most <= allowed, (most, [round(t - arrivals[0], 3) for t in arrivals])
    # Enough requests to fill such windows several times over.
    assert len(arrivals) >= 2 * allowed


def test_every_request_took_its_place_in_the_budget(budgeted_crawl):
    runs = [stats for stats in budgeted_crawl["runs"] if stats]
    assert len(runs) == 3
    assert sum(stats.get("site_budget/requests", 0) for stats in runs) == \
        len(budgeted_crawl["served"])
    assert sum(stats.get("site_budget/waits", 0) for stats in runs) > 0
    # The budget was shared: more than one worker sent pages (which ones, and how
    # many each, is the workers' timing).
    responses = [stats.get("downloader/response_count", 0) for stats in runs]
    assert sum(1 for n in responses if n > 1) >= 2, responses
    # No URL twice: the budget holds requests back, it does not repeat them.
    served = Counter(entry["path"] for entry in budgeted_crawl["served"])
    assert served.pop("/robots.txt") in (2, 3)  # one per worker that sent anything
    assert set(served.values()) == {1}


def test_the_budget_leaves_no_key_in_redis(budgeted_crawl):
    # The windows expire a budget's length after their last request; the workers end
    # later than that (REDIS_IDLE_TIMEOUT), and the frontier's keys are gone too.
    assert budgeted_crawl["left"] == []
