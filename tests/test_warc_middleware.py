"""The WARC capture middleware in process: Scrapy's ``get_crawler``, a fake clock, a real
SQLite capture index and real WARC files read back with warcio. No network, no crawl."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

import crawler.settings as project_settings
from crawler.warc.middleware import WarcCaptureMiddleware
from nianbao_core import meta
from nianbao_core.pointer import WarcPointer
from storage.db import shared_engine

PAGE = "http://127.0.0.1:9/art/1.html"
BODY = "<html><head><meta charset='gbk'></head><body>临海市2022年年报</body></html>".encode("gbk")
HEADERS = {"Content-Type": "text/html", "ETag": '"v1"',
           "Last-Modified": "Wed, 04 Jan 2023 00:00:00 GMT"}


class Clock:
    """The WARC writer's clock: each crawl a day after the one before."""

    def __init__(self):
        self.now = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1, microseconds=250)
        return self.now


@pytest.fixture
def crawl(tmp_path):
    """Opens a crawl's middleware on one archive and database; closes it after the test."""
    clock = Clock()
    opened = []
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"

    def open_crawl(**overrides) -> WarcCaptureMiddleware:
        settings = {name: getattr(project_settings, name) for name in dir(project_settings)
                    if name.isupper()}
        settings.update(WARC_DIR=str(tmp_path / "archive"), DATABASE_URL=url, **overrides)
        if opened:
            clock.now += timedelta(days=1)
        crawler = get_crawler(Spider, settings)
        crawler.spider = crawler._create_spider("t")
        middleware = WarcCaptureMiddleware.from_crawler(crawler)
        middleware.archive.writer.clock = clock
        middleware.spider_opened()
        opened.append(middleware)
        return middleware

    yield open_crawl
    for middleware in opened:
        middleware.spider_closed()
    shared_engine(url, migrate=False).dispose()


def fetch(middleware: WarcCaptureMiddleware, status: int, body: bytes,
          headers=HEADERS, url=PAGE) -> tuple[Request, Response]:
    request = Request(url)
    assert middleware.process_request(request) is None
    response = HtmlResponse(url, status=status, headers=headers, body=body, request=request)
    return request, middleware.process_response(request, response)


def warc_records(tmp_path) -> list:
    records = []
    for path in sorted((tmp_path / "archive").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            records += [(r.rec_type, dict(r.rec_headers.headers))
                        for r in ArchiveIterator(stream) if r.rec_type != "warcinfo"]
    return records


def test_a_304_is_archived_as_a_revisit_and_the_archived_page_stands_in(crawl, tmp_path):
    first = crawl()
    request, _ = fetch(first, 200, BODY)
    original: WarcPointer = request.meta[meta.WARC_POINTER]
    assert (original.record_type, original.date) == ("response", "2026-11-01T08:00:03.000750Z")
    first.spider_closed()

    second = crawl()
    request, response = fetch(second, 304, b"", headers={"ETag": '"v1"'})
    # The validators of the first capture were sent.
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == b"Wed, 04 Jan 2023 00:00:00 GMT"
    # The spider gets the archived page, not the empty 304.
    assert (response.status, response.body, response.flags) == (200, BODY, ["revisit"])
    assert response.request is request
    # Items point at the record holding the payload, and know the revisit that led there.
    pointer = request.meta[meta.WARC_POINTER]
    assert (pointer.file, pointer.offset, pointer.record_id, pointer.payload_digest) == (
        original.file, original.offset, original.record_id, original.payload_digest)
    assert pointer.revisit_record_id is not None
    # Charset evidence of the archived page, taken once, for the item.
    assert request.meta[meta.CHARSET_EVIDENCE].document == "gbk"
    second.spider_closed()

    [(_, response_record), (_, request_record), (kind, revisit)] = warc_records(tmp_path)
    assert kind == "revisit"
    assert revisit["WARC-Profile"].endswith("/server-not-modified")
    assert revisit["WARC-Refers-To"] == response_record["WARC-Record-ID"] == original.record_id
    assert revisit["WARC-Refers-To-Date"] == original.date
    assert revisit["WARC-Date"].startswith("2026-11-02T08:00:")  # the second crawl's clock
    assert revisit["WARC-Record-ID"] == pointer.revisit_record_id
    assert request_record["WARC-Concurrent-To"] == original.record_id


def test_an_unchanged_200_is_an_identical_payload_revisit_and_a_changed_one_is_new(crawl,
                                                                                   tmp_path):
    first = crawl()
    fetch(first, 200, BODY, headers={"Content-Type": "text/html"})
    first.spider_closed()
    second = crawl()
    same, response = fetch(second, 200, BODY, headers={"Content-Type": "text/html"})
    assert response.body == BODY and "revisit" not in response.flags  # the answer itself
    changed, _ = fetch(second, 200, BODY + b"<!-- 2 -->", headers={"Content-Type": "text/html"},
                       url=PAGE + "?v=2")
    second.spider_closed()
    kinds = [(kind, headers.get("WARC-Profile", "").rsplit("/", 1)[-1])
             for kind, headers in warc_records(tmp_path)]
    assert kinds == [("response", ""), ("request", ""),
                     ("revisit", "identical-payload-digest"), ("response", ""), ("request", "")]
    assert same.meta[meta.WARC_POINTER].revisit_record_id is not None
    assert changed.meta[meta.WARC_POINTER].record_type == "response"


def test_dont_revisit_and_revisits_off_archive_in_full(crawl, tmp_path):
    first = crawl()
    fetch(first, 200, BODY)
    first.spider_closed()
    second = crawl()
    request = Request(PAGE, meta={meta.DONT_REVISIT: True})
    second.process_request(request)
    assert b"If-None-Match" not in request.headers
    second.process_response(request, HtmlResponse(PAGE, status=200, headers=HEADERS, body=BODY,
                                                  request=request))
    second.spider_closed()
    third = crawl(WARC_REVISITS=False)
    request, _ = fetch(third, 200, BODY)
    assert b"If-None-Match" not in request.headers
    third.spider_closed()
    assert [kind for kind, _ in warc_records(tmp_path)] == ["response", "request"] * 3
