"""The 天水郡 replica: 秦州区天水郡街道's 政府信息公开年报 column on 秦州区's portal (博达 VSB).

Seed 002 (天水郡街道 2021) on the 信息公开 detail template its page shows
(and 麦积区's identical one): 时间/点击, 【下载Word】【下载PDF】 links to the
report as DOCX and PDF, the ``• 索引号:`` list. The column is a 信息公开
table (索引号/标题/日期) with a text pager whose 下页 on the last page is not
a link; other years' reports of the 街道 and its news share the column.
"""

from __future__ import annotations

from functools import cache

from replica.seeds import catalog, pages
from replica.seeds.defences import Defences
from replica.seeds.model import Document
from replica.seeds.site import e
from replica.vsb.site import VsbConfig, VsbSite, content

CONFIG = VsbConfig(
    key="tianshuijun", site_name="天水市秦州区人民政府", domain="www.qinzhouqu.gov.cn",
    site_id_code="6205020001", column_path="/zfxxgk/zfxxgknb/jdnb/tsjjd.htm",
    column_name="政府信息公开年报", nav_path="/zfxxgk.htm", nav_name="政府信息公开", per_page=3,
    layout="govinfo",
    footer="主办：天水市秦州区人民政府办公室　网站标识码：6205020001　陇ICP备09001563号")
SEED_PATH = "/info/8517/93652.htm"
SEED_TITLE = "秦州区天水郡街道2021年政府信息公开工作年度报告"
AGENCY = "秦州区天水郡街道"

# (statistics year, published, extra)
REPORTS = (
    (2018, "2019-01-28 16:20", {}),
    (2019, "2020-01-20 10:05", {}),
    (2020, "2021-01-22 09:40", {"style": "word"}),
    (2022, "2023-01-17 15:12", {}),
    (2023, "2024-01-15 11:30", {}),
)
NEWS = (
    ("天水郡街道召开政务公开工作推进会", "2022-06-14"),
    ("天水郡街道开展《条例》宣传进社区活动", "2021-09-08"),
)


def downloads(d: Document) -> tuple[str, str]:
    """Where 【下载Word】 and 【下载PDF】 point: the page's report as the CMS exports it."""
    stem = f"/__local/{catalog.number(d.path, 'w'):X}/{catalog.number(d.path, 'x'):X}"
    return f"{stem}.docx", f"{stem}.pdf"


def detail_page(cfg: VsbConfig, d: Document) -> str:
    word, pdf = downloads(d)
    items = "".join(f"<li>{label}: {e(value)}</li>" for label, value in (
        ("索引号", d.index_no), ("主题分类", ""), ("发布机构", d.publisher),
        ("发布时间", d.published_date), ("标题", d.title)))
    metas = (f'<meta name="ColumnName" content="{e(cfg.column_name)}">\n'
             f'<meta name="ArticleTitle" content="{e(d.title)}">\n'
             f'<meta name="PubDate" content="{d.published}">\n'
             f'<meta name="ContentSource" content="{e(d.publisher)}">\n')
    site = VsbSite(cfg, [], detail_page)
    return (site.head(d.title, metas) + site.top()
            + '<div class="crumb">当前位置: <a href="/index.htm">首页</a> &gt;&gt; '
              '<a href="/zfxxgk.htm">政府信息公开</a> &gt;&gt; 政府信息公开年报 &gt;&gt; 正文</div>'
            + '<div class="lm_name">政府信息公开</div><div class="article">'
            + f'<h1 class="title">{e(d.title)}</h1>'
            + f'<div class="info">时间:{d.published_date} 点击:<span id="dynclicks_u9_'
              f'{d.path.rsplit("/", 1)[1][:-4]}"></span> '
              f'【<a href="{word}" target="_blank">下载Word</a>】 '
              f'【<a href="{pdf}" target="_blank">下载PDF</a>】</div>'
            + f'<ul class="xxgk_info">{items}</ul>' + content(d) + "</div>" + site.bottom())


def _with_downloads(d: Document) -> Document:
    word, pdf = downloads(d)
    d.attachments = [catalog.attachment(word, f"{d.title}.docx", "docx", d, d.body_html),
                     catalog.attachment(pdf, f"{d.title}.pdf", "pdf", d, d.body_html)]
    return d


def _seed_document() -> Document:
    text = pages.seed_text("002")
    body = text[text.index("2021年,天水郡街道办事处"):]
    sizes = pages.row_sizes(pages.seed_text("001").split("\n"))  # the same form, rows kept
    joined = {"(三)不予": "(三)不予公开", "(四)无法": "(四)无法提供", "(五)不予": "(五)不予处理"}
    starts = ("第二十条第(一)项", "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
              "行政复议")
    doc = Document(
        path=SEED_PATH, title=SEED_TITLE, published="2021-12-31 17:30", list_date="2021-12-31",
        publisher="天水郡街道", kind="report", agency=AGENCY, template="2019", year=2021,
        seed="002", index_no="20230618-163525-505",
        metadata={"index_no": "20230618-163525-505", "publisher": "天水郡街道",
                  "published_date": "2021-12-31"},
        body_html="".join(pages.body_from_paragraphs(body, sizes, joined, starts)),
        notes="seed 002; numbers: tests/parser/golden/truth/002_e08ae088fb6b67a9.json")
    return _with_downloads(doc)


@cache
def documents() -> tuple[Document, ...]:
    docs = [_seed_document()]
    for year, published, extra in REPORTS:
        seed = f"tianshuijun/{year}"
        path = f"/info/8517/{catalog.number(seed)}.htm"
        serial = catalog.number(seed, low=100000, span=99999)
        index_no = f"{published[:10].replace('-', '')}-{serial}"
        doc, _ = catalog.report_document(path, AGENCY, "天水郡街道", "town", year, published,
                                         published[:10], seed, style=extra.get("style", "plain"),
                                         index_no=index_no)
        doc.metadata = {"index_no": index_no, "publisher": "天水郡街道"}
        docs.append(_with_downloads(doc))
    for title, date in NEWS:
        docs.append(catalog.news(f"/info/8517/{catalog.number(title)}.htm", title, date,
                                 "天水郡街道"))
    return tuple(docs)


def make_site(defences: Defences | None = None) -> VsbSite:
    return VsbSite(CONFIG, list(documents()), detail_page, defences=defences)


__all__ = ["CONFIG", "SEED_PATH", "documents", "make_site"]
