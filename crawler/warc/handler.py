"""HTTP/1.1 download handler that records each exchange's bytes as sent and received.

Why a download handler and not a recording proxy (warcprox): the bytes are
taken inside the crawler process, from the same connection Scrapy parses, so
there is one HTTP client, no second TLS termination (a proxy has to
man-in-the-middle HTTPS with its own CA, and then the certificate Scrapy sees
is the proxy's, not the server's), no extra process to run and supervise, and
``scrapy fetch``/``scrapy shell`` are captured by the same settings as a crawl.
The WARC writing stays where it is (:mod:`crawler.warc.middleware`); this
module only adds the evidence the middleware was missing.

How: :class:`WireCaptureDownloadHandler` builds the handler named by
``WARC_DOWNLOAD_HANDLER`` (Scrapy's ``HTTP11DownloadHandler`` by default, or
any subclass of it, such as scrapy-playwright's) with a mixin in front
(:func:`wire_capturing`): its connection pool builds :class:`_RecordingProtocol`
connections, and its HTTP/1.1 downloads use a recording agent.
For each request the protocol starts a :class:`~crawler.warc.wire.WireExchange`
and

* tees what Twisted writes for the request (a transport wrapper installed
  only while Twisted writes it), which is the request as sent, ``Host`` and
  all; on HTTPS these are the bytes above TLS, i.e. the HTTP message;
* tees every byte the connection receives while that request is current (no
  pipelining: one exchange at a time per connection, so on a persistent
  connection the bytes of each response go to its own request);
* learns from Twisted's own parser where the head ends (line by line),
  whether a chunked transfer coding was removed, and where the response ended
  (the bytes the parser hands back as not part of it are cut off), so the
  recording and Scrapy's ``Response`` never disagree about a boundary.

When the download succeeds the exchange is bound to the request
(``request.meta["warc_wire"]``, see :mod:`crawler.warc.wire`) and the response
gets its ``request`` set (as the engine would right after); when it fails
(timeout, ``DOWNLOAD_MAXSIZE``, ``DOWNLOAD_FAIL_ON_DATALOSS``) the recorded
body is dropped at once. With ``WARC_ENABLED`` off it behaves exactly like
Scrapy's handler and records nothing.

Configured in ``crawler/settings.py`` through ``DOWNLOAD_HANDLERS`` for
``http`` and ``https`` and ``WARC_DOWNLOAD_HANDLER``. Relies on Scrapy 2.19's
``http11`` internals (``_ScrapyAgent``, the handler's pool and agent options,
the lenient protocol and parser), which the project pins;
``tests/test_wire_internals.py`` checks they are still there.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
    _ScrapyAgent,
)
from scrapy.crawler import Crawler
from scrapy.exceptions import ResponseDataLossError
from scrapy.http import Response
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.web._newclient import _ChunkedTransferDecoder

from crawler.warc.wire import META_KEY, WireExchange

logger = logging.getLogger(__name__)

_WIRE_ATTR = "_nianbao_wire"  # on Twisted's response, like Scrapy's _scrapy_certificate


class _TeeTransport:
    """The connection's transport, copying what is written into a WireExchange."""

    def __init__(self, transport: Any, wire: WireExchange):
        self._transport = transport
        self._wire = wire

    def write(self, data: bytes) -> None:
        self._wire.sent(data)
        self._transport.write(data)

    def writeSequence(self, data: Any) -> None:
        data = list(data)
        for part in data:
            self._wire.sent(part)
        self._transport.writeSequence(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _RecordingParser(_LenientHTTPClientParser):
    """Twisted's (lenient) response parser, telling the exchange where the head ends."""

    _wire: WireExchange | None = None

    def lineReceived(self, line: bytes) -> None:
        if self._wire is not None:
            self._wire.head_line(len(line) + len(self.delimiter))
        super().lineReceived(line)

    def allHeadersReceived(self) -> None:
        wire = self._wire
        if wire is not None and 100 <= self.response.code < 200:
            super().allHeadersReceived()  # Twisted skips the interim response
            wire.interim_response()
            return
        if wire is not None:
            wire.head_done()  # before: a body-less response finishes inside the call
        super().allHeadersReceived()
        if wire is not None:
            wire.chunked = isinstance(self.bodyDecoder, _ChunkedTransferDecoder)


class _RecordingProtocol(_LenientHTTP11ClientProtocol):
    """One connection; records the exchange of the request in flight."""

    _wire: WireExchange | None = None

    def request(self, request):
        wire = WireExchange()
        transport = self.transport
        self.transport = _TeeTransport(transport, wire)  # only while Twisted writes it
        try:
            d = super().request(request)
        finally:
            self.transport = transport
        if self._parser is not None and self._state != "QUIESCENT":
            self._parser.__class__ = _RecordingParser
            self._parser._wire = wire
            self._wire = wire

        def attach(response):
            setattr(response, _WIRE_ATTR, wire)
            return response

        d.addCallback(attach)
        return d

    def dataReceived(self, data: bytes) -> None:
        wire = self._wire
        if wire is not None:
            wire.received(data)
        try:
            super().dataReceived(data)
        finally:
            if wire is not None:
                wire.settle()

    def _finishResponse(self, rest: bytes) -> None:
        wire, self._wire = self._wire, None
        if wire is not None:
            wire.finish(len(rest))
        super()._finishResponse(rest)


class _RecordingFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr):
        return _RecordingProtocol(self._quiescentCallback)


class _RecordingAgent(_ScrapyAgent):
    """Scrapy's agent for one download, remembering that download's exchange."""

    wire: WireExchange | None = None

    def _cb_bodyready(self, txresponse, request: Request):
        self.wire = getattr(txresponse, _WIRE_ATTR, None)
        return super()._cb_bodyready(txresponse, request)


class _WireCaptureMixin:
    """Put in front of ``HTTP11DownloadHandler`` or any subclass of it (see ``wire_capturing``)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._recording = crawler.settings.getbool("WARC_ENABLED")
        # Requests the wrapped handler takes its own way (a browser's): archived all the
        # same, from Scrapy's response (crawler.warc.http_message), just not byte for byte.
        self._own_way = crawler.settings.getlist("WARC_WIRE_SKIP_META")
        if self._recording:
            self._pool._factory = _RecordingFactory

    async def download_request(self, request: Request) -> Response:
        request.meta.pop(META_KEY, None)  # a copy's meta may hold an earlier download's
        if not self._recording or any(request.meta.get(key) for key in self._own_way):
            return await super().download_request(request)
        # As HTTP11DownloadHandler.download_request, with the recording agent.
        spider = self._crawler.spider
        agent = _RecordingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=getattr(spider, "download_maxsize", self._default_maxsize),
            warnsize=getattr(spider, "download_warnsize", self._default_warnsize),
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                response = await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            self._drop(agent)
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
        except BaseException:
            self._drop(agent)
            raise
        wire = agent.wire
        if wire is not None:
            if wire.bind(request, response.body, response.flags):
                request.meta[META_KEY] = wire
                if response.request is None:
                    response.request = request  # what the engine sets next; lets
                    # http_message find the exchange from the response alone
            else:
                logger.warning("No wire capture for %s: the recording is incomplete",
                               request.url)
        return response

    @staticmethod
    def _drop(agent: _RecordingAgent) -> None:
        if agent.wire is not None:
            agent.wire.release()


def wire_capturing(handler_cls: type) -> type:
    """``handler_cls`` with its HTTP/1.1 exchanges recorded byte for byte.

    Any subclass of Scrapy's ``HTTP11DownloadHandler`` (scrapy-playwright's
    handler is one: it falls back to HTTP/1.1 for requests not rendered in the
    browser) gets the recording connections; requests carrying a
    ``WARC_WIRE_SKIP_META`` key go the handler's own way. A handler of another
    kind is returned as it is: the WARC middleware archives what it downloads
    from Scrapy's response.
    """
    if not issubclass(handler_cls, HTTP11DownloadHandler):
        return handler_cls
    return type(f"WireCapture{handler_cls.__name__}", (_WireCaptureMixin, handler_cls), {})


class WireCaptureDownloadHandler:
    """What ``DOWNLOAD_HANDLERS`` names for http and https: ``WARC_DOWNLOAD_HANDLER``,
    built with wire capture (``wire_capturing``). The slots stay the archive's; the
    handler that downloads is a setting."""

    lazy = False  # as Scrapy's HTTP/1.1 handler

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        wrapped = load_object(crawler.settings.get("WARC_DOWNLOAD_HANDLER"))
        return build_from_crawler(wire_capturing(wrapped), crawler)
