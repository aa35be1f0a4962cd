"""The Linhai replica: 临海市人民政府's 信息公开年报 column (Hanweb JCMS).

* ``make_site()``: the site object to serve (see ``replica.serve_site``);
* ``catalog``: every listed article with its ground truth
  (:class:`replica.hanweb.model.Article`; ``a.to_dict()`` for plain data);
* ``reports()``: the catalog entries that are reports (HTML or PDF-only);
* ``ground_truth()``: the catalog as plain dicts;
* ``make_site(night=N)``: the column as it is on night N (``nights``), and
  ``night_changes(N)``: what changed from night N-1 to night N, the truth a
  nightly crawl's changes are checked against.
"""

from __future__ import annotations

import copy

from replica.hanweb.site import HanwebSite
from replica.linhai.catalog import build
from replica.linhai.config import DEPARTMENTS, SITE
from replica.linhai.nights import evening, nights_until

catalog = list(build()[0])


def make_site(night: int = 1) -> HanwebSite:
    """A site of its own: editing its articles (recrawl tests) leaves the catalog alone."""
    articles, attachments = build(night)
    site = HanwebSite(SITE, [copy.deepcopy(a) for a in articles], attachments)
    for n, changes in enumerate(nights_until(night), start=1):
        for edit in changes.edited:
            article = _report(site.by_path.values(), edit.dept, edit.year)
            site.edit_article(article.path, {k: article.stats[k] + d
                                             for k, d in edit.deltas.items()}, evening(n))
        for dept, year in changes.withdrawn:
            site.withdraw_article(_report(site.by_path.values(), dept, year).path)
    if night > 1:
        site.print_counters(night)
    return site


def _report(articles, dept: str, year: int):
    agency = DEPARTMENTS[dept][0]
    found = [a for a in articles if a.is_report and a.agency == agency and a.year == year]
    if len(found) != 1:
        raise LookupError(f"{len(found)} reports of {agency} for {year}")
    return found[0]


def night_changes(night: int) -> dict:
    """What night ``night`` changed: new and withdrawn paths, edited path → {key: [old, new]}."""
    if night < 2:
        return {"new": [], "edited": {}, "withdrawn": []}
    before, after = make_site(night - 1), make_site(night)
    edited = {}
    for path in before.by_path.keys() & after.by_path.keys():
        old, new = before.by_path[path].stats or {}, after.by_path[path].stats or {}
        changed = {k: [old.get(k), new.get(k)] for k in old.keys() | new.keys()
                   if old.get(k) != new.get(k)}
        if changed:
            edited[path] = changed
    reports = lambda site: {a.path for a in site.listed if a.is_report}  # noqa: E731
    return {"new": sorted(reports(after) - reports(before)), "edited": edited,
            "withdrawn": sorted(reports(before) - reports(after))}


def reports() -> list:
    return [a for a in catalog if a.is_report]


def ground_truth() -> list[dict]:
    """The catalog as plain JSON-able dicts, newest first."""
    return [a.to_dict() for a in sorted(catalog, key=lambda a: a.published, reverse=True)]


def by_path(path: str):
    return next(a for a in catalog if a.path == path)


__all__ = ["SITE", "by_path", "catalog", "ground_truth", "make_site", "night_changes",
           "reports"]
