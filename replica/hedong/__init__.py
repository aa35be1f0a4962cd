"""The 河东 replica: 临沂市河东区人民政府's 政府信息公开年报 column (博达 VSB).

Seed 003 (河东区行政审批服务局 2018, the pre-2019 统计表) under the
``索 引 号: | … | 公开目录: | …`` table of its page, among generated reports of
the district (区政府年报), its departments (部门年报) and towns (镇街年报), news
in the column, a report whose 统计表 is a ZIP attachment, and one only in a
DOCX. Five items a page, VSB's downward-numbered pages (``xxgknb/2.htm``,
``xxgknb/1.htm``).
"""

from __future__ import annotations

from functools import cache

from replica.seeds import catalog, pages
from replica.seeds.defences import Defences
from replica.seeds.model import Document
from replica.seeds.site import e
from replica.vsb.site import VsbConfig, VsbSite, content

CONFIG = VsbConfig(
    key="hedong", site_name="临沂市河东区人民政府", domain="www.hedong.gov.cn",
    site_id_code="3713120001", column_path="/gk/zfxxgk/xxgknb.htm", column_name="政府信息公开年报",
    nav_path="/gk/zfxxgk.htm", nav_name="政府信息公开", per_page=5, layout="list",
    footer="主办：临沂市河东区人民政府办公室　网站标识码：3713120001　鲁ICP备05018976号")
SEED_PATH = "/info/2821/41952.htm"
SEED_TITLE = "河东区行政审批服务局2018年政府信息公开工作年度报告"

# (agency, publisher, 公开目录, scale, year, published, extra)
REPORTS = (
    ("临沂市河东区人民政府", "河东区政府办公室", "区政府年报", "city", 2019, "2020-03-30 09:10", {}),
    ("临沂市河东区教育和体育局", "河东区教育和体育局", "部门年报", "department", 2020,
     "2021-01-26 15:40", {"attach": "zip"}),
    ("临沂市河东区九曲街道办事处", "九曲街道办事处", "镇街年报", "town", 2021, "2022-01-19 10:02", {}),
    ("临沂市河东区人民政府", "河东区政府办公室", "区政府年报", "city", 2022, "2023-03-28 16:30",
     {"style": "word"}),
    ("临沂市河东区民政局", "河东区民政局", "部门年报", "department", 2022, "2023-01-18 11:20",
     {"only": "docx"}),
    ("临沂市河东区汤头街道办事处", "汤头街道办事处", "镇街年报", "town", 2023, "2024-01-22 09:45", {}),
    ("临沂市河东区人民政府", "河东区政府办公室", "区政府年报", "city", 2017, "2018-03-29 14:00", {}),
)
NEWS = (
    ("河东区召开政务公开工作专题会议", "2023-05-12"),
    ("河东区开展政府信息公开专项检查", "2022-08-03"),
    ("关于做好2021年政府信息公开工作年度报告编制工作的通知", "2021-12-20"),
)


def detail_page(cfg: VsbConfig, d: Document) -> str:
    """河东's detail template: the 索 引 号 | 公开目录 table, title, VSB content block."""
    subject = d.metadata.get("subject", "")
    written = d.metadata.get("written_date", d.published_date)
    table = ('<table class="xxgk_table" width="100%" cellspacing="0" cellpadding="0">'
             f"<tr><td>索 引 号:</td><td>{e(d.index_no)}</td><td>公开目录:</td><td>{e(subject)}</td></tr>"
             f"<tr><td>成文日期:</td><td>{written}</td><td>发布日期:</td><td>{d.published_date}</td></tr>"
             f'<tr><td>发布机构:</td><td colspan="3">{e(d.publisher)}</td></tr></table>')
    metas = (f'<meta name="ColumnName" content="{e(cfg.column_name)}">\n'
             f'<meta name="ArticleTitle" content="{e(d.title)}">\n'
             f'<meta name="PubDate" content="{d.published}">\n'
             f'<meta name="ContentSource" content="{e(d.publisher)}">\n')
    site = VsbSite(cfg, [], detail_page)
    return (site.head(d.title, metas) + site.top()
            + f'<div class="article">{table}<h1 class="title">{e(d.title)}</h1>'
            + content(d) + "</div>" + site.bottom())


def _seed_document() -> Document:
    lines = pages.seed_text("003").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("2018年,"))
    return Document(
        path=SEED_PATH, title=SEED_TITLE, published="2019-01-16 10:35", list_date="2019-01-16",
        publisher="河东区行政审批服务局", kind="report", agency="河东区行政审批服务局",
        template="pre2019", year=2018, seed="003", index_no="hedongquhd0207/2019-0000270",
        metadata={"index_no": "hedongquhd0207/2019-0000270", "subject": "部门年报",
                  "publisher": "河东区行政审批服务局", "written_date": "2019-01-16",
                  "published_date": "2019-01-16"},
        body_html="".join(pages.body_from_cells(lines[start:], width=3)),
        notes="seed 003; numbers: tests/parser/golden/truth/003_7faba437cf7e8e94.json")


@cache
def documents() -> tuple[Document, ...]:
    docs = [_seed_document()]
    for agency, publisher, subject, scale, year, published, extra in REPORTS:
        seed = f"hedong/{agency}/{year}"
        column = {"区政府年报": 2996, "部门年报": 2821, "镇街年报": 2822}[subject]
        path = f"/info/{column}/{catalog.number(seed)}.htm"
        index_no = f"hedongqu{catalog.number(agency, low=1000, span=9000)}/{published[:4]}-" \
                   f"{catalog.number(seed, low=1, span=9999):07d}"
        doc, report = catalog.report_document(
            path, agency, publisher, scale, year, published, published[:10], seed,
            style=extra.get("style", "plain"), index_no=index_no)
        doc.metadata = {"index_no": index_no, "subject": subject, "publisher": publisher}
        local = f"/__local/{catalog.number(seed, 'f'):X}/{catalog.number(seed, 'g'):X}"
        if extra.get("only") == "docx":
            catalog.only_in_attachment(doc, catalog.attachment(
                f"{local}_{catalog.number(seed, 'h'):X}.docx", f"{doc.title}.docx", "docx", doc,
                report.body_html))
        elif extra.get("attach") == "zip":
            doc.attachments = [catalog.attachment(
                f"{local}_{catalog.number(seed, 'h'):X}.zip", "政府信息公开情况统计表.zip", "zip",
                doc, report.body_html)]
        docs.append(doc)
    for title, date in NEWS:
        docs.append(catalog.news(f"/info/1032/{catalog.number(title)}.htm", title, date,
                                 "河东区政府办公室"))
    return tuple(docs)


def make_site(defences: Defences | None = None) -> VsbSite:
    return VsbSite(CONFIG, list(documents()), detail_page, defences=defences)


__all__ = ["CONFIG", "SEED_PATH", "documents", "make_site"]
