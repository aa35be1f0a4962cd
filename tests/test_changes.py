"""storage/changes.py: what each crawl run noted, read back (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.changes import ChangeQueries, stat_changes
from storage.db import make_engine, upgrade
from storage.models import Report, ReportChange, ReportVersion
from storage.repository import ReportStore
from tests.databases import database_url
from tests.test_storage import RECORD, page_capture


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        yield ReportStore(engine)
        engine.dispose()


def save(store, run_id, digest, record=RECORD, text="总体情况", offset=0):
    return store.save_report(portal="linhai", record=record, content_digest=digest,
                             page=page_capture(f"<urn:uuid:{digest}>", offset), main_text=text,
                             run_id=run_id)


def test_new_then_edited_then_unchanged(store):
    queries = ChangeQueries(store.engine)
    first = store.start_run("linhai")
    save(store, first, "sha1:A")
    assert [c.url for c in queries.changes([first]).new] == [RECORD["source"]]

    second = store.start_run("linhai")
    edited = {**RECORD, "stats": {**RECORD["stats"], "active.fees.amount": 30,
                                  "applications.new_received.commercial_enterprise": 1}}
    save(store, second, "sha1:B", edited, text="总体情况，有修改", offset=100)
    changes = queries.changes([second])
    assert not changes.new and not changes.withdrawn
    (edit,) = changes.edited
    assert edit.changed == {"active.fees.amount": [25.1, 30],
                            "applications.new_received.commercial_enterprise": [None, 1]}
    assert edit.before.warc_record_id == "<urn:uuid:sha1:A>" and edit.before.warc_offset == 0
    assert edit.after.warc_record_id == "<urn:uuid:sha1:B>" and edit.after.warc_offset == 100
    assert "+总体情况，有修改" in edit.text_diff

    third = store.start_run("linhai")
    save(store, third, "sha1:B", edited)  # the same content again: nothing to say
    assert queries.changes([third]) == type(changes)()


def test_an_edit_of_the_text_alone_has_no_changed_numbers(store):
    first, second = store.start_run("linhai"), store.start_run("linhai")
    save(store, first, "sha1:A")
    save(store, second, "sha1:C", text="总体情况（更正了一个错字）")
    (edit,) = ChangeQueries(store.engine).changes([second]).edited
    assert edit.changed == {} and "更正" in edit.text_diff
    assert ChangeQueries(store.engine).changes([second]).as_json()["edited"][0]["changed"] == {}


def test_withdrawn_reports_are_marked_never_deleted_and_may_come_back(store):
    queries = ChangeQueries(store.engine)
    first, second, third = (store.start_run("linhai") for _ in range(3))
    save(store, first, "sha1:A")
    assert store.mark_withdrawn(RECORD["source"], "410", second)
    assert not store.mark_withdrawn(RECORD["source"], "404", second)  # already marked
    assert not store.mark_withdrawn("http://h/unknown.html", "404", second)
    with pytest.raises(ValueError):
        store.mark_withdrawn(RECORD["source"], "gone", second)
    (gone,) = queries.changes([second]).withdrawn
    assert gone.how == "410" and gone.title == RECORD["title"]
    assert gone.last_seen.endswith("+00:00")
    assert queries.listed_reports("linhai") == []
    with store.sessions() as session:
        report = session.scalar(select(Report))
        assert report.withdrawn_how == "410" and report.latest_version_id is not None
        assert session.scalar(select(ReportVersion.id)) is not None
    save(store, third, "sha1:A")  # listed again
    kinds = [c.kind for c in _changes(store, third)]
    assert kinds == ["returned"]
    assert queries.listed_reports("linhai") == [RECORD["source"]]


def _changes(store, run_id):
    with store.sessions() as session:
        return list(session.scalars(select(ReportChange)
                                    .where(ReportChange.crawl_run_id == run_id)))


def test_last_good_run_skips_failed_runs(store):
    good = store.start_run("linhai")
    store.finish_run(good, "finished", {"nianbao/list_entries": 47})
    bad = store.start_run("linhai")
    store.finish_run(bad, "shutdown", {"nianbao/list_entries": 3})
    current = store.start_run("linhai")
    run = ChangeQueries(store.engine).last_good_run("linhai", current)
    assert run.id == good and run.stats["nianbao/list_entries"] == 47
    assert ChangeQueries(store.engine).last_good_run("other") is None


def test_stat_changes_tell_blank_from_zero():
    assert stat_changes({"a": 0, "b": 1}, {"a": None, "b": 1}) == {"a": [0, None]}
