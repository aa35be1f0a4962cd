"""Issue records and the table of stable issue codes.

========================  ========  ==================================================
code                      severity  meaning
========================  ========  ==================================================
unreadable                error     the input could not be decoded / opened at all
parser_crash              error     the parser failed on this input (a bug to fix: the
                                    record holds only what the failure left)
unsupported_format        error     a format not parsed (images, archives, .ppt, OLE files
                                    that are neither Word nor Excel)
not_a_report              error     no statistics tables and no report title
no_tables                 warning   a report title/sections but no statistics tables
                                    (tables as images or attachments)
template_undetermined     warning   tables found but nothing tells 2019 from 2021
template_mixed            warning   表二 and 表三 disagree on the format (kept apart)
year_missing              warning   no statistics year in title, 统计期限 or caption
year_conflict             info      title year and 统计期限 year differ (title wins)
year_inferred             info      year taken from the overview's opening "YYYY年，"
missing_table             warning   one of 表二/表三/表四 is absent
missing_row               warning   a row of 表三 is absent
duplicate_row             warning   the same row twice with different values (first kept)
unknown_row_label         warning   a row with values whose label is not recognised
column_count              warning   a row with more or fewer values than columns
column_mapping            warning   6/8 values: columns chosen by the rules, or left
                                    null where the candidate mappings disagree
merged_digits             error     digits run together ("0000000"): never one number
multiple_numbers          warning   several numbers in one cell
merged_cell               warning   a value cell merged with the row above
unparsed_value            warning   text in a value cell ("见附件")
negative_value            warning   a negative count where none is allowed
non_integer               warning   a fractional count
rule_column_balance       error     H1 一 + 二 ≠ （七）总计 + 四 for a column
rule_result_total         error     H2 （七）总计 ≠ sum of the result rows
rule_row_total            error     H3 总计 column ≠ the six applicant columns
total_not_filled          info      H3 not checkable: 总计 column blank (D2, not an error)
rule_review_total         error     H4 复议/诉讼 group 总计 ≠ 维持+纠正+其他+尚未审结
rule_subtotal             error     H5 a subtotal row/column ≠ its children
legacy_misplaced_value    warning   pre-2019 row: the number sits in the 单位 column
legacy_unit_missing       info      pre-2019 row with a value but no unit
rule_legacy_received      error     P1 收到申请数 ≠ sum of its channels (当面/传真/网络/信函…)
rule_legacy_completed     error     P2 申请办结数 ≠ 按时办结数 + 延期办结数
rule_legacy_answered      error     P3 申请答复数 ≠ sum of its numbered items
rule_legacy_refused       error     P4 不同意公开答复数 < sum of its 其中 items
legacy_refused_partial    info      P4 不同意公开答复数 > sum of its 其中 items (the
                                    breakdown is often filled partially: not an error)
rule_legacy_outcomes      error     P5 行政复议/行政诉讼/被举报投诉数量 ≠ （一）+（二）+（三）
rule_legacy_staff         error     P6 从事政府信息公开工作人员数 ≠ 专职 + 兼职
rule_legacy_subitem       error     P7 a 其中 row > its parent row
legacy_total_not_filled   info      P1–P7 not checkable: a total row blank while its
                                    items are not all 0 (not filled, not an error)
published_exceeds_total   warning   S2 2019 表二（一）本年新公开数量 > 对外公开总数量
narrative_mismatch        warning   S4 a number in the text ("收到…申请N件", "上年结转N件",
                                    "行政复议N件" …) differs from the table
decode_errors             warning   undecodable bytes were replaced
pdf_too_many_pages        error     a PDF with more pages than the bound: not read
                                    (EXTRACTION_PDF_MAX_PAGES)
docx_too_large            error     a DOCX whose document.xml expands beyond the bound:
                                    not read (EXTRACTION_DOCX_MAX_XML_BYTES)
input_too_large           error     a page or attachment larger than the extraction
                                    input bound: not parsed (EXTRACTION_MAX_*_BYTES)
extraction_timeout        error     extraction ran past EXTRACTION_TIMEOUT: its worker
                                    process was killed, nothing was read
extraction_crashed        error     the extraction worker died (killed, segfault) or
                                    raised: nothing was read
attachment_unparsed       error     a report page without numbers whose attachment could
                                    not be read (unreadable, unsupported format, parser
                                    crash): the numbers may be in it
ocr_low_confidence        warning   a number OCR read with a confidence under the threshold,
                                    or one no OCR'd word accounts for (crawler/parser/ocr.py)
ocr_failed                error     pages without a text layer could not be OCR'd (tool
                                    missing, too slow): their text is absent
cross_carried_over        warning   S3 (across reports) 二、上年结转 of a column ≠ 四、结转下年度
                                    of the same agency's report of the year before;
                                    stored on the later report, naming both
cross_in_force            warning   S3b (across reports, 2021 form) 表二 现行有效件数 ≠ last
                                    year's 现行有效件数 + 本年制发件数 − 本年废止件数
========================  ========  ==================================================
"""

from __future__ import annotations

from nianbao_core.record import CROSS_REPORT_CODES as _CROSS_REPORT_CODES

ERROR, WARNING, INFO = "error", "warning", "info"

SEVERITY: dict[str, str] = {
    "unreadable": ERROR, "parser_crash": ERROR, "unsupported_format": ERROR, "not_a_report": ERROR,
    "no_tables": WARNING, "template_undetermined": WARNING, "template_mixed": WARNING,
    "year_missing": WARNING, "year_conflict": INFO, "year_inferred": INFO,
    "missing_table": WARNING, "missing_row": WARNING, "duplicate_row": WARNING,
    "unknown_row_label": WARNING, "column_count": WARNING, "column_mapping": WARNING,
    "merged_digits": ERROR, "multiple_numbers": WARNING, "merged_cell": WARNING,
    "unparsed_value": WARNING, "negative_value": WARNING, "non_integer": WARNING,
    "rule_column_balance": ERROR, "rule_result_total": ERROR, "rule_row_total": ERROR,
    "total_not_filled": INFO, "rule_review_total": ERROR, "rule_subtotal": ERROR,
    "legacy_misplaced_value": WARNING, "legacy_unit_missing": INFO,
    "rule_legacy_received": ERROR, "rule_legacy_completed": ERROR,
    "rule_legacy_answered": ERROR, "rule_legacy_refused": ERROR,
    "legacy_refused_partial": INFO, "rule_legacy_outcomes": ERROR, "rule_legacy_staff": ERROR,
    "rule_legacy_subitem": ERROR, "legacy_total_not_filled": INFO,
    "published_exceeds_total": WARNING, "narrative_mismatch": WARNING,
    "decode_errors": WARNING,
    "pdf_too_many_pages": ERROR, "docx_too_large": ERROR, "input_too_large": ERROR,
    "extraction_timeout": ERROR, "extraction_crashed": ERROR,
    "attachment_unparsed": ERROR,
    "cross_carried_over": WARNING, "cross_in_force": WARNING,
    "ocr_low_confidence": WARNING, "ocr_failed": ERROR,
}
# Checks that need two reports (``rules_cross``), defined with the record's types.
CROSS_REPORT_CODES = _CROSS_REPORT_CODES


class UnreadableDocument(ValueError):
    """Raised by a format reader for input it cannot open (a damaged PDF or DOCX): the
    record says ``unreadable``. Any other exception is a bug, and says ``parser_crash``."""


def issue(code: str, where: str | None, message: str) -> dict[str, str | None]:
    """One entry of ``record["issues"]``."""
    return {"code": code, "severity": SEVERITY.get(code, WARNING), "where": where,
            "message": message}
