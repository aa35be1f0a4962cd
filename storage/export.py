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

from storage.models import Capture, Report, ReportVersion
from storage.repository import METADATA_FIELDS


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


def _capture_pointer(capture: Capture) -> dict:
    return {
        "url": capture.url,
        "fetched_at": utc_timestamp(capture.fetched_at),
        "warc_file": capture.warc_file,
        "warc_record_id": capture.warc_record_id,
        "warc_offset": capture.warc_offset,
    }


def version_record(report: Report, version: ReportVersion) -> dict:
    metadata = {field: getattr(version, field) for field in METADATA_FIELDS}
    for field in ("written_date", "published_date"):
        if metadata[field] is not None:
            metadata[field] = metadata[field].isoformat()
    metadata.update(version.metadata_extra or {})
    page = _capture_pointer(version.capture)
    record = {
        "source": report.source_url,
        "portal": report.portal.name,
        "template": version.template,
        "year": version.year,
        "title": version.title,
        "agency": version.agency,
        "agency_key": version.agency_key,
        "agency_matched_by": version.agency_matched_by,
        "metadata": metadata,
        "stats": {stat.key: number(stat.value) for stat in version.stats},
        "legacy_indicators": version.legacy_indicators or [],
        "sections": version.sections or {},
        "issues": [issue.detail or {"code": issue.code, "severity": issue.severity,
                                    "where": issue.where, "message": issue.message}
                   for issue in version.issues],
        **(version.extra or {}),
        "parser_version": version.parser_version,
        "fetched_at": page["fetched_at"],
        "warc_file": page["warc_file"],
        "warc_record_id": page["warc_record_id"],
        "warc_offset": page["warc_offset"],
        "latest": version.id == report.latest_version_id,
        "versions": len(report.versions),
    }
    if version.document_capture is not None:
        record["document"] = _capture_pointer(version.document_capture)
    return record


def report_record(report: Report) -> dict:
    """The record of a report's latest version."""
    latest = next(v for v in report.versions if v.id == report.latest_version_id)
    return version_record(report, latest)
