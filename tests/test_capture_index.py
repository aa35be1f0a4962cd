"""storage/capture_index.py on SQLite and a real PostgreSQL.

A crawl's previous captures are its own origins', read from a database that
holds every portal's captures. Rows wait in batches; whatever reads captures
in the process sees them (read-your-writes), another process sees them once a
batch is full or the crawl is over, and the storage pipeline's row of the same
record merges with the index's whichever is written first.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crawler.items import Capture
from crawler.scope import origins_of
from nianbao_core.captures import CaptureEntry, CharsetEvidence, RequestKey
from nianbao_core.pointer import WarcPointer
from storage.capture_index import SqlCaptureIndex, url_prefixes
from storage.db import make_engine, upgrade
from storage.models import Capture as CaptureRow
from storage.repository import ReportStore
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


# -- batches ---------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


def numbered(n: int, etag: str | None = '"v1"') -> CaptureEntry:
    pointer = WarcPointer(file="a.warc.gz", offset=100 * n, length=90,
                          record_id=f"<urn:uuid:{n}>", date=f"2026-11-21T10:00:0{n}Z",
                          payload_digest=f"sha1:P{n}")
    return CaptureEntry(key=RequestKey.of("GET", f"http://h/{n}.html", b""), status=200,
                        content_type="text/html", pointer=pointer, etag=etag,
                        last_modified=None, refers_to=None,
                        charsets=CharsetEvidence(header="utf-8"))


def rows_seen_elsewhere(url: str) -> int:
    """Captures another process would see: through an engine of its own."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(CaptureRow))
    finally:
        engine.dispose()


def test_rows_are_written_a_batch_at_a_time_and_the_rest_at_close(url):
    engine = make_engine(url)
    index = SqlCaptureIndex(engine, batch_size=3, batch_seconds=3600)
    for n in (1, 2):
        index.add(numbered(n))
    assert rows_seen_elsewhere(url) == 0
    index.add(numbered(3))
    assert rows_seen_elsewhere(url) == 3
    index.add(numbered(4))
    index.close()
    assert rows_seen_elsewhere(url) == 4
    engine.dispose()


def test_rows_older_than_the_time_bound_go_with_the_next_one(url):
    engine = make_engine(url)
    index = SqlCaptureIndex(engine, batch_size=100, batch_seconds=0)
    index.add(numbered(1))
    assert rows_seen_elsewhere(url) == 1
    engine.dispose()


def test_the_revisit_lookup_sees_rows_still_waiting(url):
    engine = make_engine(url)
    index = SqlCaptureIndex(engine, batch_size=100, batch_seconds=3600)
    index.add(numbered(1))
    # Another index of the same engine in this process (another spider of crawlall).
    previous = SqlCaptureIndex(engine).previous_captures()
    assert previous[numbered(1).key].etag == '"v1"'
    assert previous[numbered(1).key].content_record_id == "<urn:uuid:1>"
    engine.dispose()


def test_storage_first_then_the_index_makes_one_row_with_both_sides_columns(url):
    engine = make_engine(url)
    index = SqlCaptureIndex(engine, batch_size=100, batch_seconds=3600)
    index.add(numbered(1))  # waiting while the report is stored
    page = Capture(url="http://h/1.html", status=200, content_type="text/html", body=b"",
                   fetched_at="2026-11-21T10:00:01Z", warc=numbered(1).pointer,
                   text_digest="sha1:TEXT")
    ReportStore(engine).save_report(portal="linhai", record={"template": "2021"}, page=page,
                                    content_digest="sha1:C")
    index.close()
    with engine.connect() as connection:
        [row] = connection.execute(select(CaptureRow)).all()
    assert (row.method, row.etag, row.record_type) == ("GET", '"v1"', "response")
    assert (row.text_digest, row.payload_digest) == ("sha1:TEXT", "sha1:P1")
    engine.dispose()
