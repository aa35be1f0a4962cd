"""Storage on SQLite and on a real PostgreSQL: migrations, idempotent writes, versions, export."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, inspect, select, text

from crawler.items import Capture
from nianbao_core.captures import CharsetEvidence
from nianbao_core.pointer import WarcPointer
from storage.db import make_engine, upgrade
from storage.export import report_record
from storage.models import Capture as CaptureRow
from storage.models import CrawlRun, Report, ReportIssue, ReportStat, ReportVersion
from storage.repository import ReportStore
from tests.databases import database_url

RECORD = {
    "source": "http://h/art/2023/1/4/art_1229709042_67998.html",
    "template": "2021", "year": 2022,
    "title": "临海市经济和信息化局2022年政府信息公开工作年度报告",
    "agency": "临海市经济和信息化局",
    "metadata": {"index_no": None, "publisher": "市经信局(市中小企业局)",
                 "written_date": None, "published_date": "2023-01-04",
                 "doc_number": None, "subject": None, "validity": None},
    "stats": {"applications.new_received.natural_person": 2,
              "applications.new_received.commercial_enterprise": None,
              "active.fees.amount": 25.1},
    "cells": {"active.fees.amount": "251000元"},
    "legacy_indicators": [],
    "sections": {"overview": "总体情况"},
    "issues": [{"code": "column_count", "severity": "warning",
                "where": "applications.new_received", "message": "6 values for 7 columns"}],
    "parser_version": "test-1",
}


def page_capture(record_id="<urn:uuid:1>", offset=0):
    return Capture(url=RECORD["source"], status=200, content_type="text/html; charset=UTF-8",
                   body=b"<html/>", fetched_at="2026-11-21T10:00:00.000001Z",
                   warc=WarcPointer(file="a.warc.gz", offset=offset, length=10,
                                    record_id=record_id, date="2026-11-21T10:00:00Z"),
                   charsets=CharsetEvidence(header="utf-8"), text_digest="sha1:TEXT")


def save(store, record=RECORD, digest="sha1:A", **kwargs):
    kwargs.setdefault("page", page_capture())
    return store.save_report(portal="linhai", record=record, content_digest=digest, **kwargs)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        yield ReportStore(engine)
        engine.dispose()


def counts(store):
    with store.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Report, ReportVersion, ReportStat, ReportIssue, CaptureRow))


def test_migrations_create_every_model_table(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"portals", "crawl_runs", "captures", "reports", "report_versions", "report_stats",
            "report_issues", "alembic_version"} <= tables


def test_saving_twice_adds_no_rows(store):
    run = store.start_run("linhai")
    first = save(store, run_id=run)
    assert first.new_version and counts(store) == (1, 1, 3, 1, 1)
    again = save(store, run_id=run)
    assert (again.report_id, again.version_id) == (first.report_id, first.version_id)
    assert not again.new_version and counts(store) == (1, 1, 3, 1, 1)


def statements_of(store, work) -> list[str]:
    """The SQL ``work()`` runs through the store's engine."""
    seen = []

    def note(_connection, _cursor, statement, *_args):
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(store.engine, "before_cursor_execute", note)
    return seen


def test_the_same_rows_again_are_not_rewritten_and_other_cells_are(store):
    save(store)
    again = statements_of(store, lambda: save(store))
    assert "DELETE" not in again and len(again) <= 4, again
    # Same values, the cell printed otherwise: a record digest would not tell, the rows do.
    recast = dict(RECORD, cells={"active.fees.amount": "25.1万元"})
    assert "DELETE" in statements_of(store, lambda: save(store, record=recast))
    with store.sessions() as session:
        raw = session.scalar(select(ReportStat.raw).where(ReportStat.key == "active.fees.amount"))
    assert raw == "25.1万元" and counts(store) == (1, 1, 3, 1, 1)


def test_a_reparse_rewrites_the_rows_and_a_recrawl_of_the_same_record_keeps_them(store):
    first = save(store)
    fixed = dict(RECORD, stats={"applications.new_received.natural_person": 3,
                                "active.fees.amount": 25.1}, issues=[])
    store.update_versions([(first.version_id, fixed, "正文", "trafilatura", None, True)])
    [report] = store.reports()
    assert report_record(report)["stats"] == fixed["stats"]
    assert counts(store) == (1, 1, 2, 0, 1)
    # The recrawl's record is the re-parse's: its rows are already there.
    again = statements_of(store, lambda: save(store, record=fixed))
    assert "DELETE" not in again and not any(s == "INSERT" for s in again[2:]), again


def test_reparse_updates_the_version_in_place(store):
    first = save(store)
    fixed = dict(RECORD, stats={"applications.new_received.natural_person": 3}, issues=[],
                 parser_version="test-2")
    again = save(store, record=fixed)
    assert again.version_id == first.version_id and counts(store) == (1, 1, 1, 0, 1)
    [report] = store.reports()
    exported = report_record(report)
    assert exported["stats"] == {"applications.new_received.natural_person": 3}
    assert exported["parser_version"] == "test-2" and exported["versions"] == 1


def test_changed_content_is_a_new_version_and_both_are_kept(store):
    first = save(store)
    changed = dict(RECORD, stats={"applications.new_received.natural_person": 5})
    second = save(store, record=changed, digest="sha1:B", page=page_capture("<urn:uuid:2>", 99))
    assert second.new_version and second.report_id == first.report_id
    assert counts(store)[:2] == (1, 2)
    [report] = store.reports()
    latest = report_record(report)
    assert latest["latest"] and latest["versions"] == 2
    assert latest["stats"] == {"applications.new_received.natural_person": 5}
    assert latest["warc_offset"] == 99
    with store.sessions() as session:
        old = session.get(ReportVersion, first.version_id)
        assert {s.key: s.value for s in old.stats}[
            "applications.new_received.natural_person"] == 2


def test_export_gives_back_the_record(store):
    save(store, list_title="列表标题")
    [report] = store.reports()
    exported = report_record(report)
    for key in ("source", "template", "year", "title", "agency", "metadata",
                "legacy_indicators", "sections", "issues", "parser_version"):
        assert exported[key] == RECORD[key], key
    assert exported["stats"] == RECORD["stats"]  # the blank stays null, 25.1 stays 25.1
    assert isinstance(exported["stats"]["applications.new_received.natural_person"], int)
    assert (exported["warc_file"], exported["warc_offset"], exported["warc_record_id"]) == (
        "a.warc.gz", 0, "<urn:uuid:1>")
    assert exported["fetched_at"].startswith("2026-11-21T10:00:00.000001")
    with store.sessions() as session:
        raw = session.scalar(select(ReportStat.raw).where(ReportStat.key == "active.fees.amount"))
        blank = session.scalar(select(ReportStat.blank).where(
            ReportStat.key == "applications.new_received.commercial_enterprise"))
        charset = session.scalar(select(CaptureRow.charset_header))
    assert (raw, blank, charset) == ("251000元", True, "utf-8")


def test_filters(store):
    save(store)
    assert len(list(store.reports(year=2022, template="2021", portal="linhai"))) == 1
    assert list(store.reports(year=2021)) == []
    assert list(store.reports(template="pre2019")) == []
    assert list(store.reports(portal="other")) == []


def test_a_failure_in_the_middle_of_a_report_leaves_none_of_it(store):
    save(store)
    before = counts(store)
    # Fails after the report, its capture and its version were written, while
    # writing the stats: the transaction of that report must leave nothing.
    broken = {**RECORD, "source": "http://h/art/2023/1/5/art_1229709042_68000.html",
              "stats": [("applications.new_received.natural_person", 2)]}
    page = page_capture("<urn:uuid:2>", offset=99)
    page.url = broken["source"]
    with pytest.raises(AttributeError):
        save(store, broken, digest="sha1:B", page=page)
    assert counts(store) == before


def test_a_new_portals_first_report_failing_does_not_fail_the_next(store):
    # The failed report's transaction upserted the portal and rolled it back: its id
    # names no row, and the next report of the portal must not be given it.
    broken = {**RECORD, "stats": [("applications.new_received.natural_person", 2)]}
    with pytest.raises(AttributeError):
        save(store, broken)
    save(store)
    assert counts(store) == (1, 1, 3, 1, 1)


def test_two_writers_at_once_make_no_duplicates(store):
    errors = []

    def writer():
        try:
            for _ in range(5):
                save(store)
        except Exception as exc:  # reported below; a thread must not swallow it
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] or all("locked" in str(e) for e in errors)  # SQLite may refuse, not dup
    assert counts(store) == (1, 1, 3, 1, 1)


def test_crawl_run_keeps_final_stats(store):
    run = store.start_run("linhai")
    store.finish_run(run, "finished", {"warc/records": 10, "start_time": object()})
    with store.sessions() as session:
        row = session.get(CrawlRun, run)
        assert row.finish_reason == "finished" and row.stats["warc/records"] == 10


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_from_the_first_migration_keeps_the_data(kind, tmp_path):
    with database_url(kind, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine, "0001")
        with engine.begin() as connection:
            capture = connection.execute(text(
                "INSERT INTO captures (url, fetched_at, status, warc_record_id) VALUES "
                "('http://h/a.html', '2026-01-01T00:00:00+00:00', 200, '<urn:1>') "
                "RETURNING id")).scalar_one()
            connection.execute(text(  # an earlier report, so that ids differ from counts
                "INSERT INTO reports (portal, source_url, capture_id, template, "
                "first_stored_at, updated_at) VALUES ('linhai', 'http://h/gone.html', :c, "
                "'unknown', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"),
                {"c": capture})
            connection.execute(text("DELETE FROM reports"))
            report = connection.execute(text(
                "INSERT INTO reports (portal, source_url, capture_id, template, year, "
                "title, main_text, first_stored_at, updated_at) VALUES ('linhai', "
                "'http://h/a.html', :c, '2021', 2022, '标题', '正文', "
                "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00') RETURNING id"),
                {"c": capture}).scalar_one()
            connection.execute(text(
                "INSERT INTO report_stats (report_id, key, value, blank) "
                "VALUES (:r, 'applications.total.total', 4, false)"), {"r": report})
            connection.execute(text(
                "INSERT INTO report_issues (report_id, code) VALUES (:r, 'column_count')"),
                {"r": report})
        upgrade(engine)
        store = ReportStore(engine)
        [report] = store.reports()
        record = report_record(report)
        assert (record["portal"], record["template"], record["year"], record["title"]) == (
            "linhai", "2021", 2022, "标题")
        assert record["stats"] == {"applications.total.total": 4}
        assert [i["code"] for i in record["issues"]] == ["column_count"]
        assert record["versions"] == 1 and record["latest"]
        # New rows after the upgrade do not collide with the copied ids.
        save(store, record=dict(RECORD, source="http://h/b.html"), digest="sha1:B",
             page=Capture(url="http://h/b.html", status=200, content_type=None, body=b"",
                          fetched_at="2026-11-21T10:00:00Z", warc=WarcPointer(file="b.warc.gz", offset=0,
                                                                record_id="<u:2>")))
        assert len(list(store.reports())) == 2
        engine.dispose()


def test_a_sqlite_crawl_writes_ahead_and_syncs_the_disk_only_at_checkpoints(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/nianbao.db")
    with engine.connect() as connection:
        pragma = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("journal_mode", "synchronous", "wal_autocheckpoint")}
    engine.dispose()
    # synchronous 1 is NORMAL; a checkpoint every 10,000 pages, not SQLite's 1,000
    assert pragma == {"journal_mode": "wal", "synchronous": 1, "wal_autocheckpoint": 10_000}
