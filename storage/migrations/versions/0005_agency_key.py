"""Agency identity across years

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

``report_versions.agency_key`` is the agency a report was matched under by
the cross-report audit (``scrapy audit``, and after each crawl), and
``agency_matched_by`` how: its own name, a registry rename, or the 索引号
prefix. Both are empty until the first audit.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_versions") as batch:
        batch.add_column(sa.Column("agency_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("agency_matched_by", sa.String(length=20), nullable=True))
        batch.create_index("ix_report_versions_agency_key", ["agency_key"])


def downgrade() -> None:
    with op.batch_alter_table("report_versions") as batch:
        batch.drop_index("ix_report_versions_agency_key")
        batch.drop_column("agency_matched_by")
        batch.drop_column("agency_key")
