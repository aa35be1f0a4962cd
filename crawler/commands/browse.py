"""``scrapy browse``: the SQLite database in Datasette, read-only (what ``make browse`` runs).

Serves ``DATABASE_URL`` (``./data/nianbao.db`` by default) with the metadata
and canned queries of ``crawler.browse.metadata``. Datasette opens the file
read-only (``mode=ro``), so a crawl can go on writing meanwhile; nothing is
migrated or rebuilt. PostgreSQL is not Datasette's: export it instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

# Long cells (main text, JSON) are cut in HTML pages; the JSON API has them whole.
DATASETTE_SETTINGS = {"truncate_cells_html": "200", "sql_time_limit_ms": "5000"}


def sqlite_path(database_url: str) -> Path:
    from sqlalchemy.engine import make_url  # not at start-up: crawler/commands/_database.py

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise UsageError(f"Datasette browses a SQLite file; DATABASE_URL is "
                         f"{url.render_as_string()} (use scrapy export for other databases)")
    path = Path(url.database)
    if not path.is_file():
        raise UsageError(f"no database at {path}: run `make demo` or `scrapy crawl …` first")
    return path.resolve()


def metadata_file(database: str) -> Path:
    """The metadata as a JSON file; named by its content, so reruns reuse it."""
    from crawler.browse.metadata import metadata

    text = json.dumps(metadata(database), ensure_ascii=False, indent=1)
    digest = hashlib.sha1(text.encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"nianbao-browse-{digest}.json"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return path


def datasette_command(path: Path, host: str, port: int, open_browser: bool) -> list[str]:
    executable = Path(sys.executable).with_name("datasette")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "datasette"]
    command += ["serve", str(path), "--metadata", str(metadata_file(path.stem)),
                "--host", host, "--port", str(port)]
    for name, value in DATASETTE_SETTINGS.items():
        command += ["--setting", name, value]
    if open_browser:
        command.append("--open")
    return command


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--host HOST] [--port PORT] [--open]"

    def short_desc(self) -> str:
        return "Browse the SQLite database in Datasette (read-only)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8001,
                            help="port to listen on (0: any free port, printed when ready)")
        parser.add_argument("--open", action="store_true", help="open a web browser on it")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("browse takes no positional arguments")
        path = sqlite_path(self.settings.get("DATABASE_URL"))
        command = datasette_command(path, opts.host, opts.port, opts.open)
        print(f"browsing {path} (read-only); stop with Ctrl-C", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os.execv(command[0], command)  # Datasette takes over this process and its signals
