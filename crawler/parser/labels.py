"""Label variants as data, apart from the logic that uses them.

Every pattern is matched against :func:`crawler.parser.normalize.match_form`
text: Simplified, NFKC (half-width brackets, digits, colons), no whitespace.
"""

from __future__ import annotations

import re

_NUM = r"(?:[一二三四五六七八九十]+[、.,]|\d+[、.]|\([一二三四五六七八九十\d]+\))?"

#: section headings of the 2019/2021 formats; name → pattern
SECTION_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rf"^{_NUM}{pat}$")) for name, pat in (
        ("overview", r"(?:总体情况|概述|总体概述|基本情况)"),
        ("active", r"主动公开政府信息(?:的)?情况"),
        ("applications", r"(?:收到和处理政府信息公开申请|依申请公开政府信息|依申请公开)(?:的)?(?:办理)?情况"),
        ("review", r".{0,14}行政复议.{0,10}行政诉讼.{0,6}情况"),
        ("problems", r".{0,14}(?:存在的主要问题|存在问题).{0,14}"),
        ("other", r"其他需要报告的事项"),
    ))

# ---- 表二 (主动公开) -------------------------------------------------------
CAPTION_RE = re.compile(r"第二十条第?\(?([一二三四五六七八九十]+)\)?项")

#: column header → (column key, template it is evidence for or None)
ACTIVE_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    (r"本年新制作数量|新制作数量|本年新制作", "new_made", "2019"),
    (r"本年新公开数量|新公开数量|本年新公开", "new_published", "2019"),
    (r"对外公开总数量|公开总数量", "total_published", "2019"),
    (r"本年制发件数|制发件数", "issued", "2021"),
    (r"本年废止件数|废止件数", "repealed", "2021"),
    (r"现行有效件数", "in_force", "2021"),
    (r"上一年项目数量|上一年项目数", "previous_year", "2019"),
    (r"本年增/减|本年增减|增/减|增减", "change", "2019"),
    (r"本年处理决定数量", "decisions", "2021"),
    (r"处理决定数量", "decisions", None),
    (r"采购项目数量", "items", "2019"),
    (r"采购总金额", "amount", "2019"),
    (r"本年收费金额|收费金额", "amount", "2021"),
)
#: row label → row key
ACTIVE_ROWS: tuple[tuple[str, str], ...] = (
    (r"规章", "regulations"),
    (r"(?:行政)?规范性(?:文件|档案)", "normative_documents"),  # mirrors rewrite 文件→檔案
    (r"行政许可", "licensing"),
    (r"其他对外管理服务事项|其他对外管理服务", "other_services"),
    (r"行政处罚", "penalty"),
    (r"行政强制", "coercion"),
    (r"行政事业性收费", "fees"),
    (r"政府集中采购", "procurement"),
)
ACTIVE_HEADER_START = r"信息内容"
MONEY_UNIT_RE = re.compile(r"\((?:单位:)?(万元|元)\)|(万元|元)")

# ---- 表三 (依申请) ---------------------------------------------------------
#: row key → pattern; the right-most match in a row's label text wins
APPLICATION_ROWS: tuple[tuple[str, str], ...] = (
    ("new_received", r"本年新收"),
    ("carried_over", r"上年结转"),
    ("granted", r"予以公开"),
    ("partially_granted", r"部分公开"),
    ("withheld.state_secret", r"国家秘密"),
    ("withheld.prohibited_by_law", r"法律行政法规禁止公开|禁止公开"),
    ("withheld.security_stability", r"三安全一稳定|危及"),
    ("withheld.third_party_rights", r"第三方合法权益|保护第三方"),
    ("withheld.internal_affairs", r"内部事务"),
    ("withheld.process_information", r"过程性信息"),
    ("withheld.enforcement_case_files", r"行政执法案卷"),
    ("withheld.administrative_inquiry", r"行政查询"),
    ("unavailable.not_held", r"不掌握"),
    ("unavailable.needs_creation", r"另行制作|没有现成信息"),
    ("unavailable.unclear_after_correction", r"补正后|仍不明确"),
    ("not_processed.petition_complaint", r"信访举报投诉|信访|举报投诉"),
    ("not_processed.duplicate", r"重复申请"),
    ("not_processed.publication", r"公开出版物"),
    ("not_processed.excessive_repeated", r"大量反复"),
    ("not_processed.confirm_or_reissue", r"确认或重新出具|重新出具"),
    ("other.no_correction", r"逾期不补正"),
    ("other.no_fee", r"缴纳费用|收费通知"),
    ("other.other", r"3[.、]其他(?:情形)?$"),
    ("total", r"\(七\)(?:总计|合计)|^(?:总计|合计)$"),
    ("carried_forward", r"结转下年度"),
)
#: result group → pattern of its merged label cell
APPLICATION_GROUPS: tuple[tuple[str, str], ...] = (
    ("withheld", r"不予公开"),
    ("unavailable", r"无法提供"),
    ("not_processed", r"不予处理"),
    ("other", r"其他处理"),
)
#: fallback by numbering when a label's words are unrecognised
APPLICATION_TOP_NUMBERS: dict[str, str] = {
    "(一)": "granted", "(二)": "partially_granted", "(七)": "total",
    "一、": "new_received", "二、": "carried_over", "四、": "carried_forward",
}
APPLICATION_MARKERS = re.compile(r"本列数据的勾稽关系|申请人情况|本年新收政府信息公开申请")
#: header words → column (for the 8-column variant with a 法人小计 column)
APPLICANT_HEADER_WORDS: tuple[tuple[str, str], ...] = (
    ("自然人", "natural_person"), ("商业企业", "commercial_enterprise"),
    ("科研机构", "research_institution"), ("社会公益组织", "social_welfare_org"),
    ("法律服务机构", "legal_service_org"), ("小计", "org_subtotal"),
    ("其他", "other_org"), ("总计", "total"),
)

# ---- 表四 (复议诉讼) -------------------------------------------------------
REVIEW_GROUP_WORDS: tuple[tuple[str, str], ...] = (
    (r"未经复议直接起诉", "litigation_direct"),
    (r"复议后起诉", "litigation_after_review"),
    (r"行政复议", "review"),
    (r"行政诉讼", "litigation"),
)
REVIEW_OUTCOME_WORDS: tuple[tuple[str, str], ...] = (
    (r"结果维持", "upheld"), (r"结果纠正", "corrected"), (r"其他结果", "other"),
    (r"尚未审结", "pending"), (r"总计|合计", "total"),
)
REVIEW_START_RE = re.compile(r"^行政复议")

# ---- pre-2019 统计表 -------------------------------------------------------
LEGACY_HEADER_RE = re.compile(r"^(?:统计指标|指标名称|单位|计量单位|统计数|序号|代码|本期实际|本年累计)$")
LEGACY_MARKER_RE = re.compile(r"统计指标|指标名称")
LEGACY_UNITS = frozenset({
    "条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "期", "份", "家", "项", "场",
    "本", "册", "张", "天", "小时", "%", "次/篇", "件次", "个/条",
})
LEGACY_GROUP_RE = re.compile(r"^[一二三四五六七八九十]+、")
LEGACY_ITEM_RE = re.compile(r"^(?:\([一二三四五六七八九十\d]+\)|\d+[.、]|其中|[一二三四五六七八九十]+、)")
LEGACY_CAPTION_RE = re.compile(r"统计表$|统计报表$")
LEGACY_END_RE = re.compile(r"^\(?注[:：]|^备注")

# ---- metadata --------------------------------------------------------------
#: label → (field, priority); lower priority wins when a page has several
METADATA_LABELS: dict[str, tuple[str, int]] = {
    "索引号": ("index_no", 0),
    "主题分类": ("subject", 0), "公开目录": ("subject", 1), "组配分类": ("subject", 2),
    "分类": ("subject", 3),
    "发布机构": ("publisher", 0), "发文机关": ("publisher", 1), "发文机构": ("publisher", 1),
    "公开主体": ("publisher", 2), "信息来源": ("publisher", 3), "来源": ("publisher", 4),
    "成文日期": ("written_date", 0), "发文日期": ("written_date", 1),
    "生成日期": ("written_date", 2),
    "发布日期": ("published_date", 0), "发布时间": ("published_date", 1),
    "公开日期": ("published_date", 2), "信息提供日期": ("published_date", 3),
    "日期": ("published_date", 4), "时间": ("published_date", 5),
    "文号": ("doc_number", 1), "发文字号": ("doc_number", 0), "发布文号": ("doc_number", 2),
    "有效性": ("validity", 1), "文件有效性": ("validity", 0), "时效": ("validity", 2),
    "标题": ("title", 0), "名称": ("title", 1), "信息名称": ("title", 1),
    # terminators only: they end the value before them
    "主题词": ("", 9), "关键词": ("", 9), "点击": ("", 9), "点击数": ("", 9),
    "浏览次数": ("", 9), "访问量": ("", 9), "字体": ("", 9), "内容概述": ("", 9),
    "主题导航": ("", 9), "公开方式": ("", 9), "公开属性": ("", 9), "作者": ("", 9),
    "阅读次数": ("", 9), "编辑": ("", 9), "责任编辑": ("", 9),
}
#: values meaning "none" in metadata cells
METADATA_PLACEHOLDERS = frozenset({"无", "无号", "暂无", "-", "/", "—", "空", "null"})
#: 发展指引 <meta name=…> → metadata field
META_TAGS: dict[str, str] = {
    "sitename": "site_name", "sitedomain": "site_domain", "siteidcode": "site_id_code",
    "columnname": "column_name",
}

# ---- page chrome that ends a text section ---------------------------------
CHROME_RE = re.compile(
    r"^(?:打印|关闭|打印本页|关闭窗口|【打印】|【关闭】|打印关闭|\[打印\]|\[关闭\]|"
    r"分享到|扫一扫|上一篇|下一篇|相关链接|相关文章|相关附件|附件下载|返回顶部|"
    r"版权所有|主办单位|网站标识码|ICP|京ICP|.*ICP备|.*公网安备|"
    r"【字体|字体[:：]|【打印本页】|【关闭窗口】|【打印此页】|【返回顶部】)")
PAGE_MARKER_RE = re.compile(r"^[-—–]\s*\d{1,3}\s*[-—–]$|^第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?$")
