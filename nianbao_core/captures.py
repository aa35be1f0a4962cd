"""What the capture index is told about each archived exchange and what it answers.

The WARC code (``crawler.warc``) writes and reads these; the index behind them
is whatever ``WARC_CAPTURE_INDEX`` names (the SQL one lives in ``storage``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from nianbao_core.digests import request_body_digest
from nianbao_core.pointer import WarcPointer


class RequestKey(NamedTuple):
    """A request as the index knows it: recrawls and replay match on all three."""

    method: str
    url: str
    body_digest: str  # nianbao_core.digests.request_body_digest

    @classmethod
    def of(cls, method: str, url: str, body: bytes) -> "RequestKey":
        return cls(method, url, request_body_digest(body))


@dataclass(frozen=True)
class CharsetEvidence:
    """Which charset a text capture declared and which codec decodes it."""

    header: str | None = None  # as declared in Content-Type, lower-cased
    document: str | None = None  # as declared in the document
    used: str | None = None  # the Python codec the document is decoded with


@dataclass(frozen=True)
class CaptureEntry:
    """One archived response or revisit record, as the index stores it."""

    key: RequestKey
    status: int
    content_type: str | None
    pointer: WarcPointer  # the record just written (a revisit record for a revisit)
    etag: str | None
    last_modified: str | None
    refers_to: str | None  # a revisit's WARC-Refers-To
    charsets: CharsetEvidence


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

    def content_pointer(self, revisit_record_id: str | None = None) -> WarcPointer:
        """Where the payload is, for items built from a revisit of this capture."""
        return WarcPointer(file=self.content_file, offset=self.content_offset,
                           record_id=self.content_record_id, date=self.content_date,
                           payload_digest=self.payload_digest,
                           revisit_record_id=revisit_record_id)
