"""Rebuilding the database from archives alone: the crawl's own, wget's, a WACZ, warcio's."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from parsel import Selector
from scrapy.utils.project import get_project_settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.audit import run_audit
from crawler.audit.registry import agency_renames
from crawler.ingest import archive_files, ingest
from crawler.report_rules import ReportRules
from crawler.warc.reader import iter_exchanges, read_response
from replica import serve_site
from storage.db import make_engine
from storage.export import report_record
from storage.repository import ReportStore
from tests.crawling import scrapy

PROJECT = Path(__file__).resolve().parent.parent
WACZ = PROJECT / ".venv" / "bin" / "wacz"
WARCIO_DATA = PROJECT / ".cache" / "warcio-test-data"
# What only the WARC a record came from can say: the crawl's and wget's differ there.
PLACE_FIELDS = ("fetched_at", "warc_file", "warc_record_id", "warc_offset")


def export_of(database_url: str) -> list[dict]:
    engine = make_engine(database_url)
    try:
        return [json.loads(json.dumps(report_record(r), ensure_ascii=False))
                for r in ReportStore(engine).reports()]
    finally:
        engine.dispose()


def store_at(database_url: str) -> ReportStore:
    from storage.db import shared_engine
    return ReportStore(shared_engine(database_url, migrate=True))


def ingest_as_the_command_does(database_url: str, paths: list[str], **options):
    """Ingest, then the cross-report audit the command runs when anything was stored
    (it fills agency_key and the cross-report issues, as at the end of a crawl)."""
    store = store_at(database_url)
    summary = ingest(store, paths, **options)
    if summary.stored:
        run_audit(store, agency_renames(get_project_settings()))
    return summary


def by_path(records: list[dict], base_url: str) -> dict[str, dict]:
    """Records keyed by the report's path, with the replica's address taken out."""
    text = json.dumps(records, ensure_ascii=False).replace(base_url, "BASE")
    return {urlsplit(r["source"]).path: r for r in json.loads(text)}


def without_places(record: dict) -> dict:
    record = {k: v for k, v in record.items() if k not in PLACE_FIELDS}
    if record.get("document"):
        record["document"] = {k: v for k, v in record["document"].items()
                              if k not in PLACE_FIELDS}
    return record


@pytest.fixture(scope="module")
def crawl_export(linhai_sqlite_crawl, tmp_path_factory):
    return linhai_sqlite_crawl.export(tmp_path_factory.mktemp("ingest") / "crawl.jsonl")


@pytest.fixture(scope="module")
def wget_archive(linhai_sqlite_crawl, tmp_path_factory):
    """wget --warc-file of every page and attachment the crawl fetched with GET, from a
    fresh replica (so another address): another tool's WARC/1.0 of the same site."""
    out = tmp_path_factory.mktemp("wget")
    paths = []
    for exchange in iter_exchanges([linhai_sqlite_crawl.warc_dir]):
        if exchange.method == "GET":
            parts = urlsplit(exchange.url)
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    with serve_site("linhai") as replica:
        (out / "urls.txt").write_text("".join(f"{replica.base_url}{p}\n"
                                              for p in dict.fromkeys(paths)))
        done = subprocess.run(["wget", "--quiet", "--tries=1", "--input-file", "urls.txt",
                               "--warc-file", "linhai", "--no-warc-keep-log",
                               "-O", "/dev/null"], cwd=out, capture_output=True, text=True,
                              timeout=120)
        base_url = replica.base_url
    # 8: a server error among the URLs (the replica's 404 page): the archive keeps it.
    assert done.returncode in (0, 8), done.stderr
    return out / "linhai.warc.gz", base_url


def test_rebuild_into_an_empty_database_equals_the_crawl(linhai_sqlite_crawl, crawl_export,
                                                         tmp_path):
    database_url = f"sqlite:///{tmp_path}/rebuilt.db"
    done = scrapy("reparse", str(linhai_sqlite_crawl.warc_dir), "--no-progress",
                  database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert f"report pages found: {len(crawl_export)}; stored: {len(crawl_export)}" in done.stdout
    assert "soft_404 1" in done.stdout and "list_page 1" in done.stdout
    rebuilt = export_of(database_url)
    # Same reports, numbers, metadata and WARC places, field for field.
    assert sorted(rebuilt, key=lambda r: r["source"]) == sorted(
        crawl_export, key=lambda r: r["source"])
    assert all(r["portal"] == "linhai" for r in rebuilt)  # the warcinfo's isPartOf

    again = scrapy("reparse", str(linhai_sqlite_crawl.warc_dir), "--no-progress",
                   database_url=database_url)
    assert again.returncode == 0, again.stderr
    assert "stored: 0" in again.stdout
    assert f"already_stored {len(crawl_export)}" in again.stdout
    assert "stored nothing: every report page found is already stored" in again.stdout
    assert export_of(database_url) == rebuilt


def test_the_crawls_own_database_is_left_as_it_is(linhai_sqlite_crawl, crawl_export, tmp_path):
    copy = tmp_path / "copy.db"
    shutil.copy(linhai_sqlite_crawl.database_url.removeprefix("sqlite:///"), copy)
    summary = ingest(store_at(f"sqlite:///{copy}"), [str(linhai_sqlite_crawl.warc_dir)])
    assert summary.stored == 0
    assert summary.skipped["already_stored"] == summary.report_pages == len(crawl_export)
    assert export_of(f"sqlite:///{copy}") == crawl_export


def test_a_wget_archive_gives_the_same_reports_and_numbers(wget_archive, crawl_export,
                                                           linhai_sqlite_crawl, tmp_path):
    warc, base_url = wget_archive
    with gzip.open(warc, "rb") as raw:
        head = raw.read(2000)
    assert head.startswith(b"WARC/1.0") and b"WARC-Target-URI: <http" in head
    database_url = f"sqlite:///{tmp_path}/wget.db"
    summary = ingest_as_the_command_does(database_url, [str(warc)],
                                         configured_portals={"linhai": base_url})
    assert summary.stored == len(crawl_export) and not summary.unreadable
    rebuilt = by_path(export_of(database_url), base_url)
    crawled = by_path(crawl_export, linhai_sqlite_crawl.base_url)
    assert rebuilt.keys() == crawled.keys()
    for path, record in crawled.items():
        assert without_places(rebuilt[path]) == without_places(record), path
        assert rebuilt[path]["warc_file"] == "linhai.warc.gz"
    # A downfile.jsp link: wget's archived redirect was followed to the PDF.
    assert any((r.get("document") or {}).get("url", "").endswith(".pdf") for r in rebuilt.values())


def test_a_wacz_made_by_py_wacz_and_an_uncompressed_warc(wget_archive, crawl_export, tmp_path):
    warc, base_url = wget_archive
    package = tmp_path / "linhai.wacz"
    made = subprocess.run([str(WACZ), "create", "-o", str(package), str(warc)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    (plain := tmp_path / "plain").mkdir()
    with gzip.open(warc, "rb") as source, open(plain / "linhai.warc", "wb") as target:
        shutil.copyfileobj(source, target)
    exports = {}
    for name, path in (("wacz", package), ("plain", plain / "linhai.warc"),
                       ("gzip", warc)):
        database_url = f"sqlite:///{tmp_path}/{name}.db"
        summary = ingest_as_the_command_does(database_url, [str(path)],
                                             configured_portals={"linhai": base_url})
        assert summary.stored == len(crawl_export), name
        exports[name] = {r["source"]: r for r in export_of(database_url)}
    assert exports["wacz"] == exports["gzip"]  # the member is named, offsets within it
    assert {k: without_places(v) for k, v in exports["plain"].items()} == {
        k: without_places(v) for k, v in exports["gzip"].items()}
    member = archive_files([str(package)])[0]
    record = next(iter(exports["wacz"].values()))
    assert read_response(member.path, member.start + record["warc_offset"]).status == 200


def _page(linhai_sqlite_crawl, crawl_export, index):
    record = crawl_export[index]
    archived = read_response(linhai_sqlite_crawl.warc_dir / record["warc_file"],
                             record["warc_offset"])
    return archived.body


def _response(writer, url, body, date, digest_of=None):
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                               protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                       length=len(body),
                                       http_headers=headers,
                                       warc_headers_dict={"WARC-Date": date})
    writer.write_record(record)
    return record


def test_revisits_and_versions_from_several_archives(linhai_sqlite_crawl, crawl_export,
                                                     tmp_path):
    url = "http://mirror.example/art/report.html"
    first = _page(linhai_sqlite_crawl, crawl_export, 0)
    second = _page(linhai_sqlite_crawl, crawl_export, 5)
    # The later crawl's file sorts first: versions follow capture dates, not file names.
    with open(tmp_path / "a-later.warc.gz", "wb") as out:
        _response(WARCWriter(out, gzip=True), url, second, "2024-06-01T00:00:00Z")
    with open(tmp_path / "b-earlier.warc", "wb") as out:  # uncompressed, WARC/1.1
        writer = WARCWriter(out, gzip=False, warc_version="WARC/1.1")
        original = _response(writer, url, first, "2023-01-01T00:00:00Z")
        digest = original.rec_headers.get_header("WARC-Payload-Digest")
        for target, refers_date in ((url, "2023-01-01T00:00:00Z"),
                                    ("http://mirror.example/gone.html", "2022-01-01T00:00:00Z")):
            # Another tool's revisit: no WARC-Refers-To, only the URL and the digest.
            revisit = writer.create_revisit_record(target, digest, target, refers_date)
            revisit.rec_headers.replace_header("WARC-Date", "2023-03-01T00:00:00Z")
            writer.write_record(revisit)
    database_url = f"sqlite:///{tmp_path}/versions.db"
    store = store_at(database_url)
    summary = ingest(store, [str(tmp_path)])
    assert summary.skipped["revisit_original_missing"] == 1
    assert summary.stored == 3  # two contents and the revisit of the first
    (report,) = export_of(database_url)
    assert report["versions"] == 2
    assert report["title"] == crawl_export[5]["title"]  # the later capture is the latest
    assert report["warc_file"] == "a-later.warc.gz"
    assert report["portal"] == "mirror.example"  # no registry portal: the host
    assert ingest(store, [str(tmp_path)]).stored == 0


def test_warcio_samples_and_damage_are_reported_not_fatal(tmp_path):
    samples = sorted(p for p in WARCIO_DATA.iterdir() if p.name.endswith((".warc", ".warc.gz")))
    assert len(samples) >= 5, "run make test (it fetches warcio's sample files)"
    summary = ingest(store_at(f"sqlite:///{tmp_path}/samples.db"), [str(p) for p in samples])
    assert summary.records > 0 and summary.stored == 0
    assert summary.skipped["not_a_report"] >= 3
    assert any("example-trunc.warc@" in where for where in summary.unreadable)
    assert f"{len(summary.unreadable)} records unreadable" in summary.why_nothing()


def test_empty_or_missing_paths_fail_with_a_reason(tmp_path):
    database_url = f"sqlite:///{tmp_path}/none.db"
    (tmp_path / "empty").mkdir()
    done = scrapy("reparse", str(tmp_path / "empty"), "--no-progress",
                  database_url=database_url)
    assert done.returncode == 1
    assert "stored nothing: no WARC or WACZ files under" in done.stdout
    missing = scrapy("reparse", str(tmp_path / "nowhere"), "--no-progress",
                     database_url=database_url)
    assert missing.returncode == 2
    assert "not a WARC or WACZ file, nor a directory" in missing.stderr


def test_a_list_page_is_not_a_report_but_an_article_with_neighbours_is():
    rules = ReportRules()
    links = "".join(f'<a href="/a{i}.html">临海市20{i}年政府信息公开工作年度报告</a>'
                    for i in range(18, 22))
    assert rules.lists_reports(Selector(text=f"<html><body>{links}</body></html>"))
    neighbours = ('<a href="/p.html" title="上一篇：临海市2021年政府信息公开工作年度报告">上一篇</a>'
                  '<a href="/n.html">下一篇：临海市2023年政府信息公开工作年度报告</a>')
    assert not rules.lists_reports(Selector(text=f"<html><body>{neighbours}</body></html>"))
