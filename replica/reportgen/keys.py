"""Stats keys and the printed labels of the statutory tables.

Written from ``shared/spec/report-record.md`` and DOMAIN A2/A3 on purpose,
independently of ``crawler.parser``: the replica's ground truth must not
share code with the parser it is used to test.
"""

from __future__ import annotations

# --- Section 三 (T3) -------------------------------------------------------

APPLICANT_COLUMNS = (
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("social_welfare_org", "社会公益组织"),
    ("legal_service_org", "法律服务机构"),
    ("other_org", "其他"),
)
TOTAL_COLUMN = ("total", "总计")
T3_COLUMNS = (*APPLICANT_COLUMNS, TOTAL_COLUMN)
T3_COLUMN_KEYS = tuple(key for key, _ in T3_COLUMNS)
APPLICANT_KEYS = tuple(key for key, _ in APPLICANT_COLUMNS)

# Result rows between 二 and （七）, in printed order: (row key, group label, row label).
WITHHELD = (
    ("withheld.state_secret", "1.属于国家秘密"),
    ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("withheld.security_stability", "3.危及“三安全一稳定”"),
    ("withheld.third_party_rights", "4.保护第三方合法权益"),
    ("withheld.internal_affairs", "5.属于三类内部事务信息"),
    ("withheld.process_information", "6.属于四类过程性信息"),
    ("withheld.enforcement_case_files", "7.属于行政执法案卷"),
    ("withheld.administrative_inquiry", "8.属于行政查询事项"),
)
UNAVAILABLE = (
    ("unavailable.not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable.unclear_after_correction", "3.补正后申请内容仍不明确"),
)
NOT_PROCESSED = (
    ("not_processed.petition_complaint", "1.信访举报投诉类申请"),
    ("not_processed.duplicate", "2.重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物"),
    ("not_processed.excessive_repeated", "4.无正当理由大量反复申请"),
    ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
)
OTHER_2021 = (
    ("other.no_correction",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.no_fee",
     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "3.其他"),
)
OTHER_2019 = (("other.total", "（六）其他处理"),)

T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "results": "三、本年度办理结果",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withheld": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}


def result_rows(template: str) -> tuple[str, ...]:
    """Row keys that add up to （七）总计, for the 2019 or 2021 grid."""
    other = OTHER_2019 if template == "2019" else OTHER_2021
    return ("granted", "partially_granted",
            *(k for k, _ in WITHHELD), *(k for k, _ in UNAVAILABLE),
            *(k for k, _ in NOT_PROCESSED), *(k for k, _ in other))


def t3_rows(template: str) -> tuple[str, ...]:
    return ("new_received", "carried_over", *result_rows(template), "total", "carried_forward")


def t3_keys(template: str) -> list[str]:
    return [f"applications.{row}.{col}" for row in t3_rows(template) for col in T3_COLUMN_KEYS]


# --- Section 四 (T4) -------------------------------------------------------

T4_GROUPS = (("review", "行政复议"), ("litigation_direct", "未经复议直接起诉"),
             ("litigation_after_review", "复议后起诉"))
T4_OUTCOMES = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
               ("pending", "尚未审结"), ("total", "总计"))


def t4_keys() -> list[str]:
    return [f"review_litigation.{g}.{o}" for g, _ in T4_GROUPS for o, _ in T4_OUTCOMES]


# --- Section 二 (T2) -------------------------------------------------------

# (caption, header cells, [(row label, [keys])])
T2_2019 = (
    ("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"), (
        ("规章", ("active.regulations.new_made", "active.regulations.new_published",
                 "active.regulations.total_published")),
        ("规范性文件", ("active.normative_documents.new_made",
                   "active.normative_documents.new_published",
                   "active.normative_documents.total_published")),
    )),
    ("第二十条第（五）项", ("上一年项目数量", "本年增/减", "处理决定数量"), (
        ("行政许可", ("active.licensing.previous_year", "active.licensing.change",
                  "active.licensing.decisions")),
        ("其他对外管理服务事项", ("active.other_services.previous_year",
                        "active.other_services.change", "active.other_services.decisions")),
    )),
    ("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量"), (
        ("行政处罚", ("active.penalty.previous_year", "active.penalty.change",
                  "active.penalty.decisions")),
        ("行政强制", ("active.coercion.previous_year", "active.coercion.change",
                  "active.coercion.decisions")),
    )),
    ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), (
        ("行政事业性收费", ("active.fees.previous_year", "active.fees.change")),
    )),
    ("第二十条第（九）项", ("采购项目数量", "采购总金额"), (
        ("政府集中采购", ("active.procurement.items", "active.procurement.amount")),
    )),
)

T2_2021 = (
    ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), (
        ("规章", ("active.regulations.issued", "active.regulations.repealed",
                 "active.regulations.in_force")),
        ("行政规范性文件", ("active.normative_documents.issued",
                     "active.normative_documents.repealed",
                     "active.normative_documents.in_force")),
    )),
    ("第二十条第（五）项", ("本年处理决定数量",), (
        ("行政许可", ("active.licensing.decisions",)),
    )),
    ("第二十条第（六）项", ("本年处理决定数量",), (
        ("行政处罚", ("active.penalty.decisions",)),
        ("行政强制", ("active.coercion.decisions",)),
    )),
    ("第二十条第（八）项", ("本年收费金额（单位：万元）",), (
        ("行政事业性收费", ("active.fees.amount",)),
    )),
)


def t2_spec(template: str):
    return T2_2019 if template == "2019" else T2_2021


def t2_keys(template: str) -> list[str]:
    return [key for _, _, rows in t2_spec(template) for _, keys in rows for key in keys]


def all_keys(template: str) -> list[str]:
    """Every stats key a complete report in this table format carries."""
    return t2_keys(template) + t3_keys(template) + t4_keys()


SECTION_TITLES = {
    "overview": "一、总体情况",
    "active": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
# Real heading variants (DOMAIN D9).
SECTION_TITLE_VARIANTS = {
    "review_litigation": "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    "problems": "五、政府信息公开工作存在的主要问题及改进情况",
}
