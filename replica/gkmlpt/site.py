"""A site on Guangdong's gkmlpt platform as it answers (shared/DOMAIN.md B2).

* ``/gkmlpt/index``: the catalogue shell; its script carries
  ``window._CONFIG`` with the site id (``SID``) and the category ``TREE``
  (the lists are drawn by script: the HTML has no entries);
* ``/gkmlpt/api/all/<category>?page=N&sid=<SID>``: JSON ``{"total",
  "articles": [...]}``, 100 a page, article ``url`` absolute on the host the
  request named; a wrong ``sid`` or category answers an empty list with
  total 0, a page past the end an empty list with the true total;
* ``/gkmlpt/content/<id//1e6>/<id//1e3>/post_<id>.html``: the detail page with
  its classification table (索引号, 分类, 发布机构, 成文日期, 文号, 发布日期);
* attachments ``/attachment/0/<n>/<n>/<file>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from replica.seeds.model import Document
from replica.seeds.site import CST, SITE_BUILT, SeedPortalSite, attachment_links, e
from replica.server import Request, Response

PAGE_SIZE = 100


@dataclass(frozen=True)
class GkmlptConfig:
    key: str
    site_name: str
    domain: str
    site_id_code: str
    sid: str
    category: int
    category_name: str
    tree: tuple[tuple[int, str], ...]  # every category: (id, name)
    footer: str


def post_id(document: Document) -> int:
    return int(document.path.rsplit("post_", 1)[1].split(".")[0])


def post_path(post: int) -> str:
    return f"/gkmlpt/content/{post // 1_000_000}/{post // 1000}/post_{post}.html"


class GkmlptSite(SeedPortalSite):
    def __init__(self, config: GkmlptConfig, documents: list[Document], **kwargs) -> None:
        super().__init__(documents, **kwargs)
        self.name = config.key
        self.config = config

    def route(self, request: Request) -> Response | None:
        cfg = self.config
        if request.method not in ("GET", "HEAD"):
            return Response(405, b"<html><body>405 Not Allowed</body></html>", "text/html")
        if request.path in ("/", "/index.html"):
            return self.html(self.home_page(), SITE_BUILT)
        if request.path == "/zwgk/index.html":
            return self.html(self.zwgk_page(), SITE_BUILT)
        if request.path in ("/gkmlpt/index", "/gkmlpt/"):
            return self.html(self.index_page(), SITE_BUILT)
        prefix = "/gkmlpt/api/all/"
        if request.path.startswith(prefix):
            category = request.path[len(prefix):]
            return self.api(request, category)
        return None

    def api(self, request: Request, category: str) -> Response:
        cfg = self.config
        page = request.param("page") or "1"
        page = int(page) if page.isdigit() and int(page) > 0 else 1
        valid = category == str(cfg.category) and request.param("sid") == cfg.sid
        listed = self.documents if valid else []
        chosen = listed[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        host = request.headers.get("host", cfg.domain)
        articles = [self.article(d, host) for d in chosen]
        body = json.dumps({"total": len(listed), "articles": articles}, ensure_ascii=False)
        return Response(200, body.encode("utf-8"), "application/json;charset=UTF-8")

    def article(self, d: Document, host: str) -> dict:
        when = int(datetime.strptime(d.published, "%Y-%m-%d %H:%M").replace(
            tzinfo=CST).timestamp())
        listed = int(datetime.strptime(d.list_date, "%Y-%m-%d").replace(tzinfo=CST).timestamp())
        post = post_id(d)
        return {
            "id": post, "title": d.title, "url": f"http://{host}{d.path}",
            "post_url": f"http://{host}{d.path}", "publisher": d.publisher,
            "identifier": d.index_no, "document_number": "", "date_written": when,
            "create_time": when, "first_publish_time": when, "display_publish_time": listed,
            "classify_main_name": self.config.category_name, "is_abolished": 0,
            "attachments": [{"name": a.name, "url": f"http://{host}{a.path}"}
                            for a in d.attachments],
        }

    # --- templates ---------------------------------------------------------------
    def _head(self, title: str, extra: str = "") -> str:
        cfg = self.config
        return ('<!DOCTYPE html><html><head><meta charset="utf-8">'
                f"<title>{e(title)}</title>"
                f'<meta name="SiteName" content="{e(cfg.site_name)}">'
                f'<meta name="SiteDomain" content="{cfg.domain}">'
                f'<meta name="SiteIDCode" content="{cfg.site_id_code}">{extra}'
                '<link rel="stylesheet" href="/gkmlpt/static/css/index.css"></head>')

    def _nav(self) -> str:
        return ('<div class="nav"><a href="/">首页</a><a href="/zwgk/index.html">政务公开</a>'
                '<a href="/hdjl/">互动交流</a></div>')

    def home_page(self) -> str:
        cfg = self.config
        return (self._head(cfg.site_name) + "<body>" + self._nav()
                + '<div class="banner"></div></body></html>')

    def zwgk_page(self) -> str:
        cfg = self.config
        return (self._head(f"政务公开-{cfg.site_name}") + "<body>" + self._nav()
                + '<div class="zwgk"><ul><li><a href="/gkmlpt/index">政府信息公开目录</a></li>'
                  '<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>'
                  f'<li><a href="/gkmlpt/index#{cfg.category}">{e(cfg.category_name)}</a></li>'
                  "</ul></div></body></html>")

    def index_page(self) -> str:
        cfg = self.config
        tree = json.dumps([{"id": i, "name": n, "parent": 0} for i, n in cfg.tree],
                          ensure_ascii=False)
        return (self._head(f"政府信息公开-{cfg.site_name}") + "<body>"
                + '<div id="app"></div><script>window._CONFIG = {'
                  f"SID: '{cfg.sid}', SITE_NAME: '{e(cfg.site_name)}', TREE: {tree}, "
                  "API: '/gkmlpt/api'};</script>"
                  '<script src="/gkmlpt/static/js/app.js"></script></body></html>')

    def detail_page(self, d: Document) -> str:
        cfg = self.config
        rows = (("索引号", d.index_no, "分类", cfg.category_name),
                ("发布机构", d.publisher, "成文日期", d.published_date),
                ("文号", "", "发布日期", d.published_date),
                ("名称", d.title, "", ""))
        table = "".join(f"<tr><td>{a}：</td><td>{e(b)}</td><td>{c}{'：' if c else ''}</td>"
                        f"<td>{e(v)}</td></tr>" for a, b, c, v in rows)
        metas = (f'<meta name="ArticleTitle" content="{e(d.title)}">'
                 f'<meta name="PubDate" content="{d.published}">'
                 f'<meta name="ContentSource" content="{e(d.publisher)}">')
        return (self._head(d.title, metas) + "<body>" + self._nav()
                + f'<div class="classify"><table>{table}</table></div>'
                + f'<div class="article"><h1>{e(d.title)}</h1>'
                + f'<div class="article-content">{d.body_html}</div>'
                + attachment_links(d) + "</div>"
                + f'<div class="footer">{cfg.footer}</div></body></html>')
