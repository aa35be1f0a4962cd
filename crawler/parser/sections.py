"""The narrative sections: 一 总体情况, 五 存在的主要问题及改进情况, 六 其他需要报告的事项.

A section runs from its heading to the next section heading; page chrome
(打印, 关闭, 分享到…) ends it.  PDF lines are re-joined into paragraphs.
"""

from __future__ import annotations

import re

from .labels import CHROME_RE, PAGE_MARKER_RE
from .normalize import clean_text, match_form
from .tokens import heading_of

OUTPUT_SECTIONS = {"overview": "overview", "problems": "problems", "other": "other"}
_PARA_START = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．]|"
                         r"[一二三四五六七八九十]是)")
_PARA_END = re.compile(r"[。！？：:；;）)]$")


def _join_pdf(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if out and not _PARA_END.search(out[-1]) and not _PARA_START.match(line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def extract_sections(lines: list[str], pdf: bool = False) -> dict[str, str | None]:
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        name = heading_of(line)
        if name is not None:
            current = name if name not in found else None
            if current is not None:
                found[current] = []
            continue
        if current is None:
            continue
        if CHROME_RE.match(match_form(line)) or PAGE_MARKER_RE.match(line.strip()):
            if CHROME_RE.match(match_form(line)):
                current = None
            continue
        found[current].append(line)
    out: dict[str, str | None] = {}
    for name, key in OUTPUT_SECTIONS.items():
        body = found.get(name)
        text = (_join_pdf(body) if pdf else "\n".join(body)) if body else None
        out[key] = clean_text(text) if text else None
    return out
