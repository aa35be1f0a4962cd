"""The parser never raises and never crashes, whatever it is given.

``parse_report`` turns any exception into a record, so "never raises" alone
cannot fail: a bug shows as a ``parser_crash`` issue (bad input the format
readers refuse is ``unreadable``, which is fine), and that is what is checked.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crawler.parser.record as record_module
from crawler.parser import parse_report
from tests.parser.accuracy import INPUTS

KEYS = {"source", "template", "year", "title", "agency", "metadata", "stats",
        "legacy_indicators", "sections", "issues"}
REAL = [p.read_bytes() for p in sorted(INPUTS.iterdir()) if p.suffix != ".pdf"]
FRAGMENTS = ["<table>", "</table>", "<tr>", "<td rowspan='99999'>", "<td colspan='-3'>",
             "<td colspan='x'>", "</td>", "<p>", "<br>", "第二十条第（一）项", "行政复议", "总计",
             "一、本年新收政府信息公开申请数量", "0000000", "１２", "—", "|", "\n", "<![CDATA[",
             "<meta charset='big5'>", "（六）其他处理", "3.其他", "统计指标", "条", "<div>" * 50]
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _check(record: dict) -> None:
    assert KEYS <= set(record)
    assert record["template"] in ("pre2019", "2019", "2021", "unknown")
    crashes = [i for i in record["issues"] if i["code"] == "parser_crash"]
    assert not crashes, crashes


def test_the_check_fails_on_a_crash(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(record_module, "build_record", broken)
    crashed = parse_report("<table><tr><td>1</td></tr></table>")
    assert [i["code"] for i in crashed["issues"]] == ["parser_crash"]
    with pytest.raises(AssertionError):
        _check(crashed)


def _damaged_docx() -> bytes:
    """A DOCX whose directory lists word/document.xml but whose data is garbage."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("word/document.xml",
                      "<w:document>" + "".join(map(str, range(2000))) + "</w:document>")
    data = bytearray(buffer.getvalue())
    start = data.index(b"word/document.xml") + len("word/document.xml")
    data[start:start + 16] = b"\xff" * 16  # the deflated stream, not the directory
    return bytes(data)


@pytest.mark.parametrize("data, content_type, filename", [
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "application/pdf", "a.pdf"),
    (_damaged_docx(), None, "a.docx"),
])
def test_input_a_reader_refuses_is_unreadable_not_a_crash(data, content_type, filename):
    record = parse_report(data, content_type=content_type, filename=filename)
    assert [i["code"] for i in record["issues"]] == ["unreadable"]


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from([None, "text/html", "application/pdf",
                                                  "text/plain; charset=gbk", "text/html; charset=x"]),
       st.sampled_from([None, "a.html", "a.txt", "a.pdf", "a.docx", "a.doc"]))
def test_random_bytes(data: bytes, content_type, filename) -> None:
    _check(parse_report(data, content_type=content_type, filename=filename))


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join))
def test_random_markup(text: str) -> None:
    _check(parse_report(text))
    _check(parse_report(text, filename="a.txt"))


@FUZZ
@given(st.sampled_from(REAL), st.integers(0, 40_000), st.integers(0, 40_000), st.binary(max_size=20))
def test_mangled_real_documents(doc: bytes, start: int, stop: int, junk: bytes) -> None:
    a, b = sorted((start % (len(doc) + 1), stop % (len(doc) + 1)))
    _check(parse_report(doc[:a] + junk + doc[b:]))
    _check(parse_report(doc[a:b], filename="a.txt"))


def test_deep_nesting_and_huge_spans() -> None:
    _check(parse_report("<div>" * 5000 + "一、总体情况" + "</div>" * 5000))
    _check(parse_report("<table><tr><td rowspan='1000000' colspan='1000000'>1</td></tr></table>"))
    _check(parse_report("<html><body><table>" + "<tr><td>1</td></tr>" * 3000 + "</table>"))
