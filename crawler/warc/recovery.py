"""Finishing the WARC files of a crawl that was killed (SIGKILL, power loss, OOM).

A crawl writes into ``*.warc.gz.open`` and renames the file when it closes
it (:mod:`crawler.warc.writer`). A crawl that died leaves its ``.open`` file
behind, perhaps ending in the middle of a record. Every record is one gzip
member, written whole and flushed before its row enters the capture index,
so the complete members are exactly the records the crawl finished: the file
is cut after the last complete member (zlib checks each member's CRC and
length) and renamed to its final name, which is the name the capture index
already uses. A file with no complete member is removed.

Only files whose writer is gone are touched: the writer's pid and host are
in the file name; a live pid on this host is a crawl still writing, and a
file from another host is left for a crawl on that host to finish.
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from crawler.warc.writer import OPEN_SUFFIX, host_label

logger = logging.getLogger(__name__)

# <prefix>-<timestamp>-<serial>-<pid>-<host>.warc.gz.open (see RotatingWarcWriter)
_OPEN_NAME = re.compile(r"-\d{5}-(?P<pid>\d+)-(?P<host>[a-z0-9.-]+)\.warc\.gz"
                        + re.escape(OPEN_SUFFIX) + "$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RecoveredFile:
    path: Path  # the finished name (or the removed .open file, when nothing was complete)
    records: int  # complete records kept
    cut_bytes: int  # bytes of an unfinished record removed from the end


def complete_members_end(path: Path) -> tuple[int, int]:
    """(offset just after the last complete gzip member, number of complete members)."""
    end = members = 0
    with open(path, "rb") as stream:
        data = b""
        offset = 0  # file offset of data[0]
        while True:
            decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
            start = end
            try:
                while not decompressor.eof:
                    if not data:
                        data = stream.read(_CHUNK)
                        if not data:
                            return end, members  # the file ends inside this member
                    decompressor.decompress(data)
                    used = len(data) - len(decompressor.unused_data)
                    offset += used
                    data = decompressor.unused_data
            except zlib.error:
                return start, members  # damage inside this member: keep what precedes it
            end = offset
            members += 1
            if not data:
                data = stream.read(_CHUNK)
                if not data:
                    return end, members


def _writer_is_gone(path: Path) -> bool:
    match = _OPEN_NAME.search(path.name)
    if match is None:
        return False  # not a name this project writes: not ours to touch
    if match["host"] != host_label():
        return False
    try:
        os.kill(int(match["pid"]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def recover_open_files(directory: str | os.PathLike) -> list[RecoveredFile]:
    """Finish the ``.open`` files in ``directory`` whose writer is gone."""
    recovered = []
    for path in sorted(Path(directory).glob("*.warc.gz" + OPEN_SUFFIX)):
        if not _writer_is_gone(path):
            continue
        size = path.stat().st_size
        end, records = complete_members_end(path)
        if records == 0:
            path.unlink()
            logger.warning("Removed %s: its crawl died before one record was complete", path)
            recovered.append(RecoveredFile(path, 0, size))
            continue
        with open(path, "r+b") as stream:
            stream.truncate(end)
        final = path.with_name(path.name[:-len(OPEN_SUFFIX)])
        os.replace(path, final)
        logger.warning("Finished %s left by a crawl that died: %d complete records kept, "
                       "%d bytes of an unfinished record cut", final, records, size - end)
        recovered.append(RecoveredFile(final, records, size - end))
    return recovered
