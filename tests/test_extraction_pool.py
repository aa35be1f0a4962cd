"""Extraction in worker processes: same records, bounded time, a dead worker flags one report."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from crawler.extraction import extract_report
from crawler.extraction_pool import ExtractionPool
from crawler.items import Capture
from tests.hostile_inputs import slow_pdf
from tests.processes import busy_descendant, descendants

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"
SEED = REAL.parent.parent / "seeds" / "000_8ea8eed0dcff065f.txt"


def page_linking_pdf() -> tuple[Capture, list[Capture]]:
    page = Capture(url="http://portal.test/art/report.html", status=200,
                   content_type="text/html",
                   body="<html><head><meta charset='gbk'><title>淮安市人民政府2024年政府信息公开"
                        "工作年度报告</title></head><body><p>详见附件。</p></body></html>"
                        .encode("gbk"))
    other = Capture(url="http://portal.test/art/photo.jpg", status=200,
                    content_type="image/jpeg", body=b"\xff\xd8\xff\xe0")
    pdf = Capture(url="http://portal.test/art/report.pdf", status=200,
                  content_type="application/pdf",
                  body=(REAL / "huaian-2024-municipal-govt.pdf").read_bytes())
    return page, [other, pdf]


def codes(record: dict) -> list[str]:
    return [found["code"] for found in record["issues"]]


@pytest.fixture
def pool():
    pool = ExtractionPool(workers=1, timeout=120)  # the machine is shared: generous
    yield pool
    pool.close()
    assert not [pid for pid in descendants() if _is_worker(pid)], "workers outlived the pool"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _is_worker(pid: int) -> bool:
    """A child of the forkserver (which is a child of this process)."""
    try:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError):
        return False
    return "forkserver" in _cmdline(parent) and parent != os.getpid()


def test_a_worker_gives_the_record_the_reactor_thread_would(pool) -> None:
    page, attachments = page_linking_pdf()
    pooled = pool.extract_blocking(page, attachments)
    local_page, local_attachments = page_linking_pdf()
    local = extract_report(local_page, local_attachments)
    assert pooled.record == local.record and pooled.record["stats"]
    assert pooled.content_digest == local.content_digest and pooled.text == local.text
    # The document is the caller's own attachment object (storage keys on it).
    assert pooled.document is attachments[1]
    # What extraction learnt of the page came back from the worker.
    assert (page.charsets.document, page.charsets.used) == ("gbk", local_page.charsets.used)
    assert page.text_digest == local_page.text_digest is not None


def test_a_report_past_the_time_bound_is_flagged_and_the_pool_goes_on(pool) -> None:
    pool.timeout = 2
    hostile = Capture(url="http://portal.test/slow.pdf", status=200,
                      content_type="application/pdf", body=slow_pdf(pages=12))
    started = time.monotonic()
    extraction = pool.extract_blocking(hostile, [])
    assert time.monotonic() - started < 30  # the PDF alone takes minutes
    assert codes(extraction.record) == ["extraction_timeout"]
    assert extraction.record["source"] == hostile.url
    assert "extraction/timeouts" in extraction.events
    # A fresh worker took the killed one's place.
    pool.timeout = 120
    page, attachments = page_linking_pdf()
    assert pool.extract_blocking(page, attachments).record["template"] == "2021"


def test_a_worker_killed_mid_task_flags_its_report(pool) -> None:
    pool.timeout = None  # nothing but the kill ends this task
    hostile = Capture(url="http://portal.test/slow.pdf", status=200,
                      content_type="application/pdf", body=slow_pdf(pages=12))
    future = pool.schedule(hostile, [])
    os.kill(busy_descendant(cpu=0.3), signal.SIGKILL)
    future.exception(timeout=30)
    extraction = pool.outcome(future, hostile, [])
    assert codes(extraction.record) == ["extraction_crashed"]
    assert "exit code -9" in extraction.record["issues"][0]["message"]
    assert "extraction/crashes" in extraction.events
    seed = Capture(url="http://portal.test/seed.txt", status=200,
                   content_type="text/plain; charset=utf-8", body=SEED.read_bytes())
    assert pool.extract_blocking(seed, []).record["stats"]
