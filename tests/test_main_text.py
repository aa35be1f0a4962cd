"""Main text without trafilatura's fallback comparison loses nothing on the pages we know.

``crawler.extraction`` runs trafilatura with ``fast=True`` (its own extractor
only, 40% cheaper). On every real HTML page in ../shared and every article
page of every replica, the text must be exactly what the full run (with its
readability/jusText comparison) gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura

from crawler.extraction import TRAFILATURA_OPTIONS
from replica import sites
from replica.server import Request

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"


def real_pages() -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in sorted(REAL.glob("*.html"))]


def replica_pages() -> list[tuple[str, bytes]]:
    pages = []
    for name, make in sorted(sites.items()):
        site = make()
        for path in sorted(getattr(site, "by_path", {})):
            response = site.handle(Request("GET", path, path, {}, {}))
            if response.status == 200 and "html" in (response.content_type or ""):
                pages.append((f"{name}{path}", response.body))
    return pages


PAGES = real_pages() + replica_pages()


def test_the_pages_are_there() -> None:
    assert len(real_pages()) >= 3 and len(replica_pages()) >= 40


@pytest.mark.parametrize("name,body", PAGES, ids=[name for name, _ in PAGES])
def test_fast_main_text_equals_the_full_comparison(name: str, body: bytes) -> None:
    assert TRAFILATURA_OPTIONS["fast"] is True
    full = trafilatura.extract(body, **{**TRAFILATURA_OPTIONS, "fast": False})
    assert trafilatura.extract(body, **TRAFILATURA_OPTIONS) == full
