"""Reading WARC files back, and failing cleanly on damaged ones.

warcio's own broken test files are not shipped in its wheel; these are made
here to the same kinds of damage: a file cut inside a record, corrupted gzip
data, an offset inside a record, a file that is not a WARC, a record whose
Content-Length promises more than the file holds.
"""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request

from crawler.warc.http_message import HttpMessage
from crawler.warc.reader import UnreadableRecord, iter_exchanges, read_response
from crawler.warc.writer import RotatingWarcWriter

REQUEST = HttpMessage(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n", b"")


def response(body: bytes) -> HttpMessage:
    return HttpMessage(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                       + str(len(body)).encode() + b"\r\n\r\n", body)


@pytest.fixture
def archive(tmp_path):
    writer = RotatingWarcWriter(tmp_path / "archive")
    pointers = [writer.write_exchange(f"http://h/{i}", REQUEST, response(b"<p>%d</p>" % i * 50))
                for i in range(4)]
    writer.close()
    return writer.finished_files[0], pointers


def test_records_read_back(archive):
    path, pointers = archive
    for i, pointer in enumerate(pointers):
        found = read_response(path, pointer.offset)
        assert (found.url, found.status, found.body) == (f"http://h/{i}", 200,
                                                          b"<p>%d</p>" % i * 50)
    assert [e.url for e in iter_exchanges([path.parent])] == [f"http://h/{i}" for i in range(4)]


def test_a_file_cut_inside_a_record(archive):
    path, pointers = archive
    data = path.read_bytes()
    path.write_bytes(data[:pointers[2].offset + pointers[2].length // 2])
    assert read_response(path, pointers[1].offset).url == "http://h/1"
    with pytest.raises(UnreadableRecord):
        read_response(path, pointers[2].offset)
    with pytest.raises(UnreadableRecord):
        read_response(path, pointers[3].offset)  # past the end
    # The index keeps what comes before the damage and does not raise.
    assert [e.url for e in iter_exchanges([path])] == ["http://h/0", "http://h/1"]


def test_corrupted_gzip_data(archive):
    path, pointers = archive
    data = bytearray(path.read_bytes())
    middle = pointers[1].offset + pointers[1].length // 2
    data[middle:middle + 16] = b"\x00" * 16
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableRecord):
        read_response(path, pointers[1].offset)
    assert read_response(path, pointers[0].offset).url == "http://h/0"


def test_an_offset_inside_a_record(archive):
    path, pointers = archive
    with pytest.raises(UnreadableRecord):
        read_response(path, pointers[1].offset + 7)


def test_a_file_that_is_not_a_warc(tmp_path):
    page = tmp_path / "page.warc.gz"
    page.write_bytes(gzip.compress(b"<html><body>not a WARC</body></html>"))
    with pytest.raises(UnreadableRecord):
        read_response(page, 0)
    assert list(iter_exchanges([page])) == []


def test_a_content_length_beyond_the_file(tmp_path):
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nshort"
    record = (b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
              b"WARC-Target-URI: http://h/x\r\nWARC-Date: 2026-01-01T00:00:00Z\r\n"
              b"Content-Type: application/http; msgtype=response\r\n"
              b"Content-Length: 5000\r\n\r\n" + block)
    path = tmp_path / "long.warc.gz"
    path.write_bytes(gzip.compress(record))
    with pytest.raises(UnreadableRecord, match="cut short"):
        read_response(path, 0)  # warcio alone would hand back the short body


def test_a_request_record_is_not_a_response(archive):
    path, pointers = archive
    request_offset = pointers[0].offset + pointers[0].length
    with pytest.raises(UnreadableRecord, match="request record"):
        read_response(path, request_offset)


def test_an_empty_stream_is_no_record(tmp_path):
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableRecord):
        read_response(empty, 0)
    assert list(iter_exchanges([empty])) == []


def test_every_offset_inside_a_record_is_refused_cleanly(archive):
    # Whatever the bytes at a wrong offset happen to parse as, the answer is the
    # same clear error (once, bytes inside a record parsed as a header-less record).
    path, pointers = archive
    start, end = pointers[1].offset + 1, pointers[1].offset + pointers[1].length
    for offset in range(start, end, 3):
        with pytest.raises(UnreadableRecord):
            read_response(path, offset)


def test_bytes_changed_inside_a_block_are_refused(archive):
    # Same length, different bytes: the gzip member is rewritten so only the
    # block digest can tell.
    path, pointers = archive
    data = path.read_bytes()
    start, end = pointers[1].offset, pointers[1].offset + pointers[1].length
    member = gzip.decompress(data[start:end]).replace(b"<p>1</p>", b"<p>7</p>", 1)
    path.write_bytes(data[:start] + gzip.compress(member) + data[end:])
    with pytest.raises(UnreadableRecord, match="WARC-Block-Digest"):
        read_response(path, start)


def test_chunked_gzip_body_and_raw_header_bytes_come_back_decoded(tmp_path):
    page = "<p>年报</p>".encode("gbk") * 40
    compressed = gzip.compress(page)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(compressed[i:i + 100]), compressed[i:i + 100])
                       for i in range(0, len(compressed), 100)) + b"0\r\n\r\n"
    # A GBK file name in a header, as some portals send it: not UTF-8, not ASCII.
    disposition = 'attachment; filename="年报.pdf"'.encode("gbk")
    head = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"
            b"Content-Disposition: " + disposition + b"\r\n\r\n")
    writer = RotatingWarcWriter(tmp_path / "archive")
    pointer = writer.write_exchange("http://h/c", REQUEST,
                                    HttpMessage(head, chunked, dechunked=compressed))
    writer.close()
    found = read_response(writer.finished_files[0], pointer.offset)
    assert found.body == page
    assert found.header("Content-Disposition").encode("latin-1") == disposition
    response = found.to_scrapy(Request("http://h/c"), flags=[])
    assert response.headers[b"Content-Disposition"] == disposition
    assert b"Content-Encoding" not in response.headers and response.body == page
