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
* of a body sent with a chunked transfer coding, only the chunk framing (size
  lines, the CRLF after each chunk, the trailer): the chunk data is what
  Twisted hands Scrapy as ``response.body``, so the body as sent is rebuilt
  for the writer as framing around views of that body, never copied (a 1 GiB
  chunked body used to be held twice). Otherwise the body on the wire *is*
  Scrapy's ``response.body`` (Twisted passes it through untouched), so only
  its length is counted and no copy is made.
"""

from __future__ import annotations

import weakref

META_KEY = "warc_wire"

# WARC-Truncated reasons (WARC 1.1, section 5.13) for the Scrapy response flags
# that mean the body is not all the server meant to send.
TRUNCATED_FLAGS = {"dataloss": "disconnect", "download_stopped": "unspecified"}


class ChunkFraming:
    """The framing of a chunked body, read as it arrives; the chunk data only counted.

    ``segments`` alternates framing bytes and data lengths, in order. Twisted's
    own decoder has the final say on the body: if this reading disagrees with
    what Scrapy received (``data_length``), the exchange is not used.
    """

    def __init__(self) -> None:
        self.segments: list[bytes | int] = []
        self.data_length = 0
        self._line = b""  # a size or trailer line still being received
        self._state = "size"  # size | data | data_end | trailer | done | broken
        self._remaining = 0  # data bytes left in the current chunk, or CRLF bytes

    def _framing(self, data: bytes) -> None:
        if self.segments and isinstance(self.segments[-1], bytes):
            self.segments[-1] += data
        else:
            self.segments.append(bytes(data))

    def _data(self, length: int) -> None:
        self.data_length += length
        if self.segments and isinstance(self.segments[-1], int):
            self.segments[-1] += length
        else:
            self.segments.append(length)

    def feed(self, data: bytes) -> None:
        view, at = memoryview(data), 0
        while at < len(view) and self._state not in ("done", "broken"):
            if self._state == "data":
                take = min(self._remaining, len(view) - at)
                self._data(take)
                at += take
                self._remaining -= take
                if not self._remaining:
                    self._state, self._remaining = "data_end", 2
                continue
            if self._state == "data_end":
                take = min(self._remaining, len(view) - at)
                self._framing(view[at:at + take])
                at += take
                self._remaining -= take
                if not self._remaining:
                    self._state = "size"
                continue
            end = data.find(b"\n", at)
            if end < 0:
                self._line += view[at:]
                self._framing(view[at:])
                return
            line = self._line + view[at:end + 1]
            self._framing(view[at:end + 1])
            self._line, at = b"", end + 1
            if self._state == "trailer":
                if line.strip() == b"":
                    self._state = "done"
                continue
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self._state = "broken"
                return
            self._state, self._remaining = ("trailer", 0) if size == 0 else ("data", size)

    @property
    def broken(self) -> bool:
        return self._state == "broken"

    def parts(self, payload: bytes) -> tuple[bytes | memoryview, ...]:
        """The body as sent: the framing around views of ``payload`` (no copy)."""
        view, at, parts = memoryview(payload), 0, []
        for segment in self.segments:
            if isinstance(segment, int):
                parts.append(view[at:at + segment])
                at += segment
            else:
                parts.append(segment)
        return tuple(parts)


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
        self._framing = ChunkFraming()
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
            self._framing.feed(data)

    def release(self) -> None:
        """Drop the body bytes (the download failed; nothing will be archived)."""
        self._pending = []
        self._framing = ChunkFraming()

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
        if self.chunked and (self._framing.broken or self._framing.data_length != len(body)):
            return False  # the framing as read here does not account for Scrapy's body
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
    def raw_body(self) -> tuple[bytes | memoryview, ...]:
        """The response body as sent, as parts: chunk framing kept, the data not copied."""
        payload = self.payload if self.payload is not None else b""
        if not self.chunked:
            return (payload,)
        return self._framing.parts(payload)


def exchange_of(request) -> WireExchange | None:
    """The wire bytes of ``request``'s download, if it was captured (see above)."""
    if request is None:
        return None
    wire = request.meta.get(META_KEY)
    if isinstance(wire, WireExchange) and wire.belongs_to(request):
        return wire
    return None
