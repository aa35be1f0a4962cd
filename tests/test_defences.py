"""Portal defences: recognised, counted, said once, never stored; Retry-After honoured.

The 信访局 replica (the smallest column) puts each defence up by its switch;
one crawl per setting.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from crawler.defences import recognise, retry_after_seconds
from replica import ReplicaServer
from replica.seeds.defences import JSL521_PAGE, RS412_PAGE, Defences
from replica.xinfang import documents, make_site
from storage.db import make_engine
from storage.models import Report
from tests.crawling import crawl

REPORTS = sum(d.is_report for d in documents())


def response(status: int, body: str, **headers) -> HtmlResponse:
    return HtmlResponse("http://x.gov.cn/a.html", status=status, body=body.encode(),
                        headers=headers)


def test_recognise():
    assert recognise(response(412, RS412_PAGE)) == "rs412"
    assert recognise(response(521, JSL521_PAGE)) == "jsl521"
    assert recognise(response(503, "busy", **{"Retry-After": "3"})) == "retry_after"
    assert recognise(response(429, "slow down", **{"Retry-After": "3"})) == "retry_after"
    assert recognise(response(503, "down")) is None  # plain 5xx: RetryMiddleware's business
    assert recognise(response(412, "<html>Precondition Failed</html>")) is None
    assert recognise(response(200, RS412_PAGE)) is None


def test_retry_after_values():
    now = datetime(2026, 12, 3, 9, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("Thu, 03 Dec 2026 09:00:30 GMT", now) == 30
    assert retry_after_seconds("Thu, 03 Dec 2026 08:00:00 GMT", now) == 0
    assert retry_after_seconds("soon") is None


def defended_crawl(tmp_path_factory, label: str, defences: Defences):
    tmp_path = tmp_path_factory.mktemp(f"defence-{label}")
    site = make_site(defences=defences)
    with ReplicaServer(site) as replica:
        result = crawl("xinfang", replica, tmp_path, f"sqlite:///{tmp_path}/nianbao.db")
    engine = make_engine(result.database_url)
    with engine.connect() as connection:
        result.reports = connection.scalar(select(func.count()).select_from(Report))
    engine.dispose()
    result.log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    result.defences = defences
    result.archived = []
    for path in sorted(result.warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as stream:
            result.archived += [int(r.http_headers.get_statuscode())
                                for r in ArchiveIterator(stream) if r.rec_type == "response"]
    return result


@pytest.fixture(scope="module")
def polite(tmp_path_factory):
    """Referer needed on the catalogue and the API; both answer 503 + Retry-After once."""
    return defended_crawl(tmp_path_factory, "polite", Defences(
        referer=True, retry_after=2, paths=("/gkmlpt/index", "/gkmlpt/api")))


def test_retry_after_is_honoured_and_referer_supplied(polite):
    assert polite.reports == REPORTS  # the crawl got everything in the end
    assert polite.stats["defences/retry_after"] == 2
    assert polite.stats["defences/referer_required"] == 1
    assert polite.defences.waited and all(w >= 2 for w in polite.defences.waited.values())
    assert polite.log.count("Portal defence at") == 2  # one line per kind and site


@pytest.mark.parametrize("switch, kind, count", [
    ("rs412", "rs412", 1),  # the column page: nothing further can be had
    ("jsl521", "jsl521", 7),  # every detail page: the lists are open
])
def test_challenges_are_counted_said_once_and_never_stored(tmp_path_factory, switch, kind,
                                                           count):
    paths = ("/gkmlpt/content",) if switch == "jsl521" else ()
    result = defended_crawl(tmp_path_factory, switch, Defences(**{switch: True}, paths=paths))
    assert result.stats[f"defences/{kind}"] == count
    assert result.log.count("Portal defence at") == 1
    assert result.reports == 0
    assert result.archived.count(412 if kind == "rs412" else 521) == count  # kept as evidence
    assert result.stats["finish_reason"] == "finished"
