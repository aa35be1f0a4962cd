"""The capture index: one database row per archived exchange, written as it is archived.

The WARC middleware adds a row for every response or revisit record it
writes (URL, method, request digest, time, status, payload digest,
validators, WARC place). At the start of a crawl it asks for the latest
capture of each request (method, URL and request body), to send the server's
validators back (``If-None-Match``, ``If-Modified-Since``) and to recognise
an identical payload, so that an unchanged page is archived as a revisit
record instead of a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from crawler.charset_evidence import CharsetEvidence
from storage.db import session_factory
from storage.models import Capture
from storage.repository import _insert, parse_timestamp

RequestKey = tuple[str, str, str]  # method, URL, sha1 of the request body


@dataclass(frozen=True)
class PreviousCapture:
    """The latest capture of a request and the record that holds its payload."""

    status: int
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    # The response record holding the payload (the capture itself, or what its revisit refers to)
    content_record_id: str
    content_uri: str
    content_date: str  # its WARC-Date
    content_file: str
    content_offset: int


def _warc_date(value: datetime) -> str:
    if value.tzinfo is not None:  # PostgreSQL answers in its session's time zone
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class CaptureIndex:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = session_factory(engine)

    def add(self, *, key: RequestKey, status: int, content_type: str | None, pointer: dict,
            etag: str | None, last_modified: str | None, refers_to: str | None,
            charsets: CharsetEvidence) -> None:
        method, url, request_digest = key
        values = dict(
            charset_header=charsets.header, charset_meta=charsets.document,
            charset_used=charsets.used,
            url=url, method=method, request_digest=request_digest, status=status,
            content_type=content_type, fetched_at=parse_timestamp(pointer["warc_date"]),
            record_type=pointer["record_type"], refers_to=refers_to, etag=etag,
            last_modified=last_modified, payload_digest=pointer["payload_digest"],
            warc_file=pointer["warc_file"], warc_offset=pointer["warc_offset"],
            warc_length=pointer["warc_length"], warc_record_id=pointer["warc_record_id"])
        with self.sessions.begin() as session:
            stmt = _insert(session, Capture).values(**values)
            session.execute(stmt.on_conflict_do_nothing(index_elements=["warc_record_id"]))

    def previous_captures(self) -> dict[RequestKey, PreviousCapture]:
        """The latest capture of every request, with the record that holds its payload."""
        key = (Capture.method, Capture.url, Capture.request_digest)
        with self.sessions() as session:
            latest = (select(*key, func.max(Capture.fetched_at).label("at"))
                      .where(Capture.method.is_not(None)).group_by(*key).subquery())
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
            previous[(row.method, row.url, row.request_digest)] = PreviousCapture(
                status=holder.status, etag=row.etag, last_modified=row.last_modified,
                payload_digest=holder.payload_digest, content_record_id=holder.warc_record_id,
                content_uri=holder.url, content_date=_warc_date(holder.fetched_at),
                content_file=holder.warc_file, content_offset=holder.warc_offset)
        return previous
