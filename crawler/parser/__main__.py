"""``python -m crawler.parser FILE...``: one JSON record per file (JSON Lines, input order).

Exit status 0 when every file was read (records may carry issues); 1, with a
message on stderr, when a file could not be read at all; 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import PARSER_VERSION, parse_file


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.parser",
                                 description="Parse 政府信息公开工作年度报告 files into JSON records.")
    ap.add_argument("files", nargs="+", metavar="FILE", help=".html/.htm, .txt, .pdf or .docx")
    ap.add_argument("--indent", type=int, default=None, help="pretty-print (not JSON Lines)")
    ap.add_argument("--version", action="version", version=PARSER_VERSION)
    args = ap.parse_args(argv)
    failed = 0
    for path in args.files:
        try:
            record = parse_file(path)
        except OSError as exc:
            print(f"crawler.parser: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            failed += 1
            continue
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=args.indent) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
