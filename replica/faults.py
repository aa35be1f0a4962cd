"""Faults a fragile government portal shows, injected into any replica site.

    site = FaultySite(make_site(), {"/art/…html": Unavailable(times=1)})

A :class:`FaultySite` answers like the site it wraps, except for the paths
given a fault, which it answers the way real portals fail: an overloaded
JSP container's 503 or 500 error page, a server that accepts the request and
then says nothing for longer than the client waits, a response cut off
mid-body by a dropped connection (``Content-Length`` promises more than is
sent), or a 200 whose body is not the page at all. Each fault counts the
requests it answered, so a test can tell a retry from a single attempt.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from replica.server import Request, Response

_ERROR_PAGE = ("<html><head><title>{status} Error</title></head><body><h1>HTTP Status {status}"
               "</h1><hr><h3>Apache Tomcat</h3></body></html>")


@dataclass
class Fault:
    # Faulty answers to give before the page is answered normally (None: every time).
    times: int | None = None
    answered: int = field(default=0, init=False)

    def applies(self) -> bool:
        return self.times is None or self.answered < self.times

    def answer(self, site, request: Request) -> Response:
        raise NotImplementedError


@dataclass
class Unavailable(Fault):
    """A 5xx error page (Tomcat's) instead of the page."""

    status: int = 503

    def answer(self, site, request: Request) -> Response:
        return Response(self.status, _ERROR_PAGE.format(status=self.status).encode(),
                        "text/html;charset=utf-8")


@dataclass
class Hang(Fault):
    """Say nothing for ``seconds``, then answer normally (to a client long gone)."""

    seconds: float = 5.0

    def answer(self, site, request: Request) -> Response:
        time.sleep(self.seconds)
        return site.handle(request)


@dataclass
class Truncated(Fault):
    """The page's head and the first ``keep`` of its body, then the connection drops."""

    keep: float = 0.5

    def answer(self, site, request: Request) -> Response:
        page = site.handle(request)
        cut = page.body[:int(len(page.body) * self.keep)]
        head = (f"HTTP/1.1 {page.status} OK\r\nServer: nginx\r\n"
                f"Content-Type: {page.content_type}\r\nContent-Length: {len(page.body)}\r\n"
                "Connection: close\r\n\r\n").encode("latin-1")
        return Response(page.status, cut, page.content_type, raw=head + cut)


@dataclass
class Garbage(Fault):
    """A 200 whose body is bytes of no page at all (a half-written cache file)."""

    body: bytes = b"\x00\x1f\x8b<ht\xffml><bo\xfe\xfd" * 64

    def answer(self, site, request: Request) -> Response:
        return Response(200, self.body, "text/html", gzip=False)


class FaultySite:
    """``site``, except that the paths in ``faults`` fail the way the fault says."""

    def __init__(self, site, faults: dict[str, Fault]):
        self.site = site
        self.name = site.name
        self.faults = faults
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self.site, name)  # config, ground truth, edit_article …

    def handle(self, request: Request) -> Response:
        fault = self.faults.get(request.path)
        with self._lock:
            if fault is None or not fault.applies():
                fault = None
            else:
                fault.answered += 1
        if fault is None:
            return self.site.handle(request)
        return fault.answer(self.site, request)
