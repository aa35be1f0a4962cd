"""Opening the project's database from a command's settings.

Scrapy imports every command module to list the commands, so the storage
layer (SQLAlchemy, Alembic: about a second) is imported when a command runs,
not at start-up; the same holds for each command's heavy modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.settings import BaseSettings

if TYPE_CHECKING:
    from storage.repository import ReportStore


def open_store(settings: BaseSettings) -> ReportStore:
    """The store on the process's one engine for ``DATABASE_URL`` (migrated once)."""
    from storage.db import shared_engine
    from storage.repository import ReportStore

    return ReportStore(shared_engine(settings.get("DATABASE_URL"),
                                     migrate=settings.getbool("STORAGE_AUTO_MIGRATE")))
