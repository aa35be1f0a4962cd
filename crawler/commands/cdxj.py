"""``scrapy cdxj [DIR...]``: a pywb-compatible CDXJ index of the WARC files.

The index is written by cdxj-indexer, the Webrecorder tool pywb's own
``wb-manager`` uses, so replay tools read it as they read their own: sorted,
with POST requests keyed by their form (``__wb_method=post&…``).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[DIR...] [-o FILE]"

    def short_desc(self) -> str:
        return "Write a CDXJ index of the WARC files (default: ./archive)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE",
                            help="index file (default: index.cdxj in the first DIR)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here, not at start-up (see crawler/commands/_database.py).
        from cdxj_indexer.main import write_cdx_index

        from crawler.warc.reader import warc_files

        paths = args or ["archive"]
        files = [str(p) for p in warc_files(paths)]
        if not files:
            raise UsageError(f"no WARC files under {', '.join(paths)}")
        output = opts.output or str(Path(paths[0]) / "index.cdxj")
        try:
            write_cdx_index(output, files, {"sort": True, "post_append": True})
        except Exception as exc:  # noqa: BLE001 - cdxj-indexer's errors do not name the file
            raise UsageError(_damage_report(files, exc)) from exc
        print(f"indexed {len(files)} WARC files into {output}")


def _damage_report(files: list[str], exc: Exception) -> str:
    """Which files cdxj-indexer cannot read (found by indexing each alone: the rare path)."""
    from cdxj_indexer.main import write_cdx_index

    damaged = []
    with tempfile.TemporaryDirectory() as scratch:
        for file in files:
            try:
                write_cdx_index(str(Path(scratch) / "one.cdxj"), [file], {})
            except Exception as one:  # noqa: BLE001
                damaged.append(f"{file}: {str(one).strip().splitlines()[0]}")
    if not damaged:
        return f"indexing failed: {exc!r}"
    return ("no index written; these WARC files cannot be indexed (move them aside, or "
            "`warcio recompress` a file that is one gzip stream):\n  " + "\n  ".join(damaged))
