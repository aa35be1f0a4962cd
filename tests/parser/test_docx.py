from __future__ import annotations

import io

import docx as python_docx

from crawler.parser import parse_report
from nianbao_core.stat_keys import APPLICANT_COLUMNS, APPLICATION_ROW_LABELS, APPLICATION_ROWS_2021


def _report_docx() -> bytes:
    doc = python_docx.Document()
    doc.add_paragraph("某区统计局2022年政府信息公开工作年度报告")
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = doc.add_table(rows=3 + len(APPLICATION_ROWS_2021), cols=10)
    head = table.rows[0].cells
    head[0].merge(head[2]).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    head[3].merge(head[9]).text = "申请人情况"
    labels = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    for i, label in enumerate(labels):
        table.rows[2].cells[3 + i].text = label
    for r, key in enumerate(APPLICATION_ROWS_2021, start=3):
        cells = table.rows[r].cells
        section, group, label = APPLICATION_ROW_LABELS[key]
        cells[0].merge(cells[2]).text = (group or "") + label
        for i, col in enumerate(APPLICANT_COLUMNS):
            value = 0
            if key in ("new_received", "granted", "total"):
                value = {"natural_person": 2, "total": 2}.get(col, 0)
            cells[3 + i].text = str(value)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_docx_table_is_read() -> None:
    record = parse_report(_report_docx(), filename="report.docx")
    assert record["input_format"] == "docx"
    assert record["title"] == "某区统计局2022年政府信息公开工作年度报告"
    assert record["template"] == "2021"
    assert record["stats"]["applications.granted.natural_person"] == 2
    assert record["stats"]["applications.total.total"] == 2
    assert len([k for k in record["stats"] if k.startswith("applications.")]) == 175
    assert not [i for i in record["issues"] if i["code"].startswith("rule")]
