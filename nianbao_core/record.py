"""The report record's spec (``../shared/spec/report-record.md``), written once.

The parser returns a :class:`ReportRecord`; storage keeps its keys in columns
of their own (the rest in ``extra``); the exports write an
:class:`ExportRecord` (the record plus where it came from) and the flat table
gives each of its keys a column. Every such key list is derived here from the
two ``TypedDict`` classes, so adding a key is one edit.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

# The table formats a report can have, in the order tables are written.
TEMPLATES = ("pre2019", "2019", "2021", "unknown")

# ``metadata`` fields of the contract (the stored columns); a parser may add
# others (site_name, column_name…), which are kept beside them.
METADATA_FIELDS = ("index_no", "publisher", "written_date", "published_date",
                   "doc_number", "subject", "validity")
DATE_FIELDS = ("written_date", "published_date")


class Issue(TypedDict):
    code: str
    severity: str
    where: str | None
    message: str


class ReportRecord(TypedDict, total=False):
    """What the shared parser returns for one report."""

    source: str | None
    template: str  # one of TEMPLATES
    year: int | None
    title: str | None
    agency: str | None
    metadata: dict[str, str | None]
    stats: dict[str, int | float | None]
    cells: dict[str, str]  # the cells as printed, by stat key (when the parser gives them)
    legacy_indicators: list[dict]
    sections: dict[str, str | None]
    issues: list[Issue]
    parser_version: str


class CapturePlace(TypedDict):
    """Where an exported report's page (or attachment, ``document``) was archived."""

    url: str
    fetched_at: str | None
    warc_file: str | None
    warc_record_id: str | None
    warc_offset: int | None


class ExportRecord(TypedDict, total=False):
    """A stored report as ``scrapy export`` writes it, keys in this order.

    The parser record's keys (minus ``cells``), then any key the parser added
    beyond the contract (at ``EXTRA_AFTER``), then provenance.
    """

    source: str
    portal: str
    template: str
    year: int | None
    title: str | None
    agency: str | None
    agency_key: str | None  # the agency the cross-report audit matched it under
    agency_matched_by: str | None  # name | rename | index_no
    metadata: dict[str, str | None]
    stats: dict[str, int | float | None]
    legacy_indicators: list[dict]
    sections: dict[str, str | None]
    issues: list[Issue]
    parser_version: str | None
    fetched_at: str | None
    warc_file: str | None
    warc_record_id: str | None
    warc_offset: int | None
    latest: bool  # the newest version of the report's URL
    versions: int  # distinct contents seen at the URL
    document: CapturePlace  # the attachment the numbers were read from


RECORD_KEYS: tuple[str, ...] = tuple(ReportRecord.__annotations__)
EXPORT_KEYS: tuple[str, ...] = tuple(ExportRecord.__annotations__)
CAPTURE_PLACE_KEYS: tuple[str, ...] = tuple(CapturePlace.__annotations__)
# Keys a parser adds beyond the contract are exported right after this one.
EXTRA_AFTER = "issues"

# Issue codes of the checks that need two reports (crawler.parser.rules_cross, run by
# crawler.audit): not the parser's to give or take away, so storing a re-parsed record
# keeps them and a re-parse does not compare them (the audit recomputes them).
CROSS_REPORT_CODES: frozenset[str] = frozenset({"cross_carried_over", "cross_in_force"})

# What a re-parse compares of two parser records: equal digests, nothing to
# compare; different ones, the records are diffed (crawler.reparse.diff_records).
RECORD_DIGEST_KEYS = ("template", "year", "title", "agency", "metadata", "stats",
                      "legacy_indicators", "issues")


def iso_date(value) -> date | None:
    """A date from an ISO date or timestamp string; None when there is none."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
