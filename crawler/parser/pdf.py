"""PDF → text lines (pypdf text extraction, page by page).

Scanned PDFs have no text layer; they yield no lines and the record says so.
"""

from __future__ import annotations

import io
import logging

from .issues import UnreadableDocument
from .limits import LimitExceeded, ParseLimits

logger = logging.getLogger(__name__)


def pdf_lines(data: bytes, max_pages: int = ParseLimits.pdf_max_pages) -> list[str]:
    """Text lines of a PDF in reading order; raises UnreadableDocument if unreadable.

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
        lines: list[str] = []
        for page in reader.pages:
            text = page.extract_text() or ""
            lines.extend(text.splitlines())
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError, RecursionError, ZeroDivisionError, AssertionError) as exc:
        raise UnreadableDocument(f"unreadable PDF: {exc}") from exc
    return lines
