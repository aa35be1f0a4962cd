"""Reading Hanweb JCMS column lists (大汉 JCMS).

A Hanweb column page embeds its first list page as XML inside
``<script type="text/xml"><datastore>…</datastore></script>``; each entry is
an HTML ``<li>`` wrapped in CDATA, so an HTML link extractor sees none of
them. Further pages come from ``/module/web/jpage/dataproxy.jsp`` as the same
``<datastore>`` XML with ``<totalrecord>`` and ``<totalpage>``. The
parameters of that endpoint are in the ``nextgroup`` link and in the jpage
init script (``var param_<unitid> = {...}``, ``jpage({...totalRecord:N,
perPage:K})``). These are pure functions of the page text, tested on their
own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
_DATASTORE = re.compile(r"<datastore>.*?</datastore>", re.S)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
# A JS object literal's members: key: 'str' | "str" | bare token.
_JS_MEMBER = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""")
_PARAM_OBJECT = re.compile(r"param_\w+\s*=\s*\{(.*?)\}", re.S)
_JPAGE_CALL = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.S)
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")

# The form fields dataproxy.jsp reads, in the order the jpage script sends them.
DATAPROXY_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType",
                    "unitid", "webname", "permissiontype")


@dataclass(frozen=True)
class ListEntry:
    url: str  # absolute
    title: str  # the title attribute when present: anchor texts are often cut with "…"
    date: str | None  # as listed, YYYY-MM-DD


@dataclass
class ListPage:
    entries: list[ListEntry]
    total_records: int | None = None
    total_pages: int | None = None
    per_page: int | None = None
    # dataproxy.jsp form fields found on the page (column page only)
    params: dict[str, str] = field(default_factory=dict)


def parse_record(html: str, base_url: str) -> ListEntry | None:
    """One ``<record>``'s CDATA: ``<li><a href title>…</a><span>date</span></li>``."""
    sel = Selector(text=html)
    link = sel.css("a[href]")
    if not link:
        return None
    link = link[0]
    title = (link.attrib.get("title") or " ".join(link.css("::text").getall())).strip()
    dates = [_DATE.search(t) for t in sel.css("span::text, b::text, em::text").getall()]
    date = next((m.group(0) for m in dates if m), None)
    return ListEntry(urljoin(base_url, link.attrib["href"].strip()), title, date)


def _entries(xml_text: str, base_url: str) -> list[ListEntry]:
    records = (parse_record(cdata, base_url) for cdata in _RECORD.findall(xml_text))
    return [r for r in records if r is not None]


def _js_members(body: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None)
            for m in _JS_MEMBER.finditer(body)}


def parse_column_page(html: str, base_url: str) -> ListPage:
    """The embedded first list page of a column, with the dataproxy parameters."""
    datastore = _DATASTORE.search(html)
    if datastore is None:
        return ListPage(entries=[])
    xml_text = datastore.group(0)
    params: dict[str, str] = {}
    nextgroup = _NEXTGROUP.search(xml_text)
    if nextgroup:
        href = Selector(text=nextgroup.group(1)).css("a::attr(href)").get() or ""
        params.update(parse_qsl(urlsplit(href).query))
    for obj in _PARAM_OBJECT.findall(html):
        params.update(_js_members(obj))
    jpage = {}
    for call in _JPAGE_CALL.findall(html):
        jpage.update(_js_members(call))
    total = jpage.get("totalRecord")
    per_page = jpage.get("perPage") or params.get("perpage")
    return ListPage(
        entries=_entries(xml_text, base_url),
        total_records=int(total) if total and total.isdigit() else None,
        per_page=int(per_page) if per_page and per_page.isdigit() else None,
        params={k: v for k, v in params.items() if k in DATAPROXY_FIELDS},
    )


def parse_dataproxy(xml_text: str, base_url: str) -> ListPage:
    """A ``dataproxy.jsp`` answer."""
    total_record = _TOTAL_RECORD.search(xml_text)
    total_page = _TOTAL_PAGE.search(xml_text)
    return ListPage(
        entries=_entries(xml_text, base_url),
        total_records=int(total_record.group(1)) if total_record else None,
        total_pages=int(total_page.group(1)) if total_page else None,
    )
