"""The capture index in SQL: one ``captures`` row per archived exchange, written as it is archived.

The WARC middleware adds an entry for every response or revisit record it
writes (URL, method, request digest, time, status, payload digest,
validators, WARC place). At the start of a crawl it asks for the latest
capture of each request (method, URL and request body), to send the server's
validators back (``If-None-Match``, ``If-Modified-Since``) and to recognise
an identical payload, so that an unchanged page is archived as a revisit
record instead of a second copy.

Rows are written in batches (``CAPTURE_INDEX_BATCH_SIZE`` rows, or at the first
entry added ``CAPTURE_INDEX_BATCH_SECONDS`` after the oldest waiting one), one
statement and one transaction per batch: a transaction per record cost the
reactor thread more than writing the record did. Whatever in this process
reads captures through the same engine writes the waiting rows first
(``flush_pending``): ``previous_captures`` and the readers of
``storage.repository.ReportStore``. The index's row and the storage
pipeline's row of a report page are one row (keyed by WARC record id), and
each side's upsert fills its own columns whichever comes first.

What a crash (SIGKILL, power) can lose: the rows still waiting, at most one
batch. Their records are in the WARC already (flushed before they are
indexed); the loss is that the next crawl asks for those URLs without
validators and archives them whole, once.

This is the implementation ``WARC_CAPTURE_INDEX`` names by default; the WARC
code only knows the interface (``crawler.warc.capture_index``) and the values
of ``nianbao_core.captures``.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from datetime import UTC, datetime

from scrapy.exceptions import NotConfigured
from sqlalchemy import Engine, and_, func, or_, select

from nianbao_core.captures import CaptureEntry, PreviousCapture, RequestKey
from storage.db import crawler_engine, session_factory
from storage.models import Capture
from storage.sql import parse_timestamp, upsert

logger = logging.getLogger(__name__)

# Scheme → default port, as crawler.scope knows them (storage does not import the crawler).
DEFAULT_PORTS = {"http": 80, "https": 443}

# The columns the index writes (storage.repository's upsert writes the others).
INDEX_COLUMNS = (
    "charset_header", "charset_meta", "charset_used", "url", "method", "request_digest",
    "status", "content_type", "fetched_at", "record_type", "refers_to", "etag",
    "last_modified", "payload_digest", "warc_file", "warc_offset", "warc_length",
    "warc_record_id")


def _warc_date(value: datetime) -> str:
    if value.tzinfo is not None:  # PostgreSQL answers in its session's time zone
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def index_row(entry: CaptureEntry) -> dict:
    pointer, charsets = entry.pointer, entry.charsets
    return dict(
        charset_header=charsets.header, charset_meta=charsets.document,
        charset_used=charsets.used,
        url=entry.key.url, method=entry.key.method, request_digest=entry.key.body_digest,
        status=entry.status, content_type=entry.content_type,
        fetched_at=parse_timestamp(pointer.date), record_type=pointer.record_type,
        refers_to=entry.refers_to, etag=entry.etag, last_modified=entry.last_modified,
        payload_digest=pointer.payload_digest, warc_file=pointer.file,
        warc_offset=pointer.offset, warc_length=pointer.length,
        warc_record_id=pointer.record_id)


class PendingCaptures:
    """The index rows of one engine not written yet (one per engine and process)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.rows: list[dict] = []
        self.oldest: float | None = None  # time.monotonic() of the oldest waiting row
        # The reactor thread adds; a reader in another thread may flush.
        self.lock = threading.Lock()
        table = Capture.__table__
        statement = upsert(engine.dialect.name, table)
        # A row the storage pipeline wrote first (same record id) gets the index's columns.
        self.statement = statement.on_conflict_do_update(
            index_elements=["warc_record_id"],
            set_={c: func.coalesce(statement.excluded[c], table.c[c])
                  for c in INDEX_COLUMNS if c != "warc_record_id"})

    def add(self, row: dict, batch_size: int, batch_seconds: float) -> None:
        now = time.monotonic()
        with self.lock:
            self.rows.append(row)
            if self.oldest is None:
                self.oldest = now
            due = len(self.rows) >= batch_size or now - self.oldest >= batch_seconds
        if due:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            rows, self.rows, self.oldest = self.rows, [], None
            if not rows:
                return
            try:
                with self.engine.begin() as connection:
                    connection.execute(self.statement, rows)
            except Exception:
                # Their records are in the WARC; what is lost is conditional recrawling.
                logger.error("Capture index: %d rows not written", len(rows))
                raise


_PENDING: weakref.WeakKeyDictionary[Engine, PendingCaptures] = weakref.WeakKeyDictionary()
_PENDING_LOCK = threading.Lock()


def pending_captures(engine: Engine) -> PendingCaptures:
    with _PENDING_LOCK:
        pending = _PENDING.get(engine)
        if pending is None:
            pending = _PENDING[engine] = PendingCaptures(engine)
        return pending


def flush_pending(engine: Engine) -> None:
    """Write the index rows of ``engine`` still waiting (read-your-writes in this process)."""
    pending = _PENDING.get(engine)
    if pending is not None:
        pending.flush()


def url_prefixes(origins) -> tuple[str, ...]:
    """``scheme://host[:port]/`` of each origin (``crawler.scope.Origin``-like values), with
    and without a default port, as the crawl's URLs may spell it."""
    prefixes = []
    for origin in origins:
        host = f"[{origin.host}]" if ":" in origin.host else origin.host
        prefixes.append(f"{origin.scheme}://{host}:{origin.port}/")
        if DEFAULT_PORTS.get(origin.scheme) == origin.port:
            prefixes.append(f"{origin.scheme}://{host}/")
    return tuple(sorted(set(prefixes)))


class SqlCaptureIndex:
    def __init__(self, engine: Engine, url_prefixes: tuple[str, ...] = (), *,
                 batch_size: int = 100, batch_seconds: float = 5.0):
        self.engine = engine
        self.sessions = session_factory(engine)
        # Only captures of URLs under these are a crawl's previous captures (empty: all).
        # One database holds every portal's captures: a portal's crawl asks for its own,
        # through the (url, fetched_at) index, not for the whole table's.
        self.url_prefixes = url_prefixes
        self.pending = pending_captures(engine)
        self.batch_size = max(batch_size, 1)
        self.batch_seconds = batch_seconds

    @classmethod
    def from_crawler(cls, crawler) -> "SqlCaptureIndex":
        settings = crawler.settings
        if not settings.get("DATABASE_URL"):
            raise NotConfigured("no DATABASE_URL")
        # The origins the spider may fetch from (crawler.scope); a spider without them
        # may fetch anything, and every capture may be its previous one.
        origins = getattr(crawler.spider, "allowed_origins", None) or ()
        return cls(crawler_engine(crawler), url_prefixes(origins),
                   batch_size=settings.getint("CAPTURE_INDEX_BATCH_SIZE", 100),
                   batch_seconds=settings.getfloat("CAPTURE_INDEX_BATCH_SECONDS", 5.0))


    def _in_scope(self):
        """A condition on ``Capture.url``: under one of the prefixes (None: no condition)."""
        if not self.url_prefixes:
            return None
        if self.engine.dialect.name == "sqlite":
            # A range of the byte order SQLite compares in: its index answers it (LIKE
            # would scan, being case-insensitive).
            return or_(*(and_(Capture.url >= p, Capture.url < p[:-1] + chr(ord("/") + 1))
                         for p in self.url_prefixes))
        return or_(*(Capture.url.startswith(p, autoescape=True) for p in self.url_prefixes))

    def add(self, entry: CaptureEntry) -> None:
        self.pending.add(index_row(entry), self.batch_size, self.batch_seconds)

    def previous_captures(self) -> dict[RequestKey, PreviousCapture]:
        """The latest capture of every request, with the record that holds its payload."""
        self.pending.flush()
        key = (Capture.method, Capture.url, Capture.request_digest)
        with self.sessions() as session:
            latest = select(*key, func.max(Capture.fetched_at).label("at")).where(
                Capture.method.is_not(None))
            in_scope = self._in_scope()
            if in_scope is not None:
                latest = latest.where(in_scope)
            latest = latest.group_by(*key).subquery()
            rows = session.scalars(select(Capture).join(latest, (
                (Capture.method == latest.c.method) & (Capture.url == latest.c.url)
                & (Capture.request_digest == latest.c.request_digest)
                & (Capture.fetched_at == latest.c.at)))).all()
            holders = {c.warc_record_id: c for c in session.scalars(select(Capture).where(
                Capture.warc_record_id.in_([r.refers_to for r in rows if r.refers_to])))}
        previous = {}
        for row in rows:
            holder = holders.get(row.refers_to) if row.record_type == "revisit" else row
            if holder is None or holder.warc_file is None or holder.record_type == "revisit":
                continue
            previous[RequestKey(row.method, row.url, row.request_digest)] = PreviousCapture(
                status=holder.status, etag=row.etag, last_modified=row.last_modified,
                payload_digest=holder.payload_digest, content_record_id=holder.warc_record_id,
                content_uri=holder.url, content_date=_warc_date(holder.fetched_at),
                content_file=holder.warc_file, content_offset=holder.warc_offset)
        return previous

    def close(self) -> None:
        """The crawl is over: write what waits (the engine is the crawl's, ``crawler_engine``)."""
        self.pending.flush()
