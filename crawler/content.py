"""Telling changed content from changed bytes.

Two captures of a report page often differ in bytes and not in content: a
visit counter, a timestamp, a session token. The digest of the normalised
main text says whether the content changed; a report gets a new version only
when it did.
"""

from __future__ import annotations

import re

from crawler.parser.normalize import nfkc
from nianbao_core.digests import sha1_digest

# Page furniture that changes on every visit and may survive text extraction.
_VOLATILE = [
    re.compile(r"(浏览|访问|点击|阅读)(次数|量)?\s*[:：]\s*\d*"),
    re.compile(r"(当前时间|更新时间|生成时间)\s*[:：]\s*[\d\-/: ]+"),
    re.compile(r"\b[0-9a-fA-F]{32,}\b"),  # tokens, session ids
]


def normalise_text(text: str) -> str:
    text = nfkc(text)  # unicodedata.normalize("NFKC", text), in a seventh of the time
    for pattern in _VOLATILE:
        text = pattern.sub("", text)
    return " ".join(text.split())  # as re.sub(r"\s+", " ", text).strip(), in a fifth of the time


def text_digest(text: str | None) -> str | None:
    return sha1_digest(normalise_text(text).encode("utf-8")) if text else None


def content_digest(page_text_digest: str | None, document_payload_digest: str | None) -> str:
    """A report's content: its page's text and, when read from one, its attachment's bytes."""
    parts = [page_text_digest or "", document_payload_digest or ""]
    return sha1_digest("|".join(parts).encode("ascii"))
