"""Report versions, portals, capture digests, charset evidence, attachments, raw cell text

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

A report's content now lives in ``report_versions`` (one row per distinct
content); ``reports`` keeps the URL and points at its latest version. Rows of
0001 become one version each, keeping their ids, so stats and issues follow.
"""
import hashlib
import re
import unicodedata
from base64 import b32encode

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the app's code does.
_COUNTER = re.compile(r"(浏览|访问|点击|阅读)(次数|量)?\s*[:：]\s*\d*")


def _content_digest(text):
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", " ", _COUNTER.sub("", text)).strip()
    return "sha1:" + b32encode(hashlib.sha1(text.encode("utf-8")).digest()).decode("ascii")


VERSION_COLUMNS = [
    ("template", sa.String(length=20)), ("year", sa.Integer()), ("title", sa.Text()),
    ("agency", sa.Text()), ("index_no", sa.Text()), ("publisher", sa.Text()),
    ("written_date", sa.Date()), ("published_date", sa.Date()), ("doc_number", sa.Text()),
    ("subject", sa.Text()), ("validity", sa.Text()), ("list_title", sa.Text()),
    ("main_text", sa.Text()), ("sections", sa.JSON()), ("legacy_indicators", sa.JSON()),
    ("extra", sa.JSON()), ("parser_version", sa.String(length=40)),
]
# Columns new in 0002 (no 0001 data to carry over).
NEW_VERSION_COLUMNS = [("metadata_extra", sa.JSON()), ("text_extractor", sa.String(length=60))]


def upgrade() -> None:
    op.create_table(
        "portals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("captures") as batch:
        for name in ("payload_digest", "text_digest"):
            batch.add_column(sa.Column(name, sa.String(length=64), nullable=True))
        for name in ("charset_header", "charset_meta", "charset_used"):
            batch.add_column(sa.Column(name, sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("method", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("request_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("record_type", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("refers_to", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("etag", sa.Text(), nullable=True))
        batch.add_column(sa.Column("last_modified", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_captures_parent", "captures", ["parent_id"], ["id"])
        batch.create_index("ix_captures_parent_id", ["parent_id"])
        batch.drop_index("ix_captures_url")
        batch.create_index("ix_captures_url_fetched_at", ["url", "fetched_at"])

    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=False),
        sa.Column("document_capture_id", sa.Integer(), nullable=True),
        *[sa.Column(name, type_, nullable=(name != "template")) for name, type_ in VERSION_COLUMNS],
        *[sa.Column(name, type_, nullable=True) for name, type_ in NEW_VERSION_COLUMNS],
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parsed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["capture_id"], ["captures.id"]),
        sa.ForeignKeyConstraint(["document_capture_id"], ["captures.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "content_digest"),
    )
    op.create_index("ix_report_versions_report_id", "report_versions", ["report_id"])
    op.create_index("ix_report_versions_agency_year", "report_versions", ["agency", "year"])
    op.create_index("ix_report_versions_template", "report_versions", ["template"])

    # -- data: portals and one version per 0001 report, keeping the report's id --
    bind = op.get_bind()
    reports = sa.table("reports", sa.column("id"), sa.column("portal"),
                       sa.column("capture_id"), sa.column("document_capture_id"),
                       sa.column("first_stored_at"), sa.column("updated_at"),
                       *[sa.column(name) for name, _ in VERSION_COLUMNS])
    portals = sa.table("portals", sa.column("id"), sa.column("name"))
    versions = sa.table("report_versions", sa.column("id"), sa.column("report_id"),
                        sa.column("content_digest"), sa.column("capture_id"),
                        sa.column("document_capture_id"), sa.column("first_seen_at"),
                        sa.column("parsed_at"), *[sa.column(n) for n, _ in VERSION_COLUMNS])
    rows = bind.execute(sa.select(reports)).mappings().all()
    portal_ids = {}
    for name in sorted({row["portal"] for row in rows}):
        portal_ids[name] = bind.execute(
            portals.insert().values(name=name).returning(portals.c.id)).scalar_one()
    for row in rows:
        bind.execute(versions.insert().values(
            id=row["id"], report_id=row["id"], content_digest=_content_digest(row["main_text"]),
            capture_id=row["capture_id"], document_capture_id=row["document_capture_id"],
            first_seen_at=row["first_stored_at"], parsed_at=row["updated_at"],
            **{name: row[name] for name, _ in VERSION_COLUMNS}))

    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("portal_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("latest_version_id", sa.Integer(), nullable=True))
    for row in rows:
        bind.execute(sa.text(
            "UPDATE reports SET portal_id = :portal, first_seen_at = first_stored_at, "
            "last_seen_at = updated_at, latest_version_id = id WHERE id = :id"),
            {"portal": portal_ids[row["portal"]], "id": row["id"]})
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("ix_reports_agency_year")
        batch.drop_index("ix_reports_portal")
        batch.drop_index("ix_reports_template")
        for name in ["portal", "capture_id", "document_capture_id", "first_stored_at",
                     "updated_at", *[n for n, _ in VERSION_COLUMNS]]:
            batch.drop_column(name)
        batch.alter_column("portal_id", nullable=False)
        batch.alter_column("first_seen_at", nullable=False)
        batch.alter_column("last_seen_at", nullable=False)
        batch.create_index("ix_reports_portal_id", ["portal_id"])
        batch.create_foreign_key("fk_reports_portal", "portals", ["portal_id"], ["id"])
        batch.create_foreign_key("fk_reports_latest_version", "report_versions",
                                 ["latest_version_id"], ["id"])

    # Stats and issues now belong to a version; 0001 report ids are the version ids.
    # The tables are rebuilt rather than altered: 0001 left their foreign keys
    # unnamed, which SQLite cannot drop by name.
    op.create_table(
        "report_stats_v2",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["report_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "key"),
    )
    op.execute("INSERT INTO report_stats_v2 (version_id, key, value, blank) "
               "SELECT report_id, key, value, blank FROM report_stats")
    op.drop_index("ix_report_stats_key", table_name="report_stats")
    op.drop_table("report_stats")
    op.rename_table("report_stats_v2", "report_stats")
    op.create_index("ix_report_stats_key", "report_stats", ["key"])

    op.create_table(
        "report_issues_v2",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("where", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["report_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute('INSERT INTO report_issues_v2 (id, version_id, code, severity, "where", '
               'message, detail) SELECT id, report_id, code, severity, "where", message, '
               "detail FROM report_issues")
    op.drop_index("ix_report_issues_code", table_name="report_issues")
    op.drop_index("ix_report_issues_report_id", table_name="report_issues")
    op.drop_table("report_issues")
    op.rename_table("report_issues_v2", "report_issues")
    op.create_index("ix_report_issues_code", "report_issues", ["code"])
    op.create_index("ix_report_issues_version_id", "report_issues", ["version_id"])

    if bind.dialect.name == "postgresql":
        # Rows were copied with their ids: move the id sequences past them.
        for table in ("report_versions", "report_issues"):
            op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")


def downgrade() -> None:
    raise NotImplementedError("0002 moves report content into versions; restore a backup "
                              "to go back to 0001")
