"""Render a stats dict as a report: HTML grids and the text layouts of real pages.

Used by the property tests: whatever is rendered here must parse back to the
same stats.  Tables follow the official grids (keys.py labels; rowspan and
colspan as in the 国办 forms).  ``None`` is a blank cell.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from nianbao_core.stat_keys import (
    ACTIVE_TABLES_2019,
    ACTIVE_TABLES_2021,
    APPLICANT_COLUMN_LABELS,
    APPLICANT_COLUMNS,
    APPLICANT_GROUP_LABEL,
    APPLICATION_ROW_LABELS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    MONEY_KEYS,
    REVIEW_LITIGATION_GROUPS,
    REVIEW_LITIGATION_OUTCOMES,
    SIGNED_KEYS,
)

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
HEADINGS = {"active": "二、主动公开政府信息情况", "applications": "三、收到和处理政府信息公开申请情况",
            "review": "四、政府信息公开行政复议、行政诉讼情况"}

Cells = list[tuple[str, int, int]]  # (text, rowspan, colspan)


def fmt(key: str, value, money_style: str = "plain") -> str:
    """The cell text of ``value``; money may be written in 元."""
    if value is None:
        return ""
    if key in MONEY_KEYS and money_style == "yuan":
        text = f"{Decimal(str(value)) * 10000:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text + "元"
    if key in SIGNED_KEYS and value > 0:
        return f"+{value}"
    return str(value)


def active_rows(stats: dict, template: str, money_style: str = "plain") -> list[Cells]:
    tables = ACTIVE_TABLES_2019 if template == "2019" else ACTIVE_TABLES_2021
    rows: list[Cells] = []
    for caption, cols, body in tables:
        width = len(cols) + 1
        rows.append([(caption, 1, width)])
        rows.append([("信息内容", 1, 1)] + [(label, 1, 1) for _, label in cols])
        for row_key, row_label in body:
            rows.append([(row_label, 1, 1)] + [
                (fmt(f"active.{row_key}.{c}", stats.get(f"active.{row_key}.{c}"), money_style), 1, 1)
                for c, _ in cols])
    return rows


def application_rows(stats: dict, template: str) -> list[Cells]:
    keys = APPLICATION_ROWS_2019 if template == "2019" else APPLICATION_ROWS_2021
    rows: list[Cells] = [
        [(NOTE, 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), (APPLICANT_GROUP_LABEL, 1, 5), ("总计", 2, 1)],
        [(APPLICANT_COLUMN_LABELS[c], 1, 1) for c in APPLICANT_COLUMNS[1:6]],
    ]
    results = [k for k in keys if APPLICATION_ROW_LABELS[k][0]]
    seen_section = False
    groups_seen: set[str] = set()
    for key in keys:
        section, group, label = APPLICATION_ROW_LABELS[key]
        head: Cells = []
        if section and not seen_section:
            head.append((section, len(results), 1))
            seen_section = True
        if group:
            if group not in groups_seen:
                groups_seen.add(group)
                size = sum(1 for k in keys if APPLICATION_ROW_LABELS[k][1] == group)
                head.append((group, size, 1))
            head.append((label, 1, 1))
        else:
            head.append((label, 1, 2 if section else 3))
        values = [(fmt("", stats.get(f"applications.{key}.{c}")), 1, 1) for c in APPLICANT_COLUMNS]
        rows.append(head + values)
    return rows


def review_rows(stats: dict) -> list[Cells]:
    outcomes = [(label, 1, 1) for _, label in REVIEW_LITIGATION_OUTCOMES]
    return [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [(label, 2, 1) for _, label in REVIEW_LITIGATION_OUTCOMES]
        + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        outcomes + outcomes,
        [(fmt("", stats.get(f"review_litigation.{g}.{o}")), 1, 1)
         for g, _ in REVIEW_LITIGATION_GROUPS for o, _ in REVIEW_LITIGATION_OUTCOMES],
    ]


def _html_table(rows: list[Cells], br: bool = False) -> str:
    out = ["<table border=\"1\"><tbody>"]
    for row in rows:
        out.append("<tr>")
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            body = escape(text)
            if br and len(text) > 4 and not text[0].isdigit():
                body = f"<p>{escape(text[:3])}<br/>{escape(text[3:])}</p>"
            elif text:
                body = f"<p>{body}</p>"
            else:
                body = "<p>&nbsp;</p>"
            out.append(f"<td{attrs}>{body}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def table_rows(stats: dict, template: str, money_style: str = "plain", mutate=None
               ) -> dict[str, list[Cells]]:
    """The three tables as rows; ``mutate(name, rows)`` may corrupt them in place."""
    tables = {"active": active_rows(stats, template, money_style),
              "applications": application_rows(stats, template), "review": review_rows(stats)}
    if mutate is not None:
        for name, rows in tables.items():
            mutate(name, rows)
    return tables


def render_html(stats: dict, template: str, *, title: str = "测试局2022年政府信息公开工作年度报告",
                split_at: int | None = None, split_review: bool = False, br: bool = False,
                money_style: str = "plain", mutate=None) -> str:
    tables = table_rows(stats, template, money_style, mutate)
    parts = [f"<html><head><meta charset=\"utf-8\"><meta name=\"ArticleTitle\" content=\"{title}\">"
             "</head><body>", f"<h1>{title}</h1>", "<p>一、总体情况</p><p>概述。</p>",
             f"<p>{HEADINGS['active']}</p>", _html_table(tables["active"], br),
             f"<p>{HEADINGS['applications']}</p>"]
    app = tables["applications"]
    if split_at is not None:
        cut = 3 + split_at % (len(app) - 3)
        parts += [_html_table(app[:cut], br), _html_table(app[cut:], br)]
    else:
        parts.append(_html_table(app, br))
    parts.append(f"<p>{HEADINGS['review']}</p>")
    rev = tables["review"]
    if split_review and len(rev) == 4 and len(rev[3]) == 15:
        values = rev[3]
        for i, (g, label) in enumerate(REVIEW_LITIGATION_GROUPS):
            parts.append(_html_table([[(label, 1, 5)], rev[2][:5], values[5 * i:5 * i + 5]], br))
    else:
        parts.append(_html_table(rev, br))
    parts.append("<p>五、存在的主要问题及改进情况</p><p>问题。</p><p>六、其他需要报告的事项</p><p>无。</p>")
    parts.append("</body></html>")
    return "".join(parts)


LAYOUTS = ("pipe_line", "pipe_cell", "blank_lines", "pdf")


def _text_rows(rows: list[Cells], layout: str) -> list[str]:
    out: list[str] = []
    for row in rows:
        texts = [t for t, _, _ in row]
        if layout == "pipe_line":
            out.append(" | ".join(texts) + " |")
        elif layout == "pipe_cell":
            out.extend(f"{t} |" for t in texts)
        elif layout == "blank_lines":
            for t in texts:
                out += [t or "—", ""]
        else:  # pdf: labels spaced out, then the numbers on the same line
            labels = [t for t in texts if t and not _is_num(t)]
            values = [t or "—" for t in texts if not t or _is_num(t)]
            label = " ".join(" ".join(lb) if len(lb) <= 6 else lb for lb in labels)
            out.append((label + " " + " ".join(values)).strip())
    return out


def _is_num(text: str) -> bool:
    return text.lstrip("+-").replace(".", "", 1).replace("元", "").isdigit()


def render_text(stats: dict, template: str, layout: str, *,
                title: str = "测试局2022年政府信息公开工作年度报告", money_style: str = "plain",
                mutate=None) -> str:
    tables = table_rows(stats, template, money_style, mutate)
    lines = [title, "一、总体情况", "概述。", HEADINGS["active"]]
    lines += _text_rows(tables["active"], layout)
    lines.append(HEADINGS["applications"])
    lines += _text_rows(tables["applications"], layout)
    lines.append(HEADINGS["review"])
    lines += _text_rows(tables["review"], layout)
    lines += ["五、存在的主要问题及改进情况", "问题。", "六、其他需要报告的事项", "无。"]
    return "\n".join(lines) + "\n"
