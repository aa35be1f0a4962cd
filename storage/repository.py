"""Writing crawl results and reading them back.

Writes are idempotent and safe with several writers at once: a portal is keyed
by name, a capture by its WARC record id, a report by its URL and a version by
(report, content digest), each made with ``INSERT … ON CONFLICT`` (SQLite
and PostgreSQL alike), so crawling or re-parsing the same page again updates
rows rather than adding them. Each report is written in one transaction: a
crash leaves the previous state whole or the new one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import selectinload

from nianbao_core.digests import record_digest, sha1_digest
from nianbao_core.pointer import WarcPointer
from nianbao_core.record import (
    CROSS_REPORT_CODES,
    DATE_FIELDS,
    METADATA_FIELDS,
    RECORD_KEYS,
    iso_date,
)
from storage.capture_index import flush_pending
from storage.db import session_factory
from storage.export import stored_issue, stored_metadata
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
from storage.sql import parse_timestamp, upsert

# What extraction learns of a capture, added to the row the capture index wrote.
CAPTURE_FIELDS = ("payload_digest", "text_digest", "charset_header", "charset_meta",
                  "charset_used")


def _parsed_fields(record: dict, list_title: str | None, main_text: str | None,
                   text_extractor: str | None, now: datetime) -> dict:
    """A version's columns that come from extraction and the parser."""
    metadata = record.get("metadata") or {}
    parsed = dict(
        template=record.get("template") or "unknown", year=record.get("year"),
        title=record.get("title"), agency=record.get("agency"), list_title=list_title,
        main_text=main_text, text_extractor=text_extractor, sections=record.get("sections"),
        legacy_indicators=record.get("legacy_indicators"),
        extra={k: v for k, v in record.items() if k not in RECORD_KEYS} or None,
        parser_version=record.get("parser_version"), parsed_at=now,
        record_digest=record_digest(record),
        metadata_extra={k: v for k, v in metadata.items() if k not in METADATA_FIELDS} or None,
        **{f: metadata.get(f) for f in METADATA_FIELDS},
    )
    for field in DATE_FIELDS:
        parsed[field] = iso_date(parsed[field])
    return parsed


def rows_digest(record: dict) -> str:
    """Digest of the stats and issues rows a record makes (``report_versions.rows_digest``):
    values, cells as printed and issues in order, all of which the rows keep."""
    canonical = json.dumps([record.get("stats"), record.get("cells"), record.get("issues")],
                           ensure_ascii=False, default=str)
    return sha1_digest(canonical.encode("utf-8"))


STAT_COLUMNS = ("version_id", "key", "value", "raw", "blank")


class _StatsInsert:
    """Inserting a version's stats rows (~100 a report) at the least CPU each database allows.

    Through SQLAlchemy's executemany, each row's parameters are built and
    processed in Python, and psycopg sends one INSERT per row: most of a
    report's storage time. So, written by hand for the two databases:
    PostgreSQL gets one statement whose five parameters are arrays, unnested
    into rows by the server; SQLite gets the DB-API's executemany of plain
    tuples (its C loop binds them; nothing of SQLAlchemy's per row). The
    values are those the Core insert would bind: SQLite stores a bool as 0/1
    either way.
    """

    def __init__(self, dialect):
        table = ReportStat.__table__
        self.dialect_name = dialect.name
        if dialect.name == "postgresql":
            arrays = [cast(bindparam(name), ARRAY(table.c[name].type)) for name in STAT_COLUMNS]
            rows = func.unnest(*arrays).table_valued(*STAT_COLUMNS).render_derived("stat")
            self.statement = insert(table).from_select(
                STAT_COLUMNS, select(*(rows.c[name] for name in STAT_COLUMNS)))
        elif dialect.name == "sqlite":
            compiled = insert(table).compile(dialect=dialect, column_keys=list(STAT_COLUMNS))
            assert tuple(compiled.positiontup) == STAT_COLUMNS, compiled.positiontup
            self.statement = str(compiled)
        else:
            self.statement = insert(table)

    def __call__(self, connection: Connection, rows: list[tuple]) -> None:
        if self.dialect_name == "postgresql":
            columns = dict(zip(STAT_COLUMNS, map(list, zip(*rows))))
            # An array holds one type: 3 and 2.5 both as double precision, as stored.
            columns["value"] = [v if v is None or isinstance(v, float) else float(v)
                                for v in columns["value"]]
            connection.execute(self.statement, columns)
        elif self.dialect_name == "sqlite":
            connection.exec_driver_sql(self.statement, rows)
        else:
            connection.execute(self.statement, [dict(zip(STAT_COLUMNS, row)) for row in rows])


def _write_stats_and_issues(connection: Connection, insert_stats: _StatsInsert,
                            version_id: int, record: dict, *, replace: bool) -> None:
    """The version's stats and parser issues rows from ``record``; ``replace``: there
    may be rows of an earlier record to delete first (not so for a version just made).

    One multi-row insert per table: a report has ~100 stats, and a re-parse
    writes thousands of reports.
    """
    stats_table, issues_table = ReportStat.__table__, ReportIssue.__table__
    if replace:
        connection.execute(delete(stats_table).where(stats_table.c.version_id == version_id))
        # The cross-report audit's issues are not the parser's: they stay until the next audit.
        connection.execute(delete(issues_table).where(
            issues_table.c.version_id == version_id,
            issues_table.c.code.not_in(sorted(CROSS_REPORT_CODES))))
    cells = record.get("cells") or {}
    stats = [(version_id, key, value, cells.get(key), value is None)
             for key, value in (record.get("stats") or {}).items()]
    if stats:
        insert_stats(connection, stats)
    issues = [{"version_id": version_id, "code": str(issue.get("code")),
               "severity": issue.get("severity"), "where": issue.get("where"),
               "message": issue.get("message"), "detail": issue}
              for issue in record.get("issues") or []]
    if issues:
        connection.execute(insert(issues_table), issues)


def _changes(known, version_id: int) -> list[tuple[str, int | None]]:
    """What a save means for the run (kind, version before): a new report, an edit,
    a withdrawn one back."""
    if known is None:
        return [("new", None)]
    changes = []
    if known.withdrawn_at is not None:
        changes.append(("returned", known.latest_version_id))
    if known.latest_version_id is not None and known.latest_version_id != version_id:
        changes.append(("edited", known.latest_version_id))
    return changes


def _stored_capture(row) -> StoredCapture:
    pointer = (WarcPointer(file=row.warc_file, offset=row.warc_offset,
                           record_id=row.warc_record_id)
               if row.warc_file is not None and row.warc_offset is not None else None)
    return StoredCapture(row.id, row.url, row.requested_url, row.fetched_at.isoformat(),
                         pointer)


@dataclass(frozen=True)
class StoredCapture:
    """A stored capture as a re-parse reads it back: what it was and where it is archived."""

    capture_id: int
    url: str
    requested_url: str | None
    fetched_at: str  # ISO 8601
    pointer: WarcPointer | None  # None: archiving was off


@dataclass(frozen=True)
class StoredVersion:
    """What a re-parse needs of one stored report version."""

    version_id: int
    source_url: str  # the report's URL
    page: StoredCapture
    attachments: tuple[StoredCapture, ...]
    text_extractor: str | None  # what made main_text
    main_text: str | None
    record_digest: str | None
    parser_version: str | None


@dataclass(frozen=True)
class ReportCounts:
    """What is stored, over each report's latest version."""

    reports: int
    by_template: list[tuple[str, int]]
    flagged: int  # reports with at least one issue
    by_issue_code: list[tuple[str, int]]  # most frequent first


@dataclass(frozen=True)
class SavedReport:
    report_id: int
    version_id: int
    new_version: bool  # content not seen before for this URL


class _SaveStatements:
    """The statements ``save_report`` runs, built once per store.

    Built once and run with parameters, so each save costs SQLAlchemy a cache
    lookup, not a statement construction and compilation (that was most of a
    save's CPU time, on the reactor thread).
    """

    def __init__(self, dialect):
        portals, captures, reports, versions, changes = (
            Portal.__table__, Capture.__table__, Report.__table__, ReportVersion.__table__,
            ReportChange.__table__)
        statement = upsert(dialect.name, portals)
        self.portal = statement.on_conflict_do_update(
            index_elements=["name"], set_={"title": statement.excluded.title,
                                           "base_url": statement.excluded.base_url}
        ).returning(portals.c.id)
        statement = upsert(dialect.name, captures)
        # The capture index wrote the row when the record was archived (or will: see
        # storage.capture_index): add what extraction learnt, keep what it knew.
        self.capture = statement.on_conflict_do_update(
            index_elements=["warc_record_id"],
            set_={f: func.coalesce(statement.excluded[f], captures.c[f])
                  for f in (*CAPTURE_FIELDS, "parent_id", "crawl_run_id")}
        ).returning(captures.c.id)
        self.unindexed_capture = insert(captures).returning(captures.c.id)
        # The report by URL, with its version of this content if there is one.
        version = versions.alias("version")
        self.known = select(
            reports.c.id, reports.c.latest_version_id, reports.c.withdrawn_at,
            version.c.id.label("version_id"), version.c.rows_digest,
        ).select_from(reports.outerjoin(version, and_(
            version.c.report_id == reports.c.id,
            version.c.content_digest == bindparam("content_digest")))
        ).where(reports.c.source_url == bindparam("source_url"))
        statement = upsert(dialect.name, reports)
        self.new_report = statement.on_conflict_do_update(
            index_elements=["source_url"],
            set_={"last_seen_at": statement.excluded.last_seen_at}).returning(reports.c.id)
        self.seen = update(reports).where(reports.c.id == bindparam("report_key"))
        # Nothing on conflict: another writer made it between our look and this insert.
        self.new_version = upsert(dialect.name, versions).on_conflict_do_nothing(
            index_elements=["report_id", "content_digest"]).returning(versions.c.id)
        self.version_of = select(versions.c.id).where(
            versions.c.report_id == bindparam("report_key"),
            versions.c.content_digest == bindparam("digest"))
        # A version keeps the capture it was first seen in: that is its evidence.
        self.reparsed_version = update(versions).where(versions.c.id == bindparam("version_key"))
        self.change = insert(changes)
        self.insert_stats = _StatsInsert(dialect)


class ReportStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = session_factory(engine)
        self._statements: _SaveStatements | None = None
        # (name, title, base_url) -> id, of portals a committed save upserted: once a store
        self._portal_ids: dict[tuple, int] = {}

    @property
    def statements(self) -> _SaveStatements:
        if self._statements is None:
            self._statements = _SaveStatements(self.engine.dialect)
        return self._statements

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
    def _portal_id(self, connection: Connection, key: tuple) -> int:
        """The portal's id: upserted until a save that did so has committed (save_report)."""
        portal_id = self._portal_ids.get(key)
        if portal_id is None:
            name, title, base_url = key
            portal_id = connection.execute(self.statements.portal, {
                "name": name, "title": title, "base_url": base_url}).scalar_one()
        return portal_id

    def _capture_id(self, connection: Connection, capture, run_id: int | None,
                    parent_id: int | None = None) -> int:
        warc = capture.warc
        charsets = capture.charsets
        values = dict(
            crawl_run_id=run_id, url=capture.url, requested_url=capture.requested_url,
            parent_id=parent_id,
            fetched_at=parse_timestamp(capture.fetched_at), status=capture.status,
            content_type=capture.content_type, warc_file=warc and warc.file,
            warc_offset=warc and warc.offset, warc_length=warc and warc.length,
            warc_record_id=warc and warc.record_id,
            payload_digest=capture.payload_digest, text_digest=capture.text_digest,
            charset_header=charsets and charsets.header,
            charset_meta=charsets and charsets.document, charset_used=charsets and charsets.used,
        )
        statement = (self.statements.capture if values["warc_record_id"] is not None
                     else self.statements.unindexed_capture)  # archiving was off
        return connection.execute(statement, values).scalar_one()

    def save_report(self, *, portal: str, record: dict, page, content_digest: str,
                    document=None, attachments=(), list_title: str | None = None,
                    main_text: str | None = None, text_extractor: str | None = None,
                    run_id: int | None = None,
                    portal_title: str | None = None,
                    portal_base_url: str | None = None) -> SavedReport:
        """Store one parsed report with its captures, as a version of its URL's report.

        One transaction; a recrawl of unchanged content runs four statements (the
        capture, the look-up, the version's columns, the report's last sighting).
        """
        now = datetime.now(UTC)
        sql = self.statements
        parsed = _parsed_fields(record, list_title, main_text, text_extractor, now)
        parsed["rows_digest"] = digest = rows_digest(record)
        portal_key = (portal, portal_title, portal_base_url)
        with self.engine.begin() as connection:
            portal_id = self._portal_id(connection, portal_key)
            capture_id = self._capture_id(connection, page, run_id)
            attachment_ids = {id(a): self._capture_id(connection, a, run_id,
                                                      parent_id=capture_id)
                              for a in attachments}
            document_id = None
            if document is not None:
                document_id = attachment_ids.get(id(document)) or self._capture_id(
                    connection, document, run_id, parent_id=capture_id)

            known = connection.execute(sql.known, {
                "source_url": page.url, "content_digest": content_digest}).first()
            if known is None:
                report_id = connection.execute(sql.new_report, {
                    "portal_id": portal_id, "source_url": page.url, "first_seen_at": now,
                    "last_seen_at": now}).scalar_one()
                version_id = None
            else:
                report_id, version_id = known.id, known.version_id
            new_version = version_id is None
            if new_version:
                version_id = connection.execute(sql.new_version, {
                    "report_id": report_id, "content_digest": content_digest,
                    "capture_id": capture_id, "document_capture_id": document_id,
                    "first_seen_at": now, **parsed}).scalar()
                if version_id is None:  # another writer stored this content just now
                    new_version = False
                    version_id = connection.execute(sql.version_of, {
                        "report_key": report_id, "digest": content_digest}).scalar_one()
            if not new_version:
                connection.execute(sql.reparsed_version, {"version_key": version_id, **parsed})
            if new_version or known is None or known.rows_digest != digest:
                _write_stats_and_issues(connection, sql.insert_stats, version_id, record,
                                        replace=not new_version)
            seen = {"report_key": report_id, "last_seen_at": now,
                    "latest_version_id": version_id}
            if known is not None and known.withdrawn_at is not None:
                seen.update(withdrawn_at=None, withdrawn_how=None)
            connection.execute(sql.seen, seen)
            for kind, before in _changes(known, version_id):
                connection.execute(sql.change, {
                    "crawl_run_id": run_id, "report_id": report_id, "kind": kind,
                    "before_version_id": before, "after_version_id": version_id, "at": now})
        # Remembered once committed: an id from a save that rolled back, or that another
        # thread's save has not committed yet, names no row (a foreign-key violation).
        self._portal_ids[portal_key] = portal_id
        return SavedReport(report_id, version_id, new_version)

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
                if rewrite:
                    parsed["rows_digest"] = rows_digest(record)
                connection.execute(statement.values(**parsed, document_capture_id=document_id))
                if rewrite:
                    _write_stats_and_issues(connection, self.statements.insert_stats,
                                            version_id, record, replace=True)

    # -- reading -----------------------------------------------------------------
    def report_counts(self) -> ReportCounts:
        latest = ReportVersion.id == Report.latest_version_id
        with self.sessions() as session:
            reports = session.scalar(select(func.count()).select_from(Report))
            by_template = session.execute(
                select(ReportVersion.template, func.count()).join(Report, latest)
                .group_by(ReportVersion.template)).all()
            flagged = session.scalar(
                select(func.count(func.distinct(ReportIssue.version_id)))
                .join(ReportVersion, ReportIssue.version_id == ReportVersion.id)
                .join(Report, latest))
            by_code = session.execute(
                select(ReportIssue.code, func.count())
                .join(ReportVersion, ReportIssue.version_id == ReportVersion.id)
                .join(Report, latest)
                .group_by(ReportIssue.code).order_by(func.count().desc())).all()
        return ReportCounts(reports, [tuple(r) for r in by_template], flagged,
                            [tuple(r) for r in by_code])

    def known_record_ids(self, record_ids) -> set[str]:
        """Which of these WARC record ids a capture row already names (a crawl's capture
        index wrote it, or an earlier ingest stored it): ingest leaves those alone."""
        flush_pending(self.engine)
        wanted, known = list(record_ids), set()
        with self.sessions() as session:
            for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
                known.update(session.scalars(select(Capture.warc_record_id).where(
                    Capture.warc_record_id.in_(wanted[start:start + 500]))))
        return known

    def stored_versions(self) -> list[StoredVersion]:
        """Every stored version with its page's and attachments' captures, by version id."""
        versions_t, captures_t, reports_t = (ReportVersion.__table__, Capture.__table__,
                                             Report.__table__)
        capture_columns = [captures_t.c[name] for name in (
            "id", "url", "requested_url", "warc_file", "warc_offset", "warc_record_id",
            "fetched_at", "parent_id")]
        flush_pending(self.engine)
        # Core rows, not ORM objects: only the columns a re-parse needs, for every version.
        with self.engine.connect() as connection:
            versions = connection.execute(select(
                versions_t.c.id, versions_t.c.capture_id, versions_t.c.text_extractor,
                versions_t.c.main_text, versions_t.c.record_digest,
                versions_t.c.parser_version, reports_t.c.source_url,
            ).join(reports_t, reports_t.c.id == versions_t.c.report_id)
                .order_by(versions_t.c.id)).all()
            # Subqueries, not lists of ids: an archive may hold more versions than a
            # statement may have parameters.
            page_ids = select(versions_t.c.capture_id).scalar_subquery()
            captures = {c.id: _stored_capture(c) for c in connection.execute(
                select(*capture_columns).where(captures_t.c.id.in_(page_ids)))}
            children = connection.execute(select(*capture_columns).where(
                captures_t.c.parent_id.in_(page_ids)).order_by(captures_t.c.id)).all()
        attachments: dict[int, list[StoredCapture]] = {}
        for child in children:
            attachments.setdefault(child.parent_id, []).append(_stored_capture(child))
        return [StoredVersion(v.id, v.source_url, captures[v.capture_id],
                              tuple(attachments.get(v.capture_id, ())), v.text_extractor,
                              v.main_text, v.record_digest, v.parser_version)
                for v in versions]

    def comparable_records(self, version_ids: list[int]) -> dict[int, dict]:
        """The parts of stored versions' records a re-parse compares, by version id.

        Only the columns a diff reads (main text and sections are most of a
        version's bytes), in Core queries: this runs for every changed report.
        """
        versions = ReportVersion.__table__
        stats, issues = ReportStat.__table__, ReportIssue.__table__
        records: dict[int, dict] = {}
        columns = [versions.c[name] for name in (
            "id", "template", "year", "title", "agency", *METADATA_FIELDS, "metadata_extra",
            "legacy_indicators", "parser_version")]
        with self.engine.connect() as connection:
            for row in connection.execute(select(*columns).where(
                    versions.c.id.in_(version_ids))).mappings():
                records[row["id"]] = {
                    "template": row["template"], "year": row["year"], "title": row["title"],
                    "agency": row["agency"], "metadata": stored_metadata(row), "stats": {},
                    "legacy_indicators": row["legacy_indicators"] or [], "issues": [],
                    "parser_version": row["parser_version"]}
            for version_id, key, value in connection.execute(select(
                    stats.c.version_id, stats.c.key, stats.c.value).where(
                    stats.c.version_id.in_(version_ids))):
                records[version_id]["stats"][key] = value  # 3.0 == 3 for the diff
            # The audit's cross-report issues are not the parser's: not part of its record.
            for row in connection.execute(select(issues).where(
                    issues.c.version_id.in_(version_ids),
                    issues.c.code.not_in(sorted(CROSS_REPORT_CODES))).order_by(issues.c.id)):
                records[row.version_id]["issues"].append(stored_issue(row))
        return records

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
