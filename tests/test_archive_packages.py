"""CDXJ and WACZ: the archive packaged for replay tools, checked by their own tools."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import make_engine
from storage.models import Capture
from tests.crawling import scrapy

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def crawled(linhai_sqlite_crawl):
    return linhai_sqlite_crawl


def test_cdxj_agrees_with_the_capture_index(crawled, tmp_path):
    index = tmp_path / "index.cdxj"
    done = scrapy("cdxj", str(crawled.warc_dir), "-o", str(index),
                  database_url=crawled.database_url)
    assert done.returncode == 0, done.stderr
    lines = index.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    from_cdxj = {}
    for line in lines:
        _key, timestamp, fields = line.split(" ", 2)
        fields = json.loads(fields)
        if fields.get("mime") == "application/warc-fields":
            continue  # the warcinfo record
        from_cdxj[(fields["filename"], int(fields["offset"]))] = (
            fields["url"], timestamp, int(fields["status"]), fields["digest"],
            int(fields["length"]), fields.get("method", "GET"))
    engine = make_engine(crawled.database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(
            Capture.warc_file, Capture.warc_offset, Capture.url, Capture.fetched_at,
            Capture.status, Capture.payload_digest, Capture.warc_length, Capture.method)).all()
    engine.dispose()
    from_database = {(r.warc_file, r.warc_offset): (
        r.url, r.fetched_at.strftime("%Y%m%d%H%M%S"), r.status, r.payload_digest,
        r.warc_length, r.method) for r in rows}
    assert len(from_database) == len(crawled.served)
    assert from_cdxj == from_database


def test_wacz_is_valid_and_lists_the_report_pages(crawled, tmp_path):
    package = tmp_path / "linhai.wacz"
    done = scrapy("wacz", "-o", str(package), str(crawled.warc_dir),
                  database_url=crawled.database_url)
    assert done.returncode == 0, done.stderr
    validation = subprocess.run([BIN / "wacz", "validate", "-f", str(package)],
                                capture_output=True, text=True)
    assert validation.returncode == 0, validation.stdout + validation.stderr
    assert "Validation succeeded" in validation.stdout
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        pages = [json.loads(line) for line in
                 archive.read("pages/pages.jsonl").decode("utf-8").splitlines()]
    assert {f"archive/{p.name}" for p in crawled.warc_dir.glob("*.warc.gz")} <= names
    exported = crawled.export(tmp_path / "out.jsonl")
    assert pages[0]["format"] == "json-pages-1.0"
    assert sorted(p["url"] for p in pages[1:]) == sorted(r["source"] for r in exported)
    assert {p["title"] for p in pages[1:]} == {r["title"] for r in exported}


PYWB = Path(__file__).resolve().parent.parent / ".venv-pywb" / "bin"


# pywb's `wayback` command, given a socket the test has bound and listens on (port 0,
# read back): no free port to guess and lose to another process, and no waiting for
# the server to listen, since connections queue on the socket until it accepts them.
WAYBACK_ON_SOCKET = """
from gevent.monkey import patch_all; patch_all()
import socket, sys
from gevent.pywsgi import WSGIServer
from pywb.apps.frontendapp import FrontEndApp
from pywb.utils.geventserver import RequestURIWSGIHandler
listener = socket.socket(fileno=int(sys.argv[1]))
WSGIServer(listener, FrontEndApp(custom_config={}),
           handler_class=RequestURIWSGIHandler).serve_forever()
"""


def test_wacz_loads_in_pywb_and_replays_every_report_page(crawled, tmp_path):
    assert (PYWB / "wayback").exists(), "pywb is installed by `make test` into .venv-pywb"
    package = tmp_path / "linhai.wacz"
    assert scrapy("wacz", "-o", str(package), str(crawled.warc_dir),
                  database_url=crawled.database_url).returncode == 0
    root = tmp_path / "pywb"
    root.mkdir()
    for command in (["init", "linhai"], ["add", "--unpack-wacz", "linhai", str(package)]):
        done = subprocess.run([PYWB / "wb-manager", *command], cwd=root, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(package) as archive:
        pages = [json.loads(line) for line in
                 archive.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]]
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        wayback = subprocess.Popen(
            [PYWB / "python", "-c", WAYBACK_ON_SOCKET, str(listener.fileno())], cwd=root,
            pass_fds=[listener.fileno()], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
    # Closed here: should wayback die, connections are refused rather than left waiting.
    try:
        for page in pages:
            timestamp = page["ts"].replace("-", "").replace(":", "").replace("T", "")[:14]
            replayed = f"http://127.0.0.1:{port}/linhai/{timestamp}id_/{page['url']}"
            with urllib.request.urlopen(replayed, timeout=60) as answer:
                body = answer.read()
            # id_ replays the archived bytes as they were sent (decoded): find the title
            title = page["title"].encode("utf-8")
            assert title in body or title in body.decode("gb18030", "replace").encode(), \
                page["url"]
    finally:
        wayback.terminate()
        wayback.wait(timeout=10)
