"""Bounds on what one report's extraction may cost: input size, PDF pages, DOCX expansion.

A bound hit gives a record flagged with the bound's issue code, and the
numbers of a report are never taken from a partly read input.
"""

from __future__ import annotations

import time

from crawler.extraction import ExtractionLimits, extract_report
from crawler.items import Capture
from crawler.parser import ParseLimits, parse_report
from tests.hostile_inputs import docx_bomb, slow_pdf

SEED = "../shared/seeds/000_8ea8eed0dcff065f.txt"


def codes(record: dict) -> list[str]:
    return [found["code"] for found in record["issues"]]


def capture(url: str, body: bytes, content_type: str) -> Capture:
    return Capture(url=url, status=200, content_type=content_type, body=body)


def test_a_pdf_over_the_page_bound_is_not_read_and_says_so() -> None:
    data = slow_pdf(pages=12)
    started = time.monotonic()
    record = parse_report(data, url="http://portal.test/a.pdf", limits=ParseLimits(pdf_max_pages=5))
    assert time.monotonic() - started < 5  # not one page of it was read
    assert codes(record) == ["pdf_too_many_pages"]
    assert record["issues"][0]["severity"] == "error"
    assert "12 pages" in record["issues"][0]["message"]
    assert record["stats"] == {} and record["template"] == "unknown"


def test_a_docx_expanding_past_the_bound_is_not_read_and_says_so() -> None:
    bomb = docx_bomb(3_000_000)
    assert len(bomb) < 20_000
    record = parse_report(bomb, url="http://portal.test/a.docx",
                          limits=ParseLimits(docx_max_xml_bytes=1_000_000))
    assert codes(record) == ["docx_too_large"]
    # Under the bound the same file is read as usual (no numbers in it).
    record = parse_report(bomb, url="http://portal.test/a.docx",
                          limits=ParseLimits(docx_max_xml_bytes=4_000_000))
    assert "docx_too_large" not in codes(record)


def test_a_page_over_the_input_bound_is_a_flagged_record() -> None:
    body = b"<html><body><p>" + "政府信息公开".encode() * 200_000 + b"</p></body></html>"
    page = capture("http://portal.test/big.html", body, "text/html; charset=utf-8")
    extraction = extract_report(page, [], limits=ExtractionLimits(max_page_bytes=1_000_000))
    assert codes(extraction.record) == ["input_too_large"]
    assert str(len(body)) in extraction.record["issues"][0]["message"]
    assert extraction.text is None and extraction.record["source"] == page.url
    assert "parser/issues/input_too_large" in extraction.events


def test_an_attachment_over_a_bound_is_flagged_on_its_page() -> None:
    page = capture("http://portal.test/report.html",
                   "<html><head><title>2023年政府信息公开工作年度报告</title></head><body>"
                   "<p>详见附件。</p><a href='r.pdf'>附件</a></body></html>".encode(),
                   "text/html; charset=utf-8")
    pdf = capture("http://portal.test/r.pdf", slow_pdf(pages=12), "application/pdf")
    extraction = extract_report(page, [pdf], limits=ExtractionLimits(
        parse=ParseLimits(pdf_max_pages=5)))
    flagged = [f for f in extraction.record["issues"] if f["code"] == "pdf_too_many_pages"]
    assert flagged and flagged[0]["where"] == "attachment" and pdf.url in flagged[0]["message"]
    assert extraction.document is None
    extraction = extract_report(page, [pdf], limits=ExtractionLimits(max_document_bytes=1000))
    assert "input_too_large" in codes(extraction.record)


def test_a_report_under_every_bound_is_read_as_before() -> None:
    with open(SEED, "rb") as fh:
        body = fh.read()
    page = capture("http://portal.test/seed.txt", body, "text/plain; charset=utf-8")
    bounded = extract_report(page, [], limits=ExtractionLimits())
    unbounded = extract_report(page, [], limits=ExtractionLimits(
        max_page_bytes=10**12, max_document_bytes=10**12,
        parse=ParseLimits(pdf_max_pages=10**6, docx_max_xml_bytes=10**12)))
    assert bounded.record == unbounded.record and bounded.record["stats"]
