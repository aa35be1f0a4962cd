"""``scrapy summary``: what the database and the WARC archive hold."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.commands._database import open_store


def count_warc_records(directory: Path) -> tuple[list[Path], Counter]:
    from warcio.archiveiterator import ArchiveIterator

    files = sorted(directory.glob("*.warc.gz"))
    types: Counter = Counter()
    for path in files:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                types[record.rec_type] += 1
    return files, types


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--archive DIR]"

    def short_desc(self) -> str:
        return "Summarise stored reports, flagged issues and WARC files"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--archive", metavar="DIR", default="archive",
                            help="directory searched for *.warc.gz (default: ./archive)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        counts = open_store(self.settings).report_counts()
        print(f"reports stored: {counts.reports} (latest versions below)")
        print("  by template: " + ", ".join(f"{t} {n}" for t, n in sorted(counts.by_template)))
        print(f"reports with issues flagged: {counts.flagged}")
        for code, n in counts.by_issue_code:
            print(f"  {code}: {n}")
        archive = Path(opts.archive)
        files: list[Path] = []
        types: Counter = Counter()
        for directory in sorted({p.parent for p in archive.rglob("*.warc.gz")}):
            found, counted = count_warc_records(directory)
            files += found
            types += counted
        print(f"WARC files: {len(files)} under {archive}/")
        print(f"WARC records: {sum(types.values())} ("
              + ", ".join(f"{t} {n}" for t, n in sorted(types.items())) + ")")
        open_files = list(archive.rglob("*.warc.gz.open"))
        if open_files:
            print(f"unfinished WARC files (.open): {len(open_files)}")
