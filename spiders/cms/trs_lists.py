"""Reading TRS WCM (拓尔思) column lists.

A TRS column is static files: ``index.html``, ``index_1.html``, … written by
the CMS, each with a list of links to detail pages
``./YYYYMM/tYYYYMMDD_<docid>.html`` (``.htm``, ``.shtml``) and a pager script
that says how many pages there are. The script comes in several shapes, all
seen on real pages:

* ``createPageHTML(2, 0, "index", "html")``: count, current (0 on index.html);
* ``createPageHTML('page_div', 3, 1, 'index', 'html', 45)``: a div id first,
  then count and a current index that starts at 1 on index.html;
* ``createPage(34, 0, "index", "html")`` with ``//wcm分页，总记录：N``;
* a hand-written pager: ``var currentPage = 0;`` … ``var countPage = 2``.

Whatever the count base, index.html is the first page and the others are
``index_1`` … ``index_{count-1}``: what the call on the first page gives is
the count, and its current index tells which base the template uses (read,
not assumed). The date printed in the list is the one an editor typed and
need not match the ``tYYYYMMDD`` of the URL (the real 恩格贝 list shows
t20181102 listed as 2018-03-26); both are kept. Pure functions of the page
text, tested on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

from spiders.cms.hanweb_lists import ListEntry

DETAIL_PATH = re.compile(r"/(\d{6})/t(\d{8})_(\d+)\.s?html?$")
_ARG = r"""\s*(?:'([^']*)'|"([^"]*)"|(-?\d+))\s*"""
_CALL = re.compile(r"\bcreatePage(?:HTML)?\s*\(((?:" + _ARG + r",)*" + _ARG + r")\)")
_ARGS = re.compile(_ARG)
_VAR = re.compile(r"\bvar\s+(countPage|currentPage)\s*=\s*(\d+)")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(frozen=True)
class Pager:
    count: int  # pages in the column
    current: int  # this page's index as the template counts
    name: str = "index"
    ext: str = "html"

    def page_files(self) -> list[str]:
        """The files of the pages after index.html."""
        return [f"{self.name}_{i}.{self.ext}" for i in range(1, self.count)]


def _call_args(text: str) -> list[str | int]:
    args: list[str | int] = []
    for single, double, number in _ARGS.findall(text):
        args.append(int(number) if number else (single if single or not double else double))
    return args


def parse_pager(html: str) -> Pager | None:
    """The pager the page's script would draw, or None when the page has none."""
    for match in _CALL.finditer(html):
        args = _call_args(match.group(1))
        numbers = [a for a in args if isinstance(a, int)]
        words = [a for a in args if isinstance(a, str)]
        if isinstance(args[0], str):  # createPageHTML('div', count, current, name, ext, …)
            words = words[1:]
        if len(numbers) >= 2:
            name, ext = (words + ["index", "html"])[:2] if len(words) >= 2 else ("index", "html")
            return Pager(count=numbers[0], current=numbers[1], name=name, ext=ext)
    found = dict((k, int(v)) for k, v in _VAR.findall(html))
    if "countPage" in found:
        return Pager(count=found["countPage"], current=found.get("currentPage", 0))
    return None


def url_date(url: str) -> str | None:
    """The date in a detail URL (``t20200903_…``) as YYYY-MM-DD."""
    match = DETAIL_PATH.search(url.split("?")[0])
    if not match:
        return None
    d = match.group(2)
    return f"{d[:4]}-{d[4:6]}-{d[6:]}"


def _listed_date(row_text: str) -> str | None:
    match = _DATE.search(row_text)
    if not match:
        return None
    y, m, d = match.groups()
    return f"{y}-{int(m):02d}-{int(d):02d}"


def parse_list(html: str, page_url: str, *, same_directory: bool = True,
               detail_pattern: re.Pattern[str] = DETAIL_PATH) -> list[ListEntry]:
    """Every detail link of a list page, in page order, with the date its row prints.

    ``same_directory``: only documents under the column's own directory (a
    sidebar of 'latest news' links to other columns' documents, which are not
    this column's entries).
    """
    directory = urljoin(page_url, ".")
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for link in Selector(text=html).xpath("//a[@href]"):
        url = urljoin(page_url, link.attrib["href"].strip())
        if not detail_pattern.search(url.split("?")[0]) or url in seen:
            continue
        if same_directory and not url.startswith(directory):
            continue
        seen.add(url)
        anchor = " ".join(t.strip() for t in link.xpath(".//text()").getall()).strip()
        title = (link.attrib.get("title") or anchor).strip()
        row = link.xpath("ancestor::*[self::li or self::tr or self::dd or self::p][1]")
        row_text = " ".join(row.xpath(".//text()").getall()) if row else ""
        entries.append(ListEntry(url, title, _listed_date(row_text.replace(anchor, " "))))
    return entries
