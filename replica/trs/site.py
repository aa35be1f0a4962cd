"""A TRS WCM portal as its static files answer (shared/DOMAIN.md B2).

Routes: the home page (``/``, ``/index.html``) with the top navigation; the
政务公开 page (``/zwgk/``, ``/zwgk/index.html``) linking the 信息公开 columns;
the 信息公开年报 column's list pages ``index.html``, ``index_1.html`` … with the
page's pager call; the detail pages ``./YYYYMM/tYYYYMMDD_<id>.html``; their
attachments in the same directory (``P0….pdf`` and the rest). The pager call
is the 1-based template (``createPageHTML('page_div', count, 1, 'index',
'html', records)`` on index.html) or the 0-based one (``createPageHTML(count,
0, "index", "html")``), as a site's config says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from replica.seeds.model import Document
from replica.seeds.site import SITE_BUILT, SeedPortalSite, attachment_links, e
from replica.server import Request, Response


@dataclass(frozen=True)
class TrsConfig:
    key: str
    site_name: str
    domain: str
    site_id_code: str
    column_dir: str  # "/zwgk/zfxxgknb/"
    column_name: str  # 政府信息公开年报
    per_page: int
    pager_base: int  # 0 or 1: how the template's pager counts
    footer: str


class TrsSite(SeedPortalSite):
    def __init__(self, config: TrsConfig, documents: list[Document], **kwargs) -> None:
        super().__init__(documents, **kwargs)
        self.name = config.key
        self.config = config

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.documents) / self.config.per_page))

    def route(self, request: Request) -> Response | None:
        cfg = self.config
        path = request.path
        if request.method not in ("GET", "HEAD"):
            return Response(405, b"<html><body>405 Not Allowed</body></html>", "text/html")
        if path in ("/", "/index.html"):
            return self.html(self.home_page(), SITE_BUILT)
        if path in ("/zwgk/", "/zwgk/index.html"):
            return self.html(self.zwgk_page(), SITE_BUILT)
        if path.startswith(cfg.column_dir):
            name = path[len(cfg.column_dir):]
            if name in ("", "index.html"):
                return self.html(self.list_page(0), SITE_BUILT)
            if name.startswith("index_") and name.endswith(".html"):
                number = name[len("index_"):-len(".html")]
                if number.isdigit() and 0 < int(number) < self.pages:
                    return self.html(self.list_page(int(number)), SITE_BUILT)
        return None

    # --- templates -----------------------------------------------------------------
    def _head(self, title: str, extra: str = "") -> str:
        cfg = self.config
        return (f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                f'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                f'<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
                f'<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
                f"<title>{e(title)}</title>\n"
                f'<meta name="SiteName" content="{e(cfg.site_name)}" />\n'
                f'<meta name="SiteDomain" content="{cfg.domain}" />\n'
                f'<meta name="SiteIDCode" content="{cfg.site_id_code}" />\n{extra}'
                f'<link href="/images/gl.css" type="text/css" rel="stylesheet" />\n</head>\n')

    def _top(self) -> str:
        return ('<body><div class="top"><img src="/images/top_banner.jpg" alt="" /></div>'
                '<table width="1006" border="0" cellspacing="0" cellpadding="0" id="memu" '
                'align="center"><tr><td class="td1"><a href="/">首页</a></td>'
                '<td class="td3"><a href="/zwgk/">政务公开</a></td>'
                '<td class="td3"><a href="/xwzx/">新闻中心</a></td>'
                '<td class="td3"><a href="/zjdx/">走进东乡</a></td>'
                '<td class="td3"><a href="/hdjl/">互动交流</a></td></tr></table>')

    def _bottom(self) -> str:
        return f'<div class="footer">{self.config.footer}</div></body></html>\n'

    def home_page(self) -> str:
        cfg = self.config
        return (self._head(cfg.site_name) + self._top()
                + '<div class="main"><div class="news"><h3><a href="/xwzx/">东乡要闻</a></h3>'
                '<ul><li><a href="/xwzx/dxyw/202301/t20230110_5123301.html">区政府召开常务会议'
                '</a></li></ul></div></div>' + self._bottom())

    def zwgk_page(self) -> str:
        cfg = self.config
        links = (("政府信息公开指南", "./zfxxgkzn/"), ("政府信息公开制度", "./zfxxgkzd/"),
                 ("法定主动公开内容", "./fdzdgknr/"), (cfg.column_name, "./zfxxgknb/"),
                 ("依申请公开", "./ysqgk/"))
        items = "".join(f'<li><a href="{h}" target="_self">{e(t)}</a></li>' for t, h in links)
        return (self._head(f"政务公开 {cfg.site_name}") + self._top()
                + f'<div class="gl_left"><h3>政府信息公开</h3><ul>{items}</ul></div>'
                + self._bottom())

    def _pager(self, index: int) -> str:
        cfg = self.config
        if cfg.pager_base == 1:
            call = (f"createPageHTML('page_div',{self.pages}, {index + 1},'index','html',"
                    f"{len(self.documents)});")
        else:
            call = f'createPageHTML({self.pages}, {index}, "index", "html");'
        return (f'<div id="page_div" class="page"></div>\n<script type="text/javascript">\n'
                f"//wcm分页，总记录：{len(self.documents)}\n{call}\n</script>")

    def list_page(self, index: int) -> str:
        cfg = self.config
        chosen = self.documents[index * cfg.per_page:(index + 1) * cfg.per_page]
        rows = "".join(
            f'<li><a href=".{d.path[len(cfg.column_dir) - 1:]}" target="_blank" '
            f'title="{e(d.title)}">{e(d.list_title or d.title)}</a>'
            f"<span>{d.list_date}</span></li>\n" for d in chosen)
        metas = (f'<meta name="ColumnName" content="{e(cfg.column_name)}" />\n'
                 f'<meta name="ColumnType" content="政务公开" />\n')
        crumb = ('<div class="pos">您现在的位置是：<a href="../../" class="CurrChnlCls">首页</a>'
                 '&nbsp;&gt;&gt;&nbsp;<a href="../" class="CurrChnlCls">政务公开</a>'
                 '&nbsp;&gt;&gt;&nbsp;<a href="./" class="CurrChnlCls">'
                 f'{e(cfg.column_name)}</a></div>')
        sidebar = ('<div class="side"><h3>最新动态</h3><ul><li><a href="../../xwzx/dxyw/202301/'
                   't20230110_5123301.html">区政府召开常务会议</a></li></ul></div>')
        return (self._head(f"{cfg.column_name} {cfg.site_name}", metas) + self._top() + crumb
                + f'<div class="gl_list"><ul>\n{rows}</ul></div>\n' + self._pager(index)
                + sidebar + self._bottom())

    def detail_page(self, d: Document) -> str:
        cfg = self.config
        url = f"http://{cfg.domain}{d.path}"
        metas = (f'<meta name="ColumnName" content="{e(cfg.column_name)}" />\n'
                 f'<meta name="ArticleTitle" content="{e(d.title)}" />\n'
                 f'<meta name="PubDate" content="{d.published}" />\n'
                 f'<meta name="ContentSource" content="{e(d.publisher)}" />\n'
                 f'<meta name="Url" content="{url}" />\n')
        if d.seed:  # the seed page: served through the 繁體 gateway, header in its text
            header = d.header_html
        else:
            header = (
                '<table class="xxgk_table" width="100%"><tr>'
                f"<td>索 引 号：{e(d.index_no)}</td><td>发文机关：{e(d.publisher)}</td></tr>"
                f"<tr><td>文 号：</td><td>成文日期：{d.published_date}</td></tr>"
                "<tr><td>文件有效性：</td><td></td></tr></table>"
                f'<div class="title">{e(d.title)}</div>')
        return (self._head(d.title, metas) + self._top()
                + f'<div class="detail">{header}<div class="TRS_Editor">{d.body_html}'
                + attachment_links(d, relative=True) + "</div></div>" + self._bottom())
