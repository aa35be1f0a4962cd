"""Reading Hanweb's 信息公开目录 module (``/module/xxgk/``).

Sites on the older Hanweb 信息公开 platform list a catalogue with
``POST /module/xxgk/search.jsp`` (form: ``infotypeId``, ``area``,
``divid``, ``currpage=N``, ``fbtime=-1``, …): an HTML fragment of rows
``tr.tr_main_value_odd`` / ``tr.tr_main_value_even`` (index number, title
link, date) and a pager whose text says ``共N页``. The yearly report of an
area is also a page of its own, ``/module/xxgk/xxgkAnnualReport.jsp?fbtime=
YEAR&area=<code>`` (seen for 丽水). Pure functions, tested on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin

from parsel import Selector

from spiders.cms.hanweb_lists import ListEntry

SEARCH_PATH = "/module/xxgk/search.jsp"
ANNUAL_REPORT_PATH = "/module/xxgk/xxgkAnnualReport.jsp"
_PAGES = re.compile(r"共\s*(\d+)\s*页")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


@dataclass(frozen=True)
class XxgkPage:
    entries: list[ListEntry]
    total_pages: int | None


def search_form(area: str, infotype: str, page: int) -> dict[str, str]:
    """The form search.jsp reads, as the module's own script posts it."""
    return {"infotypeId": infotype, "jdid": "", "area": area, "divid": "div1",
            "vc_title": "", "vc_number": "", "vc_filenumber": "", "vc_all": "",
            "texttype": "", "fbtime": "-1", "currpage": str(page),
            "sortfield": ",createdatetime:0,orderid:0"}


def annual_report_url(base_url: str, area: str, year: int) -> str:
    return base_url + ANNUAL_REPORT_PATH + "?" + urlencode({"fbtime": year, "area": area})


def parse_search(html: str, base_url: str) -> XxgkPage:
    sel = Selector(text=html)
    entries = []
    for row in sel.css("tr.tr_main_value_odd, tr.tr_main_value_even"):
        link = row.css("a[href]")[:1]
        if not link:
            continue
        link = link[0]
        title = (link.attrib.get("title")
                 or " ".join(t.strip() for t in link.xpath(".//text()").getall())).strip()
        date = _DATE.search(" ".join(row.xpath(".//td[last()]//text()").getall()))
        entries.append(ListEntry(urljoin(base_url, link.attrib["href"].strip()), title,
                                 date.group(0) if date else None))
    pages = _PAGES.search(" ".join(sel.xpath("//text()").getall()))
    return XxgkPage(entries, int(pages.group(1)) if pages else None)
