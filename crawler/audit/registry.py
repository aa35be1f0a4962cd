"""Per-portal knowledge the audit needs, read from the portal spiders."""

from __future__ import annotations

import logging

from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

logger = logging.getLogger(__name__)


def agency_renames(settings: BaseSettings) -> dict[str, dict[str, str]]:
    """Portal (spider) name → its ``agency_renames`` (old agency name → new)."""
    loader = get_spider_loader(settings)
    renames = {}
    for name in loader.list():
        try:
            spider = loader.load(name)
        except (ImportError, KeyError) as exc:  # a broken spider must not stop an audit
            logger.warning("audit: cannot load spider %s: %s", name, exc)
            continue
        renames[name] = dict(getattr(spider, "agency_renames", None) or {})
    return renames
