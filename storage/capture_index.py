"""The capture index in SQL: one ``captures`` row per archived exchange, written as it is archived.

The WARC middleware adds an entry for every response or revisit record it
writes (URL, method, request digest, time, status, payload digest,
validators, WARC place). At the start of a crawl it asks for the latest
capture of each request (method, URL and request body), to send the server's
validators back (``If-None-Match``, ``If-Modified-Since``) and to recognise
an identical payload, so that an unchanged page is archived as a revisit
record instead of a second copy.

This is the implementation ``WARC_CAPTURE_INDEX`` names by default; the WARC
code only knows the interface (``crawler.warc.capture_index``) and the values
of ``nianbao_core.captures``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.exceptions import NotConfigured
from sqlalchemy import Engine, and_, func, or_, select

from nianbao_core.captures import CaptureEntry, PreviousCapture, RequestKey
from storage.db import crawler_engine, session_factory
from storage.models import Capture
from storage.repository import _insert, parse_timestamp

# Scheme → default port, as crawler.scope knows them (storage does not import the crawler).
DEFAULT_PORTS = {"http": 80, "https": 443}


def _warc_date(value: datetime) -> str:
    if value.tzinfo is not None:  # PostgreSQL answers in its session's time zone
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    def __init__(self, engine: Engine, url_prefixes: tuple[str, ...] = ()):
        self.engine = engine
        self.sessions = session_factory(engine)
        # Only captures of URLs under these are a crawl's previous captures (empty: all).
        # One database holds every portal's captures: a portal's crawl asks for its own,
        # through the (url, fetched_at) index, not for the whole table's.
        self.url_prefixes = url_prefixes

    @classmethod
    def from_crawler(cls, crawler) -> "SqlCaptureIndex":
        if not crawler.settings.get("DATABASE_URL"):
            raise NotConfigured("no DATABASE_URL")
        # The origins the spider may fetch from (crawler.scope); a spider without them
        # may fetch anything, and every capture may be its previous one.
        origins = getattr(crawler.spider, "allowed_origins", None) or ()
        return cls(crawler_engine(crawler), url_prefixes(origins))

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
        pointer, charsets = entry.pointer, entry.charsets
        values = dict(
            charset_header=charsets.header, charset_meta=charsets.document,
            charset_used=charsets.used,
            url=entry.key.url, method=entry.key.method, request_digest=entry.key.body_digest,
            status=entry.status, content_type=entry.content_type,
            fetched_at=parse_timestamp(pointer.date), record_type=pointer.record_type,
            refers_to=entry.refers_to, etag=entry.etag, last_modified=entry.last_modified,
            payload_digest=pointer.payload_digest, warc_file=pointer.file,
            warc_offset=pointer.offset, warc_length=pointer.length,
            warc_record_id=pointer.record_id)
        with self.sessions.begin() as session:
            stmt = _insert(session, Capture).values(**values)
            session.execute(stmt.on_conflict_do_nothing(index_elements=["warc_record_id"]))

    def previous_captures(self) -> dict[RequestKey, PreviousCapture]:
        """The latest capture of every request, with the record that holds its payload."""
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
        """Nothing of its own to close: the engine is the crawl's (``crawler_engine``)."""
