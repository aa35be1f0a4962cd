"""Running the project's own commands (``scrapy crawl``, ``scrapy export``) in tests.

A crawl runs as a real ``scrapy`` process in the project directory, exactly as
a user runs it, with its database and WARC directory in the test's
temporary directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from storage.db import make_engine
from storage.export import report_record
from storage.models import CrawlRun
from storage.repository import ReportStore

PROJECT = Path(__file__).resolve().parent.parent
SCRAPY = Path(sys.executable).parent / "scrapy"


def scrapy(*args: str, database_url: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("NIANBAO_PORTAL_BASE_URL", None)
    return subprocess.run([str(SCRAPY), *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@dataclass
class CrawlResult:
    process: subprocess.CompletedProcess
    warc_dir: Path
    database_url: str
    served: list[dict]  # what the replica served during this crawl
    stats: dict

    def export(self, path: Path) -> list[dict]:
        """The report records ``scrapy export -o PATH`` writes, also written to ``path``.

        Made in this process, as the command makes them (``report_record`` of each
        stored report, through JSON): a ``scrapy`` process costs seconds on a busy
        machine, and the command itself is tested in ``tests/test_tabular.py``.
        """
        engine = make_engine(self.database_url)
        try:
            lines = [json.dumps(report_record(report), ensure_ascii=False)
                     for report in ReportStore(engine).reports()]
        finally:
            engine.dispose()
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return [json.loads(line) for line in lines]


def crawl(spider: str, replica, tmp_path: Path, database_url: str, *settings: str) -> CrawlResult:
    tmp_path.mkdir(parents=True, exist_ok=True)
    warc_dir = tmp_path / "archive"
    before = len(replica.served)
    process = scrapy(
        "crawl", spider,
        "-s", f"PORTAL_BASE_URL={replica.base_url}",
        "-s", f"WARC_DIR={warc_dir}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01",
        "-s", f"LOG_FILE={tmp_path / 'crawl.log'}",
        *settings,
        database_url=database_url)
    assert process.returncode == 0, (tmp_path / "crawl.log").read_text()[-5000:]
    engine = make_engine(database_url)
    with engine.connect() as connection:
        stats = connection.execute(
            select(CrawlRun.stats).order_by(CrawlRun.id.desc()).limit(1)).scalar_one()
    engine.dispose()
    return CrawlResult(process, warc_dir, database_url, replica.served.snapshot()[before:], stats)
