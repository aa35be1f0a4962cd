"""One request budget per site, shared in Redis by every worker of a distributed crawl.

``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY`` hold inside one
Scrapy process; N workers on one portal would send N times as much. With
``REDIS_URL`` set, ``FrontierAddon`` puts :class:`SiteBudgetDownloadHandler`
in front of the http and https download handlers: before a request goes to
its site, the handler takes the site's next turn from a GCRA limiter in Redis
(throttled-py, burst 1): requests to one site start at least
``seconds / requests`` apart, counting every worker. A worker whose turn has
not come waits (asyncio, the reactor keeps running), as long as Redis says.

Why throttled-py's GCRA and not the ``limits`` library's moving window: the
limiter's clock must be Redis's (``TIME`` in the script). ``limits`` stamps
each request with the worker's clock read before its Redis call, and a worker
whose event loop is held up between the two records a stale time, after
which the window lets more through: 7 requests in 1.25 s under a budget of 6
per 3 s, measured with three workers on this (loaded) machine. It would also
need the workers' clocks to agree.

Why in the download handler, not a downloader middleware: a middleware runs
before the request enters its download slot, where the worker's own delay and
concurrency may hold it for a while, so requests let through at a proper pace
could reach the site together. The handler is called when the slot sends the
request, so the turn is taken just before the bytes go out.

The site is the request's download slot key, as Scrapy's slots have it
(``request.meta["download_slot"]``, else the host). Its budget, first that applies:

* ``DOWNLOAD_SLOTS[site]["budget"]``, a rate ("2/second", "20 per minute");
* ``DOWNLOAD_SLOTS[site]["delay"]``, the slot's own delay (below);
* ``SITE_BUDGET``, a rate for every site;
* ``DOWNLOAD_DELAY``: one request per delay (:func:`budget_for_delay`). A
  delay of 0: no budget.

The site's key expires once its next turn has passed, so nothing is left in
Redis once a crawl ends.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.reactor import is_asyncio_reactor_installed
from throttled.asyncio import RateLimiterType, RedisStore, Throttled, per_duration

logger = logging.getLogger(__name__)

_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(second|minute|hour)s?\s*$")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


@dataclass(frozen=True)
class Budget:
    """``requests`` per ``seconds``, spread evenly: one every ``interval`` seconds."""

    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Budget:
        """``"2/second"``, ``"20 per minute"``, ``"100/hour"``."""
        match = _RATE.match(text)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"not a site budget: {text!r} (say '2/second', '20 per minute')")
        return cls(int(match.group(1)), _UNIT_SECONDS[match.group(2)])

    @property
    def interval(self) -> float:
        return self.seconds / self.requests

    def __str__(self) -> str:
        return f"{self.requests} per {self.seconds} s"


def budget_for_delay(delay: float) -> Budget | None:
    """The budget a ``DOWNLOAD_DELAY`` stands for: one request per ``delay`` seconds.

    throttled-py counts rates per whole seconds, so the rate is rounded down,
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


class SharedTurns:
    """Each site's turns in Redis: throttled-py's GCRA with a burst of 1, one per budget."""

    def __init__(self, redis_url: str, key_prefix: str) -> None:
        self.store = RedisStore(server=redis_url)
        self.key_prefix = key_prefix
        self._limiters: dict[Budget, Throttled] = {}

    def limiter(self, budget: Budget) -> Throttled:
        if budget not in self._limiters:
            self._limiters[budget] = Throttled(
                using=RateLimiterType.GCRA.value, store=self.store, key_prefix=self.key_prefix,
                quota=per_duration(timedelta(seconds=budget.seconds), budget.requests, burst=1))
        return self._limiters[budget]

    async def take(self, site: str, budget: Budget) -> float:
        """Wait for ``site``'s next turn and take it; the seconds waited."""
        limiter = self.limiter(budget)
        started = time.monotonic()
        while (result := await limiter.limit(site)).limited:
            await asyncio.sleep(max(result.state.retry_after, 0.001))
        return time.monotonic() - started

    async def close(self) -> None:
        # throttled-py's store has no close of its own: its redis-py client is closed
        # here, or its connections are left to the garbage collector.
        client = getattr(getattr(self.store, "_backend", None), "get_client", lambda: None)()
        if client is not None:
            await client.aclose()


class SiteBudgetDownloadHandler:
    """A download handler that takes the site's budget, then lets the one it wraps download.

    ``DOWNLOAD_HANDLERS`` names a subclass per scheme (:class:`HttpSiteBudget`,
    :class:`HttpsSiteBudget`); the handler each wraps is in
    ``SITE_BUDGET_HANDLERS`` (``FrontierAddon`` moves the configured ones there).
    """

    scheme = ""
    lazy = False  # as the handlers it wraps: built when the crawl starts

    def __init__(self, crawler: Crawler, wrapped, turns: SharedTurns,
                 budgets: SiteBudgets) -> None:
        self.crawler = crawler
        self.wrapped = wrapped
        self.turns = turns
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
        turns = SharedTurns(settings.get("REDIS_URL"),
                            f"{settings.get('REDIS_KEY_PREFIX')}:budget")
        return cls(crawler, wrapped, turns, SiteBudgets(settings))

    def site_of(self, request: Request) -> str:
        # Set by the downloader before the request reaches its slot; the same key
        # it would compute otherwise.
        site = request.meta.get(Downloader.DOWNLOAD_SLOT)
        return site if site is not None else urlparse_cached(request).hostname or ""

    async def download_request(self, request: Request) -> Response:
        site = self.site_of(request)
        budget = self.budgets.for_site(site)
        if budget is not None:
            waited = await self.turns.take(site, budget)
            logger.debug("Site budget: turn taken at %.3f for %s", time.time(), request.url)
            stats = self.crawler.stats
            stats.inc_value("site_budget/requests")
            if waited > 0.001:
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
            await self.turns.close()


class HttpSiteBudget(SiteBudgetDownloadHandler):
    scheme = "http"


class HttpsSiteBudget(SiteBudgetDownloadHandler):
    scheme = "https"
