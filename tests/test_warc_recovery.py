"""Finishing the WARC file of a killed crawl: cut after the last complete record, rename.

A writer is left open (as a SIGKILL leaves it), and its file is cut at every
kind of place: between records, inside a record's gzip member, inside the
gzip trailer, and with a damaged member in the middle. Recovery must keep
exactly the complete records before the cut, give a file `warcio check`
accepts, and never touch the file of a writer that is still alive.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.warc.http_message import HttpMessage
from crawler.warc.recovery import complete_members_end, recover_open_files
from crawler.warc.writer import OPEN_SUFFIX, RotatingWarcWriter, host_label

HOST = host_label()
EXCHANGES = 4


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def open_file_of_a_killed_writer(tmp_path: Path) -> tuple[bytes, list[int]]:
    """The bytes of an unfinished file (warcinfo + 4 exchanges) and its member boundaries."""
    writer = RotatingWarcWriter(tmp_path / "live", prefix="t")
    for i in range(EXCHANGES):
        body = os.urandom(3000)  # incompressible: members long enough to cut inside
        writer.write_exchange(
            f"http://example.org/{i}", HttpMessage(b"GET / HTTP/1.1\r\n\r\n", b""),
            HttpMessage(b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n", body))
    [path] = (tmp_path / "live").glob("*" + OPEN_SUFFIX)
    data = path.read_bytes()
    ends, rest, offset = [], data, 0
    while rest:
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        decompressor.decompress(rest)
        offset += len(rest) - len(decompressor.unused_data)
        ends.append(offset)
        rest = decompressor.unused_data
    writer.close()
    return data, ends


def killed_file(directory: Path, data: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"t-20230104152800123-00000-{dead_pid()}-{HOST}.warc.gz{OPEN_SUFFIX}"
    path.write_bytes(data)
    return path


def records(path: Path) -> list[str]:
    with open(path, "rb") as stream:
        return [r.rec_type for r in ArchiveIterator(stream)]


def warcio_check(path: Path) -> None:
    done = subprocess.run([Path(sys.executable).parent / "warcio", "check", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_cut_keeps_exactly_the_complete_records(tmp_path):
    data, ends = open_file_of_a_killed_writer(tmp_path)
    assert len(ends) == 1 + 2 * EXCHANGES  # warcinfo, then response + request each
    cuts = sorted({*ends, *(e - 1 for e in ends), *(e - 9 for e in ends),  # in the trailer
                   *((a + b) // 2 for a, b in zip([0, *ends], ends))})  # mid-member
    for cut in cuts:
        directory = tmp_path / f"cut-{cut}"
        killed_file(directory, data[:cut])
        kept = [e for e in ends if e <= cut]
        [result] = recover_open_files(directory)
        assert result.records == len(kept) and result.cut_bytes == cut - (kept or [0])[-1]
        if not kept:
            assert not list(directory.iterdir())  # nothing complete: nothing left
            continue
        assert not list(directory.glob("*" + OPEN_SUFFIX))
        assert result.path.read_bytes() == data[:kept[-1]]
        assert len(records(result.path)) == len(kept)
    warcio_check(result.path)


def test_a_damaged_member_ends_the_file_before_it(tmp_path):
    data, ends = open_file_of_a_killed_writer(tmp_path)
    damaged = bytearray(data)
    damaged[(ends[2] + ends[3]) // 2] ^= 0xFF  # inside the 4th record's deflate data
    assert complete_members_end(killed_file(tmp_path / "d", bytes(damaged))) == (ends[2], 3)
    [result] = recover_open_files(tmp_path / "d")
    assert records(result.path) == ["warcinfo", "response", "request"]
    warcio_check(result.path)


def test_the_file_of_a_live_writer_is_left_alone(tmp_path):
    writer = RotatingWarcWriter(tmp_path, prefix="t")
    writer.write_exchange("http://example.org/", HttpMessage(b"GET / HTTP/1.1\r\n\r\n", b""),
                          HttpMessage(b"HTTP/1.1 204 No Content\r\n\r\n", b""))
    [path] = tmp_path.glob("*" + OPEN_SUFFIX)  # this process's pid: alive
    assert recover_open_files(tmp_path) == [] and path.exists()
    other_host = tmp_path / f"t-20230104152800123-00000-{dead_pid()}-elsewhere.warc.gz.open"
    other_host.write_bytes(path.read_bytes())
    assert recover_open_files(tmp_path) == [] and other_host.exists()
    writer.close()
