"""A column's documents and the truth about them, for the seed-portal replicas.

:class:`Document` is one listed entry (a report, a news item, a 解读) with
what a crawler should end up knowing about it (``to_dict()``); the family
sites (``replica.trs``, ``replica.vsb``, ``replica.gkmlpt``) render it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class Attachment:
    path: str  # absolute path on the site
    name: str  # the link text
    content_type: str
    make: Callable[[], bytes] = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        return {"path": self.path, "name": self.name, "content_type": self.content_type}


@dataclass
class Document:
    path: str  # absolute path of the detail page
    title: str
    published: str  # "YYYY-MM-DD HH:MM", what the page prints
    list_date: str  # what the list prints (an editor's date; need not match the URL)
    publisher: str  # 发布机构 / 来源
    kind: str  # report | pdf_report | news | interpretation
    agency: str | None = None
    template: str | None = None  # pre2019 | 2019 | 2021
    year: int | None = None
    stats: dict | None = None  # spec key → number, None for a blank cell
    legacy_indicators: list | None = None
    metadata: dict = field(default_factory=dict)  # record metadata keys a parser should find
    seed: str | None = None  # "000": the page is that seed's text
    index_no: str = ""
    list_title: str = ""  # anchor text (may be cut with …); empty: the title
    body_html: str = field(default="", repr=False)
    header_html: str = field(default="", repr=False)  # a seed page's own header block
    attachments: list[Attachment] = field(default_factory=list)
    notes: str = ""

    @property
    def is_report(self) -> bool:
        return self.kind in ("report", "pdf_report")

    @property
    def published_date(self) -> str:
        return self.published[:10]

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("body_html")
        d.pop("header_html")
        d["attachments"] = [a.to_dict() for a in self.attachments]
        d["published_date"] = self.published_date
        return d
