"""Many crawl workers, one frontier: scrapy-redis's scheduler and duplicate filter.

With ``REDIS_URL`` set, ``FrontierAddon`` makes the scheduler scrapy-redis's
(through ``FrontierScheduler``, a thin subclass) and the duplicate filter its
``RFPDupeFilter``. Every process running ``scrapy crawl NAME`` against the same
Redis shares the crawl's queue and fingerprints, under
``<REDIS_KEY_PREFIX>:<spider>:…``. Without ``REDIS_URL`` nothing changes.

What the subclass and ``FrontierWorkers`` add to scrapy-redis:

* **seeding once**: every worker runs the spider's ``start()``; its requests go
  through the shared duplicate filter, so the first worker's enter the frontier
  and the others' are dropped as seen.
* **an end**: scrapy-redis's scheduler reports no pending requests when the
  queue is empty, and Scrapy would close a worker whose queue is momentarily
  empty while another still parses a list page. A worker stays open while any
  other live worker is busy, and ends once the queue is empty and every worker
  has been idle ``REDIS_IDLE_TIMEOUT`` seconds; the one that sees that also
  clears the crawl's fingerprints, so the next crawl of the portal starts anew.
  A worker stopped any other way (Ctrl-C, SIGTERM, killed) leaves the frontier
  as it is, and a worker started later resumes it.
* **in-flight requests survive a kill**: a request popped from the queue is
  also written to the worker's in-flight hash, and removed once it is done:
  when it leaves the downloader without a response for the spider (a redirect,
  a failure), or once its callback has run and every item it yielded has been
  through the pipelines (stored); ``InFlightUntilStored`` counts those. Each worker keeps a heartbeat key (expires after
  ``REDIS_WORKER_TTL``); a worker finding the in-flight hash of a worker
  without a heartbeat claims it (``RENAME``, so only one does) and puts its
  requests back on the queue.
"""

from __future__ import annotations

import os
import socket
import time

from scrapy import Request, signals
from scrapy.http.request import NO_CALLBACK
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.request import fingerprint
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from nianbao_core.meta import DONT_REVISIT

BUSY, IDLE = "busy", "idle"


class FrontierAddon:
    """Switches the scheduler and duplicate filter to Redis when ``REDIS_URL`` is set."""

    def update_settings(self, settings) -> None:
        if not settings.get("REDIS_URL"):
            return
        prefix = settings.get("REDIS_KEY_PREFIX")
        settings.set("SCHEDULER", "crawler.distributed.FrontierScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        # The frontier outlives any one worker; FrontierWorkers clears it at the end.
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("SCHEDULER_QUEUE_KEY", f"{prefix}:%(spider)s:requests", "addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", f"{prefix}:%(spider)s:dupefilter", "addon")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class FrontierKeys:
    """The Redis keys of one crawl (one spider name under one prefix)."""

    def __init__(self, prefix: str, spider: str) -> None:
        self.base = f"{prefix}:{spider}"
        self.requests = f"{self.base}:requests"
        self.dupefilter = f"{self.base}:dupefilter"

    def heartbeat(self, worker: str) -> str:
        return f"{self.base}:worker:{worker}"

    def in_flight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    def worker_of_in_flight(self, key: str) -> str:
        return key[len(f"{self.base}:inflight:"):]


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler, recording what it hands out until it is done."""

    def open(self, spider):
        result = super().open(spider)
        settings = spider.crawler.settings
        self.keys = FrontierKeys(settings.get("REDIS_KEY_PREFIX"), spider.name)
        self.worker = worker_id()
        return result

    def next_request(self):
        request = super().next_request()
        if request is not None:
            # Busy before the request is anywhere but here: an idle worker looking
            # now must not take this worker for idle.
            pipe = self.server.pipeline()
            pipe.set(self.keys.heartbeat(self.worker), BUSY,
                     ex=self.spider.crawler.settings.getint("REDIS_WORKER_TTL"))
            pipe.hset(self.keys.in_flight(self.worker), fingerprint(request).hex(),
                      self.queue._encode_request(request))
            pipe.execute()
        return request

    def taken(self, request) -> None:
        self.server.hset(self.keys.in_flight(self.worker), fingerprint(request).hex(),
                         self.queue._encode_request(request))

    def done_with(self, request) -> None:
        self.server.hdel(self.keys.in_flight(self.worker), fingerprint(request).hex())

    def requeue_dead_workers(self) -> int:
        """Put the in-flight requests of workers without a heartbeat back on the queue."""
        requeued = 0
        for key in self.server.scan_iter(f"{self.keys.base}:inflight:*"):
            key = key.decode()
            worker = self.keys.worker_of_in_flight(key)
            if worker == self.worker or self.server.exists(self.keys.heartbeat(worker)):
                continue
            claimed = f"{self.keys.base}:requeuing:{self.worker}"
            try:
                self.server.rename(key, claimed)
            except Exception:  # noqa: BLE001 - another worker claimed it first
                continue
            for encoded in self.server.hvals(claimed):
                request = self.queue._decode_request(encoded)
                # Fetched afresh, not conditionally: the dead worker may have archived
                # the answer in a file it never finished, which a revisit would refer to.
                request.meta[DONT_REVISIT] = True
                # Past the duplicate filter: these were seen, and never finished.
                self.queue.push(request)
                requeued += 1
            self.server.delete(claimed)
        if requeued and self.stats:
            self.stats.inc_value("frontier/requeued_from_dead_workers", requeued)
        return requeued


class FrontierWorkers:
    """Heartbeat, in-flight bookkeeping and the end of a shared crawl (see the module)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.ttl = crawler.settings.getint("REDIS_WORKER_TTL")
        self.idle_timeout = crawler.settings.getfloat("REDIS_IDLE_TIMEOUT")
        self.idle_since: float | None = None
        self.finished = False
        self.beat = task.LoopingCall(self.heartbeat)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL: one process, Scrapy's own scheduler")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        crawler.signals.connect(extension.request_done, signals.request_left_downloader)
        crawler.signals.connect(extension.request_done, signals.request_dropped)
        crawler.signals.connect(extension.response_received, signals.response_received)
        crawler.signals.connect(extension.request_reached_downloader,
                                signals.request_reached_downloader)
        return extension

    def request_reached_downloader(self, request, spider=None) -> None:
        # Work again after an idle spell: the heartbeat must say busy, or another
        # worker would take this one for idle and end the crawl under it.
        if self.idle_since is not None:
            self.idle_since = None
            self.heartbeat()

    def response_received(self, response, request, spider=None) -> None:
        # Taken again until its callback's items are stored (InFlightUntilStored);
        # request_left_downloader has just removed it.
        if request.callback is not NO_CALLBACK:  # robots.txt never reaches the spider
            self.scheduler.taken(request)

    def spider_opened(self, spider) -> None:
        self.scheduler = scheduler = self.crawler.engine._slot.scheduler
        scheduler.server.set(scheduler.keys.heartbeat(scheduler.worker), BUSY, ex=self.ttl)
        self.beat.start(max(self.ttl / 3, 0.5), now=False)
        requeued = scheduler.requeue_dead_workers()
        if requeued:
            spider.logger.info("Put %d in-flight requests of dead workers back on the frontier",
                               requeued)

    def heartbeat(self) -> None:
        scheduler = self.scheduler
        state = IDLE if self.idle_since is not None else BUSY
        scheduler.server.set(scheduler.keys.heartbeat(scheduler.worker), state, ex=self.ttl)

    def request_done(self, request, spider=None) -> None:
        self.scheduler.done_with(request)

    def other_workers_busy(self) -> bool:
        scheduler = self.scheduler
        own = scheduler.keys.heartbeat(scheduler.worker)
        for key in scheduler.server.scan_iter(f"{scheduler.keys.base}:worker:*"):
            if key.decode() != own and scheduler.server.get(key) == BUSY.encode():
                return True
        return False

    def others_in_flight(self) -> bool:
        """Another worker, alive or dead, holds requests not yet done.

        A dead worker's requests go back on the frontier only once its heartbeat
        has expired; until then nobody may end the crawl, whatever the heartbeat
        last said, or those requests would be lost.
        """
        scheduler = self.scheduler
        own = scheduler.keys.in_flight(scheduler.worker)
        return any(key.decode() != own and scheduler.server.hlen(key)
                   for key in scheduler.server.scan_iter(f"{scheduler.keys.base}:inflight:*"))

    def spider_idle(self, spider) -> None:
        scheduler = self.scheduler
        scheduler.requeue_dead_workers()
        if len(scheduler.queue) or self.other_workers_busy() or self.others_in_flight():
            # Work left, or a worker that may still add some: keep waiting.
            self.idle_since = None if len(scheduler.queue) else (self.idle_since or time.monotonic())
            if self.idle_since is not None:
                self.heartbeat()
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
            self.heartbeat()
        if now - self.idle_since < self.idle_timeout:
            raise DontCloseSpider
        self.finished = True

    def spider_closed(self, spider, reason) -> None:
        if self.beat.running:
            self.beat.stop()
        scheduler = self.scheduler
        # A worker closing, even on Ctrl-C, has finished what it had begun.
        scheduler.server.delete(scheduler.keys.heartbeat(scheduler.worker),
                                scheduler.keys.in_flight(scheduler.worker))
        if self.finished and reason == "finished":
            # The crawl is over for every worker: the next one starts from the seeds.
            scheduler.server.delete(scheduler.keys.dupefilter)


class InFlightUntilStored:
    """Keeps a response's request in the in-flight hash until its items are stored.

    A spider middleware: it counts the items each callback yields and the item
    signals (scraped, dropped, error) that end them; the request is done when
    its callback has finished and none of its items is left in the pipelines.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.pending: dict[bytes, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL")
        middleware = cls(crawler)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(middleware.item_done, signal)
        return middleware

    async def process_spider_output_async(self, response, result):
        key = fingerprint(response.request)
        self.pending[key] = self.pending.get(key, 0) + 1  # the callback itself
        try:
            async for output in result:
                if not isinstance(output, Request):
                    self.pending[key] += 1
                yield output
        finally:
            self.release(response.request, key)

    def process_spider_output(self, response, result):
        key = fingerprint(response.request)
        self.pending[key] = self.pending.get(key, 0) + 1
        try:
            for output in result:
                if not isinstance(output, Request):
                    self.pending[key] += 1
                yield output
        finally:
            self.release(response.request, key)

    def item_done(self, item, response=None, spider=None, **kwargs) -> None:
        if response is not None:
            self.release(response.request, fingerprint(response.request))

    def release(self, request, key: bytes) -> None:
        left = self.pending.get(key, 0) - 1
        if left > 0:
            self.pending[key] = left
            return
        self.pending.pop(key, None)
        self.crawler.engine._slot.scheduler.done_with(request)
