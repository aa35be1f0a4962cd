"""The capture index as the WARC code sees it: a small interface, chosen by a setting.

``WARC_CAPTURE_INDEX`` names the class (as ``HTTPCACHE_STORAGE`` names the
HTTP cache's storage); it is built with ``from_crawler`` and may refuse with
``NotConfigured`` (then records are written but not indexed, and recrawls
cannot be conditional). The project's default is the SQL index in
``storage.capture_index``; the WARC code never imports storage.
"""

from __future__ import annotations

import logging
from typing import Protocol

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object

from nianbao_core.captures import CaptureEntry, PreviousCapture, RequestKey

logger = logging.getLogger(__name__)


class CaptureIndex(Protocol):
    def add(self, entry: CaptureEntry) -> None:
        """Index one record just written (flushed to its file first)."""

    def previous_captures(self) -> dict[RequestKey, PreviousCapture]:
        """The latest capture of every request indexed, with the record holding its payload."""

    def close(self) -> None:
        """The crawl is over."""


def build_capture_index(crawler: Crawler) -> CaptureIndex | None:
    """The index ``WARC_CAPTURE_INDEX`` names, or None (empty, or it is not configured)."""
    path = crawler.settings.get("WARC_CAPTURE_INDEX")
    if not path:
        return None
    try:
        return build_from_crawler(load_object(path), crawler)
    except NotConfigured as exc:
        logger.warning("No capture index (%s): WARC records are written but not indexed",
                       exc)
        return None
