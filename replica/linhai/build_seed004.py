"""Rebuild ``data/art_67998_body.html`` from the extracted text of the real page.

``python -m replica.linhai.build_seed004 ../shared/seeds/004_ff89c14eeb936450.txt``

The seed is the text a browser-like extractor produced from the live page
(临海市经济和信息化局2022年政府信息公开工作年度报告).  This script puts every
paragraph and table cell back into the markup the page uses (``<p>`` in
paragraphs and cells, the 2021 grid with its rowspans/colspans), keeping the
page's quirks: data rows of section 三 with 6 cells for 7 columns, and the
last row's seven cells without ``<p>`` (which is why the extractor printed
them run together as ``0000000``).  The output is committed; the script
documents how it was made.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

OUT = Path(__file__).with_name("data") / "art_67998_body.html"
INTERPRETATION_HREF = "/art/2023/1/5/art_1229709042_68032.html"
TD = '<td{attrs} style="border:1px solid #000;padding:4px;">{inner}</td>'


def _p(text: str, style: str = "text-indent:2em;") -> str:
    return f'<p style="{style}">{escape(text, quote=False).replace(chr(0xA0), "&nbsp;")}</p>'


def _td(text: str | None, colspan: int = 1, rowspan: int = 1, bare: bool = False) -> str:
    attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
    if bare:
        inner = escape(text or "", quote=False)
    elif text is None:
        inner = "<p><br/></p>"
    else:
        inner = "".join(_p(part, "text-align:center;") for part in text.split("\n"))
    return TD.format(attrs=attrs, inner=inner)


def _table(rows: list[list[str]]) -> str:
    body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    return ('<table border="1" cellspacing="0" cellpadding="0" width="100%" '
            f'style="border-collapse:collapse;"><tbody>{body}</tbody></table>')


class _Lines:
    def __init__(self, lines: list[str]) -> None:
        self.lines, self.i = lines, 0

    def take(self, expected: str | None = None) -> str:
        line = self.lines[self.i]
        if expected is not None and line.strip() != expected:
            raise ValueError(f"seed line {self.i}: {line!r} != {expected!r}")
        self.i += 1
        return line

    def until(self, stop: str) -> list[str]:
        out = []
        while self.lines[self.i].strip() != stop:
            out.append(self.take())
        return out


def build(seed_text: str) -> str:
    raw = [line for line in seed_text.split("\n") if line.strip()]
    start = next(i for i, line in enumerate(raw) if line.strip() == "年报解读链接")
    s = _Lines(raw[start + 1:])
    out = [f'<p style="text-align:right;"><a href="{INTERPRETATION_HREF}" target="_blank">年报解读链接</a></p>']
    out += [_p(line) for line in s.until("二、主动公开政府信息情况")]
    out.append(_p(s.take()))
    t2 = []
    for caption, width in (("第二十条第(一)项", 3), ("第二十条第(五)项", 1),
                           ("第二十条第(六)项", 1), ("第二十条第(八)项", 1)):
        t2.append([_td(s.take(caption), colspan=4)])
        head = [_td(s.take("信息内容"))] + [_td(s.take()) for _ in range(width)]
        if width == 1:
            head[-1] = head[-1].replace("<td", '<td colspan="3"', 1)
        t2.append(head)
        while s.lines[s.i].strip() not in ("第二十条第(五)项", "第二十条第(六)项",
                                           "第二十条第(八)项", "三、收到和处理政府信息公开申请情况"):
            label = s.take()
            values = [_td(s.take(), colspan=4 - width if width == 1 else 1) for _ in range(width)]
            t2.append([_td(label), *values])
    out.append(_table(t2))
    out.append(_p(s.take("三、收到和处理政府信息公开申请情况")))
    out.append(_t3(s))
    out.append(_p(s.take("四、政府信息公开行政复议、行政诉讼情况")))
    t4 = [[_td(s.take("行政复议"), colspan=5), _td(s.take("行政诉讼"), colspan=10)]]
    t4.append([_td(s.take(), rowspan=2) for _ in range(5)]
              + [_td(s.take("未经复议直接起诉"), colspan=5), _td(s.take("复议后起诉"), colspan=5)])
    t4.append([_td(s.take()) for _ in range(10)])
    t4.append([_td(s.take()) for _ in range(15)])
    out.append(_table(t4))
    out += [_p(line) for line in s.until("打印 关闭")]
    return "\n".join(out) + "\n"


def _t3(s: _Lines) -> str:
    rows = [[_td(None, colspan=3, rowspan=3), _td(s.take("申请人情况"), colspan=7)],
            [_td(s.take("自然人"), rowspan=2), _td(s.take("法人或其他组织"), colspan=5),
             _td(s.take("总计"), rowspan=2)]]
    heads = []
    for first, second in (("商业", "企业"), ("科研", "机构")):
        heads.append(_td(s.take(first) + "\n" + s.take(second)))
    heads += [_td(s.take()) for _ in range(3)]
    rows.append(heads)

    def values() -> list[str]:
        out = []
        while s.lines[s.i].strip().isdigit() and len(out) < 7:
            out.append(_td(s.take()))
        return out

    rows.append([_td(s.take("一、本年新收政府信息公开申请数量"), colspan=3), *values()])
    rows.append([_td(s.take("二、上年结转政府信息公开申请数量"), colspan=3), *values()])
    group_sizes = {"(三)不予公开": 8, "(四)无法提供": 3, "(五)不予处理": 5, "(六)其他处理": 3}
    results = _td(s.take("三、本年度办理结果"), rowspan=22)
    rows.append([results, _td(s.take("(一)予以公开"), colspan=2), *values()])
    rows.append([_td(s.take(), colspan=2), *values()])
    for group, size in group_sizes.items():
        head = _td(s.take(group), rowspan=size)
        for i in range(size):
            rows.append(([head] if i == 0 else []) + [_td(s.take()), *values()])
    rows.append([_td(s.take("(七)总计"), colspan=2), *values()])
    label = _td(s.take("四、结转下年度继续办理"), colspan=3)
    rows.append([label, *(_td(digit, bare=True) for digit in s.take("0000000"))])
    return _table(rows)


def main(argv: list[str]) -> None:
    OUT.write_text(build(Path(argv[1]).read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv)
