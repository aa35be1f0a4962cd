"""HTML of a Hanweb JCMS portal: column page, article pages, error pages.

The shapes follow real Hanweb pages (DOMAIN B3/B4): the column's first list
page sits inside ``<script type="text/xml"><datastore>`` (invisible to an HTML
link extractor), followed by the ``jpage`` initialisation carrying the
dataproxy POST parameters and totals; article pages carry the 政府网站发展指引
``<meta>`` tags, the visible 日期/来源 block and the body between the
``ZJEG_RSS.content`` markers in ``div#zoom``.
"""

from __future__ import annotations

from html import escape

from replica.hanweb.model import Article, Column, SiteConfig


def _e(text: str) -> str:
    return escape(text, quote=True)


def record(article: Article) -> str:
    """One list record, identical in the embedded datastore and in dataproxy answers."""
    tag = article.date_tag
    return (f"<li><a href='{article.path}' title='{_e(article.title)}' target='_blank'>"
            f"{_e(article.list_title)}</a><{tag}>{article.published_date}</{tag}></li>")


def proxy_params(site: SiteConfig) -> dict[str, str]:
    """The form fields jpage POSTs with every dataproxy call."""
    return {"col": "1", "appid": "1", "webid": str(site.webid), "path": "/",
            "columnid": str(site.list_column.id), "sourceContentType": "1",
            "unitid": str(site.unitid), "webname": site.site_name, "permissiontype": "0"}


def _meta(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{_e(content)}">'


def _site_metas(site: SiteConfig) -> list[str]:
    return [_meta("SiteName", site.site_name), _meta("SiteDomain", site.domain),
            _meta("SiteIDCode", site.site_id_code)]


def _crumb(column: Column) -> str:
    links = "&nbsp;&gt;&nbsp;".join(
        f'<a href="{href}" class="bt_link">{_e(text)}</a>' for text, href in column.breadcrumb)
    return (f'<div class="position">当前位置:<a href="/index.html" class="bt_link">首页</a>'
            f'<table cellspacing="0" cellpadding="0" border="0"><tr><td>&gt;&nbsp;{links}</td></tr>'
            f"</table></div>")


_HEAD_ASSETS = ('<link rel="stylesheet" href="/images/2022/css/common.css">'
                '<script src="/module/jslib/jquery/jquery.js"></script>')


def _header(site: SiteConfig) -> str:
    return ('<div class="top-bar"><div class="w1200"><a href="javascript:void(0)" id="elder-in">进入老年模式</a>'
            ' <a href="javascript:void(0)" id="elder-out">退出老年模式</a></div></div>'
            '<div class="header"><a href="/index.html"><img src="/images/2022/logo.png" alt=""></a></div>')


def _footer(site: SiteConfig) -> str:
    return f'<div class="footer"><div class="w1200">{site.footer}</div></div>'


def _on(current: bool) -> str:
    return ' class="on"' if current else ""


def column_page(site: SiteConfig, first_page: list[Article], total: int) -> str:
    col = site.list_column
    unit = site.unitid
    nextgroup = ("/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={w}&path=/&columnid={c}"
                 "&unitid={u}&webname={n}&permissiontype=0").format(
        w=site.webid, c=col.id, u=unit, n=site.site_name)
    records = "\n".join(f"<record><![CDATA[\n{record(a)}\n]]></record>" for a in first_page)
    params = proxy_params(site)
    ajax = ",".join(f"{k}:'{v}'" if not v.isdigit() else f"{k}:{v}" for k, v in params.items())
    current = f"/col/col{col.id}/index.html"
    nav = "".join(f'<li{_on(href == current)}><a href="{href}">{_e(text)}</a></li>'
                  for text, href in site.nav)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{_e(col.name)} {_e(site.site_name)}</title>
{"".join(_site_metas(site))}
{_meta("ColumnName", col.name)}
{_meta("ColumnDescription", col.description)}
{_meta("ColumnKeywords", col.keywords)}
{_meta("ColumnType", col.column_type)}
{_HEAD_ASSETS}
<script src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
<link rel="stylesheet" href="/module/jslib/jquery/jpage/theme/default/css/jpage.css">
</head>
<body>
{_header(site)}
<div class="main w1200">
{_crumb(col)}
<div class="left-nav"><div class="nav-title">信息公开目录</div><ul>{nav}</ul></div>
<div class="right-list">
<div class="list-title"><span>{_e(col.name)}</span>
<form class="col-search" action="/jsearchfront/search.do" method="get"><input type="text" name="q"> <a href="{_e(site.search_href)}">年报检索</a></form></div>
<div class="list-content">
<div id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script></div>
<script type="text/javascript">
var param_{unit} = {{{ajax}}};
$(document).ready(function(){{
  $('#{unit}').jpage({{dataBefore:'<ul class="list">',dataAfter:'</ul>',showMode:'full',barPosition:'bottom',perPage:{site.perpage},totalRecord:{total},groupSize:{site.group_size},proxyUrl:'/module/web/jpage/dataproxy.jsp',ajaxParam:param_{unit},themeName:'default',openCookies:false}});
}});
</script>
</div>
</div>
</div>
{_footer(site)}
</body>
</html>
"""


def _info_block(article: Article) -> str:
    return ('<ul class="article-info">'
            f"<li>日期: {article.published}</li>"
            f"<li>来源: {_e(article.publisher)}</li>"
            '<li>浏览次数:<span id="hits"></span></li>'
            '<li>字体:[ <a href="javascript:doZoom(20)"></a><a href="javascript:doZoom(16)"></a>'
            '<a href="javascript:doZoom(12)"></a> ]</li></ul>')


def article_page(site: SiteConfig, article: Article) -> str:
    if article.page_style == "old":
        return _old_article_page(site, article)
    column = site.columns[article.column_id]
    url = f"{site.scheme}://{site.domain}{article.path}"
    metas = [*_site_metas(site), _meta("ColumnName", column.name),
             _meta("ColumnType", column.column_type), _meta("ArticleTitle", article.title),
             _meta("PubDate", article.published), _meta("ContentSource", article.publisher),
             _meta("Keywords", ""), _meta("Author", ""), _meta("Description", ""),
             _meta("Image", ""), _meta("Url", url)]
    charset = f'<meta charset="{article.meta_charset}">\n' if article.meta_charset else ""
    return f"""<!DOCTYPE html>
<html>
<head>
{charset}<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{_e(article.title)}</title>
{chr(10).join(metas)}
{_HEAD_ASSETS}
</head>
<body>
{_header(site)}
<div class="main w1200">
{_crumb(column)}
<div class="article">
<div class="article-title">{_e(article.title)}</div>
{_info_block(article)}
<script src="/module/visitcount/articlehits.jsp?colid={article.column_id}&artid={article.article_id}"></script>
<div class="article-content">
<!--ZJEG_RSS.content.begin--><meta name="ContentStart"><div id="zoom">{article.body_html}</div><meta name="ContentEnd"><!--ZJEG_RSS.content.end-->
</div>
<div class="article-tools"><a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></div>
</div>
</div>
{_footer(site)}
</body>
</html>
"""


def _old_article_page(site: SiteConfig, article: Article) -> str:
    """The pre-2020 table-layout template pages were migrated with (GBK, no charset)."""
    column = site.columns[article.column_id]
    charset = ""
    if article.meta_charset:
        charset = f'<meta http-equiv="Content-Type" content="text/html; charset={article.meta_charset}">\n'
    crumb = " &gt; ".join(f'<a href="{href}">{_e(t)}</a>' for t, href in column.breadcrumb)
    return f"""<html>
<head>
{charset}<title>{_e(article.title)}</title>
{"".join(_site_metas(site))}
{_meta("ColumnName", column.name)}
{_meta("ArticleTitle", article.title)}
{_meta("PubDate", article.published)}
{_meta("ContentSource", article.publisher)}
<link href="/images/css/style.css" rel="stylesheet" type="text/css">
</head>
<body leftmargin="0" topmargin="0">
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td height="35">当前位置：<a href="/index.html">首页</a> &gt; {crumb}</td></tr></table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF">
<tr><td align="center" class="title" style="font-size:22px;font-weight:bold;padding:20px 0;">{_e(article.title)}</td></tr>
<tr><td align="center" class="bt_content">发布日期：{article.published_date}&nbsp;&nbsp;&nbsp;&nbsp;信息来源：{_e(article.publisher)}&nbsp;&nbsp;&nbsp;&nbsp;浏览次数：<script src="/module/visitcount/articlehits.jsp?colid={article.column_id}&artid={article.article_id}"></script></td></tr>
<tr><td class="bt_content" style="padding:20px;"><div id="zoom">{article.body_html}</div></td></tr>
<tr><td align="right">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>
</table>
</body>
</html>
"""


def home_page(site: SiteConfig) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{_e(site.site_name)}</title>
{"".join(_site_metas(site))}
{_HEAD_ASSETS}
</head>
<body>
{_header(site)}
<div class="main w1200"><ul class="nav">{"".join(f'<li><a href="{h}">{_e(t)}</a></li>' for t, h in site.nav)}</ul></div>
{_footer(site)}
</body>
</html>
"""


def not_found_page() -> str:
    """The portal's nginx ``error_page 404``."""
    return """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>404-页面不存在</title>
<style>.error{width:600px;margin:120px auto;text-align:center;color:#666;}</style>
</head>
<body>
<div class="error"><img src="/images/404.png" alt="404"><p>抱歉，您访问的页面不存在！</p><p>可能的原因：网址有错误；网址已失效。</p><p><a href="/index.html">返回首页</a></p></div>
</body>
</html>
"""


def soft_not_found_page() -> str:
    """What the CMS renders with status 200 for an article that was withdrawn."""
    return """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>提示信息</title>
</head>
<body>
<div style="margin:100px auto;text-align:center;font-size:16px;">您访问的页面不存在或已被删除！</div>
</body>
</html>
"""


def not_allowed_page() -> str:
    return ("<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n"
            "<center><h1>405 Not Allowed</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n")


def attachment_link(href: str, name: str) -> str:
    """A file attached with the CMS editor (UEditor's attachment markup)."""
    return ('<p style="line-height: 16px;"><img style="vertical-align: middle; margin-right: 2px;" '
            'src="/module/jslib/ueditor/dialogs/attachment/fileTypeImages/icon_pdf.gif"/>'
            f'<a style="font-size:12px; color:#0066cc;" href="{href}" title="{_e(name)}">{_e(name)}</a></p>')

