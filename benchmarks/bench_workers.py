"""Speed-up of 1, 2 and 3 crawl workers sharing one Redis frontier (issue 18).

Serves the synthetic Hanweb column (``synthetic_portal.py``: N reports, each
answer held back ``--latency`` seconds) and crawls it with k = 1, 2, 3
``scrapy crawl linhai`` processes started together with ``REDIS_URL`` set, a
Redis key prefix of their own and one fresh PostgreSQL database per run. The
time measured is from the first request the portal served to the last one
(the workers' idle wait at the end is not crawling). Each worker keeps the
benchmark's per-worker settings (``runs.CRAWL_SETTINGS``: 8 requests in flight
to the site), so k workers put up to 8k requests in flight on the one site:
this measures the frontier, not a politeness budget (see the README's
Distributed crawling on partitioning).

    .venv/bin/python benchmarks/bench_workers.py --reports 300 --latency 0.1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import tempfile
import time
import uuid
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
                        "WITHDRAWAL_CHECK_ENABLED": "False", "AUDIT_ENABLED": "False",
                        "WARC_DIR": str(tmp / f"archive-{workers}")}
            processes = [subprocess.Popen(
                [str(SCRAPY), "crawl", "linhai", *settings_args(
                    {**settings, "LOG_FILE": str(tmp / f"w{workers}-{k}.log")})],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for k in range(workers)]
            codes = [process.wait(3600) for process in processes]
            served = portal.served.snapshot()
            with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as db:
                stored = db.execute("select count(*) from reports").fetchone()[0]
    finally:
        portal.stop()
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        server.close()
    first, last = site.first_request, site.last_answer
    return {"workers": workers, "exit_codes": codes, "served": len(served),
            "reports_stored": stored, "seconds": round(last - first, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2, 3):
            result = crawl_with(workers, args.reports, args.latency, Path(tmp))
            results.append(result)
            print(json.dumps(result), flush=True)
    base = results[0]["seconds"]
    print(json.dumps({"reports": args.reports, "latency": args.latency,
                      "cpu_cores": os.cpu_count(),
                      "speedup": {r["workers"]: round(base / r["seconds"], 2) for r in results}}))


if __name__ == "__main__":
    main()
