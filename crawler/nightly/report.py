"""A night's outcome: each portal's result and the changes, as JSON and as a table.

The changes file (``scrapy crawlall --changes FILE``) has the shape

    {"run": {...}, "portals": {NAME: {"status": "ok"|"failed"|"suspicious", ...}},
     "new": [{"url", "title", "portal"}],
     "edited": [{"url", "title", "portal", "changed": {KEY: [OLD, NEW]},
                 "before": WARC_PLACE, "after": WARC_PLACE}],
     "withdrawn": [{"url", "title", "portal", "last_seen", "how"}]}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crawler.monitors import VERDICTS, verdict_of
from storage.changes import RunChanges


@dataclass
class PortalResult:
    name: str
    status: str  # crawler.monitors.VERDICTS
    run_id: int | None  # crawl_runs.id of this portal's crawl
    entries_listed: int = 0
    new: int = 0
    edited: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failures: int = 0  # errors logged by the crawl
    duration_s: float = 0.0
    finish_reason: str | None = None
    monitors: dict[str, str] = field(default_factory=dict)  # failed monitor -> reason

    @classmethod
    def from_stats(cls, name: str, stats: dict | None,
                   counts: dict[str, int]) -> PortalResult:
        """A portal's result from its crawl's final stats (None: the crawl never started).

        ``counts``: its changes by kind (``RunChanges.counts``; a kind it lacks: none).
        """
        if stats is None:
            return cls(name, "failed", None, monitors={"crawl": "failed: did not start"})
        verdict, failed = verdict_of(stats)
        reason = stats.get("finish_reason")
        if reason != "finished":  # whether or not the monitors ran
            verdict = "failed"
            failed.setdefault("finish_reason", f"failed: the crawl ended with {reason!r}")
        saved = int(stats.get("storage/reports_saved") or 0)
        start, finish = stats.get("start_time"), stats.get("finish_time")
        return cls(
            name, verdict, stats.get("storage/crawl_run_id"),
            entries_listed=int(stats.get("nianbao/list_entries") or 0),
            new=counts.get("new", 0), edited=counts.get("edited", 0),
            # Saved again with the same content, or seen unchanged and not saved again.
            unchanged=max(0, saved - counts.get("new", 0) - counts.get("edited", 0))
            + int(stats.get("storage/reports_unchanged") or 0),
            withdrawn=counts.get("withdrawn", 0),
            failures=int(stats.get("log_count/ERROR") or 0),
            duration_s=round((finish - start).total_seconds(), 1) if start and finish else 0.0,
            finish_reason=reason, monitors=failed)


@dataclass
class NightReport:
    started_at: str  # ISO 8601 UTC
    finished_at: str
    portals: dict[str, PortalResult]
    changes: RunChanges
    page_url: str | None = None  # where the HTML page of the changes is

    @property
    def status(self) -> str:
        return max((p.status for p in self.portals.values()), default="ok", key=VERDICTS.index)

    @property
    def anything_to_tell(self) -> bool:
        c = self.changes
        return bool(c.new or c.edited or c.withdrawn) or self.status != "ok"

    def totals(self) -> dict[str, int]:
        return {"new": len(self.changes.new), "edited": len(self.changes.edited),
                "withdrawn": len(self.changes.withdrawn),
                "failed": sum(p.status == "failed" for p in self.portals.values()),
                "suspicious": sum(p.status == "suspicious" for p in self.portals.values())}

    def as_json(self) -> dict:
        portals = {}
        for name, result in self.portals.items():
            entry = asdict(result)
            entry.pop("name")
            portals[name] = entry
        return {"run": {"started_at": self.started_at, "finished_at": self.finished_at,
                        "crawl_run_ids": {n: p.run_id for n, p in self.portals.items()},
                        "page": self.page_url},
                "portals": portals, **self.changes.as_json()}

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_json(), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")

    def summary(self) -> str:
        """The per-portal table and the changes, as printed at the end of a run."""
        head = ("portal", "status", "listed", "new", "edited", "unchanged", "withdrawn",
                "failures", "seconds")
        rows = [head] + [(p.name, p.status, p.entries_listed, p.new, p.edited, p.unchanged,
                          p.withdrawn, p.failures, f"{p.duration_s:.1f}")
                         for p in self.portals.values()]
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
        lines = ["  ".join(str(v).ljust(w) if i < 2 else str(v).rjust(w)
                           for i, (v, w) in enumerate(zip(row, widths, strict=True)))
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        for p in self.portals.values():
            for monitor, reason in p.monitors.items():
                lines.append(f"{p.name}: {monitor}: {reason}")
        lines += _change_lines(self.changes)
        return "\n".join(lines)


def _change_lines(changes: RunChanges) -> list[str]:
    lines = []
    for c in changes.new:
        lines.append(f"new        {c.portal}  {c.title or ''}  {c.url}")
    for c in changes.edited:
        what = ", ".join(f"{k} {old}->{new}" for k, (old, new) in c.changed.items())
        lines.append(f"edited     {c.portal}  {c.title or ''}  {c.url}  "
                     f"{what or 'text only, numbers unchanged'}")
    for c in changes.withdrawn:
        lines.append(f"withdrawn  {c.portal}  {c.title or ''}  {c.url}  ({c.how})")
    return lines
