"""Bounds on what one input may cost the readers (hostile or broken files).

A PDF's page count and a DOCX's decompressed ``word/document.xml`` are known
before the expensive work starts; past the bound the input is not read and
the record carries the issue code instead (a flagged record, never a hang or
an exhausted machine). The crawl sets these from ``EXTRACTION_*`` settings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseLimits:
    # Annual reports run to 5-30 pages; a 500-page PDF is something else.
    pdf_max_pages: int = 60
    # A real report's document.xml is well under 5 MB; a zip bomb expands to GBs.
    docx_max_xml_bytes: int = 50_000_000


class LimitExceeded(ValueError):
    """An input over one of the bounds; ``code`` is its issue code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
