"""Downloader middleware that archives every HTTP exchange to WARC and indexes it.

It sits at the downloader end of the chain (order 950), so it sees each
response first on its way back: before HttpCompressionMiddleware decodes the
body and before redirects, retries and robots.txt handling act on it. The
place of the record holding the response's payload is left in
``request.meta["warc"]`` (file, offset, length, record id, date, payload
digest) for the items built from that response.

Recrawls (``WARC_REVISITS``): a GET for a URL archived before carries the
server's validators from the last capture (``If-None-Match``,
``If-Modified-Since``). A ``304`` is archived as a *server-not-modified*
revisit record and the spider gets the archived response in its place, so it
carries on as if the page had been sent; a ``200`` whose payload is the one
archived before is archived as an *identical-payload-digest* revisit. Both
point at the earlier record that holds the payload. Per-request opt-out:
``request.meta["dont_revisit"] = True``.

Every record written is added to the capture index in the database
(``storage.capture_index``), which is where the last captures come from.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings

from crawler.charset_evidence import evidence_for, wire_evidence
from crawler.warc.http_message import HttpMessage, request_message, response_message
from crawler.warc.reader import ArchivedResponse, UnreadableRecord, read_response
from crawler.warc.recovery import recover_open_files
from crawler.warc.writer import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Revisit,
    RotatingWarcWriter,
)
from storage.capture_index import CaptureIndex, PreviousCapture, RequestKey
from storage.db import make_engine, upgrade

logger = logging.getLogger(__name__)

META_KEY = "warc"
_CONDITIONED = "_warc_conditioned_on"  # the PreviousCapture a request's validators came from


@dataclass(frozen=True)
class WarcConfig:
    directory: Path
    prefix: str
    max_size: int
    revisits: bool
    revisit_requests: bool = False

    @classmethod
    def from_settings(cls, settings: BaseSettings, spider_name: str) -> "WarcConfig":
        max_size = settings.getint("WARC_MAX_SIZE")
        if max_size <= 0:
            raise ValueError(f"WARC_MAX_SIZE must be a positive number of bytes, not {max_size}")
        prefix = settings.get("WARC_PREFIX") or "nianbao"
        if "/" in prefix or "\\" in prefix:
            raise ValueError(f"WARC_PREFIX must be a file-name prefix, not a path: {prefix!r}")
        directory = settings.get("WARC_DIR") or str(Path("archive") / spider_name)
        revisits = settings.getbool("WARC_REVISITS")
        if revisits and not settings.get("DATABASE_URL"):
            raise ValueError("WARC_REVISITS needs the capture index: set DATABASE_URL "
                             "(or WARC_REVISITS = False)")
        if settings.getlist("WARC_REPLAY") and settings.getbool("WARC_ENABLED"):
            # The replay add-on turns capture off; reaching here means something overrode it.
            raise ValueError("WARC_REPLAY reads the archive: WARC_ENABLED must be off with it")
        revisit_requests = settings.getbool("WARC_REVISIT_REQUESTS")
        if revisit_requests and not revisits:
            raise ValueError("WARC_REVISIT_REQUESTS is about revisit records, and "
                             "WARC_REVISITS is off")
        return cls(Path(directory), prefix, max_size, revisits, revisit_requests)


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler, config: WarcConfig):
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        settings = crawler.settings
        self.writer = RotatingWarcWriter(
            config.directory,
            prefix=config.prefix,
            max_size=config.max_size,
            warcinfo={
                "software": f"nianbao-archive (Scrapy {scrapy.__version__}; "
                            f"warcio {version('warcio')})",
                "isPartOf": crawler.spider.name,
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "description": "nianbao-archive crawl of government information-disclosure "
                               "annual reports",
            },
        )
        self.database_url = settings.get("DATABASE_URL")
        self.read_maxsize = settings.getint("WARC_READ_MAXSIZE")
        self.auto_migrate = settings.getbool("STORAGE_AUTO_MIGRATE")
        self.index: CaptureIndex | None = None
        self.previous: dict[RequestKey, PreviousCapture] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WarcCaptureMiddleware":
        if not crawler.settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        return cls(crawler, WarcConfig.from_settings(crawler.settings, crawler.spider.name))

    def spider_opened(self) -> None:
        # Files an earlier crawl was killed in the middle of: finished before anything
        # (the capture index points at them under their final names).
        recovered = recover_open_files(self.config.directory)
        if recovered:
            self.stats.set_value("warc/recovered_files", len(recovered))
        if not self.database_url:
            logger.warning("No DATABASE_URL: WARC records are written but not indexed")
            return
        engine = make_engine(self.database_url)
        if self.auto_migrate:
            upgrade(engine)
        self.index = CaptureIndex(engine)
        if self.config.revisits:
            # Only captures whose payload is in this archive can answer for a 304.
            self.previous = {key: p for key, p in self.index.previous_captures().items()
                             if (self.config.directory / p.content_file).exists()}
            logger.info("%d URLs archived before: recrawled conditionally", len(self.previous))

    # -- requests: validators of the last capture ------------------------------------
    def process_request(self, request: Request) -> None:
        if (not self.config.revisits or request.method != "GET"
                or request.meta.get("dont_revisit")):
            return None
        previous = self.previous.get(request_key(request))
        if (previous is None or previous.status != 200 or b"If-None-Match" in request.headers
                or b"If-Modified-Since" in request.headers):
            return None
        if previous.etag:
            request.headers[b"If-None-Match"] = previous.etag
        if previous.last_modified:
            request.headers[b"If-Modified-Since"] = previous.last_modified
        if previous.etag or previous.last_modified:
            request.meta[_CONDITIONED] = previous
        return None

    # -- responses: archive, as a revisit when nothing changed -------------------------
    def _revisit_of(self, request: Request, response: Response,
                    wire: HttpMessage) -> tuple[str, PreviousCapture] | None:
        if not self.config.revisits or request.meta.get("dont_revisit"):
            return None
        conditioned = request.meta.get(_CONDITIONED)
        if response.status == 304 and conditioned is not None:
            return SERVER_NOT_MODIFIED, conditioned
        previous = self.previous.get(request_key(request))
        # Any status: an unchanged 404 page or dataproxy answer is unchanged too.
        # An empty payload (a redirect) is not worth a reference.
        if (previous is not None and wire.payload and previous.status == response.status
                and previous.payload_digest == wire.payload_digest):
            return IDENTICAL_PAYLOAD, previous
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        files_before = len(self.writer.finished_files)
        wire_response = response_message(response)
        revisit = self._revisit_of(request, response, wire_response)
        reference = None
        if revisit is not None:
            profile, previous = revisit
            reference = Revisit(profile, previous.content_record_id, previous.content_uri,
                                previous.content_date, previous.payload_digest)
        # A revisit's request is the previous one plus validators; what it asked
        # (method, URL, body digest) is in the capture index, so by default the
        # WARC keeps only the revisit and a nightly recrawl stays small.
        request_record = reference is None or self.config.revisit_requests
        pointer = self.writer.write_exchange(
            response.url, request_message(request), wire_response,
            ip_address=str(response.ip_address) if response.ip_address else None,
            revisit=reference, request_record=request_record)
        self.stats.inc_value("warc/exchanges")
        self.stats.inc_value("warc/records", 2 if request_record else 1)
        self.stats.inc_value(f"warc/response_status/{response.status}")
        if len(self.writer.finished_files) > files_before:
            self.stats.inc_value("warc/files")
        archived = unreadable = None
        if reference is not None and profile == SERVER_NOT_MODIFIED:
            try:
                archived = read_response(self.config.directory / previous.content_file,
                                         previous.content_offset, self.read_maxsize)
            except UnreadableRecord as exc:
                unreadable = exc
        if self.index is not None:
            self._add_to_index(request, response, wire_response, pointer, reference, archived)
        if unreadable is not None:
            # Not modified, and what it stands for cannot be had (damaged, or a body
            # that decodes past WARC_READ_MAXSIZE): a counted skip, never a 5 GB decode.
            self.stats.inc_value("warc/revisits_unreadable")
            raise IgnoreRequest(f"304 for {request.url}, and its archived page cannot be "
                                f"read back: {unreadable}")
        if reference is None:
            request.meta[META_KEY] = pointer.as_dict()
            return response
        self.stats.inc_value(f"warc/revisits/{profile.rsplit('/', 1)[1]}")
        # Items point at the record that holds the payload, not at the revisit.
        request.meta[META_KEY] = {
            "warc_file": previous.content_file, "warc_offset": previous.content_offset,
            "warc_record_id": previous.content_record_id, "warc_date": previous.content_date,
            "payload_digest": previous.payload_digest, "record_type": "response",
            "revisit_record_id": pointer.record_id}
        if archived is not None:
            # The spider carries on with the archived page standing in for the 304.
            return archived.to_scrapy(request, flags=["revisit"])
        return response

    def _add_to_index(self, request: Request, response: Response, wire: HttpMessage,
                      pointer, reference: Revisit | None,
                      archived: ArchivedResponse | None) -> None:
        content_type = _header(response, b"Content-Type")
        if archived is not None:  # a 304 has no body: the evidence is the archived page's
            charsets = evidence_for(archived.content_type, archived.body)
        else:
            charsets = wire_evidence(content_type, _header(response, b"Content-Encoding"),
                                     wire.payload)
        self.index.add(
            key=request_key(request), status=response.status, content_type=content_type,
            pointer=pointer.as_dict(), etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            refers_to=reference.refers_to if reference else None, charsets=charsets)

    def spider_closed(self) -> None:
        was_open = self.writer.current_file is not None
        self.writer.close()
        if was_open:
            self.stats.inc_value("warc/files")
        self.stats.set_value("warc/directory", str(self.writer.directory))
        if self.index is not None:
            self.index.engine.dispose()


def request_key(request: Request) -> RequestKey:
    return request.method, request.url, hashlib.sha1(request.body).hexdigest()


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value is not None else None
