"""A crawl of a failing portal: 5xx pages, a server that hangs, a dropped connection, garbage.

The Linhai replica with faults injected on five report pages
(``replica/faults.py``). What must hold: the crawl finishes (exit 0); every
other report is stored as usual; a page that recovers on retry is stored
with its true numbers; a page that never recovers is counted and logged, not
silently lost; every response the server did send is in the WARC, the cut-off
one marked ``WARC-Truncated``; garbage served as a page becomes a flagged
record, not a crash and not a report with numbers.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from replica.faults import FaultySite, Garbage, Hang, Truncated, Unavailable
from replica.linhai import ground_truth, make_site
from replica.server import ReplicaServer
from tests.crawling import crawl

GENERATED = [a for a in ground_truth() if a["kind"] == "report"
             and a["stats_source"] == "generated" and not a["broken_rules"]]
RECOVERS_503, ALWAYS_500, HANGS, CUT_ONCE, GARBAGE = (a["path"] for a in GENERATED[:5])
REPORTS = sum(1 for a in ground_truth() if a["kind"] in ("report", "pdf_report"))
DEAD_LINKS = sum(1 for a in ground_truth() if a["kind"] == "dead")  # the replica's own 404s


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("faults")
    site = FaultySite(make_site(), {
        RECOVERS_503: Unavailable(times=1, status=503),
        ALWAYS_500: Unavailable(status=500),
        HANGS: Hang(seconds=5),
        CUT_ONCE: Truncated(times=1),
        GARBAGE: Garbage(),
    })
    with ReplicaServer(site).start() as replica:
        result = crawl("linhai", replica, tmp_path, f"sqlite:///{tmp_path}/nianbao.db",
                       "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2")
        result.base_url = replica.base_url
        result.faults = site.faults
        result.exported = result.export(tmp_path / "out.jsonl")
        result.log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    return result


def archived(result) -> list[tuple[str, str, str | None, dict]]:
    found = []
    for path in sorted(result.warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    found.append((record.rec_headers.get_header("WARC-Target-URI"),
                                  record.http_headers.get_statuscode(),
                                  record.rec_headers.get_header("WARC-Truncated"),
                                  (record.http_headers, record.raw_stream.read())))
    return found


def test_the_crawl_finishes_and_keeps_every_other_report(faulty_crawl):
    assert faulty_crawl.process.returncode == 0
    stored = {r["source"][len(faulty_crawl.base_url):] for r in faulty_crawl.exported}
    assert len(stored) == REPORTS - 2
    assert ALWAYS_500 not in stored and HANGS not in stored


def test_pages_that_recover_on_retry_are_stored_with_their_true_numbers(faulty_crawl):
    truth = {a["path"]: a for a in GENERATED}
    records = {r["source"][len(faulty_crawl.base_url):]: r for r in faulty_crawl.exported}
    for path in (RECOVERS_503, CUT_ONCE):
        assert faulty_crawl.faults[path].answered == 1
        record = records[path]
        assert {k: record["stats"][k] for k in truth[path]["stats"]} == truth[path]["stats"]
        assert not [i for i in record["issues"] if i["severity"] == "error"], record["issues"]


def test_pages_that_never_recover_are_counted_and_logged(faulty_crawl):
    stats = faulty_crawl.stats
    assert stats["nianbao/listed_pages_failed"] == 2 + DEAD_LINKS
    assert faulty_crawl.faults[ALWAYS_500].answered == 3  # RETRY_TIMES = 2
    assert faulty_crawl.faults[HANGS].answered == 3
    assert stats["nianbao/truncated_responses"] == 1
    for path in (ALWAYS_500, HANGS):
        assert f"Listed page not fetched: {faulty_crawl.base_url}{path}" in faulty_crawl.log


def test_every_response_sent_is_archived_the_cut_one_marked_truncated(faulty_crawl):
    records = archived(faulty_crawl)
    by_path = Counter((url[len(faulty_crawl.base_url):], status) for url, status, _, _ in records)
    assert by_path[(RECOVERS_503, "503")] == 1 and by_path[(RECOVERS_503, "200")] == 1
    assert by_path[(ALWAYS_500, "500")] == 3
    cut = [(t, r) for url, status, t, r in records if url.endswith(CUT_ONCE)]
    assert sorted(t or "" for t, _ in cut) == ["", "disconnect"]
    head, body = next(r for t, r in cut if t)
    assert 0 < len(body) < int(head.get_header("Content-Length"))
    # No response at all for the hanging page: nothing to archive, nothing made up.
    assert not [url for url, *_ in records if url.endswith(HANGS)]
    check = subprocess.run([Path(sys.executable).parent / "warcio", "check",
                            *map(str, sorted(faulty_crawl.warc_dir.glob("*.warc.gz")))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_garbage_served_as_a_page_is_a_flagged_record_without_numbers(faulty_crawl):
    record = next(r for r in faulty_crawl.exported if r["source"].endswith(GARBAGE))
    assert record["template"] == "unknown"
    assert not any(v is not None for v in record["stats"].values())
    assert any(i["severity"] == "error" for i in record["issues"]), record["issues"]
