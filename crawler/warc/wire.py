"""The bytes of one HTTP exchange as they crossed the connection.

The download handler (:mod:`crawler.warc.handler`) fills a
:class:`WireExchange` per request from inside Twisted's HTTP/1.1 client
protocol, above TLS: every byte written for the request and every byte of the
response as received, cut where Twisted's own parser says the response began
and ended. :mod:`crawler.warc.http_message` turns it into WARC record blocks.

Per-request key: ``request.meta["warc_wire"]`` holds the :class:`WireExchange`
of the request's last download through the handler. It is set by the handler
only (never by spiders or middlewares), removed when the request is
downloaded again, and only trusted for the very request object that was
downloaded: a copy made by a redirect or a retry, or a request answered from
a cache, falls back to reconstruction. It does not survive pickling (disk
queues): a copy that went through a queue was not the one downloaded.

What is kept, and how much memory it costs:

* the request: all of it (request line, headers in Twisted's order with the
  ``Host``, ``Connection`` and ``Content-Length`` it adds, body);
* the response head: status line with its reason phrase and header lines as
  received, through the blank line. An interim ``1xx`` response that Twisted
  skips is not part of it (it is not the response the record describes);
* the response body only when it was sent with a chunked transfer coding:
  then the chunk framing is part of what the server sent and has to be kept
  (one extra copy of the body, for as long as the request lives). Otherwise
  the body on the wire *is* Scrapy's ``response.body`` (Twisted passes it
  through untouched), so only its length is counted and no copy is made.
"""

from __future__ import annotations

import weakref

META_KEY = "warc_wire"

# WARC-Truncated reasons (WARC 1.1, section 5.13) for the Scrapy response flags
# that mean the body is not all the server meant to send.
TRUNCATED_FLAGS = {"dataloss": "disconnect", "download_stopped": "unspecified"}


def _forget() -> None:
    """What a pickled :class:`WireExchange` becomes (see the module docstring)."""
    return None


class WireExchange:
    """One request and its response, as bytes on the connection."""

    def __init__(self) -> None:
        self._sent: list[bytes] = []
        self._pending: list[bytes] = []  # received, not yet sorted into head and body
        self._head_lines = 0  # bytes of head lines the parser has consumed so far
        self._head_end: int | None = None
        self._rest = 0  # bytes past the end of the response in the last chunk
        self._raw_body: list[bytes] = []
        self.head: bytes | None = None
        self.chunked = False  # Twisted removed a chunked transfer coding
        self.body_length = 0  # body bytes received (transfer coding included)
        self.complete = False  # the parser saw the whole response
        self.interim_responses = 0
        self.payload: bytes | None = None  # Scrapy's response.body, once bound
        self.truncated: str | None = None
        self._request: weakref.ref | None = None

    def __reduce__(self):
        return (_forget, ())

    # -- filled from the connection (crawler.warc.handler) -----------------------
    def sent(self, data: bytes) -> None:
        self._sent.append(bytes(data))

    def received(self, data: bytes) -> None:
        if not self.complete:
            self._pending.append(data)

    def head_line(self, length: int) -> None:
        """The parser consumed one status or header line of ``length`` bytes."""
        self._head_lines += length

    def interim_response(self) -> None:
        """The head just parsed was a ``1xx`` that Twisted skips: drop its bytes."""
        data = b"".join(self._pending)
        self._pending = [data[self._head_lines:]] if len(data) > self._head_lines else []
        self._head_lines = 0
        self.interim_responses += 1

    def head_done(self) -> None:
        self._head_end = self._head_lines

    def finish(self, rest_length: int) -> None:
        """The parser has the whole response; ``rest_length`` bytes were past its end."""
        self._rest = rest_length
        self.complete = True
        self.settle()

    def settle(self) -> None:
        """Sort the bytes received so far into head and body."""
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending = []
        if self.head is None:
            if self._head_end is None:
                self._pending = [data]  # still in the head
                return
            self.head, data = data[:self._head_end], data[self._head_end:]
        if self._rest:
            data = data[:len(data) - self._rest]
            self._rest = 0
        self.body_length += len(data)
        if self.chunked and data:
            self._raw_body.append(data)

    def release(self) -> None:
        """Drop the body bytes (the download failed; nothing will be archived)."""
        self._pending = []
        self._raw_body = []

    # -- bound by the handler once Scrapy has its Response -------------------------
    def bind(self, request, body: bytes, flags: list[str]) -> bool:
        """Tie this exchange to the request downloaded and the body Scrapy kept.

        Returns False when the bytes cannot describe the response (no complete
        head, or fewer body bytes than Scrapy delivered), so reconstruction is
        used instead.
        """
        self.settle()
        if self.head is None or (not self.chunked and self.body_length < len(body)):
            return False
        self._request = weakref.ref(request)
        self.payload = body
        self.truncated = next((TRUNCATED_FLAGS[f] for f in flags if f in TRUNCATED_FLAGS), None)
        if self.truncated is None and not self.chunked and self.body_length > len(body):
            self.truncated = "unspecified"
        return True

    def belongs_to(self, request) -> bool:
        return self._request is not None and self._request() is request

    # -- read by crawler.warc.http_message -------------------------------------------
    @property
    def request_bytes(self) -> bytes:
        return b"".join(self._sent)

    @property
    def raw_body(self) -> bytes:
        """The response body as sent: chunk framing kept."""
        if not self.chunked:
            return self.payload if self.payload is not None else b""
        if len(self._raw_body) > 1:
            self._raw_body = [b"".join(self._raw_body)]  # once, not per read
        return self._raw_body[0] if self._raw_body else b""


def exchange_of(request) -> WireExchange | None:
    """The wire bytes of ``request``'s download, if it was captured (see above)."""
    if request is None:
        return None
    wire = request.meta.get(META_KEY)
    if isinstance(wire, WireExchange) and wire.belongs_to(request):
        return wire
    return None
