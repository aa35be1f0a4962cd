"""Spider for a column of a Hanweb JCMS portal (大汉 JCMS).

Walks the column: the list embedded in the column page, then
``dataproxy.jsp`` pages until ``<totalrecord>`` is reached, then every listed
page (see ``spiders.base``). A portal is configured, not coded: a subclass
names the live site and the column path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from spiders.base import ReportColumnSpider
from spiders.cms.hanweb_lists import ListPage, parse_column_page, parse_dataproxy

DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"


@dataclass(frozen=True)
class Pagination:
    """A walk through ``dataproxy.jsp``, handed from one list request to the next.

    Request state, so small and plain (a queued request is pickled to disk under
    ``JOBDIR``, or into a shared frontier): each request gets a value of its own.
    Entries listed twice (records shifted by a report published mid-crawl) are left
    to Scrapy's duplicate filter, which ``JOBDIR`` keeps across a pause.
    """

    params: dict[str, str]  # the dataproxy form fields found on the column page
    per_page: int
    requests: int = 0  # list requests made, held to max_list_requests
    # The first entry of the column page and of the last list page: a server that
    # ignores startrecord answers one of those pages again.
    column_first_url: str | None = None
    previous_first_url: str | None = None

    def repeats(self, page: ListPage) -> bool:
        return bool(page.entries) and page.entries[0].url in (
            self.column_first_url, self.previous_first_url)


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
        state = Pagination(params=listing.params,
                           per_page=listing.per_page or self.default_per_page,
                           column_first_url=listing.entries[0].url if listing.entries else None)
        if listing.total_records is None or len(listing.entries) < listing.total_records:
            yield self.dataproxy_request(len(listing.entries) + 1, state)

    def dataproxy_request(self, start: int, state: Pagination) -> scrapy.FormRequest:
        state = replace(state, requests=state.requests + 1)
        end = start + state.per_page - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": state.per_page})
        formdata = {"col": "1", "appid": "1", "permissiontype": "0", "path": "/",
                    **state.params}
        return scrapy.FormRequest(
            self.url(f"{DATAPROXY_PATH}?{query}"), formdata=formdata,
            callback=self.parse_dataproxy, errback=self.list_page_failed,
            cb_kwargs={"start": start, "state": state})

    def parse_dataproxy(self, response: Response, start: int, state: Pagination):
        page: ListPage = parse_dataproxy(response.text, response.url)
        self.crawler.stats.inc_value("nianbao/list_pages")
        if state.repeats(page):
            self.logger.warning("dataproxy.jsp repeated earlier records at startrecord=%d; "
                                "stopping pagination", start)
            self.crawler.stats.inc_value("nianbao/dataproxy_repeats")
            return
        for entry in page.entries:
            yield self.follow_entry(response, entry)
        next_start = start + state.per_page
        more = page.total_records is not None and next_start <= page.total_records
        if more and page.entries and state.requests < self.max_list_requests:
            yield self.dataproxy_request(
                next_start, replace(state, previous_first_url=page.entries[0].url))
