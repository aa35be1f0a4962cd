"""A Hanweb JCMS portal answering like the real one: static pages behind nginx, JSP modules.

Routes (everything else is the portal's 404 page):

* ``/col/col{C}/index.html``: the list column; the query string is ignored, as a
  static page ignores it (jpage's own ``?uid=…&pageNum=N`` links give page 1);
* ``/module/web/jpage/dataproxy.jsp``: the list servlet.  Parameters are read
  like ``ServletRequest.getParameter`` (query string, then form body).
  ``startrecord``/``endrecord`` select records (1-based, inclusive); without
  them ``page`` (default 1) and ``perpage`` select a page.  ``perpage``
  defaults to 15 on POST (jpage always sends it) and to
  ``get_default_perpage`` (100) on GET: a field note on jshrss.jiangsu.gov.cn
  shows ``GET …dataproxy.jsp?page=1&…`` (no perpage) answering 1928 records
  as 20 pages.  A columnid/unitid that is not this unit's answers an empty
  recordset with totals 0, as real servers do; a range wider than
  ``max_records`` is truncated;
* ``/module/download/downfile.jsp?classid=0&filename=X``: 302 to ``/attach/0/X``;
* ``/attach/0/X``: the stored attachment;
* article paths: the page in its encoding, a 404, or a soft 404;
* ``/robots.txt``, ``/`` and ``/index.html``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from replica.hanweb import templates
from replica.hanweb.model import Article, SiteConfig
from replica.server import Request, Response

_COLUMN = re.compile(r"^/col/col(\d+)/index\.html$")
_CST = timezone(timedelta(hours=8))
# When the replica's static files were "deployed" (robots.txt, attachments).
_SITE_BUILT = datetime(2022, 1, 20, 9, 30, tzinfo=_CST)


class HanwebSite:
    """Serve ``articles`` (newest first in the list) under ``config``."""

    def __init__(self, config: SiteConfig, articles: list[Article],
                 attachments: dict[str, Callable[[], bytes]]) -> None:
        self.name = config.key
        self.config = config
        self.listed = sorted(articles, key=lambda a: (a.published, a.article_id), reverse=True)
        self.by_path = {a.path: a for a in articles}
        self._attachments = attachments  # /attach/0/<name> → bytes factory
        self._cache: dict[str, bytes] = {}
        # When a page was last written by the CMS (its file's mtime behind nginx).
        self._modified: dict[str, datetime] = {}
        # Pages whose template prints the visit count server-side (a JSP include):
        # their bytes change on every visit, their content does not.
        self.counter_paths: set[str] = set(config.counter_paths)
        self._visits: dict[str, int] = {}

    # --- routing ----------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path
        if path == "/module/web/jpage/dataproxy.jsp":
            return self.dataproxy(request)
        if request.method not in ("GET", "HEAD"):
            return Response(405, templates.not_allowed_page().encode(), "text/html")
        if path == "/robots.txt":
            return Response(200, self.config.robots_txt.encode(), "text/plain",
                            last_modified=_SITE_BUILT)
        if path in ("/", "/index.html"):
            return self._html(templates.home_page(self.config))
        match = _COLUMN.match(path)
        if match and int(match.group(1)) == self.config.list_column.id:
            first = self.listed[:self.config.perpage]
            response = self._html(templates.column_page(self.config, first, len(self.listed)))
            response.last_modified = max(map(self.modified, self.listed), default=_SITE_BUILT)
            return response
        if path == "/module/download/downfile.jsp":
            return self.download(request)
        if path.startswith("/attach/0/") and path[len("/attach/0/"):] in self._attachments:
            return self.attachment(path[len("/attach/0/"):])
        article = self.by_path.get(path)
        if article is not None:
            return self.article(article)
        return self.not_found()

    # --- handlers ---------------------------------------------------------

    def _html(self, text: str) -> Response:
        return Response(200, text.encode("utf-8"), "text/html; charset=UTF-8")

    def not_found(self) -> Response:
        return Response(404, templates.not_found_page().encode("utf-8"), "text/html; charset=UTF-8")

    def article(self, article: Article) -> Response:
        if article.kind == "dead":
            return self.not_found()
        if article.kind == "soft404":
            return self._html(templates.soft_not_found_page())
        body = self._cache.get(article.path)
        if body is None:
            body = templates.article_page(self.config, article).encode(article.encoding)
            self._cache[article.path] = body
        if article.header_charset:
            ctype = f"text/html; charset={article.encoding.upper()}"
        else:
            ctype = "text/html"
        if article.path in self.counter_paths:
            visits = self._visits[article.path] = self._visits.get(article.path, 0) + 1
            body = body.replace(b'<span id="hits"></span>', b'<span id="hits">%d</span>' % visits)
            return Response(200, body, ctype)  # rendered per request: no validators
        return Response(200, body, ctype, last_modified=self.modified(article))

    def modified(self, article: Article) -> datetime:
        return self._modified.get(article.path) or datetime.strptime(
            article.published, "%Y-%m-%d %H:%M").replace(tzinfo=_CST)

    def edit_article(self, path: str, stats: dict, when: datetime) -> None:
        """The CMS republishes a generated report with changed numbers (recrawl tests)."""
        article = self.by_path[path]
        if article.render is None:
            raise ValueError(f"{path} is not a generated report page")
        article.stats = {**(article.stats or {}), **stats}
        article.cells = {**(article.cells or {}), **{k: str(v) for k, v in stats.items()}}
        article.body_html = article.render(article)
        self._cache.pop(path, None)
        self._modified[path] = when

    def withdraw_article(self, path: str) -> None:
        """The CMS takes a page down: gone from the list, its URL the portal's 404 page."""
        article = self.by_path.pop(path)
        self.listed.remove(article)
        self._cache.pop(path, None)

    def print_counters(self, night: int) -> None:
        """From this night on the article template prints the visit count server-side.

        Every modern-template page then carries a count that has grown since the
        night before (and grows with each visit): new bytes, same content. The
        old GBK template fetches its count with a script, so it is untouched.
        """
        for article in self.by_path.values():
            if article.page_style == "modern" and article.kind not in ("dead", "soft404"):
                self.counter_paths.add(article.path)
                # A steady audience: some tens of visits a night, more for older pages.
                self._visits[article.path] = (article.article_id % 97 + 20) * night

    def dataproxy(self, request: Request) -> Response:
        cfg = self.config
        p = request.param

        def number(name: str, default: int) -> int:
            value = p(name)
            return int(value) if value and value.strip().isdigit() else default

        default_perpage = cfg.get_default_perpage if request.method == "GET" else cfg.perpage
        perpage = max(1, number("perpage", default_perpage))
        if p("startrecord") is not None:
            start = max(1, number("startrecord", 1))
            end = number("endrecord", start + perpage - 1)
        else:
            page = max(1, number("page", 1))
            start, end = (page - 1) * perpage + 1, page * perpage
        end = min(end, start + cfg.max_records - 1)
        valid = (p("columnid") == str(cfg.list_column.id) and p("unitid") == str(cfg.unitid))
        listed = self.listed if valid else []
        chosen = listed[start - 1:end]
        total = len(listed)
        records = "".join(f"<record><![CDATA[\n{templates.record(a)}\n]]></record>\n" for a in chosen)
        xml = (f"<datastore><totalrecord>{total}</totalrecord>"
               f"<totalpage>{math.ceil(total / perpage)}</totalpage>\n"
               f"<recordset>\n{records}</recordset></datastore>")
        return Response(200, xml.encode("utf-8"), "text/xml;charset=UTF-8")

    def download(self, request: Request) -> Response:
        name = request.param("filename") or ""
        if request.param("classid") != "0" or name not in self._attachments:
            return self.not_found()
        return Response(302, b"", None, headers=[("Location", f"/attach/0/{name}")])

    def attachment(self, name: str) -> Response:
        body = self._cache.get("/attach/0/" + name)
        if body is None:
            body = self._attachments[name]()
            self._cache["/attach/0/" + name] = body
        ctype = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
        return Response(200, body, ctype, gzip=False, headers=[("Accept-Ranges", "bytes")],
                        last_modified=_SITE_BUILT)
