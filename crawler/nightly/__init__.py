"""Nightly runs: every portal crawled, what changed, who is told.

* ``portals.py``: which portals a run crawls (the spider loader, filtered);
* ``report.py``: each portal's result and the night's changes, as the
  changes file (JSON) and the summary table;
* ``page.py``: the changes as an HTML page a person reads;
* ``notify.py``: the message sent through apprise.

``scrapy crawlall`` (``crawler/commands/crawlall.py``) runs them in order.
"""
