from __future__ import annotations

from crawler.parser import parse_report
from tests.parser.accuracy import INPUTS


def test_truncated_pdf_gives_a_record_not_an_exception() -> None:
    data = (INPUTS / "huaian-2024-municipal-govt.pdf").read_bytes()
    for cut in (10, 1000, len(data) // 2):
        record = parse_report(data[:cut], filename="x.pdf")
        assert record["template"] == "unknown"
        assert record["issues"], cut


def test_pdf_by_magic_bytes_without_name() -> None:
    data = (INPUTS / "huaian-2024-municipal-govt.pdf").read_bytes()
    record = parse_report(data)
    assert record["input_format"] == "pdf" and record["template"] == "2021"
    assert record["stats"]["review_litigation.review.total"] == 351


def test_not_a_pdf_claiming_to_be_one() -> None:
    record = parse_report(b"<html>error page</html>", content_type="application/pdf")
    assert record["input_format"] == "html"
    record = parse_report(b"\x00\x01garbage", filename="report.pdf")
    assert [i["code"] for i in record["issues"]] == ["unsupported_format"]
