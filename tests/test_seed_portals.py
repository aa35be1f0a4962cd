"""End to end: ``scrapy crawl NAME`` against the replicas of the seed portals.

One crawl per replica (module scope): 东乡 (TRS WCM, 1-based pager, news and
a 解读 in the column, list dates that are not the URL's), 天水郡 and 河东
(博达 VSB through the generic family: downward-numbered list pages followed
by their 下页 link, two list templates), 信访局 (gkmlpt: the SID from the
catalogue page, the list from the JSON API). Each stores its seed report with
the seed's metadata and every number of its tables (the golden truth of
``tests/parser/golden/truth/``), the other reports of its column with their
generated numbers, archives everything (attachments of every kind included)
and passes ``warcio check``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from importlib import import_module
from pathlib import Path

import pytest
from parsel import Selector
from warcio.archiveiterator import ArchiveIterator

from crawler.extraction import main_text
from crawler.items import Capture
from replica import serve_site
from tests.crawling import crawl

TRUTH = Path(__file__).parent / "parser" / "golden" / "truth"
SEEDS = {"dongxiang": "000_8ea8eed0dcff065f", "xinfang": "001_ba6749b85648d9bd",
         "tianshuijun": "002_e08ae088fb6b67a9", "hedong": "003_7faba437cf7e8e94"}
LIST_PAGES = {"dongxiang": 3, "tianshuijun": 3, "hedong": 3, "xinfang": 1}


@pytest.fixture(scope="module", params=sorted(SEEDS))
def portal(request, tmp_path_factory):
    name = request.param
    tmp_path = tmp_path_factory.mktemp(f"crawl-{name}")
    with serve_site(name) as replica:
        result = crawl(name, replica, tmp_path, f"sqlite:///{tmp_path}/nianbao.db")
        result.name = name
        result.base_url = replica.base_url
        result.documents = {d.path: d for d in import_module(f"replica.{name}").documents()}
        result.records = {r["source"][len(replica.base_url):]: r
                          for r in result.export(tmp_path / "out.jsonl")}
        result.responses = {}
        for path in sorted(result.warc_dir.glob("*.warc.gz")):
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response":
                        uri = record.rec_headers.get_header("WARC-Target-URI")
                        result.responses[uri[len(replica.base_url):]] = (
                            int(record.http_headers.get_statuscode()),
                            record.content_stream().read())
        yield result


def test_the_seed_report_is_stored_with_its_metadata_and_every_number(portal):
    truth = json.loads((TRUTH / f"{SEEDS[portal.name]}.json").read_text(encoding="utf-8"))
    [seed] = [d for d in portal.documents.values() if d.seed]
    record = portal.records[seed.path]
    assert (record["template"], record["year"]) == (truth["template"], truth["year"])
    for key, value in truth["metadata"].items():
        if value is not None:
            assert record["metadata"][key] == value, key
    if truth.get("title"):
        assert record["title"] == truth["title"]
    if "stats" in truth:
        assert record["stats"] == truth["stats"]
    else:
        got = [(i["label"], i["value"]) for i in record["legacy_indicators"]]
        assert got == [(i["label"], i["value"]) for i in truth["legacy_indicators"]]
    assert not [i for i in record["issues"] if i["code"].startswith("rule_")]


def test_the_seed_text_comes_out_of_the_replica_page(portal):
    """Every line of the seed's prose is on the page; the narrative is its main text."""
    [seed] = [d for d in portal.documents.values() if d.seed]
    status, body = portal.responses[seed.path]

    def squeeze(text: str) -> str:
        return re.sub(r"\s+", "", text)

    page = squeeze(" ".join(Selector(text=body.decode("utf-8")).xpath("//body//text()").getall()))
    main = squeeze(main_text(Capture(seed.path, status, "text/html", body)))
    seed_file = next(Path("replica/seeds/data").glob(f"{seed.seed}_*.txt"))
    prose = [line.strip() for line in seed_file.read_text(encoding="utf-8").split("\n")
             if len(line.strip()) > 30 and "|" not in line]
    assert len(prose) >= 5
    for line in prose:
        assert squeeze(line.lstrip("•")) in page, line
    narrative = [line for line in prose if len(line) > 60]
    assert narrative and all(squeeze(line) in main for line in narrative)


def test_every_report_of_the_column_is_stored_with_its_numbers(portal):
    reports = {p for p, d in portal.documents.items() if d.is_report}
    assert set(portal.records) == reports
    assert len(reports) >= 5
    for path, document in portal.documents.items():
        if not document.is_report or document.seed:
            continue
        record = portal.records[path]
        assert (record["template"], record["year"]) == (document.template, document.year), path
        assert record["title"] == document.title, path
        if document.template == "pre2019":
            got = [(i["label"], i["value"]) for i in record["legacy_indicators"]]
            assert got == [(i["label"], i["value"]) for i in document.legacy_indicators], path
        else:
            assert record["stats"] == document.stats, path
        if document.kind == "pdf_report":  # read from its attachment
            assert record["document"]["url"].endswith(document.attachments[0].path)


def test_everything_listed_is_archived_and_non_reports_are_not_stored(portal):
    kinds = Counter(d.kind for d in portal.documents.values())
    assert kinds["news"] + kinds["interpretation"] >= 2
    for path, document in portal.documents.items():
        assert portal.responses[path][0] == 200, path
        for attachment in document.attachments:
            status, body = portal.responses[attachment.path]
            assert status == 200 and body, attachment.path
    stats = portal.stats
    assert stats["nianbao/list_pages"] == LIST_PAGES[portal.name]
    assert "nianbao/list_pages_without_entries" not in stats
    assert stats["nianbao/list_entries"] == len(portal.documents)
    assert stats["nianbao/non_report_pages"] == sum(not d.is_report
                                                    for d in portal.documents.values())
    assert stats["finish_reason"] == "finished"


def test_archives_pass_warcio_check(portal):
    files = sorted(portal.warc_dir.glob("*.warc.gz"))
    check = subprocess.run([Path(sys.executable).parent / "warcio", "check", "-v",
                            *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "fail" not in check.stdout


def test_attachments_of_every_kind_are_archived():
    kinds = Counter()
    for name in SEEDS:
        for document in import_module(f"replica.{name}").documents():
            kinds.update(a.path.rsplit(".", 1)[1] for a in document.attachments)
    assert set(kinds) >= {"pdf", "docx", "wps", "xls", "xlsx", "et", "zip"}


def test_the_audit_finds_no_cross_report_issue_in_a_consistent_column(portal):
    """S3/S3b (crawler/audit) ran after the crawl and fire on none of these reports."""
    assert portal.stats["audit/reports"] == len(portal.records)
    found = [(path, issue["code"]) for path, record in portal.records.items()
             for issue in record["issues"] if issue["code"].startswith("cross_")]
    assert found == []
    assert all(r["agency_key"] for r in portal.records.values()
               if r["template"] in ("2019", "2021") and r["agency"])
