"""Crawl many portals in one Scrapy process: ``python benchmarks/many_portals.py URLS_JSON``.

``URLS_JSON`` maps a portal name to its replica's base URL. Each portal is a
crawler of its own (the Linhai spider under the portal's name), so politeness
and the WARC directory are per site, ``--at-once`` crawling at a time. This is
the multi-portal entry point the benchmark uses until ``scrapy crawlall``
exists; ``run_portals`` is the one function to swap for it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)


def run_portals(urls: dict[str, str], warc_root: str, at_once: int,
                settings: dict[str, str]) -> None:
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from spiders.linhai import LinhaiSpider
    from storage.db import make_engine, upgrade

    base = get_project_settings()
    base.setdict(settings, priority="cmdline")
    engine = make_engine(base.get("DATABASE_URL"))
    upgrade(engine)  # once, not once per portal
    engine.dispose()
    base.set("STORAGE_AUTO_MIGRATE", False, priority="cmdline")
    from scrapy.utils.reactor import install_reactor

    install_reactor(base["TWISTED_REACTOR"])  # crawls are queued before start()
    process = CrawlerProcess(base)
    crawlers = []
    for name, url in urls.items():
        spider_cls = type(f"Bench_{name}", (LinhaiSpider,), {"name": name})
        portal = base.copy()
        portal.set("PORTAL_BASE_URL", url, priority=45)
        portal.set("WARC_DIR", str(Path(warc_root) / name), priority=45)
        crawlers.append(process.create_crawler(Crawler(spider_cls, portal)))
    waiting = deque(crawlers)

    def start_next(result=None):
        if result is not None and hasattr(result, "getTraceback"):
            print(result.getTraceback(), file=sys.stderr)
        elif isinstance(result, BaseException) or (
                hasattr(result, "exception") and callable(result.exception)
                and result.done() and result.exception()):
            print(repr(result.exception() if hasattr(result, "exception") else result),
                  file=sys.stderr)
        if waiting:
            task = process.crawl(waiting.popleft())
            add_done = getattr(task, "add_done_callback", None) or task.addBoth
            add_done(start_next)

    for _ in range(max(1, at_once)):
        start_next()
    process.start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", help="JSON file: portal name -> base URL")
    parser.add_argument("--warc-root", required=True)
    parser.add_argument("--at-once", type=int, default=16)
    parser.add_argument("-s", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.s)
    run_portals(json.loads(Path(args.urls).read_text()), args.warc_root, args.at_once,
                settings)


if __name__ == "__main__":
    main()
