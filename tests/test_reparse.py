"""``scrapy reparse``: the archive read back through the parser, with a diff."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from sqlalchemy import text

import crawler.extraction
from crawler.reparse import diff_records, reparse
from nianbao_core.digests import record_digest
from replica import serve_site
from replica.linhai import ground_truth
from storage.db import make_engine
from storage.repository import ReportStore
from tests.crawling import crawl, scrapy


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("reparse")
    with serve_site("linhai") as replica:
        result = crawl("linhai", replica, tmp_path, f"sqlite:///{tmp_path}/nianbao.db")
    result.base_url = replica.base_url
    return result


def export(result, tmp_path, name):
    return result.export(tmp_path / name)


def test_unchanged_parser_changes_nothing(crawled, tmp_path):
    before = export(crawled, tmp_path, "before.jsonl")
    done = scrapy("reparse", str(crawled.warc_dir), "--diff", str(tmp_path / "diff.jsonl"),
                  "--no-progress", database_url=crawled.database_url)
    assert done.returncode == 0, done.stderr
    assert f"re-parsed {len(before)} reports" in done.stdout
    assert "changed: 0" in done.stdout
    assert (tmp_path / "diff.jsonl").read_text() == ""
    assert export(crawled, tmp_path, "after.jsonl") == before


def test_a_changed_rule_names_exactly_the_reports_it_affects(crawled, tmp_path, monkeypatch):
    # The rule change: procurement amounts read in 元 instead of 万元 (×10000).
    real_parse = crawler.extraction.parse_report

    def parse_with_changed_rule(*args, **kwargs):
        record = real_parse(*args, **kwargs)
        amount = record.get("stats", {}).get("active.procurement.amount")
        if amount is not None:
            record["stats"]["active.procurement.amount"] = amount * 10000
        return record

    monkeypatch.setattr(crawler.extraction, "parse_report", parse_with_changed_rule)
    engine = make_engine(crawled.database_url)
    store = ReportStore(engine)
    with open(tmp_path / "diff.jsonl", "w", encoding="utf-8") as diff_out:
        summary = reparse(store, [str(crawled.warc_dir)], workers=2, diff_out=diff_out)
    diffs = [json.loads(line) for line in (tmp_path / "diff.jsonl").read_text().splitlines()]

    affected = {crawled.base_url + a["path"] for a in ground_truth()
                if a["kind"] in ("report", "pdf_report")
                and a["stats"] and a["stats"].get("active.procurement.amount") not in (None, 0)}
    assert affected, "the replica must hold reports with a procurement amount"
    assert {d["source"] for d in diffs} == affected
    assert summary.changed == len(affected) and set(summary.by_kind) == {"values"}
    for diff in diffs:
        assert list(diff["changes"]["values"]) == ["active.procurement.amount"]

    # Back to the real parser: the same reports change back, and only they.
    monkeypatch.setattr(crawler.extraction, "parse_report", real_parse)
    again = reparse(store, [str(crawled.warc_dir)], workers=2)
    assert again.changed == len(affected)
    assert reparse(store, [str(crawled.warc_dir)], workers=2).changed == 0
    engine.dispose()


def test_versions_without_a_record_digest_are_compared_in_full_and_get_one(crawled, tmp_path):
    # As a database from before migration 0003 holds them.
    engine = make_engine(crawled.database_url)
    with engine.begin() as db:
        db.execute(text("UPDATE report_versions SET record_digest = NULL"))
    before = export(crawled, tmp_path, "before.jsonl")
    store = ReportStore(engine)
    summary = reparse(store, [str(crawled.warc_dir)], workers=2)
    assert summary.reports == len(before) and summary.changed == 0
    with engine.connect() as db:
        digests = db.execute(text("SELECT record_digest FROM report_versions")).scalars().all()
        parsed_at = db.execute(text("SELECT id, parsed_at FROM report_versions")).all()
    assert digests and all(d and d.startswith("sha1:") for d in digests)
    assert export(crawled, tmp_path, "after.jsonl") == before
    # With digests in place, an unchanged re-parse writes nothing at all.
    assert reparse(store, [str(crawled.warc_dir)], workers=2).changed == 0
    with engine.connect() as db:
        assert db.execute(text("SELECT id, parsed_at FROM report_versions")).all() == parsed_at
    engine.dispose()


def test_record_digest_ignores_issue_order_and_sees_every_compared_part():
    record = {"template": "2021", "year": 2022, "title": "t", "agency": "a",
              "metadata": {"publisher": "p"}, "stats": {"x": 1, "y": None},
              "legacy_indicators": [], "sections": {"overview": "…"},
              "issues": [{"code": "a", "where": "x"}, {"code": "b", "where": None}]}
    same = {**record, "issues": record["issues"][::-1], "sections": {"overview": "other"}}
    assert record_digest(same) == record_digest(record)  # sections are not compared
    for key, value in [("stats", {"x": 2, "y": None}), ("stats", {"x": 1, "y": 0}),
                       ("year", 2021), ("metadata", {"publisher": "q"}),
                       ("issues", record["issues"][:1]), ("legacy_indicators", [{"v": 1}])]:
        assert record_digest({**record, key: value}) != record_digest(record), key


def test_reports_outside_the_given_paths_are_counted_not_lost(crawled, tmp_path):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    done = scrapy("reparse", str(empty), "--no-progress", database_url=crawled.database_url)
    # Nothing to read is an error (crawler/ingest.py), and still counted and said.
    assert done.returncode == 1, done.stderr
    assert "re-parsed 0 reports" in done.stdout
    assert "stored nothing: no WARC or WACZ files under" in done.stdout
    reports = sum(a["kind"] in ("report", "pdf_report") for a in ground_truth())
    assert f"not re-parsed (their WARC file is not under the given paths): {reports}" in done.stdout


def test_diff_kinds():
    old = {"template": "2019", "year": 2020, "stats": {"a": 1, "b": None}, "issues": [],
           "metadata": {"publisher": "x"}, "title": "t"}
    assert diff_records(old, json.loads(json.dumps(old))) == {}
    new = dict(old, year=2021, stats={"a": 2}, issues=[{"code": "c"}],
               metadata={"publisher": "y"})
    assert diff_records(old, new) == {
        "year": [2020, 2021],
        "values": {"a": [1, 2], "b": [None, None]},
        "issues": {"removed": [], "added": [{"code": "c"}]},
        "metadata": {"publisher": ["x", "y"]},
    }


def test_a_damaged_archive_is_reported_not_fatal(crawled, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(crawled.warc_dir, damaged)
    [path] = sorted(damaged.glob("*.warc.gz"))
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])  # the second half of the crawl is gone
    before = export(crawled, tmp_path, "before.jsonl")
    done = scrapy("reparse", str(damaged), "--no-progress", "--diff",
                  str(tmp_path / "diff.jsonl"), database_url=crawled.database_url)
    assert done.returncode == 0, done.stderr
    readable = int(re.search(r"re-parsed (\d+) reports", done.stdout).group(1))
    damaged_count = int(re.search(r"record is damaged; stored records kept\): (\d+)",
                                  done.stdout).group(1))
    assert readable > 0 and damaged_count > 0 and readable + damaged_count == len(before)
    errors = [json.loads(line) for line in (tmp_path / "diff.jsonl").read_text().splitlines()]
    assert len(errors) == damaged_count and all("error" in e for e in errors)
    assert export(crawled, tmp_path, "after.jsonl") == before  # nothing lost
