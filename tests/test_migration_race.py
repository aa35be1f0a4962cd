"""Workers started at once on a new database: one migrates, the others wait for it.

Real processes against a new, empty database (PostgreSQL: the machine's server,
a database of this test's own; SQLite: a file). Each process imports the
project, says it is ready and waits until every one is, then runs
``storage.db.upgrade`` at the same moment as the others. Without the
migration lock the processes race in Alembic (both see no version table, both
create the tables; one fails on a table that already exists).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import alembic_config, make_engine
from tests.databases import database_url

PROJECT = Path(__file__).resolve().parent.parent
PROCESSES = 3

MIGRATE = """
import sys, time
from pathlib import Path
from storage.db import make_engine, upgrade
url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
engine = make_engine(url)
ready.touch()
while not go.exists():
    time.sleep(0.005)
upgrade(engine)
engine.dispose()
"""


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_processes_migrating_a_new_database_at_once_all_succeed(kind, tmp_path):
    with database_url(kind, tmp_path) as url:
        go = tmp_path / "go"
        ready = [tmp_path / f"ready-{k}" for k in range(PROCESSES)]
        processes = [subprocess.Popen([sys.executable, "-c", MIGRATE, url, str(path), str(go)],
                                      cwd=PROJECT, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
                     for path in ready]
        try:
            # Every process has imported the project and opened its engine: released
            # together, they reach the migration at the same moment.
            deadline = time.monotonic() + 120
            while not all(path.exists() for path in ready):
                assert all(p.poll() is None for p in processes), \
                    [p.communicate() for p in processes if p.poll() is not None]
                assert time.monotonic() < deadline, "the migrating processes never got ready"
                time.sleep(0.01)
            go.touch()
            outcomes = [(p.wait(120), p.communicate()[1]) for p in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        assert [code for code, _ in outcomes] == [0] * PROCESSES, \
            "\n".join(err[-2000:] for _, err in outcomes)
        engine = make_engine(url)
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            tables = set(inspect(connection).get_table_names())
        engine.dispose()
        assert versions == [(head,)]
        assert {"reports", "report_versions", "captures", "crawl_runs"} <= tables
