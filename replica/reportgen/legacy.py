"""The pre-2019 《政府信息公开情况统计表》 (统计指标 / 单位 / 统计数), DOMAIN A1.

``ROWS`` is the printed table, top to bottom: ``(label, unit, key)`` where
``key`` is ``None`` for a heading row that carries no number.  ``generate``
returns the numbers (consistent with rules P1–P7), ``indicators`` turns them
into the spec's ``legacy_indicators`` list.
"""

from __future__ import annotations

import random

H = None  # heading row: no value

ROWS: tuple[tuple[str, str, str | None], ...] = (
    ("一、主动公开情况", "", H),
    ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "active"),
    ("其中：主动公开规范性文件数", "条", "active_normative"),
    ("制发规范性文件总数", "件", "normative_made"),
    ("（二）通过不同渠道和方式公开政府信息的情况", "", H),
    ("1.政府公报公开政府信息数", "条", "ch_gazette"),
    ("2.政府网站公开政府信息数", "条", "ch_website"),
    ("3.政务微博公开政府信息数", "条", "ch_weibo"),
    ("4.政务微信公开政府信息数", "条", "ch_weixin"),
    ("5.其他方式公开政府信息数", "条", "ch_other"),
    ("二、回应解读情况", "", H),
    ("（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次", "hot"),
    ("（二）通过不同渠道和方式回应解读的情况", "", H),
    ("1.参加或举办新闻发布会总次数", "次", "press"),
    ("其中：主要负责同志参加新闻发布会次数", "次", "press_leader"),
    ("2.政府网站在线访谈次数", "次", "interview"),
    ("其中：主要负责同志参加政府网站在线访谈次数", "次", "interview_leader"),
    ("3.政策解读稿件发布数", "篇", "interpretations"),
    ("4.微博微信回应事件数", "次", "social_responses"),
    ("5.其他方式回应事件数", "次", "other_responses"),
    ("三、依申请公开情况", "", H),
    ("（一）收到申请数", "件", "received"),
    ("1.当面申请数", "件", "rcv_in_person"),
    ("2.传真申请数", "件", "rcv_fax"),
    ("3.网络申请数", "件", "rcv_online"),
    ("4.信函申请数", "件", "rcv_letter"),
    ("（二）申请办结数", "件", "completed"),
    ("1.按时办结数", "件", "on_time"),
    ("2.延期办结数", "件", "extended"),
    ("（三）申请答复数", "件", "answered"),
    ("1.属于已主动公开范围数", "件", "ans_already_public"),
    ("2.同意公开答复数", "件", "ans_granted"),
    ("3.同意部分公开答复数", "件", "ans_partial"),
    ("4.不同意公开答复数", "件", "ans_refused"),
    ("其中：涉及国家秘密", "件", "ref_secret"),
    ("涉及商业秘密", "件", "ref_commercial"),
    ("涉及个人隐私", "件", "ref_privacy"),
    ("危及国家安全、公共安全、经济安全和社会稳定", "件", "ref_security"),
    ("不是《条例》所指政府信息", "件", "ref_not_govinfo"),
    ("法律法规规定的其他情形", "件", "ref_other"),
    ("5.不属于本行政机关公开数", "件", "ans_not_ours"),
    ("6.申请信息不存在数", "件", "ans_not_exist"),
    ("7.告知作出更改补充数", "件", "ans_amend"),
    ("8.告知通过其他途径办理数", "件", "ans_other_route"),
    ("四、行政复议数量", "件", "review"),
    ("（一）维持具体行政行为数", "件", "review_upheld"),
    ("（二）被依法纠错数", "件", "review_corrected"),
    ("（三）其他情形数", "件", "review_other"),
    ("五、行政诉讼数量", "件", "litigation"),
    ("（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "litigation_upheld"),
    ("（二）被依法纠错数", "件", "litigation_corrected"),
    ("（三）其他情形数", "件", "litigation_other"),
    ("六、被举报投诉数量", "件", "complaints"),
    ("（一）维持具体行政行为数", "件", "complaints_upheld"),
    ("（二）被纠错数", "件", "complaints_corrected"),
    ("（三）其他情形数", "件", "complaints_other"),
    ("七、依申请公开信息收取的费用", "万元", "fees"),
    ("八、机构建设和保障经费情况", "", H),
    ("（一）政府信息公开工作专门机构数", "个", "offices"),
    ("（二）设置政府信息公开查阅点数", "个", "reading_points"),
    ("（三）从事政府信息公开工作人员数", "人", "staff"),
    ("1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "staff_full"),
    ("2.兼职人员数", "人", "staff_part"),
    ("（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
     "万元", "budget"),
    ("九、政府信息公开会议和培训情况", "", H),
    ("（一）召开政府信息公开工作会议或专题会议数", "次", "meetings"),
    ("（二）举办各类培训班数", "次", "trainings"),
    ("（三）接受培训人员数", "人次", "trainees"),
)

_ANSWER_KEYS = ("ans_already_public", "ans_granted", "ans_partial", "ans_refused",
                "ans_not_ours", "ans_not_exist", "ans_amend", "ans_other_route")
_REFUSAL_KEYS = ("ref_secret", "ref_commercial", "ref_privacy", "ref_security",
                 "ref_not_govinfo", "ref_other")


def _split(rng: random.Random, total: int, keys, weights) -> dict[str, int]:
    out = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights, k=total):
        out[key] += 1
    return out


def generate(rng: random.Random, scale: str = "department") -> dict[str, float | int]:
    big = scale == "city"
    v: dict[str, float | int] = {}
    v["active"] = rng.randint(400, 2500) if big else rng.randint(20, 260)
    v["normative_made"] = rng.randint(0, 12 if big else 2)
    v["active_normative"] = v["normative_made"]
    v["ch_gazette"] = rng.randint(0, 40) if big else 0
    v["ch_website"] = v["active"]
    v["ch_weibo"] = rng.randint(0, v["active"] // 2)
    v["ch_weixin"] = rng.randint(0, v["active"] // 2)
    v["ch_other"] = rng.randint(0, 30)
    v["hot"] = rng.randint(0, 12 if big else 3)
    v["press"] = rng.randint(0, 8 if big else 1)
    v["press_leader"] = rng.randint(0, v["press"])
    v["interview"] = rng.randint(0, 4 if big else 1)
    v["interview_leader"] = rng.randint(0, v["interview"])
    v["interpretations"] = rng.randint(0, 20 if big else 3)
    v["social_responses"] = rng.randint(0, 30 if big else 4)
    v["other_responses"] = rng.randint(0, 5)
    channels = _split(rng, rng.randint(10, 90) if big else rng.randint(0, 8),
                      ("rcv_in_person", "rcv_fax", "rcv_online", "rcv_letter"), (3, 0.1, 6, 1))
    v.update(channels)
    v["received"] = sum(channels.values())
    v["completed"] = v["received"]
    v["extended"] = rng.randint(0, min(2, v["received"]))
    v["on_time"] = v["received"] - v["extended"]
    v["answered"] = v["received"]
    answers = _split(rng, v["answered"], _ANSWER_KEYS, (8, 10, 2, 2, 3, 5, 1, 1))
    v.update(answers)
    v.update(_split(rng, v["ans_refused"], _REFUSAL_KEYS, (1, 2, 3, 1, 4, 1)))
    for name in ("review", "litigation", "complaints"):
        parts = _split(rng, rng.randint(0, 3) if big and rng.random() < 0.5 else 0,
                       (f"{name}_upheld", f"{name}_corrected", f"{name}_other"), (5, 1, 2))
        v.update(parts)
        v[name] = sum(parts.values())
    v["fees"] = 0
    v["offices"] = 1
    v["reading_points"] = rng.randint(1, 6 if big else 2)
    v["staff_full"] = rng.randint(1, 4 if big else 1)
    v["staff_part"] = rng.randint(1, 30 if big else 3)
    v["staff"] = v["staff_full"] + v["staff_part"]
    v["budget"] = round(rng.randint(0, 300) / 10, 1) if big else 0
    v["meetings"] = rng.randint(1, 6 if big else 2)
    v["trainings"] = rng.randint(0, 5 if big else 1)
    v["trainees"] = v["trainings"] * rng.randint(20, 120) if v["trainings"] else 0
    return v


def indicators(values: dict) -> list[dict]:
    """The spec's ``legacy_indicators``: one entry per valued row, with its 一、… group."""
    out = []
    group = ""
    for label, unit, key in ROWS:
        if label[:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、"):
            group = label
        if key is None:
            continue
        out.append({"label": label, "group": group, "unit": unit, "value": values[key]})
    return out


def check(values: dict) -> list[dict[str, str]]:
    """Rules P1–P6 of DOMAIN A1 (P4 as ≥, since clerks often fill only some 其中 rows)."""
    v = values
    failures = []
    rules = (
        ("P1", "received", sum(v[k] for k in ("rcv_in_person", "rcv_fax", "rcv_online", "rcv_letter"))),
        ("P2", "completed", v["on_time"] + v["extended"]),
        ("P3", "answered", sum(v[k] for k in _ANSWER_KEYS)),
        ("P5", "review", v["review_upheld"] + v["review_corrected"] + v["review_other"]),
        ("P5", "litigation", v["litigation_upheld"] + v["litigation_corrected"] + v["litigation_other"]),
        ("P5", "complaints", v["complaints_upheld"] + v["complaints_corrected"] + v["complaints_other"]),
        ("P6", "staff", v["staff_full"] + v["staff_part"]),
    )
    for rule, key, expected in rules:
        if v[key] != expected:
            failures.append({"rule": rule, "where": key})
    if sum(v[k] for k in _REFUSAL_KEYS) > v["ans_refused"]:
        failures.append({"rule": "P4", "where": "ans_refused"})
    return failures
