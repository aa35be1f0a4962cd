"""Speed-up of 1, 2 and 3 crawl workers sharing one Redis frontier (issue 18).

Serves the synthetic Hanweb column (``synthetic_portal.py``: N reports, each
answer held back ``--latency`` seconds) and crawls it with k = 1, 2, 3
``scrapy crawl linhai`` processes started together with ``REDIS_URL`` set, a
Redis key prefix of their own and one fresh PostgreSQL database per run. The
time measured is from the first request the portal served to the last one
(the workers' start-up and their idle wait at the end are not crawling); CPU
is the workers' user + system time, their extraction processes included.
Each worker keeps the benchmark's per-worker settings (``runs.CRAWL_SETTINGS``:
no politeness delay, so no site budget; 8 requests in flight to the site):
this measures the frontier, not a politeness budget.

    .venv/bin/python -m benchmarks.bench_workers --reports 300 --latency 0.1

Prints one JSON line per run, then a Markdown table with the load average of
the machine before and after (the machine may be shared: wall-clock figures
count only on an otherwise idle one).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import redis

from benchmarks.runs import CRAWL_SETTINGS, ROOT, SCRAPY, project_env, settings_args
from benchmarks.synthetic_portal import serve

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


@contextlib.contextmanager
def fresh_database():
    name = f"nianbao_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(database_url: str) -> None:
    from storage.db import make_engine, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()


def wait_all(processes: list[subprocess.Popen], timeout: float) -> tuple[list[int], float]:
    """Exit codes, and the CPU seconds of the processes and what they waited for."""
    codes: dict[int, int] = {}
    cpu = 0.0
    deadline = time.monotonic() + timeout
    while len(codes) < len(processes):
        for process in processes:
            if process.pid in codes:
                continue
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                codes[pid] = os.waitstatus_to_exitcode(status)
                process.returncode = codes[pid]
                cpu += usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            for process in processes:
                if process.pid not in codes:
                    process.kill()
            raise TimeoutError("the workers did not finish")
        time.sleep(0.05)
    return [codes[process.pid] for process in processes], cpu


def crawl_with(workers: int, reports: int, latency: float, tmp: Path) -> dict:
    prefix = f"nianbao-bench-{uuid.uuid4().hex[:8]}"
    server = redis.Redis.from_url(REDIS_URL)
    portal = serve(reports, latency)
    site, answer = portal.site, portal.site.handle

    def timed(request):
        response = answer(request)
        site.last_answer = time.perf_counter()
        return response

    site.handle = timed
    try:
        with fresh_database() as database_url:
            migrate(database_url)
            env = {**project_env(database_url), "REDIS_URL": REDIS_URL}
            settings = {**CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url,
                        "REDIS_KEY_PREFIX": prefix, "REDIS_IDLE_TIMEOUT": "2",
                        "AUDIT_ENABLED": "False", "WARC_DIR": str(tmp / f"archive-{workers}")}
            processes = [subprocess.Popen(
                [str(SCRAPY), "crawl", "linhai", *settings_args(
                    {**settings, "LOG_FILE": str(tmp / f"w{workers}-{k}.log")})],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for k in range(workers)]
            codes, cpu = wait_all(processes, 3600)
            served = portal.served.snapshot()
            with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as db:
                stored = db.execute("select count(*) from reports").fetchone()[0]
    finally:
        portal.stop()
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        server.close()
    pages = Counter(entry["path"] for entry in served if entry["path"] != "/robots.txt")
    first, last = site.first_request, site.last_answer
    return {"workers": workers, "exit_codes": codes, "served": len(served),
            "served_twice": sum(1 for n in pages.values() if n > 1),
            "reports_stored": stored, "seconds": round(last - first, 2),
            "cpu_seconds": round(cpu, 1)}


def table(results: list[dict]) -> str:
    base = results[0]["seconds"]
    lines = ["| workers | seconds | speed-up | CPU s (all workers) | requests served "
             "| URLs served twice | reports stored |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['workers']} | {r['seconds']:.1f} | {base / r['seconds']:.2f} "
                     f"| {r['cpu_seconds']:.1f} | {r['served']} | {r['served_twice']} "
                     f"| {r['reports_stored']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            result = crawl_with(workers, args.reports, args.latency, Path(tmp))
            results.append(result)
            print(json.dumps(result), flush=True)
    load_after = os.getloadavg()
    print()
    print(table(results))
    print()
    print(f"`{shlex.join([Path(sys.executable).name, '-m', 'benchmarks.bench_workers', *sys.argv[1:]])}`"
          f": {args.reports} reports, {args.latency} s latency, {os.cpu_count()} cores, "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; "
          f"{time.strftime('%Y-%m-%d %H:%M')}")


if __name__ == "__main__":
    main()
