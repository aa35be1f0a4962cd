"""crawler.report_rules on pages of every kind a spider meets, without a crawl."""

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from crawler.report_rules import SOFT_404_MAX_CHARS, ReportRules, body_texts

RULES = ReportRules()
ERROR_PAGE = "<html><body><div>您访问的页面不存在</div><p>返回<a href='/'>首页</a></p></body></html>"


def _html(body: str) -> HtmlResponse:
    return HtmlResponse("http://127.0.0.1/a.html", body=body.encode("utf-8"), encoding="utf-8")


def test_an_error_page_answering_200_is_a_soft_404():
    assert RULES.is_soft_404(200, _html(ERROR_PAGE).selector)
    assert not RULES.is_soft_404(404, _html(ERROR_PAGE).selector)  # a real 404 is no soft one


def test_a_long_page_naming_the_marker_is_no_soft_404():
    # A report may quote the words; a page longer than SOFT_404_MAX_CHARS is not an error page.
    long = "<html><body><p>页面不存在</p>" + "<p>一</p>" * SOFT_404_MAX_CHARS + "</body></html>"
    assert not RULES.is_soft_404(200, _html(long).selector)


@pytest.mark.parametrize("nodes", [SOFT_404_MAX_CHARS // 2 - 6, SOFT_404_MAX_CHARS // 2 - 5])
def test_the_length_bound_counts_the_spaces_between_text_nodes(nodes):
    # "页面不存在" + nodes × "一", joined by single spaces: 2 × nodes + 5 characters.
    page = "<html><body><p>页面不存在</p>" + "<p>一</p>" * nodes + "</body></html>"
    text = " ".join(Selector(text=page).xpath("//body//text()").getall())
    expected = len(text) <= SOFT_404_MAX_CHARS
    assert RULES.is_soft_404(200, _html(page).selector) is expected


@pytest.mark.parametrize("response", [
    _html(ERROR_PAGE),
    _html("<html><head><title>页面不存在</title></head><body>x</body></html>"),  # not body text
    _html("<html><body><!-- 页面不存在 --><script>var a='页面已删除'</script></body></html>"),
    XmlResponse("http://127.0.0.1/a.xml",
                body="<?xml version='1.0'?><r><body>信息已删除</body></r>".encode()),
])
def test_body_texts_are_the_text_nodes_parsel_selects(response):
    assert body_texts(response.selector) == response.selector.xpath("//body//text()").getall()



def test_a_json_page_goes_the_way_parsel_goes():
    json = TextResponse("http://127.0.0.1/a.json", body=b'{"body": "x"}',
                        headers={"Content-Type": "application/json"})
    with pytest.raises(ValueError):
        json.selector.xpath("//body//text()")
    with pytest.raises(ValueError):
        body_texts(json.selector)


def _parsel_hrefs(rules: ReportRules, page: Selector) -> list[str]:
    return page.css(rules.attachment_links).css("::attr(href)").getall()


def test_attachment_links_of_every_replica_page_are_parsel_s():
    from replica.hanweb import templates
    from replica.linhai.catalog import build
    from replica.linhai.config import SITE

    articles, _ = build()
    linked = 0
    for article in articles:
        page = HtmlResponse("http://127.0.0.1/a.html", encoding=article.encoding,
                            body=templates.article_page(SITE, article).encode(article.encoding))
        hrefs = RULES.attachment_hrefs(page.selector)
        assert hrefs == _parsel_hrefs(RULES, page.selector), article.path
        linked += bool(hrefs)
    assert linked  # the replica links attachments: the comparison saw some


LINKS = """<html><body>
<a href="/a/REPORT.PDF">报告</a><p><a href="/b/x.docx">附件</a><a href='/c/y.pdf?v=1'>no</a></p>
<a href="/d/downfile.jsp?id=3">下载</a><A HREF="/e/z.xls">表</A><a>none</a>
<div class="att"><a href="/f/w.pdf">in a div</a><a href="/g/w.zip" class="x">zip</a></div>
</body></html>"""


@pytest.mark.parametrize("links", [
    None,  # the default attachment selectors
    "div.att a[href$='.pdf']",  # a combinator: parsel's own way
    "a.x, #nothing, a[href*='downfile']",
    "a:not(.x)[href$='.pdf']",
])
def test_attachment_links_in_one_pass_are_those_parsel_selects(links):
    rules = ReportRules() if links is None else ReportRules(attachment_links=links)
    page = _html(LINKS).selector
    assert rules.attachment_hrefs(page) == _parsel_hrefs(rules, page)
    if links is None:
        assert rules.attachment_hrefs(page) == [
            "/a/REPORT.PDF", "/b/x.docx", "/d/downfile.jsp?id=3", "/e/z.xls", "/f/w.pdf",
            "/g/w.zip"]
