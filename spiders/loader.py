"""A spider loader that adds one spider per portal registry entry (``SPIDER_LOADER_CLASS``).

Scrapy's loader finds the Python spider classes of ``SPIDER_MODULES``; this
one then reads the registry (``PORTAL_REGISTRY``, default
``spiders/portals.toml``) and adds each entry's class
(``spiders.families.spider_class``), so ``scrapy list`` shows every portal
and ``scrapy crawl NAME`` crawls any of them. A registry entry and a Python
spider of the same name is an error, as is any invalid entry: a registry
that does not load stops every command with a message naming the entry.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from spiders.families import spider_class
from spiders.registry import RegistryError, load_portals


class PortalSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings):
        self.registry_path = settings.get("PORTAL_REGISTRY") or None
        super().__init__(settings)

    # Scrapy's loader fills self._spiders in _load_all_spiders; extending that step keeps
    # load(), list() and find_by_request() its own.
    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        for portal in load_portals(self.registry_path):
            if portal.name in self._spiders:
                module, _ = self._found[portal.name][0]
                raise RegistryError(f"portal {portal.name!r} is both a registry entry and a "
                                    f"Python spider in {module}")
            cls = spider_class(portal)
            self._found[portal.name].append((cls.__module__, cls.__name__))
            self._spiders[portal.name] = cls
