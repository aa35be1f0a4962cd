"""``.doc``, ``.wps``, ``.xls``, ``.et``, ``.xlsx`` versions of a real report give its record."""

from __future__ import annotations

import json
import time

import pytest

from crawler.parser import parse_file, parse_report
from crawler.parser.office import ConversionError, convert, office_kind
from tests.parser.office_inputs import EXPECTED, make_office_inputs

SAME_FIELDS = ("template", "year", "title", "agency", "metadata", "stats", "issues",
               "legacy_indicators")


@pytest.fixture(scope="module")
def office_files(tmp_path_factory):
    return make_office_inputs(tmp_path_factory.mktemp("office"))


@pytest.fixture(scope="module")
def golden():
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("suffix", ["doc", "wps", "xls", "et", "xlsx"])
def test_each_office_version_gives_the_reports_record(office_files, golden, suffix):
    record = parse_file(office_files[suffix])
    assert record["input_format"] == suffix
    for name in SAME_FIELDS:
        assert record[name] == golden[name], name
    assert record["sections"]["overview"] == golden["sections"]["overview"]


def test_the_family_comes_from_the_content_not_the_name(office_files):
    doc = office_files["doc"].read_bytes()
    xls = office_files["xls"].read_bytes()
    assert office_kind(doc, ".xls") == "doc"
    assert office_kind(xls, ".doc") == "xls"
    assert office_kind(doc, "") == "doc" and office_kind(xls, "") == "xls"
    assert office_kind(office_files["xlsx"].read_bytes(), "") == "xlsx"
    # an attachment served without a telling name (downfile.jsp) is still read
    record = parse_report(xls, url="http://h/module/download/downfile.jsp?filename=a")
    assert record["input_format"] == "xls" and record["stats"]


def test_a_conversion_over_its_time_is_killed(office_files):
    started = time.monotonic()
    with pytest.raises(ConversionError, match="took over"):
        convert(office_files["doc"].read_bytes(), "doc", "docx", timeout=0.2)
    assert time.monotonic() - started < 10


def test_hostile_office_files_give_flagged_records():
    too_big = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 31_000_000
    with pytest.raises(ConversionError, match="over"):
        convert(too_big, "doc", "docx")
    # an OLE header with garbage behind it: neither Word nor Excel; not a crash
    record = parse_report(too_big[:4096], filename="report.doc")
    assert [i["code"] for i in record["issues"]] == ["unsupported_format"]
    # a broken .xlsx (zip without a workbook): flagged, not a crash
    record = parse_report(b"PK\x03\x04" + b"\0" * 100, filename="t.xlsx")
    assert record["issues"] and record["issues"][0]["code"] in ("unsupported_format",
                                                                "unreadable")
