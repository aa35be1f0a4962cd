"""WARC bytes of a recrawl of an unchanged site, against the first crawl (issue 4: ≤ 10%).

Crawls the Linhai replica twice into one archive and one database and prints
both crawls' WARC bytes, their ratio, and where the second crawl's bytes go
by record type.

Usage: .venv/bin/python benchmarks/bench_recrawl.py
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from replica import serve_site  # noqa: E402
from tests.crawling import crawl  # noqa: E402


def bytes_by_type(path: Path) -> Counter:
    data = path.read_bytes()
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        places = [(iterator.get_record_offset(), r.rec_type) for r in iterator]
    ends = [offset for offset, _ in places[1:]] + [len(data)]
    sizes: Counter = Counter()
    for (offset, rec_type), end in zip(places, ends):
        sizes[rec_type] += end - offset
    return sizes


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        archive = root / "archive"
        database = f"sqlite:///{root}/bench.db"
        crawls = []
        with serve_site("linhai") as replica:
            for name in ("first", "second"):
                before = set(archive.glob("*.warc.gz"))
                crawl("linhai", replica, root / name, database, "-s", f"WARC_DIR={archive}")
                crawls.append(sorted(set(archive.glob("*.warc.gz")) - before))
        first, second = (sum(p.stat().st_size for p in files) for files in crawls)
        by_type = sum((bytes_by_type(p) for p in crawls[1]), Counter())
    print(f"first crawl:  {first} bytes of WARC")
    print(f"second crawl: {second} bytes of WARC (unchanged site)")
    print(f"ratio: {second / first:.1%}  (issue 4 target: <= 10%)")
    print("second crawl by record type: " + ", ".join(
        f"{t} {n} bytes" for t, n in sorted(by_type.items())))


if __name__ == "__main__":
    main()
