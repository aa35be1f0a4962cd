"""What every portal spider does once it has a link to an article page.

A CMS family's spider (``spiders/cms/``) knows how to walk a column's list;
this base knows what to do with each listed page: fetch it (every fetch is
archived by the WARC middleware, reports or not), tell reports from the rest
(年报解读 pages, soft 404s: ``crawler.report_rules``), fetch a report's
attachments, and yield one ``ReportPage`` per report. Per-portal wording (title
patterns, soft-404 markers) is class data a portal spider may override.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy import Selector
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import report_rules
from crawler.items import Capture, ReportPage, ReportWithdrawal
from crawler.report_rules import ReportRules
from crawler.scope import Origin, origins_of
from nianbao_core import meta


class ReportColumnSpider(scrapy.Spider):
    # The live portal, e.g. "https://www.linhai.gov.cn"; PORTAL_BASE_URL replaces it.
    live_base_url: str = ""
    # Other origins of the portal's own (an attachment server, the http twin of an
    # https site): scheme, host and port, e.g. "http://www.linhai.gov.cn". Every
    # request goes to the base URL's origin or one of these (crawler/scope.py).
    extra_origins: tuple[str, ...] = ()
    # Per-portal wording may override these (crawler/report_rules.py has the defaults
    # and the rules themselves, which ingest from an archive applies too).
    report_title = report_rules.REPORT_TITLE
    not_report_title = report_rules.NOT_REPORT_TITLE
    soft_404_markers = report_rules.SOFT_404_MARKERS
    soft_404_max_chars = report_rules.SOFT_404_MAX_CHARS
    attachment_links = report_rules.ATTACHMENT_LINKS
    # Agencies renamed over the years, old full name → new full name (区政务服务中心管理
    # 办公室 → 区行政审批服务局): the cross-report audit (crawler.audit) treats their
    # reports as one agency's. Registry spiders take it from the entry's agency_renames.
    agency_renames: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = (settings.getdict("PORTAL_BASE_URLS").get(spider.name)
                           or settings.get("PORTAL_BASE_URL")
                           or spider.live_base_url).rstrip("/")
        if not spider.base_url:
            raise ValueError(f"{cls.__name__} has no live_base_url and PORTAL_BASE_URL is empty")
        # Every request's origin is checked by crawler.scope; allowed_domains is Scrapy's
        # host-only check, which runs first (at scheduling) and must let them through.
        spider.allowed_origins = origins_of([spider.base_url, *spider.extra_origins,
                                             *crawler.settings.getlist("SCOPE_EXTRA_ORIGINS")])
        spider.allowed_domains = sorted({urlsplit(spider.base_url).hostname}
                                        | {o.host for o in spider.allowed_origins})
        # Every URL the column listed this crawl (and where it led): a stored report
        # not among them is checked for withdrawal (crawler/withdrawals.py).
        spider.listed_urls = set()
        return spider

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- listed pages ----------------------------------------------------------------
    @classmethod
    def rules(cls) -> ReportRules:
        return ReportRules.of(cls)

    def is_report_title(self, title: str) -> bool:
        return self.rules().is_report_title(title)

    def is_report(self, list_title: str, page_title: str) -> bool:
        """The list title decides, unless it was cut ("…"); the page's title can only veto."""
        return self.rules().is_report(list_title, page_title)

    def follow_entry(self, response: Response, entry):
        """Fetch a listed page; every listed page is archived, reports or not."""
        self.crawler.stats.inc_value("nianbao/list_entries")
        self.listed_urls.add(response.urljoin(entry.url))
        return response.follow(entry.url, callback=self.parse_article,
                               errback=self.listed_page_failed, cb_kwargs={"entry": entry})

    def listed_page_failed(self, failure: Failure):
        """A listed page that could not be had (404, 5xx after retries, timeout): said, counted."""
        entry = failure.request.cb_kwargs["entry"]
        self.crawler.stats.inc_value("nianbao/listed_pages_failed")
        self.logger.error("Listed page not fetched: %s (%s, listed %s): %s", entry.url,
                          entry.title, entry.date, failure.getErrorMessage())
        gone = self.gone_status(failure)
        if gone:  # a stored report whose listed page is gone is withdrawn, listed or not
            yield ReportWithdrawal(self.name, failure.request.url, gone)

    @staticmethod
    def gone_status(failure: Failure) -> str | None:
        """"404"/"410" when the failure is the page answering that; None for anything else."""
        if failure.check(HttpError) and failure.value.response.status in (404, 410):
            return str(failure.value.response.status)
        return None

    # -- stored reports the column no longer lists ---------------------------------------
    def check_unlisted(self, urls: list[str]):
        """Requests asking whether each stored, unlisted report page is still there."""
        for url in urls:
            yield scrapy.Request(url, callback=self.parse_unlisted, errback=self.unlisted_failed,
                                 dont_filter=True)

    def parse_unlisted(self, response: Response):
        self.crawler.stats.inc_value("nianbao/unlisted_checked")
        soft = isinstance(response, TextResponse) and self.is_soft_404(
            response, self.page(response))
        yield ReportWithdrawal(self.name, response.url, "soft_404" if soft else "gone_from_list")

    def unlisted_failed(self, failure: Failure):
        self.crawler.stats.inc_value("nianbao/unlisted_checked")
        gone = self.gone_status(failure)
        if gone:
            yield ReportWithdrawal(self.name, failure.request.url, gone)
        else:  # a timeout or a 5xx says nothing about the report: ask again next time
            self.logger.warning("Unlisted report %s not checked: %s", failure.request.url,
                                failure.getErrorMessage())

    def parse_article(self, response: Response, entry):
        self.listed_urls.add(response.url)
        item = ReportPage(portal=self.name, page=self.capture(response),
                          list_title=entry.title, list_date=entry.date)
        if not isinstance(response, TextResponse):
            # A list entry that links straight to the document (PDF, DOCX).
            if self.is_report_title(entry.title):
                yield from self.next_attachment(item, [])
            return
        page = self.page(response)
        if self.is_soft_404(response, page):
            self.crawler.stats.inc_value("nianbao/soft_404")
            self.logger.warning("Soft 404 (200 with an error page): %s", response.url)
            yield ReportWithdrawal(self.name, response.url, "soft_404")
            return
        page_title = ReportRules.page_title(page)
        if not self.is_report(entry.title, page_title):
            self.crawler.stats.inc_value("nianbao/non_report_pages")
            self.logger.info("Not a report, archived only: %s (%s)", response.url, entry.title)
            return
        links = [response.urljoin(href) for href in
                 self.rules().attachment_hrefs(page)]
        links = [u for u in dict.fromkeys(links) if self.is_own_site(u)]
        yield from self.next_attachment(item, links)

    def is_soft_404(self, response: TextResponse, page: Selector) -> bool:
        return self.rules().is_soft_404(response.status, page)

    @staticmethod
    def page(response: TextResponse) -> Selector:
        """The page's parsed tree, for the callback that asks, not kept on the response.

        Not ``response.selector``: Scrapy caches that selector on the response and the
        selector refers back to the response, a reference cycle. The response, with its
        decoded text and its lxml tree (a few hundred KB of C memory that Python's
        collector does not see), then outlives its report until a full collection,
        and full collections come rarer as the crawl's long-lived objects grow: the
        crawl's peak memory grew with the number of reports. Without the cycle a
        response is freed as soon as Scrapy lets go of it.
        """
        return Selector(response)

    def is_own_site(self, url: str) -> bool:
        """Scheme, host and port: another port of the same host is another site."""
        return Origin.of(url) in self.allowed_origins

    # -- attachments, fetched one after another so the item leaves complete -----------
    # Between requests the report is request state, and request state stays small and
    # plain: its captures travel as WARC places without their bytes (the extraction
    # pipeline reads them back), so a queued request pickles to a few hundred bytes on
    # disk (JOBDIR) or in a shared frontier, not to the size of the page before it.
    def next_attachment(self, item: ReportPage, links: list[str]):
        if not links:
            self.crawler.stats.inc_value("nianbao/report_pages")
            yield item
            return
        yield scrapy.Request(links[0], callback=self.parse_attachment,
                             errback=self.attachment_failed,
                             cb_kwargs={"item": item.pointer_only(), "links": links[1:]})

    def parse_attachment(self, response: Response, item: ReportPage, links: list[str]):
        item = replace(item, attachments=[*item.attachments, self.capture(response)])
        self.crawler.stats.inc_value("nianbao/attachments")
        yield from self.next_attachment(item, links)

    def attachment_failed(self, failure: Failure):
        request = failure.request
        self.crawler.stats.inc_value("nianbao/attachments_failed")
        self.logger.warning("Attachment %s failed: %s", request.url, failure.getErrorMessage())
        yield from self.next_attachment(**request.cb_kwargs)

    # -- captures ------------------------------------------------------------------
    @staticmethod
    def capture(response: Response) -> Capture:
        warc = response.meta.get(meta.WARC_POINTER)
        redirects = response.meta.get("redirect_urls") or []
        content_type = response.headers.get("Content-Type")
        return Capture(
            url=response.url,
            status=response.status,
            content_type=content_type.decode("latin-1") if content_type else None,
            body=response.body,
            fetched_at=(warc and warc.date) or datetime.now(UTC).isoformat(),
            warc=warc,
            requested_url=redirects[0] if redirects else None,
            payload_digest=warc and warc.payload_digest,
            charsets=response.meta.get(meta.CHARSET_EVIDENCE),
        )
