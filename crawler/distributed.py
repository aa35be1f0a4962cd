"""Many crawl workers, one frontier: scrapy-redis's scheduler and duplicate filter.

With ``REDIS_URL`` set, ``FrontierAddon`` makes the scheduler scrapy-redis's
(through ``FrontierScheduler``, a thin subclass) and the duplicate filter its
``RFPDupeFilter``. Every process running ``scrapy crawl NAME`` against the same
Redis shares the crawl's queue and fingerprints, under
``<REDIS_KEY_PREFIX>:<spider>:…``. The addon also puts the download handlers
behind each site's request budget shared by the workers (``crawler.site_budget``)
and turns the withdrawal check off. Without ``REDIS_URL`` nothing changes.

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
* **in-flight requests survive a kill**: a request is popped from the queue
  and written to the worker's in-flight hash in one step (a Lua script: no
  moment where a kill loses it), and stays there until it is done: when its
  download failed; when its response became a new request (a redirect, a
  retry) and that one is in the frontier; or once its callback has run and
  everything the callback yielded is safe (items stored, requests in the
  frontier; ``InFlightUntilStored`` counts those). A request is marked seen
  and queued in one step too. Each worker keeps a heartbeat key (expires after
  ``REDIS_WORKER_TTL``, refreshed by a thread of its own); a worker finding
  the in-flight hash of a worker without a heartbeat claims it (``RENAME``,
  so only one does) and puts its requests back on the queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.request import fingerprint
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from nianbao_core.meta import DONT_REVISIT

logger = logging.getLogger(__name__)

BUSY, IDLE = "busy", "idle"


class FrontierAddon:
    """With ``REDIS_URL`` set: the scheduler and duplicate filter in Redis, a site
    budget shared by the workers (``crawler.site_budget``), no withdrawal check."""

    BUDGET_HANDLERS = {"http": "crawler.site_budget.HttpSiteBudget",
                       "https": "crawler.site_budget.HttpsSiteBudget"}

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
        self.share_site_budget(settings)
        self.no_withdrawal_check(settings)

    def share_site_budget(self, settings) -> None:
        """The http and https handlers, whatever they are, behind the shared budget."""
        handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
        wrapped = {scheme: handlers.get(scheme) for scheme in self.BUDGET_HANDLERS}
        if set(wrapped.values()) <= set(self.BUDGET_HANDLERS.values()):
            return  # already behind it
        # At the priority the handlers were set with (the project's, or a user's
        # -s): the budget goes in front of them, it does not replace them.
        priority = settings.getpriority("DOWNLOAD_HANDLERS") or SETTINGS_PRIORITIES["addon"]
        settings.set("SITE_BUDGET_HANDLERS", wrapped, priority)
        settings.set("DOWNLOAD_HANDLERS",
                     {**settings.getdict("DOWNLOAD_HANDLERS"), **self.BUDGET_HANDLERS}, priority)

    @staticmethod
    def no_withdrawal_check(settings) -> None:
        # The check compares the stored reports with the whole listing of the
        # column, and no worker sees the whole listing: each would mark the
        # reports listed on the others' pages withdrawn.
        if settings.getbool("WITHDRAWAL_CHECK_ENABLED"):
            logger.info("Distributed crawl (REDIS_URL): WITHDRAWAL_CHECK_ENABLED switched "
                        "off, no worker sees the whole listing")
        settings.set("WITHDRAWAL_CHECK_ENABLED", False, SETTINGS_PRIORITIES["cmdline"])


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

    def requeuing(self, worker: str) -> str:
        return f"{self.base}:requeuing:{worker}"

    def holder(self, key: str) -> str:
        """The worker whose in-flight or requeuing hash ``key`` is."""
        return key[len(self.base) + 1:].split(":", 1)[1]

    def held_by_others(self, server, worker: str) -> list[str]:
        """The keys of the in-flight and requeuing hashes of every other worker."""
        own = {self.in_flight(worker), self.requeuing(worker)}
        return [key.decode() for kind in ("inflight", "requeuing")
                for key in server.scan_iter(f"{self.base}:{kind}:*")
                if key.decode() not in own]


# Pops the request of highest priority from the queue (scrapy-redis's sorted set:
# lowest score first) and writes it to the worker's in-flight hash in the same
# step: a worker killed between a pop and a separate write would lose the
# request. The field is the encoded request's SHA-1, with a suffix when the
# same bytes are already in flight (a request that bypasses the duplicate filter).
POP_INTO_IN_FLIGHT = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0)
if #popped == 0 then
    return false
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local base = redis.sha1hex(popped[1])
local field, n = base, 1
while redis.call('HEXISTS', KEYS[2], field) == 1 do
    n = n + 1
    field = base .. ':' .. n
end
redis.call('HSET', KEYS[2], field, popped[1])
return {field, popped[1]}
"""

# Marks a request seen and queues it in one step (scrapy-redis does the two in
# separate calls): a worker killed between them would leave the request seen,
# so dropped when its page is parsed again, and never queued.
SEE_AND_QUEUE = """
if ARGV[1] == '1' or redis.call('SADD', KEYS[1], ARGV[2]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
    return 1
end
return 0
"""

# Sent by FrontierScheduler once a request is in the frontier (queued, or found
# already seen): what InFlightUntilStored waits for before a parent is done.
frontier_request_queued = object()

# request.meta key: the request's field in its worker's in-flight hash.
IN_FLIGHT_FIELD = "frontier_in_flight"


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler, recording what it hands out until it is done."""

    def open(self, spider):
        result = super().open(spider)
        if not isinstance(self.queue, PriorityQueue):
            raise NotConfigured("the frontier pops from scrapy-redis's PriorityQueue "
                                f"(SCHEDULER_QUEUE_CLASS), not {type(self.queue).__name__}")
        settings = spider.crawler.settings
        self.keys = FrontierKeys(settings.get("REDIS_KEY_PREFIX"), spider.name)
        self.worker = worker_id()
        self.pop_into_in_flight = self.server.register_script(POP_INTO_IN_FLIGHT)
        self.see_and_queue = self.server.register_script(SEE_AND_QUEUE)
        # In-flight fields of requests whose response was downloaded and has not yet
        # reached the spider (it is in the downloader middlewares: archived, maybe
        # turned into a redirect): kept in the hash until then.
        self.responded: set[str] = set()
        return result

    def enqueue_request(self, request):
        # A request made from another keeps its meta, and with it the other's
        # in-flight field: dropped here, so that only the request popped holds it.
        # A redirect or retry of a request whose response this worker downloaded
        # ends that request once it is in the frontier itself.
        replaced = request.meta.pop(IN_FLIGHT_FIELD, None)
        queued = self.see_and_queue(
            keys=[self.df.key, self.queue.key],
            args=["1" if request.dont_filter else "0", self.df.request_fingerprint(request),
                  -request.priority, self.queue._encode_request(request)])
        if replaced in self.responded:
            self.responded.discard(replaced)
            self.server.hdel(self.keys.in_flight(self.worker), replaced)
        self.spider.crawler.signals.send_catch_log(frontier_request_queued, request=request)
        if not queued:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        popped = self.pop_into_in_flight(keys=[self.queue.key,
                                               self.keys.in_flight(self.worker)])
        if not popped:
            return None
        field, encoded = popped
        request = self.queue._decode_request(encoded)
        request.meta[IN_FLIGHT_FIELD] = field.decode()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        # Busy as soon as the request is in hand: an idle worker looking now must
        # not take this worker for idle.
        self.server.set(self.keys.heartbeat(self.worker), BUSY,
                        ex=self.spider.crawler.settings.getint("REDIS_WORKER_TTL"))
        return request

    def done_with(self, request) -> None:
        field = request.meta.get(IN_FLIGHT_FIELD)
        if field is not None:
            self.server.hdel(self.keys.in_flight(self.worker), field)

    def requeue_dead_workers(self) -> int:
        """Put the requests held by workers without a heartbeat back on the queue.

        Held: in a worker's in-flight hash, or in its requeuing hash (a worker
        that died while putting a dead worker's requests back). The hash is
        claimed by renaming it to this worker's requeuing hash (only one worker
        can), then each request goes back on the queue and leaves the hash in
        one transaction: a worker killed half way leaves the rest claimable.
        """
        requeued = 0
        claimed = self.keys.requeuing(self.worker)
        for key in self.keys.held_by_others(self.server, self.worker):
            worker = self.keys.holder(key)
            if self.server.exists(self.keys.heartbeat(worker)):
                continue
            try:
                if not self.server.renamenx(key, claimed):
                    continue  # this worker is still requeuing another
            except Exception:  # noqa: BLE001 - gone: another worker claimed it first
                continue
            count = 0
            for field, encoded in self.server.hgetall(claimed).items():
                request = self.queue._decode_request(encoded)
                # Fetched afresh, not conditionally: the dead worker may have archived
                # the answer in a file it never finished, which a revisit would refer to.
                request.meta[DONT_REVISIT] = True
                request.meta.pop(IN_FLIGHT_FIELD, None)
                # Past the duplicate filter: these were seen, and never finished.
                pipe = self.server.pipeline(transaction=True)
                pipe.zadd(self.queue.key, {self.queue._encode_request(request): -request.priority})
                pipe.hdel(claimed, field)
                pipe.execute()
                count += 1
            self.server.delete(claimed)
            logger.info("Put %d requests held by dead worker %s back on the frontier",
                        count, worker)
            requeued += count
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
        # A thread, not a LoopingCall: a reactor held up by a long callback, or a
        # process short of CPU on a loaded machine, must not pass for dead (its
        # requests would be requeued and fetched twice); a process stopped or
        # killed does.
        self.stop_beating = threading.Event()
        self.beat = threading.Thread(target=self.keep_beating, name="frontier-heartbeat",
                                     daemon=True)

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
        crawler.signals.connect(extension.response_downloaded, signals.response_downloaded)
        crawler.signals.connect(extension.request_reached_downloader,
                                signals.request_reached_downloader)
        return extension

    def request_reached_downloader(self, request, spider=None) -> None:
        # Work again after an idle spell: the heartbeat must say busy, or another
        # worker would take this one for idle and end the crawl under it.
        if self.idle_since is not None:
            self.idle_since = None
            self.heartbeat()

    def response_downloaded(self, response, request, spider=None) -> None:
        field = request.meta.get(IN_FLIGHT_FIELD)
        if field is not None:
            self.scheduler.responded.add(field)

    def response_received(self, response, request, spider=None) -> None:
        # In the spider's hands now: InFlightUntilStored ends it once what its
        # callback yielded is safe.
        self.scheduler.responded.discard(request.meta.get(IN_FLIGHT_FIELD))

    def spider_opened(self, spider) -> None:
        self.scheduler = scheduler = self.crawler.engine._slot.scheduler
        scheduler.server.set(scheduler.keys.heartbeat(scheduler.worker), BUSY, ex=self.ttl)
        self.beat.start()
        requeued = scheduler.requeue_dead_workers()
        if requeued:
            spider.logger.info("Put %d in-flight requests of dead workers back on the frontier",
                               requeued)

    def heartbeat(self) -> None:
        scheduler = self.scheduler
        state = IDLE if self.idle_since is not None else BUSY
        scheduler.server.set(scheduler.keys.heartbeat(scheduler.worker), state, ex=self.ttl)

    def keep_beating(self) -> None:
        """The heartbeat thread: the state the reactor last set, every third of the TTL."""
        while not self.stop_beating.wait(max(self.ttl / 3, 0.5)):
            try:
                self.heartbeat()
            except Exception:  # noqa: BLE001 - Redis away for a moment: try next time
                logger.warning("Could not refresh this worker's heartbeat", exc_info=True)

    def request_done(self, request, spider=None) -> None:
        # Left the downloader with a response: still in hand until the response
        # reaches the spider or becomes a new request (see FrontierScheduler.responded).
        # Without one (a failure), done here.
        if request.meta.get(IN_FLIGHT_FIELD) not in self.scheduler.responded:
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
        return any(scheduler.server.hlen(key)
                   for key in scheduler.keys.held_by_others(scheduler.server, scheduler.worker))

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
        # Stopped before the heartbeat is deleted, or its next beat would bring it back.
        self.stop_beating.set()
        if self.beat.is_alive():
            self.beat.join(10)
        scheduler = self.scheduler
        # A worker closing, even on Ctrl-C, has finished what it had begun.
        scheduler.server.delete(scheduler.keys.heartbeat(scheduler.worker),
                                scheduler.keys.in_flight(scheduler.worker))
        if self.finished and reason == "finished":
            # The crawl is over for every worker: the next one starts from the seeds.
            scheduler.server.delete(scheduler.keys.dupefilter)


class InFlightUntilStored:
    """Keeps a response's request in the in-flight hash until what its callback yielded is safe.

    A spider middleware: it counts what each callback yields, items and
    requests. An item is done when an item signal (scraped, dropped, error)
    ends it; a request when the frontier has it (``frontier_request_queued``,
    sent by the scheduler once the request is queued or found seen) or the
    scheduler dropped it. The callback's request is done when the callback has
    finished and nothing it yielded is pending. Requests count too because
    Scrapy's scraper may take the last outputs of a callback before it has
    scheduled them: a worker killed then would lose them, its request being
    already done.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.pending: dict[bytes, int] = {}
        # id() of a yielded request not yet in the frontier -> its parent's key and request
        self.children: dict[int, tuple[bytes, Request]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL")
        middleware = cls(crawler)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(middleware.item_done, signal)
        crawler.signals.connect(middleware.request_safe, frontier_request_queued)
        crawler.signals.connect(middleware.request_safe, signals.request_dropped)
        return middleware

    def yielded(self, key: bytes, parent: Request, output) -> None:
        self.pending[key] += 1
        if isinstance(output, Request):
            self.children[id(output)] = (key, parent)

    async def process_spider_output_async(self, response, result):
        key = fingerprint(response.request)
        self.pending[key] = self.pending.get(key, 0) + 1  # the callback itself
        try:
            async for output in result:
                self.yielded(key, response.request, output)
                yield output
        finally:
            self.release(response.request, key)

    def process_spider_output(self, response, result):
        key = fingerprint(response.request)
        self.pending[key] = self.pending.get(key, 0) + 1
        try:
            for output in result:
                self.yielded(key, response.request, output)
                yield output
        finally:
            self.release(response.request, key)

    def item_done(self, item, response=None, spider=None, **kwargs) -> None:
        if response is not None:
            self.release(response.request, fingerprint(response.request))

    def request_safe(self, request, spider=None, **kwargs) -> None:
        parent = self.children.pop(id(request), None)
        if parent is not None:
            self.release(parent[1], parent[0])

    def release(self, request, key: bytes) -> None:
        left = self.pending.get(key, 0) - 1
        if left > 0:
            self.pending[key] = left
            return
        self.pending.pop(key, None)
        self.crawler.engine._slot.scheduler.done_with(request)
