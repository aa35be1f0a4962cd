"""A crawl killed with SIGKILL in the middle, then run again: nothing lost, nothing twice.

The first crawl is killed once the database holds some reports (so its WARC
file is open and its capture index half full). The second crawl finishes the
dead crawl's WARC file before anything else and crawls the site. Then: every
WARC file passes ``warcio check``; every row of the capture index points at a
record that is there; the reports are all stored, each once, with the
numbers of the replica's ground truth.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from replica import serve_site
from replica.linhai import ground_truth
from storage.db import make_engine
from storage.models import Capture, Report, ReportVersion
from tests.crawling import PROJECT, SCRAPY, crawl

REPORTS = {a["path"]: a for a in ground_truth() if a["kind"] in ("report", "pdf_report")}


def count(database_url: str, model) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model)) or 0
    except Exception:  # noqa: BLE001 - the crawl has not created the tables yet
        return 0
    finally:
        engine.dispose()


def test_a_killed_crawl_loses_nothing_and_duplicates_nothing(tmp_path):
    database = f"sqlite:///{tmp_path}/nianbao.db"
    archive = tmp_path / "archive"
    with serve_site("linhai") as replica:
        process = subprocess.Popen(
            [str(SCRAPY), "crawl", "linhai", "-s", f"PORTAL_BASE_URL={replica.base_url}",
             "-s", f"WARC_DIR={archive}", "-s", "DOWNLOAD_DELAY=0.1",
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"LOG_FILE={tmp_path / 'killed.log'}"],
            cwd=PROJECT, env={**os.environ, "DATABASE_URL": database})
        deadline = time.monotonic() + 120
        while count(database, Report) < 10:
            assert process.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline, "no reports stored in time"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert list(archive.glob("*.warc.gz.open")), "killed while writing its WARC file"
        killed_reports = count(database, Report)
        assert killed_reports < len(REPORTS)

        again = crawl("linhai", replica, tmp_path / "again", database,
                      "-s", f"WARC_DIR={archive}")
    assert again.stats["warc/recovered_files"] == 1
    files = sorted(archive.glob("*.warc.gz"))
    assert not list(archive.glob("*.open")) and len(files) == 2
    check = subprocess.run([Path(sys.executable).parent / "warcio", "check",
                            *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    # Every capture the index holds is in the archive, at its place.
    engine = make_engine(database)
    with engine.connect() as connection:
        pointers = connection.execute(select(
            Capture.warc_file, Capture.warc_offset, Capture.warc_record_id)).all()
        reports = connection.scalar(select(func.count()).select_from(Report))
        versions = connection.scalar(select(func.count()).select_from(ReportVersion))
    engine.dispose()
    for warc_file, offset, record_id in pointers:
        with open(archive / warc_file, "rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Record-ID") == record_id
    assert reports == versions == len(REPORTS)

    exported = {r["source"][len(replica.base_url):]: r
                for r in again.export(tmp_path / "o.jsonl")}
    assert set(exported) == set(REPORTS)
    for path, truth in REPORTS.items():
        if truth["stats"]:
            stats = exported[path]["stats"]
            assert {k: stats.get(k) for k in truth["stats"]} == truth["stats"], path
