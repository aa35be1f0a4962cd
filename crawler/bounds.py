"""Download size bounds by content type: a page is bounded far below an attachment.

Scrapy bounds every download by ``DOWNLOAD_MAXSIZE`` (wire bytes, and decoded
bytes in HttpCompressionMiddleware). Reports come as HTML pages of 10-500 kB
and as PDF/DOCX attachments of up to tens of MB; one bound for both either
lets a 100 MB "page" (or a gzip bomb decoding to it) reach the parser or
refuses real attachments. ``ContentSizeBoundsMiddleware`` adds
``DOWNLOAD_MAXSIZE_PAGE`` for text responses (HTML, XML, JSON, plain text):

* on the wire, through the ``headers_received`` / ``bytes_received`` signals:
  a text response whose ``Content-Length`` or received bytes pass the bound is
  stopped there (``StopDownload``, so the request's errback runs);
* decoded: before HttpCompressionMiddleware (590) undoes a content coding,
  a text response's ``download_maxsize`` becomes the page bound, so a gzip
  bomb served as a page is refused after that many decoded bytes.

Each refusal is counted (``bounds/page_too_large``) and logged with its size.
The response, as far as it was received, is not archived (Scrapy fails the
download); a decoded bomb was archived as sent, and reading it back is
bounded by ``WARC_READ_MAXSIZE`` (``crawler/warc/reader.py``).
"""

from __future__ import annotations

import logging

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Headers, Response

logger = logging.getLogger(__name__)

TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json",
              "application/javascript")
_RECEIVED = "_bounds_received"  # request.meta: (is text, bytes so far)


def is_text_type(content_type: bytes | str | None) -> bool:
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    return (content_type or "").strip().lower().startswith(TEXT_TYPES)


class ContentSizeBoundsMiddleware:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.page_maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE_PAGE")
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentSizeBoundsMiddleware:
        return cls(crawler)

    def _bound(self, request: Request) -> int:
        own = request.meta.get("download_maxsize")
        return min(own, self.page_maxsize) if own else self.page_maxsize

    def _refuse(self, request: Request, size: int, how: str) -> None:
        self.stats.inc_value("bounds/page_too_large")
        logger.warning("Page over DOWNLOAD_MAXSIZE_PAGE (%d bytes): %s, %s %d bytes",
                       self._bound(request), request.url, how, size)

    # -- on the wire -------------------------------------------------------------------
    def headers_received(self, headers: Headers, body_length: int, request: Request,
                         spider=None) -> None:
        text = is_text_type(headers.get(b"Content-Type"))
        request.meta[_RECEIVED] = (text, 0)
        if text and body_length is not None and body_length > self._bound(request):
            self._refuse(request, body_length, "announces")
            raise StopDownload(fail=True)

    def bytes_received(self, data: bytes, request: Request, spider=None) -> None:
        text, received = request.meta.get(_RECEIVED, (False, 0))
        if not text:
            return
        received += len(data)
        request.meta[_RECEIVED] = (text, received)
        if received > self._bound(request):
            self._refuse(request, received, "received")
            raise StopDownload(fail=True)

    # -- decoded (HttpCompressionMiddleware reads download_maxsize next) ----------------
    def process_response(self, request: Request, response: Response) -> Response:
        request.meta.pop(_RECEIVED, None)
        if (response.headers.get(b"Content-Encoding")
                and is_text_type(response.headers.get(b"Content-Type"))):
            request.meta["download_maxsize"] = self._bound(request)
        return response
