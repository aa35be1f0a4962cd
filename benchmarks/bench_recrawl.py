"""WARC bytes of a recrawl of an unchanged site, against the first crawl (issue 4: ≤ 10%).

Crawls the Linhai replica twice into one archive and one database and prints
both crawls' WARC bytes, their ratio, where the second crawl's bytes go by
record type, and what one revisit record costs against what one exchange of
the first crawl cost: the ratio cannot fall below the quotient of the two.

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


def bytes_by_type(path: Path) -> tuple[Counter, Counter]:
    """Bytes and record counts per record type."""
    data = path.read_bytes()
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        places = [(iterator.get_record_offset(), r.rec_type) for r in iterator]
    ends = [offset for offset, _ in places[1:]] + [len(data)]
    sizes: Counter = Counter()
    counts: Counter = Counter()
    for (offset, rec_type), end in zip(places, ends):
        sizes[rec_type] += end - offset
        counts[rec_type] += 1
    return sizes, counts


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
        crawled_exchanges = sum(bytes_by_type(p)[1]["response"] for p in crawls[0])
        by_type, counts = Counter(), Counter()
        for path in crawls[1]:
            sizes, numbers = bytes_by_type(path)
            by_type += sizes
            counts += numbers
    print(f"first crawl:  {first} bytes of WARC")
    print(f"second crawl: {second} bytes of WARC (unchanged site)")
    print(f"ratio: {second / first:.1%}  (issue 4 target: <= 10%)")
    print("second crawl by record type: " + ", ".join(
        f"{t} {n} bytes in {counts[t]} records" for t, n in sorted(by_type.items())))
    if counts["revisit"]:
        print(f"a revisit record: {by_type['revisit'] / counts['revisit']:.0f} bytes gzipped; "
              f"first crawl per archived exchange: {first / crawled_exchanges:.0f} bytes")


if __name__ == "__main__":
    main()
