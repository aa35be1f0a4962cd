"""The Hanweb column spider's callbacks, in process, on the Linhai replica's answers.

No crawl and no network: each request the spider yields is answered by the
replica site object directly, and the answer handed to the callback the
request names, as Scrapy would. What is checked is the request state: every
request survives Scrapy's disk-queue round trip (``request_to_dict``, pickle,
``request_from_dict``) unchanged and small, the pagination state is a value of
each request's own, and a server that ignores ``startrecord`` stops the walk.
"""

from __future__ import annotations

import gc
import pickle
import weakref
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from crawler.items import Capture, ReportPage
from nianbao_core import meta
from nianbao_core.pointer import WarcPointer
from replica.linhai import ground_truth, make_site
from replica.server import Request as ReplicaRequest
from spiders.cms.hanweb import Pagination
from spiders.linhai import LinhaiSpider

BASE = "http://127.0.0.1:1"


@pytest.fixture
def spider():
    crawler = get_crawler(LinhaiSpider, {"PORTAL_BASE_URL": BASE})
    crawler.spider = LinhaiSpider.from_crawler(crawler)
    crawler.stats.open_spider()
    return crawler.spider


@pytest.fixture(scope="module")
def site():
    return make_site()


def answer(site, request: scrapy.Request, *, warc: WarcPointer | None = None) -> Response:
    """The replica's answer to ``request`` as the Scrapy response a download gives."""
    parts = urlsplit(request.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {k.decode().lower(): v[0].decode() for k, v in request.headers.items()}
    got = site.handle(ReplicaRequest(request.method, target, parts.path,
                                     parse_qs(parts.query, keep_blank_values=True), headers,
                                     request.body))
    content_type = got.content_type or ""
    cls = (XmlResponse if "xml" in content_type else HtmlResponse if "html" in content_type
           else Response)
    request.meta[meta.WARC_POINTER] = warc
    headers = [("Content-Type", content_type)] if content_type else []
    return cls(url=request.url, status=got.status, body=got.body, request=request,
               headers=headers + list(got.headers))


def round_trip(request: scrapy.Request, spider) -> tuple[scrapy.Request, int]:
    """The request as a JOBDIR queue gives it back, and its pickled size."""
    data = pickle.dumps(request.to_dict(spider=spider), protocol=4)
    return request_from_dict(pickle.loads(data), spider=spider), len(data)


def call(spider, request: scrapy.Request, response: Response):
    callback = getattr(spider, request.callback.__name__)
    return list(callback(response, **request.cb_kwargs))


def test_the_column_walk_survives_the_disk_queue(spider, site):
    """Column page, every dataproxy page, each request through pickle: all listed pages."""
    pending = [scrapy.Request(spider.url(spider.column_path), callback=spider.parse_column)]
    listed, list_requests, largest = [], 0, 0
    while pending:
        request, size = round_trip(pending.pop(), spider)
        largest = max(largest, size)
        if request.callback.__name__ == "parse_article":
            listed.append(request.url)
            continue
        list_requests += 1
        pending.extend(call(spider, request, answer(site, request)))
    assert sorted(listed) == sorted(BASE + a["path"] for a in ground_truth())
    assert list_requests == spider.crawler.stats.get_value("nianbao/list_pages") == 4
    assert largest < 2048


def test_each_list_request_has_a_pagination_value_of_its_own(spider, site):
    column = scrapy.Request(spider.url(spider.column_path), callback=spider.parse_column)
    first = [r for r in call(spider, column, answer(site, column))
             if r.callback == spider.parse_dataproxy][0]
    state = first.cb_kwargs["state"]
    assert isinstance(state, Pagination) and state.requests == 1
    second = [r for r in call(spider, first, answer(site, first))
              if r.callback == spider.parse_dataproxy][0]
    assert second.cb_kwargs["state"].requests == 2
    assert second.cb_kwargs["state"] is not state and state.requests == 1  # not shared
    assert second.cb_kwargs["start"] == first.cb_kwargs["start"] + state.per_page


def test_a_server_that_ignores_startrecord_stops_the_walk(spider, site):
    column = scrapy.Request(spider.url(spider.column_path), callback=spider.parse_column)
    first = [r for r in call(spider, column, answer(site, column))
             if r.callback == spider.parse_dataproxy][0]
    # What such a server sends for every page: the records from the first one on.
    from_the_top = first.replace(url=first.url.replace(
        f"startrecord={first.cb_kwargs['start']}", "startrecord=1"))
    response = answer(site, from_the_top)
    assert call(spider, first, response.replace(url=first.url, request=first)) == []
    assert spider.crawler.stats.get_value("nianbao/dataproxy_repeats") == 1


def test_a_pagination_value_repeats_only_pages_it_saw(spider):
    from spiders.cms.hanweb_lists import ListEntry, ListPage

    state = Pagination(params={}, per_page=15, column_first_url="a", previous_first_url="b")
    page = lambda *urls: ListPage([ListEntry(u, "t", None) for u in urls])  # noqa: E731
    assert state.repeats(page("a", "x")) and state.repeats(page("b"))
    assert not state.repeats(page("c", "a")) and not state.repeats(page())


def test_a_report_with_attachments_travels_as_warc_places(spider, site):
    """The page's bytes stay behind: the attachment request carries where they are."""
    truth = next(a for a in ground_truth() if a["kind"] == "pdf_report")
    entry_request = scrapy.Request(BASE + truth["path"], callback=spider.parse_article,
                                   cb_kwargs={"entry": _entry(truth)})
    pointer = WarcPointer(file="x.warc.gz", offset=1, date="2026-01-01T00:00:00Z")
    attachment_request, = call(spider, entry_request,
                               answer(site, entry_request, warc=pointer))
    queued, size = round_trip(attachment_request, spider)
    item = queued.cb_kwargs["item"]
    assert item.page.body is None and item.page.warc == pointer
    assert queued.cb_kwargs["links"] == [] and size < 2048
    redirect = answer(site, queued)
    assert redirect.status == 302
    final = queued.replace(url=BASE + redirect.headers["Location"].decode())
    final.meta[meta.WARC_POINTER] = replace(pointer, offset=2)
    # The replica makes its PDF in seconds (font subsets); any PDF bytes will do here.
    pdf = Response(final.url, body=b"%PDF-1.7 ...", request=final,
                   headers={"Content-Type": "application/pdf"})
    done, = call(spider, final, pdf)
    assert isinstance(done, ReportPage) and done.page.body is None
    assert done.attachments[0].body == b"%PDF-1.7 ..." and done.attachments[0].warc.offset == 2


def test_without_an_archive_the_bytes_must_travel():
    capture = Capture("http://h/a", 200, "text/html", b"<html>", warc=None)
    assert capture.pointer_only() is capture
    archived = replace(capture, warc=WarcPointer(file="f.warc.gz", offset=0))
    assert archived.pointer_only().body is None and archived.body == b"<html>"


def _entry(truth: dict):
    from spiders.cms.hanweb_lists import ListEntry

    return ListEntry(BASE + truth["path"], truth["list_title"], truth["published_date"])


@pytest.mark.parametrize("kind", ["report", "pdf_report", "interpretation", "soft404"])
def test_a_read_page_is_freed_as_soon_as_scrapy_lets_go_of_it(spider, site, kind):
    """No reference cycle keeps a listed page (its text, its parsed tree) alive.

    Scrapy's cached ``response.selector`` refers back to its response: a page read
    through it waits for a full run of the cyclic collector, and in a long crawl those
    come seldom (the crawl's peak memory grew with the number of reports). With the
    collector off, reference counting alone must free the page once the callback's
    output is taken.
    """
    truth = next(a for a in ground_truth() if a["kind"] == kind)
    request = scrapy.Request(BASE + truth["path"], callback=spider.parse_article,
                             cb_kwargs={"entry": _entry(truth)})
    response = answer(site, request)
    gc.disable()
    try:
        call(spider, request, response)
        page = weakref.ref(response)
        del response
        assert page() is None
    finally:
        gc.enable()
