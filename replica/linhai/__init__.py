"""The Linhai replica: 临海市人民政府's 信息公开年报 column (Hanweb JCMS).

* ``make_site()``: the site object to serve (see ``replica.serve_site``);
* ``catalog``: every listed article with its ground truth
  (:class:`replica.hanweb.model.Article`; ``a.to_dict()`` for plain data);
* ``reports()``: the catalog entries that are reports (HTML or PDF-only);
* ``ground_truth()``: the catalog as plain dicts.
"""

from __future__ import annotations

import copy

from replica.hanweb.site import HanwebSite
from replica.linhai.catalog import build
from replica.linhai.config import SITE

catalog = list(build()[0])


def make_site() -> HanwebSite:
    """A site of its own: editing its articles (recrawl tests) leaves the catalog alone."""
    articles, attachments = build()
    return HanwebSite(SITE, [copy.deepcopy(a) for a in articles], attachments)


def reports() -> list:
    return [a for a in catalog if a.is_report]


def ground_truth() -> list[dict]:
    """The catalog as plain JSON-able dicts, newest first."""
    return [a.to_dict() for a in sorted(catalog, key=lambda a: a.published, reverse=True)]


def by_path(path: str):
    return next(a for a in catalog if a.path == path)


__all__ = ["SITE", "by_path", "catalog", "ground_truth", "make_site", "reports"]
