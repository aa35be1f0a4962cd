from __future__ import annotations

import json
import subprocess
import sys

from tests.parser.accuracy import INPUTS

SEEDS = sorted(str(p) for p in INPUTS.glob("00*.txt"))


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.parser", *args],
                          capture_output=True, text=True, timeout=120)


def test_json_lines_in_input_order() -> None:
    proc = _run(*SEEDS[:2], str(INPUTS / "shanghai-2019-municipal-office.content.html"))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["source"] for r in records] == SEEDS[:2] + [
        str(INPUTS / "shanghai-2019-municipal-office.content.html")]
    assert records[2]["template"] == "2019"


def test_unreadable_file_is_an_error_on_stderr(tmp_path) -> None:
    missing = tmp_path / "missing.html"
    proc = _run(SEEDS[0], str(missing))
    assert proc.returncode == 1
    assert "cannot read" in proc.stderr and str(missing) in proc.stderr
    assert len(proc.stdout.splitlines()) == 1


def test_records_with_issues_still_exit_zero(tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(b"<html><body>not a report</body></html>")
    proc = _run(str(page))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["issues"][-1]["code"] == "not_a_report"
