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
from itertools import islice
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree
from parsel import Selector

# A portal's list is hostile input: a page of unclosed tags must cost time in
# proportion to its length. The XML is read by lxml in recovery mode (linear,
# and it keeps what precedes damage); the few regexes left are linear because
# every repetition is anchored (a word boundary, a literal) and bounded by a
# character class that stops at the next brace or quote, so no two attempts
# scan the same text twice.
_DATASTORE_OPEN, _DATASTORE_CLOSE = "<datastore>", "</datastore>"
_JS_MEMBER = re.compile(r"""\b(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""")
# A real parameter object is a few hundred bytes: longer ones are not read.
_PARAM_OBJECT = re.compile(r"\bparam_\w*\s*=\s*\{([^{}]{0,4096})\}")
_JPAGE_CALL = re.compile(r"\.jpage\(\s*\{([^{}]{0,4096})\}")
MAX_SCRIPT_OBJECTS = 16  # of each kind; a column page has one or two
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
# Characters XML 1.0 forbids: libxml2's recovery drops the rest of the document
# at the first one, so a title with a terminal escape would lose the records
# after it. They become U+FFFD instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A real list page holds 15 to 60 records; a page of thousands is not a list.
MAX_RECORDS = 1000

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


def _datastore(xml_text: str) -> etree._Element | None:
    """The ``<datastore>`` XML, recovered as far as it is readable."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(_NOT_XML.sub("\ufffd", xml_text).encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    return root if root.tag == "datastore" else root.find(".//datastore")


def _text_of(root: etree._Element | None, tag: str) -> str | None:
    found = root.find(f".//{tag}") if root is not None else None
    return found.text if found is not None and found.text else None


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _entries(root: etree._Element | None, base_url: str) -> list[ListEntry]:
    if root is None:
        return []
    records = []
    for record in root.iter("record"):
        if len(records) == MAX_RECORDS:
            break
        records.append(parse_record(record.text or "", base_url))
    return [r for r in records if r is not None]


def _js_members(body: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None)
            for m in _JS_MEMBER.finditer(body)}


def _cut_datastore(html: str) -> str | None:
    """The first ``<datastore>…</datastore>`` of a page (to its end if never closed)."""
    start = html.find(_DATASTORE_OPEN)
    if start < 0:
        return None
    end = html.find(_DATASTORE_CLOSE, start)
    return html[start:] if end < 0 else html[start:end + len(_DATASTORE_CLOSE)]


def parse_column_page(html: str, base_url: str) -> ListPage:
    """The embedded first list page of a column, with the dataproxy parameters."""
    xml_text = _cut_datastore(html)
    if xml_text is None:
        return ListPage(entries=[])
    root = _datastore(xml_text)
    params: dict[str, str] = {}
    nextgroup = _text_of(root, "nextgroup")
    if nextgroup:
        href = Selector(text=nextgroup).css("a::attr(href)").get() or ""
        params.update(parse_qsl(urlsplit(href).query))
    for obj in islice(_PARAM_OBJECT.finditer(html), MAX_SCRIPT_OBJECTS):
        params.update(_js_members(obj.group(1)))
    jpage = {}
    for call in islice(_JPAGE_CALL.finditer(html), MAX_SCRIPT_OBJECTS):
        jpage.update(_js_members(call.group(1)))
    per_page = jpage.get("perPage") or params.get("perpage")
    return ListPage(
        entries=_entries(root, base_url),
        total_records=_number(jpage.get("totalRecord")),
        per_page=_number(per_page),
        params={k: v for k, v in params.items() if k in DATAPROXY_FIELDS},
    )


def parse_dataproxy(xml_text: str, base_url: str) -> ListPage:
    """A ``dataproxy.jsp`` answer."""
    # The XML declaration names an encoding, so lxml reads bytes; the text is
    # already decoded, so the declaration is dropped before re-encoding.
    start = xml_text.find(_DATASTORE_OPEN)
    root = _datastore(xml_text[start:]) if start >= 0 else None
    return ListPage(
        entries=_entries(root, base_url),
        total_records=_number(_text_of(root, "totalrecord")),
        total_pages=_number(_text_of(root, "totalpage")),
    )
