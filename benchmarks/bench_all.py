"""``make bench``: the crawler against wget and bare Scrapy, and what each stage costs (issue 11).

Serves a synthetic Hanweb portal of N reports made from the Linhai replica
(``benchmarks/synthetic_portal.py``) on 127.0.0.1, with 0 or 100 ms per
response, and measures, each crawl a process of its own:

* archive-only crawl (fetch + WARC, ``ITEM_PIPELINES={}``), bare Scrapy over
  the same URL list (``bare_spider.py``, none of our components) and
  ``wget --warc-file`` over it; full crawl (fetch + WARC + extraction +
  storage): pages/s, CPU ms per report by stage, peak RSS;
* parser alone (``bench_parser.py``) and re-parse (``bench_reparse.py``);
* start-up: ``scrapy list`` against bare ``scrapy version``, ``scrapy crawl``
  to its first request against bare Scrapy's;
* many portals: P replicas, each on its own loopback address (127.0.1.1, …),
  named in a portal registry of their own and crawled by ``scrapy crawlall``,
  then again unchanged.

Prints a table, then one JSON object as the last line. ``--quick`` runs it
all at toy sizes (the test suite's smoke run). The machine's other load
shows in every wall-clock figure: CPU figures are the steadier ones.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from runs import (  # noqa: E402
    ROOT, SCRAPY, Run, archived_urls, bare_crawl, median, measured, our_crawl, project_env,
    settings_args, wget_crawl,
)
from synthetic_portal import SlowSite, make_site, serve  # noqa: E402

from replica import ReplicaServer  # noqa: E402
from replica.server import stop_all  # noqa: E402
from replica.linhai.config import NIANBAO  # noqa: E402


# wget fetches one URL at a time, so its rate does not depend on how many it
# fetches: at 100 ms a thousand URLs would take two minutes of the benchmark's
# fifteen. It fetches an even sample of the archive-only crawl's URL list (every
# k-th: list pages, report pages and attachments in their proportions).
WGET_URLS = 300


# Reports a list page: Hanweb columns list 15 to 45 (jpage perPage). Linhai's 15
# would take a 10,000-report column to 667 list requests, past the spider's guard
# against a server that answers page 1 forever (max_list_requests, 500): 30 keeps
# both sizes within it, with list pages in the same share of the crawl.
LIST_PAGE_SIZE = 30


class Progress:
    """Lines on stderr saying what runs and how long it took, so a long run shows it is alive."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __call__(self, message: str) -> None:
        minutes, seconds = divmod(int(self.elapsed), 60)
        print(f"[{minutes:2d}:{seconds:02d}] {message}", file=sys.stderr, flush=True)


def crawl_side_by_side(n: int, latency: float, tmp: Path, say: Progress, *,
                       full: bool = True, others: bool = True) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    tag = f"N={n}, {int(latency * 1000)} ms"
    server = serve(n, latency, per_page=LIST_PAGE_SIZE)
    try:
        if others:
            say(f"archive-only crawl, {tag}")
            runs["archive"] = listed_all(our_crawl(server.base_url, tmp / "archive-only",
                                                   archive_only=True), n)
            say(f"  {described(runs['archive'])}")
            urls = archived_urls(tmp / "archive-only" / "archive")
            url_list = tmp / "urls.txt"
            url_list.write_text("\n".join(urls) + "\n")
            say(f"bare Scrapy over its {len(urls)} URLs, {tag}")
            runs["bare"] = bare_crawl(url_list, tmp / "bare")
            say(f"  {described(runs['bare'])}")
            sample = urls[::max(1, math.ceil(len(urls) / WGET_URLS))]
            sample_list = tmp / "wget-urls.txt"
            sample_list.write_text("\n".join(sample) + "\n")
            say(f"wget over {len(sample)} of them, {tag}")
            runs["wget"] = wget_crawl(sample_list, tmp / "wget")
            runs["wget"].stats["downloader/response_count"] = len(sample)
            say(f"  {described(runs['wget'])}")
        if full:
            say(f"full crawl, {tag}")
            runs["full"] = listed_all(our_crawl(server.base_url, tmp / "full"), n)
            say(f"  {described(runs['full'])}")
    finally:
        server.stop()
    return runs


def listed_all(run: Run, n: int) -> Run:
    """``run``, once it is known to have listed the whole column: else its rate would mislead."""
    listed = run.stat("nianbao/list_entries")
    if listed != n:
        raise RuntimeError(f"the crawl listed {listed:.0f} of the column's {n} reports")
    return run


def described(run: Run) -> str:
    text = (f"{run.stat('downloader/response_count'):.0f} responses in {run.elapsed:.1f} s, "
            f"{run.cpu:.1f} s CPU, peak RSS {run.max_rss_mb:.0f} MB")
    if run.children_pss_mb:
        text += f" (with its workers: PSS {run.tree_pss_mb:.0f} MB)"
    return text


def pages_per_second(run: Run) -> float:
    return run.stat("downloader/response_count") / run.elapsed


def stage_ms(run: Run) -> dict[str, float]:
    reports = run.stat("storage/reports_saved") or 1
    return {"main_text": run.stat("extraction/cpu_ms/main_text") / reports,
            "parser": run.stat("extraction/cpu_ms/parser") / reports,
            "storage": run.stat("storage/cpu_ms") / reports}


def startup(repeats: int, tmp: Path) -> dict[str, float]:
    def seconds(command: list[str], cwd: Path) -> float:
        return median([measured(command, cwd=cwd).wall for _ in range(repeats)])

    bare_dir = tmp / "no-project"
    bare_dir.mkdir(exist_ok=True)
    out = {"scrapy_list_s": seconds([str(SCRAPY), "list"], ROOT),
           "bare_scrapy_version_s": seconds([str(SCRAPY), "version"], bare_dir)}
    # Not a target, and each crawl start costs seconds: the median of fewer.
    crawls = min(repeats, 3)
    out["crawl_first_request_s"] = median([first_request(tmp, ours=True)
                                           for _ in range(crawls)])
    out["bare_first_request_s"] = median([first_request(tmp, ours=False)
                                          for _ in range(crawls)])
    return out


def first_request(tmp: Path, *, ours: bool) -> float:
    """Seconds from starting the crawl process to its first request reaching the server."""
    site = SlowSite(make_site(3), 0)
    server = ReplicaServer(site).start()
    try:
        work = Path(tempfile.mkdtemp(dir=tmp))
        if ours:
            command = [str(SCRAPY), "crawl", "linhai", "-s", f"PORTAL_BASE_URL={server.base_url}",
                       "-s", f"WARC_DIR={work}/archive", "-s", f"LOG_FILE={work}/log"]
            cwd, env = ROOT, project_env(f"sqlite:///{work}/db.sqlite")
        else:
            (work / "urls").write_text(server.base_url + "/robots.txt\n")
            command = [str(SCRAPY), "runspider", str(HERE / "bare_spider.py"), "-a",
                       f"urls={work}/urls", "-s", f"LOG_FILE={work}/log"]
            cwd, env = work, {k: v for k, v in os.environ.items()
                              if k != "SCRAPY_SETTINGS_MODULE"}
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            deadline = started + 120
            while site.first_request is None:
                if time.perf_counter() > deadline or process.poll() is not None:
                    raise RuntimeError(f"no request from {command[:3]}")
                time.sleep(0.005)
            return site.first_request - started
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        server.stop()


def memory_figures(small: Run, large: Run) -> dict[str, float]:
    """Peak memory of the full crawl at the small and the large N, and how much it grew.

    The figure the target is about is the crawl process's own peak RSS (exact: the
    kernel's). The extraction workers are separate processes, recycled every
    EXTRACTION_WORKER_MAX_TASKS reports, so they do not accumulate with N; their
    share is shown in the peak PSS of the whole process tree (sampled).
    """
    reports = (large.stat("storage/reports_saved") - small.stat("storage/reports_saved")) or 1
    growth = large.max_rss_mb - small.max_rss_mb
    return {"peak_rss_mb_small": small.max_rss_mb, "peak_rss_mb_large": large.max_rss_mb,
            "rss_growth_mb_1k_to_10k": growth,
            "rss_growth_kb_per_report": growth * 1024 / reports,
            "peak_tree_pss_mb_small": small.tree_pss_mb,
            "peak_tree_pss_mb_large": large.tree_pss_mb,
            "peak_workers_pss_mb_small": small.children_pss_mb,
            "peak_workers_pss_mb_large": large.children_pss_mb,
            "tree_pss_growth_mb_1k_to_10k": large.tree_pss_mb - small.tree_pss_mb}


def warc_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.warc.gz"))


# A real 信息公开年报 column lists one report a year, from statistics year 2008 (the
# first under the 2008 条例) to 2024, published 2009-2025: 17 at most; departments and
# townships that went online later list fewer. Portal i lists 10 + i % 8 reports (10 to
# 17, 13.5 on average), through the column page and dataproxy.jsp as Hanweb does.
REPORTS_PER_PORTAL = range(10, 18)
# At zero latency a night is CPU-bound in one process on two cores: more portals at once
# add memory, not speed; 16 keep 32 requests in flight (two per site).
PORTALS_AT_ONCE = 16


def portal_registry(base_urls: list[str]) -> str:
    """A registry (spiders/portals.toml format) of Hanweb portals, one per base URL."""
    entries = []
    for i, url in enumerate(base_urls):
        entries.append(
            f'[[portal]]\nname = "bench{i:04d}"\nfull_name = "基准门户{i:04d}"\n'
            f'region = {{ province = "基准省" }}\nlevel = "county"\nfamily = "hanweb"\n'
            f'base_url = "{url}"\ncolumns = ["{NIANBAO[1]}"]\n')
    return "\n".join(entries)


def many_portals(count: int, tmp: Path, at_once: int = PORTALS_AT_ONCE,
                 sizes: range = REPORTS_PER_PORTAL) -> dict[str, float]:
    """``scrapy crawlall`` over ``count`` replica portals, twice: first night, unchanged second."""
    servers = []
    try:
        for i in range(count):
            address = f"127.0.{1 + i // 250}.{1 + i % 250}"
            servers.append(ReplicaServer(SlowSite(make_site(sizes[i % len(sizes)]), 0),
                                         host=address).start())
        registry = tmp / "portals.toml"
        registry.write_text(portal_registry([s.base_url for s in servers]), encoding="utf-8")
        warc_root = tmp / "portals-archive"
        log = tmp / "portals.log"
        settings = {"PORTAL_REGISTRY": str(registry), "WARC_DIR": str(warc_root),
                    "CRAWLALL_CONCURRENT_PORTALS": str(at_once), "DOWNLOAD_DELAY": "0",
                    "AUTOTHROTTLE_ENABLED": "False", "LOG_FILE": str(log),
                    "LOG_LEVEL": "WARNING"}
        env = project_env(f"sqlite:///{tmp}/portals.db")
        nights = []
        for night in ("first", "second"):
            before = warc_bytes(warc_root) if warc_root.exists() else 0
            command = [str(SCRAPY), "crawlall", "--changes", str(tmp / f"{night}.json"),
                       *settings_args(settings)]
            # Exit status 1 (a portal failed or looks suspicious) stops the benchmark.
            run = measured(command, cwd=ROOT, env=env, log=log)
            changes = json.loads((tmp / f"{night}.json").read_text(encoding="utf-8"))
            nights.append((run, warc_bytes(warc_root) - before, changes))
    finally:
        stop_all(servers)
    (first, first_bytes, first_changes), (second, second_bytes, second_changes) = nights
    reports = sum(sizes[i % len(sizes)] for i in range(count))
    return {"portals": count, "reports": reports,
            "new_first_night": len(first_changes["new"]),
            "changed_second_night": len(second_changes["new"]) + len(second_changes["edited"])
            + len(second_changes["withdrawn"]),
            "unchanged_second_night": sum(p["unchanged"]
                                          for p in second_changes["portals"].values()),
            "first_night_s": first.wall, "second_night_s": second.wall,
            "first_night_cpu_ms_per_portal": first.cpu / count * 1000,
            "second_night_cpu_ms_per_portal": second.cpu / count * 1000,
            "first_night_bytes": first_bytes, "second_night_bytes": second_bytes}


def script_output(command: list[str]) -> str:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True,
                          timeout=900).stdout


def figure(text: str, pattern: str) -> float | None:
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="toy sizes (the smoke test)")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000)
    parser.add_argument("--portals", type=int, default=500)
    args = parser.parse_args()
    small, large, portals, repeats = args.small, args.large, args.portals, 5
    latencies = (0.0, 0.1)
    if args.quick:  # the test suite's smoke run: every part, at the targets' latency only
        small, large, portals, repeats = 12, 24, 3, 1
        latencies = (0.1,)
    # CPU per stage and memory from the full crawls at 0 ms: the crawl as fast as its
    # CPU allows, where per-report costs and any backlog show most.
    base_latency = latencies[0]
    figures: dict[str, float | None] = {"load_average_at_start": os.getloadavg()[0]}
    rows: list[tuple[str, str]] = []
    say = Progress()
    say(f"make bench: N={small} and {large}, {portals} portals; load average "
        f"{figures['load_average_at_start']:.1f} (other load slows every wall-clock figure)")
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as scratch:
        tmp = Path(scratch)
        by_latency = {}
        for latency in latencies:
            by_latency[latency] = crawl_side_by_side(small, latency, tmp / f"n{small}-{latency}",
                                                     say)
        large_full = crawl_side_by_side(large, base_latency, tmp / f"n{large}", say,
                                        others=False)["full"]
        for latency, runs in by_latency.items():
            tag = f"{int(latency * 1000)}ms"
            rates = {k: pages_per_second(r) for k, r in runs.items()}
            figures[f"archive_pages_per_s_{tag}"] = rates["archive"]
            figures[f"full_pages_per_s_{tag}"] = rates["full"]
            figures[f"bare_scrapy_pages_per_s_{tag}"] = rates["bare"]
            figures[f"wget_pages_per_s_{tag}"] = rates["wget"]
            figures[f"full_vs_bare_scrapy_{tag}"] = rates["full"] / rates["bare"]
            figures[f"archive_vs_bare_scrapy_{tag}"] = rates["archive"] / rates["bare"]
            figures[f"archive_vs_wget_{tag}"] = rates["archive"] / rates["wget"]
            rows.append((f"pages/s at {tag} (N={small}): archive-only / full / bare Scrapy / wget",
                         " / ".join(f"{rates[k]:.0f}" for k in ("archive", "full", "bare",
                                                                "wget"))))
        runs = by_latency[base_latency]
        stages = stage_ms(runs["full"])
        responses = runs["archive"].stat("downloader/response_count") or 1
        warc_ms = max(0.0, runs["archive"].cpu - runs["bare"].cpu) / responses * 1000
        figures.update({f"cpu_ms_per_report_{k}": v for k, v in stages.items()})
        figures["cpu_ms_per_response_warc"] = warc_ms
        figures["pipeline_cpu_ms_per_report"] = sum(stages.values())
        reports = runs["full"].stat("storage/reports_saved") or 1
        # The crawl process and what it reaped: the extraction workers, children of
        # the forkserver, are not reliably in it (their CPU is in the stage figures).
        figures["full_crawl_process_cpu_ms_per_report"] = runs["full"].cpu / reports * 1000
        rows.append(("CPU ms per report: main text / parser / storage (+ WARC per response)",
                     f"{stages['main_text']:.1f} / {stages['parser']:.1f} / "
                     f"{stages['storage']:.1f} (+ {warc_ms:.1f})"))
        rows.append(("pipeline CPU ms per report (target <= 30)",
                     f"{figures['pipeline_cpu_ms_per_report']:.1f}"))
        figures.update(memory_figures(runs["full"], large_full))
        figures["large_full_pages_per_s_0ms"] = pages_per_second(large_full)
        rows.append((f"peak RSS of the crawl process, N={small} / N={large} (target: "
                     "grows < 50 MB)", f"{runs['full'].max_rss_mb:.0f} / "
                     f"{large_full.max_rss_mb:.0f} MB: "
                     f"+{figures['rss_growth_mb_1k_to_10k']:.0f} MB, "
                     f"{figures['rss_growth_kb_per_report']:.1f} KB per report"))
        rows.append((f"peak PSS with the extraction workers, N={small} / N={large}",
                     f"{runs['full'].tree_pss_mb:.0f} / {large_full.tree_pss_mb:.0f} MB"))
        say("parser alone")
        figures["parser_reports_per_s_per_core"] = figure(script_output(
            [sys.executable, "benchmarks/bench_parser.py", "--seconds",
             "1" if args.quick else "5"]), r"(\d+) reports/s on one core")
        say("re-parse against parse-only")
        # 20 copies of the replica's 44 reports, best of 3 rounds: a rate steady to a
        # few per cent in under a minute (bench_reparse.py alone does 60 and 7).
        reparse = script_output([sys.executable, "benchmarks/bench_reparse.py",
                                 *(["1", "--rounds", "1"] if args.quick
                                   else ["20", "--rounds", "3"])])
        rate = figures["reparse_reports_per_s"] = figure(
            reparse, r"reparse \(WARC read.*?: (\d+) reports/s")
        figures["reparse_vs_parse_only"] = figure(reparse, r"ratio: ([\d.]+)")
        say(f"  parser {figures['parser_reports_per_s_per_core']} reports/s/core, "
            f"re-parse {rate} reports/s")
        rows.append(("parser alone reports/s/core; re-parse reports/s (all cores)",
                     f"{figures['parser_reports_per_s_per_core']} ; {rate}"))
        say(f"start-up: median of {repeats} (first request: of {min(repeats, 3)})")
        up = startup(repeats, tmp)
        figures.update(up)
        figures["startup_ratio"] = up["scrapy_list_s"] / up["bare_scrapy_version_s"]
        figures["first_request_ratio"] = up["crawl_first_request_s"] / up["bare_first_request_s"]
        rows.append(("start-up: scrapy list / bare scrapy version (s)",
                     f"{up['scrapy_list_s']:.2f} / {up['bare_scrapy_version_s']:.2f} "
                     f"= {figures['startup_ratio']:.2f}x"))
        rows.append(("crawl to first request: ours / bare (s)",
                     f"{up['crawl_first_request_s']:.2f} / {up['bare_first_request_s']:.2f}"))
        say(f"{portals} portals, two nights")
        many = many_portals(portals, tmp, sizes=range(2, 4) if args.quick
                            else REPORTS_PER_PORTAL)
        say(f"  first night {many['first_night_s']:.0f} s, second {many['second_night_s']:.0f} s")
        figures.update({f"portals_{k}": v for k, v in many.items()})
        figures["second_night_bytes_ratio"] = (many["second_night_bytes"]
                                               / max(1, many["first_night_bytes"]))
        figures["second_night_seconds_500_portals"] = many["second_night_s"]
        rows.append((f"{portals} portals ({many['reports']} reports): first / second night (s)",
                     f"{many['first_night_s']:.0f} / {many['second_night_s']:.0f}"))
        rows.append(("crawl process CPU ms per portal: first / second night",
                     f"{many['first_night_cpu_ms_per_portal']:.0f} / "
                     f"{many['second_night_cpu_ms_per_portal']:.0f}"))
        rows.append(("second night WARC bytes / first night's",
                     f"{figures['second_night_bytes_ratio']:.3f}"))
    figures["load_average_at_end"] = os.getloadavg()[0]
    figures["bench_wall_s"] = say.elapsed
    say(f"done in {say.elapsed / 60:.1f} minutes; load average "
        f"{figures['load_average_at_end']:.1f}")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v)
                      for k, v in figures.items()}))


if __name__ == "__main__":
    main()
