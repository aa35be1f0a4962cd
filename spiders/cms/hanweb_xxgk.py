"""Spider for Hanweb's 信息公开目录 module (``/module/xxgk/``).

Lists the area's catalogue through ``search.jsp`` (POST, ``currpage=N``,
until ``共N页``), restricted to the 年报 category when ``infotype`` is
given, and fetches the module's yearly report pages
``xxgkAnnualReport.jsp?fbtime=YEAR&area=…`` for ``annual_report_years``.
The column path is the catalogue page (``/module/xxgk/tree.jsp?area=…``),
fetched and archived first. Registry options: ``area`` (required),
``infotype``, ``annual_report_years``.
"""

from __future__ import annotations

import scrapy
from scrapy.http import Response

from spiders.cms.columns import ColumnFamilySpider
from spiders.cms.hanweb_lists import ListEntry
from spiders.cms.hanweb_xxgk_lists import (SEARCH_PATH, annual_report_url, parse_search,
                                           search_form)


class HanwebXxgkSpider(ColumnFamilySpider):
    area: str = ""
    infotype: str = ""
    annual_report_years: tuple[int, ...] = ()

    async def start(self):
        if not self.area:
            raise ValueError(f"{self.name}: the hanweb_xxgk family needs the 'area' option")
        for url in self.column_urls():
            yield scrapy.Request(url, callback=self.parse_catalogue,
                                 errback=self.list_page_failed)
        for year in self.annual_report_years:
            # The module's page for a year has no list entry: its title is the page's.
            entry = ListEntry(annual_report_url(self.base_url, self.area, year),
                              f"{year}年政府信息公开工作年度报告", None)
            yield scrapy.Request(entry.url, callback=self.parse_article,
                                 errback=self.listed_page_failed, cb_kwargs={"entry": entry})

    def search_request(self, page: int) -> scrapy.FormRequest:
        return scrapy.FormRequest(self.url(SEARCH_PATH),
                                  formdata=search_form(self.area, self.infotype, page),
                                  callback=self.parse_search, errback=self.list_page_failed,
                                  cb_kwargs={"page": page})

    def parse_catalogue(self, response: Response):
        yield self.search_request(1)

    def parse_search(self, response: Response, page: int):
        listing = parse_search(response.text, response.url)
        self.list_page_read(response, listing.entries)
        for entry in listing.entries:
            yield self.follow_entry(response, entry)
        if listing.entries and page < min(listing.total_pages or 1, self.max_list_pages):
            yield self.search_request(page + 1)
