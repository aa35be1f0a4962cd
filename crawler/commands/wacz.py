"""``scrapy wacz -o FILE.wacz``: a crawl's WARC files packaged as WACZ.

The package (built by py-wacz) holds the WARC files, a CDXJ index and
``pages/pages.jsonl`` listing the report pages stored in the database (their
URL, capture time and title), so a replay tool such as ReplayWeb.page or
pywb opens on the list of reports.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands._database import open_store

if TYPE_CHECKING:
    from storage.repository import ReportStore


def pages_jsonl(store: ReportStore, portal: str | None, archived: set[str]) -> list[dict]:
    """One page per report whose page capture is in the packaged files."""
    pages = []
    for report in store.reports(portal=portal):
        for version in report.versions:
            capture = version.capture
            if capture.warc_file not in archived:
                continue
            pages.append({
                "url": capture.url,
                "ts": capture.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "title": version.title or report.source_url,
            })
    return pages


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "-o FILE.wacz [DIR...] [--portal NAME] [--title TEXT]"

    def short_desc(self) -> str:
        return "Package WARC files (default: ./archive) as WACZ with the report pages listed"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", required=True)
        parser.add_argument("--portal", help="list only this portal's reports")
        parser.add_argument("--title", default="nianbao-archive crawl")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here, not at start-up (see crawler/commands/_database.py).
        from wacz.main import main as wacz_main

        from crawler.warc.reader import warc_files

        files = warc_files(args or ["archive"])
        if not files:
            raise UsageError(f"no WARC files under {', '.join(args or ['archive'])}")
        pages = pages_jsonl(open_store(self.settings), opts.portal, {p.name for p in files})
        with tempfile.TemporaryDirectory() as tmp:
            pages_file = Path(tmp) / "pages.jsonl"
            lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Reports"}, *pages]
            pages_file.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n"
                                          for line in lines), encoding="utf-8")
            code = wacz_main(["create", "-o", opts.output, "-p", str(pages_file),
                              "--title", opts.title, *map(str, files)])
        if code:
            self.exitcode = code
            return
        print(f"packaged {len(files)} WARC files and {len(pages)} report pages into "
              f"{opts.output}")
