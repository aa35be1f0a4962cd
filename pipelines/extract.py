"""Turns each fetched report page into a report record (``crawler.extraction``)."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.extraction import extract_report
from crawler.items import ReportPage
from pipelines.archived_bodies import ArchivedBodies


class ReportExtractionPipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.archived_bodies = ArchivedBodies.from_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReportExtractionPipeline":
        return cls(crawler)

    def process_item(self, item: ReportPage) -> ReportPage:
        self.archived_bodies.restore(item)  # the captures that travelled as WARC places
        extraction = extract_report(item.page, item.attachments)
        item.record = extraction.record
        item.text = extraction.text
        item.text_extractor = extraction.text_extractor
        item.document = extraction.document
        item.content_digest = extraction.content_digest
        for event in extraction.events:
            self.stats.inc_value(event)
        return item
