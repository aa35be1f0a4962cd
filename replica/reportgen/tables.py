"""Render the statutory tables as clerks' HTML.

Two cell styles seen on real pages:

* ``plain``: what the CMS's web editor (UEditor) writes: bare ``<td>`` cells,
  ``border="1"``, blank cells empty;
* ``word``: pasted from Word/WPS (DOMAIN D12): ``MsoNormalTable``, a
  ``<p class="MsoNormal">`` with ``mso-`` styled ``<span>`` in every cell,
  ``&nbsp;`` for blank cells.

Cell texts come in as a dict key → printed text (``""`` for a blank cell), so
a report can print ``+3``, ``251000元``, ``-`` or ``/`` exactly as a clerk did.
"""

from __future__ import annotations

from html import escape

from replica.reportgen import keys as K
from replica.reportgen import legacy


def format_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") or "0"
    return str(value)


class _Cells:
    def __init__(self, style: str) -> None:
        if style not in ("plain", "word"):
            raise ValueError(f"unknown table style {style!r}")
        self.style = style

    def table_open(self) -> str:
        if self.style == "word":
            return ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
                    'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
                    'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">')
        return '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">'

    def td(self, text: str, colspan: int = 1, rowspan: int = 1, bold: bool = False) -> str:
        attrs = ""
        if colspan > 1:
            attrs += f' colspan="{colspan}"'
        if rowspan > 1:
            attrs += f' rowspan="{rowspan}"'
        if self.style == "plain":
            inner = escape(text, quote=False)
            style = "text-align:center;" if not bold else "text-align:center;font-weight:bold;"
            return f'<td{attrs} style="{style}word-break:break-all;">{inner}</td>'
        span_style = ("font-size:10.5pt;font-family:宋体;mso-ascii-font-family:Calibri;"
                      "mso-hansi-font-family:Calibri;color:black;mso-font-kerning:0pt")
        inner = (f'<span lang="EN-US" style="{span_style}">{escape(text, quote=False)}</span>'
                 if text else f'<span lang="EN-US" style="{span_style}"><o:p>&nbsp;</o:p></span>')
        if bold:
            inner = f"<b>{inner}</b>"
        return (f'<td{attrs} valign="center" style="border:solid windowtext 1.0pt;'
                f'mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt">'
                f'<p class="MsoNormal" align="center" style="text-align:center;'
                f'mso-pagination:widow-orphan">{inner}</p></td>')

    def tr(self, cells: list[str], index: int) -> str:
        if self.style == "word":
            return f'<tr style="mso-yfti-irow:{index}">' + "".join(cells) + "</tr>"
        return "<tr>" + "".join(cells) + "</tr>"


def _rows_html(c: _Cells, rows: list[list[str]]) -> str:
    return c.table_open() + "<tbody>" + "".join(c.tr(r, i) for i, r in enumerate(rows)) + "</tbody></table>"


def render_t2(texts: dict[str, str], template: str, style: str = "plain",
              colspan_on_first_value: bool = False) -> str:
    """Section 二: one table, each sub-table under a full-width 第二十条第（X）项 caption.

    ``colspan_on_first_value`` reproduces DOMAIN D4 (Shanghai 2019): short data rows
    put their colspan on the first value cell instead of the last.
    """
    c = _Cells(style)
    width = 4  # 信息内容 + 3 value columns
    rows = []
    for caption, headers, data in K.t2_spec(template):
        rows.append([c.td(caption, colspan=width, bold=True)])
        header = [c.td("信息内容")]
        for i, head in enumerate(headers):
            last = i == len(headers) - 1
            header.append(c.td(head, colspan=width - len(headers) if last else 1))
        rows.append(header)
        for label, keys in data:
            row = [c.td(label)]
            fill = width - len(keys)
            for i, key in enumerate(keys):
                first, last = i == 0, i == len(keys) - 1
                span = fill if (first if colspan_on_first_value else last) else 1
                row.append(c.td(texts.get(key, ""), colspan=span))
            rows.append(row)
    return _rows_html(c, rows)


def render_t3(texts: dict[str, str], template: str, style: str = "plain",
              corner_text: str = K.T3_CORNER) -> str:
    """Section 三: the 10-column grid with its 3-row header (DOMAIN A2/A3)."""
    c = _Cells(style)
    L = K.T3_LABELS
    rows = [
        [c.td(corner_text, colspan=3, rowspan=3), c.td("申请人情况", colspan=7)],
        [c.td("自然人", rowspan=2), c.td("法人或其他组织", colspan=5), c.td("总计", rowspan=2)],
        [c.td(label) for _, label in K.APPLICANT_COLUMNS[1:]],
    ]

    def values(row: str) -> list[str]:
        return [c.td(texts.get(f"applications.{row}.{col}", "")) for col in K.T3_COLUMN_KEYS]

    rows.append([c.td(L["new_received"], colspan=3), *values("new_received")])
    rows.append([c.td(L["carried_over"], colspan=3), *values("carried_over")])
    other = K.OTHER_2019 if template == "2019" else K.OTHER_2021
    result_count = 2 + len(K.WITHHELD) + len(K.UNAVAILABLE) + len(K.NOT_PROCESSED) + len(other) + 1
    rows.append([c.td(L["results"], rowspan=result_count), c.td(L["granted"], colspan=2),
                 *values("granted")])
    rows.append([c.td(L["partially_granted"], colspan=2), *values("partially_granted")])
    groups = [("withheld", K.WITHHELD), ("unavailable", K.UNAVAILABLE),
              ("not_processed", K.NOT_PROCESSED)]
    if template != "2019":
        groups.append(("other", K.OTHER_2021))
    for group, children in groups:
        for i, (key, label) in enumerate(children):
            head = [c.td(L[group], rowspan=len(children))] if i == 0 else []
            rows.append([*head, c.td(label), *values(key)])
    if template == "2019":
        rows.append([c.td(L["other"], colspan=2), *values("other.total")])
    rows.append([c.td(L["total"], colspan=2), *values("total")])
    rows.append([c.td(L["carried_forward"], colspan=3), *values("carried_forward")])
    return _rows_html(c, rows)


def render_t4(texts: dict[str, str], style: str = "plain") -> str:
    """Section 四: 行政复议 (5) · 行政诉讼 (10), three header rows and one row of 15 values."""
    c = _Cells(style)
    outcomes = [label for _, label in K.T4_OUTCOMES]
    rows = [
        [c.td("行政复议", colspan=5), c.td("行政诉讼", colspan=10)],
        [*(c.td(label, rowspan=2) for label in outcomes),
         c.td("未经复议直接起诉", colspan=5), c.td("复议后起诉", colspan=5)],
        [c.td(label) for label in outcomes * 2],
        [c.td(texts.get(key, "")) for key in K.t4_keys()],
    ]
    return _rows_html(c, rows)


_INDENT = {"其中：": "　", "制发规范性文件总数": "　　　　"}


def render_legacy(texts: dict[str, str], style: str = "plain", numbered: bool = False) -> str:
    """The pre-2019 统计表; ``texts`` is keyed by ``legacy.ROWS`` keys.

    ``numbered`` adds the 序号 column some local variants have.
    """
    c = _Cells(style)
    rows = [([c.td("序号")] if numbered else [])
            + [c.td("统计指标", bold=True), c.td("单位", bold=True), c.td("统计数", bold=True)]]
    for n, (label, unit, key) in enumerate(legacy.ROWS, start=1):
        shown = label
        for prefix, indent in _INDENT.items():
            if label.startswith(prefix):
                shown = indent + label
        if label[:1].isdigit():
            shown = "　　" + label
        if key is None:
            cells = [c.td(shown), c.td("—"), c.td("—")]
        else:
            cells = [c.td(shown), c.td(unit), c.td(texts.get(key, ""))]
        rows.append(([c.td(str(n))] if numbered else []) + cells)
    return _rows_html(c, rows)
