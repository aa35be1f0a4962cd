"""``scrapy export -o FILE``: stored reports as report records, or as tables.

The format is the output's suffix (``.jsonl``, ``.csv``, ``.parquet``) or
``--format``. ``--wide`` writes the wide table (one column per stat key) of
each template, to ``FILE`` with the template before the suffix
(``out.csv`` → ``out.2019.csv``, ``out.2021.csv``, …), or to ``FILE`` itself
when ``--template`` names one. See ``crawler/tabular.py`` for the columns.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands._database import open_store
from nianbao_core.record import TEMPLATES

if TYPE_CHECKING:
    from crawler import tabular

FORMATS = ("jsonl", "csv", "parquet")


def wide_path(output: str, template: str) -> str:
    path = Path(output)
    return str(path.with_name(f"{path.stem}.{template}{path.suffix}"))


def write_table(table: tabular.Table, output: str, fmt: str) -> None:
    from crawler import tabular

    if fmt == "parquet":
        tabular.write_parquet(table, output)
        return
    write = tabular.write_csv if fmt == "csv" else tabular.write_jsonl
    if output == "-":
        write(table, sys.stdout)
        return
    # The BOM lets Excel read the CSV as UTF-8 (see crawler/tabular.py).
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with open(output, "w", encoding=encoding, newline="") as out:
        write(table, out)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return ("-o FILE.{jsonl,csv,parquet} [--wide] [--portal NAME] [--year YEAR] "
                "[--template T]")

    def short_desc(self) -> str:
        return "Export stored reports as records (JSON Lines) or tables (CSV, Parquet)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", required=True,
                            help="output file ('-' for standard output)")
        parser.add_argument("--format", choices=FORMATS,
                            help="output format (default: the output's suffix; jsonl for '-')")
        parser.add_argument("--wide", action="store_true",
                            help="one row per report, one column per stat key, one table "
                                 "per template (FILE.<template>.<suffix> unless --template)")
        parser.add_argument("--portal", help="only this portal (spider name)")
        parser.add_argument("--year", type=int, help="only this statistics year")
        parser.add_argument("--template", choices=TEMPLATES, help="only this table format")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("export takes no positional arguments")
        fmt = opts.format or (Path(opts.output).suffix.lstrip(".").lower()
                              if opts.output != "-" else "jsonl")
        if fmt not in FORMATS:
            raise UsageError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
        # Imported here, not at start-up (see crawler/commands/_database.py).
        from crawler import tabular
        from storage.export import report_record

        if opts.output == "-" and fmt == "parquet":
            raise UsageError("Parquet cannot be written to standard output")
        if opts.output == "-" and opts.wide and not opts.template:
            raise UsageError("--wide to standard output needs --template (one table)")
        store = open_store(self.settings)
        records = (report_record(report) for report in store.reports(
            portal=opts.portal, year=opts.year, template=opts.template))
        if opts.wide:
            self._export_wide(records, opts, fmt)
        elif fmt == "jsonl":
            self._export_records(records, opts.output)
        else:
            table = tabular.flat_table(records)
            write_table(table, opts.output, fmt)
            print(f"exported {len(table.rows)} reports to {opts.output}", file=sys.stderr)

    def _export_records(self, records, output: str) -> None:
        out = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")
        count = 0
        try:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if out is not sys.stdout:
                out.close()
        print(f"exported {count} reports to {output}", file=sys.stderr)

    def _export_wide(self, records, opts: argparse.Namespace, fmt: str) -> None:
        from crawler import tabular

        tables = tabular.wide_tables(records)
        if opts.template:
            table = tables.get(opts.template) or tabular.wide_table(opts.template, [])
            write_table(table, opts.output, fmt)
            print(f"exported {len(table.rows)} reports to {opts.output}", file=sys.stderr)
            return
        for template, table in tables.items():
            path = wide_path(opts.output, template)
            write_table(table, path, fmt)
            print(f"exported {len(table.rows)} {template} reports to {path}", file=sys.stderr)
        if not tables:
            print("exported 0 reports", file=sys.stderr)
