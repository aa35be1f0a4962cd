"""Re-parsing archived reports: the archive read back through today's parser.

Every stored report version points at the WARC record of its page (and its
attachments at theirs). ``reparse`` reads those records, runs the same
extraction step as the crawl (``crawler.extraction``) in worker processes,
compares each new record with the stored one, and writes only what changed.
An unchanged archive re-parsed by an unchanged parser changes nothing.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crawler.extraction import TEXT_EXTRACTOR, extract_report
from crawler.items import Capture
from crawler.warc.reader import UnreadableRecord, read_response, warc_files
from storage.export import number
from storage.models import Capture as CaptureRow
from storage.models import Report, ReportIssue, ReportStat, ReportVersion
from storage.repository import METADATA_FIELDS, ReportStore

# What a diff reports on, in the order it is printed.
CHANGE_KINDS = ("template", "year", "values", "issues", "metadata")
# Re-parsed versions written per transaction: whole reports, several at a time.
WRITE_BATCH = 64


@dataclass(frozen=True)
class ArchivedCapture:
    capture_id: int
    url: str
    requested_url: str | None
    warc_path: str
    warc_offset: int
    warc_file: str
    warc_record_id: str | None
    fetched_at: str


@dataclass(frozen=True)
class ReparseTask:
    version_id: int
    page: ArchivedCapture
    attachments: tuple[ArchivedCapture, ...]
    # The stored main text, when today's extractor made it: no need to run it again.
    known_text: str | None = None


@dataclass
class ReparseResult:
    version_id: int
    record: dict | None
    text: str | None
    text_extractor: str | None
    document_capture_id: int | None
    error: str | None = None  # the capture could not be read back from the WARC


@dataclass
class ReparseSummary:
    reports: int = 0
    changed: int = 0
    missing: int = 0  # versions whose WARC file is not under the given paths
    unreadable: int = 0  # versions whose record could not be read (damaged WARC)
    by_kind: Counter = field(default_factory=Counter)


def _archived(row: CaptureRow, files: dict[str, Path]) -> ArchivedCapture | None:
    path = files.get(row.warc_file or "")
    if path is None or row.warc_offset is None:
        return None
    return ArchivedCapture(row.id, row.url, row.requested_url, str(path), row.warc_offset,
                           row.warc_file, row.warc_record_id, row.fetched_at.isoformat())


def load_tasks(store: ReportStore, paths: list[str], *,
               reextract: bool = False) -> tuple[list[ReparseTask], int]:
    """One task per stored version whose page is in the WARC files under ``paths``.

    ``reextract``: run the main-text extractor again even where the stored
    text came from the same extractor.
    """
    files = {path.name: path for path in warc_files(paths)}
    tasks, missing = [], 0
    with store.sessions() as session:
        versions = session.scalars(select(ReportVersion).options(
            selectinload(ReportVersion.capture)).order_by(ReportVersion.id)).all()
        children = session.scalars(select(CaptureRow).where(CaptureRow.parent_id.in_(
            [v.capture_id for v in versions]))).all()
    attachments: dict[int, list[CaptureRow]] = {}
    for child in sorted(children, key=lambda c: c.id):
        attachments.setdefault(child.parent_id, []).append(child)
    for version in versions:
        page = _archived(version.capture, files)
        if page is None:
            missing += 1
            continue
        linked = (_archived(a, files) for a in attachments.get(version.capture_id, []))
        reuse = not reextract and version.text_extractor == TEXT_EXTRACTOR
        tasks.append(ReparseTask(version.id, page, tuple(a for a in linked if a),
                                 version.main_text if reuse else None))
    return tasks, missing


def _capture(archived: ArchivedCapture) -> Capture:
    response = read_response(archived.warc_path, archived.warc_offset)
    return Capture(url=archived.url, status=response.status,
                   content_type=response.content_type, body=response.body,
                   fetched_at=archived.fetched_at, requested_url=archived.requested_url,
                   warc={"warc_file": archived.warc_file, "warc_offset": archived.warc_offset,
                         "warc_record_id": archived.warc_record_id})


def run_task(task: ReparseTask) -> ReparseResult:
    """Runs in a worker: read the captures from the WARC and extract as the crawl does."""
    try:
        attachments = [_capture(a) for a in task.attachments]
        page = _capture(task.page)
    except UnreadableRecord as exc:
        return ReparseResult(task.version_id, None, None, None, None, error=str(exc))
    extraction = extract_report(page, attachments, known_text=task.known_text)
    document_id = None
    if extraction.document is not None:
        index = next(i for i, a in enumerate(attachments) if a is extraction.document)
        document_id = task.attachments[index].capture_id
    return ReparseResult(task.version_id, extraction.record, extraction.text,
                         extraction.text_extractor, document_id)


def _issue_keys(issues: list[dict]) -> Counter:
    return Counter(json.dumps(issue, sort_keys=True, ensure_ascii=False) for issue in issues)


def diff_records(old: dict, new: dict) -> dict:
    """What changed between a stored record and a new one, by kind (empty: nothing)."""
    changes: dict = {}
    for key in ("template", "year"):
        if old.get(key) != new.get(key):
            changes[key] = [old.get(key), new.get(key)]
    old_stats, new_stats = old.get("stats") or {}, new.get("stats") or {}
    values = {key: [old_stats.get(key), new_stats.get(key)]
              for key in sorted(set(old_stats) | set(new_stats))
              if key not in old_stats or key not in new_stats
              or old_stats[key] != new_stats[key]}
    if (old.get("legacy_indicators") or []) != (new.get("legacy_indicators") or []):
        values["legacy_indicators"] = [len(old.get("legacy_indicators") or []),
                                       len(new.get("legacy_indicators") or [])]
    if values:
        changes["values"] = values
    old_issues, new_issues = _issue_keys(old.get("issues") or []), _issue_keys(
        new.get("issues") or [])
    if old_issues != new_issues:
        changes["issues"] = {
            "removed": [json.loads(i) for i in (old_issues - new_issues).elements()],
            "added": [json.loads(i) for i in (new_issues - old_issues).elements()]}
    metadata = {key: [old.get(key), new.get(key)] for key in ("title", "agency")
                if old.get(key) != new.get(key)}
    old_meta, new_meta = old.get("metadata") or {}, new.get("metadata") or {}
    metadata.update({key: [old_meta.get(key), new_meta.get(key)]
                     for key in sorted(set(old_meta) | set(new_meta))
                     if old_meta.get(key) != new_meta.get(key)})
    if metadata:
        changes["metadata"] = metadata
    return changes


def _stored_records(store: ReportStore) -> dict[int, tuple[str, dict]]:
    """What ``diff_records`` compares, for every stored version (Core queries: fast)."""
    versions, reports = ReportVersion.__table__, Report.__table__
    stats, issues = ReportStat.__table__, ReportIssue.__table__
    records: dict[int, tuple[str, dict]] = {}
    with store.engine.connect() as connection:
        rows = connection.execute(select(versions, reports.c.source_url).join(
            reports, reports.c.id == versions.c.report_id)).mappings()
        for row in rows:
            metadata = {field: row[field] for field in METADATA_FIELDS}
            for field in ("written_date", "published_date"):
                if metadata[field] is not None:
                    metadata[field] = metadata[field].isoformat()
            metadata.update(row["metadata_extra"] or {})
            records[row["id"]] = (row["source_url"], {
                "template": row["template"], "year": row["year"], "title": row["title"],
                "agency": row["agency"], "metadata": metadata, "stats": {},
                "legacy_indicators": row["legacy_indicators"] or [], "issues": [],
                "parser_version": row["parser_version"]})
        for version_id, key, value in connection.execute(
                select(stats.c.version_id, stats.c.key, stats.c.value)):
            records[version_id][1]["stats"][key] = number(value)
        for row in connection.execute(select(issues).order_by(issues.c.id)).mappings():
            records[row["version_id"]][1]["issues"].append(row["detail"] or {
                "code": row["code"], "severity": row["severity"], "where": row["where"],
                "message": row["message"]})
    return records


def reparse(store: ReportStore, paths: list[str], *, workers: int | None = None,
            progress: Callable[[Iterator, int], Iterator] = lambda it, total: it,
            diff_out=None, reextract: bool = False) -> ReparseSummary:
    tasks, missing = load_tasks(store, paths, reextract=reextract)
    stored = _stored_records(store)
    summary = ReparseSummary(missing=missing)
    workers = workers or os.cpu_count() or 1
    pending: list[tuple] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(run_task, tasks, chunksize=max(1, min(16, len(tasks) // (4 * workers))))
        for result in progress(results, len(tasks)):
            source, old = stored[result.version_id]
            if result.error is not None:  # reported, and the stored record kept
                summary.unreadable += 1
                if diff_out is not None:
                    diff_out.write(json.dumps({"source": source, "version_id": result.version_id,
                                               "error": result.error}) + "\n")
                continue
            summary.reports += 1
            changes = diff_records(old, result.record)
            parser_changed = old.get("parser_version") != result.record.get("parser_version")
            if changes or parser_changed:
                rewrite = ("values" in changes or "issues" in changes) if changes else None
                pending.append((result.version_id, result.record, result.text,
                                result.text_extractor, result.document_capture_id, rewrite))
                if len(pending) >= WRITE_BATCH:
                    store.update_versions(pending)
                    pending = []
            if changes:
                summary.changed += 1
                summary.by_kind.update(changes.keys())
                if diff_out is not None:
                    diff_out.write(json.dumps({"source": source, "version_id": result.version_id,
                                               "changes": changes}, ensure_ascii=False) + "\n")
    if pending:
        store.update_versions(pending)
    return summary
