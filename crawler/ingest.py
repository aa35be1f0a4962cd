"""Rebuilding the database from archives alone: any WARC or WACZ in, reports out.

``scrapy reparse PATHS`` re-parses the reports the database lists
(``crawler.reparse``) and then hands the rest of the archive to ``ingest``:
every response record no capture row names yet is a candidate. A page is a
report by the rules the spiders apply (``crawler.report_rules``: title
patterns, 年报解读 pages vetoed, soft 404s); its attachments are the archived
responses of the links the spiders follow, after the archived redirects; it
is extracted by the crawl's own step (``crawler.extraction``) and stored
through ``ReportStore.save_report`` with its captures and WARC places, one
capture after another in capture order, so one URL's captures from several
crawls become its versions as crawls would have made them.

Other tools' archives read the same way: WARC 1.0 and 1.1, gzip per record
or not compressed (fastwarc tells them apart), WACZ files (their ``archive/``
members, which the format stores uncompressed in the zip, so each record is
read at its place in the .wacz), with or without request records, wget's
``<uri>`` brackets, and revisit records resolved to the response they refer to
(by ``WARC-Refers-To`` or by URL and payload digest) when it is in the paths.
"""

from __future__ import annotations

import logging
import struct
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from fastwarc.warc import ArchiveIterator, WarcRecordType
from parsel import Selector

from crawler.extraction import extract_report
from crawler.items import Capture
from crawler.parser.decode import decode
from crawler.report_rules import ReportRules
from crawler.scope import Origin
from crawler.warc.reader import DEFAULT_READ_MAXSIZE, UnreadableRecord, read_response
from nianbao_core.pointer import WarcPointer
from spiders.families import spider_class
from spiders.registry import Portal, load_portals
from storage.repository import ReportStore

logger = logging.getLogger(__name__)

ARCHIVE_SUFFIXES = (".warc.gz", ".warc", ".wacz")
# Redirects followed inside the archive, as Scrapy's REDIRECT_MAX_TIMES would.
MAX_REDIRECTS = 20
HTML_TYPES = ("text/html", "application/xhtml")
# Why a candidate page was not stored, in the order the summary prints them.
SKIP_REASONS = ("already_stored", "not_200", "soft_404", "list_page", "not_a_report",
                "revisit_original_missing", "unreadable")


class NoArchives(FileNotFoundError):
    """The paths hold no WARC or WACZ file."""


@dataclass(frozen=True)
class ArchiveFile:
    """A WARC file, or one WARC member of a WACZ (read at ``start`` inside the .wacz)."""

    path: Path  # the file to open
    name: str  # the WARC file name a pointer names (a WACZ member's base name)
    start: int = 0  # where the member's bytes begin in ``path``
    member: str | None = None

    def __str__(self) -> str:
        return f"{self.path}#{self.member}" if self.member else str(self.path)


@dataclass(frozen=True)
class ArchivedRecord:
    """What the scan keeps of a response or revisit record: never its body."""

    file: ArchiveFile
    offset: int  # within the WARC (member)
    length: int
    record_type: str
    record_id: str
    url: str
    date: str
    status: int | None
    content_type: str | None
    location: str | None
    payload_digest: str | None
    refers_to: str | None = None
    refers_to_url: str | None = None
    part_of: str | None = None  # the warcinfo's isPartOf: the spider that wrote it

    @property
    def where(self) -> str:
        return f"{self.file}@{self.offset}"

    def pointer(self, original: ArchivedRecord | None = None) -> WarcPointer:
        return WarcPointer(file=self.file.name, offset=self.offset, record_id=self.record_id,
                           date=self.date, length=self.length,
                           payload_digest=self.payload_digest, record_type=self.record_type,
                           revisit_record_id=original.record_id if original else None)


@dataclass
class IngestSummary:
    records: int = 0  # response and revisit records read
    files: int = 0
    report_pages: int = 0  # pages the spiders' rules call reports
    stored: int = 0  # report captures stored
    new_versions: int = 0
    skipped: Counter = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)  # path@offset: what

    def why_nothing(self) -> str:
        """Why nothing was stored, in words, when nothing was."""
        if self.stored:
            return ""
        reasons = []
        if not self.records:
            reasons.append("no response records found")
        elif not self.report_pages:
            reasons.append(f"no report pages found among {self.records} records")
        elif self.skipped["already_stored"] == self.report_pages:
            reasons.append("every report page found is already stored")
        if self.unreadable:
            reasons.append(f"{len(self.unreadable)} records unreadable")
        return "; ".join(reasons) or "nothing new to store"


def archive_files(paths: list[str]) -> list[ArchiveFile]:
    """The WARC and WACZ files in ``paths`` (files or directories, searched recursively)."""
    found: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.name.endswith(ARCHIVE_SUFFIXES))
        elif path.is_file() and path.name.endswith(ARCHIVE_SUFFIXES):
            found.add(path)
        else:
            raise FileNotFoundError(f"not a WARC or WACZ file, nor a directory: {path}")
    files: list[ArchiveFile] = []
    for path in sorted(found):
        files.extend(wacz_members(path) if path.name.endswith(".wacz") else
                     [ArchiveFile(path, path.name)])
    return files


def wacz_members(path: Path) -> list[ArchiveFile]:
    """A WACZ's WARC files, each where its bytes start in the zip.

    The WACZ spec stores them uncompressed (ZIP_STORED) so that a record can be
    read at an offset: a compressed member cannot be, and is refused.
    """
    members = []
    with zipfile.ZipFile(path) as wacz, open(path, "rb") as raw:
        for info in wacz.infolist():
            if not info.filename.startswith("archive/") or not info.filename.endswith(
                    (".warc.gz", ".warc")):
                continue
            if info.compress_type != zipfile.ZIP_STORED:
                raise UnreadableRecord(f"{path}#{info.filename}: compressed in the zip "
                                       "(a WACZ stores its WARC files uncompressed)")
            # The data follows the local header (30 bytes, then name and extra field,
            # whose lengths may differ from the central directory's).
            raw.seek(info.header_offset)
            header = raw.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            start = info.header_offset + 30 + name_length + extra_length
            members.append(ArchiveFile(path, Path(info.filename).name, start, info.filename))
    return members


def target_uri(value: str | None) -> str:
    # WARC/1.0 writers such as wget put the URI in angle brackets.
    value = (value or "").strip()
    return value[1:-1] if value.startswith("<") and value.endswith(">") else value


@contextmanager
def _open(file: ArchiveFile) -> Iterator:
    if file.member is None:
        with open(file.path, "rb") as stream:
            yield stream
        return
    with zipfile.ZipFile(file.path) as wacz, wacz.open(file.member) as stream:
        yield stream


def _member_size(file: ArchiveFile) -> int:
    if file.member is None:
        return file.path.stat().st_size
    with zipfile.ZipFile(file.path) as wacz:
        return wacz.getinfo(file.member).file_size


def scan(file: ArchiveFile, summary: IngestSummary) -> list[ArchivedRecord]:
    """The response and revisit records of one WARC, in file order (headers only).

    A record's length is the bytes up to the next record, as the crawl's writer
    counts it; so every record is walked, requests included.
    """
    part_of = None
    offset = 0
    found: list[tuple[int, dict]] = []
    starts: list[int] = []
    try:
        with _open(file) as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.any_type,
                                          parse_http=True, fsspec_args=False):
                offset = record.stream_pos
                starts.append(offset)
                headers = record.headers
                if record.record_type == WarcRecordType.warcinfo:
                    fields = record.reader.read().decode("utf-8", "replace")
                    part_of = next((line.split(":", 1)[1].strip() for line in fields.splitlines()
                                    if line.lower().startswith("ispartof:")), part_of)
                    continue
                if record.record_type not in (WarcRecordType.response, WarcRecordType.revisit):
                    continue
                summary.records += 1
                http = record.http_headers
                status = int(http.status_code) if http is not None and http.status_code else None
                found.append((offset, dict(
                    file=file, offset=offset,
                    record_type="response" if record.record_type == WarcRecordType.response
                    else "revisit",
                    record_id=headers.get("WARC-Record-ID"),
                    url=target_uri(headers.get("WARC-Target-URI")),
                    date=headers.get("WARC-Date") or "",
                    status=status,
                    content_type=http.get("Content-Type") if http is not None else None,
                    location=http.get("Location") if http is not None else None,
                    payload_digest=headers.get("WARC-Payload-Digest"),
                    refers_to=headers.get("WARC-Refers-To"),
                    refers_to_url=target_uri(headers.get("WARC-Refers-To-Target-URI")) or None,
                    part_of=part_of)))
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as exc:
        summary.unreadable.append(f"{file}@{offset}: {exc!r}")
        logger.error("%s is damaged after offset %d; the rest is not read: %r",
                     file, offset, exc)
    ends = dict(zip(starts, [*starts[1:], _member_size(file)], strict=True))
    return [ArchivedRecord(length=ends[start] - start, **fields) for start, fields in found]


class PortalFinder:
    """Which portal a capture belongs to: its WARC's warcinfo names the spider, or
    its origin is a registry portal's live or configured base URL; else its host."""

    def __init__(self, portals: list[Portal], configured: dict[str, str]):
        self.portals = {p.name: p for p in portals}
        self.by_origin: dict[Origin, Portal] = {}
        for portal in portals:
            for url in (portal.base_url, *portal.extra_origins):
                self.by_origin.setdefault(Origin.of(url), portal)
        for name, url in configured.items():  # PORTAL_BASE_URLS: a replica, a mirror
            if name in self.portals:
                self.by_origin[Origin.of(url)] = self.portals[name]

    def portal(self, record: ArchivedRecord) -> Portal | None:
        origin = Origin.of(record.url)
        if origin in self.by_origin:
            return self.by_origin[origin]
        return self.portals.get(record.part_of or "")

    def name(self, record: ArchivedRecord) -> tuple[str, str | None, str | None]:
        """Portal name, title and base URL to store."""
        portal = self.portal(record)
        if portal is not None:
            return portal.name, portal.full_name, portal.base_url
        parts = urlsplit(record.url)
        return parts.hostname or "unknown", None, f"{parts.scheme}://{parts.netloc}"

    def is_column(self, record: ArchivedRecord) -> bool:
        """One of the portal's 信息公开年报 columns (the registry names them)."""
        portal = self.portal(record)
        path = urlsplit(record.url).path
        return portal is not None and any(path == column or (column.endswith("/") and path in (
            column + "index.html", column + "index.htm")) for column in portal.columns)

    def rules(self, record: ArchivedRecord) -> ReportRules:
        portal = self.portal(record)
        return ReportRules.of(spider_class(portal)) if portal is not None else ReportRules()

    def same_site(self, page: ArchivedRecord, url: str) -> bool:
        """Attachments the spider would have followed: the page's origin or its portal's."""
        origin = Origin.of(url)
        if origin == Origin.of(page.url):
            return True
        portal = self.portal(page)
        return portal is not None and self.by_origin.get(origin) is portal


class Archive:
    """Every scanned record, by URL and by record id, and how to read one back."""

    def __init__(self, records: list[ArchivedRecord], max_size: int):
        self.max_size = max_size
        self.by_id = {r.record_id: r for r in records if r.record_type == "response"}
        self.by_url: dict[str, list[ArchivedRecord]] = defaultdict(list)
        self.by_digest: dict[tuple[str, str], ArchivedRecord] = {}
        for record in sorted(records, key=lambda r: r.date):
            self.by_url[urldefrag(record.url)[0]].append(record)
            if record.record_type == "response" and record.payload_digest:
                self.by_digest.setdefault((record.url, record.payload_digest), record)

    def original(self, revisit: ArchivedRecord) -> ArchivedRecord | None:
        if revisit.refers_to and revisit.refers_to in self.by_id:
            return self.by_id[revisit.refers_to]
        return self.by_digest.get((revisit.refers_to_url or revisit.url,
                                   revisit.payload_digest or ""))

    def capture(self, record: ArchivedRecord, requested_url: str | None = None) -> Capture:
        """The capture as the crawl would have made it; a revisit reads its original's bytes."""
        source = self.original(record) if record.record_type == "revisit" else record
        if source is None:
            raise UnreadableRecord(f"{record.where}: revisit of a record not in the paths")
        response = read_response(source.file.path, source.file.start + source.offset,
                                 self.max_size)
        return Capture(url=record.url, status=record.status or response.status,
                       content_type=record.content_type or response.content_type,
                       body=response.body, fetched_at=record.date,
                       warc=record.pointer(source if source is not record else None),
                       requested_url=requested_url, payload_digest=record.payload_digest)

    def fetched(self, url: str, after: str) -> tuple[ArchivedRecord, str | None] | None:
        """What fetching ``url`` at ``after`` got, through archived redirects: the first
        capture at or after that time (else the last before), and the URL asked for."""
        asked = url
        for _ in range(MAX_REDIRECTS):
            captures = self.by_url.get(urldefrag(url)[0])
            if not captures:
                return None
            record = next((c for c in captures if c.date >= after), captures[-1])
            if record.status in (301, 302, 303, 307, 308) and record.location:
                url = urljoin(url, target_uri(record.location))
                continue
            return record, (asked if url != asked else None)
        return None


def _is_html(record: ArchivedRecord) -> bool:
    return (record.content_type or "").split(";")[0].strip().lower() in HTML_TYPES


def ingest(store: ReportStore, paths: list[str], *, configured_portals: dict[str, str] | None
           = None, portals: list[Portal] | None = None, max_size: int = DEFAULT_READ_MAXSIZE,
           progress: Callable[[Iterator, int], Iterator] = lambda it, total: it,
           ) -> IngestSummary:
    """Store every report in the archives under ``paths`` that the database lacks."""
    summary = IngestSummary()
    files = archive_files(paths)
    if not files:
        raise NoArchives(f"no WARC or WACZ files under {', '.join(paths)}")
    records: list[ArchivedRecord] = []
    for file in files:
        summary.files += 1
        records.extend(scan(file, summary))
    archive = Archive(records, max_size)
    finder = PortalFinder(portals if portals is not None else load_portals(),
                          configured_portals or {})
    known = store.known_record_ids(r.record_id for r in records)
    candidates = sorted((r for r in records if _is_html(r) or r.record_type == "revisit"),
                        key=lambda r: r.date)
    run = _Run(store)
    for record in progress(iter(candidates), len(candidates)):
        skip = _store_if_report(run, archive, finder, record, known, summary)
        if skip:
            summary.skipped[skip] += 1
    run_id = run.run_id
    if run_id is not None:
        store.finish_run(run_id, "finished", {
            "ingest/records": summary.records, "ingest/report_pages": summary.report_pages,
            "ingest/stored": summary.stored, "ingest/unreadable": len(summary.unreadable),
            **{f"ingest/skipped/{k}": v for k, v in summary.skipped.items()}})
    return summary


class _Run:
    """The crawl-run row an ingest stores under: made when the first report is stored."""

    def __init__(self, store: ReportStore):
        self.store, self.run_id = store, None

    def id(self) -> int:
        if self.run_id is None:
            self.run_id = self.store.start_run("ingest")
        return self.run_id


def _store_if_report(run: _Run, archive: Archive, finder: PortalFinder, record: ArchivedRecord,
                     known: set[str], summary: IngestSummary) -> str | None:
    """Store the report at ``record``; else why not (None: not a page at all)."""
    original = record
    if record.record_type == "revisit":
        original = archive.original(record)
        if original is None:
            return "revisit_original_missing" if record.content_type is None or _is_html(
                record) else None
        if not _is_html(original) and not _is_html(record):
            return None
    if (record.status or original.status) != 200:
        return "not_200"
    try:
        page = archive.capture(record)
    except UnreadableRecord as exc:
        summary.unreadable.append(str(exc))
        return "unreadable"
    rules = finder.rules(record)
    text, _, _ = decode(page.body, page.content_type)
    selector = Selector(text=text)
    if rules.is_soft_404(page.status, selector):
        return "soft_404"
    if finder.is_column(record) or rules.lists_reports(selector):
        return "list_page"
    title = rules.page_title(selector)
    if not rules.is_report_title(title):
        return "not_a_report"
    summary.report_pages += 1
    if record.record_id in known:
        return "already_stored"
    attachments = []
    links = dict.fromkeys(urljoin(record.url, href) for href in rules.attachment_hrefs(selector))
    for link in links:
        if not finder.same_site(record, link):
            continue
        found = archive.fetched(link, record.date)
        if found is None:
            continue  # not archived: the crawl's attachment_failed, counted by it
        try:
            attachments.append(archive.capture(*found))
        except UnreadableRecord as exc:
            summary.unreadable.append(str(exc))
    extraction = extract_report(page, attachments)
    name, full_name, base_url = finder.name(record)
    saved = run.store.save_report(
        portal=name, record=extraction.record, page=page, document=extraction.document,
        attachments=attachments, content_digest=extraction.content_digest,
        main_text=extraction.text, text_extractor=extraction.text_extractor,
        run_id=run.id(), portal_title=full_name, portal_base_url=base_url)
    summary.stored += 1
    summary.new_versions += saved.new_version
    known.add(record.record_id)
    return None
