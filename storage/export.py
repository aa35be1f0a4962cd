"""Stored reports as report records (``../shared/spec/report-record.md``).

Each record is a report's latest version and carries, beyond the contract,
where it came from: ``source``, ``portal``, ``fetched_at`` and the WARC place
of the page (``warc_file``, ``warc_record_id``, ``warc_offset``);
``document`` names the attachment the numbers were read from when the page
only linked it; ``versions`` counts the distinct contents seen at the URL and
``latest`` marks the record as the newest of them; ``agency_key`` and
``agency_matched_by`` say which agency the cross-report audit matched the
report under, and how (``crawler.audit.identity``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from nianbao_core.record import (
    CAPTURE_PLACE_KEYS,
    DATE_FIELDS,
    EXPORT_KEYS,
    EXTRA_AFTER,
    METADATA_FIELDS,
    CapturePlace,
)
from storage.models import Capture, Report, ReportVersion


def number(value: float | None) -> int | float | None:
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def utc_timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset, whichever engine stored it.

    SQLite hands back the naive UTC time it was given; PostgreSQL an aware
    time in its session's zone. Exports from both must read the same.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def capture_place(capture: Capture) -> CapturePlace:
    return CapturePlace(url=capture.url, fetched_at=utc_timestamp(capture.fetched_at),
                        warc_file=capture.warc_file, warc_record_id=capture.warc_record_id,
                        warc_offset=capture.warc_offset)


def stored_metadata(row) -> dict:
    """A record's ``metadata`` from a version's columns (an ORM object or a row mapping)."""
    get = row.__getitem__ if hasattr(row, "keys") else lambda name: getattr(row, name)
    metadata = {field: get(field) for field in METADATA_FIELDS}
    for field in DATE_FIELDS:
        if metadata[field] is not None:
            metadata[field] = metadata[field].isoformat()
    metadata.update(get("metadata_extra") or {})
    return metadata


def stored_issue(issue) -> dict:
    """An issue as the parser gave it (its stored detail), or rebuilt from its columns."""
    return issue.detail or {"code": issue.code, "severity": issue.severity,
                            "where": issue.where, "message": issue.message}


def version_record(report: Report, version: ReportVersion) -> dict:
    """The ``ExportRecord`` of one version (``nianbao_core.record``: its keys and their order)."""
    page = capture_place(version.capture)
    values = {
        "source": report.source_url,
        "portal": report.portal.name,
        "template": version.template,
        "year": version.year,
        "title": version.title,
        "agency": version.agency,
        "agency_key": version.agency_key,
        "agency_matched_by": version.agency_matched_by,
        "metadata": stored_metadata(version),
        "stats": {stat.key: number(stat.value) for stat in version.stats},
        "legacy_indicators": version.legacy_indicators or [],
        "sections": version.sections or {},
        "issues": [stored_issue(issue) for issue in version.issues],
        "parser_version": version.parser_version,
        **{key: page[key] for key in CAPTURE_PLACE_KEYS if key != "url"},
        "latest": version.id == report.latest_version_id,
        "versions": len(report.versions),
    }
    if version.document_capture is not None:
        values["document"] = capture_place(version.document_capture)
    record = {}
    for key in EXPORT_KEYS:
        if key in values:
            record[key] = values[key]
        if key == EXTRA_AFTER:  # what the parser added beyond the contract
            record.update(version.extra or {})
    return record


def report_record(report: Report) -> dict:
    """The record of a report's latest version."""
    latest = next(v for v in report.versions if v.id == report.latest_version_id)
    return version_record(report, latest)
