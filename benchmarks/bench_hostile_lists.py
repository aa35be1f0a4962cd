"""Cost of parsing hostile Hanweb list pages against a benign one of the same size.

    .venv/bin/python benchmarks/bench_hostile_lists.py [SIZE ...]

For each shape of ``replica/hostile_lists.py`` and each size (default 250 kB
and 1 MB), prints the best of 3 parse times, the ratio to a well-formed list
page of the same size (the linear baseline) and the growth from the smaller
size to the larger (linear: the size ratio; quadratic: its square).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from replica.hostile_lists import benign_list, hostile_lists  # noqa: E402
from spiders.cms.hanweb_lists import parse_column_page, parse_dataproxy  # noqa: E402


def best_time(function, *args, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - started)
    return best


def main(sizes: list[int]) -> None:
    small, large = min(sizes), max(sizes)
    baseline = {size: best_time(parse_column_page, benign_list(size), "http://h/")
                for size in (small, large)}
    print(f"benign list page: {baseline[small] * 1000:.1f} ms at {small} chars, "
          f"{baseline[large] * 1000:.1f} ms at {large}")
    print(f"{'shape':26s} {'ms at ' + str(large):>14s} {'x baseline':>10s} "
          f"{'growth':>7s} (size x{large / small:.0f})")
    for name in hostile_lists(100):
        costs = {}
        for size in (small, large):
            kind, text = hostile_lists(size)[name]
            parse = parse_column_page if kind == "column" else parse_dataproxy
            costs[size] = best_time(parse, text, "http://h/")
        print(f"{name:26s} {costs[large] * 1000:14.1f} {costs[large] / baseline[large]:10.2f} "
              f"{costs[large] / costs[small]:7.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [250_000, 1_000_000])
