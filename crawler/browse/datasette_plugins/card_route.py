"""Datasette plugin (loaded by ``scrapy browse`` with ``--plugins-dir``): ``/-/card``.

Serves the report card of ``scrapy card`` for ``?agency=NAME``, or for the
agency of ``?version=ID`` (the dashboards link cards by a report version's
id, which needs no escaping in SQL). The database is opened read-only, like
the rest of ``make browse``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from crawler.browse.card import render_card
from storage.card import agency_card, agency_of_version
from storage.db import readonly_engine

PLUGIN = "nianbao-card"


def _render(database: Path, agency: str | None, version: str | None,
            font_file: Path | None, capture_link: str) -> str | None:
    engine = readonly_engine(database)
    try:
        if not agency and version and version.isdigit():
            agency = agency_of_version(engine, int(version))
        card = agency_card(engine, agency) if agency else None
        return render_card(card, font_file, capture_link) if card else None
    finally:
        engine.dispose()


async def card_page(datasette, request) -> Response:
    config = datasette.plugin_config(PLUGIN) or {}
    database = datasette.get_database(config.get("database"))
    font_file = Path(config["font_file"]) if config.get("font_file") else None
    # each WARC pointer links to its row of the capture index
    capture_link = datasette.urls.table(database.name, "captures") + "/{id}"
    page = await asyncio.to_thread(_render, Path(database.path), request.args.get("agency"),
                                   request.args.get("version"), font_file, capture_link)
    if page is None:
        raise NotFound("no report names this agency")
    return Response.html(page)


@hookimpl
def register_routes():
    return [(r"^/-/card$", card_page)]
