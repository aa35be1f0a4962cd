"""Checks that need more than one report (DOMAIN.md A4, S3 and S3b).

``run_audit(store, renames, portal=None)`` reads every stored report's latest
version (of one portal, or all), decides which reports are the same agency's
(:mod:`crawler.audit.identity`), pairs each report with that agency's report
of the year before and runs the parser's cross-report rules
(:mod:`crawler.parser.rules_cross`) on each pair. What it finds is stored as
issues on the later report, naming the earlier one, and every audited version
records the agency key it was matched under. It runs after each crawl that
stored reports (:mod:`crawler.audit.extension`) and over the whole database
with ``scrapy audit``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from crawler.audit.identity import AgencyReport, agency_keys
from crawler.parser.issues import CROSS_REPORT_CODES
from crawler.parser.rules_cross import ReportFigures, check_pair
from storage.audit import AuditFindings, AuditRow, AuditStore
from storage.repository import ReportStore

_AUDITED_TEMPLATES = ("2019", "2021")


@dataclass
class AuditSummary:
    reports: int = 0  # latest versions read
    matched: int = 0  # with an agency key
    pairs: int = 0  # (report, same agency's report of the year before) compared
    issues: Counter = field(default_factory=Counter)  # code → count


def find_issues(rows: list[AuditRow], renames: Mapping[str, Mapping[str, str]]
                ) -> tuple[AuditFindings, AuditSummary]:
    """The agency keys and cross-report issues of ``rows`` (no database involved)."""
    keys = agency_keys([AgencyReport(r.version_id, r.portal, r.year, r.agency, r.index_no)
                        for r in rows], renames)
    summary = AuditSummary(reports=len(rows), matched=len(keys))
    by_agency_year: dict[tuple[str, int], list[AuditRow]] = defaultdict(list)
    for row in rows:
        if row.version_id in keys and row.year and row.template in _AUDITED_TEMPLATES:
            by_agency_year[(keys[row.version_id].key, row.year)].append(row)
    issues: dict[int, list[dict]] = {}
    for (key, year), later_rows in by_agency_year.items():
        earlier_rows = by_agency_year.get((key, year - 1), [])
        for later in later_rows:
            found = _against_earlier(later, earlier_rows, summary)
            if found:
                issues[later.version_id] = found
                summary.issues.update(entry["code"] for entry in found)
    findings = AuditFindings({vid: (k.key, k.matched_by) for vid, k in keys.items()}, issues)
    return findings, summary


def _figures(row: AuditRow) -> ReportFigures:
    return ReportFigures.of(row.source_url, row.year, row.template, row.stats, row.issues)


def _against_earlier(later: AuditRow, earlier_rows: list[AuditRow],
                     summary: AuditSummary) -> list[dict]:
    """Issues of ``later`` against the year before; none if any report of that year agrees.

    An agency may have two reports for one year (a corrected re-publication, a
    copy in a department's own column): one that agrees is enough.
    """
    found = []
    for earlier in sorted(earlier_rows, key=lambda r: r.source_url):
        summary.pairs += 1
        issues = check_pair(_figures(later), _figures(earlier))
        if not issues:
            return []
        found = found or issues
    return found


def run_audit(store: ReportStore, renames: Mapping[str, Mapping[str, str]],
              portal: str | None = None) -> AuditSummary:
    """Audit the stored reports (of ``portal``, or all) and store what was found."""
    audit_store = AuditStore(store)
    rows = audit_store.rows(portal=portal, cross_codes=CROSS_REPORT_CODES)
    findings, summary = find_issues(rows, renames)
    audit_store.write([r.version_id for r in rows], findings, CROSS_REPORT_CODES)
    return summary
