"""Bare Scrapy, the floor of our own stack: fetch a URL list with none of our components.

Run outside the project (no scrapy.cfg): ``scrapy runspider bare_spider.py -a urls=FILE``.
"""

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    async def start(self):
        with open(self.urls, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield scrapy.Request(line.strip(), dont_filter=True)

    def parse(self, response):
        return None
