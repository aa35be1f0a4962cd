"""A spider (for ``scrapy runspider``) whose reports are a seed report and a hostile PDF.

Its one request is a ``data:`` URL, so nothing is fetched from anywhere; the
reports then go through the project's pipelines as any crawl's do. The
PDF's pages (``tests.hostile_inputs.slow_pdf``) take minutes to read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import scrapy

from crawler.items import Capture, ReportPage
from tests.hostile_inputs import slow_pdf

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_8ea8eed0dcff065f.txt"


class HostileDocumentsSpider(scrapy.Spider):
    name = "hostile_documents"
    start_urls = ["data:,start"]

    def parse(self, response):
        now = datetime.now(UTC).isoformat()
        yield ReportPage(portal=self.name, page=Capture(
            url="http://portal.test/slow.pdf", status=200, content_type="application/pdf",
            body=slow_pdf(pages=12), fetched_at=now))
        yield ReportPage(portal=self.name, page=Capture(
            url="http://portal.test/seed.txt", status=200,
            content_type="text/plain; charset=utf-8", body=SEED.read_bytes(), fetched_at=now))
