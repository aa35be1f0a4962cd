"""``make demo``: crawl the Linhai replica as a user would crawl the live site.

Starts the replica portal on a free port, runs ``scrapy crawl linhai``
pointed at it by ``PORTAL_BASE_URL``, then prints what was stored and
archived (``scrapy summary``) and checks that every response the replica
served is in the WARC files. Leaves ``./data/nianbao.db`` (or stores into the
database of the ``DATABASE_URL`` environment variable, as a crawl does) and
``./archive/``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# A fixed address, so that a second `make demo` recrawls the same URLs (and
# archives revisits) instead of crawling a "new" site on another port.
DEMO_PORT = 18765


def start_replica(served_log: Path) -> tuple[subprocess.Popen, str]:
    """The replica on DEMO_PORT, or on any free port when that one is taken.

    Binding is the test of whether the port is free: a probe first could lose
    the port to another process between the probe and the bind.
    """
    served_log.parent.mkdir(parents=True, exist_ok=True)
    served_log.unlink(missing_ok=True)
    errors = served_log.with_name("replica-stderr.log")
    for port in (DEMO_PORT, 0):
        with open(errors, "w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "replica", "linhai", "--port", str(port),
                 "--served-log", str(served_log)],
                stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=ROOT)
        line = process.stdout.readline().strip()
        if line.startswith("READY "):
            if port == 0:
                print(f"port {DEMO_PORT} is taken: the replica gets another one, so this "
                      "crawl's URLs differ from earlier demo crawls'")
            return process, line.split(" ", 1)[1]
        process.wait()
        error = (errors.read_text(encoding="utf-8").strip().splitlines() or [line])[-1]
        if port == 0 or "Address already in use" not in error:
            raise SystemExit(f"the replica did not start: {error}")
    raise AssertionError("unreachable")


def archived_responses(directory: Path, since: set[Path]) -> int:
    count = 0
    for path in sorted(set(directory.glob("*.warc.gz")) - since):
        with open(path, "rb") as stream:
            # An unchanged answer is archived as a revisit record: archived all the same.
            count += sum(r.rec_type in ("response", "revisit") for r in ArchiveIterator(stream))
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=ROOT,
                        help="where data/ and archive/ go (default: the project directory)")
    workdir = parser.parse_args().workdir.resolve()
    archive = workdir / "archive" / "linhai"
    before = set(archive.glob("*.warc.gz"))
    served_log = workdir / "data" / "replica-served.jsonl"
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'data' / 'nianbao.db'}"
    env = {**os.environ, "DATABASE_URL": database}
    replica, base_url = start_replica(served_log)
    print(f"replica of www.linhai.gov.cn serving at {base_url}")
    try:
        crawl = subprocess.run(
            [BIN / "scrapy", "crawl", "linhai", "-s", f"PORTAL_BASE_URL={base_url}",
             "-s", f"WARC_DIR={archive}",
             # The replica is local: no need for the live site's politeness delays.
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01",
             "-s", "LOG_LEVEL=WARNING"],
            cwd=ROOT, env=env)
    finally:
        replica.terminate()
        replica.wait(timeout=10)
    if crawl.returncode != 0:
        print("the crawl failed", file=sys.stderr)
        return crawl.returncode
    print()
    subprocess.run([BIN / "scrapy", "summary", "--archive", str(workdir / "archive")],
                   cwd=ROOT, env=env, check=True)
    served = sum(1 for _ in served_log.open(encoding="utf-8")) if served_log.exists() else 0
    archived = archived_responses(archive, before)
    print(f"responses served by the replica: {served}; archived by this crawl: {archived}")
    print(f"database: {database}   archive: {archive}/")
    print("next: .venv/bin/scrapy export -o out.jsonl    make browse")
    return 0 if served == archived else 1


if __name__ == "__main__":
    sys.exit(main())
