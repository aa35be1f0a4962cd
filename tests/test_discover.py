"""``scrapy discover`` on every replica's home page: the entry it prints is the registry's.

The registry entries of the seed portals are crawled in tests/test_seed_portals.py
and tests/test_crawl_linhai.py, so an entry equal to one of them crawls its
replica; one discovered entry is also added to a registry of its own and crawled.
"""

from __future__ import annotations

import pytest

from replica import serve_site
from spiders.discovery import family_votes, level_of, ranked_links
from spiders.registry import load_portals, parse_registry
from tests.crawling import crawl, scrapy

REGISTERED = {p.name: p for p in load_portals()}
XINFANG_REPORTS = 5


def discover(replica, tmp_path, *extra: str):
    done = scrapy("discover", replica.base_url + "/", "-s", f"WARC_DIR={tmp_path}/archive",
                  *extra, database_url=f"sqlite:///{tmp_path}/discover.db")
    return done


@pytest.mark.parametrize("name", ["linhai", "dongxiang", "tianshuijun", "hedong", "xinfang"])
def test_discover_prints_the_registry_entry_from_the_home_page(name, tmp_path):
    with serve_site(name) as replica:
        done = discover(replica, tmp_path, "--name", name)
    assert done.returncode == 0, done.stderr[-3000:]
    [found] = parse_registry(done.stdout)  # valid as it stands: ready to paste
    registered = REGISTERED[name]
    assert (found.family, found.columns, dict(found.options)) == (
        registered.family, registered.columns, dict(registered.options))
    assert found.region.province == registered.region.province
    assert found.full_name == registered.full_name or name == "tianshuijun"  # the district's
    assert found.base_url == replica.base_url


def test_a_discovered_entry_once_added_crawls_the_portal(tmp_path):
    with serve_site("xinfang") as replica:
        done = discover(replica, tmp_path, "--name", "found")
        assert done.returncode == 0, done.stderr[-3000:]
        registry = tmp_path / "portals.toml"
        registry.write_text(done.stdout, encoding="utf-8")
        result = crawl("found", replica, tmp_path / "crawl", f"sqlite:///{tmp_path}/crawl.db",
                       "-s", f"PORTAL_REGISTRY={registry}")
    assert result.stats["storage/reports_saved"] == XINFANG_REPORTS


def test_a_page_without_a_column_says_so(tmp_path):
    with serve_site("xinfang") as replica:
        done = scrapy("discover", replica.base_url + "/gkmlpt/api/all/1?page=1&sid=1",
                      "-s", f"WARC_DIR={tmp_path}/archive",
                      database_url=f"sqlite:///{tmp_path}/discover.db")
    assert done.returncode == 1
    assert done.stdout == "" and "could not decide" in done.stderr


def test_family_signs_and_levels():
    assert family_votes("<a href='/col/col12/index.html'>x</a>").most_common(1)[0][0] == "hanweb"
    assert family_votes('createPageHTML(2, 0, "index", "html");')["trs"] == 1
    assert family_votes("<script>window._CONFIG = {SID: '2'}</script>")["gkmlpt"] == 1
    assert [level_of(n) for n in ("广东省人民政府", "泰州市人民政府", "秦州区人民政府",
                                  "唐村镇人民政府", "连岛街道办事处", "县信访局")] == [
        "province", "city", "county", "township", "township", "department"]
    links = ranked_links("<a href='/a'>政务公开</a><a href='/b'>政府信息公开年报</a>"
                         "<a href='/c'>关于开展2023年度政务公开培训的通知</a>"
                         "<a href='http://other.gov.cn/d'>信息公开年报</a>", "http://x.gov.cn/")
    assert [(rank, url) for rank, url, _ in links] == [(0, "http://x.gov.cn/b"),
                                                      (1, "http://x.gov.cn/a")]
