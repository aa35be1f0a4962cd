"""What the seed-portal replicas share: static files behind nginx, documents, attachments.

A family site (``replica.trs``, ``replica.vsb``, ``replica.gkmlpt``) adds its
list pages and templates; this base answers robots.txt, the documents'
detail pages and attachment files (with the validators nginx gives static
files), the portal's 404 page, and the defences a portal may put up
(``replica.seeds.defences``, one switch per site).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape

from replica.seeds.defences import Defences
from replica.seeds.model import Document
from replica.server import Request, Response

CST = timezone(timedelta(hours=8))
SITE_BUILT = datetime(2022, 1, 20, 9, 30, tzinfo=CST)

ROBOTS_TXT = "User-agent: *\nDisallow: /search/\nDisallow: /was5/\nAllow: /\n"


def e(text: str) -> str:
    return escape(text, quote=True)


def not_found_page() -> str:
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404 Not Found</title>"
            "</head><body><div class=\"error\"><p>抱歉，您访问的页面不存在或已删除！</p>"
            "<p><a href=\"/\">返回首页</a></p></div></body></html>")


class SeedPortalSite:
    """Serve ``documents`` (newest first in the lists) under a family's templates."""

    name = ""
    robots_txt = ROBOTS_TXT

    def __init__(self, documents: list[Document], defences: Defences | None = None) -> None:
        self.documents = sorted(documents, key=lambda d: (d.list_date, d.path), reverse=True)
        self.by_path = {d.path: d for d in documents}
        self.attachments = {a.path: a for d in documents for a in d.attachments}
        self.defences = defences or Defences()
        self._cache: dict[str, bytes] = {}

    # --- what a family site provides ----------------------------------------------
    def route(self, request: Request) -> Response | None:
        """Home, navigation and list pages; None: not one of them."""
        raise NotImplementedError

    def detail_page(self, document: Document) -> str:
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        defence = self.defences.answer(request)
        if defence is not None:
            return defence
        if request.path == "/robots.txt":
            return Response(200, self.robots_txt.encode(), "text/plain",
                            last_modified=SITE_BUILT)
        routed = self.route(request)
        if routed is not None:
            return routed
        document = self.by_path.get(request.path)
        if document is not None:
            return self.detail(document)
        attachment = self.attachments.get(request.path)
        if attachment is not None:
            return self.attachment(attachment.path)
        return self.not_found()

    def html(self, text: str, modified: datetime | None = None) -> Response:
        return Response(200, text.encode("utf-8"), "text/html; charset=UTF-8",
                        last_modified=modified)

    def not_found(self) -> Response:
        return Response(404, not_found_page().encode("utf-8"), "text/html; charset=UTF-8")

    def detail(self, document: Document) -> Response:
        body = self._cache.get(document.path)
        if body is None:
            body = self._cache[document.path] = self.detail_page(document).encode("utf-8")
        when = datetime.strptime(document.published, "%Y-%m-%d %H:%M").replace(tzinfo=CST)
        return Response(200, body, "text/html; charset=UTF-8", last_modified=when)

    def attachment(self, path: str) -> Response:
        attachment = self.attachments[path]
        body = self._cache.get(path)
        if body is None:
            body = self._cache[path] = attachment.make()
        return Response(200, body, attachment.content_type, gzip=False,
                        headers=[("Accept-Ranges", "bytes")], last_modified=SITE_BUILT)


def attachment_links(document: Document, relative: bool = False) -> str:
    """Attachments as the CMS editor writes them under a report (TRS: ``./P0….pdf``)."""
    if not document.attachments:
        return ""

    def href(path: str) -> str:
        return "./" + path.rsplit("/", 1)[1] if relative else path

    links = "".join(f'<p><a href="{e(href(a.path))}" target="_blank">{e(a.name)}</a></p>'
                    for a in document.attachments)
    return f'<div class="fujian"><p>附件：</p>{links}</div>'
