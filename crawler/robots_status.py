"""A column that robots.txt forbids ends the crawl as ``blocked_by_robots``, said aloud.

Scrapy's RobotsTxtMiddleware drops a forbidden request with a debug line and a
``robotstxt/forbidden`` count. When that request is the column itself, the
crawl would end ``finished`` with no reports and no word. This extension,
when the crawl goes idle having read no list page and stored no report while
robots.txt forbade requests, logs a warning and closes it with the reason
``blocked_by_robots``, which the crawl run records as its finish reason (the
portal's status in ``crawl_runs``).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured

logger = logging.getLogger(__name__)

BLOCKED_BY_ROBOTS = "blocked_by_robots"


class RobotsBlockedExtension:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsBlockedExtension:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off")
        return cls(crawler)

    def spider_idle(self) -> None:
        stats = self.crawler.stats
        forbidden = stats.get_value("robotstxt/forbidden", 0)
        if (forbidden and not stats.get_value("nianbao/list_pages")
                and not stats.get_value("item_scraped_count")):
            stats.set_value("nianbao/blocked_by_robots", forbidden)
            logger.warning("robots.txt forbids the column: %d requests not sent, nothing "
                           "crawled; the crawl ends %s", forbidden, BLOCKED_BY_ROBOTS)
            raise CloseSpider(BLOCKED_BY_ROBOTS)
