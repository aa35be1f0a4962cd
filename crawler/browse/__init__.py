"""Browsing the SQLite database in Datasette (``make browse``, ``scrapy browse``).

* ``metadata.py``: what Datasette shows beside the tables: titles and
  descriptions of every table and column in Chinese and English, the canned
  queries, and the dashboards of
* ``dashboards.py``: datasette-dashboards configuration (Vega-Lite charts of
  the figures of ``storage/figures.py``, filtered by portal, region, level,
  agency);
* ``card.py`` (with ``card_charts.py``, ``fonts.py`` and
  ``templates/card.html``): one agency's report card, a self-contained page
  (``scrapy card``);
* ``datasette_plugins/``: loaded by ``scrapy browse``: the ``/-/card`` route
  and the portal places (region, level) the dashboards join.

Datasette opens the file read-only; nothing here writes it.
"""
