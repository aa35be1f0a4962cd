"""Reading a static column list described by selectors (the generic family).

Many portals run a CMS no family here knows (博达 VSB, in-house builds): a
column page with a list of links and a 下一页 link. A registry entry names
the selectors, CSS or XPath (a selector starting with ``/`` or ``(`` is
XPath): ``entries`` selects one element per listed item (the link itself or
its row; a row's first link is the entry), ``next_page`` the link to the
next list page, optionally ``date`` inside an entry (else the first date in
the row's text). Pure functions of the page text, tested on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector, SelectorList

from spiders.cms.hanweb_lists import ListEntry

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(frozen=True)
class ListRules:
    entries: str  # CSS or XPath
    next_page: str = ""  # CSS or XPath of the next-page link; empty: one page
    date: str = ""  # CSS or XPath inside an entry; empty: a date in the row's text


@dataclass(frozen=True)
class GenericPage:
    entries: list[ListEntry]
    next_url: str | None


def select(node, query: str) -> SelectorList:
    query = query.strip()
    return node.xpath(query) if query.startswith(("/", "(", "./")) else node.css(query)


def _date(text: str) -> str | None:
    match = _DATE.search(text)
    if not match:
        return None
    y, m, d = match.groups()
    return f"{y}-{int(m):02d}-{int(d):02d}"


def parse_page(html: str, page_url: str, rules: ListRules) -> GenericPage:
    sel = Selector(text=html)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for node in select(sel, rules.entries):
        link = node if node.root.tag == "a" and "href" in node.attrib else node.css("a[href]")[:1]
        if not link:
            continue
        link = link[0]
        href = link.attrib["href"].strip()
        if href.startswith(("javascript:", "#")):
            continue
        url = urljoin(page_url, href)
        if url in seen:
            continue
        seen.add(url)
        anchor = " ".join(t.strip() for t in link.xpath(".//text()").getall()).strip()
        title = (link.attrib.get("title") or anchor).strip()
        if rules.date:
            date = _date(" ".join(select(node, rules.date).xpath("string()").getall()))
        else:
            date = _date(" ".join(node.xpath(".//text()").getall()).replace(anchor, " "))
        entries.append(ListEntry(url, title, date))
    next_url = None
    if rules.next_page:
        href = select(sel, rules.next_page).xpath("@href").get()
        if href and not href.strip().startswith(("javascript:", "#")):
            candidate = urljoin(page_url, href.strip())
            next_url = candidate if candidate != page_url else None
    return GenericPage(entries, next_url)
