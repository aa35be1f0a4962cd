"""Digest of a version's stats and parser issues rows

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

``report_versions.rows_digest`` is the digest of the ``report_stats`` and
parser ``report_issues`` rows last written for the version (values, cells as
printed, issues in order): a recrawl that stores the same rows again leaves
them as they are instead of deleting and re-inserting a hundred rows. Empty
until the version is next written, which then rewrites its rows as before.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_versions") as batch:
        batch.add_column(sa.Column("rows_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_versions") as batch:
        batch.drop_column("rows_digest")
