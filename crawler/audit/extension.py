"""Run the cross-report audit when a crawl that stored reports closes.

Enabled by ``AUDIT_ENABLED``; it audits the crawled portal's reports only
(``scrapy audit`` does the whole database) and counts what it found in the
crawl's stats (``audit/pairs``, ``audit/issues/<code>``).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.audit import run_audit
from storage.db import crawler_engine
from storage.repository import ReportStore

logger = logging.getLogger(__name__)


class CrossReportAudit:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrossReportAudit:
        if not crawler.settings.getbool("AUDIT_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def spider_closed(self, reason: str) -> None:
        stats = self.crawler.stats
        if not stats.get_value("storage/reports_saved"):
            return  # nothing stored (storage off, or nothing found): nothing new to audit
        spider = self.crawler.spider
        # The crawl's one engine (storage.db.crawler_engine), as the storage pipeline's
        summary = run_audit(ReportStore(crawler_engine(self.crawler)),
                            {spider.name: dict(getattr(spider, "agency_renames", {}))},
                            portal=spider.name)
        stats.set_value("audit/reports", summary.reports)
        stats.set_value("audit/pairs", summary.pairs)
        for code, count in summary.issues.items():
            stats.set_value(f"audit/issues/{code}", count)
        logger.info("Cross-report audit of %s: %d reports, %d year-to-year pairs, issues %s",
                    spider.name, summary.reports, summary.pairs, dict(summary.issues))
