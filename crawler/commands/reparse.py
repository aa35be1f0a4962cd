"""``scrapy reparse [PATHS]``: re-run extraction and the parser over the archive."""

from __future__ import annotations

import argparse
import sys
import time

from scrapy.commands import ScrapyCommand

from crawler.commands._database import open_store


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[PATHS...] [--diff FILE.jsonl] [--workers N] [-s PORTAL_BASE_URLS=JSON]"

    def short_desc(self) -> str:
        return "Re-parse every archived report and report what changed"

    def long_desc(self) -> str:
        return ("Reads the page (and attachment) records of every stored report from the WARC "
                "files under PATHS (default: ./archive), runs the crawl's extraction and the "
                "current parser on all cores, updates the database where the result differs, "
                "and prints how many reports changed in values, template, year, issues or "
                "metadata. Then stores every report of the WARC and WACZ files under PATHS "
                "that the database does not list (any crawler's archives: the database is "
                "rebuilt from them), found by the spiders' rules; the portal is the registry "
                "portal whose live base URL or PORTAL_BASE_URLS entry is the page's origin, "
                "or the spider the WARC's warcinfo names, else the page's host.")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--diff", metavar="FILE",
                            help="write every changed report's diff as JSON Lines")
        parser.add_argument("--workers", type=int, default=None,
                            help="worker processes (default: one per core)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--reextract", action="store_true",
                            help="run the main-text extractor again even where the stored "
                                 "text came from the same version of it")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here, not at start-up (see crawler/commands/_database.py).
        from tqdm import tqdm

        from crawler.ingest import archive_files
        from crawler.reparse import CHANGE_KINDS, reparse

        paths = args or ["archive"]
        try:
            archive_files(paths)
        except FileNotFoundError as exc:
            print(f"nothing re-parsed or stored: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        store = open_store(self.settings)
        diff_out = open(opts.diff, "w", encoding="utf-8") if opts.diff else None

        def progress(results, total):
            return tqdm(results, total=total, unit="report", file=sys.stderr,
                        disable=opts.no_progress)

        started = time.perf_counter()
        try:
            summary = reparse(store, paths, workers=opts.workers,
                              progress=progress, diff_out=diff_out,
                              reextract=opts.reextract)
        finally:
            if diff_out is not None:
                diff_out.close()
        elapsed = time.perf_counter() - started
        rate = summary.reports / elapsed if elapsed else 0.0
        print(f"re-parsed {summary.reports} reports in {elapsed:.1f} s ({rate:.0f} reports/s)")
        print(f"changed: {summary.changed}" + "".join(
            f"; {kind} {summary.by_kind[kind]}" for kind in CHANGE_KINDS
            if summary.by_kind[kind]))
        print(f"unchanged: {summary.reports - summary.changed}")
        if summary.unreadable:
            print(f"not re-parsed (their WARC record is damaged; stored records kept): "
                  f"{summary.unreadable}")
        if summary.missing:
            print(f"not re-parsed (their WARC file is not under the given paths): "
                  f"{summary.missing}")
        if opts.diff:
            print(f"diff written to {opts.diff}")
        stored = self.ingest(store, paths, opts)
        if summary.changed or stored:  # new figures: the checks across reports again
            from crawler.audit import run_audit
            from crawler.audit.registry import agency_renames

            audit = run_audit(store, agency_renames(self.settings))
            print(f"cross-report audit: {sum(audit.issues.values())} issues in "
                  f"{audit.pairs} year-to-year pairs")

    def ingest(self, store, paths: list[str], opts: argparse.Namespace) -> int:
        """Store what the archives hold and the database does not list; how many stored."""
        from tqdm import tqdm

        from crawler.ingest import SKIP_REASONS, NoArchives, ingest

        def progress(records, total):
            return tqdm(records, total=total, unit="page", file=sys.stderr,
                        disable=opts.no_progress, desc="ingest")

        started = time.perf_counter()
        try:
            summary = ingest(store, paths,
                             configured_portals=self.settings.getdict("PORTAL_BASE_URLS"),
                             max_size=self.settings.getint("WARC_READ_MAXSIZE"),
                             progress=progress)
        except NoArchives as exc:  # a rebuild from nothing is an error, not "0 reports"
            print(f"stored nothing: {exc}")
            self.exitcode = 1
            return 0
        elapsed = time.perf_counter() - started
        print(f"ingest: {summary.records} records read from {summary.files} WARC files in "
              f"{elapsed:.1f} s; report pages found: {summary.report_pages}; stored: "
              f"{summary.stored} ({summary.new_versions} new versions)")
        skipped = [f"{reason} {summary.skipped[reason]}" for reason in SKIP_REASONS
                   if summary.skipped[reason]]
        if skipped:
            print("skipped: " + "; ".join(skipped))
        if summary.unreadable:
            print(f"unreadable: {len(summary.unreadable)}")
            for where in summary.unreadable:
                print(f"  {where}")
        if not summary.stored:
            print(f"stored nothing: {summary.why_nothing()}")
        return summary.stored
