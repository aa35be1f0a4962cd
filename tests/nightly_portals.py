"""A second portal for nightly tests: Linhai's column under another name, region and level.

Loaded with ``-s SPIDER_MODULES=spiders,tests.nightly_portals``.
"""

from spiders.linhai import LinhaiSpider


class LinhaiMirrorSpider(LinhaiSpider):
    name = "linhai_mirror"
    region = "浙江省/台州市/椒江区"
    level = "district"


class LinhaiUnbuildableSpider(LinhaiSpider):
    """A portal whose crawler cannot be built: ``scrapy crawlall`` fails it and goes on."""

    name = "linhai_unbuildable"
    enabled = False  # crawled only when named

    @classmethod
    def update_settings(cls, settings):
        raise ValueError("this portal's settings do not load")
