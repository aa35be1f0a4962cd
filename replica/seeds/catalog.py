"""Helpers the seed-portal catalogs share: ids, generated report documents, attachments."""

from __future__ import annotations

import hashlib

from replica.seeds import files, reports
from replica.seeds.model import Attachment, Document

MIME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/octet-stream",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "et": "application/octet-stream",
    "zip": "application/zip",
}


def number(*parts, low: int = 10000, span: int = 90000) -> int:
    """A stable id from names (same catalog, same ids on every run)."""
    digest = hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()
    return low + int(digest[:8], 16) % span


def cut(title: str, limit: int = 30) -> str:
    return title if len(title) <= limit else title[:limit - 1] + "…"


def report_document(path: str, agency: str, publisher: str, scale: str, year: int,
                    published: str, list_date: str, rng_seed: str, *, style: str = "plain",
                    title: str | None = None, index_no: str = "") -> tuple[Document, object]:
    report = reports.generate(agency, year, rng_seed, scale, style)
    title = title or f"{agency}{year}年政府信息公开工作年度报告"
    doc = Document(path=path, title=title, published=published, list_date=list_date,
                   publisher=publisher, kind="report", agency=agency, template=report.template,
                   year=year, stats=report.stats, legacy_indicators=report.legacy_indicators,
                   index_no=index_no, list_title=cut(title), body_html=report.body_html)
    return doc, report


def attachment(path: str, name: str, kind: str, doc: Document, body_html: str) -> Attachment:
    """A file of ``kind`` for ``doc``; PDF and DOCX carry the report, the rest is archived."""
    def make() -> bytes:
        if kind == "pdf":
            return files.report_pdf(doc.title, body_html, (doc.agency or "", doc.published_date))
        if kind == "docx":
            return files.report_docx(doc.title, body_html)
        if kind == "xlsx":
            return files.xlsx_file([["统计指标", "单位", "统计数"], [doc.title, "", ""]])
        if kind == "zip":
            return files.zip_file({"统计表.xlsx": files.xlsx_file([[doc.title]])})
        return files.ole_file(doc.title)

    return Attachment(path, name, MIME[kind], make)


def only_in_attachment(doc: Document, attachment_: Attachment) -> None:
    """The page says 详见附件 and links the file that holds the report."""
    doc.kind = "pdf_report"
    doc.attachments = [attachment_]
    doc.body_html = (f'<p style="text-indent:2em;">{doc.title}详见附件。</p>')
    doc.notes = f"the report is only in the {attachment_.path.rsplit('.', 1)[1]} attachment"


def news(path: str, title: str, list_date: str, publisher: str) -> Document:
    return Document(path=path, title=title, published=f"{list_date} 10:00", list_date=list_date,
                    publisher=publisher, kind="news", list_title=cut(title),
                    body_html=f'<p style="text-indent:2em;">{title}。会议要求，进一步提高认识，'
                              "压实责任，扎实做好政府信息公开各项工作。</p>")
