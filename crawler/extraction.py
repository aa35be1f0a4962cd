"""From fetched bytes to a report record: the one extraction step.

The crawl's pipeline and ``scrapy reparse`` both call ``extract_report``, so
a report re-parsed from the archive is built exactly as it was built live.

Main text comes from trafilatura (tables kept), given the raw bytes so that
it finds the charset itself: a GBK page with no charset in its header decodes
right there, where ``response.text`` may not. The numbers and metadata come
from the shared parser, given the same bytes, URL and Content-Type. When the
page carries no tables but links the report as an attachment (PDF, DOCX), the
attachment is parsed and the page's metadata completes it.
"""

from __future__ import annotations

import codecs
import encodings.aliases
import logging
import time
from dataclasses import dataclass, field
from importlib.metadata import version

import trafilatura

from crawler.charset_evidence import evidence_for
from crawler.content import content_digest, text_digest
from crawler.items import Capture
from crawler.parser import PARSER_VERSION, ParseLimits, empty_record, parse_report
from crawler.parser.issues import issue
from nianbao_core.digests import sha1_digest

logger = logging.getLogger(__name__)

# Which main-text extractor produced a stored text: a re-parse may reuse the
# text when it is the same one, since the parser is what a re-parse is for.
TEXT_EXTRACTOR = f"trafilatura {version('trafilatura')} fast"
# trafilatura's own extractor alone, without the comparison with its fallbacks
# (readability, jusText), which cost 40% of main text and, on every real page
# in ../shared and every replica page, changed nothing (tests/test_main_text.py).
TRAFILATURA_OPTIONS = {"include_tables": True, "include_comments": False, "fast": True}

# Issue codes of inputs a bound left unread (crawler.parser.limits).
BOUND_CODES = frozenset({"pdf_too_many_pages", "docx_too_large", "input_too_large"})
# An attachment with one of these was not read at all: attachment_unparsed on its report.
UNPARSED_CODES = frozenset({"unreadable", "unsupported_format", "parser_crash"})

DOCUMENT_TYPES = ("pdf", "msword", "officedocument.wordprocessingml")
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".doc")


@dataclass(frozen=True)
class ExtractionLimits:
    """Bounds on one report's extraction input (``EXTRACTION_*`` settings).

    Main text grows superlinearly with page size (trafilatura: 1 MB 1.4 s, 4 MB
    17 s), so pages are bounded far below attachments.
    """

    max_page_bytes: int = 4_000_000
    max_document_bytes: int = 50_000_000
    parse: ParseLimits = ParseLimits()


@dataclass
class Extraction:
    record: dict
    text: str | None
    content_digest: str
    text_extractor: str
    document: Capture | None = None  # the attachment the record was read from
    events: list[str] = field(default_factory=list)  # stat names to count
    # CPU seconds by stage ("main_text", "parser"): what the benchmark reports.
    cpu: dict[str, float] = field(default_factory=dict)


def has_numbers(record: dict) -> bool:
    return record.get("template") not in (None, "unknown") and bool(
        record.get("stats") or record.get("legacy_indicators"))


def is_document(capture: Capture) -> bool:
    content_type = (capture.content_type or "").lower()
    return any(t in content_type for t in DOCUMENT_TYPES) or capture.url.lower().endswith(
        DOCUMENT_SUFFIXES)


def parse(capture: Capture, events: list[str], limits: ParseLimits = ParseLimits()) -> dict:
    try:
        record = parse_report(capture.body, url=capture.url, content_type=capture.content_type,
                              limits=limits)
    except Exception as exc:  # the parser promises not to raise; a crawl must not die if it does
        logger.exception("Parser raised on %s", capture.url)
        events.append("parser/crashes")
        record = {"source": capture.url, "template": "unknown", "stats": {},
                  "issues": [{"code": "parser_crash", "severity": "error",
                              "where": None, "message": repr(exc)}]}
    record.setdefault("parser_version", PARSER_VERSION)
    return record


def merge_page_into_document(page: dict, document: dict) -> dict:
    """The attachment's numbers with the page's metadata filling its gaps."""
    merged = dict(document)
    merged["source"] = page.get("source")
    for key in ("title", "agency", "year"):
        if not merged.get(key):
            merged[key] = page.get(key)
    metadata = dict(page.get("metadata") or {})
    metadata.update({k: v for k, v in (document.get("metadata") or {}).items() if v})
    merged["metadata"] = metadata
    return merged


def record_charset_evidence(capture: Capture) -> None:
    """What the page declared (as written) and what decoding it took (a codec name).

    Taken when the response was archived (the WARC middleware); only a capture
    that was not archived (archiving off) has it taken here.
    """
    if capture.charsets is None:
        capture.charsets = evidence_for(capture.content_type, capture.body)


# A short report page: a <meta> tag, Traditional characters (the converter), a
# paragraph long enough for the parser's fast NFKC (its table) and a table.
_WARM_UP_PAGE = (
    "<html><head><meta charset='{charset}'><meta name='ArticleTitle' content='2021年年度報告'>"
    "<title>2021年政府信息公开工作年度报告</title></head><body><div class='article-content'>"
    "<p>一、总体情况</p><p>2021年，本单位认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "全年主动公开政府信息120条，其中通过门户网站公开100条，通过政务新媒体公开20条。</p>"
    "<table><tr><td>信息内容</td><td>本年制发件数</td></tr>"
    "<tr><td>规章</td><td>1</td></tr></table><p>二、主动公开政府信息情况</p></div>"
    "</body></html>")


def _one_line_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica.

    Written out by hand: pypdf writes PDFs but cannot put text on a page, and
    the warm-up needs a page whose text pypdf extracts (its font code).
    """
    content = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return pdf_of_objects(objects)


def pdf_of_objects(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalog), with its xref."""
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(pdf)


def warm_up() -> None:
    """Run extraction once so that what its first call sets up is already set up.

    The first report in a fresh process costs about 250 ms of CPU more than the
    next (the Traditional-to-Simplified tables, the NFKC table, charset
    detection's and pypdf's imports, pypdf's font code, regular expressions):
    paid once in the process extraction workers are
    forked from, not once per worker and again each time a worker is replaced.
    Never raises: a process that could not warm up still extracts, only more
    slowly at first.
    """
    try:
        # UTF-8, and GBK: trafilatura detects a charset other than UTF-8 (charset-normalizer)
        for charset, codec in (("utf-8", "utf-8"), ("gbk", "gb18030")):
            page = _WARM_UP_PAGE.format(charset=charset).encode(codec)
            extract_report(Capture("http://warm.up/a.html", 200, "text/html", page), [])
        parse_report(_one_line_pdf("Annual report 2021"), url="http://warm.up/a.pdf",
                     content_type="application/pdf")
        # Charset detection tries codecs by the dozen on a real page, each a module
        # imported on its first use.
        for codec in sorted(set(encodings.aliases.aliases.values())):
            try:
                codecs.lookup(codec)
            except LookupError:  # an alias of a codec this Python lacks
                continue
    except Exception:  # noqa: BLE001 - only speed is at stake
        logger.exception("Extraction warm-up failed")


def main_text(page: Capture) -> str | None:
    return trafilatura.extract(page.body, url=page.url, **TRAFILATURA_OPTIONS)


def too_large(capture: Capture, limits: ExtractionLimits) -> str | None:
    """Why ``capture`` is over the input bound, or None."""
    bound = limits.max_document_bytes if is_document(capture) else limits.max_page_bytes
    if len(capture.body) <= bound:
        return None
    return f"{capture.url}: {len(capture.body)} bytes, over the bound of {bound}"


def failed_extraction(page: Capture, code: str, message: str) -> Extraction:
    """A flagged record for a page nothing could be read from (too large, timed out, crashed).

    Its content is the page's bytes: another capture with the same bytes is the
    same version, and one read successfully later becomes a version of its own.
    """
    record = empty_record(page.url, "unknown")
    record["issues"].append(issue(code, None, message))
    events = ["parser/templates/unknown", "parser/reports_with_issues",
              f"parser/issues/{code}"]
    return Extraction(record, None, content_digest(None, sha1_digest(page.body)),
                      TEXT_EXTRACTOR, None, events)


def extract_report(page: Capture, attachments: list[Capture], *,
                   known_text: str | None = None,
                   limits: ExtractionLimits = ExtractionLimits()) -> Extraction:
    """``known_text``: the page's main text from an earlier run of ``TEXT_EXTRACTOR``."""
    oversized = too_large(page, limits)
    if oversized:
        return failed_extraction(page, "input_too_large", oversized)
    events: list[str] = []
    cpu: dict[str, float] = {}
    text = None
    started = time.process_time()
    if not is_document(page):
        record_charset_evidence(page)
        text = known_text if known_text is not None else main_text(page)
        page.text_digest = text_digest(text)
    cpu["main_text"] = time.process_time() - started
    started = time.process_time()
    record = parse(page, events, limits.parse)
    document = None
    if not has_numbers(record):
        for attachment in filter(is_document, attachments):
            oversized = too_large(attachment, limits)
            if oversized:
                record.setdefault("issues", []).append(
                    issue("input_too_large", "attachment", oversized))
                continue
            parsed = parse(attachment, events, limits.parse)
            if has_numbers(parsed):
                record = merge_page_into_document(record, parsed)
                document = attachment
                events.append("parser/reports_from_attachments")
                break
            # An attachment left unread by a bound may hold the numbers: the page says so.
            record.setdefault("issues", []).extend(
                {**found, "where": "attachment", "message": f"{attachment.url}: {found['message']}"}
                for found in parsed.get("issues") or [] if found.get("code") in BOUND_CODES)
            # So may one that could not be read at all (a broken PDF, a .doc).
            failures = [found for found in parsed.get("issues") or []
                        if found.get("code") in UNPARSED_CODES]
            if failures:
                record.setdefault("issues", []).append(issue(
                    "attachment_unparsed", "attachment", f"{attachment.url}: " + "; ".join(
                        f"{found['code']}: {found['message']}" for found in failures)))
    document_bytes = document.body if document else (page.body if is_document(page) else None)
    digest = content_digest(page.text_digest,
                            sha1_digest(document_bytes) if document_bytes else None)
    events.append(f"parser/templates/{record.get('template')}")
    issues = record.get("issues") or []
    if issues:
        events.append("parser/reports_with_issues")
    events.extend(f"parser/issues/{found.get('code')}" for found in issues)
    cpu["parser"] = time.process_time() - started
    return Extraction(record, text, digest, TEXT_EXTRACTOR, document, events, cpu)
