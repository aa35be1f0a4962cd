"""The queries of the cross-report audit (``crawler.audit``).

It reads, for every report's latest version, what identity and the rules
need (``AuditRow``), and writes back what it found: each version's agency
key and the cross-report issues, replacing those of an earlier audit in the
same transaction, so an audit run twice leaves the same rows.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, insert, or_, select, update

from storage.models import Portal, Report, ReportIssue, ReportStat, ReportVersion
from storage.repository import ReportStore

# The stats the cross-report rules read; the rest of a report is not loaded.
_AUDITED_STATS = ("applications.carried_over.%", "applications.carried_forward.%",
                  "active.%.in_force", "active.%.issued", "active.%.repealed")


@dataclass(frozen=True)
class AuditRow:
    version_id: int
    portal: str
    source_url: str
    year: int | None
    template: str
    agency: str | None
    index_no: str | None
    stats: dict[str, float | None]
    issues: list[dict]  # the version's own issues (code, where), cross-report ones left out


@dataclass(frozen=True)
class AuditFindings:
    agency_keys: Mapping[int, tuple[str, str]]  # version id → (key, matched by)
    issues: Mapping[int, list[dict]]  # version id → cross-report issues found on it


class AuditStore:
    def __init__(self, store: ReportStore):
        self.store = store

    def rows(self, *, portal: str | None = None,
             cross_codes: Collection[str] = ()) -> list[AuditRow]:
        """Every report's latest version (of one portal, or all).

        All of a portal's reports are in memory at once, at the end of its crawl: the
        strings every report repeats (stat keys, issue codes, agency, template) are
        interned, one copy each instead of one a report, which takes a third off the
        audit's peak at 10,000 reports (benchmarks/bench_all.py measures the crawl's).
        """
        versions = (select(ReportVersion.id, Portal.name, Report.source_url, ReportVersion.year,
                           ReportVersion.template, ReportVersion.agency, ReportVersion.index_no)
                    .join(Report, Report.latest_version_id == ReportVersion.id)
                    .join(Portal, Report.portal_id == Portal.id)
                    .order_by(ReportVersion.id))
        if portal:
            versions = versions.where(Portal.name == portal)
        with self.store.sessions() as session:
            found = session.execute(versions).all()
            ids = [row.id for row in found]
            stats: dict[int, dict] = defaultdict(dict)
            issues: dict[int, list] = defaultdict(list)
            for chunk in _chunks(ids):
                wanted = [ReportStat.key.like(pattern) for pattern in _AUDITED_STATS]
                for version_id, key, value in session.execute(
                        select(ReportStat.version_id, ReportStat.key, ReportStat.value)
                        .where(ReportStat.version_id.in_(chunk))
                        .where(or_(*wanted))):
                    stats[version_id][sys.intern(key)] = value
                for version_id, code, where in session.execute(
                        select(ReportIssue.version_id, ReportIssue.code, ReportIssue.where)
                        .where(ReportIssue.version_id.in_(chunk))
                        .where(ReportIssue.code.not_in(list(cross_codes)))):
                    issues[version_id].append({"code": sys.intern(code),
                                               "where": _interned(where)})
        return [AuditRow(row.id, sys.intern(row.name), row.source_url, row.year,
                         sys.intern(row.template), _interned(row.agency), row.index_no,
                         stats[row.id], issues[row.id]) for row in found]

    def write(self, audited: Collection[int], findings: AuditFindings,
              cross_codes: Collection[str]) -> None:
        """Replace the agency keys and cross-report issues of the ``audited`` versions."""
        issues_table, versions = ReportIssue.__table__, ReportVersion.__table__
        with self.store.sessions.begin() as session:
            connection = session.connection()
            for chunk in _chunks(list(audited)):
                connection.execute(delete(issues_table).where(
                    issues_table.c.version_id.in_(chunk),
                    issues_table.c.code.in_(list(cross_codes))))
                connection.execute(update(versions).where(versions.c.id.in_(chunk)).values(
                    agency_key=None, agency_matched_by=None))
            for version_id, (key, matched_by) in findings.agency_keys.items():
                connection.execute(update(versions).where(versions.c.id == version_id).values(
                    agency_key=key, agency_matched_by=matched_by))
            rows = [{"version_id": version_id, "code": entry["code"],
                     "severity": entry.get("severity"), "where": entry.get("where"),
                     "message": entry.get("message"), "detail": entry}
                    for version_id, entries in findings.issues.items() for entry in entries]
            if rows:
                connection.execute(insert(issues_table), rows)


def _interned(value: str | None) -> str | None:
    return None if value is None else sys.intern(value)


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
