"""A 信息公开年报 column built by script (replica ``jscolumn``): rendered in Chromium.

The served column page is an empty shell; its script fetches the list as JSON
after load and builds the pager. So the column's list pages are rendered
(``meta["render"]``, crawler/render.py), and so is an article page whose
served HTML has an empty article body and a script to fill it; every other
article page, and every attachment, is fetched as served. No live portal:
``PORTAL_BASE_URL`` names the replica.
"""

from __future__ import annotations

import scrapy
from scrapy.http import Response, TextResponse

from crawler.render import RENDER
from spiders.cms.columns import ColumnFamilySpider
from spiders.cms.hanweb_lists import ListEntry


class JsColumnSpider(ColumnFamilySpider):
    name = "jscolumn"
    column_paths = ("/col/col9001/index.html",)
    # A replica column with no live portal: `scrapy crawlall` takes it only when named.
    enabled = False
    custom_settings = {
        "WARC_DOWNLOAD_HANDLER": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        "WARC_WIRE_SKIP_META": ["playwright"],
    }
    # Where a script fills the article in: an empty one of these on the served page.
    article_body = "#zoom"

    async def start(self):
        for url in self.column_urls():
            yield self.list_request(url)

    def list_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_list, errback=self.list_page_failed,
                              meta={RENDER: True})

    def parse_list(self, response: Response):
        entries = [ListEntry(url=response.urljoin(a.attrib["href"]),
                             title=(a.attrib.get("title") or a.css("::text").get() or "").strip(),
                             date=(li.css(".date::text").get() or "").strip() or None)
                   for li in response.css("#list li") for a in li.css("a[href]")[:1]]
        self.list_page_read(response, entries)
        for entry in entries:
            yield self.follow_entry(response, entry)
        next_page = response.css("#pager a.next::attr(href)").get()
        if next_page and self.crawler.stats.get_value("nianbao/list_pages", 0) < self.max_list_pages:
            yield self.list_request(response.urljoin(next_page))

    def parse_article(self, response: Response, entry):
        if (isinstance(response, TextResponse) and not response.meta.get(RENDER)
                and self.filled_by_script(response)):
            self.crawler.stats.inc_value("nianbao/pages_filled_by_script")
            yield scrapy.Request(response.url, callback=self.parse_article,
                                 errback=self.listed_page_failed, cb_kwargs={"entry": entry},
                                 meta={RENDER: True}, dont_filter=True)
            return
        yield from super().parse_article(response, entry)

    def filled_by_script(self, response: TextResponse) -> bool:
        page = self.page(response)  # not response.css: see ReportColumnSpider.page
        body = page.css(self.article_body)
        return bool(body) and not "".join(body.css("*::text").getall()).strip() and bool(
            page.css("script[src]"))
