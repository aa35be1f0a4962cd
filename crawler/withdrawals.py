"""Finding reports a portal took down: stored, but no longer in its column.

When the spider has walked its column (its first ``spider_idle``), this
extension asks storage for the portal's stored reports that are not marked
withdrawn, keeps those on the site being crawled that the column did not list
this time, and hands them to the spider's ``check_unlisted``: the spider
fetches each page and yields a ``ReportWithdrawal`` saying how it is gone
(404, 410, a soft 404, or still answering but gone from the list), which the
storage pipeline marks. A page that times out says nothing and is asked
again next time.

A column that failed to list (a list page not fetched, no entries at all)
would make every report look withdrawn, so then nothing is checked; nor when
more than ``WITHDRAWAL_CHECK_MAX_SHARE`` of the stored reports went unlisted
at once (a redesign, not a clean-up: the nightly monitors say so).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import BaseSettings

from storage.changes import ChangeQueries
from storage.db import shared_engine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WithdrawalCheckConfig:
    database_url: str
    max_share: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> WithdrawalCheckConfig:
        if not settings.getbool("WITHDRAWAL_CHECK_ENABLED"):
            raise NotConfigured("WITHDRAWAL_CHECK_ENABLED is off")
        if not settings.get("DATABASE_URL"):
            raise NotConfigured("no DATABASE_URL: no stored reports to check")
        share = settings.getfloat("WITHDRAWAL_CHECK_MAX_SHARE")
        if not 0 < share <= 1:
            raise ValueError(f"WITHDRAWAL_CHECK_MAX_SHARE must be in (0, 1], not {share}")
        return cls(settings.get("DATABASE_URL"), share)


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


class WithdrawalCheck:
    def __init__(self, crawler: Crawler, config: WithdrawalCheckConfig):
        self.crawler = crawler
        self.config = config
        self.checked = False
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WithdrawalCheck:
        return cls(crawler, WithdrawalCheckConfig.from_settings(crawler.settings))

    def spider_idle(self) -> None:
        spider = self.crawler.spider
        if self.checked or not hasattr(spider, "check_unlisted"):
            return
        self.checked = True
        unlisted = self.unlisted(spider)
        if not unlisted:
            return
        stats = self.crawler.stats
        stats.set_value("nianbao/unlisted_reports", len(unlisted))
        for request in spider.check_unlisted(unlisted):
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def unlisted(self, spider) -> list[str]:
        stats = self.crawler.stats
        if not stats.get_value("storage/crawl_run_id"):
            return []  # nothing is stored by this crawl (no storage pipeline): nothing to mark
        if stats.get_value("nianbao/list_pages_failed") or not stats.get_value(
                "nianbao/list_entries"):
            logger.warning("The column of %s was not listed in full: no withdrawal check",
                           spider.name)
            stats.set_value("nianbao/withdrawal_check_skipped", "listing incomplete")
            return []
        stored = ChangeQueries(shared_engine(self.config.database_url, migrate=False)
                               ).listed_reports(spider.name)
        site = _origin(spider.base_url)
        stored = [url for url in stored if _origin(url) == site]
        unlisted = [url for url in stored if url not in spider.listed_urls]
        if len(unlisted) > self.config.max_share * len(stored):
            logger.warning("%d of %d stored reports of %s are not listed: a redesign or a "
                           "block, not withdrawals; none is checked", len(unlisted), len(stored),
                           spider.name)
            stats.set_value("nianbao/withdrawal_check_skipped", "too many unlisted")
            return []
        return unlisted
