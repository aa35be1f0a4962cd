"""The item pipelines in process: built by ``from_crawler``, called directly.

``ReportExtractionPipeline`` on report pages of the Linhai replica (their
numbers are the replica's ground truth, independent of the parser), including
pages whose bytes travelled as WARC places and are read back from a WARC file
being written, a finished one, or a replayed archive; ``ReportStoragePipeline``
on SQLite and PostgreSQL from ``open_spider`` to ``spider_closed``.
Extraction runs in this process (``InProcessPool``): the worker pool is
``crawler.extraction_pool``'s, tested in ``tests/test_extraction_pool.py``.
"""

from __future__ import annotations

import gzip
from dataclasses import replace

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from sqlalchemy import select

import crawler.settings as project_settings
from crawler.extraction import Extraction, extract_report
from crawler.items import Capture, ReportPage
from crawler.warc.http_message import HttpMessage
from crawler.warc.writer import RotatingWarcWriter
from nianbao_core.pointer import WarcPointer
from pipelines.extract import ReportExtractionPipeline
from pipelines.store import ReportStoragePipeline
from replica.linhai import ground_truth, make_site
from replica.server import Request
from spiders.linhai import LinhaiSpider
from storage.db import make_engine
from storage.models import CrawlRun, Report, ReportVersion
from tests.databases import database_url

BASE = "http://127.0.0.1:1"
TRUTH = next(a for a in ground_truth() if a["kind"] == "report" and a["template"] == "2021"
             and a["stats_source"] == "generated" and not a["broken_rules"])


class InProcessPool:
    """What the pipeline asks of ``ExtractionPool``, done here and now."""

    async def extract(self, page: Capture, attachments: list[Capture]) -> Extraction:
        return extract_report(page, attachments)


def extraction_pipeline(crawler) -> ReportExtractionPipeline:
    return ReportExtractionPipeline(crawler, InProcessPool())


def run(coroutine):
    """The result of a coroutine that waits on nothing (``process_item`` here)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the coroutine waited for something")


@pytest.fixture(scope="module")
def page_bytes() -> bytes:
    site = make_site()
    answer = site.handle(Request("GET", TRUTH["path"], TRUTH["path"], {}, {}))
    assert answer.status == 200
    return answer.body


def crawler_for(**settings):
    """A crawler with the project's settings (crawler/settings.py) and ``settings``."""
    project = {name: getattr(project_settings, name) for name in dir(project_settings)
               if name.isupper()}
    crawler = get_crawler(LinhaiSpider, {**project, "PORTAL_BASE_URL": BASE, **settings})
    crawler.spider = LinhaiSpider.from_crawler(crawler)
    crawler.stats.open_spider()
    return crawler


def report(page: Capture, attachments=()) -> ReportPage:
    return ReportPage(portal="linhai", page=page, list_title=TRUTH["list_title"],
                      list_date=TRUTH["published_date"], attachments=list(attachments))


def page_capture(body: bytes | None, warc: WarcPointer | None = None) -> Capture:
    return Capture(BASE + TRUTH["path"], 200, "text/html; charset=UTF-8", body,
                   fetched_at="2026-01-01T00:00:00Z", warc=warc)


def archive_page(writer: RotatingWarcWriter, body: bytes) -> WarcPointer:
    """The page written as a gzip-coded response, as nginx sends it; its WARC place."""
    coded = gzip.compress(body)
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n"
            b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(coded))
    request = HttpMessage(b"GET " + TRUTH["path"].encode() + b" HTTP/1.1\r\n"
                          b"Host: 127.0.0.1:1\r\n\r\n", b"")
    return writer.write_exchange(BASE + TRUTH["path"], request, HttpMessage(head, coded))


def assert_true_numbers(item: ReportPage) -> None:
    assert item.record["template"] == "2021"
    assert {k: item.record["stats"].get(k) for k in TRUTH["stats"]} == TRUTH["stats"]


# -- extraction ---------------------------------------------------------------------
def test_extraction_fills_the_record_text_digest_and_counts(page_bytes, tmp_path):
    crawler = crawler_for(WARC_DIR=str(tmp_path))
    pipeline = extraction_pipeline(crawler)
    item = run(pipeline.process_item(report(page_capture(page_bytes))))
    assert_true_numbers(item)
    assert item.text and item.content_digest and item.text_extractor.startswith("trafilatura")
    assert item.document is None
    assert item.page.charsets.used == "utf-8" and item.page.text_digest
    stats = crawler.stats.get_stats()
    assert stats["parser/templates/2021"] == 1
    assert "nianbao/bodies_read_back" not in stats


def test_a_page_that_travelled_as_a_warc_place_is_read_back_while_the_file_is_open(
        page_bytes, tmp_path):
    writer = RotatingWarcWriter(tmp_path)
    pointer = archive_page(writer, page_bytes)
    assert (tmp_path / (pointer.file + ".open")).exists()  # still being written
    crawler = crawler_for(WARC_DIR=str(tmp_path))
    pipeline = extraction_pipeline(crawler)
    travelled = page_capture(page_bytes, pointer).pointer_only()
    assert travelled.body is None
    item = run(pipeline.process_item(report(travelled)))
    assert item.page.body == page_bytes  # content coding removed, as Scrapy gives it
    assert_true_numbers(item)
    writer.close()  # renamed to its final name: found there too
    again = run(pipeline.process_item(report(travelled)))
    assert again.page.body == page_bytes
    assert crawler.stats.get_value("nianbao/bodies_read_back") == 2


def test_in_a_replay_the_bytes_come_from_the_replayed_archive(page_bytes, tmp_path):
    writer = RotatingWarcWriter(tmp_path / "old")
    pointer = archive_page(writer, page_bytes)
    writer.close()
    crawler = crawler_for(WARC_REPLAY=str(tmp_path / "old"), WARC_DIR=str(tmp_path / "new"))
    pipeline = extraction_pipeline(crawler)
    item = run(pipeline.process_item(report(page_capture(None, pointer))))
    assert item.page.body == page_bytes


def test_bytes_that_cannot_be_read_back_drop_the_report_and_say_so(page_bytes, tmp_path,
                                                                   caplog):
    writer = RotatingWarcWriter(tmp_path)
    pointer = archive_page(writer, page_bytes)
    writer.close()
    crawler = crawler_for(WARC_DIR=str(tmp_path))
    pipeline = extraction_pipeline(crawler)
    for broken in (replace(pointer, offset=pointer.offset + 1),
                   replace(pointer, file="gone.warc.gz")):
        with pytest.raises(DropItem):
            run(pipeline.process_item(report(page_capture(None, broken))))
    assert crawler.stats.get_value("nianbao/bodies_read_back_failed") == 2
    assert caplog.text.count("Cannot read back " + BASE + TRUTH["path"]) == 2


# -- storage ------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_storage_from_open_to_close(engine, page_bytes, tmp_path):
    with database_url(engine, tmp_path) as url:
        crawler = crawler_for(DATABASE_URL=url, STORAGE_AUTO_MIGRATE=True)
        extract = extraction_pipeline(crawler)
        store = build_from_crawler(ReportStoragePipeline, crawler)
        store.open_spider()
        pointer = WarcPointer(file="a.warc.gz", offset=10, length=5, record_id="<urn:uuid:1>",
                              date="2026-01-01T00:00:00Z")
        item = run(extract.process_item(report(page_capture(page_bytes, pointer))))
        store.process_item(item)
        # The same content again (a recrawl, a re-parse): saved, no second version.
        store.process_item(run(extract.process_item(report(replace(item.page, text_digest=None)))))
        store.spider_closed("finished")  # what the spider_closed signal calls
        stats = crawler.stats.get_stats()
        assert stats["storage/reports_saved"] == 2 and stats["storage/new_versions"] == 1
        engine_ = make_engine(url)
        with engine_.connect() as connection:
            crawl_run = connection.execute(select(CrawlRun)).one()
            reports = connection.execute(select(Report.source_url)).scalars().all()
            versions = connection.execute(select(ReportVersion.id)).all()
        engine_.dispose()
        assert crawl_run.spider == "linhai" and crawl_run.finish_reason == "finished"
        assert crawl_run.stats["storage/reports_saved"] == 2
        assert reports == [BASE + TRUTH["path"]] and len(versions) == 1
