"""Logical rules of the pre-2019 统计表 (DOMAIN.md A1; printed nowhere in the form).

P1  收到申请数 = Σ its channel items (当面/传真/网络/信函 + local extras)   rule_legacy_received
P2  申请办结数 = 按时办结数 + 延期办结数                                   rule_legacy_completed
P3  申请答复数 = Σ its numbered items (1.属于已主动公开范围数 … 8.)        rule_legacy_answered
P4  不同意公开答复数 ≥ Σ its 其中 items (an excess is an error)           rule_legacy_refused
    … a shortfall is normal (the 其中 list is often partial)            legacy_refused_partial
P5  行政复议/行政诉讼/被举报投诉数量 = （一）+（二）+（三）                 rule_legacy_outcomes
P6  从事政府信息公开工作人员数 = 专职 + 兼职                               rule_legacy_staff
P7  every 其中 row ≤ its parent row                                     rule_legacy_subitem
    a blank total whose items are not all 0 ("not filled", like D2)     legacy_total_not_filled

Rows are found by their label text, never by section number (local variants
insert blocks and renumber).  The tree comes from the numbering prefixes:
``一、`` > ``（一）`` > ``1.`` > ``其中：`` (plus the unnumbered rows that
continue a 其中 list, 涉及商业秘密 …).  A rule is checked only when its total
row and every part it names were found and are readable: a missing row, an
unreadable cell or 统计数 columns that cannot be aligned make it unverifiable,
not failed.  Blank cells count as 0.  Tables that split 统计数 into several
columns (区政府/区直单位/乡镇街道) are checked column by column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .issues import issue
from .legacy import LegacyRow
from .normalize import match_form, strip_notes
from .numbers import BLANK, UNKNOWN, VALUE

_LEVEL0 = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_LEVEL1 = re.compile(r"^\([一二三四五六七八九十]+\)")
_LEVEL2 = re.compile(r"^\d+[.、．](?!\d)")
_PAREN_DIGIT = re.compile(r"^\(\d+\)")
_SUB = re.compile(r"^其中")
_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\([一二三四五六七八九十\d]+\)|\d+[.、．](?!\d)"
                     r"|其中)[:：,，]?")
_UNIT_NOTE = re.compile(r"\((?:件|条|次|篇|个|人|人次|万元|项)\)$")

#: the label of 收到申请数 (also read by the narrative rule S4)
RECEIVED_RE = re.compile(r"^(?:共)?(?:收到|受理)(?:的)?(?:政府信息公开)?申请(?:总)?(?:数|件数|数量)?$")
#: (code, total row, parts that must all be found among its items, what the parts are)
_SUM_RULES: tuple[tuple[str, re.Pattern[str], tuple[re.Pattern[str], ...], str], ...] = (
    ("rule_legacy_received", RECEIVED_RE,
     tuple(map(re.compile, (r"当面", r"传真", r"网络|网上|互联网|在线", r"信函|邮寄|信件"))),
     "its channels"),
    ("rule_legacy_completed",
     re.compile(r"^(?:申请)?办结(?:总)?(?:数|件数|数量)?$"),
     tuple(map(re.compile, (r"按时|按期", r"延期"))), "按时 + 延期"),
    ("rule_legacy_answered",
     re.compile(r"^(?:申请)?答复(?:总)?(?:数|件数|数量)?$"),
     tuple(map(re.compile, (r"主动公开", r"^不同意公开"))), "its numbered items"),
    ("rule_legacy_outcomes",
     re.compile(r"^(?:因政府信息公开(?:申请)?)?(?:申请|提起|被)?(?:行政复议|行政诉讼|举报投诉)"
                r"(?:案件)?(?:数量|数|件数)?$"),
     tuple(map(re.compile, (r"维持", r"纠错|纠正", r"其他"))), "（一）+（二）+（三）"),
    ("rule_legacy_staff",
     re.compile(r"^从事(?:政府)?信息公开工作(?:的)?人员(?:总)?(?:数|数量)?$"),
     tuple(map(re.compile, (r"专职", r"兼职"))), "专职 + 兼职"),
)
_REFUSED = re.compile(r"^不同意公开(?:答复)?(?:数|件数|数量)?$")

Vector = list[int | float]


def _fmt(x: int | float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def core(label: str) -> str:
    """A label without its numbering prefix, fill-in notes and unit note."""
    form = strip_notes(match_form(label))
    form = _PREFIX.sub("", _PREFIX.sub("", form, count=1), count=1)  # "其中：1.当面申请数"
    return _UNIT_NOTE.sub("", form).rstrip(":：")


class _Node:
    __slots__ = ("row", "core", "level", "sub", "vector", "blank", "ambiguous")

    def __init__(self, row: LegacyRow, level: int | None, sub: bool,
                 ambiguous: bool = False) -> None:
        self.row = row
        self.ambiguous = ambiguous  # "5." after "其中：1.… 4." under "4.": item or sibling?
        self.core = core(row.label)
        self.level = level
        self.sub = sub  # a 其中 row or a row continuing a 其中 list
        nums = row.numbers
        self.vector: Vector | None = None if any(n.state == UNKNOWN for n in nums) else [
            n.value if n.state == VALUE else 0 for n in nums]  # type: ignore[misc]
        self.blank = all(n.state == BLANK for n in nums)

    @property
    def where(self) -> str:
        return f"legacy:{self.row.label}"


def _tree(rows: Sequence[LegacyRow]) -> list[_Node]:
    nodes: list[_Node] = []
    in_digits = False  # a "1." item was seen since the last （一）/一、 row
    sub_seq = 0  # "其中：1.当面申请数" opens a numbered 其中 list: "2." … continue it
    owner: int | None = None  # the number of the row that owns that 其中 list
    numbered_owner = False
    forms = [match_form(row.label) for row in rows]
    for k, row in enumerate(rows):
        form = forms[k]
        level: int | None
        sub = ambiguous = False
        digit = _LEVEL2.match(form)
        number = int(form[:digit.end() - 1]) if digit else None
        if _LEVEL0.match(form):
            level, in_digits = 0, False
        elif _LEVEL1.match(form):
            level, in_digits = 1, False
        elif sub_seq and number == sub_seq + 1 and owner is not None and number == owner + 1 \
                and not _repeated(forms, k, number):
            level, ambiguous, in_digits = 2, True, True  # no later "N." tells them apart
        elif sub_seq and number == sub_seq + 1:
            level, sub, sub_seq = 3, True, sub_seq + 1
        elif digit:
            level, in_digits = 2, True
        elif _PAREN_DIGIT.match(form):
            level = 3 if in_digits else 2
        elif _SUB.match(form):
            level, sub = 3, True
            rest = _PREFIX.sub("", form, count=1)
            first = _LEVEL2.match(rest)
            sub_seq = 1 if first and int(rest[:first.end() - 1]) == 1 else 0
            up = next((n for n in reversed(nodes) if not n.sub), None)
            up_digit = _LEVEL2.match(match_form(up.row.label)) if up is not None else None
            owner = int(up_digit.group(0)[:-1]) if up_digit else None
            # in 定西-style 统计报表 nothing is numbered: an unnumbered row after a 其中
            # row is the next indicator, not the 其中 list going on
            numbered_owner = up is not None and up.level is not None
        elif nodes and nodes[-1].sub and not sub_seq and numbered_owner:
            level, sub = 3, True  # 涉及商业秘密 … under 其中：涉及国家秘密 (an unnumbered list)
        else:
            level = None  # an unnumbered row outside a 其中 list: place unknown
        if not sub:
            sub_seq = 0
        nodes.append(_Node(row, level, sub, ambiguous))
    return nodes


def _repeated(forms: list[str], k: int, number: int) -> bool:
    """Another "number." row follows forms[k] before the next （一）/一、 row."""
    for form in forms[k + 1:]:
        if _LEVEL0.match(form) or _LEVEL1.match(form):
            return False
        digit = _LEVEL2.match(form)
        if digit and int(form[:digit.end() - 1]) == number:
            return True
    return False


def _numbers_repeat(items: list[_Node]) -> bool:
    """Two items numbered alike ("2." twice): the list is not one list."""
    seen = set()
    for node in items:
        form = match_form(node.row.label)
        m = _LEVEL2.match(form) or _PAREN_DIGIT.match(form)
        if m:
            if m.group(0) in seen:
                return True
            seen.add(m.group(0))
    return False


def _items(nodes: list[_Node], i: int) -> list[_Node]:
    """The direct items of nodes[i]: the highest level found below it, up to its next sibling."""
    level = nodes[i].level
    if level is None:
        return []
    scope = []
    for node in nodes[i + 1:]:
        if node.ambiguous:
            return []  # the list may or may not go on here: unverifiable
        if node.level is not None and node.level <= level:
            break
        scope.append(node)
    levels = [n.level for n in scope if n.level is not None]
    if not levels:
        return []
    top = min(levels)
    return [n for n in scope if n.level == top]


def _align(nodes: list[_Node]) -> list[Vector] | None:
    """The value vectors of ``nodes`` padded to one width, or None (unreadable/unalignable)."""
    if any(n.vector is None for n in nodes):
        return None
    widths = {len(n.vector) for n in nodes if any(n.vector)}  # type: ignore[arg-type]
    if len(widths) > 1:
        return None
    width = widths.pop() if widths else 1
    return [list(n.vector) if any(n.vector) else [0] * width  # type: ignore[arg-type]
            for n in nodes]


def _col(width: int, c: int) -> str:
    return f" (统计数 column {c + 1})" if width > 1 else ""


def _not_filled(total: _Node, sums: Vector) -> dict | None:
    if total.blank and any(sums):
        return issue("legacy_total_not_filled", total.where,
                     f"{total.core} blank, its items sum to "
                     + "/".join(_fmt(s) for s in sums))
    return None


def _columns(total_node: _Node, total: Vector, sums: Vector,
             issues: list[dict]) -> list[tuple[int | float, int | float, str]]:
    """(total, sum, column suffix) per 统计数 column to judge; none when the total is
    blank but its items are not (that is reported as not filled instead)."""
    blank = _not_filled(total_node, sums)
    if blank:
        issues.append(blank)
        return []
    return [(t, s, _col(len(total), c)) for c, (t, s) in enumerate(zip(total, sums))]


def check_legacy(rows: Sequence[LegacyRow]) -> list[dict]:
    """Issues of rules P1–P7 over the rows of one or more pre-2019 统计表."""
    nodes = _tree(rows)
    issues: list[dict] = []
    verified_refusals: set[int] = set()  # P4 checked: its items need no P7
    for i, node in enumerate(nodes):
        for code, total_re, parts, what in _SUM_RULES:
            if not total_re.match(node.core):
                continue
            items = _items(nodes, i)
            if not items or not all(any(p.search(n.core) for n in items) for p in parts) \
                    or _numbers_repeat(items):
                break  # a part is missing or the items do not form one list: unverifiable
            vecs = _align([node, *items])
            if vecs is None:
                break
            total, sums = vecs[0], [sum(col) for col in zip(*vecs[1:])]
            for t, s, col in _columns(node, total, sums, issues):
                if t != s:
                    issues.append(issue(code, node.where,
                                        f"{node.core} {_fmt(t)} ≠ {what} {_fmt(s)}{col}"))
            break
        if _REFUSED.match(node.core):
            items = [n for n in _items(nodes, i) if n.level == 3]
            vecs = _align([node, *items]) if items and not _numbers_repeat(items) else None
            if vecs is None:
                continue
            verified_refusals.add(i)
            total, sums = vecs[0], [sum(col) for col in zip(*vecs[1:])]
            for t, s, col in _columns(node, total, sums, issues):
                if s > t:
                    issues.append(issue("rule_legacy_refused", node.where,
                                        f"{node.core} {_fmt(t)} < sum of its 其中 items "
                                        f"{_fmt(s)}{col}"))
                elif s < t:
                    issues.append(issue("legacy_refused_partial", node.where,
                                        f"{node.core} {_fmt(t)} > sum of its 其中 items "
                                        f"{_fmt(s)} (breakdown incomplete){col}"))
    # P7: every 其中 ≤ its parent (the nearest row above that is not in a 其中 list;
    # unnumbered in 定西-style 统计报表, where no row has a number)
    parent: int | None = None
    for i, node in enumerate(nodes):
        if not node.sub:
            parent = i
            continue
        if parent is None or parent in verified_refusals:
            continue
        up = nodes[parent]
        form = match_form(node.row.label)
        if not (_SUB.match(form) or _LEVEL2.match(form) or _REFUSED.match(up.core)):
            continue  # an unnumbered row after a 其中 row (制发规范性文件总数): not a 其中
        vecs = _align([up, node])
        if vecs is None:
            continue
        (total, item) = vecs
        for t, s, col in _columns(up, total, item, issues):
            if s > t:
                issues.append(issue("rule_legacy_subitem", node.where,
                                    f"{node.core} {_fmt(s)} > {up.core} {_fmt(t)}{col}"))
    unique: dict[tuple, dict] = {}
    for found in issues:
        key = (found["code"], found["where"]) if found["code"] == "legacy_total_not_filled" \
            else (found["code"], found["where"], found["message"])
        unique.setdefault(key, found)
    return list(unique.values())
