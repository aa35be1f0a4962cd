"""Rendering a page in Chromium, with every byte the browser fetched archived.

A spider asks for rendering with plain request state, ``meta["render"] = True``
(so the request still pickles for JOBDIR). ``RenderMiddleware`` turns that into
scrapy-playwright's meta on its way to the downloader; the WARC download
handler wrapper hands requests with ``"playwright"`` (``WARC_WIRE_SKIP_META``)
to scrapy-playwright's handler (``WARC_DOWNLOAD_HANDLER``).

The design that keeps one archive path: the page's init callback routes every
request the browser makes (``page.route("**")``) back into Scrapy with
``crawler.engine.download_async``. Each one goes through the downloader
middlewares and the wire-capture handler like any other request, so the
document, its scripts and the JSON its script asks for become ordinary
request/response records holding the bytes off the wire; politeness (the
host's download slot, its delay), retries, robots.txt, origin scope and
revisits apply to them; and under ``WARC_REPLAY`` the replay handler answers
them from the archive, so a replayed crawl renders the same pages without the
network. (A recording proxy was the alternative: it would have been a second
archive path beside the wire-capture handler, outside the middlewares.)

What the browser asks outside the portal's origins is aborted, never
fetched. Should the init callback fail, scrapy-playwright's own route handler
would let the browser go to the network unrecorded: ``abort_unrouted``
(``PLAYWRIGHT_ABORT_REQUEST``) makes that handler abort everything instead.

The rendered DOM comes back as the response; the WARC middleware archives it
as a ``conversion`` record referring to the served document's response record
(``meta.RENDERED_FROM``), with the browser's user agent and viewport
(``meta.RENDERED_BY``) in a metadata record.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.scope import Origin
from nianbao_core import meta

logger = logging.getLogger(__name__)

RENDER = "render"  # request.meta key a spider sets: render this page in the browser
_STARTED = "_render_started"
_BROWSER_REQUEST = "browser_request"  # on the requests made for the browser

# Headers of the browser's request worth passing on: what a script sets and the
# server may look at. The rest (User-Agent, Accept-Language…) stay Scrapy's, so a
# rendered crawl asks the portal as the rest of the crawl does.
_PASSED_HEADERS = ("accept", "content-type", "referer", "x-requested-with", "origin")
# Hop-by-hop and coding headers: the browser gets the decoded body.
_DROPPED_HEADERS = {b"content-encoding", b"content-length", b"transfer-encoding",
                    b"connection"}


def abort_unrouted(playwright_request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: anything reaching scrapy-playwright's own route
    handler was not answered through Scrapy, and must not reach the network."""
    logger.error("Browser request not routed through Scrapy, aborted: %s", playwright_request.url)
    return True


class RenderMiddleware:
    """Downloader middleware: a ``render`` request becomes a scrapy-playwright one."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.wait_until = settings.get("RENDER_WAIT_UNTIL")
        self.timeout_ms = settings.getint("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RenderMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(RENDER) or request.meta.get("playwright"):
            return None
        request.meta.update({
            "playwright": True,
            "playwright_page_init_callback": self.route_page,
            "playwright_page_goto_kwargs": {"wait_until": self.wait_until,
                                            "timeout": self.timeout_ms},
            # The page's own requests wait in the host's slot (DOWNLOAD_DELAY,
            # CONCURRENT_REQUESTS_PER_DOMAIN); the page itself must not hold a
            # place there, or its requests would wait for it to finish.
            "download_slot": f"render:{urlsplit(request.url).netloc}",
            _STARTED: time.monotonic(),
        })
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        started = request.meta.get(_STARTED)
        if started is not None and "playwright" in response.flags:
            self.stats.inc_value("render/pages")
            self.stats.inc_value("render/seconds", round(time.monotonic() - started, 3))
        return response

    async def route_page(self, page, request: Request) -> None:
        """The page init callback: every request of the page is answered through Scrapy."""
        viewport = page.viewport_size or {}
        request.meta[meta.RENDERED_BY] = {
            "browser": "chromium " + page.context.browser.version,
            "user-agent": await page.evaluate("navigator.userAgent"),
            "viewport": f"{viewport.get('width')}x{viewport.get('height')}",
        }
        spider = self.crawler.spider
        allowed = getattr(spider, "allowed_origins", None)
        document_seen = False

        async def through_scrapy(route, browser_request) -> None:
            nonlocal document_seen
            url = browser_request.url
            if allowed is not None and Origin.of(url) not in allowed:
                self.stats.inc_value("render/browser_requests_blocked")
                logger.info("Browser request outside the portal, aborted: %s", url)
                await route.abort("blockedbyclient")
                return
            self.stats.inc_value("render/browser_requests")
            headers = {k: v for k, v in (await browser_request.all_headers()).items()
                       if k.lower() in _PASSED_HEADERS}
            scrapy_request = Request(
                url, method=browser_request.method, headers=headers,
                body=browser_request.post_data_buffer or b"",
                # The browser follows redirects itself (and sees each hop); every
                # status goes back to it as the server sent it.
                meta={"dont_redirect": True, "handle_httpstatus_all": True,
                      _BROWSER_REQUEST: True})
            try:
                response = await self.crawler.engine.download_async(scrapy_request)
            except Exception as exc:  # the browser sees a failed load, as on the network
                self.stats.inc_value("render/browser_requests_failed")
                logger.warning("Browser request %s failed: %s", url, exc)
                await route.abort("failed")
                return
            is_document = (not document_seen and browser_request.is_navigation_request()
                           and browser_request.frame == page.main_frame)
            if is_document and meta.WARC_POINTER in scrapy_request.meta:
                document_seen = True
                pointer = scrapy_request.meta[meta.WARC_POINTER]
                request.meta[meta.RENDERED_FROM] = pointer
                request.meta[meta.WARC_POINTER] = pointer
            await route.fulfill(
                status=response.status,
                headers={k.decode("latin-1"): b", ".join(v).decode("latin-1")
                         for k, v in response.headers.items()
                         if k.lower() not in _DROPPED_HEADERS},
                body=response.body)

        await page.route("**", through_scrapy)
