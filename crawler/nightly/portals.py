"""Which portals a nightly run crawls.

Today every spider the spider loader knows is a portal. A portal registry
(region, level, enabled) plugs in through the attributes read here: a spider
class, or whatever the loader returns, may carry ``region``, ``level`` and
``enabled``; a portal without them has no region or level and is enabled.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Portal:
    name: str
    spider_cls: type
    region: str | None = None
    level: str | None = None
    enabled: bool = True

    @classmethod
    def of(cls, name: str, spider_cls: type) -> Portal:
        return cls(name, spider_cls, getattr(spider_cls, "region", None),
                   getattr(spider_cls, "level", None),
                   bool(getattr(spider_cls, "enabled", True)))


class UnknownPortal(ValueError):
    pass


def choose(spider_loader, names: list[str] | None = None, region: str | None = None,
           level: str | None = None) -> list[Portal]:
    """The enabled portals, or the ones named; then those of ``region``/``level``.

    A portal named explicitly is crawled even when disabled: naming it is the
    operator's decision. A name the loader does not know is an error.
    """
    known = set(spider_loader.list())
    if names:
        missing = [n for n in names if n not in known]
        if missing:
            raise UnknownPortal(f"unknown portal(s): {', '.join(missing)}; "
                                f"known: {', '.join(sorted(known))}")
        chosen = [Portal.of(n, spider_loader.load(n)) for n in dict.fromkeys(names)]
    else:
        chosen = [p for p in (Portal.of(n, spider_loader.load(n)) for n in sorted(known))
                  if p.enabled]
    if region:
        chosen = [p for p in chosen if p.region and region in p.region]
    if level:
        chosen = [p for p in chosen if p.level == level]
    return chosen
