"""Spider for a Guangdong gkmlpt category (广东政府信息公开目录平台).

Fetches the column page (``/gkmlpt/index``, archived like any page) for the
site id, then ``api/all/<category>?page=N&sid=<SID>`` beside it until
``total`` is covered, and every listed ``post_<id>.html``. Registry options:
``category`` (the 信息公开年报 category id, required), ``sid`` (when the
column page does not carry it).
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin

import scrapy
from scrapy.http import Response

from spiders.cms.columns import ColumnFamilySpider
from spiders.cms.gkmlpt_lists import GkmlptError, parse_api, parse_config


class GkmlptColumnSpider(ColumnFamilySpider):
    category: int = 0
    sid: str = ""

    async def start(self):
        if not self.category:
            raise ValueError(f"{self.name}: the gkmlpt family needs the 'category' option")
        for url in self.column_urls():
            yield scrapy.Request(url, callback=self.parse_column, errback=self.list_page_failed)

    def api_request(self, column_url: str, sid: str, page: int) -> scrapy.Request:
        query = urlencode({"page": page, "sid": sid})
        url = urljoin(column_url, f"api/all/{self.category}?{query}")
        return scrapy.Request(url, callback=self.parse_api, errback=self.list_page_failed,
                              headers={"Accept": "application/json, text/javascript, */*; q=0.01",
                                       "X-Requested-With": "XMLHttpRequest"},
                              cb_kwargs={"column_url": column_url, "sid": sid, "page": page})

    def parse_column(self, response: Response):
        sid, _tree = parse_config(response.text)
        sid = sid or self.sid
        if not sid:
            self.logger.error("No SID on %s and no 'sid' option: cannot list the column",
                              response.url)
            self.crawler.stats.inc_value("nianbao/list_pages_without_entries")
            return
        yield self.api_request(response.url, sid, 1)

    def parse_api(self, response: Response, column_url: str, sid: str, page: int):
        try:
            listing = parse_api(response.text, response.url)
        except GkmlptError as exc:
            self.crawler.stats.inc_value("nianbao/list_pages_unreadable")
            self.logger.error("gkmlpt list %s unreadable: %s", response.url, exc)
            return
        self.list_page_read(response, listing.entries)
        for entry in listing.entries:
            yield self.follow_entry(response, entry)
        if listing.entries and page < min(listing.pages, self.max_list_pages):
            yield self.api_request(column_url, sid, page + 1)
