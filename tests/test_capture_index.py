"""storage/capture_index.py: a crawl's previous captures are its own origins', read from a
database that holds every portal's captures (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from crawler.scope import origins_of
from nianbao_core.captures import CaptureEntry, CharsetEvidence, RequestKey
from nianbao_core.pointer import WarcPointer
from storage.capture_index import SqlCaptureIndex, url_prefixes
from storage.db import make_engine, upgrade
from tests.databases import database_url

URLS = ("http://127.0.1.1:8000/robots.txt", "http://127.0.1.1:8000/col/1.html",
        "http://127.0.1.10:8000/col/1.html",  # another portal whose host extends the first's
        "http://127.0.1.1:80001/col/1.html",  # and one whose port does
        "https://www.linhai.gov.cn/col/1.html", "https://www.linhai.gov.cn:443/robots.txt",
        "http://www.linhai.gov.cn/col/1.html")


def entry(number: int, url: str) -> CaptureEntry:
    pointer = WarcPointer(file="a.warc.gz", offset=number * 100, length=100,
                          record_id=f"<urn:uuid:{number}>", date="2026-12-01T00:00:00Z",
                          payload_digest=f"sha1:{number}")
    return CaptureEntry(RequestKey.of("GET", url, b""), 200, "text/html", pointer,
                        etag=f'"{number}"', last_modified=None, refers_to=None,
                        charsets=CharsetEvidence())


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        index = SqlCaptureIndex(engine)
        for number, url_ in enumerate(URLS):
            index.add(entry(number, url_))
        yield engine
        engine.dispose()


def previous_urls(engine, base_urls) -> set[str]:
    index = SqlCaptureIndex(engine, url_prefixes(origins_of(base_urls)))
    return {key.url for key in index.previous_captures()}


def test_a_crawl_gets_its_own_origins_captures_only(engine):
    assert previous_urls(engine, ["http://127.0.1.1:8000"]) == set(URLS[:2])
    assert previous_urls(engine, ["http://127.0.1.10:8000"]) == {URLS[2]}
    # A default port, spelt or not; another scheme of the same host is another origin.
    assert previous_urls(engine, ["https://www.linhai.gov.cn"]) == set(URLS[4:6])
    assert previous_urls(engine, ["https://www.linhai.gov.cn", "http://www.linhai.gov.cn"]
                         ) == set(URLS[4:])


def test_without_origins_every_capture_is_previous(engine):
    assert {key.url for key in SqlCaptureIndex(engine).previous_captures()} == set(URLS)
