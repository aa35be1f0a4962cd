"""Downloader middleware that archives every HTTP exchange to WARC and indexes it.

It sits at the downloader end of the chain (order 950), so it sees each
response first on its way back: before HttpCompressionMiddleware decodes the
body and before redirects, retries and robots.txt handling act on it. It only
orchestrates, as Scrapy's ``HttpCacheMiddleware`` does with its policy and
storage; each part is a module of its own:

* :mod:`crawler.warc.archive`: the WARC files (open, recover, write, rotate,
  read back, close);
* :mod:`crawler.warc.revisits`: the revisit policy (which validators to send,
  which answers are revisits), pure;
* :mod:`crawler.warc.capture_index`: the capture index, behind an interface
  chosen by ``WARC_CAPTURE_INDEX``.

What it leaves on the request (``nianbao_core.meta``): the
:class:`~nianbao_core.pointer.WarcPointer` of the record holding the
response's payload (``WARC_POINTER``) and the charset evidence of the
capture (``CHARSET_EVIDENCE``), for the items built from that response.

Recrawls (``WARC_REVISITS``): a ``304`` is archived as a *server-not-modified*
revisit record and the spider gets the archived response in its place, so it
carries on as if the page had been sent; an unchanged payload is archived as
an *identical-payload-digest* revisit. Per-request opt-out:
``request.meta["dont_revisit"] = True``.
"""

from __future__ import annotations

import logging

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.charset_evidence import evidence_for, wire_evidence
from crawler.warc.archive import WarcArchive, WarcConfig
from crawler.warc.capture_index import build_capture_index
from crawler.warc.http_message import request_message, response_message
from crawler.warc.reader import UnreadableRecord
from crawler.warc.revisits import RevisitPolicy
from nianbao_core import meta
from nianbao_core.captures import CaptureEntry, RequestKey

logger = logging.getLogger(__name__)

_CONDITIONED = "_warc_conditioned_on"  # the PreviousCapture a request's validators came from


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler, config: WarcConfig):
        self.config = config
        self.archive = WarcArchive(crawler, config)
        self.index = build_capture_index(crawler)
        if config.revisits and self.index is None:
            raise ValueError("WARC_REVISITS needs the capture index, and there is none "
                             "(see the warning above; or WARC_REVISITS = False)")
        self.policy: RevisitPolicy | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WarcCaptureMiddleware":
        if not crawler.settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        return cls(crawler, WarcConfig.from_settings(crawler.settings, crawler.spider.name))

    def spider_opened(self) -> None:
        self.archive.open()
        if self.config.revisits:
            # Only captures whose payload is in this archive can answer for a 304.
            self.policy = RevisitPolicy({
                key: p for key, p in self.index.previous_captures().items()
                if self.archive.holds(p)})
            logger.info("%d URLs archived before: recrawled conditionally", len(self.policy))

    # -- requests: validators of the last capture ------------------------------------
    def process_request(self, request: Request) -> None:
        if self.policy is None or request.meta.get(meta.DONT_REVISIT):
            return None
        previous = self.policy.conditional_on(
            request_key(request), has_validators=b"If-None-Match" in request.headers
            or b"If-Modified-Since" in request.headers)
        if previous is not None:
            if previous.etag:
                request.headers[b"If-None-Match"] = previous.etag
            if previous.last_modified:
                request.headers[b"If-Modified-Since"] = previous.last_modified
            request.meta[_CONDITIONED] = previous
        return None

    # -- responses: archive, as a revisit when nothing changed -------------------------
    def process_response(self, request: Request, response: Response) -> Response:
        rendered_from = request.meta.get(meta.RENDERED_FROM)
        if rendered_from is not None:
            return self._archive_rendered(request, response, rendered_from)
        wire = response_message(response)
        key = request_key(request)
        revisit = None
        if self.policy is not None and not request.meta.get(meta.DONT_REVISIT):
            revisit = self.policy.revisit_of(
                key, status=response.status,
                payload_digest=wire.payload_digest if wire.payload else None,
                conditioned_on=request.meta.get(_CONDITIONED))
        pointer = self.archive.write(
            response.url, request_message(request), wire, status=response.status,
            ip_address=str(response.ip_address) if response.ip_address else None,
            revisit=revisit)
        archived = unreadable = None
        if revisit is not None and revisit.not_modified:
            try:
                archived = self.archive.read(revisit.previous)
            except UnreadableRecord as exc:
                unreadable = exc
        content_type = _header(response, b"Content-Type")
        # The one place charset evidence is taken; items carry it on from the meta.
        if archived is not None:  # a 304 has no body: the evidence is the archived page's
            charsets = evidence_for(archived.content_type, archived.body)
        else:
            charsets = wire_evidence(content_type, _header(response, b"Content-Encoding"),
                                     wire.payload)
        if self.index is not None:
            self.index.add(CaptureEntry(
                key=key, status=response.status, content_type=content_type, pointer=pointer,
                etag=_header(response, b"ETag"),
                last_modified=_header(response, b"Last-Modified"),
                refers_to=revisit.previous.content_record_id if revisit else None,
                charsets=charsets))
        if unreadable is not None:
            # Not modified, and what it stands for cannot be had (damaged, or a body
            # that decodes past WARC_READ_MAXSIZE): a counted skip, never a 5 GB decode.
            self.archive.stats.inc_value("warc/revisits_unreadable")
            raise IgnoreRequest(f"304 for {request.url}, and its archived page cannot be "
                                f"read back: {unreadable}")
        request.meta[meta.CHARSET_EVIDENCE] = charsets
        if revisit is None:
            request.meta[meta.WARC_POINTER] = pointer
            return response
        self.archive.stats.inc_value(f"warc/revisits/{revisit.name}")
        # Items point at the record that holds the payload, not at the revisit.
        request.meta[meta.WARC_POINTER] = revisit.previous.content_pointer(pointer.record_id)
        if archived is not None:
            # The spider carries on with the archived page standing in for the 304.
            return archived.to_scrapy(request, flags=["revisit"])
        return response

    def _archive_rendered(self, request: Request, response: Response,
                          rendered_from) -> Response:
        """A page rendered in the browser (crawler/render.py): every byte the browser
        fetched is archived already, as exchanges of their own; what is left is the
        rendered DOM, kept as a conversion record referring to the served document."""
        content_type = _header(response, b"Content-Type") or "text/html"
        # scrapy-playwright hands the DOM over encoded as UTF-8, whatever the page declared.
        dom_type = "text/html; charset=utf-8" if "html" in content_type else content_type
        dom = self.archive.write_conversion(
            response.url, response.body, dom_type, refers_to=rendered_from,
            metadata=request.meta.get(meta.RENDERED_BY) or {})
        request.meta[meta.RENDERED_DOM] = dom
        # Items point at what the spider parsed, the rendered page: read back (a
        # request's state between attachments, scrapy reparse) it is the DOM again.
        request.meta[meta.WARC_POINTER] = dom
        request.meta[meta.CHARSET_EVIDENCE] = evidence_for(dom_type, response.body)
        return response

    def spider_closed(self) -> None:
        self.archive.close()
        if self.index is not None:
            self.index.close()


def request_key(request: Request) -> RequestKey:
    return RequestKey.of(request.method, request.url, request.body)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value is not None else None
