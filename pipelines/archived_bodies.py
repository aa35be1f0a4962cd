"""The bytes of captures that travelled between requests as WARC places.

While a report's attachments are fetched, its page (and any attachment before
the last) rides in the request as a WARC place without its bytes
(``Capture.pointer_only``), so that queued requests stay small on disk and in
a shared frontier. The extraction pipeline needs the bytes: this reads them
back from where they were archived, the crawl's ``WARC_DIR`` (the file being
written still ends in ``.open``) or, in a replay, the ``WARC_REPLAY`` files.

Reading back rather than carrying the bytes to the end: the archive is
where the bytes are kept anyway, it survives a paused crawl, and the records
are flushed before a response reaches the spider. Only reports with
attachments pay for it (one record read, about 0.2 ms).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import Capture, ReportPage
from crawler.warc.reader import UnreadableRecord, read_response, warc_files
from crawler.warc.writer import OPEN_SUFFIX

logger = logging.getLogger(__name__)


class ArchivedBodies:
    def __init__(self, crawler: Crawler, directory: Path, replay_paths: list[str],
                 read_maxsize: int):
        self.stats = crawler.stats
        self.directory = directory
        self.replay_paths = replay_paths
        self.read_maxsize = read_maxsize  # a gzip bomb archived as sent is not decoded whole
        self._replay_files: dict[str, Path] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivedBodies:
        settings = crawler.settings
        # The same default as the capture middleware's (crawler.warc.archive.WarcConfig).
        directory = Path(settings.get("WARC_DIR") or Path("archive") / crawler.spider.name)
        return cls(crawler, directory, settings.getlist("WARC_REPLAY"),
                   settings.getint("WARC_READ_MAXSIZE"))

    def restore(self, item: ReportPage) -> None:
        """Give every capture of ``item`` its bytes; ``DropItem`` when one cannot be read.

        A report is not stored without all its captures: a record built from part of
        them could lack its numbers with nothing to say so.
        """
        item.page = self._restored(item.page)
        item.attachments = [self._restored(capture) for capture in item.attachments]

    def _restored(self, capture: Capture) -> Capture:
        if capture.body is not None:
            return capture
        try:
            archived = read_response(self._path(capture.warc.file), capture.warc.offset,
                                     self.read_maxsize)
        except (UnreadableRecord, FileNotFoundError) as exc:
            self.stats.inc_value("nianbao/bodies_read_back_failed")
            logger.error("Cannot read back %s from the archive: %s", capture.url, exc)
            raise DropItem(f"{capture.url} not readable from the archive: {exc}") from exc
        self.stats.inc_value("nianbao/bodies_read_back")
        return replace(capture, body=archived.body)

    def _path(self, name: str) -> Path:
        if self.replay_paths:
            if self._replay_files is None:
                self._replay_files = {p.name: p for p in warc_files(self.replay_paths)}
            return self._replay_files[name] if name in self._replay_files else Path(name)
        final = self.directory / name
        if final.exists():
            return final
        being_written = final.with_name(name + OPEN_SUFFIX)
        # The writer may rename it between the two looks.
        return being_written if being_written.exists() else final
