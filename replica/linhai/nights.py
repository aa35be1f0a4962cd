"""What happens to Linhai's column night after night (``python -m replica linhai --night N``).

Night 1 is the column as ``catalog.ENTRIES`` has it, today's replica byte for
byte. Each later night applies its changes on top of the nights before it, as
a portal's editors do between two nightly crawls:

* night 2: 市卫生健康局 publishes its 2024 report (new); the CMS republishes
  市经信局's 2021 report with one number of 表二 corrected (edited: 规章
  本年制发件数 of the 2021 form, a cell no 勾稽 rule ties to another, so the
  report stays as coherent as it was); 市人力社保局's 2023 report is taken
  down (gone from the list, its URL answers the portal's 404 page);
* every night from 2 on, the article template prints its visit count
  server-side (the count goes up each night and each visit): new bytes on
  every page, no new content.

This module is data only: ``replica.linhai`` builds the site from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

_CST = timezone(timedelta(hours=8))
# Night 1 is the evening of this day (China time); night N is N-1 days later.
FIRST_NIGHT = datetime(2025, 1, 20, 22, 0, tzinfo=_CST)


@dataclass(frozen=True)
class Edit:
    """A report republished with numbers changed: (dept, statistics year) → {stat key: delta}."""

    dept: str
    year: int
    deltas: dict[str, float]


@dataclass(frozen=True)
class Night:
    # (dept, statistics year, published "YYYY-MM-DD HH:MM", catalog options)
    published: tuple[tuple[str, int, str, dict], ...] = ()
    edited: tuple[Edit, ...] = ()
    withdrawn: tuple[tuple[str, int], ...] = ()  # (dept, statistics year)
    counters: bool = True  # the article template prints visit counts from this night on
    notes: list[str] = field(default_factory=list)


NIGHTS: dict[int, Night] = {
    1: Night(counters=False),
    2: Night(
        published=(("wj", 2024, "2025-01-21 10:26", {}),),
        edited=(Edit("jxj", 2021, {"active.regulations.issued": 2}),),
        withdrawn=(("rs", 2023),),
    ),
}
LAST_NIGHT = max(NIGHTS)


def check_night(night: int) -> int:
    if night < 1:
        raise ValueError(f"nights start at 1, not {night}")
    return night


def nights_until(night: int) -> list[Night]:
    """The nights 1..night that have changes (later nights only move the counters)."""
    return [NIGHTS[n] for n in sorted(NIGHTS) if n <= check_night(night)]


def published_by(night: int) -> tuple[tuple[str, int, str, dict], ...]:
    return tuple(entry for n in nights_until(night) for entry in n.published)


def evening(night: int) -> datetime:
    """When night ``night``'s changes were made (what the CMS stamps as modified)."""
    return FIRST_NIGHT + timedelta(days=check_night(night) - 1)
