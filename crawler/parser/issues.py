"""Issue records and the table of stable issue codes.

========================  ========  ==================================================
code                      severity  meaning
========================  ========  ==================================================
unreadable                error     the input could not be decoded / opened at all
unsupported_format        error     .doc/.xls/.wps/image or other format not parsed
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
decode_errors             warning   undecodable bytes were replaced
========================  ========  ==================================================
"""

from __future__ import annotations

ERROR, WARNING, INFO = "error", "warning", "info"

SEVERITY: dict[str, str] = {
    "unreadable": ERROR, "unsupported_format": ERROR, "not_a_report": ERROR,
    "no_tables": WARNING, "template_undetermined": WARNING, "template_mixed": WARNING,
    "year_missing": WARNING, "year_conflict": INFO, "year_inferred": INFO,
    "missing_table": WARNING, "missing_row": WARNING, "duplicate_row": WARNING,
    "unknown_row_label": WARNING, "column_count": WARNING, "column_mapping": WARNING,
    "merged_digits": ERROR, "multiple_numbers": WARNING, "merged_cell": WARNING,
    "unparsed_value": WARNING, "negative_value": WARNING, "non_integer": WARNING,
    "rule_column_balance": ERROR, "rule_result_total": ERROR, "rule_row_total": ERROR,
    "total_not_filled": INFO, "rule_review_total": ERROR, "rule_subtotal": ERROR,
    "legacy_misplaced_value": WARNING, "legacy_unit_missing": INFO,
    "decode_errors": WARNING,
}


def issue(code: str, where: str | None, message: str) -> dict[str, str | None]:
    """One entry of ``record["issues"]``."""
    return {"code": code, "severity": SEVERITY.get(code, WARNING), "where": where,
            "message": message}
