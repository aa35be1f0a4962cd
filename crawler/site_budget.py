"""One request budget per site, shared in Redis by every worker of a distributed crawl.

``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY`` hold inside one
Scrapy process; N workers on one portal would send N times as much. With
``REDIS_URL`` set, ``FrontierAddon`` puts :class:`SiteBudgetDownloadHandler`
in front of the http and https download handlers: before a request goes to
its site, the handler takes a place in that site's budget, a moving window in
Redis kept by the ``limits`` library (at most N requests started in any W
seconds, counting every worker). A worker over budget waits (asyncio, the
reactor keeps running) until the window has room.

Why in the download handler, not a downloader middleware: a middleware runs
before the request enters its download slot, where the worker's own delay and
concurrency may hold it for a while, so requests let through at a proper pace
could reach the site together. The handler is called when the slot sends the
request, so the budget is taken just before the bytes go out.

The site is the request's download slot key, as Scrapy's slots have it
(``request.meta["download_slot"]``, else the host). Its budget, first that applies:

* ``DOWNLOAD_SLOTS[site]["budget"]``, a ``limits`` string ("2 per second",
  "20/minute");
* ``DOWNLOAD_SLOTS[site]["delay"]``, the slot's own delay (below);
* ``SITE_BUDGET``, a ``limits`` string for every site;
* ``DOWNLOAD_DELAY``: one request per delay, as :func:`budget_for_delay` turns
  it into whole-second windows. A delay of 0: no budget.

The window's key expires W seconds after its last request, so nothing is
left in Redis once a crawl ends.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from fractions import Fraction

from limits import RateLimitItem, RateLimitItemPerSecond, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis
from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.reactor import is_asyncio_reactor_installed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budget:
    """At most ``requests`` started in any ``seconds`` (a moving window)."""

    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Budget:
        item = parse(text)
        return cls(item.amount, item.get_expiry())

    def item(self) -> RateLimitItem:
        return RateLimitItemPerSecond(self.requests, self.seconds)

    def __str__(self) -> str:
        return f"{self.requests} per {self.seconds} s"


def budget_for_delay(delay: float) -> Budget | None:
    """The budget a ``DOWNLOAD_DELAY`` stands for: one request per ``delay`` seconds.

    ``limits`` counts windows in whole seconds, so the rate is rounded down,
    never up: a delay of a second or less allows ``floor(1 / delay)`` requests
    per second (0.25: 4; 0.3: 3); a longer one one request per
    ``ceil(delay)`` seconds (2: one per 2 s; 2.5: one per 3 s).
    """
    if delay <= 0:
        return None
    exact = Fraction(repr(float(delay)))  # 0.3 is 3/10, not the nearest binary fraction
    if exact <= 1:
        return Budget(math.floor(1 / exact), 1)
    return Budget(1, math.ceil(exact))


class SiteBudgets:
    """Each site's budget from the crawl's settings (see the module)."""

    def __init__(self, settings) -> None:
        self.slots = settings.getdict("DOWNLOAD_SLOTS")
        explicit = settings.get("SITE_BUDGET")
        self.default = (Budget.parse(explicit) if explicit
                        else budget_for_delay(settings.getfloat("DOWNLOAD_DELAY")))
        self._known: dict[str, Budget | None] = {}

    def for_site(self, site: str) -> Budget | None:
        if site not in self._known:
            own = self.slots.get(site, {})
            if own.get("budget"):
                self._known[site] = Budget.parse(own["budget"])
            elif "delay" in own:
                self._known[site] = budget_for_delay(float(own["delay"]))
            else:
                self._known[site] = self.default
        return self._known[site]


class SharedWindows:
    """The moving windows in Redis, one per site and budget, kept by ``limits``."""

    # A wake-up a little after the window frees, not before it (which would only
    # find it still full); and never a tight loop.
    MARGIN = 0.002

    def __init__(self, redis_url: str, key_prefix: str) -> None:
        self.client = Redis.from_url(redis_url)
        storage = RedisStorage(f"async+{redis_url}", implementation="redispy",
                               key_prefix=key_prefix,
                               connection_pool=self.client.connection_pool)
        self.limiter = MovingWindowRateLimiter(storage)

    async def take(self, site: str, budget: Budget) -> float:
        """Take a place in ``site``'s window, waiting for one; the seconds waited."""
        item = budget.item()
        started = time.monotonic()
        while not await self.limiter.hit(item, site):
            stats = await self.limiter.get_window_stats(item, site)
            await asyncio.sleep(max(stats.reset_time - time.time(), 0) + self.MARGIN)
        return time.monotonic() - started

    async def close(self) -> None:
        await self.client.aclose()


class SiteBudgetDownloadHandler:
    """A download handler that takes the site's budget, then lets the one it wraps download.

    ``DOWNLOAD_HANDLERS`` names a subclass per scheme (:class:`HttpSiteBudget`,
    :class:`HttpsSiteBudget`); the handler each wraps is in
    ``SITE_BUDGET_HANDLERS`` (``FrontierAddon`` moves the configured ones there).
    """

    scheme = ""
    lazy = False  # as the handlers it wraps: built when the crawl starts

    def __init__(self, crawler: Crawler, wrapped, windows: SharedWindows,
                 budgets: SiteBudgets) -> None:
        self.crawler = crawler
        self.wrapped = wrapped
        self.windows = windows
        self.budgets = budgets
        self.waiting_logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        settings = crawler.settings
        wrapped_path = settings.getdict("SITE_BUDGET_HANDLERS").get(cls.scheme)
        if not wrapped_path:
            raise NotConfigured(f"no handler for {cls.scheme} in SITE_BUDGET_HANDLERS")
        if not settings.get("REDIS_URL"):
            raise NotConfigured("a shared site budget needs REDIS_URL")
        if not is_asyncio_reactor_installed():
            raise NotConfigured("the shared site budget waits on asyncio: "
                                "TWISTED_REACTOR must be the asyncio reactor")
        wrapped = build_from_crawler(load_object(wrapped_path), crawler)
        windows = SharedWindows(settings.get("REDIS_URL"),
                                f"{settings.get('REDIS_KEY_PREFIX')}:budget")
        return cls(crawler, wrapped, windows, SiteBudgets(settings))

    def site_of(self, request: Request) -> str:
        # Set by the downloader before the request reaches its slot; the same key
        # it would compute otherwise.
        site = request.meta.get(Downloader.DOWNLOAD_SLOT)
        return site if site is not None else urlparse_cached(request).hostname or ""

    async def download_request(self, request: Request) -> Response:
        site = self.site_of(request)
        budget = self.budgets.for_site(site)
        if budget is not None:
            waited = await self.windows.take(site, budget)
            stats = self.crawler.stats
            stats.inc_value("site_budget/requests")
            if waited > SharedWindows.MARGIN:
                stats.inc_value("site_budget/waits")
                stats.inc_value("site_budget/wait_seconds", round(waited, 3))
                if site not in self.waiting_logged:
                    self.waiting_logged.add(site)
                    logger.info("Requests to %s wait for the site's shared budget (%s, "
                                "all workers together)", site, budget)
        return await self.wrapped.download_request(request)

    async def close(self) -> None:
        try:
            if hasattr(self.wrapped, "close"):
                await ensure_awaitable(self.wrapped.close())
        finally:
            await self.windows.close()


class HttpSiteBudget(SiteBudgetDownloadHandler):
    scheme = "http"


class HttpsSiteBudget(SiteBudgetDownloadHandler):
    scheme = "https"
