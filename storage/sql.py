"""SQL the storage modules share: the dialect's upsert, timestamps as stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(dialect_name: str, table: Table):
    """``INSERT`` with ``ON CONFLICT`` (``on_conflict_do_update/nothing``) of the dialect."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
