"""What a report card of one agency shows, read from the database (``scrapy card``).

``agency_card(engine, agency)`` gathers the agency's reports (each report's
latest version) with their archived captures, the figures of
``storage.figures`` per report, the issues the parser flagged, and the years
its portal's column covers that the agency has no report for. The rendering
is ``crawler/browse/card.py``; every query is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from nianbao_core.pointer import WarcPointer
from storage.db import session_factory
from storage.export import utc_timestamp
from storage.figures import FIGURES, figure_value
from storage.models import Capture, Portal, Report, ReportVersion


@dataclass(frozen=True)
class ArchivedCapture:
    """Where a capture is: its index row, the live URL, when, and its WARC record."""

    id: int
    url: str
    fetched_at: str | None
    pointer: WarcPointer | None  # None: archiving was off

    @classmethod
    def of(cls, capture: Capture) -> ArchivedCapture:
        pointer = (WarcPointer(file=capture.warc_file, offset=capture.warc_offset,
                               record_id=capture.warc_record_id)
                   if capture.warc_file is not None and capture.warc_offset is not None
                   else None)
        return cls(capture.id, capture.url, utc_timestamp(capture.fetched_at), pointer)


@dataclass(frozen=True)
class CardIssue:
    code: str
    severity: str | None
    where: str | None
    message: str | None


@dataclass(frozen=True)
class CardReport:
    """One report of the agency: its latest version."""

    year: int | None
    template: str
    title: str | None
    published_date: date | None
    source_url: str
    portal: str
    versions: int
    page: ArchivedCapture
    document: ArchivedCapture | None
    issues: tuple[CardIssue, ...]
    figures: dict[str, float | None]  # figure name → value; None: not given


@dataclass(frozen=True)
class AgencyCard:
    agency: str
    portals: tuple[str, ...]  # the portals' titles (临海市人民政府)
    reports: tuple[CardReport, ...]  # by year, then URL
    column_years: tuple[int, ...]  # first to last year any report of its portals covers
    missing_years: tuple[int, ...]  # of those, the years the agency has no report for
    generated_at: datetime


def _card_report(report: Report, version: ReportVersion) -> CardReport:
    stats = {stat.key: stat.value for stat in version.stats}
    return CardReport(
        year=version.year, template=version.template, title=version.title,
        published_date=version.published_date, source_url=report.source_url,
        portal=report.portal.name, versions=len(report.versions),
        page=ArchivedCapture.of(version.capture),
        document=(ArchivedCapture.of(version.document_capture)
                  if version.document_capture is not None else None),
        issues=tuple(CardIssue(i.code, i.severity, i.where, i.message) for i in version.issues),
        figures={figure.name: figure_value(figure, version.template, stats)
                 for figure in FIGURES})


def _column_years(session: Session, portal_ids: set[int]) -> tuple[int, ...]:
    first, last = session.execute(
        select(func.min(ReportVersion.year), func.max(ReportVersion.year))
        .join(Report, Report.latest_version_id == ReportVersion.id)
        .where(Report.portal_id.in_(portal_ids))).one()
    return tuple(range(first, last + 1)) if first is not None else ()


def agency_card(engine: Engine, agency: str, now: datetime | None = None) -> AgencyCard | None:
    """The agency's card; None when no report's latest version names it."""
    query = (select(Report)
             .join(ReportVersion, Report.latest_version_id == ReportVersion.id)
             .where(ReportVersion.agency == agency)
             .options(selectinload(Report.portal), selectinload(Report.versions),
                      selectinload(Report.latest_version).selectinload(ReportVersion.stats),
                      selectinload(Report.latest_version).selectinload(ReportVersion.issues),
                      selectinload(Report.latest_version).selectinload(ReportVersion.capture),
                      selectinload(Report.latest_version).selectinload(
                          ReportVersion.document_capture)))
    with session_factory(engine)() as session:
        reports = [_card_report(report, report.latest_version)
                   for report in session.scalars(query)]
        if not reports:
            return None
        portal_ids = set(session.scalars(
            select(Report.portal_id).join(ReportVersion,
                                          Report.latest_version_id == ReportVersion.id)
            .where(ReportVersion.agency == agency)))
        portals = tuple(session.scalars(select(Portal.title).where(Portal.id.in_(portal_ids))
                                        .order_by(Portal.name)))
        column_years = _column_years(session, portal_ids)
    reports.sort(key=lambda r: (r.year is None, r.year or 0, r.source_url))
    have = {r.year for r in reports}
    return AgencyCard(
        agency=agency, portals=tuple(p for p in portals if p), reports=tuple(reports),
        column_years=column_years,
        missing_years=tuple(year for year in column_years if year not in have),
        generated_at=now or datetime.now().astimezone())


def agency_of_version(engine: Engine, version_id: int) -> str | None:
    """The agency a report version names (the dashboards link cards by version id)."""
    with session_factory(engine)() as session:
        return session.scalar(select(ReportVersion.agency)
                              .where(ReportVersion.id == version_id))


def agencies(engine: Engine) -> list[tuple[str, int]]:
    """Every agency named by a report's latest version, with its count of reports."""
    with session_factory(engine)() as session:
        rows = session.execute(
            select(ReportVersion.agency, func.count())
            .join(Report, Report.latest_version_id == ReportVersion.id)
            .where(ReportVersion.agency.is_not(None))
            .group_by(ReportVersion.agency).order_by(ReportVersion.agency))
        return [(agency, count) for agency, count in rows]
