"""End to end: ``scrapy crawl linhai`` against the Linhai replica.

One crawl per database engine (SQLite, then a real PostgreSQL), then
assertions on the WARC files read back by two independent readers (warcio,
fastwarc) and ``warcio check``, on the stored rows against the replica's
ground truth, on the crawl's stats and on the export.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator as FastArchiveIterator
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from replica import serve_site
from replica.linhai import SITE, ground_truth
from storage.db import make_engine
from storage.models import Capture, Report, ReportIssue, ReportStat, ReportVersion
from tests.crawling import crawl, scrapy
from tests.databases import database_url

GROUND_TRUTH = {article["path"]: article for article in ground_truth()}
REPORT_KINDS = {"report", "pdf_report"}
# A page whose template prints its visit count (new bytes on every visit)
VISITS = re.compile(rb'<span id="hits">\d*</span>')


@pytest.fixture(scope="module")
def replica():
    with serve_site("linhai") as server:
        yield server


def crawl_into(kind, replica, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp(f"crawl-{kind}")
    with database_url(kind, tmp_path) as url:
        yield crawl("linhai", replica, tmp_path, url)


@pytest.fixture(scope="module")
def sqlite_crawl(replica, tmp_path_factory):
    yield from crawl_into("sqlite", replica, tmp_path_factory)


@pytest.fixture(scope="module")
def postgresql_crawl(replica, tmp_path_factory):
    yield from crawl_into("postgresql", replica, tmp_path_factory)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def linhai_crawl(request):
    return request.getfixturevalue(f"{request.param}_crawl")


@pytest.fixture(scope="module")
def exported(linhai_crawl, tmp_path_factory):
    return linhai_crawl.export(tmp_path_factory.mktemp("export") / "out.jsonl")


def warc_files(result) -> list[Path]:
    return sorted(result.warc_dir.glob("*.warc.gz"))


def warc_records(result) -> list:
    records = []
    for path in warc_files(result):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                records.append((record.rec_type, dict(record.rec_headers.headers),
                                record.http_headers))
    return records


def path_of(url: str, base: str) -> str:
    return url[len(base):]


# -- the archive ---------------------------------------------------------------------
def test_warc_files_are_complete_and_pass_warcio_check(linhai_crawl):
    assert warc_files(linhai_crawl)
    assert list(linhai_crawl.warc_dir.glob("*.open")) == []
    check = subprocess.run([Path(sys.executable).parent / "warcio", "check", "-v",
                            *map(str, warc_files(linhai_crawl))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout


def test_every_response_has_its_request(linhai_crawl):
    records = warc_records(linhai_crawl)
    responses = {h["WARC-Record-ID"]: h for t, h, _ in records if t == "response"}
    requests = [h for t, h, _ in records if t == "request"]
    assert sorted(h["WARC-Concurrent-To"] for h in requests) == sorted(responses)
    for request in requests:
        assert request["WARC-Target-URI"] == responses[request["WARC-Concurrent-To"]][
            "WARC-Target-URI"]
    assert [t for t, _, _ in records].count("warcinfo") == len(warc_files(linhai_crawl))


def test_archived_responses_are_exactly_what_the_replica_served(linhai_crawl, replica):
    served = Counter((replica.base_url + s["path"], s["status"]) for s in linhai_crawl.served)
    archived = Counter(
        (h["WARC-Target-URI"], http.get_statuscode() and int(http.get_statuscode()))
        for t, h, http in warc_records(linhai_crawl) if t == "response")
    assert archived == served
    # robots.txt, the lists, the redirect, the 404, the non-reports are all there
    statuses = Counter(status for _, status in archived.elements())
    assert statuses[302] == 1 and statuses[404] == 1
    urls = {url for url, _ in archived}
    assert replica.base_url + "/robots.txt" in urls
    assert sum("dataproxy.jsp" in url for url in urls) >= 2


def test_an_independent_reader_agrees(linhai_crawl):
    counts = Counter()
    for path in warc_files(linhai_crawl):
        # fastwarc checks block digests on unparsed records, payload digests on parsed ones
        with open(path, "rb") as stream:
            for record in FastArchiveIterator(stream, parse_http=False):
                assert record.verify_block_digest(), record.record_id
                counts[record.headers["WARC-Type"]] += 1
        with open(path, "rb") as stream:
            for record in FastArchiveIterator(stream, parse_http=True):
                if "WARC-Payload-Digest" in record.headers:
                    assert record.verify_payload_digest(), record.record_id
    expected = Counter(t for t, _, _ in warc_records(linhai_crawl))
    assert counts == expected


def test_response_bodies_are_kept_content_encoded(linhai_crawl):
    encodings = Counter(http.get_header("Content-Encoding")
                        for t, _, http in warc_records(linhai_crawl) if t == "response")
    assert encodings["gzip"] > 40  # the replica gzips HTML and XML, as nginx does


# -- the database ----------------------------------------------------------------------
def test_every_report_is_stored_with_its_metadata(exported, replica):
    stored = {path_of(r["source"], replica.base_url): r for r in exported}
    expected = {p for p, a in GROUND_TRUTH.items() if a["kind"] in REPORT_KINDS}
    assert set(stored) == expected
    assert len(stored) >= 40
    for path, record in stored.items():
        truth = GROUND_TRUTH[path]
        assert record["title"] == truth["title"], path
        assert record["metadata"]["published_date"] == truth["published_date"], path
        assert record["metadata"]["publisher"] == truth["publisher"], path


def test_non_reports_are_archived_but_not_stored(linhai_crawl, exported, replica):
    archived = {h["WARC-Target-URI"] for t, h, _ in warc_records(linhai_crawl)
                if t == "response"}
    stored = {r["source"] for r in exported}
    others = [p for p, a in GROUND_TRUTH.items() if a["kind"] not in REPORT_KINDS]
    assert {GROUND_TRUTH[p]["kind"] for p in others} == {"interpretation", "dead", "soft404"}
    for path in others:
        assert replica.base_url + path in archived
        assert replica.base_url + path not in stored


def test_crawl_stats(linhai_crawl):
    stats = linhai_crawl.stats
    reports = sum(a["kind"] in REPORT_KINDS for a in GROUND_TRUTH.values())
    assert stats["nianbao/report_pages"] == reports
    assert stats["storage/reports_saved"] == reports
    assert stats["nianbao/list_entries"] == len(GROUND_TRUTH)
    assert stats["nianbao/soft_404"] == 1
    assert stats["nianbao/non_report_pages"] == 1
    assert stats["warc/response_status/404"] == 1  # the dead link: archived,
    assert stats["nianbao/listed_pages_failed"] == 1  # and reported by name
    assert stats["warc/exchanges"] == len(linhai_crawl.served)
    assert stats["warc/records"] == 2 * len(linhai_crawl.served)
    assert stats["robotstxt/request_count"] == 1
    assert stats["parser/reports_from_attachments"] == 1
    assert stats["finish_reason"] == "finished"


def test_export_points_at_the_page_in_the_warc(exported, linhai_crawl, replica):
    for record in exported:
        data = (linhai_crawl.warc_dir / record["warc_file"]).read_bytes()
        stream = io.BytesIO(data[record["warc_offset"]:])
        warc = next(iter(ArchiveIterator(stream)))
        assert warc.rec_type == "response"
        assert warc.rec_headers.get_header("WARC-Record-ID") == record["warc_record_id"]
        assert warc.rec_headers.get_header("WARC-Target-URI") == record["source"]
        with urllib.request.urlopen(record["source"]) as live:  # no Accept-Encoding: plain
            archived, now = warc.content_stream().read(), live.read()
        if path_of(record["source"], replica.base_url) in SITE.counter_paths:
            archived, now = (VISITS.sub(b"", page) for page in (archived, now))
        assert archived == now


def test_pdf_only_report_points_at_its_attachment(exported, replica):
    [pdf_report] = [r for r in exported
                    if GROUND_TRUTH[path_of(r["source"], replica.base_url)]["kind"]
                    == "pdf_report"]
    truth = GROUND_TRUTH[path_of(pdf_report["source"], replica.base_url)]
    assert pdf_report["document"]["url"] == replica.base_url + truth["attachments"][0][
        "location"]
    assert pdf_report["template"] == truth["template"]


def test_recrawl_adds_no_report_rows(linhai_crawl, replica, tmp_path_factory):
    def counts():
        engine = make_engine(linhai_crawl.database_url)
        with engine.connect() as connection:
            result = tuple(connection.scalar(select(func.count()).select_from(model))
                           for model in (Report, ReportVersion, ReportStat, ReportIssue, Capture))
        engine.dispose()
        return result

    before = counts()
    crawl("linhai", replica, tmp_path_factory.mktemp("recrawl"), linhai_crawl.database_url)
    after = counts()
    assert after[:4] == before[:4]  # no new report, version, stat or issue row
    assert after[4] > before[4]  # the new captures are kept: they are the evidence


# -- the numbers (the shared parser inside the crawl) -------------------------------------
RULE_CODES = {"column_balance": "rule_column_balance", "row_total": "rule_row_total",
              "result_total": "rule_result_total",
              "review_litigation_total": "rule_review_total"}


def generated_reports(exported, base_url):
    for record in exported:
        truth = GROUND_TRUTH[path_of(record["source"], base_url)]
        if truth["stats_source"] == "generated":
            yield record, truth


def test_numbers_equal_the_replicas_ground_truth(exported, replica):
    checked = 0
    for record, truth in generated_reports(exported, replica.base_url):
        assert record["template"] == truth["template"], record["source"]
        assert record["year"] == truth["year"], record["source"]
        if truth["template"] == "pre2019":
            got = [(i["label"], i["value"]) for i in record["legacy_indicators"]]
            want = [(i["label"], i["value"]) for i in truth["legacy_indicators"]]
            assert got == want, record["source"]
        else:
            assert record["stats"] == truth["stats"], record["source"]
        checked += 1
    assert checked >= 40


def test_every_broken_rule_is_flagged_and_no_consistent_report_is(exported, replica):
    for record, truth in generated_reports(exported, replica.base_url):
        codes = {issue["code"] for issue in record["issues"]}
        expected = {RULE_CODES[b["rule"]] for b in truth["broken_rules"]}
        assert expected <= codes, record["source"]
        assert not (codes & set(RULE_CODES.values())) - expected, (record["source"], codes)


# The pre-2019 rules P1–P7 and the in-document soft rules S2/S4: the generator keeps
# every report consistent with them (no deliberate break of these families).
CONSISTENT_CODES = {"rule_legacy_received", "rule_legacy_completed", "rule_legacy_answered",
                    "rule_legacy_refused", "legacy_refused_partial", "rule_legacy_outcomes",
                    "rule_legacy_staff", "rule_legacy_subitem", "legacy_total_not_filled",
                    "published_exceeds_total", "narrative_mismatch"}


def test_generated_reports_keep_the_legacy_and_soft_rules(exported, replica):
    templates = Counter()
    for record, truth in generated_reports(exported, replica.base_url):
        codes = {issue["code"] for issue in record["issues"]}
        assert not codes & CONSISTENT_CODES, (record["source"], codes)
        templates[truth["template"]] += 1
    assert templates["pre2019"] >= 5 and templates["2019"] >= 5 and templates["2021"] >= 5


# -- checks across reports (crawler/audit) ------------------------------------------------
CROSS_CODES = {"cross_carried_over", "cross_in_force"}


def test_cross_report_rules_fire_on_the_broken_year_pair_and_nowhere_else(
        exported, linhai_crawl, replica):
    """The replica chains each agency's years (S3, S3b); one pair is broken on purpose."""
    broken, keys = 0, {}
    for record in exported:
        truth = GROUND_TRUTH[path_of(record["source"], replica.base_url)]
        found = [i for i in record["issues"] if i["code"] in CROSS_CODES]
        assert {i["code"] for i in found} == set(truth["broken_links"]), record["source"]
        for entry in found:
            earlier = GROUND_TRUTH[path_of(entry["earlier_report"], replica.base_url)]
            assert (earlier["agency"], earlier["year"]) == (truth["agency"], truth["year"] - 1)
            broken += 1
        if record["template"] in ("2019", "2021"):
            assert record["agency_key"] == f"linhai:{record['agency']}", record["source"]
            assert record["agency_matched_by"] == "name"
            keys.setdefault(truth["agency"], set()).add(record["agency_key"])
    assert all(len(found) == 1 for found in keys.values()), keys  # one key per agency
    assert broken == 3  # 上年结转 of 自然人 and 总计, 行政规范性文件 现行有效件数
    assert linhai_crawl.stats["audit/issues/cross_carried_over"] == 2
    assert linhai_crawl.stats["audit/issues/cross_in_force"] == 1
    assert linhai_crawl.stats["audit/pairs"] >= 12


def test_scrapy_audit_over_the_database_finds_the_same(linhai_crawl):
    engine = make_engine(linhai_crawl.database_url)
    query = (select(ReportIssue.version_id, ReportIssue.code, ReportIssue.where)
             .where(ReportIssue.code.in_(CROSS_CODES)).order_by(ReportIssue.where))
    with engine.connect() as connection:
        before = connection.execute(query).all()
    done = scrapy("audit", database_url=linhai_crawl.database_url)
    assert done.returncode == 0, done.stderr
    assert "cross_carried_over: 2" in done.stdout and "cross_in_force: 1" in done.stdout
    with engine.connect() as connection:
        assert connection.execute(query).all() == before
    engine.dispose()


# -- replay from the archive ---------------------------------------------------------------
def test_replay_from_the_archive_gives_the_live_items_without_the_network(
        sqlite_crawl, replica, tmp_path_factory):
    linhai_crawl = sqlite_crawl
    exported = linhai_crawl.export(tmp_path_factory.mktemp("export") / "live.jsonl")
    tmp_path = tmp_path_factory.mktemp("replay")
    served_before = len(replica.served)
    replayed = crawl("linhai", replica, tmp_path, f"sqlite:///{tmp_path}/replay.db",
                     "-s", f"WARC_REPLAY={linhai_crawl.warc_dir}")
    assert len(replica.served) == served_before  # not one request reached the server
    assert replayed.stats["warc_replay/hits"] == len(linhai_crawl.served)
    assert "warc_replay/misses" not in replayed.stats
    assert not (tmp_path / "archive").exists()  # replay reads the archive, writes none
    assert replayed.export(tmp_path / "replay.jsonl") == exported


def test_charset_evidence_is_recorded_per_capture(linhai_crawl, replica):
    engine = make_engine(linhai_crawl.database_url)
    with engine.connect() as connection:
        rows = {r.url: r for r in connection.execute(select(
            Capture.url, Capture.charset_header, Capture.charset_meta, Capture.charset_used))}
    engine.dispose()
    gbk = [a for a in GROUND_TRUTH.values() if a["encoding"] == "gbk"]
    assert len(gbk) == 2
    for article in gbk:
        row = rows[replica.base_url + article["path"]]
        assert row.charset_header is None  # "text/html" and nothing more
        assert row.charset_meta == article["meta_charset"]  # gb2312 on one, none on the other
        assert row.charset_used == "gb18030"
    utf8 = next(a for a in GROUND_TRUTH.values() if a["encoding"] == "utf-8"
                and a["kind"] == "report")
    row = rows[replica.base_url + utf8["path"]]
    assert (row.charset_header, row.charset_used) == ("utf-8", "utf-8")
    # and every capture, report or not, has its evidence
    column = rows[replica.base_url + "/col/col1229317620/index.html"]
    assert (column.charset_header, column.charset_used) == ("utf-8", "utf-8")
    text_rows = [r for r in rows.values() if not r.url.endswith((".pdf", ".docx"))
                 and "downfile.jsp" not in r.url]
    assert all(r.charset_used for r in text_rows), [r for r in text_rows if not r.charset_used]
    dataproxy = [r for u, r in rows.items() if "dataproxy.jsp" in u]
    assert dataproxy and all(r.charset_header == "utf-8" and r.charset_used == "utf-8"
                             for r in dataproxy)
