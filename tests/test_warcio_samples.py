"""Our WARC reading against warcio's own sample and broken WARC files.

The files come from warcio 1.6.3's source distribution (the last one that
ships ``test/data``); ``make test`` fetches it from the package index into
``.cache/warcio-test-data`` (nothing of it is copied into this repository).
Broken files must give a clear ``UnreadableRecord`` or a logged, partial
index, never a crash and never a body that is not what the server sent.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.warc.reader import UnreadableRecord, iter_exchanges, read_response
from crawler.warc.recovery import complete_members_end

DATA = Path(__file__).resolve().parent.parent / ".cache" / "warcio-test-data"


@pytest.fixture(scope="module")
def samples() -> Path:
    if not (DATA / "example.warc.gz").exists():
        pytest.fail(f"warcio's test data is missing from {DATA}: `make test` fetches it "
                    "(make .cache/warcio-test-data/.fetched)")
    return DATA


def warcio_responses(path: Path) -> list[tuple[int, bytes]]:
    """(offset, decoded body) of every response record, each read from its offset by warcio."""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        offsets = [iterator.get_record_offset() for r in iterator if r.rec_type == "response"]
    found = []
    for offset in offsets:
        with open(path, "rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            found.append((offset, record.content_stream().read()))
    return found


@pytest.mark.parametrize("name", ["example.warc.gz", "example.warc",
                                  "example-iana.org-chunked.warc", "post-test.warc.gz"])
def test_good_samples_read_as_warcio_reads_them(samples, name):
    # Covers gzip content coding (example), chunked transfer coding (iana), POSTs.
    responses = warcio_responses(samples / name)
    assert responses
    for offset, body in responses:
        found = read_response(samples / name, offset)
        assert found.body == body and found.status == 200
        assert len(found.body) > 0


def test_post_exchanges_are_paired_with_their_requests(samples, tmp_path):
    shutil.copy(samples / "post-test.warc.gz", tmp_path / "post-test.warc.gz")
    exchanges = list(iter_exchanges([tmp_path]))
    assert [e.method for e in exchanges] == ["POST"] * 3
    assert [e.url for e in exchanges][-1] == "http://httpbin.org/post?foo=bar"
    assert len({e.request_body_digest for e in exchanges}) == 3  # three different forms


def test_a_truncated_record_is_refused(samples):
    # example-trunc.warc: the response record's block lost bytes its digest covers.
    path = samples / "example-trunc.warc"
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        offset = next(iterator.get_record_offset() for r in iterator
                      if r.rec_type == "response")
    with pytest.raises(UnreadableRecord, match="Block-Digest|cut short"):
        read_response(path, offset)


@pytest.mark.parametrize("name", ["example-bad.warc.gz.bad",
                                  "example-bad-non-chunked.warc.gz"])
def test_one_gzip_member_for_many_records_is_logged_not_indexed(samples, tmp_path, caplog, name):
    # Records compressed as one gzip stream cannot be addressed by offset.
    shutil.copy(samples / name, tmp_path / "bad.warc.gz")
    with caplog.at_level(logging.ERROR, logger="crawler.warc.reader"):
        assert list(iter_exchanges([tmp_path])) == []
    assert "bad.warc.gz is damaged" in caplog.text
    with pytest.raises(UnreadableRecord):
        read_response(tmp_path / "bad.warc.gz", 0)  # a warcinfo record there


@pytest.mark.parametrize("name", ["bad.arc", "example.arc", "example.arc.gz"])
def test_arc_files_are_refused(samples, name):
    with pytest.raises(UnreadableRecord):
        read_response(samples / name, 0)
    with open(samples / name, "rb") as stream:
        iterator = ArchiveIterator(stream)
        offsets = [iterator.get_record_offset() for _ in iterator]
    for offset in offsets[1:]:
        with pytest.raises(UnreadableRecord):
            read_response(samples / name, offset)


def test_scrapy_cdxj_names_the_file_it_cannot_index(samples, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(samples / "example.warc.gz", archive / "good.warc.gz")
    shutil.copy(samples / "example-bad.warc.gz.bad", archive / "bad.warc.gz")
    project = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "scrapy", "cdxj", str(archive)],
                          cwd=project, capture_output=True, text=True)
    assert done.returncode != 0
    assert "bad.warc.gz" in done.stderr and "Traceback" not in done.stderr


def test_recovery_keeps_the_complete_members_of_warcios_files(samples):
    # complete_members_end is the reader that finishes a killed crawl's file.
    good = samples / "example.warc.gz"
    data = good.read_bytes()
    with open(good, "rb") as stream:
        iterator = ArchiveIterator(stream)
        offsets = [iterator.get_record_offset() for _ in iterator]
    assert complete_members_end(good) == (len(data), len(offsets))
    # One gzip stream holding every record: one member, complete.
    single = samples / "example-bad.warc.gz.bad"
    assert complete_members_end(single) == (single.stat().st_size, 1)


def test_recovery_cuts_warcios_file_after_its_last_whole_record(samples, tmp_path):
    data = (samples / "example.warc.gz").read_bytes()
    with open(samples / "example.warc.gz", "rb") as stream:
        iterator = ArchiveIterator(stream)
        offsets = [iterator.get_record_offset() for _ in iterator]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[:offsets[3] + 10])  # ten bytes into the fourth record
    assert complete_members_end(cut) == (offsets[3], 3)
