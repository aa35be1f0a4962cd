"""Opening the database named by ``DATABASE_URL`` and keeping it migrated.

SQLite by default (``sqlite:///data/nianbao.db``, relative to the working
directory), PostgreSQL with ``postgresql+psycopg://…``. The schema is owned by
the Alembic migrations beside this module: ``upgrade(engine)`` brings any
database to the newest one, and is what ``STORAGE_AUTO_MIGRATE`` runs.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Readers (exports, a browser) keep working while a crawl writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url",
                           engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # Rebuilding a table (Alembic's batch mode) drops it while others still
            # point at it; SQLite only allows that with foreign keys off, and only
            # switches them outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def readonly_engine(path: Path) -> Engine:
    """A SQLite file opened read-only (``make browse``): no migration, no WAL switch."""
    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
