"""``scrapy discover URL``: find a portal's 信息公开年报 column and print its registry entry.

From the given page (a home page or any page of the portal) a small spider
follows 年报 links first, then the 政务公开/信息公开 navigation, a few pages
deep, through Scrapy like any crawl (robots.txt, politeness, WARC to
``archive/discover/``). The first page that reads as a 年报 column of a known
family (``spiders.discovery.column_entry``) decides; the entry is printed as
TOML ready to paste into ``spiders/portals.toml``, with a comment naming what
the pages did not say (region below the province, a county-level city's
level). Exit status 1, and a message on standard error, when no column was
found.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from urllib.parse import urlsplit

import scrapy
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import Response, TextResponse

from spiders.discovery import Found, column_entry, entry_toml, family_votes, ranked_links


class DiscoverySpider(scrapy.Spider):
    name = "discover"
    max_pages = 25
    max_depth = 3

    def __init__(self, start_url: str, **kwargs):
        super().__init__(**kwargs)
        parts = urlsplit(start_url)
        self.start_url = start_url
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        self.allowed_domains = [parts.hostname]
        self.found: Found | None = None  # the column, once a page reads as one
        self.pages = 0
        self.visited: list[str] = []
        self.votes: Counter = Counter()  # CMS family signs over every page read

    async def start(self):
        yield scrapy.Request(self.start_url, callback=self.parse_page, cb_kwargs={"depth": 0})

    def parse_page(self, response: Response, depth: int):
        self.pages += 1
        self.visited.append(response.url)
        if self.found is not None or not isinstance(response, TextResponse):
            return
        self.votes.update(family_votes(response.text))
        found = column_entry(response.text, response.url, self.base_url)
        if found is not None:
            self.found = found  # the queued requests are dropped as they come back
            return
        if depth >= self.max_depth:
            return
        for rank, url, _text in ranked_links(response.text, response.url):
            if self.pages >= self.max_pages:
                break
            # a gkmlpt category link carries its id in the fragment: keep it for the column
            yield scrapy.Request(url, callback=self.parse_page, priority=-rank - depth,
                                 cb_kwargs={"depth": depth + 1}, dont_filter="#" in url)


class Command(ScrapyCommand):
    requires_project = True

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # Over the project's settings (a discovery stores no reports and prints one entry),
        # under -s on the command line.
        for name, value in (("LOG_LEVEL", "WARNING"), ("ITEM_PIPELINES", {}),
                            ("WARC_REVISITS", False)):
            if (self.settings.getpriority(name) or 0) < 40:
                self.settings.set(name, value, priority="project")

    def syntax(self) -> str:
        return "URL"

    def short_desc(self) -> str:
        return "Find a portal's 信息公开年报 column from a page and print its registry entry"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--name", help="the entry's spider name (default: from the host)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or not args[0].startswith(("http://", "https://")):
            raise UsageError("give one http(s) URL")
        url = args[0]
        self.settings.set("WARC_DIR", self.settings.get("WARC_DIR") or "archive/discover")
        crawler = self.crawler_process.create_crawler(DiscoverySpider)
        self.crawler_process.crawl(crawler, start_url=url)
        self.crawler_process.start()
        spider = crawler.spider
        if spider is None or spider.found is None:
            pages = len(spider.visited) if spider else 0
            signs = spider.votes.most_common(1) if spider else []
            looks = (f"; its pages look like {signs[0][0]} ({signs[0][1]} signs)"
                     if signs and signs[0][1] else "")
            sys.stderr.write(f"could not decide: no 信息公开年报 column of a known family found "
                             f"from {url} ({pages} pages read{looks})\n")
            self.exitcode = 1
            return
        host = urlsplit(spider.found.site_domain and f"//{spider.found.site_domain}"
                        or url).hostname or "portal"
        labels = [p for p in host.split(".") if p not in ("www", "gov", "cn", "com")]
        name = opts.name or ("_".join(labels[:1]) if labels and labels[0].isalpha() else "portal")
        sys.stdout.write(entry_toml(spider.found, name, url))
