"""Which reports of a portal are the same agency's, year after year.

An agency's name changes (区政务服务中心管理办公室 → 区行政审批服务局) and
titles vary, so two signals decide, within one portal:

* the name from the title, after the portal's registry of renames (old name →
  new name, chains followed), compared in its canonical form;
* the 索引号 prefix (the publisher's 9-character organisation code or
  18-character 统一社会信用代码 before the "/"), but only where that prefix names
  one agency in every year: a city office that publishes all its departments'
  reports under its own code must not merge them.

Reports linked by either signal share an :class:`AgencyKey`; its
``matched_by`` says how this report was linked: ``index_no`` (the prefix links
it to a report under another name), ``rename`` (the registry renamed it),
``name`` (its own name).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crawler.parser.normalize import collapse_ws

_PREFIX = re.compile(r"^\s*([0-9A-Za-z][0-9A-Za-z-]{7,20})\s*/")
_MAX_RENAMES = 10  # a chain longer than this is a loop in the registry data


@dataclass(frozen=True)
class AgencyReport:
    """What identity needs of one stored report."""

    version_id: int
    portal: str
    year: int | None
    agency: str | None
    index_no: str | None


@dataclass(frozen=True)
class AgencyKey:
    key: str  # "<portal>:<agency name>" or "<portal>:索引号 <prefix>"
    matched_by: str  # index_no | rename | name


def index_prefix(index_no: str | None) -> str | None:
    """The organisation code before the "/" of a 索引号 (dashes removed), if it is one."""
    match = _PREFIX.match(index_no or "")
    if not match:
        return None
    code = match.group(1).replace("-", "").upper()
    return code if len(code) in (9, 18) else None


def canonical_name(name: str | None, renames: Mapping[str, str]) -> tuple[str | None, bool]:
    """(name after the registry's renames, whether one applied)."""
    if not name:
        return None, False
    name = collapse_ws(name).replace(" ", "")
    renamed = False
    for _ in range(_MAX_RENAMES):
        new = renames.get(name)
        if not new or new == name:
            break
        name, renamed = collapse_ws(new).replace(" ", ""), True
    return name, renamed


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b) -> None:
        self.parent[self.find(a)] = self.find(b)


def agency_keys(reports: Sequence[AgencyReport],
                renames: Mapping[str, Mapping[str, str]]) -> dict[int, AgencyKey]:
    """Version id → agency key, for every report with a name or a usable 索引号 prefix.

    ``renames``: portal name → {old agency name → new agency name}.
    """
    names, renamed, prefixes = {}, {}, {}
    for r in reports:
        names[r.version_id], renamed[r.version_id] = canonical_name(
            r.agency, renames.get(r.portal, {}))
        prefixes[r.version_id] = index_prefix(r.index_no)
    # A prefix identifies an agency only if no year has it under two names.
    names_by_prefix_year: dict[tuple, set] = defaultdict(set)
    for r in reports:
        if prefixes[r.version_id]:
            names_by_prefix_year[(r.portal, prefixes[r.version_id], r.year)].add(
                names[r.version_id])
    ambiguous = {(portal, prefix) for (portal, prefix, _), found in names_by_prefix_year.items()
                 if len(found) > 1}
    groups = _UnionFind()
    for r in reports:
        vid, prefix = r.version_id, prefixes[r.version_id]
        if names[vid]:
            groups.union(("version", vid), ("name", r.portal, names[vid]))
        if prefix and (r.portal, prefix) not in ambiguous:
            groups.union(("version", vid), ("prefix", r.portal, prefix))
    members: dict = defaultdict(list)
    for r in reports:
        if names[r.version_id] or prefixes[r.version_id]:
            members[groups.find(("version", r.version_id))].append(r)
    keys = {}
    for group in members.values():
        # The newest name stands for the agency (the one a reader looks for today).
        newest = max((r for r in group if names[r.version_id]),
                     key=lambda r: (r.year or 0, r.version_id), default=None)
        if newest is not None:
            label = names[newest.version_id]
        else:
            label = "索引号 " + next(p for r in group if (p := prefixes[r.version_id]))
        for r in group:
            vid = r.version_id
            if renamed[vid] and names[vid] == label:
                how = "rename"
            elif names[vid] != label:  # no name, or another one: only the prefix links it
                how = "index_no"
            else:
                how = "name"
            keys[vid] = AgencyKey(f"{r.portal}:{label}", how)
    return keys
