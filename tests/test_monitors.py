"""crawler/monitors.py: the nightly spidermon suite on a crawl's final stats, in process.

The suite runs as spidermon runs it at spider close (its runner, the crawler,
the stats), against a real database holding the portal's earlier runs.
"""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.runners import SpiderMonitorRunner

from crawler import settings as project_settings
from crawler.monitors import NightlyMonitorSuite, is_good_run, verdict_of
from crawler.nightly.report import PortalResult
from spiders.linhai import LinhaiSpider
from storage.changes import NewReport, RunChanges, WithdrawnReport
from storage.db import make_engine, upgrade
from storage.repository import ReportStore

GOOD = {"finish_reason": "finished", "downloader/request_count": 60,
        "downloader/exception_count": 0, "nianbao/list_entries": 47,
        "nianbao/report_pages": 44, "parser/reports_with_issues": 8}


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade(engine)
    yield ReportStore(engine)
    engine.dispose()


def run_suite(store, stats: dict) -> tuple[str, dict]:
    """Run the suite on ``stats`` as the current run of linhai; the verdict it recorded."""
    run_id = store.start_run("linhai")
    settings = {name: getattr(project_settings, name) for name in dir(project_settings)
                if name.startswith("NIGHTLY_")}
    crawler = get_crawler(LinhaiSpider, {**settings, "DATABASE_URL": str(store.engine.url)})
    spider = LinhaiSpider.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()
    for key, value in {**stats, "storage/crawl_run_id": run_id}.items():
        crawler.stats.set_value(key, value)
    SpiderMonitorRunner(spider=spider).run(
        NightlyMonitorSuite(crawler=crawler), stats=crawler.stats.get_stats(), crawler=crawler,
        spider=spider, stats_history=[], job=None)
    final = crawler.stats.get_stats()
    store.finish_run(run_id, final["finish_reason"], final)
    return verdict_of(final)


def test_a_good_crawl_passes(store):
    assert run_suite(store, GOOD) == ("ok", {})


def test_far_fewer_entries_than_the_last_good_run_is_suspicious(store):
    run_suite(store, GOOD)
    verdict, failed = run_suite(store, {**GOOD, "nianbao/list_entries": 12})
    assert verdict == "suspicious"
    assert failed == {"entries_listed": "suspicious: the column listed 12 entries, its last "
                                        "good run 47"}
    # the suspicious run is not the next one's reference: the last good run still is
    assert run_suite(store, {**GOOD, "nianbao/list_entries": 20})[0] == "suspicious"
    assert run_suite(store, {**GOOD, "nianbao/list_entries": 46})[0] == "ok"


def test_an_empty_column_is_suspicious_even_without_history(store):
    verdict, failed = run_suite(store, {**GOOD, "nianbao/list_entries": 0,
                                        "nianbao/report_pages": 0})
    assert verdict == "suspicious" and "listed no entries" in failed["entries_listed"]


def test_failed_requests_and_an_early_end_fail(store):
    verdict, failed = run_suite(store, {**GOOD, "downloader/exception_count": 20,
                                        "downloader/response_status_count/503": 5})
    assert verdict == "failed" and failed["error_ratio"].startswith("failed: 25 of 60")
    verdict, failed = run_suite(store, {**GOOD, "finish_reason": "shutdown"})
    assert verdict == "failed" and "shutdown" in failed["finish_reason"]


def test_a_parser_flagging_most_reports_is_suspicious(store):
    verdict, failed = run_suite(store, {**GOOD, "parser/reports_with_issues": 40})
    assert verdict == "suspicious" and "40 of 44" in failed["parser_issues"]


def test_the_portal_status_follows_the_verdict_and_the_finish_reason():
    ok = PortalResult.from_stats("linhai", {**GOOD, "nianbao/monitors/verdict": "ok"}, {})
    assert ok.status == "ok" and ok.entries_listed == 47
    # no monitor ran (spidermon off), but the crawl did not finish
    cut = PortalResult.from_stats("linhai", {**GOOD, "finish_reason": "closespider_timeout"},
                                  {})
    assert cut.status == "failed" and "closespider_timeout" in cut.monitors["finish_reason"]
    assert PortalResult.from_stats("linhai", None, {}).status == "failed"


def test_a_portal_result_counts_its_own_changes_only():
    changes = RunChanges(
        new=[NewReport(f"http://a/{i}", None, "linhai") for i in range(3)]
        + [NewReport("http://b/1", None, "other")],
        withdrawn=[WithdrawnReport("http://a/old", None, "linhai", None, "gone")])
    counts = changes.counts()
    assert counts == {"linhai": {"new": 3, "edited": 0, "withdrawn": 1},
                      "other": {"new": 1, "edited": 0, "withdrawn": 0}}
    stats = {**GOOD, "storage/reports_saved": 5, "storage/reports_unchanged": 2}
    result = PortalResult.from_stats("linhai", stats, counts["linhai"])
    assert (result.new, result.edited, result.withdrawn, result.unchanged) == (3, 0, 1, 4)
    quiet = PortalResult.from_stats("quiet", stats, counts.get("quiet", {}))
    assert (quiet.new, quiet.withdrawn, quiet.unchanged) == (0, 0, 7)


def test_good_runs_are_finished_without_objections():
    class Run:
        def __init__(self, reason, stats):
            self.finish_reason, self.stats = reason, stats

    assert is_good_run(Run("finished", {"nianbao/monitors/verdict": "ok"}))
    assert is_good_run(Run("finished", {}))  # stored before monitors existed
    assert not is_good_run(Run("finished", {"nianbao/monitors/verdict": "suspicious"}))
    assert not is_good_run(Run("shutdown", {}))
