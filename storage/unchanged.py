"""What a recrawl already holds of a portal's reports, and a report noted seen unchanged.

A report page that comes back unchanged (a 304, or the payload of its last
capture: a WARC revisit), with its attachments unchanged too, refers to the
very records its stored version was built from; when that version was made
by today's parser and main-text extractor, extracting it again gives the same
record. ``pipelines.unchanged`` asks this module on what each stored report
stands (:class:`StoredBasis`) and, for such a report, notes it seen by the
run (``last_seen_at``) instead of extracting and storing it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update

from storage.models import Capture, Portal, Report, ReportIssue, ReportVersion

# A version flagged with one of these holds no reading of the page at all (the worker
# timed out or died, perhaps only because the machine was busy): always read it again.
FAILED_EXTRACTION_CODES = ("extraction_timeout", "extraction_crashed")


@dataclass(frozen=True)
class StoredBasis:
    """What a report's latest stored version was built from, and by what."""

    report_id: int
    page_record_id: str | None  # WARC-Record-ID of the page's response record
    attachment_record_ids: frozenset[str]
    parser_version: str | None
    text_extractor: str | None
    withdrawn: bool
    failed_extraction: bool
    list_title: str | None = None  # the column's title for it, kept with the version

    def stands_for(self, page_record_id: str, attachment_record_ids: frozenset[str], *,
                   parser_version: str, text_extractor: str,
                   list_title: str | None = None) -> bool:
        """Whether extracting these records with these versions would give this version."""
        return (not self.withdrawn and not self.failed_extraction
                and self.list_title == list_title
                and self.page_record_id == page_record_id
                and self.attachment_record_ids == attachment_record_ids
                and self.parser_version == parser_version
                and self.text_extractor == text_extractor)


class StoredReports:
    def __init__(self, engine: Engine):
        self.engine = engine

    def bases(self, portal: str) -> dict[str, StoredBasis]:
        """Every stored report of ``portal`` by its URL, with its latest version's basis.

        Three Core queries per portal, read once when its crawl opens.
        """
        reports, versions, captures = (Report.__table__, ReportVersion.__table__,
                                       Capture.__table__)
        issues = ReportIssue.__table__
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reports.c.id, reports.c.source_url, reports.c.withdrawn_at,
                       versions.c.id.label("version_id"), versions.c.capture_id,
                       versions.c.parser_version, versions.c.text_extractor,
                       versions.c.list_title, captures.c.warc_record_id)
                .join(Portal.__table__, Portal.__table__.c.id == reports.c.portal_id)
                .join(versions, versions.c.id == reports.c.latest_version_id)
                .join(captures, captures.c.id == versions.c.capture_id)
                .where(Portal.__table__.c.name == portal)).all()
            page_ids = (select(versions.c.capture_id)
                        .join(reports, reports.c.latest_version_id == versions.c.id)
                        .join(Portal.__table__, Portal.__table__.c.id == reports.c.portal_id)
                        .where(Portal.__table__.c.name == portal))
            attachments: dict[int, set[str]] = {}
            for parent_id, record_id in connection.execute(
                    select(captures.c.parent_id, captures.c.warc_record_id)
                    .where(captures.c.parent_id.in_(page_ids))):
                attachments.setdefault(parent_id, set()).add(record_id)
            version_ids = (select(reports.c.latest_version_id)
                           .join(Portal.__table__, Portal.__table__.c.id == reports.c.portal_id)
                           .where(Portal.__table__.c.name == portal))
            failed = set(connection.scalars(
                select(issues.c.version_id).where(
                    issues.c.version_id.in_(version_ids),
                    issues.c.code.in_(FAILED_EXTRACTION_CODES))))
        return {row.source_url: StoredBasis(
            row.id, row.warc_record_id, frozenset(attachments.get(row.capture_id, ())),
            row.parser_version, row.text_extractor, row.withdrawn_at is not None,
            row.version_id in failed, row.list_title) for row in rows}

    def mark_seen(self, report_ids: list[int]) -> None:
        """These reports were seen again, unchanged, by this crawl (now)."""
        if not report_ids:
            return
        reports = Report.__table__
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            for start in range(0, len(report_ids), 500):  # SQLite's bound-parameter limit
                connection.execute(update(reports).where(
                    reports.c.id.in_(report_ids[start:start + 500])).values(last_seen_at=now))
