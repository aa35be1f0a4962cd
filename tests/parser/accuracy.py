"""Scoring a record against a hand-checked truth file (the accuracy gate).

A truth file lists only what a person verified against the source:
scalars (template, year, title, agency), metadata fields, stats cells
(``null`` = the cell is blank in the source) and legacy indicators.  A cell
the source does not decide is simply absent from the truth.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
INPUTS = GOLDEN / "inputs"


def score(record: dict, truth: dict) -> tuple[int, int, list[str]]:
    """(correct, total, misses) of ``record`` against ``truth``."""
    correct = total = 0
    misses: list[str] = []

    def check(name: str, got: object, want: object) -> None:
        nonlocal correct, total
        total += 1
        if got == want and type(got) is type(want) or (
                isinstance(got, (int, float)) and isinstance(want, (int, float))
                and not isinstance(got, bool) and got == want):
            correct += 1
        else:
            misses.append(f"{name}: got {got!r}, want {want!r}")

    for key in ("template", "year", "title", "agency"):
        if key in truth:
            check(key, record.get(key), truth[key])
    for key, want in truth.get("metadata", {}).items():
        check(f"metadata.{key}", record["metadata"].get(key), want)
    stats = record.get("stats", {})
    for key, want in truth.get("stats", {}).items():
        check(key, stats.get(key, "<absent>"), want)
    if "legacy_indicators" in truth:
        got = Counter((x["label"], x["unit"], x["value"]) for x in record["legacy_indicators"])
        for row in truth["legacy_indicators"]:
            want = (row["label"], row["unit"], row["value"])
            total += 1
            if got[want] > 0:
                got[want] -= 1
                correct += 1
            else:
                misses.append(f"legacy {want!r} not found")
    return correct, total, misses
