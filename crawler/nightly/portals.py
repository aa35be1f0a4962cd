"""Which portals a nightly run crawls: every spider the spider loader knows, filtered.

A registry spider (``spiders/loader.py``) carries its entry as ``portal``
(``spiders.registry.Portal``: region, level); a Python spider may say
``region``, ``level`` and ``enabled`` itself, and wins over its entry. A
portal that says nothing has no region or level and is enabled.
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
        entry = getattr(spider_cls, "portal", None)

        def said(attribute: str, default=None):
            own = spider_cls.__dict__.get(attribute)
            return own if own is not None else getattr(entry, attribute, default)

        region = said("region")
        if region is not None and not isinstance(region, str):  # a registry Region
            region = "/".join(p for p in (region.province, region.city, region.county) if p)
        return cls(name, spider_cls, region, said("level"), bool(said("enabled", True)))

    def in_region(self, text: str) -> bool:
        """Whether ``text`` names the portal's province, city or county."""
        return bool(self.region) and text in self.region.split("/")


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
        chosen = [p for p in chosen if p.in_region(region)]
    if level:
        chosen = [p for p in chosen if p.level == level]
    return chosen
