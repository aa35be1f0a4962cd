"""The 信访局 replica: seed 001's county 信访局 on Guangdong's gkmlpt platform.

The seed names neither its county nor its portal (its text says 全县, 县信访局);
the replica puts the bureau's 政府信息公开年报 category on gkmlpt, where
Guangdong's county departments publish (an assumption the registry entry
states). The category holds the bureau's reports of other years (one with
its 统计表 as XLSX, one only as a PDF), a 年报解读 and a notice.
"""

from __future__ import annotations

from functools import cache

from replica.gkmlpt.site import GkmlptConfig, GkmlptSite, post_path
from replica.seeds import catalog, pages
from replica.seeds.defences import Defences
from replica.seeds.model import Document

CONFIG = GkmlptConfig(
    key="xinfang", site_name="县信访局", domain="xinfang.invalid", site_id_code="4400000001",
    sid="755325", category=3121, category_name="政府信息公开年报",
    tree=((3116, "机构职能"), (3117, "政策文件"), (3118, "规划计划"), (3121, "政府信息公开年报"),
          (3122, "政府信息公开指南")),
    footer="主办：县信访局　网站标识码：4400000001")
AGENCY = "县信访局"
SEED_POST = 9529455
SEED_TITLE = "县信访局2020年政府信息公开工作年度报告"

REPORTS = (  # (year, published, extra)
    (2019, "2020-01-21 10:30", {}),
    (2021, "2022-01-18 16:05", {"attach": "xlsx"}),
    (2022, "2023-01-12 09:20", {"only": "pdf"}),
    (2023, "2024-01-16 14:45", {}),
)


def _seed_document() -> Document:
    lines = pages.seed_text("001").split("\n")
    return Document(
        path=post_path(SEED_POST), title=SEED_TITLE, published="2021-01-21 15:48",
        list_date="2021-01-21", publisher=AGENCY, kind="report", agency=AGENCY, template="2019",
        year=2020, seed="001", index_no=f"007{SEED_POST % 1000000}/2021-00003",
        body_html="".join(pages.body_from_cells(lines)),
        notes="seed 001; numbers: tests/parser/golden/truth/001_ba6749b85648d9bd.json")


@cache
def documents() -> tuple[Document, ...]:
    docs = [_seed_document()]
    for year, published, extra in REPORTS:
        seed = f"xinfang/{year}"
        post = catalog.number(seed, low=9_000_000, span=900_000)
        doc, report = catalog.report_document(post_path(post), AGENCY, AGENCY, "department",
                                              year, published, published[:10], seed,
                                              index_no=f"007{post % 1000000}/{published[:4]}-00001")
        folder = f"/attachment/0/{post // 1000 % 1000}/{post % 1000}"
        if extra.get("only") == "pdf":
            catalog.only_in_attachment(doc, catalog.attachment(
                f"{folder}/{post}.pdf", f"{doc.title}.pdf", "pdf", doc, report.body_html))
        elif extra.get("attach") == "xlsx":
            doc.attachments = [catalog.attachment(f"{folder}/{post}.xlsx",
                                                  "政府信息公开情况统计表.xlsx", "xlsx", doc,
                                                  report.body_html)]
        docs.append(doc)
    for title, date in (("《县信访局2021年政府信息公开工作年度报告》解读", "2022-01-19"),
                        ("县信访局关于调整政府信息公开工作领导小组的通知", "2021-03-02")):
        post = catalog.number(title, low=9_000_000, span=900_000)
        doc = catalog.news(post_path(post), title, date, AGENCY)
        doc.kind = "interpretation" if "解读" in title else "news"
        docs.append(doc)
    return tuple(docs)


def make_site(defences: Defences | None = None) -> GkmlptSite:
    return GkmlptSite(CONFIG, list(documents()), defences=defences)


__all__ = ["CONFIG", "documents", "make_site"]
