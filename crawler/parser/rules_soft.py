"""In-document soft rules (DOMAIN.md A4, S1/S2/S4).

S1  counts are non-negative integers, 万元 amounts non-negative decimals,
    2019 本年增/减 may be negative: checked where each cell is read
    (:func:`numbers.parse_number` → ``negative_value`` / ``non_integer``),
    not repeated here.
S2  2019 表二（一）: 本年新公开数量 ≤ 对外公开总数量                   published_exceeds_total
S4  the text vs the tables: "新收/收到/受理…申请N件", "上年结转N件",    narrative_mismatch
    "结转下年度…N件" / "N件…顺延到下年度", "办结/答复N件",
    "…信息公开…行政复议N件", "…行政诉讼N件" (= 直接起诉 + 复议后起诉);
    pre-2019 reports: 收到申请数, 行政复议数量, 行政诉讼数量.

S4 only believes a sentence it cannot misread: the words between the verb,
申请 and the number must be generic (政府信息公开, 共, 依 …, never a channel,
an applicant type or another quantity), the clause must not be about another
year (去年, 同比, "2018年…"), and a sentence about a wider scope (全市, 各部门
…) or a count that includes another one ("N件（含上年结转M件）") may confirm
the table but never contradicts it.  A quantity is flagged only when no
sentence agrees with the table and the believed sentences all give the same
other number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .issues import issue
from .legacy import LegacyRow
from .numbers import UNKNOWN, VALUE
from .rules_legacy import RECEIVED_RE, core
from .sections import _join_pdf

# -- S2 ---------------------------------------------------------------------------------


def check_published(stats: dict) -> list[dict]:
    """S2: 本年新公开数量 ≤ 对外公开总数量 (2019 表二（一）; blank cells are not checked)."""
    issues = []
    for item, name in (("regulations", "规章"), ("normative_documents", "规范性文件")):
        new = stats.get(f"active.{item}.new_published")
        total = stats.get(f"active.{item}.total_published")
        if new is None or total is None or new < 0 or total < 0:
            continue  # blank (not filled) or already flagged negative_value (S1)
        if new > total:
            issues.append(issue("published_exceeds_total", f"active.{item}.new_published",
                                f"{name}: 本年新公开数量 {new} > 对外公开总数量 {total}"))
    return issues


# -- S4 ---------------------------------------------------------------------------------

#: words that may stand between the verb, 申请 and the number without changing what is counted
#: (possessive: overlapping words such as 政府信息公开 / 信息 + 公开 must not backtrack)
_G = (r"(?:共计|共|总计|合计|累计|了|的|各类|政府信息公开|信息公开|政府信息|依|需要|公开|信息|"
      r"数量|总数|件数|数|为|本年度|本年|全年|新|有关|事项|公民、法人(?:或者?|和|及)其他组织|\s)*+")
_GR = r"(?:共计|共|数量|数|为|申请|被|\s)*+"  # … between 行政复议/行政诉讼 and the number
_UNIT = r"\s*(?:件|项|个|份|条)"
_ABOUT = r"(?:信息公开|依申请公开|公开工作)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("new_received", re.compile(
        rf"(?<![未没无])(?<!没有)(?:新收|收到|受理|接收|接到)(?P<g>{_G})申请{_G}(?P<n>\d+){_UNIT}")),
    ("new_received", re.compile(
        rf"(?<![未没无])(?<!没有)(?:新收|收到|受理|接收|接到)(?P<g>{_G})(?P<n>\d+){_UNIT}{_G}申请")),
    ("new_received", re.compile(rf"(?:未|没有)(?:新收|收到|受理|接到)(?P<g>{_G})申请(?!{_G}\d)")),
    ("carried_over", re.compile(
        rf"(?:上一?年度?|去年)(?:的)?结转{_G}(?:申请)?{_G}(?P<n>\d+){_UNIT}")),
    ("carried_forward", re.compile(
        rf"结转(?:至|到)?下一?年度?(?:继续)?(?:办理|答复|处理)?{_G}(?:申请)?{_G}(?P<n>\d+){_UNIT}")),
    ("carried_forward", re.compile(
        rf"(?P<n>\d+){_UNIT}(?:申请)?(?:按照《条例》|依法|按规定)?(?:顺延|结转|转入)(?:至|到)?下一?年")),
    ("total", re.compile(
        rf"(?<!按时)(?<!按期)(?<!当场)(?<!延期)(?<!逾期)(?<!限期)(?<!及时)(?<!依法)(?<!书面)"
        rf"(?:办结|答复){_G}(?:申请)?{_G}(?P<n>\d+){_UNIT}")),
    ("review", re.compile(
        rf"{_ABOUT}(?P<g>[^，,。；;\d]{{0,16}}?)行政复议(?:案件)?{_GR}(?P<n>\d+)\s*(?:件|起)")),
    ("litigation", re.compile(
        rf"{_ABOUT}(?P<g>[^，,。；;\d]{{0,16}}?)行政诉讼(?:案件)?{_GR}(?P<n>\d+)\s*(?:件|起)")),
)
#: "…行政复议7件，诉讼9件" / "…行政复议0件、被提起行政诉讼0件": the clause right after a review mention
_THEN_SUITS = re.compile(rf"\s*[，,、]\s*(?:被)?(?:提起)?(?:行政)?诉讼(?:案件)?{_GR}(?P<n>\d+)\s*(?:件|起)")
_NOT_SAME = {"review": re.compile(r"诉讼|和|及|与|、|或"),
             "litigation": re.compile(r"复议|和|及|与|、|或")}
_SENTENCE = re.compile(r"[^。；;！!？?\n\uff1b\uff01\uff1f]+")
_CLAUSE_START = re.compile(r".*(?:[，：:]|,(?!\d))", re.S)
_OTHER_TIME = re.compile(r"去年|上年|上一年|前年|同比|较|比上|相比|(?<!\d)((?:19|20)\d\d)\s*年")
_SCOPE = re.compile(r"全市|全区|全县|全省|全州|全盟|全旗|全镇|全乡|各级|各部门|各单位|各乡镇|各街道|"
                    r"全系统|所属|下属|本级|系统内")
_INCLUDES = re.compile(r"\s*[（(，,]?\s*(?:其中)?(?:含|包括|包含)")
#: a clause that narrows the count to one channel or applicant type
_PART = re.compile(r"网上|网络|在线|当面|现场|信函|来信|邮寄|传真|邮件|电话|自然人|法人|企业|组织|机构|"
                   r"个人|群众|律师")
_GENERIC = re.compile(r"公民、法人(?:或者?|和|及)其他组织")

_WHERE = {
    "new_received": "applications.new_received.total",
    "carried_over": "applications.carried_over.total",
    "carried_forward": "applications.carried_forward.total",
    "total": "applications.total.total",
    "review": "review_litigation.review.total",
    "litigation": "review_litigation.litigation_*.total",
}
_WHAT = {"new_received": "本年新收申请", "carried_over": "上年结转", "carried_forward": "结转下年度",
         "total": "办理结果总计", "review": "行政复议", "litigation": "行政诉讼"}
_APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution",
               "social_welfare_org", "legal_service_org", "other_org")
_OUTCOMES = ("upheld", "corrected", "other", "pending")
_UNREADABLE = frozenset({"merged_digits", "multiple_numbers", "merged_cell", "unparsed_value",
                         "column_count", "column_mapping", "duplicate_row"})
_LEGACY = {
    "new_received": RECEIVED_RE,
    "review": re.compile(r"^(?:因政府信息公开(?:申请)?)?(?:申请)?行政复议(?:案件)?(?:数量|数|件数)?$"),
    "litigation": re.compile(r"^(?:因政府信息公开(?:申请)?)?(?:提起)?行政诉讼(?:案件)?(?:数量|数|件数)?$"),
}


class _Mention:
    __slots__ = ("value", "text", "believed")

    def __init__(self, value: int, text: str, believed: bool) -> None:
        self.value, self.text, self.believed = value, text, believed


def prose(lines: Sequence[str], joined: bool) -> str:
    """The running text of a report: table rows ("a | b") left out, PDF-style breaks re-joined."""
    kept = [ln for ln in lines if "|" not in ln]
    text = _join_pdf(kept) if joined else "\n".join(kept)
    return text  # NFKC is applied per sentence, to the few that quote numbers


#: words one of which a sentence must hold for each pattern to be tried (speed)
_NEEDS = {"new_received": ("收", "受理", "接到"), "carried_over": ("结转",),
          "carried_forward": ("结转", "下一年", "下年"), "total": ("办结", "答复"),
          "review": ("行政复议",), "litigation": ("行政诉讼",)}
_ANY = re.compile("|".join(sorted({w for ws in _NEEDS.values() for w in ws})))


def _mentions(text: str, year: int | None) -> dict[str, list[_Mention]]:
    found: dict[str, list[_Mention]] = {}
    for sentence in _SENTENCE.finditer(text):
        s = sentence.group(0)
        if not _ANY.search(s):
            continue
        s = unicodedata.normalize("NFKC", s)
        for quantity, pattern in _PATTERNS:
            if not any(w in s for w in _NEEDS[quantity]):
                continue
            for m in pattern.finditer(s):
                g = m.groupdict().get("g") or ""
                if quantity in _NOT_SAME and _NOT_SAME[quantity].search(g):
                    continue  # "行政复议和行政诉讼共3件": not one quantity
                before = s[:m.start()]
                clause = _CLAUSE_START.sub("", before)
                other = [t for t in _OTHER_TIME.finditer(clause)
                         if not t.group(1) or year is None or int(t.group(1)) != year]
                if other or (year is None and re.search(r"(?:19|20)\d\d\s*年", clause)):
                    continue  # about another year
                if quantity not in ("review", "litigation") and _PART.search(
                        _GENERIC.sub("", clause)):
                    continue  # "通过网上收到申请3件": one channel, not the total
                value = int(m.group("n")) if "n" in m.groupdict() and m.group("n") else 0
                believed = not _SCOPE.search(before) and not (
                    quantity == "new_received" and _INCLUDES.match(s, m.end()))
                start = m.start() - len(clause)
                snippet = s[max(start, m.end() - 60):m.end()].strip()
                found.setdefault(quantity, []).append(_Mention(value, snippet, believed))
                if quantity == "review":
                    suits = _THEN_SUITS.match(s, m.end())
                    if suits:
                        snippet = s[max(start, suits.end() - 60):suits.end()].strip()
                        found.setdefault("litigation", []).append(
                            _Mention(int(suits.group("n")), snippet, believed))
    return found


def _bad(issues: Sequence[dict]) -> set[str]:
    return {i["where"] for i in issues if i["code"] in _UNREADABLE and i["where"]}


def _group_value(stats: dict, bad: set[str], prefix: str, parts: Sequence[str]
                 ) -> int | float | None:
    """A row's 总计, or the sum of its parts when the 总计 cell is blank; None if unreadable."""
    key = f"{prefix}.total"
    if key not in stats:
        return None
    table = prefix.split(".", 1)[0]
    if stats[key] is not None and key not in bad:
        return stats[key]
    if {key, prefix, table} & bad or any(f"{prefix}.{p}" in bad for p in parts):
        return None
    return sum(stats.get(f"{prefix}.{p}") or 0 for p in parts)


def _table_values(stats: dict, issues: Sequence[dict]) -> dict[str, int | float | None]:
    bad = _bad(issues)
    out: dict[str, int | float | None] = {}
    for quantity, row in (("new_received", "new_received"), ("carried_over", "carried_over"),
                          ("carried_forward", "carried_forward"), ("total", "total")):
        out[quantity] = _group_value(stats, bad, f"applications.{row}", _APPLICANTS)
    out["review"] = _group_value(stats, bad, "review_litigation.review", _OUTCOMES)
    direct = _group_value(stats, bad, "review_litigation.litigation_direct", _OUTCOMES)
    after = _group_value(stats, bad, "review_litigation.litigation_after_review", _OUTCOMES)
    out["litigation"] = None if direct is None or after is None else direct + after
    return out


def _legacy_values(rows: Sequence[LegacyRow]) -> dict[str, tuple[str, int | float | None]]:
    out: dict[str, tuple[str, int | float | None]] = {}
    for quantity, label_re in _LEGACY.items():
        found = [r for r in rows if label_re.match(core(r.label))]
        if len(found) != 1 or len(found[0].numbers) > 1:
            continue  # absent, ambiguous or split into several 统计数 columns
        [row] = found
        num = row.numbers[0] if row.numbers else None
        if num is not None and num.state == UNKNOWN:
            continue
        value = num.value if num is not None and num.state == VALUE else 0  # blank counts 0
        out[quantity] = (f"legacy:{row.label}", value)
    return out


def check_narrative(text: str, year: int | None, template: str, stats: dict,
                    issues: Sequence[dict], legacy_rows: Sequence[LegacyRow] = ()) -> list[dict]:
    """S4: numbers quoted in the report's text against its tables."""
    mentions = _mentions(text, year)
    if not mentions:
        return []
    targets: dict[str, tuple[str, int | float | None]] = {}
    if template in ("2019", "2021"):
        targets = {q: (_WHERE[q], v) for q, v in _table_values(stats, issues).items()}
    elif legacy_rows:
        targets = _legacy_values(legacy_rows)
    out = []
    for quantity, (where, value) in targets.items():
        said = mentions.get(quantity)
        if value is None or not said or any(m.value == value for m in said):
            continue
        believed = [m for m in said if m.believed]
        if not believed or len({m.value for m in believed}) != 1:
            continue
        m = believed[0]
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        out.append(issue("narrative_mismatch", where,
                         f"text says {_WHAT[quantity]} {m.value} (\"{m.text}\"), "
                         f"table says {shown}"))
    return out
