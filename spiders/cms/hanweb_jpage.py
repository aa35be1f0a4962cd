"""Spider for a column of an older Hanweb JCMS portal: ``GET /module/jpage/dataproxy.jsp?page=N``.

The column page embeds its first list page as on newer Hanweb sites
(``spiders.cms.hanweb_lists``); further pages are GET requests with the
page number and the list unit's parameters in the query string, answered
with the same ``<datastore>`` XML (``<totalpage>``). A server that ignores
``page`` and answers page 1 again is noticed by its first entry and stops
the walk. Registry options: none.
"""

from __future__ import annotations

from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from spiders.cms.columns import ColumnFamilySpider
from spiders.cms.hanweb_lists import parse_column_page, parse_dataproxy

JPAGE_PATH = "/module/jpage/dataproxy.jsp"
# The query parameters the old jpage script sends, in its order.
JPAGE_FIELDS = ("appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")


class HanwebJpageColumnSpider(ColumnFamilySpider):
    async def start(self):
        for url in self.column_urls():
            yield scrapy.Request(url, callback=self.parse_column, errback=self.list_page_failed)

    def page_request(self, page: int, params: dict[str, str], first_url: str | None):
        query = urlencode({"page": page, **{k: params[k] for k in JPAGE_FIELDS if k in params}})
        return scrapy.Request(self.url(f"{JPAGE_PATH}?{query}"), callback=self.parse_page,
                              errback=self.list_page_failed,
                              cb_kwargs={"page": page, "params": params,
                                         "first_url": first_url})

    def parse_column(self, response: Response):
        listing = parse_column_page(response.text, response.url)
        self.list_page_read(response, listing.entries)
        for entry in listing.entries:
            yield self.follow_entry(response, entry)
        params = {"appid": "1", "path": "/", "permissiontype": "0", **listing.params}
        if not params.get("columnid"):
            self.logger.error("No jpage parameters on %s; only the first page is crawled",
                              response.url)
            return
        if listing.entries and (listing.total_records is None
                                or len(listing.entries) < listing.total_records):
            yield self.page_request(2, params, listing.entries[0].url)

    def parse_page(self, response: Response, page: int, params: dict[str, str],
                   first_url: str | None):
        listing = parse_dataproxy(response.text, response.url)
        if listing.entries and listing.entries[0].url == first_url:
            self.crawler.stats.inc_value("nianbao/dataproxy_repeats")
            self.logger.warning("%s answered page %d with page 1 again; stopping",
                                response.url, page)
            return
        self.list_page_read(response, listing.entries)
        for entry in listing.entries:
            yield self.follow_entry(response, entry)
        last = listing.total_pages or 0
        if listing.entries and page < min(last, self.max_list_pages):
            yield self.page_request(page + 1, params, first_url)
