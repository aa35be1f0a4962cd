"""The WARC writer, with a fixed clock and fixed record ids: whole records compared."""

import gzip
import io
import itertools
import zlib
from datetime import UTC, datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.warc.http_message import HttpMessage
from crawler.warc.writer import (
    OPEN_SUFFIX,
    SERVER_NOT_MODIFIED,
    Revisit,
    RotatingWarcWriter,
    sha1_digest,
)

CLOCK = datetime(2023, 1, 4, 15, 28, 0, 123456, tzinfo=UTC)


def fixed_ids():
    counter = itertools.count(1)
    return lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(counter):012d}>"


def make_writer(tmp_path, **kwargs):
    return RotatingWarcWriter(tmp_path, prefix="test", clock=lambda: CLOCK,
                              make_record_id=fixed_ids(),
                              warcinfo={"software": "nianbao-test"}, **kwargs)


REQUEST = HttpMessage(b"GET /robots.txt HTTP/1.1\r\nHost: example.org\r\n\r\n", b"")
RESPONSE = HttpMessage(
    b"HTTP/1.1 200 \r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n",
    b"User-agent:*")


def gzip_members(data: bytes) -> list[bytes]:
    members = []
    while data:
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        members.append(decompressor.decompress(data))
        data = decompressor.unused_data
    return members


def test_exchange_is_written_as_exact_records(tmp_path):
    writer = make_writer(tmp_path)
    pointer = writer.write_exchange("http://example.org/robots.txt", REQUEST, RESPONSE,
                                    ip_address="127.0.0.1")
    writer.close()
    [path] = writer.finished_files
    members = gzip_members(path.read_bytes())
    assert len(members) == 3  # warcinfo, response, request: one gzip member each

    assert members[1] == (
        b"WARC/1.1\r\n"
        b"WARC-Type: response\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
        b"WARC-Target-URI: http://example.org/robots.txt\r\n"
        b"WARC-Date: 2023-01-04T15:28:00.123456Z\r\n"
        b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        b"WARC-Payload-Digest: " + sha1_digest(b"User-agent:*").encode() + b"\r\n"
        b"WARC-IP-Address: 127.0.0.1\r\n"
        b"WARC-Block-Digest: " + sha1_digest(RESPONSE.block).encode() + b"\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: " + str(len(RESPONSE.block)).encode() + b"\r\n"
        b"\r\n" + RESPONSE.block + b"\r\n\r\n")
    assert members[2] == (
        b"WARC/1.1\r\n"
        b"WARC-Type: request\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000003>\r\n"
        b"WARC-Target-URI: http://example.org/robots.txt\r\n"
        b"WARC-Date: 2023-01-04T15:28:00.123456Z\r\n"
        b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        b"WARC-Concurrent-To: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
        b"WARC-Payload-Digest: " + sha1_digest(b"").encode() + b"\r\n"
        b"WARC-Block-Digest: " + sha1_digest(REQUEST.block).encode() + b"\r\n"
        b"Content-Type: application/http; msgtype=request\r\n"
        b"Content-Length: " + str(len(REQUEST.block)).encode() + b"\r\n"
        b"\r\n" + REQUEST.block + b"\r\n\r\n")
    assert members[0].startswith(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n")
    assert b"WARC-Filename: " + path.name.encode() in members[0]
    assert b"software: nianbao-test\r\n" in members[0]

    assert pointer.file == path.name
    assert pointer.record_id == "<urn:uuid:00000000-0000-0000-0000-000000000002>"
    assert pointer.date == "2023-01-04T15:28:00.123456Z"


def test_pointer_offset_reads_back_the_response(tmp_path):
    writer = make_writer(tmp_path)
    pointers = [writer.write_exchange(f"http://example.org/{i}", REQUEST, RESPONSE)
                for i in range(3)]
    writer.close()
    data = writer.finished_files[0].read_bytes()
    for i, pointer in enumerate(pointers):
        chunk = data[pointer.offset:pointer.offset + pointer.length]
        record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == f"http://example.org/{i}"
        assert record.content_stream().read() == b"User-agent:*"


def test_files_rotate_past_max_size_and_lose_open_suffix(tmp_path):
    writer = make_writer(tmp_path, max_size=600)
    for i in range(4):
        writer.write_exchange(f"http://example.org/{i}", REQUEST, RESPONSE)
        assert list(tmp_path.glob("*" + OPEN_SUFFIX)) == []  # rotated after each exchange
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 4 and files == sorted(writer.finished_files)
    for path in files:
        records = list(ArchiveIterator(gzip.open(path)))
        assert [r.rec_type for r in records] == ["warcinfo", "response", "request"]


def test_file_is_open_while_written(tmp_path):
    writer = make_writer(tmp_path)
    writer.write_exchange("http://example.org/", REQUEST, RESPONSE)
    assert [p.name.endswith(".warc.gz" + OPEN_SUFFIX) for p in tmp_path.iterdir()] == [True]
    writer.close()
    assert [p.suffix for p in tmp_path.iterdir()] == [".gz"]


def test_max_size_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        RotatingWarcWriter(tmp_path, max_size=0)


def test_payload_digest_is_over_the_dechunked_body_and_truncation_is_marked(tmp_path):
    payload = b"\x1f\x8b gzip bytes, content coding kept"
    body = b"5\r\n" + payload[:5] + b"\r\n1d\r\n" + payload[5:] + b"\r\n0\r\n\r\n"
    assert len(payload[5:]) == 0x1d
    response = HttpMessage(b"HTTP/1.1 200 Alles Gut\r\nTransfer-Encoding: chunked\r\n"
                           b"Content-Encoding: gzip\r\n\r\n", body, dechunked=payload,
                           truncated="disconnect")
    writer = make_writer(tmp_path)
    writer.write_exchange("http://example.org/", REQUEST, response)
    writer.close()
    with open(writer.finished_files[0], "rb") as stream:
        [(headers, block)] = [(r.rec_headers, r.raw_stream.read())
                              for r in ArchiveIterator(stream, no_record_parse=True)
                              if r.rec_type == "response"]
    assert headers.get_header("WARC-Payload-Digest") == sha1_digest(payload)
    assert headers.get_header("WARC-Block-Digest") == sha1_digest(response.head + body)
    assert headers.get_header("WARC-Truncated") == "disconnect"
    assert block == response.head + body


def test_sha1_digest_of_parts_equals_digest_of_their_concatenation():
    assert sha1_digest(b"head\r\n\r\n", b"", b"body") == sha1_digest(b"head\r\n\r\nbody")
    assert sha1_digest(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"  # the well-known empty


def test_a_revisit_record_keeps_its_http_head(tmp_path):
    writer = make_writer(tmp_path)
    head = b"HTTP/1.1 304 Not Modified\r\nETag: \"5e3-1a\"\r\n\r\n"
    pointer = writer.write_exchange(
        "http://example.org/a", REQUEST, HttpMessage(head, b""),
        revisit=Revisit(SERVER_NOT_MODIFIED, "<urn:uuid:earlier>", "http://example.org/a",
                        "2023-01-01T00:00:00.000000Z", "sha1:EARLIER"))
    writer.close()
    [revisit, request] = gzip_members(writer.finished_files[0].read_bytes())[1:]
    assert revisit.endswith(b"Content-Length: %d\r\n\r\n" % len(head) + head + b"\r\n\r\n")
    for line in (b"WARC-Type: revisit", b"WARC-Refers-To: <urn:uuid:earlier>",
                 b"WARC-Profile: " + SERVER_NOT_MODIFIED.encode(),
                 b"WARC-Refers-To-Date: 2023-01-01T00:00:00.000000Z",
                 b"WARC-Payload-Digest: sha1:EARLIER"):
        assert line + b"\r\n" in revisit
    assert (pointer.record_type, pointer.payload_digest) == ("revisit", "sha1:EARLIER")
    assert b"WARC-Concurrent-To: " + pointer.record_id.encode() in request
