"""A second portal for nightly tests: Linhai's column under another name, region and level.

Loaded with ``-s SPIDER_MODULES=spiders,tests.nightly_portals``.
"""

from spiders.linhai import LinhaiSpider


class LinhaiMirrorSpider(LinhaiSpider):
    name = "linhai_mirror"
    region = "浙江省/台州市/椒江区"
    level = "district"
