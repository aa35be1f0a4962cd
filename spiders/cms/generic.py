"""Spider for a static column list described by selectors (the generic family).

Registry options: ``entries`` (CSS/XPath of the listed items, required),
``next_page`` (CSS/XPath of the next-page link), ``date`` (CSS/XPath of the
date inside an item). See ``spiders.cms.generic_lists``.
"""

from __future__ import annotations

import scrapy
from scrapy.http import Response

from spiders.cms.columns import ColumnFamilySpider
from spiders.cms.generic_lists import ListRules, parse_page


class GenericColumnSpider(ColumnFamilySpider):
    entries: str = ""
    next_page: str = ""
    date: str = ""

    async def start(self):
        if not self.entries:
            raise ValueError(f"{self.name}: the generic family needs the 'entries' option")
        for url in self.column_urls():
            yield scrapy.Request(url, callback=self.parse_list_page, errback=self.list_page_failed,
                                 cb_kwargs={"page": 1})

    def parse_list_page(self, response: Response, page: int):
        listing = parse_page(response.text, response.url,
                             ListRules(self.entries, self.next_page, self.date))
        self.list_page_read(response, listing.entries)
        for entry in listing.entries:
            yield self.follow_entry(response, entry)
        if listing.next_url and listing.entries and page < self.max_list_pages:
            yield scrapy.Request(listing.next_url, callback=self.parse_list_page,
                                 errback=self.list_page_failed, cb_kwargs={"page": page + 1})
