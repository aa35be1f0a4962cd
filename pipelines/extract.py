"""Turns each fetched report page into a report record (``crawler.extraction``).

Extraction runs in worker processes (``crawler.extraction_pool``): the
reactor goes on downloading while reports are parsed, and a report whose
extraction times out or kills its worker gets a flagged record instead of
stopping the crawl.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.extraction_pool import ExtractionPool
from crawler.items import ReportPage
from pipelines.archived_bodies import ArchivedBodies


class ReportExtractionPipeline:
    def __init__(self, crawler: Crawler, pool: ExtractionPool):
        self.stats = crawler.stats
        self.pool = pool
        self.archived_bodies = ArchivedBodies.from_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReportExtractionPipeline":
        return cls(crawler, ExtractionPool.from_crawler(crawler))

    async def process_item(self, item):
        if not isinstance(item, ReportPage):  # a withdrawal: nothing to extract
            return item
        self.archived_bodies.restore(item)  # the captures that travelled as WARC places
        extraction = await self.pool.extract(item.page, item.attachments)
        item.record = extraction.record
        item.text = extraction.text
        item.text_extractor = extraction.text_extractor
        item.document = extraction.document
        item.content_digest = extraction.content_digest
        for event in extraction.events:
            self.stats.inc_value(event)
        for stage, seconds in extraction.cpu.items():
            self.stats.inc_value(f"extraction/cpu_ms/{stage}", round(seconds * 1000, 3))
        return item
