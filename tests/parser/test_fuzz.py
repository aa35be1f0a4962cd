"""The parser never raises, whatever it is given."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
