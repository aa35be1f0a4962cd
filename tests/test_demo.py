"""``make demo``'s script, run as a user runs it (in a work directory of its own)."""

import re
import subprocess
import sys
from pathlib import Path

from replica.linhai import ground_truth

PROJECT = Path(__file__).resolve().parent.parent


def run_demo(workdir):
    done = subprocess.run([sys.executable, "scripts/demo.py", "--workdir", str(workdir)],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_demo_crawls_the_replica_and_prints_a_true_summary(tmp_path):
    out = run_demo(tmp_path)
    reports = sum(a["kind"] in ("report", "pdf_report") for a in ground_truth())
    assert f"reports stored: {reports} " in out
    assert re.search(r"reports with issues flagged: \d+", out)
    assert "rule_column_balance" in out  # the deliberate breaks are among the issues
    served, archived = map(int, re.search(
        r"responses served by the replica: (\d+); archived by this crawl: (\d+)", out).groups())
    assert served == archived > reports
    assert re.search(r"WARC files: 1 under", out)
    assert re.search(r"WARC records: \d+ \(request \d+, response \d+, warcinfo 1\)", out)
    assert (tmp_path / "data" / "nianbao.db").exists()
    assert not list((tmp_path / "archive").rglob("*.open"))

    # A second demo is a recrawl of the same URLs: the same reports, answers as revisits.
    again = run_demo(tmp_path)
    assert f"reports stored: {reports} " in again
    records = re.search(r"WARC records: \d+ \((.*)\)", again).group(1)
    assert re.search(r"revisit (\d+)", records) and int(
        re.search(r"revisit (\d+)", records).group(1)) >= 40
    served, archived = map(int, re.search(
        r"responses served by the replica: (\d+); archived by this crawl: (\d+)",
        again).groups())
    assert served == archived
