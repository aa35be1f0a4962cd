"""``scrapy browse``: the SQLite database in Datasette, read-only (what ``make browse`` runs).

Serves ``DATABASE_URL`` (``./data/nianbao.db`` by default) with the metadata
and canned queries of ``crawler.browse.metadata``. Nothing is migrated or
rebuilt, and nothing can be written:

* Datasette runs in this process and is handed its metadata in memory: no
  file in a shared temporary directory that another local user could plant
  (with a write query, or scripts) before we read it;
* the database is opened immutable (``?immutable=1``: read-only, no locks,
  Datasette refuses a write connection to it);
* only GET and HEAD reach Datasette: every other method is answered 405, so
  no canned write query, login or message form can act, whatever metadata
  or plugin there is;
* it listens on 127.0.0.1 unless ``--host`` says otherwise.

Immutable means SQLite assumes the file does not change while it is open:
browse a database no crawl is writing to (a copy, or between crawls).
PostgreSQL is not Datasette's: export it instead.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.browse.metadata import metadata
from spiders.registry import RegistryError, load_portals

if TYPE_CHECKING:
    from storage.figures import PortalPlace

# Long cells (main text, JSON) are cut in HTML pages; the JSON API has them whole.
DATASETTE_SETTINGS = {"truncate_cells_html": 200, "sql_time_limit_ms": 5000}
READ_METHODS = frozenset({"GET", "HEAD"})
# The project's Datasette plugins: the report card route (/-/card) and the portal places.
PLUGINS_DIR = Path(__file__).resolve().parent.parent / "browse" / "datasette_plugins"


def sqlite_path(database_url: str) -> Path:
    from sqlalchemy.engine import make_url  # not at start-up: every command module is imported

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise UsageError(f"Datasette browses a SQLite file; DATABASE_URL is "
                         f"{url.render_as_string()} (use scrapy export for other databases)")
    path = Path(url.database)
    if not path.is_file():
        raise UsageError(f"no database at {path}: run `make demo` or `scrapy crawl …` first")
    return path.resolve()


class ReadOnlyMethods:
    """ASGI wrapper: anything but GET and HEAD is refused before Datasette sees it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            await send({"type": "http.response.start", "status": 405,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"allow", b"GET, HEAD")]})
            await send({"type": "http.response.body",
                        "body": b"read-only: this database is served for reading\n"})
            return
        await self.app(scope, receive, send)


def portal_places(registry: str) -> list[PortalPlace]:
    """The registry's portals as places; none (regions from portal titles) when it is
    unreadable: browsing does not depend on it."""
    try:
        portals = load_portals(registry or None)
    except (OSError, RegistryError) as error:
        print(f"portal registry not read ({error}): regions from portal titles",
              file=sys.stderr)
        return []
    from storage.figures import PortalPlace

    return [PortalPlace(p.name, p.region.province + p.region.city + p.region.county, p.level)
            for p in portals]


def browse_metadata(database: str, card_font: str = "",
                    places: list[PortalPlace] = ()) -> dict:
    """The metadata with the settings of the project's plugins (``PLUGINS_DIR``)."""
    content = metadata(database)
    content["plugins"]["nianbao-card"] = {"database": database, "font_file": card_font}
    content["plugins"]["nianbao-places"] = {
        "database": database,
        "portals": [[place.name, place.region, place.level] for place in places]}
    return content


def datasette_app(path: Path, site_metadata: dict | None = None):
    """The Datasette instance and the ASGI app ``scrapy browse`` serves."""
    from datasette.app import Datasette

    ds = Datasette([], immutables=[str(path)],
                   metadata=browse_metadata(path.stem) if site_metadata is None
                   else site_metadata,
                   settings=DATASETTE_SETTINGS, plugins_dir=str(PLUGINS_DIR))
    return ds, ReadOnlyMethods(ds.app())


def serve(path: Path, host: str, port: int, open_browser: bool,
          site_metadata: dict | None = None) -> None:
    import asyncio

    import uvicorn

    ds, app = datasette_app(path, site_metadata)
    asyncio.run(ds.invoke_startup())

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets)
            if open_browser and self.servers:  # the port is known once bound (--port 0)
                bound = self.servers[0].sockets[0].getsockname()[1]
                webbrowser.open(f"http://{host}:{bound}/{path.stem}")

    # Uvicorn logs "Uvicorn running on http://HOST:PORT", the port it really bound.
    Server(uvicorn.Config(app, host=host, port=port, log_level="info", lifespan="on")).run()


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--host HOST] [--port PORT] [--open]"

    def short_desc(self) -> str:
        return "Browse the SQLite database in Datasette (read-only)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8001,
                            help="port to listen on (0: any free port, printed when ready)")
        parser.add_argument("--open", action="store_true", help="open a web browser on it")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("browse takes no positional arguments")
        path = sqlite_path(self.settings.get("DATABASE_URL"))
        print(f"browsing {path} (read-only, immutable); stop with Ctrl-C", file=sys.stderr,
              flush=True)
        places = portal_places(self.settings.get("PORTAL_REGISTRY"))
        serve(path, opts.host, opts.port, opts.open,
              browse_metadata(path.stem, self.settings.get("CARD_FONT_FILE"), places))
