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

import logging
from dataclasses import dataclass, field
from importlib.metadata import version

import trafilatura

from crawler.charset_evidence import evidence_for
from crawler.content import content_digest, text_digest
from crawler.items import Capture
from crawler.parser import PARSER_VERSION, parse_report
from nianbao_core.digests import sha1_digest

logger = logging.getLogger(__name__)

# Which main-text extractor produced a stored text: a re-parse may reuse the
# text when it is the same one, since the parser is what a re-parse is for.
TEXT_EXTRACTOR = f"trafilatura {version('trafilatura')}"

DOCUMENT_TYPES = ("pdf", "msword", "officedocument.wordprocessingml")
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".doc")


@dataclass
class Extraction:
    record: dict
    text: str | None
    content_digest: str
    text_extractor: str
    document: Capture | None = None  # the attachment the record was read from
    events: list[str] = field(default_factory=list)  # stat names to count


def has_numbers(record: dict) -> bool:
    return record.get("template") not in (None, "unknown") and bool(
        record.get("stats") or record.get("legacy_indicators"))


def is_document(capture: Capture) -> bool:
    content_type = (capture.content_type or "").lower()
    return any(t in content_type for t in DOCUMENT_TYPES) or capture.url.lower().endswith(
        DOCUMENT_SUFFIXES)


def parse(capture: Capture, events: list[str]) -> dict:
    try:
        record = parse_report(capture.body, url=capture.url, content_type=capture.content_type)
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


def main_text(page: Capture) -> str | None:
    return trafilatura.extract(page.body, url=page.url, include_tables=True,
                               include_comments=False)


def extract_report(page: Capture, attachments: list[Capture], *,
                   known_text: str | None = None) -> Extraction:
    """``known_text``: the page's main text from an earlier run of ``TEXT_EXTRACTOR``."""
    events: list[str] = []
    text = None
    if not is_document(page):
        record_charset_evidence(page)
        text = known_text if known_text is not None else main_text(page)
        page.text_digest = text_digest(text)
    record = parse(page, events)
    document = None
    if not has_numbers(record):
        for attachment in filter(is_document, attachments):
            parsed = parse(attachment, events)
            if has_numbers(parsed):
                record = merge_page_into_document(record, parsed)
                document = attachment
                events.append("parser/reports_from_attachments")
                break
    document_bytes = document.body if document else (page.body if is_document(page) else None)
    digest = content_digest(page.text_digest,
                            sha1_digest(document_bytes) if document_bytes else None)
    events.append(f"parser/templates/{record.get('template')}")
    issues = record.get("issues") or []
    if issues:
        events.append("parser/reports_with_issues")
    events.extend(f"parser/issues/{issue.get('code')}" for issue in issues)
    return Extraction(record, text, digest, TEXT_EXTRACTOR, document, events)
