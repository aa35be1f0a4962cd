"""Portal defences a replica can put up, one switch each (``Defences``).

What real government portals answer a crawler with (shared/DOMAIN.md B6):

* ``rs412``: 瑞数 (RiverSecurity): the first request of a client without its
  cookie gets HTTP 412 and a page of obfuscated ``$_ts`` script that sets the
  cookie in a browser (``<meta id="9DhefwqGPrzGxEp9hPaoag">``, ``<script r="m">``);
* ``jsl521``: 加速乐: HTTP 521 with a script that computes ``__jsl_clearance``;
* ``referer``: list answers only for requests carrying a Referer of the site
  (truecms-style list servlets answer 404 without one);
* ``retry_after``: the first request of each listed path gets 503 (or 429)
  with ``Retry-After: N``; a client that waits gets the page.

A crawler without a browser cannot pass 412/521: the point is that it says
so (stats, one log line with the URL) and never stores the challenge page as
a report. ``paths`` limits a defence to paths starting with one of them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from replica.server import Request, Response

# The server sets …80S; the page's script computes …80T, which only a browser has.
RS_COOKIE = "FSSBBIl1UgzbN7N80S"
RS412_PAGE = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; '
    'charset=utf-8"><meta id="9DhefwqGPrzGxEp9hPaoag" content="_0x8f2e1c3a4b5d6e7f">'
    '<script type="text/javascript">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};$_ts.nsd=61234;'
    '$_ts.cd="qr0cqAlqE7JRgGVrxclqEqJqWGllrgqlqqqqqqqrgq";</script>'
    '<script type="text/javascript" r="m" charset="utf-8" '
    'src="/8kR0QvB2gDoF/c.FxJzG50F.dfe1675.js">'
    '</script></head><body></body></html>')
JSL521_PAGE = (
    "<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')"
    "+('a')+('r')+('a')+('n')+('c')+('e')+('=')+(+new Date()/1000|0)+('.')+(Math.random())"
    "+('|0|')+('aBc')+(';max-age=3600;path=/');location.href=location.pathname+location.search"
    "</script></body></html>")


@dataclass
class Defences:
    rs412: bool = False
    jsl521: bool = False
    referer: bool = False
    retry_after: int = 0  # seconds; 0: off
    retry_status: int = 503
    paths: tuple[str, ...] = ()  # empty: every path but robots.txt
    _throttled: dict = field(default_factory=dict, repr=False)  # target → when refused
    # target → seconds between the refusal and the next request for it
    waited: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def applies(self, request: Request) -> bool:
        if request.path == "/robots.txt":
            return False
        return not self.paths or request.path.startswith(self.paths)

    def answer(self, request: Request) -> Response | None:
        if not self.applies(request):
            return None
        cookies = request.headers.get("cookie", "")
        if self.rs412 and RS_COOKIE[:-1] + "T" not in cookies:  # the JS-computed one
            return Response(412, RS412_PAGE.encode(), "text/html; charset=utf-8",
                            headers=[("Set-Cookie", f"{RS_COOKIE}=60Y0Lz8qQnHd; Path=/; "
                                                    "HttpOnly")], reason="Precondition Failed")
        if self.jsl521 and "__jsl_clearance" not in cookies:
            return Response(521, JSL521_PAGE.encode(), "text/html",
                            headers=[("Set-Cookie", "__jsluid_h=8e1f1b4c2d3a; max-age=31536000; "
                                                    "path=/; HttpOnly")], reason="")
        if self.referer and not request.headers.get("referer"):
            return Response(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                            "text/html")
        if self.retry_after:
            with self._lock:
                refused = self._throttled.get(request.target)
                if refused is None:
                    self._throttled[request.target] = time.monotonic()
                elif request.target not in self.waited:
                    self.waited[request.target] = time.monotonic() - refused
            if refused is None:
                return Response(self.retry_status, b"<html><body>Service busy</body></html>",
                                "text/html", headers=[("Retry-After", str(self.retry_after))])
        return None


def parse_switches(switches: list[str]) -> Defences:
    """``["rs412", "retry_after=2", "paths=/gkmlpt/api"]`` → :class:`Defences`."""
    defences = Defences()
    for switch in switches:
        name, _, value = switch.partition("=")
        if name in ("rs412", "jsl521", "referer"):
            setattr(defences, name, True)
        elif name in ("retry_after", "retry_status") and value.isdigit():
            setattr(defences, name, int(value))
        elif name == "paths" and value:
            defences.paths = tuple(value.split(","))
        else:
            raise ValueError(f"unknown defence switch {switch!r}")
    return defences
