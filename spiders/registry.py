"""The portal registry: every portal the crawler knows, as data (``spiders/portals.toml``).

A portal is an entry, not a module: its name, full name, region and
administrative level, the CMS family it runs, its live base URL, the path(s)
of its 信息公开年报 column(s), family options, and the extra origins it may
fetch from (an attachment host). ``load_portals()`` reads and checks the file
into :class:`Portal` values; ``spiders.loader`` turns each into a spider class
built from its family's spider (``spiders.families``). Commands that crawl
many portals (``scrapy crawlall``) filter the same values by region or level.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

DEFAULT_REGISTRY = Path(__file__).with_name("portals.toml")

LEVELS = ("province", "city", "county", "township", "department")
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
_FIELDS = {"name", "full_name", "region", "level", "family", "base_url", "columns",
           "options", "extra_origins", "evidence", "notes", "enabled", "agency_renames"}


class RegistryError(ValueError):
    """The registry file is not valid; the message names the entry and the field."""


@dataclass(frozen=True)
class Region:
    province: str
    city: str = ""
    county: str = ""

    def contains(self, text: str) -> bool:
        """Whether ``text`` names this region or one above it (浙江省, 台州市, 临海市)."""
        return text in (self.province, self.city, self.county)


@dataclass(frozen=True)
class Portal:
    name: str  # the spider name: ``scrapy crawl NAME``
    full_name: str  # 临海市人民政府
    region: Region
    level: str  # one of LEVELS
    family: str  # a key of spiders.families.FAMILIES
    base_url: str  # the live site, scheme and host: https://www.linhai.gov.cn
    columns: tuple[str, ...]  # path(s) of the 信息公开年报 column(s), from the base URL
    options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    extra_origins: tuple[str, ...] = ()  # other scheme://host the portal's pages link to
    evidence: tuple[str, ...] = ()  # real URLs documenting the column and its family
    notes: str = ""
    enabled: bool = True  # false: listed and crawlable by name, left out of crawlall
    # Agencies renamed over the years, old full name → new (crawler.audit matches their
    # reports as one agency's across years)
    agency_renames: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        return (self.host, *(urlsplit(o).hostname or "" for o in self.extra_origins))


def _require(entry: dict, key: str, kind: type, where: str):
    value = entry.get(key)
    if not isinstance(value, kind) or (isinstance(value, str | list) and not value):
        raise RegistryError(f"{where}: field {key!r} must be a non-empty {kind.__name__}")
    return value


def _strings(value, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RegistryError(f"{where}: field {key!r} must be a list of non-empty strings")
    return tuple(value)


def _origin(url: str, key: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        raise RegistryError(f"{where}: {key} {url!r} must be scheme://host[:port] only")
    return url.rstrip("/")


def parse_entry(entry: dict, index: int) -> Portal:
    where = f"portal #{index + 1}" + (f" ({entry['name']!r})" if isinstance(
        entry.get("name"), str) else "")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    name = _require(entry, "name", str, where)
    if not set(name) <= _NAME_CHARS or not name[0].isalpha():
        raise RegistryError(f"{where}: name must be lower-case letters, digits and _")
    region = _require(entry, "region", dict, where)
    if set(region) - {"province", "city", "county"} or not isinstance(
            region.get("province"), str) or not region["province"]:
        raise RegistryError(f"{where}: region needs province (and may have city, county)")
    level = _require(entry, "level", str, where)
    if level not in LEVELS:
        raise RegistryError(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    columns = _strings(_require(entry, "columns", list, where), "columns", where)
    if not all(c.startswith("/") for c in columns):
        raise RegistryError(f"{where}: column paths start with '/'")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RegistryError(f"{where}: enabled must be true or false")
    options = entry.get("options", {})
    if not isinstance(options, dict):
        raise RegistryError(f"{where}: options must be a table")
    renames = entry.get("agency_renames", {})
    if not isinstance(renames, dict) or not all(
            isinstance(k, str) and k and isinstance(v, str) and v for k, v in renames.items()):
        raise RegistryError(f"{where}: agency_renames must be a table of old name = new name")
    return Portal(
        name=name,
        full_name=_require(entry, "full_name", str, where),
        region=Region(**{k: str(v) for k, v in region.items()}),
        level=level,
        family=_require(entry, "family", str, where),
        base_url=_origin(_require(entry, "base_url", str, where), "base_url", where),
        columns=columns,
        options=MappingProxyType(dict(options)),
        extra_origins=tuple(_origin(o, "extra origin", where) for o in
                            _strings(entry.get("extra_origins"), "extra_origins", where)),
        evidence=_strings(entry.get("evidence"), "evidence", where),
        notes=str(entry.get("notes", "")),
        enabled=enabled,
        agency_renames=MappingProxyType(dict(renames)),
    )


def parse_registry(text: str, source: str = "<registry>") -> list[Portal]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{source}: not valid TOML: {exc}") from exc
    if set(data) - {"portal"} or not isinstance(data.get("portal"), list):
        raise RegistryError(f"{source}: expected [[portal]] tables and nothing else")
    portals = [parse_entry(entry, i) for i, entry in enumerate(data["portal"])]
    seen: set[str] = set()
    for portal in portals:
        if portal.name in seen:
            raise RegistryError(f"{source}: portal name {portal.name!r} appears twice")
        seen.add(portal.name)
    return portals


def load_portals(path: str | Path | None = None) -> list[Portal]:
    """The portals of the registry file (default ``spiders/portals.toml``), in file order."""
    if path is None:
        # Through the package, not the file system: Scrapyd runs the project from
        # a zipped egg, where the registry is a zip member.
        text = resources.files("spiders").joinpath(DEFAULT_REGISTRY.name).read_text("utf-8")
        return parse_registry(text, str(DEFAULT_REGISTRY))
    path = Path(path)
    return parse_registry(path.read_text(encoding="utf-8"), str(path))


def select(portals: Iterable[Portal], *, region: str | None = None,
           level: str | None = None, family: str | None = None) -> list[Portal]:
    """Portals in a region (any of province/city/county), at a level, of a family."""
    return [p for p in portals
            if (region is None or p.region.contains(region))
            and (level is None or p.level == level)
            and (family is None or p.family == family)]
