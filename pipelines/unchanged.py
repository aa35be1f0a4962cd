"""Lets a report seen again unchanged skip extraction and storage (``SKIP_UNCHANGED_ENABLED``).

A nightly recrawl finds most report pages as they were: the WARC middleware
archives each as a revisit (a 304, or the payload digest of its last
capture) and the item points at the record holding the payload, the one the
stored version was built from. When every capture of the report is such a
revisit, the report's latest stored version was built from those very
records, by today's parser and main-text extractor, under the same list
title, and nothing flags it as unread (storage.unchanged.StoredBasis), extracting it again would give the
same record: the item becomes a ``ReportSeen``, which the storage pipeline
notes seen by the run. ``scrapy reparse`` is the way to read stored reports
again after a parser change; a withdrawn report that comes back takes the
ordinary path, so its return is noted.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extraction import TEXT_EXTRACTOR
from crawler.items import Capture, ReportPage, ReportSeen
from crawler.parser import PARSER_VERSION
from storage.db import crawler_engine
from storage.unchanged import StoredBasis, StoredReports


def revisit_of_record(capture: Capture) -> str | None:
    """The record id a revisited capture's payload is in; None when it was not a revisit."""
    warc = capture.warc
    return warc.record_id if warc is not None and warc.revisit_record_id else None


class UnchangedReportFilter:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.bases: dict[str, StoredBasis] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnchangedReportFilter:
        settings = crawler.settings
        if not settings.getbool("SKIP_UNCHANGED_ENABLED"):
            raise NotConfigured("SKIP_UNCHANGED_ENABLED is off")
        if not settings.get("DATABASE_URL"):
            raise NotConfigured("no DATABASE_URL: nothing stored to compare with")
        return cls(crawler)

    def open_spider(self) -> None:
        # One read per crawl: a portal's stored reports are a few dozen rows.
        self.bases = StoredReports(crawler_engine(self.crawler)).bases(self.crawler.spider.name)

    def process_item(self, item):
        if not isinstance(item, ReportPage):
            return item
        basis = self.bases.get(item.page.url)
        page = revisit_of_record(item.page)
        attachments = [revisit_of_record(a) for a in item.attachments]
        if basis is None or page is None or None in attachments:
            return item
        if not basis.stands_for(page, frozenset(attachments), parser_version=PARSER_VERSION,
                                text_extractor=TEXT_EXTRACTOR, list_title=item.list_title):
            return item
        self.crawler.stats.inc_value("nianbao/reports_unchanged")
        return ReportSeen(item.portal, item.page.url, basis.report_id)
