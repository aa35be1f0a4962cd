"""spidermon monitors run when each crawl closes: did this portal's crawl go right?

Each monitor has a verdict for when it fails: ``failed`` (the crawl did not
do its job: it ended early, or too many requests failed) or ``suspicious``
(it ran, but what it saw is unlike the portal: a column that suddenly lists
no entries, or far fewer than its last good run — a redesign or a block —,
or a parser flagging most reports). The ``RecordVerdicts`` action writes the
failed monitors into the crawl's stats (``nianbao/monitors/failed/<name>`` =
``"<verdict>: <reason>"``, ``nianbao/monitors/verdict`` = the worst), which
the storage pipeline keeps with the crawl run and ``scrapy crawlall`` turns
into each portal's status.

Thresholds are settings (``NIGHTLY_*`` in ``crawler/settings.py``).
"""

from __future__ import annotations

from spidermon import Monitor, MonitorSuite, monitors
from spidermon import settings as spidermon_settings
from spidermon.core.actions import Action

from storage.changes import ChangeQueries
from storage.db import shared_engine

VERDICTS = ("ok", "suspicious", "failed")  # from good to worst
FAILED_PREFIX = "nianbao/monitors/failed/"
VERDICT_STAT = "nianbao/monitors/verdict"


class NightlyMonitor(Monitor):
    verdict = "failed"
    longMessage = False  # the reason is our message alone, as the changes file shows it

    @property
    def stats(self) -> dict:
        return self.data.stats

    @property
    def settings(self):
        return self.data.crawler.settings

    def count(self, name: str) -> int:
        return int(self.stats.get(name) or 0)


@monitors.name("finish_reason")
class FinishReasonMonitor(NightlyMonitor):
    """The crawl ran to its end (not shut down, out of memory, closed by a limit)."""

    verdict = "failed"

    @monitors.name("finished")
    def test_finished(self):
        reason = self.stats.get("finish_reason")
        self.assertEqual(reason, "finished", f"the crawl ended with {reason!r}")


@monitors.name("error_ratio")
class ErrorRatioMonitor(NightlyMonitor):
    """Requests that got no answer (connection errors, timeouts) or a 5xx, over all requests."""

    verdict = "failed"

    @monitors.name("below_max")
    def test_error_ratio(self):
        requests = self.count("downloader/request_count")
        self.assertGreater(requests, 0, "no request was sent")
        failed = self.count("downloader/exception_count") + sum(
            int(value) for key, value in self.stats.items()
            if key.startswith("downloader/response_status_count/5"))
        ratio = failed / requests
        limit = self.settings.getfloat("NIGHTLY_MAX_ERROR_RATIO")
        self.assertLessEqual(ratio, limit, f"{failed} of {requests} requests failed "
                             f"({ratio:.0%} > {limit:.0%})")


@monitors.name("entries_listed")
class ListedEntriesMonitor(NightlyMonitor):
    """The column listed entries, and not far fewer than on the portal's last good run."""

    verdict = "suspicious"

    @monitors.name("like_last_good_run")
    def test_entries_listed(self):
        listed = self.count("nianbao/list_entries")
        self.assertGreater(listed, 0, "the column listed no entries")
        previous = self.last_good_listed()
        if previous:
            share = self.settings.getfloat("NIGHTLY_MIN_LISTED_SHARE")
            self.assertGreaterEqual(
                listed, share * previous,
                f"the column listed {listed} entries, its last good run {previous}")

    def last_good_listed(self) -> int | None:
        url = self.settings.get("DATABASE_URL")
        if not url or not self.stats.get("storage/crawl_run_id"):
            return None  # the crawl stored nothing (no storage pipeline): no history either
        run = ChangeQueries(shared_engine(url, migrate=False)).last_good_run(
            self.data.spider.name, self.stats.get("storage/crawl_run_id"), is_good_run)
        return int((run.stats or {}).get("nianbao/list_entries") or 0) if run else None


@monitors.name("parser_issues")
class ParserIssueRatioMonitor(NightlyMonitor):
    """Reports the parser flagged (or crashed on), over the reports read."""

    verdict = "suspicious"

    @monitors.name("below_max")
    def test_parser_issue_ratio(self):
        reports = self.count("nianbao/report_pages")
        if not reports:
            self.skipTest("no report pages read")
        flagged = self.count("parser/reports_with_issues") + self.count("parser/crashes")
        limit = self.settings.getfloat("NIGHTLY_MAX_PARSER_ISSUE_RATIO")
        self.assertLessEqual(flagged / reports, limit,
                             f"{flagged} of {reports} reports flagged by the parser")


def is_good_run(run) -> bool:
    """A stored crawl run that ended normally and that no monitor objected to."""
    stats = run.stats or {}
    return run.finish_reason == "finished" and stats.get(VERDICT_STAT, "ok") == "ok"


class RecordVerdicts(Action):
    """Writes each failed monitor, its verdict and reason, into the crawl's stats."""

    def run_action(self):
        stats = self.data.crawler.stats
        worst = "ok"
        for result in self.result.monitor_results:
            if result.status not in (spidermon_settings.MONITOR.STATUS.FAILURE,
                                     spidermon_settings.MONITOR.STATUS.ERROR):
                continue
            monitor = result.monitor
            verdict = getattr(monitor, "verdict", "failed")
            reason = result.reason or (result.error or "").strip().splitlines()[-1:] or ["error"]
            stats.set_value(FAILED_PREFIX + monitor.monitor_name,
                            f"{verdict}: {reason if isinstance(reason, str) else reason[0]}")
            worst = max(worst, verdict, key=VERDICTS.index)
        stats.set_value(VERDICT_STAT, worst)


class NightlyMonitorSuite(MonitorSuite):
    monitors = [FinishReasonMonitor, ErrorRatioMonitor, ListedEntriesMonitor,
                ParserIssueRatioMonitor]
    monitors_finished_actions = [RecordVerdicts]


def verdict_of(stats: dict) -> tuple[str, dict[str, str]]:
    """A crawl's verdict and failed monitors as the stats hold them (no monitors: ok)."""
    failed = {key[len(FAILED_PREFIX):]: str(value) for key, value in stats.items()
              if key.startswith(FAILED_PREFIX)}
    return str(stats.get(VERDICT_STAT) or "ok"), failed
