"""One input → one record of ``shared/spec/report-record.md``.

Decides the kind of input (PDF, DOCX, HTML, text) from magic bytes, the
Content-Type and the file extension, turns it into lines and the row
stream, runs the table interpreters and the rules, and assembles the
record.  :func:`parse_report` never raises.
"""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import urlsplit

from nianbao_core.stat_keys import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    REVIEW_LITIGATION_OUTCOMES,
    stat_keys,
)

from . import PARSER_VERSION
from .decode import decode
from .detect import Interpreter
from .docx import DocxDoc, is_docx
from .html_tables import HtmlDoc
from .issues import UnreadableDocument, issue
from .limits import LimitExceeded, ParseLimits
from .markdown import from_markdown
from .metadata import agency_of, build_metadata, find_title, find_year
from .normalize import to_simplified
from .office import SHEET_KINDS, WORD_KINDS, convert, office_kind
from .ocr import LANGUAGE as OCR_LANGUAGE
from .ocr import OcrToken
from .ocr_confidence import ocr_confidence
from .pdf import pdf_text
from .rules import check_applications, check_review
from .rules_legacy import check_legacy
from .rules_soft import check_narrative, check_published, prose
from .sections import extract_sections
from .spreadsheet import SheetDoc, read_xls, read_xlsx
from .text_tables import rows_from_lines
from .tokens import Item

logger = logging.getLogger(__name__)

_HTML_EXT = {".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"}
_UNSUPPORTED_EXT = {".doc", ".xls", ".xlsx", ".wps", ".et", ".ppt", ".pptx", ".jpg", ".jpeg",
                    ".png", ".gif", ".bmp", ".zip", ".rar", ".ofd", ".tif", ".tiff"}
_OFFICE_KINDS = WORD_KINDS + SHEET_KINDS
_HTML_SNIFF = re.compile(r"<(?:!doctype|html|head|body|meta|div|p|table|td|tr|span|br|li|h\d)\b",
                         re.I)
_REPORT_TITLE = re.compile(r"年度报告|年报|工作报告")
_MAGIC_UNSUPPORTED = (b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!",
                      b"BM")
_ORDER_2019 = {k: i for i, k in enumerate(stat_keys("2019"))}
_ORDER_2021 = {k: i for i, k in enumerate(stat_keys("2021"))}
_ORDER = {**_ORDER_2019, **{k: i + 0.5 for k, i in _ORDER_2021.items() if k not in _ORDER_2019}}


def _extension(filename: str | None, url: str | None) -> str:
    for name in (filename, urlsplit(url).path if url else None):
        if name:
            ext = os.path.splitext(name)[1].lower()
            if ext:
                return ext
    return ""


def detect_kind(data: bytes | str, content_type: str | None, filename: str | None,
                url: str | None = None) -> str:
    """"pdf", "docx", an office kind ("doc", "wps", "xls", "et", "xlsx"), "html", "text"
    or "unsupported"."""
    ct = (content_type or "").split(";")[0].strip().lower()
    ext = _extension(filename, url)
    if isinstance(data, str):
        if ext in _HTML_EXT or "html" in ct or _HTML_SNIFF.search(data[:4096]):
            return "html" if ext != ".txt" or _HTML_SNIFF.search(data[:4096]) else "text"
        return "text"
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if is_docx(data) else office_kind(data, ext) or "unsupported"
    office = office_kind(data, ext)
    if office:
        return office
    if any(data.startswith(m) for m in _MAGIC_UNSUPPORTED) or ext in _UNSUPPORTED_EXT \
            or ct in ("application/msword", "application/vnd.ms-excel"):
        return "unsupported"
    sniff = _HTML_SNIFF.search(head.decode("latin-1"))
    if (ct == "application/pdf" or ext == ".pdf") and not sniff:
        return "unsupported"  # claims to be a PDF but has no PDF header
    if ext == ".txt" or ct == "text/plain":
        return "html" if sniff and b"<t" in data[:65536].lower() else "text"
    if ext in _HTML_EXT or "html" in ct or sniff:
        return "html"
    return "text"


def _empty(source: str | None, kind: str) -> dict:
    return {
        "source": source, "parser_version": PARSER_VERSION, "input_format": kind,
        "template": "unknown", "year": None, "title": None, "agency": None,
        "metadata": {k: None for k in ("index_no", "publisher", "written_date",
                                       "published_date", "doc_number", "subject",
                                       "validity", "site_name", "site_domain",
                                       "site_id_code", "column_name")},
        "stats": {}, "legacy_indicators": [],
        "sections": {"overview": None, "problems": None, "other": None}, "issues": [],
    }


def empty_record(source: str | None, kind: str) -> dict:
    """The record of an input nothing was read from: add the issue that says why."""
    return _empty(source, kind)


def _load(data: bytes | str, kind: str, content_type: str | None, record: dict,
          limits: ParseLimits, ocr_tokens: list[OcrToken]
          ) -> tuple[list[str], list[Item], dict[str, str], str | None]:
    """(lines, items, meta tags, <title>) of the input; the words OCR read go to
    ``ocr_tokens``."""
    if kind == "pdf":
        pdf = pdf_text(data if isinstance(data, bytes) else data.encode(), limits.pdf_max_pages)
        if pdf.ocr_pages:
            record["ocr"] = {"engine": "tesseract", "language": OCR_LANGUAGE,
                             "pages": pdf.ocr_pages, "confidence": {}}
            ocr_tokens.extend(pdf.ocr_tokens)
        if pdf.ocr_error:
            record["issues"].append(issue("ocr_failed", None, pdf.ocr_error[:300]))
        lines = to_simplified("\n".join(pdf.lines)).split("\n")
        builder = rows_from_lines(lines)
        return [x for x in (ln.strip() for ln in lines) if x], builder.items, {}, None
    if kind == "docx":
        doc = DocxDoc(data if isinstance(data, bytes) else data.encode(),
                      limits.docx_max_xml_bytes)
        return doc.lines, doc.builder.items, {}, None
    if kind in _OFFICE_KINDS:
        doc = _office_doc(data if isinstance(data, bytes) else data.encode(), kind)
        return doc.lines, doc.builder.items, {}, None
    if isinstance(data, bytes):
        text, codec, clean = decode(data, content_type)
        if not clean:
            record["issues"].append(issue("decode_errors", None,
                                          f"undecodable bytes replaced (decoded as {codec})"))
    else:
        text = data
    text = to_simplified(text.replace("\x00", ""))
    if kind == "html":
        html = HtmlDoc(text)
        return html.lines, html.builder.items, html.meta, html.title
    lines = from_markdown(text.splitlines())
    builder = rows_from_lines(lines)
    return [x for x in (ln.strip() for ln in lines) if x], builder.items, {}, None


def _office_doc(data: bytes, kind: str) -> DocxDoc | SheetDoc:
    """A Word/WPS file through LibreOffice as DOCX; a spreadsheet read as it is when xlrd or
    openpyxl can, else through LibreOffice as XLSX."""
    if kind in WORD_KINDS:
        return DocxDoc(convert(data, kind, "docx"))
    if kind == "xlsx":
        return SheetDoc(read_xlsx(data))
    try:
        return SheetDoc(read_xls(data))
    except UnreadableDocument:  # not BIFF xlrd knows (a newer .et): LibreOffice reads more
        return SheetDoc(read_xlsx(convert(data, kind, "xlsx")))


def _stats(interp: Interpreter, template: str, issues: list[dict]) -> dict:
    stats: dict[str, int | float | None] = {}
    t2_stats, t2_issues = interp.active.finish(template if template in ("2019", "2021") else None)
    stats.update(t2_stats)
    issues.extend(t2_issues)
    table, subtotals, t3_issues = interp.applications.finish()
    issues.extend(t3_issues)
    for row, cells in table.items():
        for col in APPLICANT_COLUMNS:
            cell = cells.get(col)
            stats[f"applications.{row}.{col}"] = None if cell is None else cell.value
    issues.extend(check_applications(table, subtotals))
    groups, t4_issues = interp.review.finish()
    issues.extend(t4_issues)
    for g, cells in groups.items():
        for o, _ in REVIEW_LITIGATION_OUTCOMES:
            cell = cells.get(o)
            stats[f"review_litigation.{g}.{o}"] = None if cell is None else cell.value
    issues.extend(check_review(groups))
    if template in ("2019", "2021"):
        if not interp.active.rows:
            issues.append(issue("missing_table", "active", "表二 (主动公开) not found"))
        if not table:
            issues.append(issue("missing_table", "applications", "表三 (依申请) not found"))
        else:
            t3 = interp.applications.evidence() or template
            expected = APPLICATION_ROWS_2021 if t3 == "2021" else APPLICATION_ROWS_2019
            missing = [r for r in expected if r not in table]
            if missing:
                issues.append(issue("missing_row", "applications",
                                    f"{len(missing)} rows of 表三 not found: " + ", ".join(missing)))
        if not groups:
            issues.append(issue("missing_table", "review_litigation", "表四 (复议诉讼) not found"))
    order = _ORDER_2021 if template == "2021" else _ORDER_2019
    return dict(sorted(stats.items(), key=lambda kv: order.get(kv[0], _ORDER.get(kv[0], 1e9))))


def build_record(data: bytes | str, kind: str, url: str | None, content_type: str | None,
                 limits: ParseLimits = ParseLimits()) -> dict:
    record = _empty(url, kind)
    issues: list[dict] = record["issues"]
    ocr_tokens: list[OcrToken] = []
    lines, items, meta, html_title = _load(data, kind, content_type, record, limits, ocr_tokens)
    interp = Interpreter().run(items)
    template, notes = interp.template()
    record["template"] = template
    record["stats"] = _stats(interp, template, issues)
    if "ocr" in record:
        record["ocr"]["confidence"], ocr_issues = ocr_confidence(record["stats"], ocr_tokens)
        issues.extend(ocr_issues)
    issues.extend(check_published(record["stats"]))
    if template == "pre2019" or (template == "unknown" and interp.legacy.rows):
        record["legacy_indicators"], legacy_issues = interp.legacy.finish()
        issues.extend(legacy_issues)
        issues.extend(check_legacy(interp.legacy.checked))
    metadata, header_title = build_metadata(lines, meta)
    record["metadata"] = metadata
    title = find_title(lines, meta, html_title, header_title)
    record["title"] = title
    record["agency"] = agency_of(title)
    record["sections"] = extract_sections(lines, pdf=kind == "pdf")
    year, year_notes = find_year(title, lines, record["sections"]["overview"])
    record["year"] = year
    for code, message in notes + year_notes:
        issues.append(issue(code, None, message))
    issues.extend(check_narrative(prose(lines, joined=kind in ("pdf", "text")), year, template,
                                  record["stats"], issues, interp.legacy.checked))
    if template == "unknown" and not any(k.startswith(("active", "applications", "review"))
                                         for k in record["stats"]):
        if (title and _REPORT_TITLE.search(title)) or any(record["sections"].values()):
            issues.append(issue("no_tables", None, "no statistics tables found "
                                "(published as images or attachments?)"))
        else:
            issues.append(issue("not_a_report", None, "no report title and no statistics tables"))
    return record


def parse_report(data: bytes | str, *, url: str | None = None, content_type: str | None = None,
                 filename: str | None = None, limits: ParseLimits = ParseLimits()) -> dict:
    """Parse one report (HTML page or fragment, PDF, DOCX or text); never raises.

    ``limits``: the bounds past which an input is not read (an issue says so).
    """
    kind = "unknown"
    try:
        kind = detect_kind(data, content_type, filename, url)
        if kind == "unsupported":
            record = _empty(url, kind)
            what = content_type or filename or "unknown"
            record["issues"].append(issue("unsupported_format", None,
                                          f"cannot parse this format ({what})"))
            return record
        return build_record(data, kind, url, content_type, limits)
    except LimitExceeded as exc:
        record = _empty(url, kind)
        record["issues"].append(issue(exc.code, None, str(exc)))
        return record
    except UnreadableDocument as exc:
        logger.warning("unreadable %s: %s", url or filename, exc)
        record = _empty(url, kind)
        record["issues"].append(issue("unreadable", None, str(exc)[:300]))
        return record
    except Exception as exc:  # noqa: BLE001 - the contract is a record, never an exception
        # A bug, not bad input: flagged as such, so the fuzz tests and the crawl's
        # stats (parser/issues/parser_crash) can tell one from the other.
        logger.error("parser crashed on %s", url or filename, exc_info=True)
        record = _empty(url, kind)
        record["issues"].append(issue("parser_crash", None,
                                      f"{type(exc).__name__}: {exc}"[:300]))
        return record


def parse_file(path: str | os.PathLike[str]) -> dict:
    """Parse a file by path (kind from its extension and content); never raises on content.

    Raises OSError only when the file cannot be read at all.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    return parse_report(data, url=os.fspath(path), filename=os.fspath(path))
