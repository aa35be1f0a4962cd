"""The keys of ``record["stats"]`` and the printed labels of each template (part of the record spec).

Renderer-independent: the parser reads tables into these keys, the replica
site renders tables from them, the exports name columns after them. They
follow ``shared/spec/report-record.md``; extending is fine, renaming is not.

Public names (all tuples keep the order of the official forms):

``APPLICANT_COLUMNS``
    the 7 value columns of 表三, keys ``natural_person`` … ``total``.
``APPLICANT_COLUMN_LABELS``
    key → printed label (自然人, 商业企业, …, 总计).
``APPLICANT_GROUP_LABEL``
    "法人或其他组织", the header over the five organisation columns.
``APPLICATION_ROWS_2019`` / ``APPLICATION_ROWS_2021``
    row keys of 表三 (23 rows in 2019, 25 in 2021; they differ only in
    （六）其他处理: one row ``other.total`` vs three ``other.*`` rows).
``APPLICATION_ROW_LABELS``
    row key → ``(section, group, label)`` as printed: section is
    "三、本年度办理结果" for the result rows (else ``None``), group the
    merged (rowspan) cell such as "（三）不予公开" (else ``None``), label
    the row's own text.  Rendering: a row with a group and numbered label
    sits under a rowspan cell; one without a group spans the label columns.
``ACTIVE_TABLES_2019`` / ``ACTIVE_TABLES_2021``
    表二 as sub-tables: ``(caption, ((col_key, col_label), …),
    ((row_key, row_label), …))``; stat key = ``f"active.{row}.{col}"``.
``ACTIVE_KEYS_2019`` / ``ACTIVE_KEYS_2021``
    the flat stat keys of 表二 (22 and 10 cells).
``MONEY_KEYS``
    stat keys whose unit is 万元 (decimals allowed, normalised from 元).
``SIGNED_KEYS``
    stat keys that may be negative (2019 本年增/减).
``REVIEW_LITIGATION_GROUPS`` / ``REVIEW_LITIGATION_OUTCOMES``
    表四 groups (review, litigation_direct, litigation_after_review) and
    outcomes (upheld, corrected, other, pending, total) with labels.
``REVIEW_LITIGATION_KEYS``
    the 15 stat keys of 表四 in printed order.
``application_keys(template)``, ``stat_keys(template)``
    every stat key of a template ("2019" or "2021"), in printed order.
"""

from __future__ import annotations

APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
APPLICANT_COLUMN_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
APPLICANT_GROUP_LABEL = "法人或其他组织"
ORG_COLUMNS: tuple[str, ...] = APPLICANT_COLUMNS[1:6]

_RESULTS = "三、本年度办理结果"
_W = "（三）不予公开"
_U = "（四）无法提供"
_N = "（五）不予处理"
_O = "（六）其他处理"

APPLICATION_ROW_LABELS: dict[str, tuple[str | None, str | None, str]] = {
    "new_received": (None, None, "一、本年新收政府信息公开申请数量"),
    "carried_over": (None, None, "二、上年结转政府信息公开申请数量"),
    "granted": (_RESULTS, None, "（一）予以公开"),
    "partially_granted": (
        _RESULTS, None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "withheld.state_secret": (_RESULTS, _W, "1.属于国家秘密"),
    "withheld.prohibited_by_law": (_RESULTS, _W, "2.其他法律行政法规禁止公开"),
    "withheld.security_stability": (_RESULTS, _W, "3.危及“三安全一稳定”"),
    "withheld.third_party_rights": (_RESULTS, _W, "4.保护第三方合法权益"),
    "withheld.internal_affairs": (_RESULTS, _W, "5.属于三类内部事务信息"),
    "withheld.process_information": (_RESULTS, _W, "6.属于四类过程性信息"),
    "withheld.enforcement_case_files": (_RESULTS, _W, "7.属于行政执法案卷"),
    "withheld.administrative_inquiry": (_RESULTS, _W, "8.属于行政查询事项"),
    "unavailable.not_held": (_RESULTS, _U, "1.本机关不掌握相关政府信息"),
    "unavailable.needs_creation": (_RESULTS, _U, "2.没有现成信息需要另行制作"),
    "unavailable.unclear_after_correction": (_RESULTS, _U, "3.补正后申请内容仍不明确"),
    "not_processed.petition_complaint": (_RESULTS, _N, "1.信访举报投诉类申请"),
    "not_processed.duplicate": (_RESULTS, _N, "2.重复申请"),
    "not_processed.publication": (_RESULTS, _N, "3.要求提供公开出版物"),
    "not_processed.excessive_repeated": (_RESULTS, _N, "4.无正当理由大量反复申请"),
    "not_processed.confirm_or_reissue": (
        _RESULTS, _N, "5.要求行政机关确认或重新出具已获取信息"),
    "other.total": (_RESULTS, None, "（六）其他处理"),
    "other.no_correction": (
        _RESULTS, _O, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    "other.no_fee": (
        _RESULTS, _O, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other.other": (_RESULTS, _O, "3.其他"),
    "total": (_RESULTS, None, "（七）总计"),
    "carried_forward": (None, None, "四、结转下年度继续办理"),
}

_COMMON_HEAD = ("new_received", "carried_over", "granted", "partially_granted")
_WITHHELD = tuple(k for k in APPLICATION_ROW_LABELS if k.startswith("withheld."))
_UNAVAILABLE = tuple(k for k in APPLICATION_ROW_LABELS if k.startswith("unavailable."))
_NOT_PROCESSED = tuple(k for k in APPLICATION_ROW_LABELS if k.startswith("not_processed."))
OTHER_ROWS_2021: tuple[str, ...] = ("other.no_correction", "other.no_fee", "other.other")

APPLICATION_ROWS_2019: tuple[str, ...] = (
    _COMMON_HEAD + _WITHHELD + _UNAVAILABLE + _NOT_PROCESSED
    + ("other.total", "total", "carried_forward")
)
APPLICATION_ROWS_2021: tuple[str, ...] = (
    _COMMON_HEAD + _WITHHELD + _UNAVAILABLE + _NOT_PROCESSED
    + OTHER_ROWS_2021 + ("total", "carried_forward")
)

#: result rows whose sum is the （七）总计 row (rule H2), per template
RESULT_ROWS_2019: tuple[str, ...] = APPLICATION_ROWS_2019[2:-2]
RESULT_ROWS_2021: tuple[str, ...] = APPLICATION_ROWS_2021[2:-2]

#: the groups of result rows that some reports give an invented subtotal row
RESULT_GROUPS: dict[str, tuple[str, ...]] = {
    "withheld": _WITHHELD,
    "unavailable": _UNAVAILABLE,
    "not_processed": _NOT_PROCESSED,
    "other": OTHER_ROWS_2021,
}
RESULT_GROUP_LABELS: dict[str, str] = {
    "withheld": _W, "unavailable": _U, "not_processed": _N, "other": _O,
}

_PREV3 = (("previous_year", "上一年项目数量"), ("change", "本年增/减"),
          ("decisions", "处理决定数量"))
ACTIVE_TABLES_2019: tuple[tuple[str, tuple[tuple[str, str], ...],
                                tuple[tuple[str, str], ...]], ...] = (
    ("第二十条第（一）项",
     (("new_made", "本年新制作数量"), ("new_published", "本年新公开数量"),
      ("total_published", "对外公开总数量")),
     (("regulations", "规章"), ("normative_documents", "规范性文件"))),
    ("第二十条第（五）项", _PREV3,
     (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
    ("第二十条第（六）项", _PREV3,
     (("penalty", "行政处罚"), ("coercion", "行政强制"))),
    ("第二十条第（八）项", _PREV3[:2], (("fees", "行政事业性收费"),)),
    ("第二十条第（九）项",
     (("items", "采购项目数量"), ("amount", "采购总金额")),
     (("procurement", "政府集中采购"),)),
)
ACTIVE_TABLES_2021: tuple[tuple[str, tuple[tuple[str, str], ...],
                                tuple[tuple[str, str], ...]], ...] = (
    ("第二十条第（一）项",
     (("issued", "本年制发件数"), ("repealed", "本年废止件数"),
      ("in_force", "现行有效件数")),
     (("regulations", "规章"), ("normative_documents", "行政规范性文件"))),
    ("第二十条第（五）项", (("decisions", "本年处理决定数量"),),
     (("licensing", "行政许可"),)),
    ("第二十条第（六）项", (("decisions", "本年处理决定数量"),),
     (("penalty", "行政处罚"), ("coercion", "行政强制"))),
    ("第二十条第（八）项", (("amount", "本年收费金额（单位：万元）"),),
     (("fees", "行政事业性收费"),)),
)


def _active_keys(tables) -> tuple[str, ...]:
    return tuple(f"active.{row}.{col}" for _, cols, rows in tables
                 for row, _ in rows for col, _ in cols)


ACTIVE_KEYS_2019: tuple[str, ...] = _active_keys(ACTIVE_TABLES_2019)
ACTIVE_KEYS_2021: tuple[str, ...] = _active_keys(ACTIVE_TABLES_2021)

MONEY_KEYS: frozenset[str] = frozenset({"active.procurement.amount", "active.fees.amount"})
SIGNED_KEYS: frozenset[str] = frozenset(
    k for k in ACTIVE_KEYS_2019 if k.endswith(".change"))

REVIEW_LITIGATION_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
REVIEW_LITIGATION_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
REVIEW_LITIGATION_KEYS: tuple[str, ...] = tuple(
    f"review_litigation.{g}.{o}" for g, _ in REVIEW_LITIGATION_GROUPS
    for o, _ in REVIEW_LITIGATION_OUTCOMES)


def application_keys(template: str) -> tuple[str, ...]:
    """Stat keys of 表三 for ``template`` ("2019" or "2021"), row-major."""
    rows = APPLICATION_ROWS_2019 if template == "2019" else APPLICATION_ROWS_2021
    return tuple(f"applications.{r}.{c}" for r in rows for c in APPLICANT_COLUMNS)


def stat_keys(template: str) -> tuple[str, ...]:
    """Every stat key of ``template`` ("2019" or "2021") in printed order."""
    active = ACTIVE_KEYS_2019 if template == "2019" else ACTIVE_KEYS_2021
    return active + application_keys(template) + REVIEW_LITIGATION_KEYS
