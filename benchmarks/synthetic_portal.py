"""A Hanweb column of N reports made from the Linhai replica, for the benchmarks.

The reports are the replica's own (2021, 2019 and pre-2019 tables, GBK and
UTF-8 pages, the PDF-only report with its attachment), repeated under new
article ids until there are ``n`` (a copy of the PDF-only report links an
attachment of its own name): real-length pages, listed through the
column page and ``dataproxy.jsp`` paging as the replica lists them. Each
answer can be held back ``latency`` seconds, as a distant server would.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import time

from replica import ReplicaServer
from replica.hanweb.model import Article
from replica.hanweb.site import HanwebSite
from replica.linhai.catalog import build
from replica.linhai.config import SITE


@functools.cache
def attachment_bytes(name: str) -> bytes:
    """The replica's attachment ``name``, built once in this process.

    The replica builds an attachment on its first request and caches it per site
    and path, so every copy here would build it again under its own name, inside
    the server of a measured crawl and holding its GIL (the PDF: 0.8 s of CPU the
    first time in a process, 37 ms after): the crawl would wait for the benchmark.
    """
    return build()[1][name]()


def copies(n: int) -> tuple[list[tuple[Article, Article]], dict]:
    """The ``n`` synthetic reports, each beside the replica's report it copies, and
    the attachments they link to (a copy has its own, as a real report would)."""
    articles, replica_attachments = build()
    # build() is cached: the copies' attachments go into a dict of their own.
    attachments = dict(replica_attachments)
    reports = [a for a in articles if a.is_report]
    pairs = []
    for k in range(n):
        base = reports[k % len(reports)]
        head, _ = base.path.rsplit("_", 1)
        clone = dataclasses.replace(copy.deepcopy(base), path=f"{head}_{900000 + k}.html")
        for attachment in clone.attachments:
            name = attachment["location"].rsplit("/", 1)[1]
            own = f"{900000 + k}-{name}"
            attachments[own] = functools.partial(attachment_bytes, name)
            attachment_bytes(name)  # now, not while a crawl waits for it
            clone.body_html = clone.body_html.replace(name, own)
            attachment.update(url=attachment["url"].replace(name, own),
                              location=attachment["location"].replace(name, own))
        pairs.append((base, clone))
    return pairs, attachments


def make_site(n: int, per_page: int = SITE.perpage) -> HanwebSite:
    """``n`` reports, listed ``per_page`` a page (the Linhai column's 15 unless said)."""
    pairs, attachments = copies(n)
    # No visit counters: every byte of a synthetic page is the same on each visit.
    return HanwebSite(dataclasses.replace(SITE, counter_paths=(), perpage=per_page),
                      [clone for _, clone in pairs], attachments)


class SlowSite:
    """``site`` answering each request ``latency`` seconds late (one thread per request)."""

    def __init__(self, site, latency: float) -> None:
        self.site = site
        self.latency = latency
        self.first_request: float | None = None  # time.perf_counter() of the first one

    def handle(self, request):
        if self.first_request is None:
            self.first_request = time.perf_counter()
        if self.latency:
            time.sleep(self.latency)
        return self.site.handle(request)

    def __getattr__(self, name):
        return getattr(self.site, name)


def serve(n: int, latency: float = 0.0, host: str = "127.0.0.1",
          per_page: int = SITE.perpage) -> ReplicaServer:
    return ReplicaServer(SlowSite(make_site(n, per_page), latency), host=host).start()
