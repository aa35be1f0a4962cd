"""``DATABASE_URL=postgresql…`` stores the same reports as the SQLite default.

The same replica is crawled twice, once into a SQLite file and once into a
fresh PostgreSQL database; ``scrapy export`` of each must agree row for row,
except for what legitimately differs between two crawls: when each page was
fetched and where it sits in that crawl's WARC files.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from replica import serve_site
from storage.card import agency_card
from storage.db import make_engine
from tests.crawling import crawl, scrapy
from tests.databases import database_url

ENGINES = ("sqlite", "postgresql")
# What two crawls of the same site legitimately disagree on.
PER_CRAWL = ("fetched_at", "warc_file", "warc_record_id", "warc_offset")
CARD_AGENCY = "临海市教育局"


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """Per engine: the JSONL records and the wide CSV tables (file name → text)."""
    found = {}
    with serve_site("linhai") as replica:
        for kind in ENGINES:
            tmp_path = tmp_path_factory.mktemp(kind)
            with database_url(kind, tmp_path) as url:
                result = crawl("linhai", replica, tmp_path, url)
                records = result.export(tmp_path / "out.jsonl")
                done = scrapy("export", "-o", str(tmp_path / "wide.csv"), "--wide",
                              database_url=url)
                assert done.returncode == 0, done.stderr
                wide = {path.name: path.read_text(encoding="utf-8-sig")
                        for path in sorted(tmp_path.glob("wide.*.csv"))}
                engine = make_engine(url)
                card = agency_card(engine, CARD_AGENCY, now=datetime(2024, 1, 1, tzinfo=UTC))
                engine.dispose()
                found[kind] = records, wide, card
    return found


def without_crawl_details(record: dict) -> dict:
    record = dict(record)
    assert record["fetched_at"].endswith("+00:00"), record["fetched_at"]  # one form on both
    for field in PER_CRAWL:
        assert record.pop(field) is not None, (field, record["source"])
    if "document" in record:
        record["document"] = {k: v for k, v in record["document"].items()
                              if k not in PER_CRAWL}
    return record


def test_the_engines_store_the_same_reports_row_for_row(exports):
    sqlite, postgresql = (exports[kind][0] for kind in ENGINES)
    assert len(sqlite) >= 40
    assert [r["source"] for r in postgresql] == [r["source"] for r in sqlite]
    for lite, pg in zip(sqlite, postgresql, strict=True):
        assert without_crawl_details(pg) == without_crawl_details(lite), lite["source"]


def test_the_exports_carry_numbers_blanks_and_chinese_alike(exports):
    sqlite, postgresql = (exports[kind][0] for kind in ENGINES)
    for records in (sqlite, postgresql):  # the comparison above compared something
        assert sum(v is None for r in records for v in r["stats"].values()) > 0
        assert any(isinstance(v, float) and not v.is_integer()
                   for r in records for v in r["stats"].values())
        assert any("临海市" in (r["agency"] or "") for r in records)
        assert any(r["issues"] for r in records)
        assert any(r.get("document") for r in records)


def test_the_wide_tables_are_identical(exports):
    sqlite, postgresql = (exports[kind][1] for kind in ENGINES)
    assert set(sqlite) == {"wide.pre2019.csv", "wide.2019.csv", "wide.2021.csv"}
    assert postgresql == sqlite


def test_report_cards_read_the_same_from_both(exports):
    """``scrapy card``'s queries (storage/card.py) on PostgreSQL and SQLite."""
    sqlite, postgresql = (exports[kind][2] for kind in ENGINES)
    assert len(sqlite.reports) >= 5 and sqlite.column_years

    def comparable(card):
        return [(r.year, r.template, r.title, r.published_date, r.source_url.split("/", 3)[3],
                 r.issues, r.figures, r.page.url.split("/", 3)[3]) for r in card.reports]
    assert comparable(postgresql) == comparable(sqlite)
    assert (postgresql.column_years, postgresql.missing_years, postgresql.portals) == (
        sqlite.column_years, sqlite.missing_years, sqlite.portals)
