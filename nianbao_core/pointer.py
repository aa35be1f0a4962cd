"""Where a WARC record sits: enough to read it back without an index."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WarcPointer:
    """One record's place in the archive.

    Written by the WARC writer, left in ``request.meta`` for the spider, carried
    by the item's ``Capture`` into the database (the ``captures`` row) and out
    again to exports and re-parses. Fields a source cannot know are ``None``: a
    replayed or re-parsed capture knows no compressed length, for one.
    """

    file: str  # file name, relative to the WARC directory
    offset: int  # byte offset of the record's gzip member
    record_id: str | None = None  # WARC-Record-ID
    date: str | None = None  # WARC-Date of the exchange (ISO 8601, UTC)
    length: int | None = None  # compressed length of the record's gzip member
    payload_digest: str | None = None  # WARC-Payload-Digest (nianbao_core.digests)
    record_type: str = "response"  # or "revisit"
    # Set when the page came through a revisit record: the pointer is then the
    # earlier record that holds the payload, and this the revisit that led to it.
    revisit_record_id: str | None = None
