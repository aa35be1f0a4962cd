"""Converter text: Markdown headings, emphasis and pipe tables read as syntax.

The real material is the Shanghai 2019 report (golden input) turned into
Markdown by trafilatura's converter at test time; Markdown decorations a
PDF-to-Markdown converter adds (``#`` headings, ``**`` emphasis, delimiter rows,
some of them broken) are added to it. The record must not change with them.
"""

from __future__ import annotations

import re

import pytest
import trafilatura

from crawler.parser import parse_report
from crawler.parser.markdown import from_markdown, is_delimiter
from tests.parser.accuracy import GOLDEN

SHANGHAI = GOLDEN / "inputs" / "shanghai-2019-municipal-office.content.html"


@pytest.fixture(scope="module")
def converted() -> str:
    html = "<html><body>" + SHANGHAI.read_text(encoding="utf-8") + "</body></html>"
    return trafilatura.extract(html, output_format="markdown", include_tables=True,
                               include_formatting=True, favor_recall=True)


def decorate(text: str, broken: bool) -> str:
    out, in_table = [], False
    for n, line in enumerate(text.splitlines()):
        if n == 0:
            line = "# " + line
        elif re.match(r"^[一二三四五六]、", line) and "|" not in line:
            line = "## " + line
        elif re.match(r"^（[一二三四五]）", line) and "|" not in line and len(line) < 30:
            line = f"**{line}**"
        out.append(line)
        if line.startswith("|") and not in_table:
            cells = line.count("|") - 1
            out.append("|---|---" if broken else "|" + " :---: |" * cells)
        in_table = line.startswith("|")
    return "\n".join(out)


@pytest.mark.parametrize("broken", [False, True], ids=["delimiters", "broken-delimiters"])
def test_markdown_syntax_changes_nothing_of_the_record(converted, broken):
    plain = parse_report(converted.encode(), filename="shanghai.txt")
    record = parse_report(decorate(converted, broken).encode(), filename="shanghai.md")
    assert record["title"] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert not plain["title"].startswith("#")
    for name in ("template", "year", "stats", "issues"):
        assert record[name] == plain[name], name
    assert record["sections"]["overview"] == plain["sections"]["overview"]


def test_a_header_row_is_never_a_data_row(converted):
    lines = converted.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("| （本列数据"))
    header = "| 四、结转下年度继续办理 | 上年结转 |" + " |" * 8
    text = "\n".join(lines[:start] + [header, "| --- | --- |"] + lines[start:])
    plain = parse_report(converted.encode(), filename="shanghai.txt")
    record = parse_report(text.encode(), filename="shanghai.md")
    assert record["stats"] == plain["stats"]
    assert record["issues"] == plain["issues"]  # no stray row, no unknown label


def test_markdown_lines():
    assert from_markdown(["## 一、总体情况", "**（一）主动公开**", "*注*：见附件",
                          "| 规章 | 1 |", "|---|---|", "| 行政规范性文件 | 2 |"]) == [
        "一、总体情况", "（一）主动公开", "注：见附件", "规章 1", "| 行政规范性文件 | 2 |"]
    for line in ("|---|---|", "| :--- | ---: |", "|---|---", "--- | ---", "| -- |"):
        assert is_delimiter(line), line
    for line in ("- 4 -", "| 0 | - |", "—", "2019-2020"):
        assert not is_delimiter(line), line
    plain = ["一、总体情况", "2022年，我局收到申请2件。"]
    assert from_markdown(plain) == plain
