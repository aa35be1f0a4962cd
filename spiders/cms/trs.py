"""Spider for a column of a TRS WCM portal (拓尔思).

Reads ``index.html`` of the column, the pager script on it (see
``spiders.cms.trs_lists``) for the other list files, and every listed
detail page (``spiders.base`` tells reports from the news mixed into the
column). Registry options: ``same_directory`` (only documents under the
column's directory; default true).
"""

from __future__ import annotations

import scrapy
from scrapy.http import Response

from spiders.cms.columns import ColumnFamilySpider
from spiders.cms.trs_lists import parse_list, parse_pager


class TrsColumnSpider(ColumnFamilySpider):
    same_directory = True

    async def start(self):
        for url in self.column_urls():
            yield scrapy.Request(url, callback=self.parse_column, errback=self.list_page_failed)

    def parse_column(self, response: Response):
        yield from self.parse_list_page(response)
        pager = parse_pager(response.text)
        if pager is None:
            self.logger.info("No pager script on %s: one list page", response.url)
            return
        if pager.current not in (0, 1):
            self.logger.warning("Pager on %s says this is page index %d, not the first; "
                                "reading %d pages from it", response.url, pager.current,
                                pager.count)
        files = pager.page_files()
        if len(files) >= self.max_list_pages:
            self.logger.warning("%s claims %d list pages; reading %d", response.url,
                                pager.count, self.max_list_pages)
            files = files[:self.max_list_pages - 1]
        for name in files:
            yield response.follow(name, callback=self.parse_list_page,
                                  errback=self.list_page_failed)

    def parse_list_page(self, response: Response):
        entries = parse_list(response.text, response.url, same_directory=self.same_directory)
        self.list_page_read(response, entries)
        for entry in entries:
            yield self.follow_entry(response, entry)
