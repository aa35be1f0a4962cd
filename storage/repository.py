"""Writing crawl results and reading them back.

Writes are idempotent and safe with several writers at once: a portal is keyed
by name, a capture by its WARC record id, a report by its URL and a version by
(report, content digest), all written with ``INSERT … ON CONFLICT`` (SQLite
and PostgreSQL alike), so crawling or re-parsing the same page again updates
rows rather than adding them. Each report is written in one transaction: a
crash leaves the previous state whole or the new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from crawler.digests import record_digest
from storage.db import session_factory
from storage.models import (
    WITHDRAWN_HOW,
    Capture,
    CrawlRun,
    Portal,
    Report,
    ReportChange,
    ReportIssue,
    ReportStat,
    ReportVersion,
)

METADATA_FIELDS = ("index_no", "publisher", "written_date", "published_date",
                   "doc_number", "subject", "validity")
# Record keys stored in columns of their own; the rest go to ``extra``.
_COLUMN_KEYS = {"source", "template", "year", "title", "agency", "metadata", "stats", "cells",
                "legacy_indicators", "sections", "issues", "parser_version"}
CAPTURE_FIELDS = ("payload_digest", "text_digest", "charset_header", "charset_meta",
                  "charset_used")


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def iso_date(value) -> date | None:
    """A date from an ISO date or timestamp string; None when there is none."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _parsed_fields(record: dict, list_title: str | None, main_text: str | None,
                   text_extractor: str | None, now: datetime) -> dict:
    """A version's columns that come from extraction and the parser."""
    metadata = record.get("metadata") or {}
    parsed = dict(
        template=record.get("template") or "unknown", year=record.get("year"),
        title=record.get("title"), agency=record.get("agency"), list_title=list_title,
        main_text=main_text, text_extractor=text_extractor, sections=record.get("sections"),
        legacy_indicators=record.get("legacy_indicators"),
        extra={k: v for k, v in record.items() if k not in _COLUMN_KEYS} or None,
        parser_version=record.get("parser_version"), parsed_at=now,
        record_digest=record_digest(record),
        metadata_extra={k: v for k, v in metadata.items() if k not in METADATA_FIELDS} or None,
        **{f: metadata.get(f) for f in METADATA_FIELDS},
    )
    for field in ("written_date", "published_date"):
        parsed[field] = iso_date(parsed[field])
    return parsed


def _replace_stats_and_issues(session: Session, version_id: int, record: dict) -> None:
    # Core statements, not ORM objects: a report has ~100 stats, and a re-parse
    # writes thousands of reports.
    connection = session.connection()
    stats_table, issues_table = ReportStat.__table__, ReportIssue.__table__
    connection.execute(delete(stats_table).where(stats_table.c.version_id == version_id))
    connection.execute(delete(issues_table).where(issues_table.c.version_id == version_id))
    cells = record.get("cells") or {}
    stats = [{"version_id": version_id, "key": key, "value": value, "raw": cells.get(key),
              "blank": value is None} for key, value in (record.get("stats") or {}).items()]
    if stats:
        connection.execute(insert(stats_table), stats)
    issues = [{"version_id": version_id, "code": str(issue.get("code")),
               "severity": issue.get("severity"), "where": issue.get("where"),
               "message": issue.get("message"), "detail": issue}
              for issue in record.get("issues") or []]
    if issues:
        connection.execute(insert(issues_table), issues)


@dataclass(frozen=True)
class SavedReport:
    report_id: int
    version_id: int
    new_version: bool  # content not seen before for this URL


class ReportStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = session_factory(engine)

    # -- crawl runs --------------------------------------------------------------
    def start_run(self, spider: str) -> int:
        with self.sessions.begin() as session:
            run = CrawlRun(spider=spider, started_at=datetime.now(UTC))
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, reason: str | None, stats: dict) -> None:
        with self.sessions.begin() as session:
            run = session.get(CrawlRun, run_id)
            run.finished_at = datetime.now(UTC)
            run.finish_reason = reason
            run.stats = {k: v if isinstance(v, int | float | str | None) else str(v)
                         for k, v in stats.items()}

    # -- upserts -------------------------------------------------------------------
    def _portal_id(self, session: Session, name: str, title: str | None,
                   base_url: str | None) -> int:
        stmt = _insert(session, Portal).values(name=name, title=title, base_url=base_url)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"title": stmt.excluded.title, "base_url": stmt.excluded.base_url})
        return session.execute(stmt.returning(Portal.id)).scalar_one()

    def _capture_id(self, session: Session, capture, run_id: int | None,
                    parent_id: int | None = None) -> int:
        warc = capture.warc or {}
        values = dict(
            crawl_run_id=run_id, url=capture.url, requested_url=capture.requested_url,
            parent_id=parent_id,
            fetched_at=parse_timestamp(capture.fetched_at), status=capture.status,
            content_type=capture.content_type, warc_file=warc.get("warc_file"),
            warc_offset=warc.get("warc_offset"), warc_length=warc.get("warc_length"),
            warc_record_id=warc.get("warc_record_id"),
            **{f: getattr(capture, f, None) for f in CAPTURE_FIELDS},
        )
        if values["warc_record_id"] is None:  # archiving was off: nothing to key on
            row = Capture(**values)
            session.add(row)
            session.flush()
            return row.id
        stmt = _insert(session, Capture).values(**values)
        # The capture index wrote the row when the record was archived: add what
        # extraction learnt, keep what it knew.
        stmt = stmt.on_conflict_do_update(
            index_elements=["warc_record_id"],
            set_={f: func.coalesce(stmt.excluded[f], getattr(Capture, f))
                  for f in (*CAPTURE_FIELDS, "parent_id", "crawl_run_id")})
        return session.execute(stmt.returning(Capture.id)).scalar_one()

    def save_report(self, *, portal: str, record: dict, page, content_digest: str,
                    document=None, attachments=(), list_title: str | None = None,
                    main_text: str | None = None, text_extractor: str | None = None,
                    run_id: int | None = None,
                    portal_title: str | None = None,
                    portal_base_url: str | None = None) -> SavedReport:
        """Store one parsed report with its captures, as a version of its URL's report."""
        now = datetime.now(UTC)
        with self.sessions.begin() as session:
            portal_id = self._portal_id(session, portal, portal_title, portal_base_url)
            capture_id = self._capture_id(session, page, run_id)
            attachment_ids = {id(a): self._capture_id(session, a, run_id, parent_id=capture_id)
                              for a in attachments}
            document_id = None
            if document is not None:
                document_id = attachment_ids.get(id(document)) or self._capture_id(
                    session, document, run_id, parent_id=capture_id)

            known = session.execute(select(Report.latest_version_id, Report.withdrawn_at)
                                    .where(Report.source_url == page.url)).first()
            stmt = _insert(session, Report).values(
                portal_id=portal_id, source_url=page.url, first_seen_at=now, last_seen_at=now)
            stmt = stmt.on_conflict_do_update(index_elements=["source_url"],
                                              set_={"last_seen_at": stmt.excluded.last_seen_at})
            report_id = session.execute(stmt.returning(Report.id)).scalar_one()

            existing = session.scalar(select(ReportVersion.id).where(
                ReportVersion.report_id == report_id,
                ReportVersion.content_digest == content_digest))
            parsed = _parsed_fields(record, list_title, main_text, text_extractor, now)
            # A version keeps the capture it was first seen in: that is its evidence.
            stmt = _insert(session, ReportVersion).values(
                report_id=report_id, content_digest=content_digest, capture_id=capture_id,
                document_capture_id=document_id, first_seen_at=now, **parsed)
            stmt = stmt.on_conflict_do_update(
                index_elements=["report_id", "content_digest"],
                set_={k: stmt.excluded[k] for k in parsed})
            version_id = session.execute(stmt.returning(ReportVersion.id)).scalar_one()
            report = session.get(Report, report_id)
            report.latest_version_id = version_id
            _replace_stats_and_issues(session, version_id, record)
            self._note_change(session, run_id, report, known, version_id, now)
            return SavedReport(report_id, version_id, existing is None)

    @staticmethod
    def _note_change(session: Session, run_id: int | None, report: Report, known,
                     version_id: int, now: datetime) -> None:
        """What this save means for the run: a new report, an edit, a withdrawn one back."""
        def note(kind: str, before: int | None = None) -> None:
            session.add(ReportChange(crawl_run_id=run_id, report_id=report.id, kind=kind,
                                     before_version_id=before, after_version_id=version_id,
                                     at=now))
        if known is None:
            note("new")
            return
        previous, withdrawn_at = known
        if withdrawn_at is not None:
            report.withdrawn_at = report.withdrawn_how = None
            note("returned", previous)
        if previous is not None and previous != version_id:
            note("edited", previous)

    def mark_withdrawn(self, url: str, how: str, run_id: int | None) -> bool:
        """Mark a stored report as taken down by its portal; False when unknown or already so.

        The report keeps its versions and captures: a withdrawal is a fact about
        the portal, not a reason to forget what it published.
        """
        if how not in WITHDRAWN_HOW:
            raise ValueError(f"unknown withdrawal {how!r}; one of {WITHDRAWN_HOW}")
        now = datetime.now(UTC)
        with self.sessions.begin() as session:
            report = session.scalar(select(Report).where(Report.source_url == url))
            if report is None or report.withdrawn_at is not None:
                return False
            report.withdrawn_at, report.withdrawn_how = now, how
            session.add(ReportChange(crawl_run_id=run_id, report_id=report.id, kind="withdrawn",
                                     before_version_id=report.latest_version_id, how=how, at=now))
            return True

    def update_versions(self, updates) -> None:
        """Replace what the parser said of versions (re-parses of the same captures).

        ``updates``: (version_id, record, main_text, text_extractor,
        document_capture_id, rewrite) tuples, written in one transaction: several
        whole reports, never part of one. ``rewrite``: True, the stats and issues
        changed too; False, only the version's own columns; None, nothing but
        the parser version.
        """
        now = datetime.now(UTC)
        versions = ReportVersion.__table__
        with self.sessions.begin() as session:
            connection = session.connection()
            rewritten = [u[0] for u in updates if u[-1] is not None]
            list_titles = dict(connection.execute(
                select(versions.c.id, versions.c.list_title)
                .where(versions.c.id.in_(rewritten))).all()) if rewritten else {}
            # Same output, newer parser: say so, and nothing else (one statement per
            # parser version: a re-parse after a parser upgrade is mostly these).
            only_version: dict[str | None, list[int]] = {}
            for version_id, record, *_, rewrite in updates:
                if rewrite is None:
                    only_version.setdefault(record.get("parser_version"), []).append(version_id)
            for parser_version, ids in only_version.items():
                connection.execute(update(versions).where(versions.c.id.in_(ids)).values(
                    parser_version=parser_version, parsed_at=now))
            for version_id, record, main_text, text_extractor, document_id, rewrite in updates:
                if rewrite is None:
                    continue
                statement = update(versions).where(versions.c.id == version_id)
                parsed = _parsed_fields(record, list_titles[version_id], main_text,
                                        text_extractor, now)
                connection.execute(statement.values(**parsed, document_capture_id=document_id))
                if rewrite:
                    _replace_stats_and_issues(session, version_id, record)

    # -- reading -----------------------------------------------------------------
    def _bytewise(self, column):
        """Order as SQLite does (by code point), whatever the server's collation."""
        if self.engine.dialect.name == "postgresql":
            return column.collate("C")
        return column

    def reports(self, *, portal: str | None = None, year: int | None = None,
                template: str | None = None) -> Iterator[Report]:
        """Reports with their versions loaded; filters apply to the latest version."""
        latest = ReportVersion
        query = (select(Report)
                 .join(Report.portal)
                 .join(latest, Report.latest_version_id == latest.id)
                 .options(selectinload(Report.portal),
                          selectinload(Report.versions).selectinload(ReportVersion.stats),
                          selectinload(Report.versions).selectinload(ReportVersion.issues),
                          selectinload(Report.versions).selectinload(ReportVersion.capture),
                          selectinload(Report.versions).selectinload(
                              ReportVersion.document_capture))
                 .order_by(Portal.name, self._bytewise(Report.source_url)))
        if portal:
            query = query.where(Portal.name == portal)
        if year:
            query = query.where(latest.year == year)
        if template:
            query = query.where(latest.template == template)
        with self.sessions() as session:
            yield from session.scalars(query)
