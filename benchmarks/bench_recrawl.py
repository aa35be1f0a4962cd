"""WARC bytes of a recrawl of an unchanged site, against the first crawl (issue 4: ≤ 10%).

Crawls the Linhai replica twice into one archive and one database and prints
both crawls' WARC bytes, their ratio, where the second crawl's bytes go by
record type and both crawls' bytes by kind of content (HTML pages, XML lists,
PDF attachments, …), and what one revisit record costs against what one
exchange of the first crawl cost: the ratio cannot fall below the quotient of
the two. Then the figure ``tests/test_recrawl.py`` bounds: the answers that did not
change (the ones archived as revisits), their bytes in the second crawl
against their bytes in the first. The whole-crawl ratio depends on the size
of the replica's PDF, which embeds fonts only when the Debian font packages
are installed; ``--without-fonts`` crawls a replica whose PDF references
STSong-Light instead, as on a machine without them.

Usage: .venv/bin/python benchmarks/bench_recrawl.py [--without-fonts]
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


def records(path: Path) -> list[tuple[str, str | None, str | None, int]]:
    """(record type, target URI, HTTP Content-Type, bytes in the file) per record."""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        places = [(iterator.get_record_offset(), r.rec_type,
                   r.rec_headers.get_header("WARC-Target-URI"),
                   r.http_headers.get_header("Content-Type") if r.http_headers else None)
                  for r in iterator]
    ends = [offset for offset, *_ in places[1:]] + [path.stat().st_size]
    return [(rec_type, uri, content_type, end - offset)
            for (offset, rec_type, uri, content_type), end in zip(places, ends)]


def content_kind(content_type: str | None) -> str:
    """The family of a response's Content-Type ("text/html; charset=…" → "html")."""
    if not content_type:
        return "other"
    return content_type.split(";")[0].strip().split("/")[-1].lower() or "other"


def main() -> None:
    if "--without-fonts" in sys.argv[1:]:
        from replica.reportgen import pdf_fonts

        pdf_fonts.missing_font_packages = lambda: ["(--without-fonts)"]
        pdf_fonts.faces.cache_clear()
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
        first_records = [r for p in crawls[0] for r in records(p)]
        second_records = [r for p in crawls[1] for r in records(p)]
    first = sum(size for *_, size in first_records)
    second = sum(size for *_, size in second_records)
    # A URL's kind is its first-crawl response's: revisits and requests carry none.
    kinds = {uri: content_kind(ctype) for rec_type, uri, ctype, _ in first_records
             if rec_type == "response"}
    by_kind: dict[str, list[int]] = {}
    for crawl_index, found in enumerate((first_records, second_records)):
        for _, uri, _, size in found:
            by_kind.setdefault(kinds.get(uri, "other"), [0, 0])[crawl_index] += size
    by_type, counts = Counter(), Counter()
    for rec_type, _, _, size in second_records:
        by_type[rec_type] += size
        counts[rec_type] += 1
    exchanges = sum(1 for rec_type, *_ in first_records if rec_type == "response")
    print(f"first crawl:  {first} bytes of WARC")
    print(f"second crawl: {second} bytes of WARC (unchanged site)")
    print(f"ratio: {second / first:.1%}  (issue 4 target: <= 10%)")
    print("second crawl by record type: " + ", ".join(
        f"{t} {n} bytes in {counts[t]} records" for t, n in sorted(by_type.items())))
    print("by kind of content (first crawl -> second crawl):")
    for kind, (one, two) in sorted(by_kind.items(), key=lambda item: -item[1][0]):
        print(f"  {kind:8} {one:8} -> {two:7} bytes  ({two / one:.1%})")
    if counts["revisit"]:
        print(f"a revisit record: {by_type['revisit'] / counts['revisit']:.0f} bytes gzipped; "
              f"first crawl per archived exchange: {first / exchanges:.0f} bytes")
    revisited = {uri for rec_type, uri, _, _ in second_records if rec_type == "revisit"}
    unchanged_first = sum(size for _, uri, _, size in first_records if uri in revisited)
    unchanged_second = sum(size for _, uri, _, size in second_records if uri in revisited)
    print(f"unchanged answers ({len(revisited)} URLs): {unchanged_first} -> {unchanged_second} "
          f"bytes ({unchanged_second / unchanged_first:.1%}; tests/test_recrawl.py: <= 10%)")


if __name__ == "__main__":
    main()
