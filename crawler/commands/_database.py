"""Opening the project's database from a command's settings."""

from scrapy.settings import BaseSettings

from storage.db import shared_engine
from storage.repository import ReportStore


def open_store(settings: BaseSettings) -> ReportStore:
    """The store on the process's one engine for ``DATABASE_URL`` (migrated once)."""
    return ReportStore(shared_engine(settings.get("DATABASE_URL"),
                                     migrate=settings.getbool("STORAGE_AUTO_MIGRATE")))
