"""Data a Hanweb JCMS replica is built from: the site, its columns, its articles.

:class:`Article` doubles as the ground truth the tests compare against:
``to_dict()`` gives everything a crawler should end up knowing about a page
(and what it should not store), never the rendered HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Column:
    id: int
    name: str  # ColumnName
    breadcrumb: tuple[tuple[str, str], ...]  # (text, href) after 首页, the column itself last
    column_type: str = ""
    description: str = ""
    keywords: str = ""


@dataclass(frozen=True)
class SiteConfig:
    key: str  # "linhai"
    site_name: str  # 临海市人民政府
    domain: str  # www.linhai.gov.cn
    scheme: str
    site_id_code: str  # 10 digits: 行政区划 + 4
    webid: int
    list_column: Column  # the 信息公开年报 column
    unitid: int  # the list unit on the column page
    perpage: int  # jpage perPage
    group_size: int  # jpage groupSize: pages fetched per dataproxy call
    columns: dict[int, Column]  # every column an article may belong to
    nav: tuple[tuple[str, str], ...]  # left navigation of the column page
    search_href: str  # a site-search link (disallowed by robots.txt)
    robots_txt: str
    footer: str
    get_default_perpage: int = 100  # dataproxy GET without perpage (see hanweb.site)
    max_records: int = 300  # dataproxy truncates larger ranges
    # Articles whose template prints the visit count server-side: new bytes on
    # every visit, same content (see HanwebSite.counter_paths).
    counter_paths: tuple[str, ...] = ()


@dataclass
class Article:
    """One listed entry of the column, and the truth about it."""

    path: str  # /art/2023/1/4/art_1229709042_67998.html
    title: str  # full title (title attribute, ArticleTitle, page heading)
    list_title: str  # anchor text in the list (may be truncated with …)
    publisher: str  # 来源 / ContentSource text
    agency: str | None  # the reporting body's full name
    published: str  # "YYYY-MM-DD HH:MM"
    kind: str  # report | pdf_report | interpretation | dead | soft404
    status: int  # HTTP status of the article URL
    column_id: int
    template: str | None = None  # pre2019 | 2019 | 2021 (tables printed)
    year: int | None = None  # statistics year
    stats: dict | None = None  # spec key → number, None for a blank/'-'/'/' cell
    cells: dict | None = None  # spec key (or legacy key) → text exactly as printed
    legacy_indicators: list | None = None
    broken_rules: list = field(default_factory=list)  # every failing rule instance
    intended_break: str | None = None  # the rule family broken on purpose
    # Cross-report codes this report must get against the agency's previous year
    broken_links: list = field(default_factory=list)
    stats_source: str | None = None  # generated | real_page
    encoding: str = "utf-8"
    header_charset: bool = True  # charset in the HTTP Content-Type
    meta_charset: str | None = "utf-8"
    attachments: list = field(default_factory=list)
    date_tag: str = "span"  # the list record wraps the date in <span> or <b>
    page_style: str = "modern"  # modern | old
    notes: str = ""
    body_html: str = field(default="", repr=False)  # content of div#zoom
    # Renders body_html again from the cells (set by the catalog for generated reports).
    render: Callable[[Article], str] | None = field(default=None, repr=False, compare=False)

    @property
    def published_date(self) -> str:
        return self.published[:10]

    @property
    def article_id(self) -> int:
        return int(self.path.rsplit("_", 1)[1].split(".")[0])

    @property
    def is_report(self) -> bool:
        return self.kind in ("report", "pdf_report")

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("body_html")
        d.pop("render")
        d["published_date"] = self.published_date
        return d
