"""Scheduling through Scrapyd: start it on 127.0.0.1, deploy the project, run a portal.

Scrapyd (a real one, as ``deploy/scrapyd.conf`` configures it) is started in
a temporary directory; ``scrapyd-deploy env`` (scrapyd-client, the
``[deploy:env]`` target of scrapy.cfg) builds the project's egg and uploads
it; ``schedule.json`` runs the Linhai spider against the replica; its reports
are then read from the database the job wrote.
"""

from __future__ import annotations

import configparser
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from replica import serve_site
from replica.linhai import reports
from storage.db import make_engine
from storage.models import CrawlRun, Report
from tests.crawling import PROJECT

BIN = Path(sys.executable).parent


def free_port() -> int:
    # Scrapyd takes no port 0 (it needs a true http_port): one the system hands out, read back.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_scrapyd(root: Path, env: dict) -> tuple[subprocess.Popen, int]:
    """Scrapyd listening on a port of its own. The port is free when probed but may be
    taken before Scrapyd binds it: then Scrapyd exits, and another port is tried."""
    config = configparser.ConfigParser()
    config.read(PROJECT / "deploy" / "scrapyd.conf")
    for _ in range(5):
        port = free_port()
        config["scrapyd"].update({"http_port": str(port), "poll_interval": "0.2",
                                  "max_proc": "1", "eggs_dir": str(root / "eggs"),
                                  "logs_dir": str(root / "logs"), "dbs_dir": str(root / "dbs")})
        with open(root / "scrapyd.conf", "w") as stream:
            config.write(stream)
        process = subprocess.Popen([str(BIN / "scrapyd")], cwd=root, env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        said = []
        for line in process.stdout:  # twistd says when the site listens
            said.append(line)
            if f"Site starting on {port}" in line:
                return process, port
        process.wait()
        process.stdout.close()
        if "Address already in use" not in "".join(said):
            pytest.fail(f"scrapyd did not start (exit {process.returncode}): {''.join(said)}")
    pytest.fail("scrapyd found no free port in 5 tries")


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    root = tmp_path_factory.mktemp("scrapyd")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "NIANBAO_PORTAL_BASE_URL")}
    process, port = start_scrapyd(root, env)
    try:
        yield f"http://127.0.0.1:{port}/", root
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


def api(base: str, action: str, **form) -> dict:
    data = urllib.parse.urlencode(form, doseq=True).encode() if form else None
    with urllib.request.urlopen(base + action, data=data, timeout=30) as answer:
        return json.loads(answer.read())


def test_deploy_schedule_and_find_the_reports(scrapyd, tmp_path):
    base, _ = scrapyd
    deployed = subprocess.run([str(BIN / "scrapyd-deploy"), "env", "-v", "test-1"], cwd=PROJECT,
                              env={**os.environ, "NIANBAO_SCRAPYD_URL": base},
                              capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stderr
    assert api(base, "listversions.json?project=nianbao")["versions"] == ["test-1"]
    listed = api(base, "listspiders.json?project=nianbao")
    spiders = listed.get("spiders", listed)
    assert "linhai" in spiders
    database = f"sqlite:///{tmp_path}/scrapyd.db"
    with serve_site("linhai") as replica:
        settings = [f"PORTAL_BASE_URL={replica.base_url}", f"DATABASE_URL={database}",
                    f"WARC_DIR={tmp_path / 'archive'}", "DOWNLOAD_DELAY=0",
                    "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
        job = api(base, "schedule.json", project="nianbao", spider="linhai", setting=settings)
        assert job["status"] == "ok"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:  # Scrapyd's own state, asked until the job ends
            finished = api(base, "listjobs.json?project=nianbao")["finished"]
            if any(j["id"] == job["jobid"] for j in finished):
                break
            time.sleep(0.5)
        else:
            pytest.fail("the Scrapyd job did not finish in time")
    engine = make_engine(database)
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(Report))
        run = connection.execute(select(CrawlRun.spider, CrawlRun.finish_reason)).one()
    engine.dispose()
    assert stored == len(reports())
    assert tuple(run) == ("linhai", "finished")
