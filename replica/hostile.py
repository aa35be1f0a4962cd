"""A portal that turns on its crawler: answers injected into any replica site.

    site = FaultySite(make_site(), {"/art/…html": RedirectTo("http://127.0.0.1:9/admin")})

Same mechanism as ``replica/faults.py`` (a :class:`~replica.faults.Fault` per
path, counted), with the answers a hostile or compromised portal gives:
redirects and meta refreshes to another port of its host or to names that
resolve to private addresses, a redirect to itself, a gzip bomb served as a
page, a page far larger than any report, a report whose attachment is not a
document, a robots.txt that forbids the column, list titles that carry
terminal escapes and forged log lines. ``MappedResolver`` is the resolver a
test crawl installs (``TWISTED_DNS_RESOLVER``) so that test names resolve to
chosen loopback addresses and nothing is ever looked up or reached outside
127.0.0.0/8.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.abstract import isIPAddress, isIPv6Address

from replica.faults import Fault
from replica.server import Request, Response

_HTML = "text/html; charset=UTF-8"


@dataclass
class RedirectTo(Fault):
    """A 302 to ``location`` (None: to the URL itself, a loop)."""

    location: str | None = None
    status: int = 302

    def answer(self, site, request: Request) -> Response:
        location = self.location or request.target
        return Response(self.status, b"", _HTML, headers=[("Location", location)], gzip=False)


@dataclass
class MetaRefreshTo(Fault):
    """A page whose ``<meta http-equiv="refresh">`` sends the client elsewhere at once."""

    location: str = ""

    def answer(self, site, request: Request) -> Response:
        body = (f'<html><head><meta http-equiv="refresh" content="0;url={self.location}">'
                "<title>正在跳转</title></head><body>页面已迁移</body></html>")
        return Response(200, body.encode(), _HTML)


def gzip_bomb(decoded_size: int) -> bytes:
    """A gzip member of ``decoded_size`` zero bytes (about 1/1000 of it on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    chunk = b"\0" * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(decoded_size >> 20)]
    return b"".join(parts) + compressor.flush()


@dataclass
class GzipBomb(Fault):
    """A "page" sent gzip-encoded that decodes to ``decoded_size`` bytes; a static file
    (Last-Modified, ETag), so a recrawl's conditional GET gets a 304 for it."""

    decoded_size: int = 256 << 20
    _body: bytes = field(default=b"", init=False, repr=False)

    def answer(self, site, request: Request) -> Response:
        if not self._body:
            self._body = gzip_bomb(self.decoded_size)
        modified = datetime(2023, 1, 4, tzinfo=UTC)
        etag = f'"{int(modified.timestamp()):x}-{len(self._body):x}"'
        if request.headers.get("if-none-match") == etag:
            return Response(304, b"", None, gzip=False)
        head = (f"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: {_HTML}\r\n"
                f"Content-Encoding: gzip\r\nContent-Length: {len(self._body)}\r\n"
                "Last-Modified: Wed, 04 Jan 2023 00:00:00 GMT\r\n"
                f"ETag: {etag}\r\nConnection: close\r\n\r\n").encode("latin-1")
        return Response(200, self._body, _HTML, raw=head + self._body)


@dataclass
class Oversized(Fault):
    """A text page of ``size`` bytes: no report is that long."""

    size: int = 16 << 20

    def answer(self, site, request: Request) -> Response:
        filler = "<p>临海市政府信息公开</p>\n".encode()
        body = b"<html><body>" + filler * (self.size // len(filler)) + b"</body></html>"
        return Response(200, body, _HTML, gzip=False)


@dataclass
class ReportLinkingAttachment(Fault):
    """A report page without tables ("详见附件") whose numbers are in its attachment."""

    title: str = "临海市某局2022年政府信息公开工作年度报告"
    href: str = "/attach/hostile/report.pdf"

    def answer(self, site, request: Request) -> Response:
        body = (f"<html><head><title>{self.title}</title>"
                f'<meta name="ArticleTitle" content="{self.title}"></head><body>'
                f"<h1>{self.title}</h1><p>本年度报告全文详见附件。</p>"
                f'<p>附件：<a href="{self.href}">{self.title}.pdf</a></p>'
                + "<p>临海市人民政府办公室</p>" * 40 + "</body></html>")
        return Response(200, body.encode(), _HTML)


@dataclass
class NotADocument(Fault):
    """An attachment served as a PDF that is not one (a truncated upload, an error page)."""

    body: bytes = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n% truncated upload"

    def answer(self, site, request: Request) -> Response:
        return Response(200, self.body, "application/pdf", gzip=False)


@dataclass
class RobotsForbidding(Fault):
    """A robots.txt that forbids ``disallow`` (the column) to every crawler."""

    disallow: str = "/col/"

    def answer(self, site, request: Request) -> Response:
        return Response(200, f"User-agent: *\nDisallow: {self.disallow}\n".encode(),
                        "text/plain", gzip=False)


@dataclass
class Rewritten(Fault):
    """The page as the site serves it, with text replaced (a hostile list title)."""

    old: str = ""
    new: str = ""

    def answer(self, site, request: Request) -> Response:
        page = site.handle(request)
        page.body = page.body.replace(self.old.encode(), self.new.encode())
        return page


class MappedResolver(CachingThreadedResolver):
    """Resolves the names of ``REPLICA_HOSTS`` ("name=address …") to those addresses,
    address literals to themselves, and refuses every other name but ``localhost``:
    a test crawl never asks real DNS."""

    def __init__(self, reactor, cache_size: int, timeout: float, hosts: dict[str, str]):
        super().__init__(reactor, cache_size, timeout)
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler, reactor):
        settings = crawler.settings
        hosts = dict(pair.split("=", 1) for pair in settings.getlist("REPLICA_HOSTS"))
        return cls(reactor, 0, settings.getfloat("DNS_TIMEOUT"), hosts)

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 (Twisted's interface)
        from twisted.internet.error import DNSLookupError

        if name in self.hosts:
            return defer.succeed(self.hosts[name])
        if isIPAddress(name) or isIPv6Address(name):  # Twisted asks for literals too
            return defer.succeed(name)
        if name == "localhost":
            return defer.succeed("127.0.0.1")
        return defer.fail(DNSLookupError(f"{name}: not a replica host"))
