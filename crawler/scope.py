"""Where a portal crawl may send requests: its own origins, at addresses it may reach.

A hostile or broken portal can point the crawler anywhere: a redirect, a meta
refresh, a list entry or an attachment link to another port of its own host
(an admin console), or a name of its own that resolves to a private address
(the machine's or the intranet's services). Scrapy's ``OffsiteMiddleware``
compares host names only, so both pass it.

``OriginScopeMiddleware`` checks every request a portal spider's crawl sends,
redirects and meta refreshes included (RedirectMiddleware and
MetaRefreshMiddleware hand their new requests back to the engine, so they
come through ``process_request`` again):

* its origin (scheme, host, port) must be one of the spider's
  ``allowed_origins`` (its base URL and the extra origins it lists) or of
  ``SCOPE_EXTRA_ORIGINS``;
* the addresses its host resolves to (through the reactor's resolver, the
  one the connection will use, whose cache then answers the connection the
  same) must be global unicast, unless the host is an address literal of a
  configured origin (a replica on 127.0.0.1, an intranet portal configured by
  address) or the address is in ``SCOPE_ALLOWED_NETWORKS``.

A refused request is dropped before any connection is attempted
(``IgnoreRequest``, so its errback runs), counted in ``scope/refused/origin``
or ``scope/refused/address`` and logged once per URL. A spider without
``allowed_origins`` (``scrapy fetch URL`` with the default spider) is not
scoped: the URL is the user's own choice.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, order=True)
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin | None:
        """The origin of an absolute http(s) URL; None for anything else."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:  # a port out of range or not a number
            return None
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        return cls(scheme, parts.hostname.lower().rstrip("."), port or DEFAULT_PORTS[scheme])

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def origins_of(urls: Iterable[str]) -> frozenset[Origin]:
    found = set()
    for url in urls:
        origin = Origin.of(url)
        if origin is None:
            raise ValueError(f"not an http(s) origin: {url!r}")
        found.add(origin)
    return frozenset(found)


@lru_cache(maxsize=1024)  # asked for every request, of the few hosts a crawl reaches
def address_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_public(address: IPAddress) -> bool:
    """Global unicast: not private, loopback, link-local, multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class ScopeRefused(IgnoreRequest):
    """A request outside the portal's origins, or to an address it may not reach."""


class OriginScopeMiddleware:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.extra_origins = origins_of(settings.getlist("SCOPE_EXTRA_ORIGINS"))
        self.allowed_networks = tuple(ipaddress.ip_network(n, strict=False)
                                      for n in settings.getlist("SCOPE_ALLOWED_NETWORKS"))
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OriginScopeMiddleware:
        if not crawler.settings.getbool("SCOPE_ENABLED"):
            raise NotConfigured("SCOPE_ENABLED is off")
        return cls(crawler)

    def origins(self) -> frozenset[Origin] | None:
        declared = getattr(self.crawler.spider, "allowed_origins", None)
        if declared is None:
            return None
        return frozenset(declared) | self.extra_origins

    async def process_request(self, request: Request) -> None:
        origins = self.origins()
        if origins is None:
            return None
        origin = Origin.of(request.url)
        if origin is None or origin not in origins:
            self.refuse(request, "origin", f"{origin or 'no http(s) origin'} is not one of "
                                           "the portal's origins")
        if address_literal(origin.host) is not None:
            # An address written into a configured origin is the configuration's word
            # (a replica on 127.0.0.1, an intranet portal): nothing to resolve.
            return None
        try:
            answer = await self.resolve(origin.host)
        except DNSLookupError:
            return None  # the download fails the same way, as an unreachable host
        address = address_literal(str(answer))
        if address is None or not (is_public(address) or self.network_allowed(address)):
            self.refuse(request, "address",
                        f"{origin.host} resolves to {answer}, which is not a public address "
                        "(SCOPE_ALLOWED_NETWORKS can allow it)")
        return None

    async def resolve(self, host: str) -> str:
        """The address ``host`` resolves to, by the resolver the connection will use.

        Scrapy installs TWISTED_DNS_RESOLVER on the reactor, the connection asks the
        reactor, and the resolver's cache answers it as it answered here.
        """
        from twisted.internet import reactor

        return await maybe_deferred_to_future(reactor.resolve(host))

    def network_allowed(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net
                   for net in self.allowed_networks)

    def refuse(self, request: Request, kind: str, reason: str) -> None:
        self.stats.inc_value(f"scope/refused/{kind}")
        if request.url not in self._logged:
            self._logged.add(request.url)
            logger.warning("Refused %s: %s", request.url, reason)
        raise ScopeRefused(f"out of scope ({kind}): {request.url}: {reason}")
