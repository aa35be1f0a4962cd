"""Which charset a capture declared and which one the project decodes it with.

Evidence per capture (issue 4): the label in the HTTP ``Content-Type``, the
label in the document itself (``<meta charset>``, ``http-equiv``, or an XML
declaration's ``encoding``), and the codec that :func:`crawler.parser.decode.decode`
picks, which is the one the parser reads the page with. Only text is
examined: a PDF has no charset. The payload comes off the wire still
content-coded, so gzip, deflate and brotli are undone here; a coding this
module cannot undo leaves the document's label and the codec unknown
(``None``) rather than guessed.
"""

from __future__ import annotations

import re
import zlib

from crawler.parser.decode import declared_charsets, decode
from nianbao_core.captures import CharsetEvidence

_TEXT_TYPE = re.compile(r"^\s*(text/|application/(\S*\+)?(xml|xhtml|json|javascript))", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)", re.I)
# A bound on what a content coding may inflate to (a gzip bomb is a page too).
_MAX_DECODED = 64 * 1024 * 1024


def is_text(content_type: str | None, body: bytes | None = None) -> bool:
    if content_type is None:  # no header at all: markup is text
        return bool(body) and body.lstrip()[:1] == b"<"
    return bool(_TEXT_TYPE.match(content_type))


def undo_content_coding(payload: bytes, content_encoding: str | None) -> bytes | None:
    """The entity body without its content coding; None for a coding not handled here.

    Not warcio's DecompressingBufferedReader: it hands a damaged body back as
    if decoded (this must say "unknown") and does not read brotli with the
    ``brotli`` package Scrapy installs.
    """
    coding = (content_encoding or "").strip().lower()
    try:
        if coding in ("", "identity"):
            return payload
        if coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(payload, _MAX_DECODED)
        if coding == "deflate":  # zlib-wrapped as specified, raw deflate as often sent
            try:
                return zlib.decompressobj().decompress(payload, _MAX_DECODED)
            except zlib.error:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(payload, _MAX_DECODED)
        if coding == "br":
            import brotli  # Scrapy's own dependency for br

            return brotli.decompress(payload)[:_MAX_DECODED]
    except Exception:  # noqa: BLE001 - a damaged body (zlib.error, brotli.error): unknown
        return None
    return None


def evidence_for(content_type: str | None, body: bytes | None) -> CharsetEvidence:
    """Evidence for an entity body that has no content coding left (``None``: unreadable)."""
    header = declared_charsets(content_type)[0]
    if body is None or not is_text(content_type, body):
        return CharsetEvidence(header)
    document = declared_charsets(None, body)[1]
    if document is None:
        xml = _XML_ENCODING.search(body[:1024])
        document = xml.group(1).decode("ascii", "replace").lower() if xml else None
    return CharsetEvidence(header, document, decode(body, content_type)[1])


def wire_evidence(content_type: str | None, content_encoding: str | None,
                  payload: bytes) -> CharsetEvidence:
    """Evidence for a WARC payload (content coding still on)."""
    if content_type is not None and not is_text(content_type):
        return CharsetEvidence(declared_charsets(content_type)[0])
    return evidence_for(content_type, undo_content_coding(payload, content_encoding))
