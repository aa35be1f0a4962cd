"""Items passed from the spiders to the pipelines.

A spider yields one ``ReportPage`` per page it believes is an annual report,
with the WARC place of each capture and the raw bytes (the pipelines decode
them: trafilatura and the parser get bytes, so a page in GBK with no charset
still decodes right). A capture that travelled between requests (a report's
page while its attachments are fetched) carries its WARC place only, and
``pipelines.archived_bodies`` reads its bytes back. The pipelines fill
``text`` and ``record``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from nianbao_core.captures import CharsetEvidence
from nianbao_core.pointer import WarcPointer


@dataclass
class Capture:
    """One fetched resource: what the spider saw and where the WARC holds it."""

    url: str
    status: int
    content_type: str | None
    # None: the bytes are in the WARC record at ``warc`` (see ``pointer_only``).
    body: bytes | None = field(repr=False)
    fetched_at: str = ""  # ISO 8601 UTC, the WARC-Date of the response record
    warc: WarcPointer | None = None  # None: archiving was off
    # The URL the link pointed at, when a redirect led to ``url``.
    requested_url: str | None = None
    payload_digest: str | None = None
    # Taken when the response was archived (request.meta); else by extraction.
    charsets: CharsetEvidence | None = None
    # Filled by pipelines.extract.
    text_digest: str | None = None

    def pointer_only(self) -> Capture:
        """This capture as request state: its WARC place without its bytes, so a queued
        request stays small (JOBDIR, a shared frontier). Without a record to point at
        (WARC capture off) the bytes must travel."""
        return replace(self, body=None) if self.warc is not None else self


@dataclass
class ReportPage:
    portal: str  # spider name
    page: Capture
    list_title: str | None = None
    list_date: str | None = None
    attachments: list[Capture] = field(default_factory=list)
    # Filled by pipelines.extract:
    text: str | None = field(default=None, repr=False)  # main text of the page (trafilatura)
    record: dict | None = field(default=None, repr=False)  # the shared parser's report record
    document: Capture | None = None  # the attachment the record was read from, if not the page
    content_digest: str | None = None  # crawler.content.content_digest: what makes a version
    text_extractor: str | None = None  # crawler.extraction.TEXT_EXTRACTOR that made ``text``

    def pointer_only(self) -> ReportPage:
        """The report as request state between its page and its attachments."""
        return replace(self, page=self.page.pointer_only(),
                       attachments=[a.pointer_only() for a in self.attachments])

@dataclass
class ReportWithdrawal:
    """A report page its portal took down: no longer listed, or answering 404/410/a soft 404.

    The storage pipeline marks the stored report (if there is one) withdrawn.
    ``how`` is one of ``storage.models.WITHDRAWN_HOW``.
    """

    portal: str  # spider name
    url: str
    how: str


@dataclass
class ReportSeen:
    """A report page seen again unchanged: its stored version stands (``pipelines.unchanged``).

    The storage pipeline notes it seen by the crawl; nothing is extracted or stored again.
    """

    portal: str  # spider name
    url: str
    report_id: int
