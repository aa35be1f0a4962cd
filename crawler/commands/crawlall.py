"""``scrapy crawlall``: crawl every enabled portal in one process, then say what changed.

Each portal is a crawler of its own in one Scrapy process (its own downloader,
so politeness — concurrency, delay, AutoThrottle — holds per site), with
``CRAWLALL_CONCURRENT_PORTALS`` crawling at a time. Each is incremental as any
crawl is: list pages fetched, report pages through the revisit machinery.
When all are done the changes their crawl runs noted are read from the
database (``storage/changes.py``), printed with a per-portal table, written as
JSON (``--changes``) and HTML, and sent through apprise (``NOTIFY_URLS``).
The exit status is 1 when any portal failed or looks suspicious.
"""

from __future__ import annotations

import argparse
import gc
import logging
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

if TYPE_CHECKING:
    from crawler.nightly.portals import Portal


logger = logging.getLogger(__name__)


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--portals A,B] [--region R] [--level L] [--changes FILE] [--html FILE]"

    def short_desc(self) -> str:
        return "Crawl every enabled portal, report what changed, notify"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--portals", metavar="A,B", help="only these portals")
        parser.add_argument("--region", help="only portals whose region contains this")
        parser.add_argument("--level", help="only portals of this administrative level")
        parser.add_argument("--changes", metavar="FILE", help="write the changes as JSON")
        parser.add_argument("--html", metavar="FILE",
                            help="write the changes page (default: the --changes file "
                                 "with .html)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here, not when Scrapy lists its commands at every start-up.
        from crawler.nightly import page
        from crawler.nightly.notify import notify, urls_from_setting
        from crawler.nightly.portals import UnknownPortal, choose
        from crawler.nightly.report import NightReport, PortalResult
        from storage.changes import ChangeQueries
        from storage.db import held_engine

        if args:
            raise UsageError("crawlall takes no arguments; use --portals A,B")
        names = [n.strip() for n in opts.portals.split(",") if n.strip()] if opts.portals \
            else None
        try:
            portals = choose(self.crawler_process.spider_loader, names, opts.region, opts.level)
        except UnknownPortal as exc:
            raise UsageError(str(exc)) from exc
        if not portals:
            raise UsageError("no portal matches")
        # The process's one engine, migrated once before the crawlers' pipelines share
        # it, and open from one portal's crawl to the next.
        with held_engine(self.settings.get("DATABASE_URL"),
                         migrate=self.settings.getbool("STORAGE_AUTO_MIGRATE")) as engine:
            started = datetime.now(UTC)
            final_stats = self.run_all(portals,
                                       self.settings.getint("CRAWLALL_CONCURRENT_PORTALS"))
            finished = datetime.now(UTC)
            run_ids = [s["storage/crawl_run_id"] for s in final_stats.values()
                       if s and s.get("storage/crawl_run_id")]
            changes = ChangeQueries(engine).changes(run_ids)
        counts = changes.counts()  # one pass for all portals, not one per portal
        report = NightReport(
            started.isoformat(timespec="seconds"), finished.isoformat(timespec="seconds"),
            {name: PortalResult.from_stats(name, stats, counts.get(name, {}))
             for name, stats in final_stats.items()}, changes)
        html = Path(opts.html) if opts.html else (
            Path(opts.changes).with_suffix(".html") if opts.changes else None)
        if html:
            report.page_url = self.settings.get("NOTIFY_CHANGES_URL") or html.resolve().as_uri()
            page.write(report, html)
        if opts.changes:
            report.write_json(Path(opts.changes))
        print(report.summary(), flush=True)
        sent = notify(report, urls_from_setting(self.settings.get("NOTIFY_URLS")))
        if sent is False:
            logger.error("Notification failed")
        if report.status != "ok":
            self.exitcode = 1

    def portal_crawler(self, spider_cls) -> Crawler:
        """A crawler with settings of its own: its WARC files in a directory of its own."""
        crawler = Crawler(spider_cls, self.settings)  # a copy of its own (a deep one: once)
        root = self.settings.get("WARC_DIR")
        if root:
            # Above cmdline (40): the process merges its own settings into the
            # crawler's and would put the root back at equal priority.
            crawler.settings.set("WARC_DIR", str(Path(root) / spider_cls.name), priority=45)
        return self.crawler_process.create_crawler(crawler)

    def run_all(self, portals: list[Portal], at_once: int) -> dict[str, dict | None]:
        """Crawl all, ``at_once`` at a time, in this process; each one's final stats.

        A portal's crawler is built when its turn comes, and only its stats are
        kept when it is done: a crawler holds a copy of the settings, and once
        finished still its engine, spider and components; hundreds of them held
        made every full garbage collection of the process slower (a night's CPU
        per portal grew with the number of portals).
        """
        final_stats: dict[str, dict | None] = {p.name: None for p in portals}
        waiting = deque(portals)
        process = self.crawler_process

        def start_next() -> None:
            # Called from the finished crawl's done-callback, before the process's
            # join() looks again: the next crawl is already tracked by then.
            while waiting:
                portal = waiting.popleft()
                try:
                    crawler = self.portal_crawler(portal.spider_cls)
                except Exception:  # this portal fails (no stats: "did not start"), not the night
                    logger.exception("Portal %s: its crawler could not be built", portal.name)
                    continue

                def done(*_, name=portal.name, crawler=crawler) -> None:
                    final_stats[name] = self.final_stats(crawler)
                    start_next()

                task = process.crawl(crawler)
                add_done = getattr(task, "add_done_callback", None) or task.addBoth
                add_done(done)
                return

        # What is imported by now lives as long as the process: out of the collector's
        # sight, a full collection (one every ~15 portals) looks at half the objects.
        gc.freeze()
        for _ in range(max(1, at_once)):
            start_next()
        process.start()
        return final_stats

    @staticmethod
    def final_stats(crawler: Crawler) -> dict | None:
        if getattr(crawler, "spider", None) is None:
            return None  # the crawl did not start (e.g. the spider failed to build)
        return dict(crawler.stats.get_stats())
