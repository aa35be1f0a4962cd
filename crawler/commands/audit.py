"""``scrapy audit``: the checks across reports, over the whole database.

Pairs every stored report with the same agency's report of the year before
and stores what disagrees (S3 上年结转 vs 结转下年度, S3b 现行有效件数) as issues
on the later report; see ``crawler/audit``. ``--portal`` limits it to one
portal. Running it twice leaves the same rows.
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from crawler.commands._database import open_store


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--portal NAME]"

    def short_desc(self) -> str:
        return "Check stored reports against the same agency's report of the year before"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--portal", metavar="NAME", help="audit one portal's reports only")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Only when the command runs: crawler.audit's package imports storage, and
        # every scrapy command (crawl, list) imports every command module.
        from crawler.audit import run_audit
        from crawler.audit.registry import agency_renames

        summary = run_audit(open_store(self.settings), agency_renames(self.settings),
                            portal=opts.portal)
        print(f"reports audited: {summary.reports} ({summary.matched} with an agency key)")
        print(f"year-to-year pairs compared: {summary.pairs}")
        print(f"cross-report issues: {sum(summary.issues.values())}")
        for code, count in sorted(summary.issues.items()):
            print(f"  {code}: {count}")
