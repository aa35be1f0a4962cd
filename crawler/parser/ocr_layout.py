"""OCR'd words → text lines the parser reads: value cells, vertical text, misread labels.

Pure functions of Tesseract's words (:class:`OcrToken`), no image and no tool:
which tokens of a row are its value cells, a merged cell written one character
a line split out of the rows beside it, row labels misread by a character or two
restored from the forms' labels, and a row's words joined as a PDF text layer
reads. Used by :mod:`.ocr`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from nianbao_core.stat_keys import (
    ACTIVE_TABLES_2019,
    ACTIVE_TABLES_2021,
    APPLICATION_ROW_LABELS,
    REVIEW_LITIGATION_GROUPS,
)


@dataclass(frozen=True, slots=True)
class OcrToken:
    """One word as Tesseract read it."""

    page: int  # 1-based
    text: str
    confidence: float  # 0–100
    left: int
    top: int
    width: int
    height: int


_VALUE_LIKE = re.compile(r"^\d[\dA-Za-z.,]*$")
_ITEM_NUMBER = re.compile(r"^\d{1,2}[.、．]$")  # "1." "2、" number a row label, not a value


def _value_like(text: str) -> bool:
    return bool(_VALUE_LIKE.match(text)) and not _ITEM_NUMBER.match(text)


def value_candidates(line: list[OcrToken]) -> list[int]:
    """Indexes of a table row's value cells: the tokens after its label (the last word with a
    CJK character, ``7`` misread as ``了`` between two numbers aside), when the row has a
    label or at least three numbers (表四's row of 15)."""
    start = len(line)
    while start > 0:
        text = line[start - 1].text
        lone = (len(text) == 1 and 1 < start < len(line)
                and _value_like(line[start - 2].text) and _value_like(line[start].text))
        if any(_is_cjk(ch) for ch in text) and not lone:
            break
        start -= 1
    # What closes the label (a bracket right after its text) is not a value cell
    while 0 < start < len(line) and not _value_like(line[start].text) \
            and line[start].left - (line[start - 1].left + line[start - 1].width) \
            < 1.5 * max(line[start].height, line[start - 1].height):
        start += 1
    found = [i for i in range(start, len(line)) if len(line[i].text) <= 12]
    if start == 0 and sum(_value_like(line[i].text) for i in found) < 3:
        return []
    return found


_VERTICAL_MIN_LINES = 3
_OPEN, _CLOSE = "〈《<(（[【", ")〉》>）]】"


def split_vertical_text(lines: list[list[OcrToken]]) -> list[list[OcrToken]]:
    """A merged cell written one character a line (三、本年度办理结果) is its own line.

    Tesseract puts each of its characters at the head of the table row beside it;
    the text layer of a PDF gives them as a column of their own, which is what the
    parser knows. Found as lone CJK characters leading consecutive lines at one x.
    """
    def lone(line: list[OcrToken]) -> OcrToken | None:
        head = line[0]
        if len(line) > 1 and len(head.text) <= 2 and _is_cjk(head.text[0]):
            gap = line[1].left - (head.left + head.width)
            return head if gap > head.height else None
        return None

    out: list[list[OcrToken]] = []
    run: list[int] = []

    def flush(end: int) -> None:
        if len(run) >= _VERTICAL_MIN_LINES:
            column = [lines[k][0] for k in run]
            out.insert(len(out) - (end - run[0]), column)  # before the run's first line
            for k in run:
                out[len(out) - (end - k)] = lines[k][1:]
        run.clear()

    for k, line in enumerate(lines):
        head = lone(line)
        if head is not None and (not run or abs(head.left - lines[run[-1]][0].left)
                                 <= head.height):
            run.append(k)
        else:
            flush(k)
            if head is not None:
                run.append(k)
        out.append(line)
    flush(len(lines))
    return out


def _label_form(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    table = {ord(c): "（" for c in _OPEN} | {ord(c): "）" for c in _CLOSE}
    return "".join(text.translate(table).split())


@lru_cache(maxsize=1)
def _lexicon() -> tuple[tuple[str, str], ...]:
    """(comparison form, printed text) of every row label of the three tables."""
    labels = set()
    for _, group, label in APPLICATION_ROW_LABELS.values():
        labels.add(label)
        if group:
            labels.add(group)
    for tables in (ACTIVE_TABLES_2019, ACTIVE_TABLES_2021):
        for caption, columns, rows in tables:
            labels.add(caption)
            labels.update(text for _, text in columns)
            labels.update(text for _, text in rows)
    labels.update(text for _, text in REVIEW_LITIGATION_GROUPS)
    return tuple(sorted(((_label_form(x), x) for x in labels if len(x) >= 4),
                        key=lambda p: -len(p[0])))


def correct_label(text: str) -> str:
    """A row label OCR misread in a character or two (予以→子以) back to the form's text.

    The label's tail is compared with every row label of the forms; a close one
    (similarity ≥ 0.8, at most a fifth of its characters wrong) replaces it.
    Longer labels first, so 行政规范性文件 is not taken for 规范性文件.
    """
    form = _label_form(text)
    best, best_ratio = None, 0.0
    for known, printed in _lexicon():
        if len(form) < len(known) * 0.8:
            continue
        tail = form[-len(known):]
        if tail == known:
            best, best_ratio = (known, printed), 1.0
            break
        ratio = SequenceMatcher(None, tail, known, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = (known, printed), ratio
    if best is None or best_ratio < 0.8:
        return text
    known, printed = best
    return form[:-len(known)] + printed


def correct_labels(lines: list[list[OcrToken]]) -> list[list[OcrToken]]:
    out = []
    for line in lines:
        values = value_candidates(line)
        start = values[0] if values else len(line)
        head = line[:start]
        # a table row, or a short line (caption, header); never prose
        if head and (values or len(head) <= 12):
            text = join_line(head)
            fixed = correct_label(text)
            if fixed != text:
                right = max(w.left + w.width for w in head)
                bottom = max(w.top + w.height for w in head)
                head = [OcrToken(head[0].page, fixed, min(w.confidence for w in head),
                                 head[0].left, min(w.top for w in head), right - head[0].left,
                                 bottom - min(w.top for w in head))]
        out.append(head + line[start:])
    return out


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def join_line(words: list[OcrToken]) -> str:
    """A row's words as a text-layer line: CJK run together, separate cells apart."""
    out = ""
    previous: OcrToken | None = None
    for word in words:
        if previous is not None:
            gap = word.left - (previous.left + previous.width)
            glyph = max(previous.height, word.height, 1)
            close = gap < glyph * 0.8
            if not (close and _is_cjk(previous.text[-1]) and _is_cjk(word.text[0])):
                out += " "
        out += word.text
        previous = word
    return out
