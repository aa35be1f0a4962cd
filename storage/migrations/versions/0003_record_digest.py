"""The digest of each version's parser record

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

``report_versions.record_digest`` lets a re-parse tell an unchanged record by
its digest instead of reading and comparing every stored number. Versions
stored before this migration have none; the next re-parse compares them in
full once and fills it in.
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_versions") as batch:
        batch.add_column(sa.Column("record_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_versions") as batch:
        batch.drop_column("record_digest")
