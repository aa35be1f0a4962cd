"""The process tree under this one, read from /proc (Linux): to find and kill workers."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from the state on


def descendants(root: int | None = None) -> list[int]:
    root = os.getpid() if root is None else root
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_descendant(root: int | None = None, *, cpu: float = 0.5, within: float = 60.0) -> int:
    """A process under ``root`` that has used more than ``cpu`` seconds since this call."""
    deadline = time.monotonic() + within
    start: dict[int, float] = {}
    while time.monotonic() < deadline:
        for pid in descendants(root):
            used = cpu_seconds(pid)
            if used - start.setdefault(pid, used) > cpu:
                return pid
        time.sleep(0.05)
    raise AssertionError(f"no process under {root or os.getpid()} became busy in {within} s")
