"""``make bench`` at toy sizes: every part runs and the last line carries every figure."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.crawling import PROJECT

KEYS = ("pipeline_cpu_ms_per_report", "full_vs_bare_scrapy_100ms", "archive_vs_wget_100ms",
        "startup_ratio", "rss_growth_mb_1k_to_10k", "second_night_bytes_ratio",
        "second_night_seconds_500_portals", "parser_reports_per_s_per_core",
        "reparse_reports_per_s", "cpu_ms_per_report_main_text", "cpu_ms_per_report_parser",
        "cpu_ms_per_report_storage", "peak_rss_mb_small", "peak_rss_mb_large")


def test_bench_quick_prints_a_table_and_every_figure() -> None:
    done = subprocess.run([sys.executable, "benchmarks/bench_all.py", "--quick"], cwd=PROJECT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert len(lines) > 5 and "pages/s" in lines[0]
    for key in KEYS:
        assert isinstance(figures[key], (int, float)), key
    for key in ("pipeline_cpu_ms_per_report", "full_vs_bare_scrapy_100ms",
                "archive_vs_wget_100ms", "startup_ratio", "parser_reports_per_s_per_core",
                "cpu_ms_per_report_main_text", "portals_first_night_bytes"):
        assert figures[key] > 0, key
    # An unchanged second night writes revisits only: far less than the first.
    assert 0 < figures["second_night_bytes_ratio"] < 0.5
