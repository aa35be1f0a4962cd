"""PDF → text lines (pypdf text extraction, page by page; OCR for pages without text).

A scanned page has no text layer but an image: it goes through OCR
(:mod:`.ocr`), and its lines join the others in page order. ``PdfText`` says
which pages were OCR'd and keeps every word OCR read with its confidence.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from .issues import UnreadableDocument
from .limits import LimitExceeded, ParseLimits
from .ocr import OcrError, OcrToken, ocr_pdf_pages

logger = logging.getLogger(__name__)

_MIN_TEXT = 10  # characters: fewer on a page with an image is a scan (a page number at most)


@dataclass
class PdfText:
    lines: list[str]
    ocr_pages: list[int] = field(default_factory=list)  # 1-based
    ocr_tokens: list[OcrToken] = field(default_factory=list)
    ocr_error: str | None = None  # why the scanned pages could not be OCR'd


def pdf_lines(data: bytes, max_pages: int = ParseLimits.pdf_max_pages) -> list[str]:
    """Text lines of a PDF's text layer (no OCR)."""
    return pdf_text(data, max_pages, ocr=False).lines


def _is_scan(page, text: str) -> bool:
    if len("".join(text.split())) >= _MIN_TEXT:
        return False
    try:
        return bool(page.images)
    except Exception:  # noqa: BLE001 - a broken image dictionary: nothing to OCR
        return False


def pdf_text(data: bytes, max_pages: int = ParseLimits.pdf_max_pages, *, ocr: bool = True
             ) -> PdfText:
    """Lines of a PDF in reading order, OCR for scanned pages; UnreadableDocument if unreadable.

    A PDF of more than ``max_pages`` pages is not read (``LimitExceeded``).
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError, RecursionError, ZeroDivisionError, AssertionError) as exc:
        raise UnreadableDocument(f"unreadable PDF: {exc}") from exc
    if pages > max_pages:
        raise LimitExceeded("pdf_too_many_pages",
                            f"PDF of {pages} pages, more than the {max_pages} read")
    try:
        page_lines: list[list[str]] = []
        scans: list[int] = []
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            page_lines.append(text.splitlines())
            if ocr and _is_scan(page, text):
                scans.append(number)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError, RecursionError, ZeroDivisionError, AssertionError) as exc:
        raise UnreadableDocument(f"unreadable PDF: {exc}") from exc
    result = PdfText([])
    if scans:
        try:
            read, result.ocr_tokens = ocr_pdf_pages(data, scans)
            result.ocr_pages = sorted(read)
            for number, lines in read.items():
                page_lines[number - 1] = lines
        except OcrError as exc:
            result.ocr_error = str(exc)
    result.lines = [line for lines in page_lines for line in lines]
    return result
