"""The portal registry and the spider loader that turns its entries into spiders."""

import re

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from spiders.cms.hanweb import HanwebColumnSpider
from spiders.families import FAMILIES, spider_class
from spiders.loader import PortalSpiderLoader
from spiders.registry import LEVELS, RegistryError, load_portals, parse_registry, select

ENTRY = """
[[portal]]
name = "demo_town"
full_name = "某镇人民政府"
region = {{ province = "浙江省", city = "台州市", county = "临海市" }}
level = "township"
family = "{family}"
base_url = "https://www.demo.gov.cn"
columns = ["/col/col1/index.html"]
extra_origins = ["https://file.demo.gov.cn"]
{options}
"""


def loader_for(tmp_path, text: str) -> PortalSpiderLoader:
    path = tmp_path / "portals.toml"
    path.write_text(text, encoding="utf-8")
    settings = Settings(get_project_settings().copy_to_dict())
    settings.set("PORTAL_REGISTRY", str(path))
    return PortalSpiderLoader.from_settings(settings)


def test_the_project_loader_lists_every_registry_entry():
    loader = PortalSpiderLoader.from_settings(get_project_settings())
    names = {p.name for p in load_portals()}
    # Besides the registry: spider modules of their own (spiders/jscolumn.py, a
    # replica-only column rendered in Chromium).
    assert set(loader.list()) == names | {"jscolumn"}
    assert {"linhai", "dongxiang", "tianshuijun", "hedong", "xinfang"} <= names


def test_every_entry_is_complete_and_of_a_known_family():
    for portal in load_portals():
        assert portal.family in FAMILIES and portal.level in LEVELS
        assert portal.full_name and portal.region.province and portal.columns
        spider_class(portal)  # its options fit its family


def test_linhai_is_the_hanweb_spider_it_was():
    cls = PortalSpiderLoader.from_settings(get_project_settings()).load("linhai")
    assert issubclass(cls, HanwebColumnSpider)
    assert (cls.name, cls.portal_name, cls.live_base_url, cls.column_path) == (
        "linhai", "临海市人民政府", "https://www.linhai.gov.cn", "/col/col1229317620/index.html")


def test_a_new_portal_is_data_only(tmp_path):
    loader = loader_for(tmp_path, ENTRY.format(family="hanweb", options=""))
    cls = loader.load("demo_town")
    assert issubclass(cls, HanwebColumnSpider) and cls.portal.level == "township"
    live = cls.from_crawler(get_crawler(cls, {"PORTAL_BASE_URL": ""}))
    assert live.allowed_domains == ["www.demo.gov.cn", "file.demo.gov.cn"]
    assert live.is_own_site("https://file.demo.gov.cn/a.pdf")
    assert live.url(live.column_path) == "https://www.demo.gov.cn/col/col1/index.html"
    replica = cls.from_crawler(get_crawler(cls, {"PORTAL_BASE_URL": "http://127.0.0.1:9"}))
    assert replica.allowed_domains == ["127.0.0.1"]  # a replica crawl stays on the replica
    assert not replica.is_own_site("https://file.demo.gov.cn/a.pdf")


def test_options_become_class_attributes(tmp_path):
    loader = loader_for(tmp_path, ENTRY.format(
        family="generic", options='options = { entries = "ul li", next_page = "a.next" }'))
    cls = loader.load("demo_town")
    assert (cls.entries, cls.next_page) == ("ul li", "a.next")


@pytest.mark.parametrize("family, options, message", [
    ("cms9", "", "unknown family 'cms9'"),
    ("generic", "", "needs option(s) entries"),
    ("trs", "options = { colour = 1 }", "unknown option(s) colour"),
    ("gkmlpt", 'options = { category = "3121" }', "option 'category' must be int"),
])
def test_bad_entries_say_what_is_wrong(tmp_path, family, options, message):
    with pytest.raises(RegistryError, match=re.escape(message)):
        loader_for(tmp_path, ENTRY.format(family=family, options=options))


@pytest.mark.parametrize("change, message", [
    (('level = "township"', 'level = "village"'), "level 'village'"),
    (('base_url = "https://www.demo.gov.cn"', 'base_url = "https://www.demo.gov.cn/x/"'),
     "scheme://host"),
    (('name = "demo_town"', 'name = "Demo Town"'), "lower-case"),
    (('columns = ["/col/col1/index.html"]', 'columns = ["col1"]'), "start with '/'"),
    (('family = "hanweb"', 'family = "hanweb"\nweb = 1'), "unknown field"),
])
def test_invalid_fields_name_the_entry(change, message):
    text = ENTRY.format(family="hanweb", options="").replace(*change)
    with pytest.raises(RegistryError, match=re.escape(message)):
        parse_registry(text)


def test_duplicate_names_and_python_spider_clash(tmp_path):
    entry = ENTRY.format(family="hanweb", options="")
    with pytest.raises(RegistryError, match="appears twice"):
        parse_registry(entry + entry)
    clash = entry.replace('name = "demo_town"', 'name = "linhai"')
    settings = Settings(get_project_settings().copy_to_dict())
    path = tmp_path / "clash.toml"
    path.write_text(clash, encoding="utf-8")
    settings.set("PORTAL_REGISTRY", str(path))
    settings.set("SPIDER_MODULES", ["tests.registry_spiders"])
    with pytest.raises(RegistryError, match="both a registry entry and a Python spider"):
        PortalSpiderLoader.from_settings(settings)


def test_an_entry_without_a_live_site_is_left_out_of_crawlall():
    cls = PortalSpiderLoader.from_settings(get_project_settings()).load("xinfang")
    assert cls.enabled is False and cls.portal.base_url.endswith(".invalid")
    assert PortalSpiderLoader.from_settings(get_project_settings()).load("linhai").enabled


def test_select_by_region_level_and_family():
    portals = load_portals()
    zhejiang = select(portals, region="浙江省")
    assert "linhai" in {p.name for p in zhejiang}
    assert all(p.region.province == "浙江省" for p in zhejiang)
    assert {p.name for p in select(portals, region="临沂市", level="county")} >= {"hedong"}
    assert all(p.family == "trs" for p in select(portals, family="trs"))


def test_the_registry_covers_provinces_and_every_level():
    portals = load_portals()
    assert len(portals) >= 30
    assert {p.level for p in portals} == set(LEVELS)
    assert len({p.region.province for p in portals}) >= 10
    assert {p.family for p in portals} >= {"hanweb", "hanweb_jpage", "hanweb_xxgk", "trs",
                                           "gkmlpt", "generic"}
    seeds = {"linhai", "dongxiang", "tianshuijun", "hedong", "xinfang"}
    for portal in portals:
        if portal.name not in seeds:  # a real portal is documented by what was seen of it
            assert portal.evidence and all(u.startswith(("http://", "https://"))
                                           for u in portal.evidence), portal.name
