"""crawler/nightly/portals.py: which portals scrapy crawlall takes, from the real spider loader."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from crawler import settings as project_settings
from crawler.nightly.portals import Portal, UnknownPortal, choose


@pytest.fixture(scope="module")
def loader():
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("SPIDER_MODULES", ["spiders", "tests.nightly_portals"])
    return get_spider_loader(settings)


def test_every_enabled_portal_by_default(loader):
    names = [p.name for p in choose(loader)]
    assert "linhai" in names and "linhai_mirror" in names
    enabled = [n for n in loader.list() if getattr(loader.load(n), "enabled", True)]
    assert names == sorted(names) and len(names) == len(enabled)
    assert "xinfang" not in names  # a registry entry with enabled = false (no live site)


def test_named_portals_in_the_order_given(loader):
    assert [p.name for p in choose(loader, ["linhai_mirror", "linhai", "linhai"])] == [
        "linhai_mirror", "linhai"]
    with pytest.raises(UnknownPortal, match="nowhere"):
        choose(loader, ["linhai", "nowhere"])


def test_region_and_level_come_from_the_registry_or_the_spider(loader):
    linhai = Portal.of("linhai", loader.load("linhai"))
    assert (linhai.region, linhai.level) == ("浙江省/台州市/临海市", "county")
    mirror = Portal.of("linhai_mirror", loader.load("linhai_mirror"))
    assert (mirror.region, mirror.level) == ("浙江省/台州市/椒江区", "district")
    assert [p.name for p in choose(loader, ["linhai", "linhai_mirror"], region="临海市")] == [
        "linhai"]
    in_taizhou = {p.name for p in choose(loader, region="台州市")}
    assert {"linhai", "linhai_mirror"} <= in_taizhou
    assert all(p.in_region("台州市") for p in choose(loader, region="台州市"))
    assert [p.name for p in choose(loader, level="district")] == ["linhai_mirror"]
    assert choose(loader, region="台州") == []  # a whole name, not a part of one


def test_disabled_portals_are_left_out_unless_named(loader):
    class Off:
        enabled = False

    class FakeLoader:
        def list(self):
            return ["off", "on"]

        def load(self, name):
            return Off if name == "off" else object

    assert [p.name for p in choose(FakeLoader())] == ["on"]
    assert [p.name for p in choose(FakeLoader(), ["off"])] == ["off"]
