"""A crawl whose reports include a hostile one: flagged and stored, and Ctrl-C still works.

The spider (``tests/spiders/hostile_documents.py``) yields a seed report and a
PDF that takes minutes to read, from a ``data:`` URL: no network.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.crawling import PROJECT, SCRAPY
from tests.processes import busy_descendant, descendants

SPIDER = "tests/spiders/hostile_documents.py"


def runspider(tmp_path: Path, *settings: str) -> tuple[list[str], dict]:
    database_url = f"sqlite:///{tmp_path}/nianbao.db"
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [str(SCRAPY), "runspider", SPIDER, "-s", "WARC_ENABLED=False",
               "-s", f"LOG_FILE={tmp_path / 'crawl.log'}", *settings]
    return command, env


def test_a_report_past_the_time_bound_is_stored_flagged(tmp_path) -> None:
    command, env = runspider(tmp_path, "-s", "EXTRACTION_TIMEOUT=5")
    started = time.monotonic()
    subprocess.run(command, cwd=PROJECT, env=env, check=True, timeout=120)
    assert time.monotonic() - started < 60  # unbounded, the PDF alone takes minutes
    exported = subprocess.run([str(SCRAPY), "export", "-o", "-"], cwd=PROJECT, env=env,
                              check=True, capture_output=True, text=True).stdout
    records = {r["source"]: r for r in map(json.loads, exported.splitlines())}
    slow = records["http://portal.test/slow.pdf"]
    assert [i["code"] for i in slow["issues"]] == ["extraction_timeout"]
    assert slow["stats"] == {} and slow["template"] == "unknown"
    assert records["http://portal.test/seed.txt"]["template"] == "2019"
    log = (tmp_path / "crawl.log").read_text()
    assert "'extraction/timeouts': 1" in log and "'storage/reports_saved': 2" in log


def test_the_crawl_answers_ctrl_c_while_a_worker_is_busy(tmp_path) -> None:
    command, env = runspider(tmp_path, "-s", "EXTRACTION_TIMEOUT=0")  # no time bound
    crawl = subprocess.Popen(command, cwd=PROJECT, env=env, start_new_session=True)
    try:
        worker = busy_descendant(crawl.pid, cpu=0.5)
        everything = descendants(crawl.pid)
        crawl.send_signal(signal.SIGINT)
        log = tmp_path / "crawl.log"
        deadline = time.monotonic() + 20
        while "shutting down gracefully" not in log.read_text():
            assert time.monotonic() < deadline, "the reactor did not handle SIGINT"
            time.sleep(0.05)
        assert Path(f"/proc/{worker}").exists()  # the worker was busy all along
        crawl.send_signal(signal.SIGINT)  # the second one forces the stop
        assert crawl.wait(timeout=20) is not None
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    deadline = time.monotonic() + 10
    while [pid for pid in everything if Path(f"/proc/{pid}").exists()]:
        assert time.monotonic() < deadline, "worker processes outlived the crawl"
        time.sleep(0.05)
