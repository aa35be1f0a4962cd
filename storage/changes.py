"""What crawl runs changed: new, edited and withdrawn reports, read from the database.

The repository notes each change as it stores it (``report_changes``); this
module reads them back for a set of runs, with what a person needs to judge
an edit: the stat keys whose values differ between the version before and
the one after (a changed visit counter never gets here: it makes no new
version), the WARC places of both, and a diff of the main text.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from storage.db import session_factory
from storage.models import Capture, CrawlRun, Portal, Report, ReportChange, ReportStat, \
    ReportVersion


@dataclass(frozen=True)
class WarcPlace:
    """Where a version's page is archived."""

    warc_file: str | None
    warc_offset: int | None
    warc_record_id: str | None


@dataclass(frozen=True)
class NewReport:
    url: str
    title: str | None
    portal: str


@dataclass(frozen=True)
class EditedReport:
    url: str
    title: str | None
    portal: str
    changed: dict[str, list]  # stat key → [old, new]; empty when only the text changed
    before: WarcPlace | None
    after: WarcPlace | None
    text_diff: str = field(default="", compare=False)  # unified diff of the main text


@dataclass(frozen=True)
class WithdrawnReport:
    url: str
    title: str | None
    portal: str
    last_seen: str | None  # ISO 8601
    how: str  # storage.models.WITHDRAWN_HOW


CHANGE_KINDS = ("new", "edited", "withdrawn")


@dataclass
class RunChanges:
    new: list[NewReport] = field(default_factory=list)
    edited: list[EditedReport] = field(default_factory=list)
    withdrawn: list[WithdrawnReport] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """Each portal with a change: how many of each kind, in one pass over the changes."""
        counts: dict[str, dict[str, int]] = {}
        for kind in CHANGE_KINDS:
            for change in getattr(self, kind):
                counts.setdefault(change.portal, dict.fromkeys(CHANGE_KINDS, 0))[kind] += 1
        return counts

    def as_json(self) -> dict:
        """The lists of the changes file; an edit without its text diff (the page has it)."""
        edited = []
        for change in self.edited:
            entry = asdict(change)
            entry.pop("text_diff")
            edited.append(entry)
        return {"new": [asdict(c) for c in self.new], "edited": edited,
                "withdrawn": [asdict(c) for c in self.withdrawn]}


def _number(value: float | None):
    return int(value) if value is not None and float(value).is_integer() else value


def _stats(session, version_id: int | None) -> dict[str, float | None]:
    if version_id is None:
        return {}
    rows = session.execute(select(ReportStat.key, ReportStat.value)
                           .where(ReportStat.version_id == version_id))
    return {key: _number(value) for key, value in rows}


def stat_changes(before: dict, after: dict) -> dict[str, list]:
    return {key: [before.get(key), after.get(key)]
            for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)}


def text_diff(before: str | None, after: str | None) -> str:
    return "\n".join(difflib.unified_diff((before or "").splitlines(),
                                          (after or "").splitlines(),
                                          "before", "after", lineterm="", n=1))


def _place(capture: Capture | None) -> WarcPlace | None:
    if capture is None:
        return None
    return WarcPlace(capture.warc_file, capture.warc_offset, capture.warc_record_id)


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands back the stored UTC time without its zone."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


class ChangeQueries:
    def __init__(self, engine: Engine):
        self.sessions = session_factory(engine)

    def changes(self, run_ids: list[int]) -> RunChanges:
        """Every change the given runs noted, in the order they were found."""
        result = RunChanges()
        if not run_ids:
            return result
        before, after = aliased(ReportVersion), aliased(ReportVersion)
        query = (select(ReportChange, Report, Portal.name, before, after)
                 .join(Report, ReportChange.report_id == Report.id)
                 .join(Portal, Report.portal_id == Portal.id)
                 .outerjoin(before, ReportChange.before_version_id == before.id)
                 .outerjoin(after, ReportChange.after_version_id == after.id)
                 .where(ReportChange.crawl_run_id.in_(run_ids))
                 .order_by(ReportChange.id))
        with self.sessions() as session:
            for change, report, portal, old, new in session.execute(query):
                latest = new or old
                title = latest.title or latest.list_title if latest else None
                if change.kind == "new":
                    result.new.append(NewReport(report.source_url, title, portal))
                elif change.kind == "edited":
                    result.edited.append(EditedReport(
                        report.source_url, title, portal,
                        stat_changes(_stats(session, old.id), _stats(session, new.id)),
                        _place(session.get(Capture, old.capture_id)),
                        _place(session.get(Capture, new.capture_id)),
                        text_diff(old.main_text, new.main_text)))
                elif change.kind == "withdrawn":
                    result.withdrawn.append(WithdrawnReport(
                        report.source_url, title, portal, _iso(report.last_seen_at), change.how))
        return result

    def listed_reports(self, portal: str) -> list[str]:
        """URLs of a portal's stored reports that are not marked withdrawn."""
        query = (select(Report.source_url).join(Portal, Report.portal_id == Portal.id)
                 .where(Portal.name == portal, Report.withdrawn_at.is_(None))
                 .order_by(Report.id))
        with self.sessions() as session:
            return list(session.scalars(query))

    def run(self, run_id: int) -> CrawlRun | None:
        with self.sessions() as session:
            return session.get(CrawlRun, run_id)

    def last_good_run(self, portal: str, before_run_id: int | None = None,
                      is_good=lambda run: run.finish_reason == "finished") -> CrawlRun | None:
        """The newest finished run of ``portal`` (before ``before_run_id``) that ``is_good``."""
        query = select(CrawlRun).where(CrawlRun.spider == portal,
                                       CrawlRun.finished_at.is_not(None))
        if before_run_id is not None:
            query = query.where(CrawlRun.id < before_run_id)
        with self.sessions() as session:
            for run in session.scalars(query.order_by(CrawlRun.id.desc()).limit(50)):
                if is_good(run):
                    return run
        return None
