"""Downloader middlewares of the project, other than WARC capture (crawler/warc/).

``RedirectLoopMiddleware``: a redirect to the URL itself, or back to one the
request was already redirected through, is counted
(``nianbao/redirect_loops``), logged and dropped (``IgnoreRequest``, so the
errback runs), instead of being dropped silently by the duplicate filter or
followed REDIRECT_MAX_TIMES times.

``TruncatedResponseRetryMiddleware``: a response cut off by a dropped
connection is archived, then retried. Scrapy's default
(``DOWNLOAD_FAIL_ON_DATALOSS = True``) turns such a response into a download
error, so the bytes the server did send never reach the archive. The project
turns that off and lets the WARC middleware archive the partial response
(with ``WARC-Truncated: disconnect``); this middleware, just below it in the
chain, then retries the request through Scrapy's retry machinery
(``RETRY_ENABLED``, ``RETRY_TIMES``, ``dont_retry``, ``retry/*`` stats), and
once retries run out (or are off) drops the response with ``IgnoreRequest``,
so the request's errback runs and no spider ever parses a page that stops
half way.
"""

from __future__ import annotations

from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from w3lib.url import safe_url_string


class TruncatedResponseRetryMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.retry_enabled = crawler.settings.getbool("RETRY_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "TruncatedResponseRetryMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if "dataloss" not in response.flags:
            return response
        self.crawler.stats.inc_value("nianbao/truncated_responses")
        if self.retry_enabled and not request.meta.get("dont_retry"):
            retry = get_retry_request(request, spider=self.crawler.spider,
                                      reason="truncated response")
            if retry is not None:
                return retry
        raise IgnoreRequest(f"truncated response, not retried again: {response.url} "
                            f"({len(response.body)} bytes received)")


class RedirectLoopMiddleware:
    """Sits above RedirectMiddleware (600) in number: sees a 3xx before it is followed."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RedirectLoopMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        seen = {request.url, *request.meta.get("redirect_urls", ())}
        if target not in seen:
            return response
        self.crawler.stats.inc_value("nianbao/redirect_loops")
        raise IgnoreRequest(f"redirect loop: {request.url} redirects to {target}, "
                            "already visited")
