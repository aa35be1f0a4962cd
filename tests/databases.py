"""Throw-away databases for tests: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL is the real server on 127.0.0.1:5432 (trust auth, user postgres);
``scripts/setup-test-env.sh`` (run by ``make test``) starts it when it is not
running. Each use gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import psycopg

POSTGRES_ADMIN_DSN = os.environ.get(
    "NIANBAO_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=test")


@contextlib.contextmanager
def postgres_database():
    name = f"nianbao_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            "PostgreSQL is needed for these tests at 127.0.0.1:5432 "
            f"(scripts/setup-test-env.sh starts it): {exc}") from exc
    with admin:
        admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def database_url(kind: str, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/nianbao.db"
    else:
        with postgres_database() as url:
            yield url
