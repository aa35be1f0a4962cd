"""A test-only extension: the size of every scheduled request as a disk queue stores it.

Enabled in a test crawl with ``-s EXTENSIONS={"tests.request_sizes.RequestSizes": 0}``
and ``-s REQUEST_SIZES_FILE=PATH``, it appends one tab-separated line per
request: the bytes of its ``cb_kwargs`` pickled (the spider's own state), the
bytes of the whole request as Scrapy's ``JOBDIR`` queues pickle it
(``request_to_dict``, pickle protocol 4; also what a shared frontier such as
scrapy-redis stores by default), and its method and URL.
"""

from __future__ import annotations

import pickle

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class RequestSizes:
    def __init__(self, crawler: Crawler, path: str):
        self.crawler = crawler
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed with the spider
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestSizes:
        path = crawler.settings.get("REQUEST_SIZES_FILE")
        if not path:
            raise NotConfigured("REQUEST_SIZES_FILE is not set")
        return cls(crawler, path)

    def request_scheduled(self, request: Request) -> None:
        size = len(pickle.dumps(request.to_dict(spider=self.crawler.spider), protocol=4))
        state = len(pickle.dumps(request.cb_kwargs, protocol=4))
        self.file.write(f"{state}\t{size}\t{request.method} {request.url}\n")
        self.file.flush()

    def spider_closed(self) -> None:
        self.file.close()
