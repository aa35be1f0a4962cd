"""CMS families a registry entry may name, and how an entry becomes a spider class.

Each family is a spider class of ``spiders/cms/`` plus the options an entry
may give it; an entry's options become class attributes of its spider, so a
portal of a supported family is data only. Unknown families and options, and
options of the wrong type, are errors naming the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from crawler.scope import origins_of
from spiders.registry import Portal, RegistryError


@dataclass(frozen=True)
class Family:
    key: str
    title: str  # what the README calls it
    spider: str  # "module.Class"
    options: dict[str, type | tuple[type, ...]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    max_columns: int | None = None

    def spider_class(self) -> type:
        module, _, name = self.spider.rpartition(".")
        return getattr(import_module(module), name)


FAMILIES: dict[str, Family] = {f.key: f for f in (
    Family("hanweb", "大汉 Hanweb JCMS (dataproxy.jsp POST)",
           "spiders.cms.hanweb.HanwebColumnSpider",
           {"default_per_page": int, "max_list_requests": int}, max_columns=1),
    Family("hanweb_jpage", "大汉 Hanweb JCMS, older (GET /module/jpage/dataproxy.jsp?page=N)",
           "spiders.cms.hanweb_jpage.HanwebJpageColumnSpider", {"max_list_pages": int}),
    Family("hanweb_xxgk", "大汉 Hanweb 信息公开目录 module (/module/xxgk/)",
           "spiders.cms.hanweb_xxgk.HanwebXxgkSpider",
           {"area": str, "infotype": str, "annual_report_years": list, "max_list_pages": int},
           required=("area",)),
    Family("trs", "拓尔思 TRS WCM (index_N.html, createPageHTML)",
           "spiders.cms.trs.TrsColumnSpider",
           {"same_directory": bool, "max_list_pages": int}),
    Family("gkmlpt", "广东 gkmlpt (/gkmlpt/api/all/<category>)",
           "spiders.cms.gkmlpt.GkmlptColumnSpider",
           {"category": int, "sid": str, "max_list_pages": int}, required=("category",)),
    Family("generic", "static list by selectors (博达 VSB and others)",
           "spiders.cms.generic.GenericColumnSpider",
           {"entries": str, "next_page": str, "date": str, "max_list_pages": int},
           required=("entries",)),
)}


class RegisteredPortalSpider:
    """Mixed into every registry spider: the entry itself, and its extra origins when live.

    A crawl of a replica (PORTAL_BASE_URL) stays on the replica: the live
    site's extra origins are real hosts, never to be reached from a test.
    """

    portal: Portal

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.base_url == cls.portal.base_url:  # the live site, not a replica
            hosts = [h for h in cls.portal.allowed_hosts if h not in spider.allowed_domains]
            spider.allowed_domains = [*spider.allowed_domains, *hosts]
            spider.extra_origins = cls.portal.extra_origins
            spider.allowed_origins = origins_of([spider.base_url, *spider.extra_origins])
        return spider


def _check_options(portal: Portal, family: Family) -> dict[str, object]:
    where = f"portal {portal.name!r} ({family.key})"
    options = dict(portal.options)
    unknown = set(options) - set(family.options)
    if unknown:
        raise RegistryError(f"{where}: unknown option(s) {', '.join(sorted(unknown))}; "
                            f"{family.key} takes {', '.join(sorted(family.options)) or 'none'}")
    missing = [o for o in family.required if o not in options]
    if missing:
        raise RegistryError(f"{where}: needs option(s) {', '.join(missing)}")
    for key, value in options.items():
        kind = family.options[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            kind_name = getattr(kind, "__name__", str(kind))
            raise RegistryError(f"{where}: option {key!r} must be {kind_name}")
        if isinstance(value, list):
            options[key] = tuple(value)
    if family.max_columns is not None and len(portal.columns) > family.max_columns:
        raise RegistryError(f"{where}: at most {family.max_columns} column(s)")
    return options


def class_name(portal: Portal) -> str:
    return "".join(part.capitalize() for part in portal.name.split("_")) + "Spider"


def spider_class(portal: Portal) -> type:
    """The spider class of a registry entry: its family's spider with the entry's data."""
    family = FAMILIES.get(portal.family)
    if family is None:
        raise RegistryError(f"portal {portal.name!r}: unknown family {portal.family!r} "
                            f"(known: {', '.join(sorted(FAMILIES))})")
    attrs = {
        # Not a module of SPIDER_MODULES: the loader adds these classes itself.
        "__module__": "spiders.portals",
        "__doc__": f"{portal.full_name} ({family.title}), from the portal registry.",
        "name": portal.name,
        "portal": portal,
        "portal_name": portal.full_name,
        "live_base_url": portal.base_url,
        "column_path": portal.columns[0],
        "column_paths": portal.columns,
        "allowed_domains": list(portal.allowed_hosts),
        "enabled": portal.enabled,  # scrapy crawlall leaves disabled portals out
        "agency_renames": dict(portal.agency_renames),
        **_check_options(portal, family),
    }
    return type(class_name(portal), (RegisteredPortalSpider, family.spider_class()), attrs)
