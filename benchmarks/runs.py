"""Running a crawl (or wget) as its own process and measuring it: wall, CPU, memory, stats."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SCRAPY = Path(sys.executable).parent / "scrapy"

# The benchmark's crawl settings, the same for our crawl and bare Scrapy: no
# politeness delay (the server is ours), eight requests in flight to the site.
CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "LOG_LEVEL": "INFO",
}


@dataclass
class Run:
    wall: float  # seconds, process start to exit
    cpu: float  # seconds of CPU of the process and every process it waited for
    # Peak resident set of the process itself (VmHWM: see ChildMemory). The extraction
    # workers, children of a forkserver, are not in it: see tree_pss_mb.
    max_rss_mb: float
    stats: dict[str, float] = field(default_factory=dict)
    # Peak proportional set size of the process and all its descendants together (the
    # forkserver and the extraction workers), sampled every PSS_SAMPLE_S: PSS shares
    # the pages the workers inherited copy-on-write among them instead of counting
    # them in each, so the sum is what the tree costs the machine.
    tree_pss_mb: float = 0.0
    children_pss_mb: float = 0.0  # the descendants' part of the sample that peaked

    def stat(self, name: str, default: float = 0.0) -> float:
        return self.stats.get(name, default)

    @property
    def elapsed(self) -> float:
        """Scrapy's own elapsed time (open to close of the spider), else the wall time."""
        return self.stat("elapsed_time_seconds") or self.wall


_STAT = re.compile(r"'([\w/.\-]+)': (-?\d+(?:\.\d+)?)")


def scrapy_stats(log: Path) -> dict[str, float]:
    """The numeric stats of the last stats dump in a Scrapy log."""
    text = log.read_text(encoding="utf-8", errors="replace")
    start = text.rfind("Dumping Scrapy stats:")
    return {k: float(v) for k, v in _STAT.findall(text[start:])} if start >= 0 else {}


PSS_SAMPLE_S = 0.5  # reading PSS walks the page tables: not every poll


class ChildMemory:
    """The memory of a command started from this process, read from /proc while it runs.

    Peak RSS: the kernel's high-water mark of the command's own memory (VmHWM), read
    at every poll; it only rises, so the last read before exit is the peak. Not
    ``ru_maxrss``: the kernel counts in it the memory of this process, which the
    child holds from fork to exec (a benchmark serving 10,000 reports is larger than
    a small crawl). psutil has no VmHWM, hence the status file. Peak PSS of the
    command and its descendants (the forkserver, the extraction workers): sampled.
    Nothing is read before the exec, while the child is still a copy of this process.
    """

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.our_cmdline = psutil.Process().cmdline()
        self.execed = False
        self.peak_rss_mb = self.peak_tree_pss_mb = self.children_pss_mb = 0.0

    def _running_command(self) -> bool:
        if not self.execed:
            try:
                self.execed = self.process.cmdline() != self.our_cmdline
            except psutil.Error:
                return False
        return self.execed

    def read_high_water(self) -> None:
        if not self._running_command():
            return
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        kb = int(line.split()[1])
                        self.peak_rss_mb = max(self.peak_rss_mb, kb / 1024)
                        return
        except OSError:  # exited meanwhile
            return

    def sample_pss(self) -> None:
        if not self._running_command():
            return
        try:
            own = self.process.memory_full_info().pss
            children = self.process.children(recursive=True)
        except psutil.Error:  # exiting
            return
        theirs = 0
        for child in children:
            try:
                theirs += child.memory_full_info().pss
            except psutil.Error:  # a worker that ended between the listing and the read
                pass
        if own + theirs > self.peak_tree_pss_mb * 2**20:
            self.peak_tree_pss_mb, self.children_pss_mb = (own + theirs) / 2**20, theirs / 2**20


def measured(command: list[str], *, cwd: Path, env: dict | None = None,
             log: Path | None = None, timeout: float = 1800) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    memory = ChildMemory(process.pid)
    deadline = started + timeout
    next_pss = started
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        now = time.perf_counter()
        if now > deadline:
            process.kill()
            raise TimeoutError(" ".join(command))
        memory.read_high_water()
        if now >= next_pss:
            memory.sample_pss()
            next_pss = now + PSS_SAMPLE_S
        time.sleep(0.02)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        raise RuntimeError(f"{command[:3]} exited {code}: {stderr[-2000:]}{tail}")
    return Run(wall, usage.ru_utime + usage.ru_stime, memory.peak_rss_mb,
               scrapy_stats(log) if log and log.exists() else {}, memory.peak_tree_pss_mb,
               memory.children_pss_mb)


def project_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NIANBAO_PORTAL_BASE_URL", "SCRAPY_SETTINGS_MODULE")}
    env["DATABASE_URL"] = database_url
    # This checkout's code, whichever checkout the venv was installed from.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def settings_args(settings: dict[str, str]) -> list[str]:
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def our_crawl(base_url: str, tmp: Path, *, archive_only: bool = False,
              extra: dict[str, str] | None = None) -> Run:
    """``scrapy crawl linhai`` against ``base_url``: everything, or fetch + WARC only."""
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / "crawl.log"
    settings = {**CRAWL_SETTINGS, "PORTAL_BASE_URL": base_url, "WARC_DIR": str(tmp / "archive"),
                "LOG_FILE": str(log), **(extra or {})}
    if archive_only:
        settings["ITEM_PIPELINES"] = "{}"
    return measured([str(SCRAPY), "crawl", "linhai", *settings_args(settings)], cwd=ROOT,
                    env=project_env(f"sqlite:///{tmp}/nianbao.db"), log=log)


def bare_crawl(urls: Path, tmp: Path) -> Run:
    """Bare Scrapy over ``urls``, from a directory with no project."""
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / "bare.log"
    settings = {**CRAWL_SETTINGS, "LOG_FILE": str(log), "TELNETCONSOLE_ENABLED": "False"}
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    return measured([str(SCRAPY), "runspider", str(ROOT / "benchmarks" / "bare_spider.py"),
                     "-a", f"urls={urls}", *settings_args(settings)], cwd=tmp, env=env, log=log)


def wget_crawl(urls: Path, tmp: Path) -> Run:
    tmp.mkdir(parents=True, exist_ok=True)
    return measured(["wget", "--quiet", "--tries=1", f"--warc-file={tmp / 'wget'}",
                     "--input-file", str(urls), "--output-document", "/dev/null"], cwd=tmp)


def archived_urls(warc_dir: Path) -> list[str]:
    """Every GET the crawl archived a response to, in archive order (the URL list)."""
    from warcio.archiveiterator import ArchiveIterator

    urls: list[str] = []
    for path in sorted(warc_dir.rglob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request" and record.http_headers.protocol == "GET":
                    urls.append(record.rec_headers.get_header("WARC-Target-URI"))
    return urls


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
