"""Portal defences recognised: counted, said once with the URL, never stored as reports.

What government portals put between a crawler and a page (shared/DOMAIN.md B6):

* ``rs412``: 瑞数 (RiverSecurity): HTTP 412 with a ``$_ts`` script page; it
  needs a browser to compute its cookie;
* ``jsl521``: 加速乐 and kin: HTTP 521 with a cookie-computing script;
* ``retry_after``: 429 or 503 with ``Retry-After``: the crawler waits as long
  as the server asks (up to ``DEFENCES_RETRY_AFTER_MAX`` seconds) before
  Scrapy's RetryMiddleware sends the request again;
* ``referer_required``: a page answered 403/404 to a request without a
  ``Referer`` and 200 once the site's own address is sent as one (list
  servlets of truecms-style portals do this).

Every response is archived before this middleware sees it (the WARC
middleware sits nearer the downloader), so a challenge page is evidence in
the archive; here it is counted (``defences/<kind>``), logged once per kind
and site with its URL, and dropped (IgnoreRequest) so no spider ever parses
a challenge as a listed page or a report. Scrapy has no Retry-After support
of its own (RetryMiddleware retries at once), hence this small middleware.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)

_TS = re.compile(rb"\$_ts\s*=|<script[^>]*\br=[\"']m[\"']", re.I)
_JS_COOKIE = re.compile(rb"document\.cookie|__jsl_clearance|location\.href", re.I)
META_REFERER_RETRY = "defences_referer_retry"

DESCRIPTIONS = {
    "rs412": "瑞数 412 challenge ($_ts script); a browser is needed",
    "jsl521": "521 anti-bot page (cookie-computing script); a browser is needed",
    "retry_after": "the server asked to wait (Retry-After)",
    "referer_required": "answered only with a Referer",
}


def recognise(response: Response) -> str | None:
    """The defence a response is, from its status and body; None for an ordinary answer."""
    body = response.body[:65536]
    if response.status == 412 and _TS.search(body):
        return "rs412"
    if response.status == 521 and _JS_COOKIE.search(body):
        return "jsl521"
    if response.status in (429, 503) and response.headers.get("Retry-After"):
        return "retry_after"
    return None


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After value: delta-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PortalDefenceMiddleware:
    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("DEFENCES_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_wait = crawler.settings.getfloat("DEFENCES_RETRY_AFTER_MAX")
        self._said: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalDefenceMiddleware:
        return cls(crawler)

    def _count(self, kind: str, url: str) -> None:
        self.stats.inc_value(f"defences/{kind}")
        key = (kind, urlsplit(url).netloc)
        if key not in self._said:
            self._said.add(key)
            logger.warning("Portal defence at %s: %s (further ones are counted in "
                           "defences/%s)", url, DESCRIPTIONS[kind], kind)

    async def process_response(self, request: Request, response: Response):
        if request.meta.get(META_REFERER_RETRY) and response.status == 200:
            self._count("referer_required", request.url)
            return response
        kind = recognise(response)
        if kind is None:
            if (response.status in (403, 404) and not request.headers.get("Referer")
                    and not request.meta.get(META_REFERER_RETRY)
                    and not urlsplit(request.url).path.endswith("/robots.txt")):
                origin = "{0.scheme}://{0.netloc}/".format(urlsplit(request.url))
                return request.replace(headers={**request.headers.to_unicode_dict(),
                                                "Referer": origin},
                                       meta={**request.meta, META_REFERER_RETRY: True},
                                       dont_filter=True)
            return response
        self._count(kind, request.url)
        if kind == "retry_after":
            wait = retry_after_seconds(response.headers.get("Retry-After").decode("latin-1"))
            if wait is not None:
                # RetryMiddleware (nearer the engine) sends it again once this returns.
                await maybe_deferred_to_future(deferLater(reactor, min(wait, self.max_wait),
                                                          lambda: None))
            return response
        raise IgnoreRequest(f"{kind} at {request.url}")
