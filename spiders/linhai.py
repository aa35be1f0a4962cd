"""临海市人民政府 (Linhai, Zhejiang): the 信息公开年报 column, on Hanweb JCMS.

The portal is an entry of ``spiders/portals.toml``; this module keeps the
class importable under its old name.
"""

from spiders.families import spider_class
from spiders.registry import load_portals

LinhaiSpider = spider_class(next(p for p in load_portals() if p.name == "linhai"))
