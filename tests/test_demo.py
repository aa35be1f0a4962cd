"""``make demo``'s script, run as a user runs it (in a work directory of its own)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from replica.linhai import ground_truth
from tests.crawling import scrapy
from tests.databases import postgres_database

PROJECT = Path(__file__).resolve().parent.parent


def run_demo(workdir, database_url: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, "scripts/demo.py", "--workdir", str(workdir)],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_demo_crawls_the_replica_and_prints_a_true_summary(tmp_path):
    out = run_demo(tmp_path)
    reports = sum(a["kind"] in ("report", "pdf_report") for a in ground_truth())
    assert f"reports stored: {reports} " in out
    assert re.search(r"reports with issues flagged: \d+", out)
    assert "rule_column_balance" in out  # the deliberate breaks are among the issues
    served, archived = map(int, re.search(
        r"responses served by the replica: (\d+); archived by this crawl: (\d+)", out).groups())
    assert served == archived > reports
    assert re.search(r"WARC files: 1 under", out)
    assert re.search(r"WARC records: \d+ \(request \d+, response \d+, warcinfo 1\)", out)
    assert (tmp_path / "data" / "nianbao.db").exists()
    assert not list((tmp_path / "archive").rglob("*.open"))

    # A second demo is a recrawl of the same URLs: the same reports, answers as revisits.
    again = run_demo(tmp_path)
    assert f"reports stored: {reports} " in again
    records = re.search(r"WARC records: \d+ \((.*)\)", again).group(1)
    assert re.search(r"revisit (\d+)", records) and int(
        re.search(r"revisit (\d+)", records).group(1)) >= 40
    served, archived = map(int, re.search(
        r"responses served by the replica: (\d+); archived by this crawl: (\d+)",
        again).groups())
    assert served == archived


# What differs between two crawls of the same pages: when, and where in which WARC file.
PER_CRAWL = {"fetched_at", "warc_file", "warc_offset", "warc_record_id"}


def exported(path: Path, database_url: str) -> list[dict]:
    assert scrapy("export", "-o", str(path), database_url=database_url).returncode == 0
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        for record in (row, row.get("document") or {}):
            for field in PER_CRAWL & set(record):
                del record[field]
    return rows


def test_demo_into_postgresql_stores_what_the_sqlite_default_stores(tmp_path):
    run_demo(tmp_path / "sqlite")
    with postgres_database() as url:
        out = run_demo(tmp_path / "pg", url)
        assert "postgresql" in out and not (tmp_path / "pg" / "data" / "nianbao.db").exists()
        from_postgres = exported(tmp_path / "pg.jsonl", url)
    from_sqlite = exported(tmp_path / "sqlite.jsonl",
                           f"sqlite:///{tmp_path / 'sqlite' / 'data' / 'nianbao.db'}")
    assert len(from_sqlite) == sum(a["kind"] in ("report", "pdf_report") for a in ground_truth())
    # Same URLs (the demo's fixed port), so the same records, row for row.
    assert from_postgres == from_sqlite
