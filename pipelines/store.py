"""Storing report records through SQLAlchemy (``storage``).

The pipeline stores through the crawl's one engine (``storage.db.crawler_engine``:
``DATABASE_URL``, brought up to date once when ``STORAGE_AUTO_MIGRATE`` is
on, shared with the WARC capture index), records the crawl run and its final
stats, and writes each report in a transaction of its own.
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.items import ReportPage, ReportSeen, ReportWithdrawal
from storage.db import crawler_engine
from storage.repository import ReportStore
from storage.unchanged import StoredReports

logger = logging.getLogger(__name__)


class ReportStoragePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.store: ReportStore | None = None
        self.stored_reports: StoredReports | None = None
        # Reports seen unchanged, noted seen in one statement when the crawl closes: on
        # an unchanged night they are nearly every report, and each is one row's date.
        self.seen: list[int] = []
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReportStoragePipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        engine = crawler_engine(self.crawler)
        self.store = ReportStore(engine)
        self.stored_reports = StoredReports(engine)
        self.run_id = self.store.start_run(self.crawler.spider.name)
        # What a nightly run (crawler/commands/crawlall.py) asks the changes of.
        self.crawler.stats.set_value("storage/crawl_run_id", self.run_id)
        logger.info("Storing reports in %s", engine.url.render_as_string(hide_password=True))

    def process_item(self, item):
        if isinstance(item, ReportWithdrawal):
            if self.store.mark_withdrawn(item.url, item.how, self.run_id):
                self.crawler.stats.inc_value("storage/reports_withdrawn")
            return item
        if isinstance(item, ReportSeen):  # its stored version stands (pipelines.unchanged)
            self.seen.append(item.report_id)
            self.crawler.stats.inc_value("storage/reports_unchanged")
            return item
        started = time.process_time()
        spider = self.crawler.spider
        saved = self.store.save_report(
            portal=item.portal, record=item.record, page=item.page, document=item.document,
            attachments=item.attachments,
            content_digest=item.content_digest, list_title=item.list_title,
            main_text=item.text, text_extractor=item.text_extractor, run_id=self.run_id,
            portal_title=getattr(spider, "portal_name", None),
            portal_base_url=getattr(spider, "live_base_url", None))
        self.crawler.stats.inc_value("storage/reports_saved")
        if saved.new_version:
            self.crawler.stats.inc_value("storage/new_versions")
        # What storing costs per report (benchmarks/bench_crawl.py reports it).
        self.crawler.stats.inc_value(
            "storage/cpu_ms", round((time.process_time() - started) * 1000, 3))
        return item

    def spider_closed(self, reason: str) -> None:
        if self.store is None:
            return
        self.stored_reports.mark_seen(self.seen)
        self.store.finish_run(self.run_id, reason, self.crawler.stats.get_stats())
