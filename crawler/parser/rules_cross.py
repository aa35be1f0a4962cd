"""Rules that need two reports of the same agency, a year apart (DOMAIN.md A4, S3).

S3   for each column c of 表三: 二、上年结转[c] (year Y)
     = 四、结转下年度继续办理[c] (year Y−1)                               cross_carried_over
S3b  2021 form, each row of 表二（一）(规章, 行政规范性文件):
     现行有效件数 (Y) = 现行有效件数 (Y−1) + 本年制发件数 (Y) − 本年废止件数 (Y)
                                                                        cross_in_force

Which reports are "the same agency" is not decided here (``crawler.audit``
pairs them); these functions only compare the figures of a pair.  As in the
in-document rules, a blank cell counts as 0 (DOMAIN.md D1); but a blank the
parser itself could not read (its row carries a reading issue: a short row,
digits run together…) is unknown and never compared, so an unreadable cell
cannot raise a cross-report mismatch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .issues import issue
from nianbao_core.stat_keys import APPLICANT_COLUMNS, APPLICANT_COLUMN_LABELS

# Issues that mean "a value of this row may be missing because it could not be read".
READING_CODES = frozenset({"column_count", "column_mapping", "merged_digits",
                           "multiple_numbers", "merged_cell", "unparsed_value",
                           "duplicate_row"})
IN_FORCE_ROWS = (("regulations", "规章"), ("normative_documents", "行政规范性文件"))
_UNKNOWN = object()


@dataclass(frozen=True)
class ReportFigures:
    """What the cross-report rules read of one report."""

    source: str
    year: int
    template: str
    stats: Mapping[str, float | int | None]
    unread_rows: frozenset[str] = frozenset()  # stat-key prefixes with a reading issue

    @classmethod
    def of(cls, source: str, year: int, template: str,
           stats: Mapping[str, float | int | None], issues: Iterable[Mapping]) -> ReportFigures:
        unread = frozenset(str(i.get("where")) for i in issues
                           if i.get("code") in READING_CODES and i.get("where"))
        return cls(source, year, template, stats, unread)

    def value(self, key: str):
        """The number of a cell; 0 for a blank; ``_UNKNOWN`` when absent or unread."""
        if key not in self.stats:
            return _UNKNOWN
        value = self.stats[key]
        if value is None:
            return _UNKNOWN if key.rsplit(".", 1)[0] in self.unread_rows else 0
        return value


def _differ(a: float, b: float) -> bool:
    return abs(a - b) > 1e-9


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _cross_issue(code: str, where: str, message: str, earlier: ReportFigures,
                 expected: float, found: float) -> dict:
    entry = issue(code, where, message)
    entry.update(earlier_report=earlier.source, earlier_year=earlier.year,
                 expected=expected, found=found)
    return entry


def check_carried_over(later: ReportFigures, earlier: ReportFigures) -> list[dict]:
    """S3, per column of 表三: this year's 上年结转 = last year's 结转下年度."""
    issues = []
    for col in APPLICANT_COLUMNS:
        over = later.value(f"applications.carried_over.{col}")
        forward = earlier.value(f"applications.carried_forward.{col}")
        if over is _UNKNOWN or forward is _UNKNOWN or not _differ(over, forward):
            continue
        issues.append(_cross_issue(
            "cross_carried_over", f"applications.carried_over.{col}",
            f"二、上年结转 ({APPLICANT_COLUMN_LABELS[col]}) {_fmt(over)} ≠ 结转下年度 "
            f"{_fmt(forward)} in the {earlier.year} report {earlier.source}",
            earlier, forward, over))
    return issues


def check_in_force(later: ReportFigures, earlier: ReportFigures) -> list[dict]:
    """S3b, 2021 form, per row of 表二（一）: 现行有效 = last year's + 制发 − 废止."""
    if later.template != "2021" or earlier.template != "2021":
        return []
    issues = []
    for row, label in IN_FORCE_ROWS:
        now = later.value(f"active.{row}.in_force")
        issued = later.value(f"active.{row}.issued")
        repealed = later.value(f"active.{row}.repealed")
        before = earlier.value(f"active.{row}.in_force")
        if _UNKNOWN in (now, issued, repealed, before):
            continue
        expected = before + issued - repealed
        if not _differ(now, expected):
            continue
        issues.append(_cross_issue(
            "cross_in_force", f"active.{row}.in_force",
            f"{label} 现行有效件数 {_fmt(now)} ≠ {_fmt(before)} (现行有效 in the "
            f"{earlier.year} report {earlier.source}) + 制发 {_fmt(issued)} − 废止 "
            f"{_fmt(repealed)} = {_fmt(expected)}", earlier, expected, now))
    return issues


def check_pair(later: ReportFigures, earlier: ReportFigures) -> list[dict]:
    """Every cross-report issue of ``later`` against the same agency's report of the year before."""
    if later.year != earlier.year + 1:
        return []
    return check_carried_over(later, earlier) + check_in_force(later, earlier)
