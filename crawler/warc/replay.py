"""Replaying a crawl from its WARC files instead of the network.

``scrapy crawl linhai -s WARC_REPLAY=archive/linhai`` runs the same spider,
middlewares and pipelines, but every request is answered by
``WarcReplayDownloadHandler`` from the archive: no connection is opened. An
exchange is found by method, URL and request body (so the ``dataproxy.jsp``
POSTs replay too); when a URL was captured more than once, the newest capture
answers. A request the archive cannot answer fails like an unreachable host
(counted as ``warc_replay/misses``). Replayed responses carry the place of
the record they came from in ``request.meta["warc"]`` (a ``WarcPointer``), as
live ones do.

``WarcReplayAddon`` (in ``ADDONS``) turns this on when ``WARC_REPLAY`` is
set: it routes http and https to the handler, turns WARC capture off (the
archive is not written while it is read) and drops the delays that protect a
live site.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.error import ConnectionRefusedError

from crawler.warc.reader import (
    ConversionLocation,
    ExchangeLocation,
    UnreadableRecord,
    iter_conversions,
    iter_exchanges,
    read_response,
)
from nianbao_core import meta
from nianbao_core.captures import RequestKey
from nianbao_core.pointer import WarcPointer

logger = logging.getLogger(__name__)


class NotInArchive(ConnectionRefusedError):
    """The archive holds no exchange for this request."""


class WarcReplayDownloadHandler(BaseDownloadHandler):
    lazy = True  # built on the first request of its scheme: one index per crawl, not two

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        paths = crawler.settings.getlist("WARC_REPLAY")
        if not paths:
            raise NotConfigured("WARC_REPLAY is empty")
        self.read_maxsize = crawler.settings.getint("WARC_READ_MAXSIZE")
        self.index: dict[RequestKey, ExchangeLocation] = {}
        for location in iter_exchanges(paths):
            key = RequestKey(location.method, location.url, location.request_body_digest)
            if key not in self.index or location.date > self.index[key].date:
                self.index[key] = location
        logger.info("Replaying from %d archived exchanges in %s", len(self.index), paths)
        crawler.stats.set_value("warc_replay/exchanges", len(self.index))
        # Requests that go their handler's own way live (WARC_WIRE_SKIP_META: a page
        # rendered by scrapy-playwright) go it in replay too: the browser renders,
        # and each of its requests comes back here through the engine
        # (crawler/render.py), answered from the archive.
        self.own_way = crawler.settings.getlist("WARC_WIRE_SKIP_META")
        self._own_handler = None
        # The rendered DOM the live crawl archived for each page: a replayed item
        # points at it, as the live one did.
        self.conversions: dict[str, ConversionLocation] = {}
        if self.own_way:
            for conversion in iter_conversions(paths):
                known = self.conversions.get(conversion.url)
                if known is None or conversion.date > known.date:
                    self.conversions[conversion.url] = conversion

    async def download_request(self, request: Request):
        if any(request.meta.get(key) for key in self.own_way):
            response = await (await self.own_handler()).download_request(request)
            conversion = self.conversions.get(request.url)
            if conversion is not None:
                request.meta[meta.WARC_POINTER] = WarcPointer(
                    file=conversion.path.name, offset=conversion.offset,
                    record_id=conversion.record_id, date=conversion.date,
                    record_type="conversion")
            return response
        key = RequestKey.of(request.method, request.url, request.body)
        location = self.index.get(key)
        stats = self.crawler.stats
        if location is None:
            stats.inc_value("warc_replay/misses")
            raise NotInArchive(string=f"not in the archive: {request.method} {request.url}")
        try:
            archived = read_response(location.path, location.offset, self.read_maxsize)
        except UnreadableRecord as exc:
            stats.inc_value("warc_replay/unreadable")
            raise NotInArchive(string=f"damaged in the archive: {exc}") from exc
        stats.inc_value("warc_replay/hits")
        request.meta[meta.WARC_POINTER] = WarcPointer(
            file=location.path.name, offset=location.offset, record_id=archived.record_id,
            date=archived.date)
        return archived.to_scrapy(request, flags=["warc-replay"])


    async def own_handler(self):
        if self._own_handler is None:
            handler = build_from_crawler(
                load_object(self.crawler.settings["WARC_DOWNLOAD_HANDLER"]), self.crawler)
            # scrapy-playwright starts Playwright on engine_started, long gone when
            # this (lazy) handler is built: started here instead, through its own
            # hook (scrapy-playwright 0.0.4x; another handler has none).
            start = getattr(handler, "_maybe_launch_in_thread", None)
            if start is not None:
                await start()
            self._own_handler = handler
        return self._own_handler

    async def close(self) -> None:
        if self._own_handler is not None:
            await self._own_handler.close()


class WarcReplayAddon:
    handler = "crawler.warc.replay.WarcReplayDownloadHandler"
    # Above the project's and the spider's settings (which turn capture on and
    # route http to the network), below the user's own ``-s`` options.
    priority = SETTINGS_PRIORITIES["cmdline"] - 1

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getlist("WARC_REPLAY"):
            return
        for name, value in {
            "DOWNLOAD_HANDLERS": {"http": self.handler, "https": self.handler},
            "WARC_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
        }.items():
            settings.set(name, value, priority=self.priority)
