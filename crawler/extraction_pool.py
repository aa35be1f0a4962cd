"""Extraction in worker processes, off the reactor thread.

Main text and the parser are CPU-bound Python (threads would not help under
the GIL); run on the reactor thread they stop every download while a report
is parsed, and a hostile page (a 50 MB page, a PDF whose pages never end)
stops the crawl outright, deaf even to SIGINT. So each report's extraction
runs in a pebble process pool: one task per report, a time bound per task
after which pebble kills the worker (and starts a fresh one), and a worker
that dies (killed, segfault) fails its one task, not the pool. Either way the
report gets a flagged record (``extraction_timeout``, ``extraction_crashed``)
and is stored like any other: never lost, never a hang.

Workers are forked from a forkserver that has imported the extraction code
and run it once (``crawler.extraction_preload``), so a worker, respawned or
not, is ready at once; they ignore SIGINT (the crawl owns Ctrl-C) and are
killed when the crawl closes or the process exits.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import signal
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from pebble import ProcessExpired, ProcessPool
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.extraction import Extraction, ExtractionLimits, extract_report, failed_extraction
from crawler.items import Capture
from crawler.parser import ParseLimits

logger = logging.getLogger(__name__)

# What extraction sets on the page it reads, sent back from the worker.
PAGE_FINDINGS = ("text_digest", "charsets")


@dataclass
class WorkerResult:
    """An ``Extraction`` as it crosses back from a worker: no bodies, the document by index."""

    extraction: Extraction
    document_index: int | None
    page_findings: dict[str, object] = field(default_factory=dict)


def extract_in_worker(page: Capture, attachments: list[Capture],
                      limits: ExtractionLimits) -> WorkerResult:
    """Runs in a worker process."""
    extraction = extract_report(page, attachments, limits=limits)
    index = next((i for i, a in enumerate(attachments) if a is extraction.document), None)
    extraction.document = None
    return WorkerResult(extraction, index,
                        {name: getattr(page, name) for name in PAGE_FINDINGS})


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# The pools of this process by settings (ExtractionPool.key()).
_SHARED: dict[tuple, "ExtractionPool"] = {}


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class ExtractionPool:
    """Extracts reports in ``workers`` processes, each report within ``timeout`` seconds."""

    def __init__(self, workers: int = 0, timeout: float = 60.0,
                 limits: ExtractionLimits = ExtractionLimits(),
                 max_tasks_per_worker: int = 0) -> None:
        self.workers = workers if workers > 0 else cpu_count()
        self.timeout = timeout if timeout > 0 else None
        self.limits = limits
        self.max_tasks_per_worker = max_tasks_per_worker
        self._pool: ProcessPool | None = None
        self._users = 0  # crawlers sharing it (from_crawler)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "ExtractionPool":
        limits = ExtractionLimits(
            max_page_bytes=settings.getint("EXTRACTION_MAX_PAGE_BYTES"),
            max_document_bytes=settings.getint("EXTRACTION_MAX_DOCUMENT_BYTES"),
            parse=ParseLimits(
                pdf_max_pages=settings.getint("EXTRACTION_PDF_MAX_PAGES"),
                docx_max_xml_bytes=settings.getint("EXTRACTION_DOCX_MAX_XML_BYTES")))
        return cls(settings.getint("EXTRACTION_WORKERS"), settings.getfloat("EXTRACTION_TIMEOUT"),
                   limits, settings.getint("EXTRACTION_WORKER_MAX_TASKS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ExtractionPool":
        """The process's pool for these settings, shared by every crawler that uses them.

        ``scrapy crawlall`` runs a crawler per portal in one process: one pool
        serves them all, its workers started once, not once per portal.
        """
        wanted = cls.from_settings(crawler.settings)
        key = wanted.key()
        pool = _SHARED.setdefault(key, wanted)
        pool._users += 1
        crawler.signals.connect(pool.release, signal=signals.engine_stopped)
        return pool

    def key(self) -> tuple:
        return (self.workers, self.timeout, self.limits, self.max_tasks_per_worker)

    def release(self) -> None:
        """A crawler is done with the pool: the last one closes it."""
        self._users -= 1
        if self._users <= 0:
            _SHARED.pop(self.key(), None)
            self.close()

    def _started(self) -> ProcessPool:
        if self._pool is None:
            # Started on the first report, not at start-up: `scrapy crawl` reaches its
            # first request as fast as without a pool.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.extraction_pool",
                                            "crawler.extraction_preload"])
            self._pool = ProcessPool(max_workers=self.workers,
                                     max_tasks=self.max_tasks_per_worker,
                                     initializer=_ignore_sigint, context=context)
            # A forced shutdown (second Ctrl-C) stops the reactor without closing
            # the engine: the workers must not outlive the crawl all the same.
            atexit.register(self.close)
        return self._pool

    def schedule(self, page: Capture, attachments: list[Capture]) -> Future:
        return self._started().schedule(extract_in_worker, (page, attachments, self.limits),
                                        timeout=self.timeout)

    def outcome(self, future: Future, page: Capture, attachments: list[Capture]) -> Extraction:
        """The extraction a finished ``future`` stands for: a flagged one if it failed."""
        try:
            result: WorkerResult = future.result()
        except FutureTimeout:
            logger.warning("Extraction of %s took over %ss: worker killed, record flagged",
                           page.url, self.timeout)
            extraction = failed_extraction(
                page, "extraction_timeout",
                f"extraction took over {self.timeout:g} s (EXTRACTION_TIMEOUT); "
                "its worker was killed")
            extraction.events.append("extraction/timeouts")
            return extraction
        except ProcessExpired as exc:
            logger.error("Extraction worker died on %s (exit code %s): record flagged",
                         page.url, exc.exitcode)
            return self._crashed(page, f"worker died (exit code {exc.exitcode})")
        except Exception as exc:  # noqa: BLE001 - a report is flagged, never lost
            logger.error("Extraction raised on %s: %r", page.url, exc)
            return self._crashed(page, f"extraction raised {type(exc).__name__}: {exc}"[:300])
        for name, value in result.page_findings.items():
            setattr(page, name, value)
        extraction = result.extraction
        if result.document_index is not None:
            extraction.document = attachments[result.document_index]
        return extraction

    @staticmethod
    def _crashed(page: Capture, message: str) -> Extraction:
        extraction = failed_extraction(page, "extraction_crashed", message)
        extraction.events.append("extraction/crashes")
        return extraction

    async def extract(self, page: Capture, attachments: list[Capture]) -> Extraction:
        """Extract in a worker; the reactor goes on downloading meanwhile."""
        from twisted.internet import reactor

        future = self.schedule(page, attachments)
        done: Deferred = Deferred()
        # pebble completes futures on its own threads: hand the result to the reactor's.
        future.add_done_callback(lambda f: reactor.callFromThread(done.callback, f))
        await maybe_deferred_to_future(done)
        return self.outcome(future, page, attachments)

    def extract_blocking(self, page: Capture, attachments: list[Capture]) -> Extraction:
        """Extract in a worker and wait (outside a reactor: scripts, tests)."""
        future = self.schedule(page, attachments)
        try:
            future.exception()  # waits; failures become flagged records in outcome()
        except Exception:  # noqa: BLE001 - CancelledError of a stopped pool
            pass
        return self.outcome(future, page, attachments)

    def close(self) -> None:
        """Kill the workers (every task is finished when the engine stops)."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        atexit.unregister(self.close)
        pool.stop()
        pool.join()
