"""Replica portals served on 127.0.0.1 for tests and the demo (no internet needed).

    from replica import serve_site
    with serve_site("linhai") as server:
        server.base_url          # "http://127.0.0.1:PORT"
        server.served            # one dict per response sent

``sites`` maps a site name to a factory returning a fresh site object.
"""

from __future__ import annotations

from collections.abc import Callable

from replica.server import ReplicaServer, Request, Response


def _linhai(night: int = 1):
    from replica.linhai import make_site

    return make_site(night)


def _seed_portal(name: str) -> Callable[..., object]:
    """The replicas of the other seed portals: no nights; defences by switch."""
    def factory(night: int = 1, defences=None):
        from importlib import import_module

        return import_module(f"replica.{name}").make_site(defences=defences)

    return factory


def _jscolumn(night: int = 1):
    from replica.jscolumn import make_site

    return make_site(night)


# A factory takes the night (``--night N``, 1 = the site as first built); a site
# without nights of its own may ignore it. Seed-portal factories also take
# ``defences`` (replica.seeds.defences.Defences).
sites: dict[str, Callable[..., object]] = {
    "linhai": _linhai,
    **{name: _seed_portal(name) for name in ("dongxiang", "tianshuijun", "hedong", "xinfang")},
    "jscolumn": _jscolumn,
}


def serve_site(name: str, host: str = "127.0.0.1", port: int = 0,
               served_log: str | None = None, night: int = 1) -> ReplicaServer:
    """Start the named replica in a background thread; use as a context manager or ``.stop()``."""
    site = sites[name](night) if night != 1 else sites[name]()
    return ReplicaServer(site, host=host, port=port, served_log=served_log).start()


__all__ = ["ReplicaServer", "Request", "Response", "serve_site", "sites"]
