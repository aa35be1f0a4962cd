"""A 博达 VSB portal as its static files answer (河东区, 秦州区, 麦积区 run it).

VSB writes a column as ``<column>.htm`` and its further pages as
``<column>/<N>.htm`` numbered *downwards*: with 3 pages, page 2 is
``<column>/2.htm`` and page 3 is ``<column>/1.htm`` (the newest page keeps
the bare name, older pages keep their numbers as items are added). A
crawler follows the 下页 link; computing page numbers upwards finds the
wrong pages. Detail pages are ``/info/<column id>/<id>.htm``, attachments
``/__local/…`` files. Two templates: ``list`` (``ul.list li[id=line_uN_i]``,
``span.p_next`` pager; 河东) and ``govinfo`` (a 信息公开 table with
索引号/标题/日期 columns and a text pager; 秦州区).
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from replica.seeds.model import Document
from replica.seeds.site import SITE_BUILT, SeedPortalSite, attachment_links, e
from replica.server import Request, Response


@dataclass(frozen=True)
class VsbConfig:
    key: str
    site_name: str
    domain: str
    site_id_code: str
    column_path: str  # "/gk/zfxxgk/xxgknb.htm"
    column_name: str
    nav_path: str  # the 政务公开 page linking the column
    nav_name: str
    per_page: int
    layout: str  # list | govinfo
    footer: str


class VsbSite(SeedPortalSite):
    def __init__(self, config: VsbConfig, documents: list[Document],
                 detail: Callable[[VsbConfig, Document], str], **kwargs) -> None:
        super().__init__(documents, **kwargs)
        self.name = config.key
        self.config = config
        self._detail = detail

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.documents) / self.config.per_page))

    def page_path(self, page: int) -> str:
        """Page 1 is the column file; page k > 1 is ``<column>/<pages - k + 1>.htm``."""
        stem = self.config.column_path[:-len(".htm")]
        return self.config.column_path if page == 1 else f"{stem}/{self.pages - page + 1}.htm"

    def route(self, request: Request) -> Response | None:
        cfg = self.config
        if request.method not in ("GET", "HEAD"):
            return Response(405, b"<html><body>405 Not Allowed</body></html>", "text/html")
        if request.path in ("/", "/index.htm"):
            return self.html(self.home_page(), SITE_BUILT)
        if request.path == cfg.nav_path:
            return self.html(self.nav_page(), SITE_BUILT)
        for page in range(1, self.pages + 1):
            if request.path == self.page_path(page):
                return self.html(self.list_page(page), SITE_BUILT)
        return None

    def detail_page(self, document: Document) -> str:
        return self._detail(self.config, document)

    # --- templates -----------------------------------------------------------------
    def head(self, title: str, extra: str = "") -> str:
        cfg = self.config
        return ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                '<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
                f"<title>{e(title)}</title>\n"
                f'<meta name="SiteName" content="{e(cfg.site_name)}">\n'
                f'<meta name="SiteDomain" content="{cfg.domain}">\n'
                f'<meta name="SiteIDCode" content="{cfg.site_id_code}">\n{extra}'
                '<META Name="keywords" Content="">\n'
                '<link type="text/css" href="/style/style.css" rel="stylesheet">\n'
                '<script language="javascript" src="/system/resource/js/dynclicks.js"></script>\n'
                "</head>\n")

    def top(self) -> str:
        cfg = self.config
        return ('<body><div class="header"><div class="logo"><img src="/images/logo.png"></div>'
                '<ul class="nav"><li><a href="/index.htm">首页</a></li>'
                f'<li><a href="{cfg.nav_path}">{e(cfg.nav_name)}</a></li>'
                '<li><a href="/zwdt.htm">政务动态</a></li><li><a href="/hdjl.htm">互动交流</a></li>'
                "</ul></div>\n")

    def bottom(self) -> str:
        return f'<div class="footer">{self.config.footer}</div></body></html>\n'

    def home_page(self) -> str:
        return self.head(self.config.site_name) + self.top() + (
            '<div class="main"><div class="tzgg"><h3>通知公告</h3><ul>'
            '<li><a href="info/1032/95512.htm">关于开展2023年度政务公开培训的通知</a></li>'
            "</ul></div></div>") + self.bottom()

    def nav_page(self) -> str:
        cfg = self.config
        links = (("政府信息公开指南", "zfxxgkzn.htm"), ("政府信息公开制度", "zfxxgkzd.htm"),
                 ("法定主动公开内容", "fdzdgknr.htm"),
                 (cfg.column_name, cfg.column_path), ("依申请公开", "ysqgk.htm"))
        items = "".join(f'<li><a href="{h}">{e(t)}</a></li>' for t, h in links)
        return (self.head(f"{cfg.nav_name}-{cfg.site_name}") + self.top()
                + f'<div class="left_nav"><h2>{e(cfg.nav_name)}</h2><ul>{items}</ul></div>'
                + self.bottom())

    def list_page(self, page: int) -> str:
        cfg = self.config
        chosen = self.documents[(page - 1) * cfg.per_page:page * cfg.per_page]
        here = posixpath.dirname(self.page_path(page))

        def link(k: int) -> str:  # relative, as VSB writes every link
            return posixpath.relpath(self.page_path(k), here)

        def doc_href(d: Document) -> str:
            return posixpath.relpath(d.path, here)

        metas = f'<meta name="ColumnName" content="{e(cfg.column_name)}">\n'
        if cfg.layout == "list":
            rows = "".join(
                f'<li id="line_u8_{i}"><a href="{doc_href(d)}" target="_blank" '
                f'title="{e(d.title)}">{e(d.list_title or d.title)}</a>'
                f"<span>{d.list_date}</span></li>\n" for i, d in enumerate(chosen))
            listing = f'<ul class="list">\n{rows}</ul>\n'
            pager = ['<div class="pb_sys_common pb_sys_normal pb_sys_style1">'
                     f'<span class="p_t">共{len(self.documents)}条</span> '
                     f'<span class="p_pages">{page}/{self.pages}</span>']
            pager.append(f'<span class="p_first p_fun"><a href="{link(1)}">首页</a></span>'
                         if page > 1 else '<span class="p_first_d p_fun_d">首页</span>')
            pager.append(f'<span class="p_prev p_fun"><a href="{link(page - 1)}">上页</a></span>'
                         if page > 1 else '<span class="p_prev_d p_fun_d">上页</span>')
            pager.append(f'<span class="p_next p_fun"><a href="{link(page + 1)}">下页</a></span>'
                         if page < self.pages else '<span class="p_next_d p_fun_d">下页</span>')
            pager.append(f'<span class="p_last p_fun"><a href="{link(self.pages)}">尾页</a></span>'
                         if page < self.pages else '<span class="p_last_d p_fun_d">尾页</span>')
            pager.append("</div>")
        else:
            rows = "".join(
                f'<tr><td class="xh">{e(d.index_no)}</td><td class="bt"><a href="'
                f'{doc_href(d)}" target="_blank" title="{e(d.title)}">'
                f'{e(d.list_title or d.title)}</a></td><td class="rq">{d.list_date}</td></tr>\n'
                for d in chosen)
            listing = ('<table class="govinfo_list" width="100%"><tr class="head"><th>索引号</th>'
                       f"<th>标题</th><th>发布日期</th></tr>\n{rows}</table>\n")
            pager = [f'<div class="page">共{len(self.documents)}条&nbsp;&nbsp;{page}/{self.pages}'
                     f'&nbsp;&nbsp;<a href="{link(1)}">首页</a>']
            pager.append(f'<a href="{link(page - 1)}">上页</a>' if page > 1 else "<span>上页</span>")
            pager.append(f'<a href="{link(page + 1)}">下页</a>' if page < self.pages
                         else "<span>下页</span>")
            pager.append(f'<a href="{link(self.pages)}">尾页</a></div>')
        crumb = (f'<div class="crumb">当前位置: <a href="/index.htm">首页</a> &gt;&gt; '
                 f'<a href="{cfg.nav_path}">{e(cfg.nav_name)}</a> &gt;&gt; '
                 f"{e(cfg.column_name)}</div>")
        return (self.head(f"{cfg.column_name}-{cfg.site_name}", metas) + self.top() + crumb
                + f'<div class="list_box">{listing}{"".join(pager)}</div>' + self.bottom())


def content(document: Document) -> str:
    """VSB's content block with the editor's attachments under it."""
    return (f'<div id="vsb_content"><div class="v_news_content">{document.body_html}</div></div>'
            + attachment_links(document))
