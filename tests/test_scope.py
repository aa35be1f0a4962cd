"""Scope by origin and by resolved address (``crawler/scope.py``), without a crawl.

The middleware is driven directly: a refusal is an exception raised by
``process_request``, so the download handler (and any connection) is never
reached. Names resolve through a fake resolver that maps test names to
private, link-local, multicast and public addresses: nothing here connects
anywhere. The crawl-level cases (a redirect, a meta refresh and an
attachment pointing at another port) are in ``tests/test_hostile.py``.
"""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError

from crawler.scope import Origin, OriginScopeMiddleware, ScopeRefused
from spiders.linhai import LinhaiSpider

NAMES = {
    "www.portal.test": "203.0.113.9",  # TEST-NET-3: reserved, so not public either
    "public.portal.test": "1.2.3.4",
    "intranet.portal.test": "10.20.30.40",
    "metadata.portal.test": "169.254.169.254",
    "multicast.portal.test": "224.0.0.251",
    "loopback.portal.test": "127.0.0.1",
    "mapped.portal.test": "::ffff:192.168.0.1",
}


def middleware(base_url: str, **settings) -> OriginScopeMiddleware:
    crawler = get_crawler(LinhaiSpider, {"PORTAL_BASE_URL": base_url, "SCOPE_ENABLED": True,
                                         **settings})
    crawler.spider = LinhaiSpider.from_crawler(crawler)
    mw = OriginScopeMiddleware.from_crawler(crawler)
    mw.lookups = []

    async def resolve(host: str) -> str:
        mw.lookups.append(host)
        if host not in NAMES:
            raise DNSLookupError(host)
        return NAMES[host]

    mw.resolve = resolve
    return mw


def check(mw: OriginScopeMiddleware, url: str) -> None:
    asyncio.run(mw.process_request(Request(url)))


def refused(mw: OriginScopeMiddleware, url: str) -> str:
    with pytest.raises(ScopeRefused) as raised:
        check(mw, url)
    return str(raised.value)


def test_origin_is_scheme_host_and_port():
    assert Origin.of("http://127.0.0.1:8765/a") == Origin("http", "127.0.0.1", 8765)
    assert Origin.of("https://WWW.Linhai.gov.cn./x") == Origin("https", "www.linhai.gov.cn", 443)
    assert Origin.of("http://h:80/") == Origin.of("http://h/")
    assert Origin.of("javascript:alert(1)") is None
    assert Origin.of("http://h:99999/") is None


def test_another_port_of_the_same_host_is_refused():
    mw = middleware("http://127.0.0.1:8765")
    check(mw, "http://127.0.0.1:8765/col/index.html")
    assert "origin" in refused(mw, "http://127.0.0.1:8766/admin/")
    assert "origin" in refused(mw, "https://127.0.0.1:8765/")  # another scheme
    assert "origin" in refused(mw, "http://127.0.0.2:8765/")
    assert "origin" in refused(mw, "ftp://127.0.0.1:8765/")
    assert mw.crawler.stats.get_value("scope/refused/origin") == 4


def test_the_spider_sees_the_same_scope():
    spider = middleware("http://127.0.0.1:8765").crawler.spider
    assert spider.is_own_site("http://127.0.0.1:8765/attach/a.pdf")
    assert not spider.is_own_site("http://127.0.0.1:8766/attach/a.pdf")


def test_a_name_resolving_to_a_private_address_is_refused_before_connecting():
    mw = middleware("http://www.portal.test", SCOPE_EXTRA_ORIGINS=[
        f"http://{name}" for name in NAMES])
    check(mw, "http://public.portal.test/a")
    for name in ("intranet", "metadata", "multicast", "loopback", "mapped", "www"):
        assert "address" in refused(mw, f"http://{name}.portal.test/a"), name
    assert mw.crawler.stats.get_value("scope/refused/address") == 6
    assert mw.lookups == ["public.portal.test", "intranet.portal.test", "metadata.portal.test",
                          "multicast.portal.test", "loopback.portal.test", "mapped.portal.test",
                          "www.portal.test"]


def test_allowed_networks_let_an_intranet_portal_by_name_be_crawled():
    mw = middleware("http://intranet.portal.test", SCOPE_ALLOWED_NETWORKS=["10.0.0.0/8"])
    check(mw, "http://intranet.portal.test/col/index.html")
    assert "address" in refused(
        middleware("http://intranet.portal.test"), "http://intranet.portal.test/")


def test_a_configured_address_literal_is_not_resolved():
    mw = middleware("http://10.1.2.3:8080")
    check(mw, "http://10.1.2.3:8080/col/index.html")
    assert mw.lookups == []


def test_an_unresolvable_name_is_left_to_the_download_to_fail():
    mw = middleware("http://nowhere.portal.test")
    check(mw, "http://nowhere.portal.test/")


def test_a_refusal_is_logged_once_per_url(caplog):
    mw = middleware("http://127.0.0.1:8765")
    for _ in range(3):
        refused(mw, "http://127.0.0.1:1/x")
    assert [r.getMessage() for r in caplog.records].count(
        "Refused http://127.0.0.1:1/x: http://127.0.0.1:1 is not one of the portal's origins") == 1
    assert mw.crawler.stats.get_value("scope/refused/origin") == 3


def test_a_spider_without_origins_is_not_scoped():
    crawler = get_crawler(settings_dict={"SCOPE_ENABLED": True})
    from scrapy import Spider

    crawler.spider = Spider("default")
    mw = OriginScopeMiddleware.from_crawler(crawler)
    check(mw, "http://127.0.0.1:1/anything")
