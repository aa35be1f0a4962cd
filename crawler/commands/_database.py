"""Opening the project's database from a command's settings."""

from scrapy.settings import BaseSettings

from storage.db import make_engine, upgrade
from storage.repository import ReportStore


def open_store(settings: BaseSettings) -> ReportStore:
    engine = make_engine(settings.get("DATABASE_URL"))
    if settings.getbool("STORAGE_AUTO_MIGRATE"):
        upgrade(engine)
    return ReportStore(engine)
