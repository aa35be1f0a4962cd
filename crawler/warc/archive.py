"""The crawl's WARC directory and its writer: open, recover, write, rotate, read back, close.

One owner for the writer's lifecycle, so the capture middleware only decides
what to write. At the start of a crawl the ``.open`` files a killed crawl
left behind are finished (:mod:`crawler.warc.recovery`); files rotate past
``WARC_MAX_SIZE`` (:class:`~crawler.warc.writer.RotatingWarcWriter`); the last
one is finished when the crawl closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

import scrapy
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from crawler.warc.http_message import HttpMessage
from crawler.warc.reader import ArchivedResponse, read_response
from crawler.warc.recovery import recover_open_files
from crawler.warc.revisits import RevisitOf
from crawler.warc.writer import RotatingWarcWriter
from nianbao_core.captures import PreviousCapture
from nianbao_core.pointer import WarcPointer


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
        if revisits and not settings.get("WARC_CAPTURE_INDEX"):
            raise ValueError("WARC_REVISITS needs the capture index: set WARC_CAPTURE_INDEX "
                             "(or WARC_REVISITS = False)")
        if settings.getlist("WARC_REPLAY") and settings.getbool("WARC_ENABLED"):
            # The replay add-on turns capture off; reaching here means something overrode it.
            raise ValueError("WARC_REPLAY reads the archive: WARC_ENABLED must be off with it")
        revisit_requests = settings.getbool("WARC_REVISIT_REQUESTS")
        if revisit_requests and not revisits:
            raise ValueError("WARC_REVISIT_REQUESTS is about revisit records, and "
                             "WARC_REVISITS is off")
        return cls(Path(directory), prefix, max_size, revisits, revisit_requests)


@cache
def _warcio_version() -> str:
    # Read from the installed distribution's metadata: milliseconds a call, once
    # per crawl, and a night crawls hundreds of portals in one process.
    return version("warcio")


class WarcArchive:
    """The WARC files of one crawl, with the crawl's stats (``warc/*``)."""

    def __init__(self, crawler: Crawler, config: WarcConfig):
        self.config = config
        self.stats = crawler.stats
        settings = crawler.settings
        # What an archived body may decode to when read back for a 304 (a gzip bomb
        # archived as sent must not be decoded whole).
        self.read_maxsize = settings.getint("WARC_READ_MAXSIZE")
        self.writer = RotatingWarcWriter(
            config.directory,
            prefix=config.prefix,
            max_size=config.max_size,
            warcinfo={
                "software": f"nianbao-archive (Scrapy {scrapy.__version__}; "
                            f"warcio {_warcio_version()})",
                "isPartOf": crawler.spider.name,
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "description": "nianbao-archive crawl of government information-disclosure "
                               "annual reports",
            },
        )

    @property
    def directory(self) -> Path:
        return self.config.directory

    def open(self) -> None:
        """Finish the files an earlier crawl was killed in the middle of, before anything.

        The capture index points at them under their final names.
        """
        recovered = recover_open_files(self.directory)
        if recovered:
            self.stats.set_value("warc/recovered_files", len(recovered))

    def holds(self, previous: PreviousCapture) -> bool:
        """Whether the record holding ``previous``'s payload is in this archive."""
        return (self.directory / previous.content_file).exists()

    def write(self, url: str, request: HttpMessage, response: HttpMessage, *, status: int,
              ip_address: str | None, revisit: RevisitOf | None) -> WarcPointer:
        """Archive one exchange (as a revisit record when ``revisit``); its record's place."""
        files_before = len(self.writer.finished_files)
        # A revisit's request is the previous one plus validators; what it asked
        # (method, URL, body digest) is in the capture index, so by default the
        # WARC keeps only the revisit and a nightly recrawl stays small.
        request_record = revisit is None or self.config.revisit_requests
        pointer = self.writer.write_exchange(
            url, request, response, ip_address=ip_address,
            revisit=revisit.reference() if revisit else None, request_record=request_record)
        self.stats.inc_value("warc/exchanges")
        self.stats.inc_value("warc/records", 2 if request_record else 1)
        self.stats.inc_value(f"warc/response_status/{status}")
        if len(self.writer.finished_files) > files_before:
            self.stats.inc_value("warc/files")
        return pointer

    def write_conversion(self, url: str, block: bytes, content_type: str, *,
                         refers_to: WarcPointer, metadata: dict[str, str]) -> WarcPointer:
        """Archive a rendered DOM (a conversion record) beside the response it came from."""
        files_before = len(self.writer.finished_files)
        pointer = self.writer.write_conversion(url, block, content_type, refers_to=refers_to,
                                               metadata=metadata)
        self.stats.inc_value("warc/conversions")
        self.stats.inc_value("warc/records", 2)
        if len(self.writer.finished_files) > files_before:
            self.stats.inc_value("warc/files")
        return pointer

    def read(self, previous: PreviousCapture) -> ArchivedResponse:
        """The archived response holding ``previous``'s payload.

        ``UnreadableRecord`` when it is damaged, ``BodyTooLarge`` when its body
        decodes past ``WARC_READ_MAXSIZE``.
        """
        return read_response(self.directory / previous.content_file, previous.content_offset,
                             self.read_maxsize)

    def close(self) -> None:
        was_open = self.writer.current_file is not None
        self.writer.close()
        if was_open:
            self.stats.inc_value("warc/files")
        self.stats.set_value("warc/directory", str(self.writer.directory))
