"""Rewrite ``expected/*.json`` from the current parser (after a deliberate change).

    .venv/bin/python tests/parser/golden/regenerate.py

Review the diff by hand: every changed number must be checked against the
source document before the new golden file is committed.  ``truth/*.json``
(the hand-checked cells behind the accuracy gate) is never regenerated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from crawler.parser import parse_file  # noqa: E402


def golden_record(path: Path) -> dict:
    record = parse_file(path)
    record.pop("source")
    return record


def main() -> None:
    for path in sorted((HERE / "inputs").iterdir()):
        out = HERE / "expected" / (path.stem + ".json")
        out.write_text(json.dumps(golden_record(path), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
        print("wrote", out.relative_to(HERE))


if __name__ == "__main__":
    main()
