"""Spider for a column of a Hanweb JCMS portal (大汉 JCMS).

Walks the column: the list embedded in the column page, then
``dataproxy.jsp`` pages until ``<totalrecord>`` is reached, then every listed
page (see ``spiders.base``). A portal is configured, not coded: a subclass
names the live site and the column path.
"""

from __future__ import annotations

from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from spiders.base import ReportColumnSpider
from spiders.cms.hanweb_lists import ListPage, parse_column_page, parse_dataproxy

DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"


class HanwebColumnSpider(ReportColumnSpider):
    column_path: str = ""  # e.g. "/col/col1229317620/index.html"
    # Records asked of dataproxy.jsp per request when the page does not say.
    default_per_page = 15
    # A guard against a server that ignores startrecord and answers page 1
    # forever (seen on real Hanweb sites): stop after this many list requests.
    max_list_requests = 500

    async def start(self):
        yield scrapy.Request(self.url(self.column_path), callback=self.parse_column,
                             errback=self.list_page_failed)

    def list_page_failed(self, failure):
        """A column or list page that could not be had: the listing is incomplete."""
        self.crawler.stats.inc_value("nianbao/list_pages_failed")
        self.logger.error("List page not fetched: %s: %s", failure.request.url,
                          failure.getErrorMessage())

    def parse_column(self, response: Response):
        listing = parse_column_page(response.text, response.url)
        if not listing.entries:
            self.logger.error("No embedded <datastore> list on %s", response.url)
            self.crawler.stats.inc_value("nianbao/list_pages_without_entries")
        self.crawler.stats.inc_value("nianbao/list_pages")
        for entry in listing.entries:
            yield self.follow_entry(response, entry)
        if not listing.params.get("columnid"):
            self.logger.error("No dataproxy parameters on %s; only the first page is crawled",
                              response.url)
            return
        per_page = listing.per_page or self.default_per_page
        state = {"params": listing.params, "per_page": per_page, "requests": 0,
                 "seen": {e.url for e in listing.entries}}
        if listing.total_records is None or len(listing.entries) < listing.total_records:
            yield self.dataproxy_request(len(listing.entries) + 1, state)

    def dataproxy_request(self, start: int, state: dict) -> scrapy.FormRequest:
        state["requests"] += 1
        end = start + state["per_page"] - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": state["per_page"]})
        formdata = {"col": "1", "appid": "1", "permissiontype": "0", "path": "/",
                    **state["params"]}
        return scrapy.FormRequest(
            self.url(f"{DATAPROXY_PATH}?{query}"), formdata=formdata,
            callback=self.parse_dataproxy, errback=self.list_page_failed,
            cb_kwargs={"start": start, "state": state})

    def parse_dataproxy(self, response: Response, start: int, state: dict):
        page: ListPage = parse_dataproxy(response.text, response.url)
        self.crawler.stats.inc_value("nianbao/list_pages")
        new = [e for e in page.entries if e.url not in state["seen"]]
        if page.entries and not new:
            self.logger.warning("dataproxy.jsp repeated earlier records at startrecord=%d; "
                                "stopping pagination", start)
            self.crawler.stats.inc_value("nianbao/dataproxy_repeats")
            return
        for entry in new:
            state["seen"].add(entry.url)
            yield self.follow_entry(response, entry)
        next_start = start + state["per_page"]
        more = page.total_records is not None and next_start <= page.total_records
        if more and page.entries and state["requests"] < self.max_list_requests:
            yield self.dataproxy_request(next_start, state)
