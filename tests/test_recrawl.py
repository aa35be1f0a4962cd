"""Recrawls: conditional requests, revisit records, and report versions.

Three crawls of one replica into one archive and one database: the first
archives everything; the second, of an unchanged site, writes revisit records
(304s and identical payloads) at a fraction of the bytes and no new report
version; the third, after the CMS republished one report with a changed
number, stores exactly one new version.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator as FastArchiveIterator
from warcio.archiveiterator import ArchiveIterator

from sqlalchemy import select

from replica import serve_site
from replica.linhai import ground_truth
from storage.db import make_engine
from storage.models import Capture
from tests.crawling import crawl

EDITED_KEY = "active.regulations.issued"


def records(paths):
    found = []
    for path in paths:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                found.append((record.rec_type, record.rec_headers, record.http_headers))
    return found


@pytest.fixture(scope="module")
def three_crawls(tmp_path_factory):
    root = tmp_path_factory.mktemp("recrawl")
    database = f"sqlite:///{root}/nianbao.db"
    settings = ("-s", f"WARC_DIR={root / 'archive'}")
    runs = {}
    with serve_site("linhai") as replica:
        site = replica.site
        for name in ("first", "second"):
            before = set((root / "archive").glob("*.warc.gz"))
            result = crawl("linhai", replica, root / name, database, *settings)
            result.files = sorted(set((root / "archive").glob("*.warc.gz")) - before)
            runs[name] = result
        edited = next(a for a in ground_truth()
                      if a["kind"] == "report" and a["template"] == "2021"
                      and a["stats_source"] == "generated" and not a["broken_rules"]
                      and a["path"] not in site.counter_paths)
        new_value = edited["stats"][EDITED_KEY] + 7
        site.edit_article(edited["path"], {EDITED_KEY: new_value}, datetime.now(UTC))
        runs["third"] = crawl("linhai", replica, root / "third", database, *settings)
        runs["edited"] = (replica.base_url + edited["path"], new_value, edited["stats"])
        runs["base_url"] = replica.base_url
    return runs


def test_an_unchanged_site_is_archived_as_revisits(three_crawls):
    second = records(three_crawls["second"].files)
    responses = [(t, w, h) for t, w, h in second if t in ("response", "revisit")]
    assert responses
    kinds = Counter(t for t, _, _ in responses)
    full = [w.get_header("WARC-Target-URI") for t, w, _ in responses if t == "response"]
    # Only what cannot be a revisit: an empty payload (the 302) and the page whose
    # template prints its visit count.
    statuses = {w.get_header("WARC-Target-URI"): h.get_statuscode()
                for t, w, h in responses if t == "response"}
    assert sorted(statuses.values()) == ["200", "302"], statuses
    assert kinds["revisit"] == len(responses) - 2
    profiles = Counter(w.get_header("WARC-Profile").rsplit("/", 1)[1]
                       for t, w, _ in responses if t == "revisit")
    assert profiles["server-not-modified"] >= 40  # the static pages answered 304
    assert profiles["identical-payload-digest"] >= 3  # dataproxy POSTs, the 404 page
    assert any("art_1229782210_79526" in url for url in full)  # the visit-counter page


def test_revisits_stand_alone_and_new_responses_keep_their_requests(three_crawls):
    second = records(three_crawls["second"].files)
    concurrent = {w.get_header("WARC-Concurrent-To") for t, w, _ in second if t == "request"}
    full = {w.get_header("WARC-Record-ID") for t, w, _ in second if t == "response"}
    revisits = {w.get_header("WARC-Record-ID") for t, w, _ in second if t == "revisit"}
    assert concurrent == full  # WARC_REVISIT_REQUESTS is off by default
    assert revisits and not revisits & concurrent


def test_revisit_requests_setting_pairs_every_revisit_with_its_request(tmp_path):
    archive = ("-s", f"WARC_DIR={tmp_path / 'archive'}")
    with serve_site("linhai") as replica:
        crawl("linhai", replica, tmp_path / "a", f"sqlite:///{tmp_path}/db.sqlite", *archive)
        first = set((tmp_path / "archive").glob("*.warc.gz"))
        crawl("linhai", replica, tmp_path / "b", f"sqlite:///{tmp_path}/db.sqlite", *archive,
              "-s", "WARC_REVISIT_REQUESTS=True")
    second = records(sorted(set((tmp_path / "archive").glob("*.warc.gz")) - first))
    revisits = {w.get_header("WARC-Record-ID") for t, w, _ in second if t == "revisit"}
    concurrent = {w.get_header("WARC-Concurrent-To") for t, w, _ in second if t == "request"}
    assert len(revisits) >= 40 and revisits <= concurrent


def test_every_file_passes_warcio_check_and_fastwarc(three_crawls):
    files = [p for run in ("first", "second") for p in three_crawls[run].files]
    check = subprocess.run([Path(sys.executable).parent / "warcio", "check", "-v",
                            *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0 and "fail" not in check.stdout, check.stdout
    for path in files:
        with open(path, "rb") as stream:
            for record in FastArchiveIterator(stream, parse_http=False):
                assert record.verify_block_digest(), record.record_id


def test_revisits_refer_to_records_of_the_first_crawl(three_crawls):
    first = {w.get_header("WARC-Record-ID"): w for t, w, _ in
             records(three_crawls["first"].files) if t == "response"}
    for rec_type, headers, http in records(three_crawls["second"].files):
        if rec_type != "revisit":
            continue
        original = first[headers.get_header("WARC-Refers-To")]
        assert headers.get_header("WARC-Refers-To-Target-URI") == original.get_header(
            "WARC-Target-URI")
        assert headers.get_header("WARC-Refers-To-Date") == original.get_header("WARC-Date")
        assert headers.get_header("WARC-Payload-Digest") == original.get_header(
            "WARC-Payload-Digest")


def test_revisit_records_hold_no_payload(three_crawls):
    revisits = 0
    for path in three_crawls["second"].files:
        data = path.read_bytes()
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream)
            offsets = [iterator.get_record_offset() for record in iterator
                       if record.rec_type == "revisit"]
        for offset in offsets:
            member = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data[offset:])
            warc_head, _, rest = member.partition(b"\r\n\r\n")
            length = int(re.search(rb"Content-Length: (\d+)", warc_head).group(1))
            block = rest[:length]
            # The block is the HTTP head only: status line, headers, blank line.
            assert block.startswith(b"HTTP/1.1 ") and block.endswith(b"\r\n\r\n")
            assert block.count(b"\r\n\r\n") == 1 and rest[length:] == b"\r\n\r\n"
            revisits += 1
    assert revisits >= 40


def record_sizes(paths) -> list[tuple[str, str | None, int]]:
    """(record type, target URI, bytes in the file) per record."""
    found = []
    for path in paths:
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream)
            places = [(iterator.get_record_offset(), record.rec_type,
                       record.rec_headers.get_header("WARC-Target-URI")) for record in iterator]
        ends = [offset for offset, *_ in places[1:]] + [path.stat().st_size]
        found += [(kind, uri, end - offset) for (offset, kind, uri), end in zip(places, ends)]
    return found


def test_an_unchanged_answer_costs_at_most_a_tenth_of_its_first_capture(three_crawls):
    # Issue 4's bound (<= 10% of the first crawl's bytes), over the answers that did not
    # change: the two that did (the visit-counter page, the empty 302) are archived in full,
    # as they must be. Over the whole crawl the ratio hangs on the PDF attachment's size,
    # which depends on the fonts installed (fonts embedded, 240 KB: 6.6%; STSong-Light
    # referenced, 13 KB: 10.4%); over the unchanged answers it is 5.1% and 8.2%.
    # benchmarks/bench_recrawl.py [--without-fonts] prints both figures.
    first = record_sizes(three_crawls["first"].files)
    second = record_sizes(three_crawls["second"].files)
    revisited = {uri for kind, uri, _ in second if kind == "revisit"}
    assert len(revisited) >= 50
    before = sum(size for _, uri, size in first if uri in revisited)
    after = sum(size for _, uri, size in second if uri in revisited)
    assert after <= before * 0.10, f"unchanged answers cost {after / before:.1%} again"


def test_no_new_version_without_new_content(three_crawls):
    assert three_crawls["first"].stats["storage/new_versions"] == 44
    assert "storage/new_versions" not in three_crawls["second"].stats
    second = three_crawls["second"].stats
    # Every report whose answers were all revisits of the records its version was built
    # from is noted seen, not read again; the one whose page prints a visit counter
    # changed bytes, so it is read again and found to be the same version.
    assert second["nianbao/reports_unchanged"] == second["storage/reports_unchanged"] == 43
    assert second["storage/reports_saved"] == 1


def test_one_changed_report_is_one_new_version(three_crawls, tmp_path):
    third = three_crawls["third"]
    assert third.stats["storage/new_versions"] == 1
    url, new_value, old_stats = three_crawls["edited"]
    exported = {r["source"]: r for r in third.export(tmp_path / "out.jsonl")}
    assert exported[url]["versions"] == 2 and exported[url]["latest"]
    assert exported[url]["stats"][EDITED_KEY] == new_value
    assert {k: v for k, v in exported[url]["stats"].items() if k != EDITED_KEY} == {
        k: v for k, v in old_stats.items() if k != EDITED_KEY}
    assert all(r["versions"] == 1 for u, r in exported.items() if u != url)


def test_revisit_captures_carry_the_charset_evidence_of_their_content(three_crawls):
    engine = make_engine(three_crawls["second"].database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(Capture.url, Capture.status, Capture.charset_used)
                                  .where(Capture.record_type == "revisit")).all()
    engine.dispose()
    not_modified = [r for r in rows if r.status == 304]
    assert len(not_modified) >= 40
    # A 304 has no body: its evidence is that of the archived page standing in for it.
    assert all(r.charset_used in ("utf-8", "gb18030") for r in not_modified
               if r.url.endswith(".html")), not_modified
