"""How a fetched page is told to be an annual report: the rules spiders and ingest share.

A spider (``spiders/base.py``) applies them to what it fetches, with the
title its column listed; ``crawler.ingest`` applies them to pages found in an
archive, where no list title is known. Per-portal wording is a spider's class
data (``ReportRules.of(spider_class)``); these are the defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cssselect
from cssselect.parser import Attrib, Class, Element, Hash
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

# Titles seen: …年政府信息公开工作年度报告, …年度政府信息公开工作报告,
# …政府信息公开年报, …政务信息公开年度报告. A bare 工作报告 is not one
# (政府工作报告 is another document).
REPORT_TITLE = re.compile(r"年度报告|年报|信息公开.{0,6}报告")
NOT_REPORT_TITLE = re.compile(r"解读|图解|问答|通知|公告")
SOFT_404_MARKERS = ("页面不存在", "您访问的页面不存在", "页面已删除", "信息已删除",
                    "找不到该页面")
# A real report page is long; an error page dressed as 200 is short.
SOFT_404_MAX_CHARS = 3000
# Every kind a column links: PDF, Word, WPS, Excel, WPS spreadsheets (.et), archives.
ATTACHMENT_LINKS = ", ".join(
    f"a[href$='{suffix}']" for ext in ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et",
                                       "zip", "rar", "ofd")
    for suffix in (f".{ext}", f".{ext.upper()}")) + ", a[href*='downfile.jsp']"

# Links to reports (by their titles) that make a page a list rather than a report.
LIST_MIN_REPORT_LINKS = 3

# Compiled once and run on lxml's tree directly: parsel's .xpath().getall() wraps
# every text node of a report page in a Selector first, which cost the spider
# about 3 ms per page on the reactor thread (issue 11), for the same strings.
_BODY_TEXT = etree.XPath("//body//text()", smart_strings=False)
_HREFS = etree.XPath("descendant-or-self::*/@href", smart_strings=False)


@dataclass(frozen=True)
class ReportRules:
    report_title: re.Pattern = REPORT_TITLE
    not_report_title: re.Pattern = NOT_REPORT_TITLE
    soft_404_markers: tuple[str, ...] = SOFT_404_MARKERS
    soft_404_max_chars: int = SOFT_404_MAX_CHARS
    attachment_links: str = ATTACHMENT_LINKS
    list_min_report_links: int = LIST_MIN_REPORT_LINKS

    @classmethod
    def of(cls, spider_class) -> ReportRules:
        """The rules a spider class applies (its class data, where it overrides them)."""
        return cls(**{name: getattr(spider_class, name, default) for name, default in
                      cls.__dataclass_fields__.items() for default in [default.default]})

    def is_report_title(self, title: str) -> bool:
        # A 繁體 gateway's title (報告, pinyin glosses 報(bào)告) is read as the parser reads it.
        title = to_simplified(title)
        return bool(self.report_title.search(title)) and not self.not_report_title.search(title)

    def is_report(self, list_title: str, page_title: str) -> bool:
        """The list title decides, unless it was cut ("…"); the page's title can only veto.

        A page in an undeclared GBK may decode to mojibake here (the pipeline
        decodes it properly), and mojibake must not make a report disappear.
        """
        if self.not_report_title.search(to_simplified(page_title)):
            return False
        if list_title.rstrip().endswith(("…", "...")) and page_title:
            return self.is_report_title(page_title) or self.is_report_title(list_title)
        return self.is_report_title(list_title)

    def is_soft_404(self, status: int, page: Selector) -> bool:
        if status != 200:
            return False
        texts = body_texts(page)
        # The length of " ".join(texts), known before joining: a long page is no error page.
        if sum(map(len, texts)) + max(0, len(texts) - 1) > self.soft_404_max_chars:
            return False
        text = " ".join(texts)
        return any(marker in text for marker in self.soft_404_markers)

    def lists_reports(self, page: Selector) -> bool:
        """A column or list page: it links several reports by their titles. An article
        links at most two (上一篇, 下一篇); a spider never takes a list for a report,
        and an archive read without the column's structure must not either."""
        titles = {text.strip() for text in page.css("a::text, a::attr(title)").getall()}
        return sum(self.is_report_title(t) for t in titles if t) >= self.list_min_report_links

    @staticmethod
    def page_title(page: Selector) -> str:
        return (page.css("meta[name=ArticleTitle]::attr(content)").get()
                or page.css("title::text").get() or "").strip()

    def attachment_hrefs(self, page: Selector) -> list[str]:
        """``page.css(self.attachment_links).css("::attr(href)").getall()``, in one pass."""
        links = _one_pass(self.attachment_links) if page.type == "html" else None
        if links is None:
            return page.css(self.attachment_links).css("::attr(href)").getall()
        return [href for element in links(page.root) for href in _HREFS(element)]


def to_simplified(text: str) -> str:
    """The parser's reading of a title (繁→简, pinyin glosses dropped).

    Imported on first use: importing ``crawler.parser`` loads the whole parser,
    which ``scrapy list`` (every spider module imports these rules) does not need.
    """
    from crawler.parser.normalize import to_simplified as parser_reading

    return parser_reading(text)


@lru_cache(maxsize=64)
def _one_pass(css: str) -> etree.XPath | None:
    """A group of simple selectors (``a[href$='.pdf'], a[href$='.PDF'], ...``) as one scan.

    Parsel evaluates a group as a union of paths, one scan of the page per
    selector: the default attachment selectors made 21 scans, about 0.7 ms per
    report page on the reactor thread. Selectors of the same element name
    become one path whose predicate is their conditions or-ed
    (``descendant-or-self::a[c1 or c2 ...]``): one scan per element name, the
    same elements in the same (document) order. Only for selectors of element
    names, attributes, classes and ids, where the two are the same; None
    (parsel's way) for anything else, combinators above all.
    """
    try:
        selectors = cssselect.parse(css)
    except cssselect.SelectorError:
        return None
    if not selectors or not all(s.pseudo_element is None and _simple(s.parsed_tree)
                                for s in selectors):
        return None
    translator = HTMLTranslator()
    conditions: dict[str, list[str]] = {}
    for selector in selectors:
        expr = translator.xpath(selector.parsed_tree)
        conditions.setdefault(expr.element, []).append(expr.condition)
    paths = [f"descendant-or-self::{element}" if not all(tests) else
             f"descendant-or-self::{element}[{' or '.join(f'({t})' for t in tests)}]"
             for element, tests in conditions.items()]
    return etree.XPath(" | ".join(paths), smart_strings=False)


def _simple(tree) -> bool:
    while isinstance(tree, (Attrib, Class, Hash)):
        tree = tree.selector
    return isinstance(tree, Element)


def body_texts(page: Selector) -> list[str]:
    """The text nodes under ``<body>``, as ``page.xpath("//body//text()").getall()``."""
    if page.type in ("html", "xml"):
        return _BODY_TEXT(page.root)
    return page.xpath("//body//text()").getall()
