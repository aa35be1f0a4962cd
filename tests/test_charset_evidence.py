"""Charset evidence of a capture: declared in the header, in the document, and used."""

import gzip
import zlib

import brotli

from crawler.charset_evidence import CharsetEvidence, evidence_for, wire_evidence

GBK_PAGE = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            '</head><body>临海市人民政府2019年政府信息公开工作年度报告</body></html>').encode("gbk")


def test_gzipped_gbk_page_without_header_charset():
    evidence = wire_evidence("text/html", "gzip", gzip.compress(GBK_PAGE))
    assert evidence == CharsetEvidence(None, "gb2312", "gb18030")


def test_deflate_both_ways_and_brotli():
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = raw.compress(GBK_PAGE) + raw.flush()
    for payload, coding in [(zlib.compress(GBK_PAGE), "deflate"), (raw_deflate, "deflate"),
                            (brotli.compress(GBK_PAGE), "br")]:
        assert wire_evidence("text/html", coding, payload).used == "gb18030", coding


def test_xml_declaration_is_the_documents_label():
    xml = '<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>47</totalrecord>'
    evidence = wire_evidence("text/xml;charset=UTF-8", None, xml.encode())
    assert evidence == CharsetEvidence("utf-8", "utf-8", "utf-8")


def test_header_and_document_disagree_and_the_bytes_decide():
    # The header says UTF-8 but the bytes are GBK: the codec used is not the header's.
    evidence = evidence_for("text/html; charset=UTF-8", GBK_PAGE)
    assert (evidence.header, evidence.document, evidence.used) == ("utf-8", "gb2312", "gb18030")


def test_damaged_or_unknown_coding_is_unknown_not_guessed():
    assert wire_evidence("text/html; charset=GBK", "gzip", b"\x1f\x8b not gzip") == \
        CharsetEvidence("gbk", None, None)
    assert wire_evidence("text/html", "compress", b"...") == CharsetEvidence(None, None, None)


def test_documents_without_charset_get_only_the_header():
    assert wire_evidence("application/pdf", None, b"%PDF-1.7 ...") == CharsetEvidence()
    assert evidence_for(None, b"%PDF-1.7") == CharsetEvidence()
    assert evidence_for(None, GBK_PAGE).used == "gb18030"  # no header at all, but markup
