"""The HTTP bytes of one exchange, as they go into WARC record blocks.

This is the single place that decides what a request or response looked like
on the wire. Two sources, best first:

* **the wire** (:mod:`crawler.warc.wire`), when the project's download handler
  (:mod:`crawler.warc.handler`) captured the exchange: the request exactly as
  Twisted wrote it, and the response exactly as the server sent it (status
  line with its reason phrase, header names in their case and order, the body
  with its chunk framing and its content coding);
* **reconstruction** from Scrapy's Request/Response otherwise (another
  download handler, a response from a cache, ``WARC_ENABLED`` turned on after
  the download). What Scrapy does not keep is left out rather than made up:
  the reason phrase (the status line ends after the code, ``HTTP/1.1 200 ``,
  which RFC 9112 allows); ``Transfer-Encoding`` (Twisted removed the chunk
  framing, so the header would describe bytes that are not there); header
  case and order (Scrapy normalises names).

Either way the message is split where the WARC payload begins, and
:attr:`HttpMessage.payload` is the payload of the WARC 1.1 rule: the entity
body with the transfer coding removed and the content coding kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.warc.wire import exchange_of
from nianbao_core.digests import sha1_digest

CRLF = b"\r\n"
# Headers that describe the framing Twisted removed, not the stored body.
_FRAMING_HEADERS = {b"transfer-encoding"}


@dataclass(frozen=True)
class HttpMessage:
    """An HTTP message split where a WARC payload begins."""

    head: bytes  # start line and header lines, ending with the blank line
    # Message body as sent: transfer coding (chunk framing) and content coding.
    # A chunked body captured off the wire is given as parts (the framing around
    # views of the dechunked body), so it is never held twice.
    body: bytes | tuple[bytes | memoryview, ...]
    # The body with its transfer coding removed, when it has one (chunked); None: same as body.
    dechunked: bytes | None = None
    # WARC-Truncated reason when the body is not all the sender meant to send
    # ("disconnect", "length", "time", "unspecified"); None when complete.
    truncated: str | None = None

    @property
    def body_parts(self) -> tuple[bytes | memoryview, ...]:
        return self.body if isinstance(self.body, tuple) else (self.body,)

    @property
    def payload(self) -> bytes:
        """The WARC payload: entity body, transfer coding removed, content coding kept."""
        if self.dechunked is not None:
            return self.dechunked
        return self.body if isinstance(self.body, bytes) else b"".join(self.body)

    @cached_property
    def payload_digest(self) -> str:
        """``WARC-Payload-Digest``, computed once: bodies can be tens of megabytes."""
        return sha1_digest(self.payload)

    @property
    def block(self) -> bytes:
        """The WARC record block (a copy: the writer streams ``head`` and ``body`` instead)."""
        return self.head + b"".join(self.body_parts)


def _header_lines(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(name + b": " + value + CRLF for name, value in pairs)


def _scrapy_header_pairs(headers) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, values in headers.items() for value in values]


def request_target(url: str) -> bytes:
    """The origin-form request target (path and query) of a URL."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target.encode("ascii", "backslashreplace")


def request_message(request: Request) -> HttpMessage:
    """The request as sent: captured if it was, else as Twisted's client writes it."""
    wire = exchange_of(request)
    if wire is not None:
        head, sep, body = wire.request_bytes.partition(CRLF + CRLF)
        return HttpMessage(head + sep, body)
    pairs = _scrapy_header_pairs(request.headers)
    names = {name.lower() for name, _ in pairs}
    extra: list[tuple[bytes, bytes]] = []
    if request.body and b"content-length" not in names:
        extra.append((b"Content-Length", str(len(request.body)).encode()))
    if b"host" not in names:
        extra.append((b"Host", urlsplit(request.url).netloc.encode("idna")))
    start = request.method.encode() + b" " + request_target(request.url) + b" HTTP/1.1" + CRLF
    return HttpMessage(start + _header_lines(extra + pairs) + CRLF, request.body or b"")


def response_message(response: Response) -> HttpMessage:
    """The response as received: captured if it was, else less what Scrapy does not keep."""
    wire = exchange_of(getattr(response, "request", None))
    if wire is not None:
        if wire.chunked:
            return HttpMessage(wire.head, wire.raw_body, dechunked=wire.payload,
                               truncated=wire.truncated)
        return HttpMessage(wire.head, wire.payload, truncated=wire.truncated)
    protocol = (getattr(response, "protocol", None) or "HTTP/1.1").encode()
    start = protocol + b" " + str(response.status).encode() + b" " + CRLF
    pairs = [
        (name, value)
        for name, value in _scrapy_header_pairs(response.headers)
        if name.lower() not in _FRAMING_HEADERS
    ]
    return HttpMessage(start + _header_lines(pairs) + CRLF, response.body)
