"""The 东乡 replica: 抚州市东乡区人民政府's 政府信息公开年报 column (TRS WCM).

Seed 000 (东乡区工信局 2019) as its page serves it (the 繁體 copy with pinyin
glosses the seed was taken from, ``索 引 號`` table), among generated reports
of the district's departments and townships, news items the editors put in
the column, a 解读, a report only in a PDF, reports with their 统计表 attached
as XLS and ET and a WPS copy. The pager is the 1-based template; list dates
are the editors' and some differ from the ``tYYYYMMDD`` of the URL.

* ``make_site(defences=None)``: the site to serve;
* ``documents()``: every listed document with its truth (``Document.to_dict()``).
"""

from __future__ import annotations

import hashlib
from functools import cache

from replica.seeds import files, pages, reports
from replica.seeds.defences import Defences
from replica.seeds.model import Attachment, Document
from replica.seeds.site import e
from replica.trs.site import TrsConfig, TrsSite

CONFIG = TrsConfig(
    key="dongxiang", site_name="抚州市东乡区人民政府", domain="www.jxdx.gov.cn",
    site_id_code="3610030001", column_dir="/zwgk/zfxxgknb/", column_name="政府信息公开年报",
    per_page=6, pager_base=1,
    footer=("主办：抚州市东乡区人民政府办公室　承办：东乡区信息中心　网站标识码：3610030001　"
            "赣ICP备05004567号"))
COLUMN = CONFIG.column_dir
SEED_PATH = COLUMN + "202001/t20200110_3409562.html"
# The title as the seed prints it (the 繁體 gateway's pinyin glosses included).
SEED_TITLE = "撫州市東鄉(xiāng)區(qū)工信局2019年政府信息公開工作年度報(bào)告"

# (agency, publisher, scale, statistics year, URL date, list date, published, extra)
REPORTS = (
    ("抚州市东乡区人民政府", "东乡区人民政府办公室", "city", 2018, "20190328", "2019-03-29",
     "2019-03-29 10:12", {}),
    ("抚州市东乡区教育体育局", "东乡区教育体育局", "department", 2019, "20200115", "2020-01-15",
     "2020-01-15 09:30", {"attach": ("xls", "et")}),
    ("抚州市东乡区孝岗镇人民政府", "孝岗镇", "town", 2019, "20200120", "2020-01-21",
     "2020-01-21 15:02", {}),
    ("抚州市东乡区人民政府", "东乡区人民政府办公室", "city", 2020, "20210325", "2021-03-26",
     "2021-03-26 16:40", {"attach": ("wps",)}),
    ("抚州市东乡区民政局", "东乡区民政局", "department", 2020, "20210118", "2021-01-18",
     "2021-01-18 11:25", {"kind": "pdf_report"}),
    ("抚州市东乡区卫生健康委员会", "东乡区卫生健康委员会", "department", 2021, "20220121",
     "2022-01-24", "2022-01-24 08:50", {}),
    ("抚州市东乡区人民政府", "东乡区人民政府办公室", "city", 2022, "20230329", "2023-03-30",
     "2023-03-30 17:05", {}),
    ("抚州市东乡区黎圩镇人民政府", "黎圩镇", "town", 2022, "20230116", "2023-01-16",
     "2023-01-16 10:48", {"style": "word"}),
)
# Items of the column that are not reports (URL date, list date, title).
NEWS = (
    ("20200603", "2020-05-29", "东乡区召开2020年政务公开工作推进会"),
    ("20210409", "2021-04-09", "东乡区开展政府信息公开培训"),
    ("20220302", "2021-12-30", "关于报送2021年政府信息公开工作年度报告的通知"),
    ("20190812", "2019-08-12", "东乡区政务公开“开放日”活动走进孝岗镇"),
)


def _doc_id(*parts) -> int:
    return 3409000 + int(hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()[:5], 16) % 900


def _seed_document() -> Document:
    lines = pages.seed_text("000").split("\n")
    title_at = next(i for i, line in enumerate(lines) if line.strip() == SEED_TITLE)
    crumb = "".join(f"<span>{e(c.strip())}</span>" for c in lines[0].split("|") if c.strip())
    meta_lines = [line.strip() for line in lines[1:title_at] if line.strip() not in ("", "|")]
    cells = [f"<td>{e(line)}</td>" for line in meta_lines]
    rows = "".join("<tr>" + "".join(cells[i:i + 2]) + "</tr>" for i in range(0, len(cells), 2))
    header = (f'<div class="pos">{crumb}</div>'
              f'<table class="xxgk_table" width="100%">{rows}</table>'
              f'<div class="title">{e(SEED_TITLE)}</div>')
    return Document(
        path=SEED_PATH, title=SEED_TITLE, published="2020-01-10 16:20", list_date="2020-01-13",
        publisher="東鄉區工業和信息化局", kind="report", agency="抚州市东乡区工信局",
        template="2019", year=2019, seed="000", index_no="DX0029/2020-06691",
        metadata={"index_no": "DX0029/2020-06691", "publisher": "东乡区工业和信息化局",
                  "written_date": "2020-01-10"},
        header_html=header, body_html="".join(pages.body_from_rows(lines[title_at + 1:])),
        notes="seed 000; stats: tests/parser/golden/truth/000_8ea8eed0dcff065f.json")


def _attachments(doc: Document, kinds: tuple[str, ...], report) -> list[Attachment]:
    directory = doc.path.rsplit("/", 1)[0]
    stamp = doc.path.rsplit("/t", 1)[1][:8]
    table = [["统计指标", "单位", "统计数"], ["本年新收政府信息公开申请数量", "件",
             str(report.stats.get("applications.new_received.total", ""))]]
    makers = {
        "pdf": ("application/pdf", lambda: files.report_pdf(doc.title, report.body_html,
                                                           (doc.agency or "", doc.published_date))),
        "xls": ("application/vnd.ms-excel", lambda: files.ole_file("\t".join(table[1]))),
        "et": ("application/octet-stream", lambda: files.ole_file("\t".join(table[1]))),
        "wps": ("application/octet-stream", lambda: files.ole_file(doc.title)),
    }
    names = {"pdf": f"{doc.title}.pdf", "xls": "政府信息公开情况统计表.xls",
             "et": "政府信息公开情况统计表.et", "wps": f"{doc.title}.wps"}
    out = []
    for n, kind in enumerate(kinds):
        content_type, make = makers[kind]
        out.append(Attachment(f"{directory}/P0{stamp}{_doc_id(doc.path, kind)}{n}.{kind}",
                              names[kind], content_type, make))
    return out


@cache
def documents() -> tuple[Document, ...]:
    docs = [_seed_document()]
    for agency, publisher, scale, year, url_date, list_date, published, extra in REPORTS:
        title = f"{agency}{year}年政府信息公开工作年度报告"
        seed = f"dongxiang/{agency}/{year}"
        report = reports.generate(agency, year, seed, scale, extra.get("style", "plain"))
        path = f"{COLUMN}{url_date[:6]}/t{url_date}_{_doc_id(seed)}.html"
        kind = extra.get("kind", "report")
        doc = Document(
            path=path, title=title, published=published, list_date=list_date,
            publisher=publisher, kind=kind, agency=agency, template=report.template, year=year,
            stats=report.stats, legacy_indicators=report.legacy_indicators,
            index_no=f"DX{_doc_id(agency) % 100:04d}/{published[:4]}-{_doc_id(seed) % 10000:05d}",
            list_title=title if len(title) <= 30 else title[:29] + "…",
            body_html=report.body_html)
        if kind == "pdf_report":
            doc.attachments = _attachments(doc, ("pdf",), report)
            doc.body_html = (f'<p style="text-indent:2em;">{agency}{year}年政府信息公开工作年度报告'
                             "详见附件。</p>")
            doc.notes = "the report is only in the PDF attachment"
        elif extra.get("attach"):
            doc.attachments = _attachments(doc, extra["attach"], report)
        docs.append(doc)
    for url_date, list_date, title in NEWS:
        path = f"{COLUMN}{url_date[:6]}/t{url_date}_{_doc_id(title)}.html"
        docs.append(Document(
            path=path, title=title, published=f"{list_date} 09:00", list_date=list_date,
            publisher="东乡区人民政府办公室", kind="news",
            body_html=f'<p style="text-indent:2em;">{title}。会议强调，要进一步提高认识，'
                      "压实责任，扎实做好政府信息公开各项工作。</p>"))
    interpretation = "《抚州市东乡区人民政府2022年政府信息公开工作年度报告》解读"
    docs.append(Document(
        path=f"{COLUMN}202303/t20230331_{_doc_id(interpretation)}.html", title=interpretation,
        published="2023-03-31 09:15", list_date="2023-03-31", publisher="东乡区人民政府办公室",
        kind="interpretation",
        body_html='<p style="text-indent:2em;">一图读懂东乡区2022年政府信息公开工作年度报告。</p>'
                  '<p><img src="./W020230331123456789012.jpg" alt="图解"></p>'))
    return tuple(docs)


def make_site(defences: Defences | None = None) -> TrsSite:
    return TrsSite(CONFIG, list(documents()), defences=defences)


__all__ = ["CONFIG", "SEED_PATH", "documents", "make_site"]
