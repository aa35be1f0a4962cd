"""Which OCR'd word each number of the record was read from, and how sure OCR was of it.

The parser reads an OCR'd page as it reads any text; the numbers of the
record come out in the printed order of the forms (表二, 表三, 表四), which is
the order they stand on the page. Aligning the record's numbers with the
OCR'd words in reading order (the longest common subsequence of equal
numbers) gives each number the confidence of the word it came from, without
threading confidences through every table interpreter. A number below
:data:`~crawler.parser.ocr.LOW_CONFIDENCE`, or one no word accounts for, is
flagged ``ocr_low_confidence``: OCR cannot vouch for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .issues import issue
from .numbers import VALUE, parse_number
from .ocr import LOW_CONFIDENCE, OcrToken

_MAX_CELLS = 4_000_000  # words × numbers: beyond this the alignment is not attempted


def _word_values(tokens: Sequence[OcrToken]) -> list[tuple[float, OcrToken]]:
    values = []
    for token in tokens:
        num = parse_number(token.text, money=True)
        if num.state == VALUE:
            values.append((float(num.value), token))
    return values


def _align(stats: list[tuple[str, float]], words: list[tuple[float, OcrToken]]
           ) -> dict[str, OcrToken]:
    """Longest common subsequence of equal numbers: stat key → the word it matched."""
    n, m = len(stats), len(words)
    if not n or not m or n * m > _MAX_CELLS:
        return {}
    # lengths[i][j]: LCS of stats[i:] and words[j:]
    lengths = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        value, row, below = stats[i][1], lengths[i], lengths[i + 1]
        for j in range(m - 1, -1, -1):
            if abs(value - words[j][0]) < 1e-9:
                row[j] = below[j + 1] + 1
            else:
                row[j] = max(below[j], row[j + 1])
    matched, i, j = {}, 0, 0
    while i < n and j < m:
        if abs(stats[i][1] - words[j][0]) < 1e-9 and lengths[i][j] == lengths[i + 1][j + 1] + 1:
            matched[stats[i][0]] = words[j][1]
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return matched


def ocr_confidence(stats: dict, tokens: Sequence[OcrToken]
                   ) -> tuple[dict[str, float | None], list[dict]]:
    """(stat key → confidence of its OCR'd word, ``ocr_low_confidence`` issues)."""
    numbers = [(key, float(value)) for key, value in stats.items() if value is not None]
    matched = _align(numbers, _word_values(tokens))
    confidence: dict[str, float | None] = {}
    issues = []
    for key, value in numbers:
        word = matched.get(key)
        confidence[key] = None if word is None else round(word.confidence, 1)
        if word is None:
            issues.append(issue("ocr_low_confidence", key,
                                f"{value:g} is not matched to an OCR'd number"))
        elif word.confidence < LOW_CONFIDENCE:
            issues.append(issue("ocr_low_confidence", key,
                                f"OCR read {word.text!r} on page {word.page} with confidence "
                                f"{word.confidence:.0f} (< {LOW_CONFIDENCE:.0f})"))
    return confidence, issues
