"""A 信息公开年报 column that exists only after JavaScript runs.

Modelled on the script-built columns of real portals (gkmlpt's Vue column
pages, the jQuery ``$.getJSON`` columns of many county portals): the served
column page is a shell (an empty ``<ul>``, an empty pager, a script); the
script reads ``?page=N`` from its own address, asks a JSON endpoint for that
page of articles after load, and builds the list and the pager (links to
``index.html?page=N``) in the DOM. A reader of the served HTML sees an empty
column.

Article pages are served whole, except the newest report's: its page is a
shell whose ``#zoom`` the script fills from ``/api/article/<id>.json`` (as
portals do that keep article bodies in a JSON API behind the page).

Paths:
    /col/col9001/index.html[?page=N]     the column shell
    /js/jquery-lite.js, /js/column.js   the scripts (column.js builds the list)
    /api/column/9001/articles?page=N    the list, JSON, PAGE_SIZE articles a page
    /art/<year>/art_9001_<id>.html      an article page
    /api/article/<id>.json              the newest report's body, JSON
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from html import escape

from replica.server import Request, Response

COLUMN_ID = 9001
PAGE_SIZE = 4
AGENCY = "县人民政府办公室"

# A tiny stand-in for the jQuery the real pages load from their own origin
# (the replica serves no third-party code): $.getJSON and DOM ready.
_JQUERY_LITE = """\
window.$ = {
  getJSON: function (url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', url);
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    xhr.onload = function () { done(JSON.parse(xhr.responseText)); };
    xhr.send();
  },
  ready: function (fn) {
    if (document.readyState !== 'loading') { fn(); }
    else { document.addEventListener('DOMContentLoaded', fn); }
  }
};
"""

_COLUMN_JS = """\
$.ready(function () {
  var m = /[?&]page=(\\d+)/.exec(location.search);
  var page = m ? parseInt(m[1], 10) : 1;
  $.getJSON('/api/column/%(column)d/articles?page=' + page, function (data) {
    var ul = document.getElementById('list');
    data.articles.forEach(function (a) {
      var li = document.createElement('li');
      li.innerHTML = '<a href="' + a.url + '" title="' + a.title + '">' + a.title +
        '</a><span class="date">' + a.publishDate + '</span>';
      ul.appendChild(li);
    });
    var pager = document.getElementById('pager');
    var html = '';
    for (var p = 1; p <= data.totalPage; p++) {
      html += p === data.page ? '<span class="cur">' + p + '</span>'
        : '<a class="page" href="index.html?page=' + p + '">' + p + '</a>';
    }
    if (data.page < data.totalPage) {
      html += '<a class="next" href="index.html?page=' + (data.page + 1) + '">下一页</a>';
    }
    pager.innerHTML = html;
    document.body.setAttribute('data-loaded', 'list');
  });
});
""" % {"column": COLUMN_ID}

_ARTICLE_JS = """\
$.ready(function () {
  var zoom = document.getElementById('zoom');
  $.getJSON('/api/article/' + zoom.getAttribute('data-id') + '.json', function (data) {
    zoom.innerHTML = data.content;
    document.body.setAttribute('data-loaded', 'article');
  });
});
"""


@dataclass(frozen=True)
class Article:
    id: int
    title: str
    date: str
    year: int  # the report's year; 0: not a report
    script_filled: bool = False

    @property
    def url(self) -> str:
        return f"/art/{self.date[:4]}/art_{COLUMN_ID}_{self.id}.html"


def _articles() -> list[Article]:
    """Newest first, as the JSON endpoint lists them: 9 entries over 3 pages."""
    reports = [Article(100 + y, f"{AGENCY}{y}年政府信息公开工作年度报告", f"{y + 1}-01-2{y % 8}", y)
               for y in range(2023, 2016, -1)]
    # The newest report's page is filled by script.
    reports[0] = Article(reports[0].id, reports[0].title, reports[0].date, reports[0].year,
                         script_filled=True)
    extra = Article(90, f"{AGENCY}2022年政府信息公开工作年度报告解读", "2023-01-28", 0)
    notice = Article(91, "关于做好政府信息公开年度报告编制工作的通知", "2022-12-10", 0)
    return [reports[0], extra, *reports[1:3], notice, *reports[3:]]


class JsColumnSite:
    name = "jscolumn"

    @cached_property
    def articles(self) -> list[Article]:
        return _articles()

    @cached_property
    def by_path(self) -> dict[str, Article]:
        return {a.url: a for a in self.articles}

    def report_body(self, article: Article) -> str:
        from replica.seeds.reports import generate

        if not article.year:  # a 解读 or a 通知: paragraphs of their own, no tables
            return "".join(f"<p>{text}</p>" for text in (
                f"各单位：现将《{escape(article.title)}》有关事项说明如下。",
                "一、按照《中华人民共和国政府信息公开条例》第四十九条、第五十条规定，"
                "各行政机关应当于每年1月31日前向本级政府信息公开工作主管部门提交本行政机关"
                "上一年度政府信息公开工作年度报告并向社会公布。",
                "二、年度报告应当按照统一格式编制，内容包括主动公开、依申请公开、"
                "政府信息公开行政复议和行政诉讼情况，以及存在的主要问题及改进情况。",
                "三、请各单位指定专人负责，按时报送，确保数据准确、前后一致。"))
        return generate(AGENCY, article.year, f"jscolumn/{article.year}").body_html

    def handle(self, request: Request) -> Response:
        path = request.path
        if path in (f"/col/col{COLUMN_ID}/index.html", f"/col/col{COLUMN_ID}/"):
            return Response(body=_column_shell().encode())
        if path == "/js/jquery-lite.js":
            return _script(_JQUERY_LITE)
        if path == "/js/column.js":
            return _script(_COLUMN_JS)
        if path == "/js/article.js":
            return _script(_ARTICLE_JS)
        if path == f"/api/column/{COLUMN_ID}/articles":
            return self.list_page(request.param("page", "1"))
        if path.startswith("/api/article/") and path.endswith(".json"):
            article = next((a for a in self.articles
                            if path == f"/api/article/{a.id}.json" and a.script_filled), None)
            if article is None:
                return _json({"code": 404, "msg": "not found"}, status=404)
            return _json({"code": 0, "title": article.title, "content": self.report_body(article)})
        article = self.by_path.get(path)
        if article is not None:
            return Response(body=self.article_page(article).encode())
        return Response(status=404, body="<html><body><h1>404</h1>页面不存在</body></html>".encode())

    def list_page(self, page_param: str | None) -> Response:
        try:
            page = int(page_param or "1")
        except ValueError:
            return _json({"code": 400, "msg": "bad page"}, status=400)
        total_page = -(-len(self.articles) // PAGE_SIZE)
        if not 1 <= page <= total_page:
            return _json({"code": 0, "page": page, "totalPage": total_page, "articles": []})
        chunk = self.articles[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        return _json({"code": 0, "page": page, "pageSize": PAGE_SIZE, "totalPage": total_page,
                      "total": len(self.articles),
                      "articles": [{"id": a.id, "title": a.title, "url": a.url,
                                    "publishDate": a.date} for a in chunk]})

    def article_page(self, article: Article) -> str:
        head = (f'<meta name="ArticleTitle" content="{escape(article.title)}">'
                f"<title>{escape(article.title)}</title>")
        if article.script_filled:
            body = (f'<div id="zoom" data-id="{article.id}"></div>'
                    '<script src="/js/jquery-lite.js"></script>'
                    '<script src="/js/article.js"></script>')
        else:
            body = f'<div id="zoom">{self.report_body(article)}</div>'
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>'
                f'<h1 class="title">{escape(article.title)}</h1>'
                f'<div class="info">发布日期：{article.date}</div>{body}</body></html>')


def _column_shell() -> str:
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title>'
            '<script src="/js/jquery-lite.js"></script></head><body>'
            '<div class="column"><h2>政府信息公开年报</h2><ul id="list"></ul>'
            '<div id="pager"></div></div>'
            '<noscript>请启用JavaScript浏览本栏目</noscript>'
            '<script src="/js/column.js"></script></body></html>')


def _script(text: str) -> Response:
    return Response(body=text.encode(), content_type="application/javascript; charset=utf-8")


def _json(data: dict, status: int = 200) -> Response:
    return Response(status=status, body=json.dumps(data, ensure_ascii=False).encode(),
                    content_type="application/json; charset=utf-8")


def make_site(night: int = 1) -> JsColumnSite:
    return JsColumnSite()
