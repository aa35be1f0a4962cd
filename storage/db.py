"""Opening the database named by ``DATABASE_URL`` and keeping it migrated.

SQLite by default (``sqlite:///data/nianbao.db``, relative to the working
directory), PostgreSQL with ``postgresql+psycopg://…``. The schema is owned by
the Alembic migrations beside this module: ``upgrade(engine)`` brings any
database to the newest one, and is what ``STORAGE_AUTO_MIGRATE`` runs.

One engine per process and URL (:func:`shared_engine`): the WARC capture
index, the storage pipeline and the commands all ask for it, so a crawl opens
one connection pool and runs the migrations once, however many components
(or spiders, in one process) use the database.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
import weakref
from functools import cache
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from scrapy import signals
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
# Pages in the write-ahead log before SQLite copies them back (make_engine).
SQLITE_CHECKPOINT_PAGES = 10_000


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
            # In WAL mode NORMAL loses no commit when the process dies (SIGKILL), only
            # on power loss, and spares an fsync per transaction: the crawl commits a
            # capture-index row per record on the reactor thread.
            cursor.execute("PRAGMA synchronous=NORMAL")
            # A report writes about 300 pages to the log (its figures' rows land all
            # over the key index), so SQLite's default checkpoint every 1,000 pages
            # synced the disk every two or three reports, on the reactor thread: at
            # N=1,000 671 fdatasyncs, 4.7 s of a 40 s crawl (strace). Every 10,000
            # pages (a log of about 40 MB) it is 86, 1.7 s.
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrations_dir() -> Path:
    """The migrations as a directory, which Alembic needs.

    Scrapyd runs the project from its zipped egg, where the migrations are zip
    members: they are copied out once per process then.
    """
    return MIGRATIONS if MIGRATIONS.is_dir() else _extracted_migrations()


@cache
def _extracted_migrations() -> Path:
    target = Path(tempfile.mkdtemp(prefix="nianbao-migrations-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    _copy_tree(resources.files("storage").joinpath("migrations"), target)
    return target


def _copy_tree(source, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                (target / entry.name).mkdir()
                _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url",
                           engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


# The key of the PostgreSQL advisory lock migrations take (any bigint the project
# uses for nothing else): "nianbao" in ASCII.
MIGRATION_LOCK_KEY = 0x6E69616E62616F


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; one process at a time.

    Workers started together on a new database would otherwise race in
    Alembic: both read no version and both create the tables, and one fails.
    PostgreSQL: a transaction-level advisory lock, taken before Alembic reads
    the version and released when the migration commits, so the next process
    reads the version the first wrote. SQLite: a lock file beside the database.
    """
    sqlite = engine.dialect.name == "sqlite"
    with _sqlite_migration_lock(engine) if sqlite else contextlib.nullcontext():
        with engine.connect() as connection:
            if sqlite:
                # Rebuilding a table (Alembic's batch mode) drops it while others still
                # point at it; SQLite only allows that with foreign keys off, and only
                # switches them outside a transaction.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                       {"key": MIGRATION_LOCK_KEY})
                config = alembic_config(engine)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _sqlite_migration_lock(engine: Engine):
    """A file lock beside a SQLite database (none for one in memory)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return contextlib.nullcontext()
    return FileLock(f"{database}.migrate.lock")


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def readonly_engine(path: Path) -> Engine:
    """A SQLite file opened read-only (``make browse``): no migration, no WAL switch."""
    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


_ENGINES: dict[str, Engine] = {}
_MIGRATED: set[str] = set()
_DISPOSING = weakref.WeakSet()  # crawlers whose end returns the pool's connections
_HELD: set[str] = set()  # URLs whose engine stays open between crawls (held_engine)


def shared_engine(url: str, *, migrate: bool) -> Engine:
    """This process's engine for ``url``: created on first use, migrated once if ``migrate``."""
    if not url:
        raise ValueError("no database: DATABASE_URL is empty")
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = make_engine(url)
    if migrate and url not in _MIGRATED:
        upgrade(engine)
        _MIGRATED.add(url)
    return engine


@contextlib.contextmanager
def held_engine(url: str, *, migrate: bool):
    """``shared_engine`` for many crawls in one process (``scrapy crawlall``).

    Its pool's connections stay open from one crawl to the next, and are closed
    when the block ends: closing them at every crawl's end cost each of hundreds
    of portals a reconnection (and SQLite a checkpoint of its write-ahead log).
    """
    engine = shared_engine(url, migrate=migrate)
    _HELD.add(url)
    try:
        yield engine
    finally:
        _HELD.discard(url)
        engine.dispose()


def crawler_engine(crawler) -> Engine:
    """The engine of a crawl's ``DATABASE_URL`` (``STORAGE_AUTO_MIGRATE``: migrated once).

    Every component of the crawl that stores or reads gets this one. When the
    crawl's engine stops, the pool's connections are closed (``dispose``; the
    engine stays usable, and reconnects, for another crawl in the process),
    unless a ``held_engine`` block holds them open.
    """
    settings = crawler.settings
    url = settings.get("DATABASE_URL")
    engine = shared_engine(url, migrate=settings.getbool("STORAGE_AUTO_MIGRATE"))
    if crawler not in _DISPOSING:
        _DISPOSING.add(crawler)

        def crawl_ended() -> None:
            if url not in _HELD:
                engine.dispose()

        crawler.signals.connect(crawl_ended, signal=signals.engine_stopped, weak=False)
    return engine
