"""The database schema: one SQLAlchemy 2 model set for SQLite and PostgreSQL.

Alembic migrations in ``storage/migrations`` create it; change both together.

* ``portals``: one row per portal spider.
* ``crawl_runs``: one row per crawl, with Scrapy's final stats.
* ``captures``: one row per archived response: URL, time, status, digests,
  charset evidence, its WARC place (file, offset, record id) and, for an
  attachment, the page capture that linked it.
* ``reports``: one row per report URL (the natural key).
* ``report_versions``: one row per distinct content of a report, keyed by
  the digest of its normalised main text, so a page whose only change is a
  visit counter is the same version; re-parsing updates a version in place.
* ``report_stats``: a version's ``stats`` in long form (key, value, the
  cell's text as printed, blank flag).
* ``report_issues``: what the parser flagged on a version, and what the
  cross-report audit found against the same agency's report of the year before
  (codes ``cross_*``, naming the earlier report).
* ``report_changes``: what each crawl run found new, edited, withdrawn or
  back again (``storage/changes.py`` reads it); a withdrawn report is marked
  on ``reports`` (``withdrawn_at``, ``withdrawn_how``), never deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Portal(Base):
    __tablename__ = "portals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # the spider's name
    title: Mapped[str | None] = mapped_column(Text)  # e.g. 临海市人民政府
    base_url: Mapped[str | None] = mapped_column(Text)  # the live site


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    stats: Mapped[dict | None] = mapped_column(JSON)


class Capture(Base):
    __tablename__ = "captures"
    __table_args__ = (
        UniqueConstraint("warc_record_id"),
        Index("ix_captures_url_fetched_at", "url", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    url: Mapped[str] = mapped_column(Text)
    requested_url: Mapped[str | None] = mapped_column(Text)
    # For an attachment: the capture of the page that linked it.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), index=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    method: Mapped[str | None] = mapped_column(String(10))
    # sha1 of the request body: a POST (dataproxy.jsp) is the same request only with the same form
    request_digest: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    # "response", or "revisit" (no payload here: it is in the record ``refers_to``)
    record_type: Mapped[str | None] = mapped_column(String(20))
    refers_to: Mapped[str | None] = mapped_column(String(100))
    # The server's validators, sent back as If-None-Match / If-Modified-Since next time.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    # sha1:<base32> of the entity body (content coding kept), as in WARC-Payload-Digest
    payload_digest: Mapped[str | None] = mapped_column(String(64))
    # sha1 of the normalised main text: same text, same content, whatever the bytes
    text_digest: Mapped[str | None] = mapped_column(String(64))
    # Charset evidence: declared in the HTTP header, declared in a <meta>, used.
    charset_header: Mapped[str | None] = mapped_column(String(40))
    charset_meta: Mapped[str | None] = mapped_column(String(40))
    charset_used: Mapped[str | None] = mapped_column(String(40))
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(BigInteger)
    warc_record_id: Mapped[str | None] = mapped_column(String(100))


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("source_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"), index=True)
    source_url: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The newest content; maintained by the repository on every write.
    latest_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_versions.id", use_alter=True, name="fk_reports_latest_version"))
    # Taken down by its portal: when that was found, and how (WITHDRAWN_HOW).
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_how: Mapped[str | None] = mapped_column(String(20))

    portal: Mapped[Portal] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", foreign_keys="ReportVersion.report_id",
        order_by="ReportVersion.id")
    latest_version: Mapped[ReportVersion | None] = relationship(
        foreign_keys=[latest_version_id], post_update=True)


class ReportVersion(Base):
    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "content_digest"),
        Index("ix_report_versions_agency_year", "agency", "year"),
        Index("ix_report_versions_template", "template"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           index=True)
    content_digest: Mapped[str] = mapped_column(String(64))
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"))
    # The attachment the numbers were read from, when the page only links it.
    document_capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    template: Mapped[str] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(Text)
    index_no: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    written_date: Mapped[date | None] = mapped_column(Date)
    published_date: Mapped[date | None] = mapped_column(Date)
    doc_number: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    validity: Mapped[str | None] = mapped_column(Text)
    # Metadata beyond the seven fields above (SiteName, ColumnName, …), as parsed.
    metadata_extra: Mapped[dict | None] = mapped_column(JSON)
    list_title: Mapped[str | None] = mapped_column(Text)
    main_text: Mapped[str | None] = mapped_column(Text)
    text_extractor: Mapped[str | None] = mapped_column(String(60))  # what made main_text
    sections: Mapped[dict | None] = mapped_column(JSON)
    legacy_indicators: Mapped[list | None] = mapped_column(JSON)
    # Record keys beyond the contract's, kept whole for the export.
    extra: Mapped[dict | None] = mapped_column(JSON)
    parser_version: Mapped[str | None] = mapped_column(String(40))
    # The agency the cross-report audit matched this report under, and how
    # (name | rename | index_no): crawler.audit.identity.
    agency_key: Mapped[str | None] = mapped_column(Text, index=True)
    agency_matched_by: Mapped[str | None] = mapped_column(String(20))
    # nianbao_core.digests.record_digest of the parser's record: a re-parse whose new
    # record has the same digest changed nothing, and needs no diff.
    record_digest: Mapped[str | None] = mapped_column(String(64))
    # Digest of the report_stats and parser report_issues rows last written for this
    # version (storage.repository.rows_digest): the same rows are not written again.
    rows_digest: Mapped[str | None] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    parsed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    report: Mapped[Report] = relationship(back_populates="versions", foreign_keys=[report_id])
    capture: Mapped[Capture] = relationship(foreign_keys=[capture_id])
    document_capture: Mapped[Capture | None] = relationship(foreign_keys=[document_capture_id])
    stats: Mapped[list[ReportStat]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ReportStat.key")
    issues: Mapped[list[ReportIssue]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ReportIssue.id")


class ReportStat(Base):
    __tablename__ = "report_stats"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)
    value: Mapped[float | None] = mapped_column(Float)
    # The cell as printed ("251000元", "+3", "—"), when the parser gives it.
    raw: Mapped[str | None] = mapped_column(Text)
    # A blank cell: reported as null, never as 0.
    blank: Mapped[bool] = mapped_column(Boolean, default=False)

    version: Mapped[ReportVersion] = relationship(back_populates="stats")


class ReportIssue(Base):
    __tablename__ = "report_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(80), index=True)
    severity: Mapped[str | None] = mapped_column(String(20))
    where: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    # The parser's issue as it gave it, for keys beyond these four.
    detail: Mapped[dict | None] = mapped_column(JSON)

    version: Mapped[ReportVersion] = relationship(back_populates="issues")


# How a report was found withdrawn: still answering but no longer listed; or its
# page answering 404, 410, or an error page sent as 200.
WITHDRAWN_HOW = ("gone_from_list", "404", "410", "soft_404")
CHANGE_KINDS = ("new", "edited", "withdrawn", "returned")


class ReportChange(Base):
    """What one crawl run found about one report (CHANGE_KINDS)."""

    __tablename__ = "report_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[str] = mapped_column(String(20))
    before_version_id: Mapped[int | None] = mapped_column(ForeignKey("report_versions.id"))
    after_version_id: Mapped[int | None] = mapped_column(ForeignKey("report_versions.id"))
    how: Mapped[str | None] = mapped_column(String(20))  # for a withdrawal: WITHDRAWN_HOW
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
