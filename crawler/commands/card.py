"""``scrapy card AGENCY -o card.html``: one agency's report card, a page to share.

The page is self-contained (inline SVG charts, the CJK font subset embedded,
no script, no external resource): the agency's reports by year with their
archived captures, its key figures across years, the consistency issues
found and the years missing from its column. ``make browse`` serves the same
page at ``/-/card?agency=…``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands._database import open_store


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "AGENCY -o FILE.html"

    def short_desc(self) -> str:
        return "Write one agency's report card (self-contained HTML)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", required=True,
                            help="HTML file to write (- for standard output)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here: vl-convert and fontTools are only needed by this command.
        from crawler.browse.card import render_card
        from storage.card import agencies, agency_card

        if len(args) != 1:
            raise UsageError("name one agency, e.g. scrapy card 临海市教育局 -o card.html")
        engine = open_store(self.settings).engine
        card = agency_card(engine, args[0])
        if card is None:
            known = [name for name, _ in agencies(engine)]
            close = [name for name in known if args[0] in name or name in args[0]]
            raise UsageError(f"no report names the agency {args[0]!r}; "
                             f"{'did you mean' if close else 'agencies'}: "
                             f"{', '.join(close or known) or '(none stored)'}")
        font = self.settings.get("CARD_FONT_FILE")
        page = render_card(card, Path(font) if font else None)
        if opts.output == "-":
            sys.stdout.write(page)
        else:
            Path(opts.output).write_text(page, encoding="utf-8")
            print(f"{opts.output}: {card.agency}, {len(card.reports)} reports, "
                  f"{len(page.encode()):,} bytes", file=sys.stderr)
