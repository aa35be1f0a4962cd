"""CPU milliseconds per report of extraction, by stage, outside a crawl.

    .venv/bin/python benchmarks/bench_extraction.py [--rounds 7]

The reports are the synthetic portal's (``synthetic_portal.py``: the Linhai
replica's 44 report pages, the PDF-only one with its attachment). Two figures:

* steady state: ``crawler.extraction.extract_report`` on one core, each
  page's smallest CPU time over the rounds (what other processes on a shared
  machine add to a run is never smaller), summed by stage (``Extraction.cpu``:
  main text, parser) and divided by the pages;
* first reports of a fresh extraction worker (``crawler.extraction_pool``): an
  HTML page and the PDF-only report, each extracted twice, what the first
  costs above the second is what each new worker pays once.

The crawl's own figures (``extraction/cpu_ms/*`` stats, ``bench_all.py``)
also count the first reports of each worker and the cores' contention.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from synthetic_portal import make_site  # noqa: E402

from crawler.extraction import extract_report  # noqa: E402
from crawler.extraction_pool import ExtractionPool  # noqa: E402
from crawler.items import Capture  # noqa: E402
from replica.server import Request  # noqa: E402

BASE = "http://127.0.0.1:1"


def reports() -> list[tuple[Capture, list[Capture]]]:
    """Each distinct report page of the synthetic portal with its attachments."""
    site = make_site(44)
    found = []
    for path, article in sorted(site.by_path.items()):
        answer = site.handle(Request("GET", path, path, {}, {}))
        if answer.status != 200:
            continue
        attachments = []
        for attachment in article.attachments:
            where = attachment["location"]
            got = site.handle(Request("GET", where, where, {}, {}))
            attachments.append(Capture(BASE + where, got.status, got.content_type, got.body))
        found.append((Capture(BASE + path, 200, answer.content_type, answer.body), attachments))
    return found


def steady_state(pages: list[tuple[Capture, list[Capture]]], rounds: int) -> dict[str, float]:
    smallest: dict[tuple[int, str], float] = {}
    for _ in range(rounds):
        for number, (page, attachments) in enumerate(pages):
            page.charsets = page.text_digest = None
            for stage, seconds in extract_report(page, attachments).cpu.items():
                key = (number, stage)
                smallest[key] = min(smallest.get(key, seconds), seconds)
    stages = sorted({stage for _, stage in smallest})
    return {stage: sum(v for (_, s), v in smallest.items() if s == stage) / len(pages) * 1000
            for stage in stages}


def first_reports(pages: list[tuple[Capture, list[Capture]]]) -> list[float]:
    """CPU ms of: an HTML page, the same again, the PDF-only report, the same again."""
    html = next(p for p in pages if not p[1])
    pdf = next(p for p in pages if p[1])
    pool = ExtractionPool(workers=1)
    try:
        return [sum(pool.extract_blocking(*report).cpu.values()) * 1000
                for report in (html, html, pdf, pdf)]
    finally:
        pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    pages = reports()
    first = first_reports(pages)
    stages = steady_state(pages, args.rounds)
    print(f"{len(pages)} report pages, {sum(len(a) for _, a in pages)} attachment(s)")
    print("steady state, CPU ms per report: " + ", ".join(
        f"{stage} {ms:.1f}" for stage, ms in stages.items()) + f"; total {sum(stages.values()):.1f}")
    print(f"a fresh worker: HTML report {first[0]:.0f} then {first[1]:.0f} ms, "
          f"PDF-only report {first[2]:.0f} then {first[3]:.0f} ms")


if __name__ == "__main__":
    main()
