"""PDF → text lines (pypdf text extraction, page by page).

Scanned PDFs have no text layer; they yield no lines and the record says so.
"""

from __future__ import annotations

import io
import logging

from .issues import UnreadableDocument

logger = logging.getLogger(__name__)

MAX_PAGES = 60  # annual reports run to 5-30 pages; a 500-page PDF is something else


def pdf_lines(data: bytes) -> list[str]:
    """Text lines of a PDF in reading order; raises UnreadableDocument if unreadable."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        lines: list[str] = []
        for page in reader.pages[:MAX_PAGES]:
            text = page.extract_text() or ""
            lines.extend(text.splitlines())
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError, RecursionError, ZeroDivisionError, AssertionError) as exc:
        raise UnreadableDocument(f"unreadable PDF: {exc}") from exc
    return lines
