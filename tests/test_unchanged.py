"""pipelines/unchanged.py and storage/unchanged.py: a report seen again unchanged is noted
seen, not read again, only when its stored version was built from the very records its
revisits refer to, by today's parser and extractor (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from scrapy.utils.misc import build_from_crawler
from sqlalchemy import select

from crawler.extraction import TEXT_EXTRACTOR
from crawler.items import Capture, ReportPage, ReportSeen
from crawler.parser import PARSER_VERSION
from nianbao_core.pointer import WarcPointer
from pipelines.store import ReportStoragePipeline
from pipelines.unchanged import UnchangedReportFilter
from storage.db import make_engine, upgrade
from storage.models import Report
from storage.repository import ReportStore
from storage.unchanged import StoredReports
from tests.databases import database_url
from tests.test_pipelines import crawler_for
from tests.test_storage import RECORD

URL = RECORD["source"]
PDF = "http://h/module/download/downfile.jsp?filename=a.pdf"
LIST_TITLE = "临海市经济和信息化局2022年政府信息公开工作年度报告"


def capture(url: str, record_id: str, revisit_of: str | None = None) -> Capture:
    """A capture as the spider hands it on: a revisit points at the record with the payload."""
    return Capture(url=url, status=200, content_type="text/html", body=b"<html/>",
                   fetched_at="2026-11-21T10:00:00Z",
                   warc=WarcPointer(file="a.warc.gz", offset=0, length=10, record_id=record_id,
                                    date="2026-11-21T10:00:00Z", revisit_record_id=revisit_of))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        store = ReportStore(engine)
        page = capture(URL, "<urn:uuid:page>")
        attachment = capture(PDF, "<urn:uuid:pdf>")
        store.save_report(portal="linhai", record={**RECORD, "parser_version": PARSER_VERSION},
                          page=page, attachments=[attachment], content_digest="sha1:A",
                          list_title=LIST_TITLE,
                          main_text="总体情况", text_extractor=TEXT_EXTRACTOR,
                          run_id=store.start_run("linhai"))
        yield url, engine
        engine.dispose()


def seen_again(page_record="<urn:uuid:page>", pdf_record="<urn:uuid:pdf>",
               pdf_revisit="<urn:uuid:r2>") -> ReportPage:
    return ReportPage(portal="linhai", page=capture(URL, page_record, "<urn:uuid:r1>"),
                      list_title=LIST_TITLE, attachments=[capture(PDF, pdf_record, pdf_revisit)])


def filter_for(url):
    crawler = crawler_for(DATABASE_URL=url, STORAGE_AUTO_MIGRATE=False)
    pipeline = build_from_crawler(UnchangedReportFilter, crawler)
    pipeline.open_spider()
    return crawler, pipeline


def test_a_report_whose_captures_are_all_revisits_of_its_version_is_seen(database):
    url, engine = database
    crawler, pipeline = filter_for(url)
    store = build_from_crawler(ReportStoragePipeline, crawler)
    store.open_spider()
    with engine.connect() as connection:
        before = connection.execute(select(Report.last_seen_at)).scalar_one()
    item = pipeline.process_item(seen_again())
    assert isinstance(item, ReportSeen) and item.url == URL
    store.process_item(item)
    store.spider_closed("finished")  # noted seen when the crawl closes
    with engine.connect() as connection:
        assert connection.execute(select(Report.last_seen_at)).scalar_one() > before
    stats = crawler.stats.get_stats()
    assert stats["nianbao/reports_unchanged"] == stats["storage/reports_unchanged"] == 1
    assert "storage/reports_saved" not in stats


@pytest.mark.parametrize("item", [
    seen_again(pdf_revisit=None),  # the attachment changed: archived in full
    replace(seen_again(), page=capture(URL, "<urn:uuid:page>")),  # the page changed
    seen_again(page_record="<urn:uuid:other>"),  # a revisit of a record not the version's
    seen_again(pdf_record="<urn:uuid:other>"),
    replace(seen_again(), attachments=[]),  # the page no longer links the attachment
    replace(seen_again(), list_title="临海市经信局2022年年报"),  # the column retitled it
    ReportPage(portal="linhai", page=capture(URL + "?new", "<urn:uuid:page>", "<urn:uuid:r")),
], ids=["attachment-changed", "page-changed", "other-page-record", "other-attachment",
        "attachment-gone", "retitled", "not-stored"])
def test_anything_not_the_same_records_is_read_again(database, item):
    crawler, pipeline = filter_for(database[0])
    assert pipeline.process_item(item) is item
    assert "nianbao/reports_unchanged" not in crawler.stats.get_stats()


def test_a_version_made_by_another_parser_or_extractor_is_read_again(database):
    url, engine = database
    basis = StoredReports(engine).bases("linhai")[URL]
    records = ("<urn:uuid:page>", frozenset({"<urn:uuid:pdf>"}))
    assert basis.stands_for(*records, parser_version=PARSER_VERSION,
                            text_extractor=TEXT_EXTRACTOR, list_title=LIST_TITLE)
    assert not basis.stands_for(*records, parser_version=PARSER_VERSION + ".1",
                                text_extractor=TEXT_EXTRACTOR, list_title=LIST_TITLE)
    assert not basis.stands_for(*records, parser_version=PARSER_VERSION,
                                text_extractor=TEXT_EXTRACTOR + " slow", list_title=LIST_TITLE)


def test_withdrawn_and_unread_versions_are_read_again(database):
    url, engine = database
    store = ReportStore(engine)
    assert store.mark_withdrawn(URL, "404", None)
    assert StoredReports(engine).bases("linhai")[URL].withdrawn
    # Read again, it comes back: the ordinary path notes its return.
    _, pipeline = filter_for(url)
    item = seen_again()
    assert pipeline.process_item(item) is item
    failed = {**RECORD, "parser_version": PARSER_VERSION,
              "issues": [{"code": "extraction_timeout", "severity": "error", "where": None,
                          "message": "timed out"}]}
    store.save_report(portal="linhai", record=failed, page=capture(URL, "<urn:uuid:page>"),
                      attachments=[capture(PDF, "<urn:uuid:pdf>")], content_digest="sha1:B",
                      list_title=LIST_TITLE, text_extractor=TEXT_EXTRACTOR)
    basis = StoredReports(engine).bases("linhai")[URL]
    assert not basis.withdrawn and basis.failed_extraction
    _, pipeline = filter_for(url)
    assert pipeline.process_item(item) is item


def test_switched_off_it_is_not_built(database):
    from scrapy.exceptions import NotConfigured

    crawler = crawler_for(DATABASE_URL=database[0], SKIP_UNCHANGED_ENABLED=False)
    with pytest.raises(NotConfigured):
        build_from_crawler(UnchangedReportFilter, crawler)
