"""Turns each fetched report page into a report record (``crawler.extraction``)."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.extraction import extract_report
from crawler.items import ReportPage


class ReportExtractionPipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReportExtractionPipeline":
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, ReportPage):  # a withdrawal: nothing to extract
            return item
        extraction = extract_report(item.page, item.attachments)
        item.record = extraction.record
        item.text = extraction.text
        item.text_extractor = extraction.text_extractor
        item.document = extraction.document
        item.content_digest = extraction.content_digest
        for event in extraction.events:
            self.stats.inc_value(event)
        return item
