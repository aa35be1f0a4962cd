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

from crawler.extraction import TEXT_EXTRACTOR, extract_report
from crawler.items import Capture
from crawler.warc.reader import UnreadableRecord, read_response, warc_files
from nianbao_core.digests import record_digest
from storage.export import number
from storage.repository import ReportStore, StoredCapture

# What a diff reports on, in the order it is printed.
CHANGE_KINDS = ("template", "year", "values", "issues", "metadata")
# Re-parsed versions written per transaction: whole reports, several at a time.
WRITE_BATCH = 64
# Versions whose only news is a newer parser version: one UPDATE for all of them,
# so many more per transaction (fewer commits: the main process shares the cores).
VERSION_ONLY_BATCH = 1024


@dataclass(frozen=True)
class ArchivedCapture:
    """A stored capture and the WARC file (under the paths given) that holds it."""

    stored: StoredCapture
    warc_path: str

    @property
    def capture_id(self) -> int:
        return self.stored.capture_id


@dataclass(frozen=True)
class ReparseTask:
    version_id: int
    source_url: str  # the report's URL, for the diff
    page: ArchivedCapture
    attachments: tuple[ArchivedCapture, ...]
    # The stored main text, when today's extractor made it: no need to run it again.
    known_text: str | None = None
    # What is stored of the version's record, for the worker to tell "unchanged" itself.
    stored_digest: str | None = None
    stored_parser_version: str | None = None


@dataclass
class ReparseResult:
    version_id: int
    record: dict | None
    text: str | None
    text_extractor: str | None
    document_capture_id: int | None
    error: str | None = None  # the capture could not be read back from the WARC
    # The record's digest equals the stored one: the worker sends no record back,
    # only whether the parser version changed (most of a re-parse is this).
    unchanged: bool = False
    parser_version: str | None = None


@dataclass
class ReparseSummary:
    reports: int = 0
    changed: int = 0
    missing: int = 0  # versions whose WARC file is not under the given paths
    unreadable: int = 0  # versions whose record could not be read (damaged WARC)
    by_kind: Counter = field(default_factory=Counter)


def _archived(capture: StoredCapture, files: dict[str, Path]) -> ArchivedCapture | None:
    path = capture.pointer and files.get(capture.pointer.file)
    return ArchivedCapture(capture, str(path)) if path else None


def load_tasks(store: ReportStore, paths: list[str], *,
               reextract: bool = False) -> tuple[list[ReparseTask], int]:
    """One task per stored version whose page is in the WARC files under ``paths``.

    ``reextract``: run the main-text extractor again even where the stored
    text came from the same extractor.
    """
    files = {path.name: path for path in warc_files(paths)}
    tasks, missing = [], 0
    for version in store.stored_versions():
        page = _archived(version.page, files)
        if page is None:
            missing += 1
            continue
        linked = (_archived(a, files) for a in version.attachments)
        reuse = not reextract and version.text_extractor == TEXT_EXTRACTOR
        tasks.append(ReparseTask(version.version_id, version.source_url, page,
                                 tuple(a for a in linked if a),
                                 version.main_text if reuse else None,
                                 version.record_digest, version.parser_version))
    return tasks, missing


def _capture(archived: ArchivedCapture) -> Capture:
    stored = archived.stored
    response = read_response(archived.warc_path, stored.pointer.offset)
    return Capture(url=stored.url, status=response.status,
                   content_type=response.content_type, body=response.body,
                   fetched_at=stored.fetched_at, requested_url=stored.requested_url,
                   warc=stored.pointer)


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
    parser_version = extraction.record.get("parser_version")
    if task.stored_digest is not None and task.stored_digest == record_digest(extraction.record):
        return ReparseResult(task.version_id, None, None, None, None, unchanged=True,
                             parser_version=parser_version)
    return ReparseResult(task.version_id, extraction.record, extraction.text,
                         extraction.text_extractor, document_id, parser_version=parser_version)


def _issue_keys(issues: list[dict]) -> Counter:
    return Counter(json.dumps(issue, sort_keys=True, ensure_ascii=False) for issue in issues)


def diff_records(old: dict, new: dict) -> dict:
    """What changed between a stored record and a new one, by kind (empty: nothing)."""
    changes: dict = {}
    for key in ("template", "year"):
        if old.get(key) != new.get(key):
            changes[key] = [old.get(key), new.get(key)]
    old_stats, new_stats = old.get("stats") or {}, new.get("stats") or {}
    values = {} if old_stats == new_stats else {  # the usual case, at C speed
        key: [number(old_stats.get(key)), new_stats.get(key)]
        for key in sorted(set(old_stats) | set(new_stats))
        if key not in old_stats or key not in new_stats or old_stats[key] != new_stats[key]}
    if (old.get("legacy_indicators") or []) != (new.get("legacy_indicators") or []):
        values["legacy_indicators"] = [len(old.get("legacy_indicators") or []),
                                       len(new.get("legacy_indicators") or [])]
    if values:
        changes["values"] = values
    old_list, new_list = old.get("issues") or [], new.get("issues") or []
    old_issues, new_issues = ((None, None) if old_list == new_list  # same, in the same order
                              else (_issue_keys(old_list), _issue_keys(new_list)))
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


class _Reparse:
    """One re-parse's bookkeeping: what to compare, what to write, what to report."""

    def __init__(self, store: ReportStore, tasks: list[ReparseTask], diff_out,
                 summary: ReparseSummary):
        self.store, self.diff_out, self.summary = store, diff_out, summary
        self.tasks = {task.version_id: task for task in tasks}
        self.to_compare: list[ReparseResult] = []
        self.to_write: list[tuple] = []
        self.rewrites = 0  # entries of to_write that rewrite more than the parser version

    def _report(self, line: dict) -> None:
        if self.diff_out is not None:
            self.diff_out.write(json.dumps(line, ensure_ascii=False) + "\n")

    def add(self, result: ReparseResult) -> None:
        task = self.tasks[result.version_id]
        source = task.source_url
        if result.error is not None:  # reported, and the stored record kept
            self.summary.unreadable += 1
            self._report({"source": source, "version_id": result.version_id,
                          "error": result.error})
            return
        self.summary.reports += 1
        if result.unchanged:
            # Same record: nothing to compare. A newer parser says so, nothing else.
            if task.stored_parser_version != result.parser_version:
                self._write(result, rewrite=None)
            return
        self.to_compare.append(result)
        if len(self.to_compare) >= WRITE_BATCH:
            self.compare()

    def compare(self) -> None:
        """Diff the records whose digests differ (or were never taken) with the stored ones."""
        batch, self.to_compare = self.to_compare, []
        if not batch:
            return
        stored = self.store.comparable_records([r.version_id for r in batch])
        for result in batch:
            changes = diff_records(stored[result.version_id], result.record)
            # No change (a digest taken by an older parser, or none yet): the
            # version's own columns are rewritten, so its digest is this one.
            self._write(result, rewrite="values" in changes or "issues" in changes)
            if changes:
                self.summary.changed += 1
                self.summary.by_kind.update(changes.keys())
                self._report({"source": self.tasks[result.version_id].source_url,
                              "version_id": result.version_id, "changes": changes})

    def _write(self, result: ReparseResult, rewrite: bool | None) -> None:
        # An unchanged result brings no record back: its parser version is all it writes.
        record = result.record if result.record is not None else {
            "parser_version": result.parser_version}
        self.to_write.append((result.version_id, record, result.text,
                              result.text_extractor, result.document_capture_id, rewrite))
        if rewrite is not None:
            self.rewrites += 1
        if self.rewrites >= WRITE_BATCH or len(self.to_write) >= VERSION_ONLY_BATCH:
            self.flush_writes()

    def flush_writes(self) -> None:
        if self.to_write:
            self.store.update_versions(self.to_write)
            self.to_write, self.rewrites = [], 0

    def finish(self) -> None:
        self.compare()
        self.flush_writes()


def reparse(store: ReportStore, paths: list[str], *, workers: int | None = None,
            progress: Callable[[Iterator, int], Iterator] = lambda it, total: it,
            diff_out=None, reextract: bool = False) -> ReparseSummary:
    tasks, missing = load_tasks(store, paths, reextract=reextract)
    summary = ReparseSummary(missing=missing)
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(run_task, tasks, chunksize=max(1, min(16, len(tasks) // (4 * workers))))
        run = _Reparse(store, tasks, diff_out, summary)
        for result in progress(results, len(tasks)):
            run.add(result)
        run.finish()
    return summary
