"""``crawler.extraction.extract_report``: from fetched bytes to a report record.

Inputs are the Linhai replica's pages (numbers known from its ground truth)
and the real Huai'an 2024 PDF of ``../shared/corpus/real``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import crawler.extraction as extraction
from crawler.extraction import extract_report
from crawler.items import Capture
from replica.linhai import ground_truth, make_site
from replica.server import Request

BASE = "http://127.0.0.1:1"
HUAIAN_PDF = Path(__file__).resolve().parents[2] / "shared/corpus/real/huaian-2024-municipal-govt.pdf"
TABLES = next(a for a in ground_truth() if a["kind"] == "report" and a["template"] == "2021"
              and a["stats_source"] == "generated" and not a["broken_rules"])
PDF_ONLY = next(a for a in ground_truth() if a["kind"] == "pdf_report")


@pytest.fixture(scope="module")
def site():
    return make_site()


def page(site, truth: dict) -> Capture:
    answer = site.handle(Request("GET", truth["path"], truth["path"], {}, {}))
    return Capture(BASE + truth["path"], answer.status, answer.content_type, answer.body)


@pytest.fixture(scope="module")
def huaian() -> Capture:
    return Capture(BASE + "/attach/0/huaian.pdf", 200, "application/pdf",
                   HUAIAN_PDF.read_bytes())


def test_a_page_with_tables_is_its_own_record(site):
    result = extract_report(page(site, TABLES), [])
    assert result.document is None and result.text
    assert {k: result.record["stats"].get(k) for k in TABLES["stats"]} == TABLES["stats"]
    assert "parser/templates/2021" in result.events
    assert "parser/reports_from_attachments" not in result.events


def test_a_page_without_numbers_takes_its_attachments_record(site, huaian):
    html = page(site, PDF_ONLY)
    not_a_document = Capture(BASE + "/a.txt", 200, "text/plain", b"nothing")
    result = extract_report(html, [not_a_document, huaian])
    assert result.document is huaian
    assert result.record["template"] == "2021" and result.record["year"] == 2024
    assert result.record["source"] == html.url  # the page is the report's address
    assert "parser/reports_from_attachments" in result.events
    # The attachment's bytes are part of what the report's content is.
    assert extract_report(html, []).content_digest != result.content_digest


def test_a_listed_document_is_read_as_the_report(huaian):
    result = extract_report(huaian, [])
    assert result.text is None and result.record["template"] == "2021"
    assert result.document is None and result.content_digest


def test_the_same_main_text_in_other_bytes_is_the_same_content(site):
    first = page(site, TABLES)
    counter = Capture(first.url, 200, first.content_type,
                      first.body.replace(b"</body>", b"<script>var visits=1234;</script></body>"))
    assert counter.body != first.body
    assert extract_report(counter, []).content_digest == extract_report(first, []).content_digest


def test_known_text_is_reused_not_extracted_again(site, monkeypatch):
    monkeypatch.setattr(extraction, "main_text", lambda capture: pytest.fail("extracted"))
    result = extract_report(page(site, TABLES), [], known_text="一、总体情况")
    assert result.text == "一、总体情况"


def test_a_parser_that_raises_gives_a_flagged_record_not_a_crash(site, monkeypatch):
    def broken(*args, **kwargs):
        raise RecursionError("deep")

    monkeypatch.setattr(extraction, "parse_report", broken)
    result = extract_report(page(site, TABLES), [])
    assert [i["code"] for i in result.record["issues"]] == ["parser_crash"]
    assert result.record["template"] == "unknown" and "parser/crashes" in result.events


def test_the_warm_up_leaves_nothing_that_changes_an_extraction(site, huaian, caplog):
    before = extract_report(page(site, PDF_ONLY), [huaian])
    extraction.warm_up()
    after = extract_report(page(site, PDF_ONLY), [huaian])
    assert "warm-up failed" not in caplog.text
    assert (after.record, after.text, after.content_digest) == (
        before.record, before.text, before.content_digest)


def test_the_workers_forkserver_is_warmed_up_and_frozen_by_its_preload():
    probe = ("import gc, sys; import crawler.extraction_preload; "
             "from crawler.parser import normalize; "
             "print('pypdf' in sys.modules, normalize._converter is not None, "
             "gc.get_freeze_count() > 0)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], check=True)
    assert done.stdout.split() == ["True", "True", "True"], done.stderr
    assert "warm-up failed" not in done.stderr
