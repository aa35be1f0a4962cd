"""Text from PDF-to-Markdown converters: Markdown syntax read as syntax, not as text.

* ``# 标题`` / ``## 一、总体情况``: the heading markers go, the text stays;
* ``**加粗**``, ``__加粗__``, ``*强调*``: the emphasis markers go;
* pipe tables: the delimiter row (``|---|:---:|``, also broken ones a
  converter cuts short, ``|---|---`` under a row of ten cells, or ``| -- |``)
  is dropped, and the row above it is the table's header: its cells are
  column titles, never a data row, even when one reads like a row label
  (``四、结转下年度继续办理``). It is passed on as one line of text, where
  the format is still told from its words but no row is read from it.

Plain text without any of this passes through unchanged.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
# A delimiter row: pipes, dashes, colons and spaces only, with at least one run of 2+ dashes
_DELIMITER = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-*:?\s*)*\|?\s*$")


def is_delimiter(line: str) -> bool:
    return "-" in line and bool(_DELIMITER.match(line))


def _plain(line: str) -> str:
    heading = _HEADING.match(line)
    if heading:
        line = heading.group(1)
    line = _STRONG.sub(r"\2", line)
    return _EMPHASIS.sub(r"\1", line)


def looks_like_markdown(lines: list[str]) -> bool:
    return any(_HEADING.match(line) or is_delimiter(line) or "**" in line for line in lines)


def from_markdown(lines: list[str]) -> list[str]:
    """The lines with Markdown syntax resolved (see the module's docstring)."""
    if not looks_like_markdown(lines):
        return lines
    out: list[str] = []
    for line in lines:
        if is_delimiter(line):
            # The row above is the header: its cells become a line of words.
            for k in range(len(out) - 1, -1, -1):
                if out[k].strip():
                    if "|" in out[k]:
                        out[k] = " ".join(c.strip() for c in out[k].split("|") if c.strip())
                    break
            continue
        out.append(_plain(line))
    return out
