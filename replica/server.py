"""A small HTTP/1.1 server that serves one replica *site* on 127.0.0.1.

The site object decides what to answer (``site.handle(request) -> Response``);
this module only speaks HTTP: persistent connections, ``Content-Length``
framing, gzip of text bodies when the client allows it (as nginx in front of
a JSP container does), ``Server``/``Date`` headers, and the *served log*: one
entry per response actually written, kept in memory and optionally appended
to a JSON Lines file.

Every response goes out through :meth:`_Handler._write_response`, the single
place that turns a :class:`Response` into bytes on the socket.  A response
may carry ``raw`` bytes instead (status line, headers and body exactly as
given), which is the hook for later byte-exact or fault-injecting endpoints.
"""

from __future__ import annotations

import gzip
import json
import logging
import socketserver
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

SERVER_HEADER = "nginx"
# nginx's gzip_types in a typical gov-portal front end; PDFs and images pass untouched.
GZIP_TYPES = ("text/html", "text/xml", "text/css", "text/plain", "application/javascript",
              "application/xml", "application/json")
GZIP_MIN_LENGTH = 256  # nginx gzip_min_length: tiny bodies are sent as they are
IDLE_TIMEOUT = 30  # seconds a keep-alive connection may sit idle


@dataclass
class Request:
    """One parsed request, as a servlet would see it."""

    method: str
    target: str  # path plus query, as sent
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    received: float = 0.0  # time.time() when the server had read it

    @property
    def form(self) -> dict[str, list[str]]:
        ctype = self.headers.get("content-type", "")
        if self.method == "POST" and "application/x-www-form-urlencoded" in ctype:
            return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {}

    def param(self, name: str, default: str | None = None) -> str | None:
        """``ServletRequest.getParameter``: query string first, then the form body."""
        for source in (self.query, self.form):
            if name in source:
                return source[name][0]
        return default

    def accepts_gzip(self) -> bool:
        for part in self.headers.get("accept-encoding", "").split(","):
            coding, _, params = part.strip().partition(";")
            if coding.strip().lower() in ("gzip", "*"):
                return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
        return False


@dataclass
class Response:
    """What the site answers.  ``content_type`` goes out verbatim (no charset is added)."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=UTF-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None  # None: the standard phrase
    gzip: bool = True  # allow gzip when the type and the client allow it
    raw: bytes | None = None  # if set: written as is, nothing else is added
    # A static file (what nginx serves from disk): sent with Last-Modified and an
    # nginx-style ETag, and answered 304 to a conditional GET that matches.
    last_modified: datetime | None = None


class Site(Protocol):
    name: str

    def handle(self, request: Request) -> Response: ...


class ServedLog:
    """Thread-safe record of every response written, optionally mirrored to JSON Lines."""

    def __init__(self, path: str | None = None) -> None:
        self._entries: list[dict] = []
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    def add(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)
            if self._file:
                self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._file.flush()

    def __iter__(self):
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVER_HEADER
    sys_version = ""
    timeout = IDLE_TIMEOUT

    def version_string(self) -> str:
        return SERVER_HEADER

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        logger.debug("%s " + format, self.address_string(), *args)

    def _dispatch(self) -> None:
        received = time.time()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            target=self.path,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            received=received,
        )
        try:
            response = self.server.site.handle(request)
        except Exception:  # the site is buggy: answer like a broken JSP container would
            logger.exception("site error on %s %s", self.command, self.path)
            response = Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
        self._write_response(request, response)

    do_GET = do_POST = do_HEAD = _dispatch

    def _write_response(self, request: Request, response: Response) -> None:
        """The one place where bytes are written to the client."""
        if response.raw is not None:
            self._log(request, response.status, len(response.raw), response.content_type, "raw")
            self.wfile.write(response.raw)
            self.wfile.flush()
            self.close_connection = True
            return
        body = response.body
        encoding = None
        ctype = response.content_type or ""
        validators = _validators(response)
        if validators and _not_modified(request, response.last_modified, validators[1][1]):
            response = Response(304, b"", None, gzip=False)
            body = b""
        if (response.gzip and len(body) >= GZIP_MIN_LENGTH and request.accepts_gzip()
                and ctype.split(";")[0].strip() in GZIP_TYPES):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            encoding = "gzip"
        self.send_response_only(response.status, response.reason)
        self.send_header("Server", SERVER_HEADER)
        self.send_header("Date", formatdate(usegmt=True))
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        if response.status != 304:  # a 304 has no body, and nginx sends no length
            self.send_header("Content-Length", str(len(body)))
        # parse_request() already decided from the version and the Connection header
        close = self.close_connection
        self.send_header("Connection", "close" if close else "keep-alive")
        if ctype.split(";")[0].strip() in GZIP_TYPES:
            self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for name, value in response.headers:
            self.send_header(name, value)
        for name, value in validators:
            if encoding and name == "ETag":
                value = "W/" + value  # nginx weakens the ETag of a gzipped response
            self.send_header(name, value)
        # Logged before the client can hold the whole response: a client that has
        # read its answer must find it in the log, or tests comparing served with
        # archived race the handler thread.
        self._log(request, response.status, len(body), response.content_type, encoding)
        self.end_headers()
        if request.method != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = close

    def _log(self, request: Request, status: int, length: int, ctype: str | None,
             encoding: str | None) -> None:
        self.server.served.add({
            "method": request.method,
            "path": request.target,
            "status": status,
            "length": length,
            "content_type": ctype,
            "content_encoding": encoding,
            # when the request arrived (the site's answer may take a while after it)
            "received": request.received,
        })


def _validators(response: Response) -> list[tuple[str, str]]:
    """nginx's validators of a static file: Last-Modified and "<mtime hex>-<length hex>"."""
    if response.last_modified is None or response.status != 200:
        return []
    mtime = int(response.last_modified.timestamp())
    return [("Last-Modified", formatdate(mtime, usegmt=True)),
            ("ETag", f'"{mtime:x}-{len(response.body):x}"')]


def _not_modified(request: Request, last_modified: datetime, etag: str) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return etag in tags or "*" in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        # nginx's default (if_modified_since exact): the dates must be equal
        return int(since.timestamp()) == int(last_modified.timestamp())
    return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, site: Site, served: ServedLog) -> None:
        self.site = site
        self.served = served
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind also looks up the host's name (socket.getfqdn): a
        # reverse DNS query, which takes seconds per address where the resolver does
        # not answer (127.0.1.x, 127.0.2.x: 500 portals took 42 s to start). The name
        # is only for CGI, which no replica serves.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (timeout, retry) closes its end: the crawler's
        # business, not a replica error worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            logger.debug("client %s went away", client_address)
            return
        super().handle_error(request, client_address)


class ReplicaServer:
    """Serve ``site`` in a background thread.  ``with ReplicaServer(site) as srv: srv.base_url``."""

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0,
                 served_log: str | None = None) -> None:
        self.site = site
        self.served = ServedLog(served_log)
        self._httpd = _HTTPServer((host, port), site, self.served)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def serve(self, site: Site) -> None:
        """Serve ``site`` from now on, at the same address (the portal redeployed overnight)."""
        self.site = self._httpd.site = site

    def start(self) -> ReplicaServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        name=f"replica-{self.site.name}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`stop` is called from another one."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        self.served.close()

    def __enter__(self) -> ReplicaServer:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_all(servers: Iterable[ReplicaServer]) -> None:
    """Stop many servers at once.

    Each ``stop`` waits for its server's loop to see the request, up to socketserver's
    0.5 s poll interval: one after another, 500 servers took over two minutes.
    """
    servers = list(servers)
    with ThreadPoolExecutor(max_workers=max(1, len(servers)),
                            thread_name_prefix="replica-stop") as pool:
        for _ in pool.map(ReplicaServer.stop, servers):  # re-raises what a stop raised
            pass
