"""A rotating WARC/1.1 writer: a thin layer over warcio.

One gzip member per record (what every WARC reader and indexer expects);
a ``warcinfo`` record opens every file; request and response records of an
exchange are paired by ``WARC-Concurrent-To``; files are written as
``*.warc.gz.open`` and renamed when complete, so a reader never mistakes a
file being written for a finished one. The clock and the record-id factory
are injectable so tests can compare whole records byte for byte.

Digests: ``WARC-Block-Digest`` covers the whole block (HTTP head and body as
sent); ``WARC-Payload-Digest`` follows WARC 1.1: the entity body with the
transfer coding removed (chunk framing gone) and the content coding kept
(still gzip if it was sent gzipped), i.e. :attr:`HttpMessage.payload`. Both
are SHA-1 in base32 (``sha1:<32 chars>``): the form warcio, wget, Heritrix,
warcprox and pywb/CDX(J) tooling write and compare, so identical payloads
deduplicate against other archives' indexes; SHA-1's collision weakness
matters for adversarial documents, not for detecting unchanged pages, and a
stronger digest here would make every index lookup miss.

Bodies can be tens of megabytes: a record's block is streamed from the
message's head and body, never concatenated into a copy.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from crawler.warc.http_message import HttpMessage
from nianbao_core.digests import sha1_digest
from nianbao_core.pointer import WarcPointer

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
OPEN_SUFFIX = ".open"


class _PartsReader(io.RawIOBase):
    """A read-only stream over several byte strings, without joining them."""

    def __init__(self, parts: tuple[bytes, ...]):
        self._parts = [memoryview(p) for p in parts if p]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._parts and not self._parts[0]:
            self._parts.pop(0)
        if not self._parts:
            return 0
        part = self._parts[0]
        n = min(len(buffer), len(part))
        buffer[:n] = part[:n]
        self._parts[0] = part[n:]
        return n


def host_label() -> str:
    """This host as it stands in WARC file names (a file-name-safe lower-case label)."""
    return re.sub(r"[^a-z0-9.-]", "-", socket.gethostname().lower())


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


# WARC 1.1 revisit profiles (section 6.7).
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass(frozen=True)
class Revisit:
    """What a revisit record refers to: the earlier capture holding the payload."""

    profile: str  # IDENTICAL_PAYLOAD or SERVER_NOT_MODIFIED
    refers_to: str  # its WARC-Record-ID
    refers_to_uri: str
    refers_to_date: str
    payload_digest: str  # of the earlier payload


class RotatingWarcWriter:
    """Writes exchanges into ``directory``, starting a new file past ``max_size``."""

    def __init__(
        self,
        directory: str | os.PathLike,
        *,
        prefix: str = "nianbao",
        max_size: int = 1_000_000_000,
        warcinfo: dict[str, str] | None = None,
        clock: Callable[[], datetime] = utc_now,
        make_record_id: Callable[[], str] = new_record_id,
    ):
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, not {max_size}")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = dict(warcinfo or {})
        self.clock = clock
        self.make_record_id = make_record_id
        self._hostname = host_label()
        self._serial = 0
        self._file: io.BufferedWriter | None = None
        self._path: Path | None = None
        self._warcinfo_id: str | None = None
        self._warc = WARCWriter(None, gzip=True, warc_version=WARC_VERSION)
        self.finished_files: list[Path] = []
        self.records_written = 0

    # -- files -----------------------------------------------------------------
    def _new_file_name(self) -> str:
        # Heritrix writes "<pid>~<host>"; WACZ (frictionless) rejects "~" in names.
        stamp = self.clock().strftime("%Y%m%d%H%M%S%f")[:17]
        return f"{self.prefix}-{stamp}-{self._serial:05d}-{os.getpid()}-{self._hostname}.warc.gz"

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = self._new_file_name()
        self._serial += 1
        self._path = self.directory / name
        self._file = open(self._path.with_name(name + OPEN_SUFFIX), "xb")
        self._warc.out = self._file
        self._warcinfo_id = self.make_record_id()
        self._write(self._warcinfo_record(name))
        logger.info("Writing WARC %s", self._path)

    def close(self) -> None:
        """Finish the current file: flush, close and drop the ``.open`` suffix."""
        if self._file is None:
            return
        self._file.close()
        os.replace(self._path.with_name(self._path.name + OPEN_SUFFIX), self._path)
        self.finished_files.append(self._path)
        self._file = None
        self._path = None

    @property
    def current_file(self) -> str | None:
        return self._path.name if self._path else None

    # -- records -----------------------------------------------------------------
    def _record(self, rec_type: str, headers: list[tuple[str, str]],
                block: bytes | tuple[bytes, ...], content_type: str) -> ArcWarcRecord:
        parts = block if isinstance(block, tuple) else (block,)
        rec_headers = StatusAndHeaders("", [("WARC-Type", rec_type)] + headers,
                                       protocol=WARC_VERSION)
        rec_headers.add_header("WARC-Block-Digest", sha1_digest(*parts))
        # warcio writes only the parsed HTTP headers of a record it knows as a
        # revisit, and we hand it the block as bytes (to keep them exact): it
        # would write a revisit with its Content-Length and no block. The
        # WARC-Type header above is what readers see.
        warcio_type = "response" if rec_type == "revisit" else rec_type
        return ArcWarcRecord("warc", warcio_type, rec_headers, _PartsReader(parts), None,
                             content_type, sum(map(len, parts)))

    @staticmethod
    def _message_headers(message: HttpMessage) -> list[tuple[str, str]]:
        # Even for an empty body: without it warcio would compute one over the whole block.
        headers = [("WARC-Payload-Digest", message.payload_digest)]
        if message.truncated:
            headers.append(("WARC-Truncated", message.truncated))
        return headers

    def _warcinfo_record(self, filename: str) -> ArcWarcRecord:
        fields = {"format": "WARC File Format 1.1",
                  "conformsTo": "https://iipc.github.io/warc-specifications/"
                                "specifications/warc-format/warc-1.1/",
                  **self.warcinfo}
        block = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v).encode("utf-8")
        return self._record("warcinfo", [
            ("WARC-Record-ID", self._warcinfo_id),
            ("WARC-Date", self._date()),
            ("WARC-Filename", filename),
        ], block, "application/warc-fields")

    def _date(self, when: datetime | None = None) -> str:
        when = (when or self.clock()).astimezone(UTC).replace(tzinfo=None)
        return datetime_to_iso_date(when, use_micros=True)

    def _write(self, record: ArcWarcRecord) -> tuple[int, int]:
        offset = self._file.tell()
        self._warc.write_record(record)
        self.records_written += 1
        return offset, self._file.tell() - offset

    def write_exchange(self, url: str, request: HttpMessage, response: HttpMessage, *,
                       ip_address: str | None = None,
                       revisit: Revisit | None = None,
                       request_record: bool = True) -> WarcPointer:
        """Write the response record, then its request record; return the response's place.

        With ``revisit``, the response is written as a revisit record: its
        HTTP head only, pointing at the earlier record that holds the payload.
        ``request_record=False`` writes the response (or revisit) alone.
        """
        if self._file is None:
            self._open()
        date = self._date()
        response_id = self.make_record_id()
        common = [("WARC-Target-URI", url), ("WARC-Date", date),
                  ("WARC-Warcinfo-ID", self._warcinfo_id)]
        if revisit is None:
            record_type, block = "response", (response.head, *response.body_parts)
            payload_digest = response.payload_digest
            response_headers = [("WARC-Record-ID", response_id), *common,
                                *self._message_headers(response)]
        else:
            record_type, block = "revisit", (response.head,)
            payload_digest = revisit.payload_digest
            response_headers = [("WARC-Record-ID", response_id), *common,
                                ("WARC-Profile", revisit.profile),
                                ("WARC-Refers-To", revisit.refers_to),
                                ("WARC-Refers-To-Target-URI", revisit.refers_to_uri),
                                ("WARC-Refers-To-Date", revisit.refers_to_date),
                                ("WARC-Payload-Digest", revisit.payload_digest)]
        if ip_address:
            response_headers.append(("WARC-IP-Address", ip_address))
        offset, length = self._write(self._record(
            record_type, response_headers, block, "application/http; msgtype=response"))
        if request_record:
            self._write(self._record(
                "request",
                [("WARC-Record-ID", self.make_record_id()), *common,
                 ("WARC-Concurrent-To", response_id), *self._message_headers(request)],
                (request.head, *request.body_parts), "application/http; msgtype=request"))
        pointer = WarcPointer(file=self._path.name, offset=offset, length=length,
                              record_id=response_id, date=date,
                              payload_digest=payload_digest, record_type=record_type)
        # Out of our buffer before the caller indexes the pointer: a crawl killed
        # after that keeps the record (crawler/warc/recovery.py finishes the file).
        self._file.flush()
        if self._file.tell() >= self.max_size:
            self.close()
        return pointer

    def write_conversion(self, url: str, block: bytes, content_type: str, *,
                         refers_to: WarcPointer, metadata: dict[str, str]) -> WarcPointer:
        """Write a derived form of an archived response (a rendered DOM) and its metadata.

        A ``conversion`` record (WARC 1.1, 6.8) with ``WARC-Refers-To`` the
        response it was derived from, then a ``metadata`` record concurrent to
        it holding ``metadata`` as ``application/warc-fields``.
        """
        if self._file is None:
            self._open()
        date = self._date()
        record_id = self.make_record_id()
        payload_digest = sha1_digest(block)
        headers = [("WARC-Record-ID", record_id), ("WARC-Target-URI", url), ("WARC-Date", date),
                   ("WARC-Warcinfo-ID", self._warcinfo_id),
                   ("WARC-Refers-To", refers_to.record_id or ""),
                   ("WARC-Refers-To-Target-URI", url),
                   ("WARC-Refers-To-Date", refers_to.date or ""),
                   ("WARC-Payload-Digest", payload_digest)]
        offset, length = self._write(self._record(
            "conversion", [h for h in headers if h[1]], block, content_type))
        fields = "".join(f"{k}: {v}\r\n" for k, v in metadata.items()).encode("utf-8")
        self._write(self._record(
            "metadata",
            [("WARC-Record-ID", self.make_record_id()), ("WARC-Target-URI", url),
             ("WARC-Date", date), ("WARC-Warcinfo-ID", self._warcinfo_id),
             ("WARC-Concurrent-To", record_id)],
            fields, "application/warc-fields"))
        pointer = WarcPointer(file=self._path.name, offset=offset, length=length,
                              record_id=record_id, date=date, payload_digest=payload_digest,
                              record_type="conversion")
        self._file.flush()
        if self._file.tell() >= self.max_size:
            self.close()
        return pointer
