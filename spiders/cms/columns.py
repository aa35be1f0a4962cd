"""What the family spiders of ``spiders/cms/`` share beyond ``spiders.base``: their columns.

A registry entry gives one or more column paths; a family spider starts at
each. List pages are counted, and a list page without a single entry is said
by URL (a template change, a WAF page, a moved column), never silently
crawled as empty.
"""

from __future__ import annotations

from scrapy.http import Response

from spiders.base import ReportColumnSpider


class ColumnFamilySpider(ReportColumnSpider):
    column_paths: tuple[str, ...] = ()
    # A guard against a list that never ends (a pager that points at itself
    # with a new query, a server answering page 1 for every page).
    max_list_pages = 200

    def column_urls(self) -> list[str]:
        if not self.column_paths:
            raise ValueError(f"{type(self).__name__} has no column_paths")
        return [self.url(path) for path in self.column_paths]

    def list_page_failed(self, failure) -> None:
        """A column or list page that could not be had: the listing is incomplete (and
        crawler/withdrawals.py then takes nothing for withdrawn)."""
        self.crawler.stats.inc_value("nianbao/list_pages_failed")
        self.logger.error("List page not fetched: %s: %s", failure.request.url,
                          failure.getErrorMessage())

    def list_page_read(self, response: Response, entries: list) -> None:
        self.crawler.stats.inc_value("nianbao/list_pages")
        if not entries:
            self.crawler.stats.inc_value("nianbao/list_pages_without_entries")
            self.logger.error("No list entries on %s", response.url)
