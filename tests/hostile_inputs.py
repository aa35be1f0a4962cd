"""Hostile documents made small: inputs that cost the readers far more than their size.

``slow_pdf``: a PDF whose pages all share one Flate stream of text operators
that expands a thousandfold; pypdf reads it for minutes (12 pages, about
12 KB: the 8 KB, 12-page, 89 s PDF of issue 10). ``docx_bomb``: a DOCX whose
``word/document.xml`` expands from kilobytes to ``expanded_bytes``.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from crawler.extraction import pdf_of_objects


def slow_pdf(pages: int = 12, operators_per_page: int = 200_000) -> bytes:
    content = b"BT /F1 1 Tf " + b"1 0 0 1 0 0 Tm (x) Tj " * operators_per_page + b"ET"
    stream = zlib.compress(content, 9)
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
        + b"\nendstream",
    ] + [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
         b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"] * pages
    return pdf_of_objects(objects)


def docx_bomb(expanded_bytes: int) -> bytes:
    head = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml",
                         head + b" " * max(0, expanded_bytes - len(head) - len(tail)) + tail)
    return buffer.getvalue()
