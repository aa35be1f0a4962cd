"""crawler/withdrawals.py and the spider's checks of unlisted reports, in process."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError as TwistedTimeout
from twisted.python.failure import Failure

from crawler.items import ReportWithdrawal
from crawler.withdrawals import WithdrawalCheck, WithdrawalCheckConfig
from spiders.linhai import LinhaiSpider
from storage.db import make_engine, upgrade
from storage.repository import ReportStore
from tests.test_storage import RECORD, page_capture

BASE = "http://127.0.0.1:9"  # never connected to: nothing here sends a request


@pytest.fixture
def spider():
    crawler = get_crawler(LinhaiSpider, {"PORTAL_BASE_URL": BASE})
    spider = LinhaiSpider.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()
    crawler.stats.set_value("storage/crawl_run_id", 1)  # as the storage pipeline sets it
    return spider


def failure(request, exception) -> Failure:
    try:
        raise exception
    except type(exception):
        found = Failure()
    found.request = request
    return found


def test_an_unlisted_page_is_gone_from_the_list_or_a_soft_404(spider):
    url = BASE + "/art/2024/1/25/art_1.html"
    page = HtmlResponse(url, body=("<html><body>" + "正文" * 2000 + "</body></html>").encode())
    assert list(spider.parse_unlisted(page)) == [ReportWithdrawal("linhai", url,
                                                                  "gone_from_list")]
    error_page = HtmlResponse(url, body="<html><body>您访问的页面不存在</body></html>".encode())
    assert list(spider.parse_unlisted(error_page))[0].how == "soft_404"


def test_404_and_410_withdraw_a_timeout_does_not(spider):
    request = Request(BASE + "/art/1.html")
    for status in (404, 410):
        gone = HttpError(Response(request.url, status=status, request=request), "gone")
        assert [w.how for w in spider.unlisted_failed(failure(request, gone))] == [str(status)]
    assert list(spider.unlisted_failed(failure(request, TwistedTimeout()))) == []
    server_error = HttpError(Response(request.url, status=503, request=request), "busy")
    assert list(spider.unlisted_failed(failure(request, server_error))) == []


@pytest.fixture
def stored(tmp_path):
    url = f"sqlite:///{tmp_path}/w.db"
    engine = make_engine(url)
    upgrade(engine)
    store = ReportStore(engine)
    urls = [f"{BASE}/art/{n}.html" for n in range(4)] + ["http://elsewhere.example/art/9.html"]
    for n, source in enumerate(urls):
        page = page_capture(f"<urn:uuid:{n}>")
        page.url = source
        store.save_report(portal="linhai", record=RECORD, page=page, content_digest=f"sha1:{n}")
    yield url, urls
    engine.dispose()


def check(spider, database_url, max_share=0.5):
    return WithdrawalCheck(spider.crawler, WithdrawalCheckConfig(database_url, max_share))


def test_only_stored_reports_of_this_site_left_unlisted_are_checked(spider, stored):
    database_url, urls = stored
    spider.crawler.stats.set_value("nianbao/list_entries", 3)
    spider.listed_urls.update(urls[:3])
    assert check(spider, database_url).unlisted(spider) == [urls[3]]


def test_an_incomplete_listing_checks_nothing(spider, stored):
    database_url, urls = stored
    stats = spider.crawler.stats
    assert check(spider, database_url).unlisted(spider) == []  # nothing listed at all
    stats.set_value("nianbao/list_entries", 3)
    stats.set_value("nianbao/list_pages_failed", 1)
    spider.listed_urls.update(urls[:3])
    assert check(spider, database_url).unlisted(spider) == []
    assert stats.get_value("nianbao/withdrawal_check_skipped") == "listing incomplete"


def test_most_reports_unlisted_at_once_is_a_broken_column(spider, stored):
    database_url, urls = stored
    spider.crawler.stats.set_value("nianbao/list_entries", 1)
    spider.listed_urls.add(urls[0])
    assert check(spider, database_url).unlisted(spider) == []
    assert spider.crawler.stats.get_value(
        "nianbao/withdrawal_check_skipped") == "too many unlisted"
    assert check(spider, database_url, max_share=1.0).unlisted(spider) == urls[1:4]


def test_a_crawl_that_stores_nothing_checks_nothing(spider, stored):
    database_url, urls = stored
    spider.crawler.stats.set_value("storage/crawl_run_id", None)
    spider.crawler.stats.set_value("nianbao/list_entries", 3)
    spider.listed_urls.update(urls[:3])
    assert check(spider, database_url).unlisted(spider) == []


def test_the_config_refuses_a_share_outside_zero_to_one():
    with pytest.raises(ValueError):
        WithdrawalCheckConfig.from_settings(Settings({
            "WITHDRAWAL_CHECK_ENABLED": True, "DATABASE_URL": "sqlite://",
            "WITHDRAWAL_CHECK_MAX_SHARE": 1.5}))
