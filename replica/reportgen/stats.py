"""Generate a report's true numbers, consistent by construction, and check them.

``generate(template, rng, scale)`` returns a stats dict (spec keys → number)
for which every 勾稽关系 holds, and, given the same agency's figures of the
year before (``YearLink``), the cross-report ones too (S3: 上年结转 = last
year's 结转下年度; S3b: 现行有效件数 = last year's + 制发 − 废止); ``perturb`` then breaks exactly one rule family
when a report is meant to be wrong; ``check`` lists every rule instance that
fails (blank cells count as 0; a blank 总计 cell is "not filled", not an error).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from replica.reportgen import keys as K


@dataclass(frozen=True)
class YearLink:
    """What one year's report hands on to the same agency's next (DOMAIN.md A4, S3)."""

    carried_forward: dict[str, int]  # 四、结转下年度继续办理, per applicant column
    in_force: dict[str, int] | None = None  # 2021 表二（一）现行有效件数, per row


IN_FORCE_ROWS = ("regulations", "normative_documents")  # 2021 表二（一）: 规章, 行政规范性文件

# How applications of one applicant column end, as relative weights.
_RESULT_WEIGHTS = {
    "granted": 40, "partially_granted": 10,
    "withheld.process_information": 3, "withheld.third_party_rights": 2,
    "withheld.internal_affairs": 2, "withheld.enforcement_case_files": 1,
    "unavailable.not_held": 22, "unavailable.needs_creation": 4,
    "unavailable.unclear_after_correction": 2,
    "not_processed.petition_complaint": 5, "not_processed.duplicate": 3,
    "not_processed.publication": 1, "not_processed.confirm_or_reissue": 1,
    "other": 4,
}
# Typical yearly applications per applicant column (natural persons dominate).
_SCALES = {
    "town": (4, 1, 0, 0, 0, 0),
    "department": (9, 2, 0, 0, 1, 1),
    "city": (60, 9, 1, 1, 3, 2),
}


def _result_rows(template: str) -> tuple[str, ...]:
    return K.result_rows(template)


def generate(template: str, rng: random.Random, scale: str = "department",
             previous: YearLink | None = None, hand_on: YearLink | None = None
             ) -> dict[str, float | int | None]:
    """Consistent stats for a 2019/2021-format report (keys in printed order).

    ``previous``: what the agency's report of the year before handed on (this
    report's 上年结转 and 现行有效件数 follow from it). ``hand_on``: what this
    report must hand on, when next year's report is fixed already (a real page).
    """
    stats: dict[str, float | int | None] = {key: 0 for key in K.all_keys(template)}
    _fill_t2(stats, template, rng, scale, previous, hand_on)
    _fill_t3(stats, template, rng, scale, previous.carried_forward if previous else {},
             hand_on.carried_forward if hand_on else None)
    _fill_t4(stats, rng, scale)
    return stats


def year_link(stats: dict, template: str) -> YearLink:
    """What a report hands on to the agency's next one."""
    forward = {col: stats.get(f"applications.carried_forward.{col}") or 0
               for col in K.APPLICANT_KEYS}
    if template != "2021":
        return YearLink(forward)
    return YearLink(forward, {row: stats.get(f"active.{row}.in_force") or 0
                             for row in IN_FORCE_ROWS})


def _chain_in_force(stats: dict, previous: YearLink | None, hand_on: YearLink | None) -> None:
    """S3b: 现行有效件数 = last year's + 本年制发 − 本年废止 (2021 form)."""
    for row in IN_FORCE_ROWS:
        if previous is not None and previous.in_force is not None:
            before = previous.in_force.get(row, 0)
            issued = stats[f"active.{row}.issued"]
            stats[f"active.{row}.repealed"] = min(stats[f"active.{row}.repealed"], before + issued)
            stats[f"active.{row}.in_force"] = before + issued - stats[f"active.{row}.repealed"]
        if hand_on is not None and hand_on.in_force is not None:
            stats[f"active.{row}.in_force"] = hand_on.in_force.get(row, 0)


def _fill_t2(stats: dict, template: str, rng: random.Random, scale: str,
             previous: YearLink | None = None, hand_on: YearLink | None = None) -> None:
    big = scale == "city"
    if template == "2019":
        made = rng.randint(0, 6 if big else 2)
        stats["active.normative_documents.new_made"] = made
        stats["active.normative_documents.new_published"] = made
        stats["active.normative_documents.total_published"] = made + rng.randint(0, 40 if big else 8)
        for item, size in (("licensing", 300 if big else 40), ("other_services", 80 if big else 10),
                           ("penalty", 500 if big else 30), ("coercion", 40 if big else 5)):
            prev = rng.randint(0, size) if rng.random() < 0.7 else 0
            stats[f"active.{item}.previous_year"] = prev
            stats[f"active.{item}.change"] = rng.randint(-min(prev, 5), 6) if prev else 0
            stats[f"active.{item}.decisions"] = rng.randint(0, size * 20) if prev else 0
        fees = rng.randint(0, 12 if big else 3)
        stats["active.fees.previous_year"] = fees
        stats["active.fees.change"] = rng.randint(-min(fees, 2), 1) if fees else 0
        items = rng.randint(0, 30 if big else 6)
        stats["active.procurement.items"] = items
        stats["active.procurement.amount"] = round(rng.randint(1, 900) * 1000 / 10000, 4) if items else 0
    else:
        issued = rng.randint(0, 8 if big else 2)
        repealed = rng.randint(0, 3 if big else 1)
        stats["active.normative_documents.issued"] = issued
        stats["active.normative_documents.repealed"] = repealed
        stats["active.normative_documents.in_force"] = issued + rng.randint(repealed, 60 if big else 10)
        for item, size in (("licensing", 6000 if big else 300), ("penalty", 3000 if big else 150),
                           ("coercion", 200 if big else 20)):
            stats[f"active.{item}.decisions"] = rng.randint(0, size) if rng.random() < 0.6 else 0
        stats["active.fees.amount"] = round(rng.randint(0, 500) / 100, 2) if rng.random() < 0.3 else 0
        _chain_in_force(stats, previous, hand_on)


def _fill_t3(stats: dict, template: str, rng: random.Random, scale: str,
             carried_over: dict[str, int], hand_on: dict[str, int] | None = None) -> None:
    rows = _result_rows(template)
    other_rows = [r for r in rows if r.startswith("other.")]
    weights = []
    for row in rows:
        if row.startswith("other."):
            weights.append(_RESULT_WEIGHTS["other"] / len(other_rows))
        else:
            weights.append(_RESULT_WEIGHTS.get(row, 0.5))
    for col, mean in zip(K.APPLICANT_KEYS, _SCALES[scale]):
        n = max(0, round(rng.gauss(mean, mean / 2))) if mean else int(rng.random() < 0.1)
        for row in rng.choices(rows, weights, k=n):
            stats[f"applications.{row}.{col}"] += 1
        processed = sum(stats[f"applications.{row}.{col}"] for row in rows)
        over = carried_over.get(col, rng.randint(0, 1) if mean >= 4 else 0)
        forward = rng.randint(0, 2) if mean >= 4 and rng.random() < 0.5 else 0
        if hand_on is not None:
            forward = hand_on.get(col, 0)
        if over > processed + forward:  # what was carried over must end somewhere
            stats[f"applications.granted.{col}"] += over - processed - forward
            processed = over - forward
        stats[f"applications.total.{col}"] = processed
        stats[f"applications.carried_over.{col}"] = over
        stats[f"applications.carried_forward.{col}"] = forward
        stats[f"applications.new_received.{col}"] = processed + forward - over
    for row in K.t3_rows(template):
        stats[f"applications.{row}.total"] = sum(
            stats[f"applications.{row}.{col}"] for col in K.APPLICANT_KEYS)


def _fill_t4(stats: dict, rng: random.Random, scale: str) -> None:
    chance = 0.5 if scale == "city" else 0.15
    for group, _ in K.T4_GROUPS:
        total = 0
        for outcome, _ in K.T4_OUTCOMES[:-1]:
            value = rng.randint(1, 3 if scale == "city" else 1) if rng.random() < chance else 0
            stats[f"review_litigation.{group}.{outcome}"] = value
            total += value
        stats[f"review_litigation.{group}.total"] = total


def perturb(stats: dict, family: str, template: str) -> None:
    """Break one rule family the way a clerk's typo does, leaving the other families intact."""
    if family == "column_balance":  # 一 typed one too high, row total kept in step
        for col in ("natural_person", "total"):
            stats[f"applications.new_received.{col}"] += 1
    elif family == "result_total":  # one result row too high, （七） not updated
        for col in ("natural_person", "total"):
            stats[f"applications.granted.{col}"] += 1
    elif family == "row_total":  # 总计 of one row mistyped
        stats["applications.new_received.total"] += 2
    elif family == "review_litigation_total":
        stats["review_litigation.review.total"] += 1
    else:
        raise ValueError(f"unknown rule family {family!r}")


def _v(stats: dict, key: str) -> float:
    value = stats.get(key)
    return value or 0


def check(stats: dict, template: str) -> list[dict[str, str]]:
    """Every failing rule instance: ``{"rule": family, "where": key prefix}``."""
    failures = []
    results = _result_rows(template)
    for col in K.T3_COLUMN_KEYS:
        cells = {row: stats.get(f"applications.{row}.{col}") for row in K.t3_rows(template)}
        if col == "total" and any(v is None for v in cells.values()):
            continue  # 总计 column not filled (DOMAIN D2): nothing to check
        v = {row: value or 0 for row, value in cells.items()}
        if v["new_received"] + v["carried_over"] != v["total"] + v["carried_forward"]:
            failures.append({"rule": "column_balance", "where": f"applications.{col}"})
        if v["total"] != sum(v[row] for row in results):
            failures.append({"rule": "result_total", "where": f"applications.{col}"})
    for row in K.t3_rows(template):
        total = stats.get(f"applications.{row}.total")
        if total is None:
            continue
        if total != sum(_v(stats, f"applications.{row}.{col}") for col in K.APPLICANT_KEYS):
            failures.append({"rule": "row_total", "where": f"applications.{row}"})
    for group, _ in K.T4_GROUPS:
        total = stats.get(f"review_litigation.{group}.total")
        if total is None:
            continue
        parts = sum(_v(stats, f"review_litigation.{group}.{o}") for o, _ in K.T4_OUTCOMES[:-1])
        if total != parts:
            failures.append({"rule": "review_litigation_total",
                             "where": f"review_litigation.{group}"})
    return failures
