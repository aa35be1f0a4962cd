"""Which table a row belongs to, and which format the report uses.

The context switches on section headings and, since some reports have
none, on each table's own markers: a 第二十条 caption (表二), the
勾稽关系 note / 申请人情况 / 本年新收 (表三), a 行政复议 header (表四), a
统计指标 header (pre-2019 统计表).  The format is decided from the
tables' headers, never from the year.
"""

from __future__ import annotations

from functools import lru_cache

from .active import ActiveCollector
from .applications import ApplicationsCollector, match_row
from .labels import APPLICATION_MARKERS, CAPTION_RE, LEGACY_MARKER_RE, REVIEW_START_RE
from .legacy import LegacyCollector
from .normalize import match_form
from .review import ReviewCollector
from .tokens import LABEL, Cell, Heading, Item, Row

_HEADING_CONTEXT = {"active": "active", "applications": "applications", "review": "review",
                    "overview": None, "problems": None, "other": None}


@lru_cache(maxsize=4096)  # the same header rows recur in every report
def _marker(joined: str) -> str | None:
    """The table a row's marker words open (in the order _switch tests them):
    a 表二 caption, a 统计表 header, a 表三 marker; or None."""
    if CAPTION_RE.search(joined):
        return "active"
    if LEGACY_MARKER_RE.search(joined):
        return "legacy"
    if APPLICATION_MARKERS.search(joined):
        return "applications"
    return None


class Interpreter:
    """Dispatches the item stream to the collectors of each table."""

    def __init__(self) -> None:
        self.active = ActiveCollector()
        self.applications = ApplicationsCollector()
        self.review = ReviewCollector()
        self.legacy = LegacyCollector()
        self.context: str | None = None

    def run(self, items: list[Item]) -> "Interpreter":
        for item in items:
            if isinstance(item, Heading):
                if self.context == "legacy" and item.name not in ("problems", "other"):
                    # 统计表 rows such as 三、依申请公开情况 read like headings
                    self.legacy.feed(Row([Cell(LABEL, item.text)], explicit=True))
                else:
                    self.context = _HEADING_CONTEXT.get(item.name)
            elif isinstance(item, Row):
                self._row(item)
        return self

    def _switch(self, row: Row) -> None:
        labels = row.labels
        if not labels:
            return
        first = match_form(labels[0])
        joined = match_form("".join(labels))
        marker = _marker(joined)
        if marker == "active" or marker == "legacy":
            self.context = marker
        elif self.context == "legacy":
            return
        elif marker == "applications":
            self.context = "applications"
        elif REVIEW_START_RE.match(first) and self.context != "review":
            self.context = "review"
        elif self.context in (None, "active") and row.values() and \
                match_row(joined)[0] in ("new_received", "carried_over"):
            self.context = "applications"

    def _row(self, row: Row) -> None:
        self._switch(row)
        ctx = self.context
        if ctx == "active":
            self.active.feed(row)
        elif ctx == "applications":
            self.applications.feed(row)
        elif ctx == "review":
            self.review.feed(row)
        elif ctx == "legacy":
            self.legacy.feed(row)

    def template(self) -> tuple[str, list[tuple[str, str]]]:
        """(template, notes) from the tables' own headers."""
        notes: list[tuple[str, str]] = []
        t2 = self.active.template()
        t3 = self.applications.evidence()
        if t2 and t3 and t2 != t3:
            notes.append(("template_mixed",
                          f"表二 uses the {t2} format, 表三 the {t3} format"))
        if t2 or t3:
            return (t2 or t3), notes  # type: ignore[return-value]
        if len(self.legacy.rows) >= 3 and not self.applications.rows:
            return "pre2019", notes
        if self.applications.rows or self.review.chunks or self.active.rows:
            notes.append(("template_undetermined",
                          "tables found but no header tells the 2019 and 2021 formats apart"))
        return "unknown", notes
