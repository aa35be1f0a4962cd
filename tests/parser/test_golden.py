"""Golden records and the accuracy gate over the real documents.

``golden/expected/*.json`` pins the whole record (regression: any change must
be reviewed and regenerated deliberately); ``golden/truth/*.json`` holds the
hand-checked cells, and ``golden/accuracy_floors.json`` the number of them
each document must get right.  Floors only move up: run with
``PARSER_UPDATE_FLOORS=1`` after an improvement to raise them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from crawler.parser import parse_file
from tests.parser.accuracy import GOLDEN, INPUTS, score

DOCS = sorted(p for p in INPUTS.iterdir())
FLOORS = GOLDEN / "accuracy_floors.json"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    return {p.stem: parse_file(p) for p in DOCS}


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_golden_record(records: dict[str, dict], path: Path) -> None:
    record = dict(records[path.stem])
    assert record.pop("source") == str(path)
    expected = _load(GOLDEN / "expected" / f"{path.stem}.json")
    assert record == expected


def test_accuracy_gate(records: dict[str, dict]) -> None:
    floors = _load(FLOORS)
    report, raised = [], dict(floors)
    for path in DOCS:
        truth = _load(GOLDEN / "truth" / f"{path.stem}.json")
        correct, total, misses = score(records[path.stem], truth)
        report.append((path.stem, correct, total, floors.get(path.stem, 0), misses))
        raised[path.stem] = max(floors.get(path.stem, 0), correct)
    if os.environ.get("PARSER_UPDATE_FLOORS") == "1":
        FLOORS.write_text(json.dumps(raised, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    below = [f"{name}: {c}/{t} correct, floor {f}; misses: {m[:5]}"
             for name, c, t, f, m in report if c < f]
    assert not below, "accuracy fell below its floor:\n" + "\n".join(below)
    assert set(floors) == {p.stem for p in DOCS}, "every golden document needs a floor"


def test_seed_004_flags_short_rows_and_run_together_digits(records: dict[str, dict]) -> None:
    record = records["004_ff89c14eeb936450"]
    codes = {(i["code"], i["where"]) for i in record["issues"]}
    assert ("merged_digits", "applications.carried_forward") in codes
    short = [i for i in record["issues"] if i["code"] == "column_count"]
    assert len(short) == 25  # every row of 表三 has 6 values or a run of digits
    assert all(v is None for k, v in record["stats"].items()
               if k.startswith("applications.carried_forward."))
    assert record["stats"]["applications.new_received.total"] == 2


def test_seed_002_is_a_2021_report_with_2019_tables(records: dict[str, dict]) -> None:
    record = records["002_e08ae088fb6b67a9"]
    assert (record["year"], record["template"]) == (2021, "2019")
    assert "applications.other.total.total" in record["stats"]


def test_shanghai_blank_totals_are_not_filled_not_errors(records: dict[str, dict]) -> None:
    record = records["shanghai-2019-municipal-office.content"]
    codes = [i["code"] for i in record["issues"]]
    assert codes == ["total_not_filled"]
    assert record["stats"]["applications.granted.total"] is None
    assert record["stats"]["active.procurement.amount"] == 25.1
