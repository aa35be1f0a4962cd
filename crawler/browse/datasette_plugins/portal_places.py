"""Datasette plugin (loaded by ``scrapy browse``): where each portal sits, per connection.

The dashboards filter by region and level, which the portal registry knows
and the database does not. ``scrapy browse`` puts the registry's places in
the metadata (``plugins.nianbao-places``); this hook writes them into a
temporary table of every connection to the database (SQLite keeps temporary
tables apart from the file, which stays read-only), so the charts' SQL joins
it instead of carrying a portal-by-portal CASE in every URL.
"""

from __future__ import annotations

from datasette import hookimpl

from storage.figures import PLACES_TABLE

PLUGIN = "nianbao-places"


@hookimpl
def prepare_connection(conn, database, datasette):
    config = datasette.plugin_config(PLUGIN) or {}
    if database != config.get("database"):
        return
    conn.execute(f"create temp table if not exists {PLACES_TABLE} "
                 "(name text primary key, region text, level text)")
    conn.execute(f"delete from temp.{PLACES_TABLE}")
    conn.executemany(f"insert into temp.{PLACES_TABLE} (name, region, level) values (?, ?, ?)",
                     [tuple(row) for row in config.get("portals", [])])
