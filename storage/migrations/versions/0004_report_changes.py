"""Withdrawn reports and the changes each crawl run brought

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

``reports.withdrawn_at``/``withdrawn_how`` mark a report its portal took down
(gone from the list, or its page answering 404, 410 or a soft 404); the report
keeps its versions and captures. ``report_changes`` has one row per report
that a crawl run found new, edited, withdrawn or back again, with the versions
before and after: what a nightly crawl reports as "what changed".
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("withdrawn_how", sa.String(length=20), nullable=True))
    op.create_table(
        "report_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("crawl_run_id", sa.Integer(), sa.ForeignKey("crawl_runs.id"), nullable=True,
                  index=True),
        sa.Column("report_id", sa.Integer(),
                  sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("before_version_id", sa.Integer(), sa.ForeignKey("report_versions.id"),
                  nullable=True),
        sa.Column("after_version_id", sa.Integer(), sa.ForeignKey("report_versions.id"),
                  nullable=True),
        sa.Column("how", sa.String(length=20), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_changes")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("withdrawn_how")
        batch.drop_column("withdrawn_at")
