"""Scanned pages: OCR by Tesseract (``chi_sim``), text lines rebuilt from its word boxes.

Why Tesseract: ``benchmarks/bench_ocr.py`` measured it against RapidOCR
(rapidocr-onnxruntime 1.4, the models its wheel ships) on the Huai'an report
rasterised at 200 dpi: RapidOCR's text detector misses isolated one-digit
cells of the ruled tables (a third of the ``0`` cells of 表三) and took ~10×
the CPU; Tesseract, once the table rules are removed from the image, reads
the cells and is fast enough to run in a crawl.

A page is rendered by poppler's ``pdftoppm`` at :data:`DPI`, the ruling lines
of its tables are removed (OpenCV morphology: long horizontal and vertical
runs of dark pixels), and ``tesseract … tsv`` gives every word with its box
and confidence. Words are grouped into rows by Tesseract's own line grouping
(the baseline), sorted left to right, and joined the way a PDF text layer
reads (CJK characters close together without a space, cells apart with
one), so the rest of the parser reads an OCR'd page exactly as a text-layer
page. Every number keeps its confidence (:class:`OcrToken`). Both tools run
as subprocesses with timeouts; a missing tool raises :class:`OcrError`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from nianbao_core.stat_keys import (
    ACTIVE_TABLES_2019,
    ACTIVE_TABLES_2021,
    APPLICATION_ROW_LABELS,
    REVIEW_LITIGATION_GROUPS,
)

DPI = 300  # Tesseract reads CJK best at ~30 px per character; 300 dpi gives that
LANGUAGE = "chi_sim"
PAGE_TIMEOUT = 120.0  # seconds per page, rendering and OCR each
MAX_OCR_PAGES = 30
TESSERACT = os.environ.get("NIANBAO_TESSERACT", "tesseract")
PDFTOPPM = os.environ.get("NIANBAO_PDFTOPPM", "pdftoppm")
LOW_CONFIDENCE = 80.0  # a number read with less is flagged ocr_low_confidence
_RULE_LENGTH = 120  # px at 300 dpi: a run this long is a table rule; CJK strokes of a 16 pt heading are ~60


class OcrError(ValueError):
    """A page could not be OCR'd (tool missing, too slow, unreadable image)."""


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


def _run(command: list[str], timeout: float, what: str) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise OcrError(f"{what} is not installed ({command[0]})") from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"{what} took over {timeout:.0f} s on a page") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise OcrError(f"{what} failed: {message[0][:200]}")
    return done.stdout


def render_page(pdf: Path, page: int, out_dir: Path, dpi: int = DPI) -> Path:
    """Page ``page`` (1-based) of ``pdf`` as a grey PNG."""
    prefix = out_dir / f"page-{page}"
    _run([PDFTOPPM, "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", str(page),
          "-l", str(page), str(pdf), str(prefix)], PAGE_TIMEOUT, "pdftoppm")
    return prefix.with_suffix(".png")


def remove_rules(image_path: Path) -> Path:
    """The image with its table rules whitened (they make Tesseract drop whole rows)."""
    import cv2
    import numpy as np

    grey = cv2.imread(str(image_path), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        raise OcrError(f"unreadable page image {image_path.name}")
    ink = cv2.adaptiveThreshold(~grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                15, -2)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (_RULE_LENGTH, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, _RULE_LENGTH)))
    rules = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    grey[rules > 0] = 255
    cleaned = image_path.with_name(image_path.stem + "-clean.png")
    cv2.imwrite(str(cleaned), grey)
    return cleaned


def _tsv_rows(tsv: bytes):
    reader = csv.DictReader(io.StringIO(tsv.decode("utf-8", "replace")), delimiter="\t",
                            quoting=csv.QUOTE_NONE)
    for row in reader:
        text = (row.get("text") or "").strip()
        if row.get("level") == "5" and text:
            yield row, text


def _tsv_words(tsv: bytes, page: int) -> list[OcrToken]:
    return [OcrToken(page, text, max(0.0, float(row["conf"])), int(row["left"]),
                     int(row["top"]), int(row["width"]), int(row["height"]))
            for row, text in _tsv_rows(tsv)]


def tesseract_words(image: Path, page: int) -> list[list[OcrToken]]:
    """The words of a page image, one list per line (Tesseract's baselines), top to bottom."""
    tsv = _run([TESSERACT, str(image), "stdout", "-l", LANGUAGE, "--psm", "6", "tsv"],
               PAGE_TIMEOUT, "tesseract")
    lines: dict[tuple[int, int, int], list[OcrToken]] = {}
    for row, text in _tsv_rows(tsv):
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(OcrToken(
            page, text, max(0.0, float(row["conf"])), int(row["left"]), int(row["top"]),
            int(row["width"]), int(row["height"])))
    ordered = [sorted(words, key=lambda w: w.left) for words in lines.values()]
    return sorted(ordered, key=lambda words: min(w.top for w in words))


_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_DIGITS = "0123456789."
_REREAD_PSM = "6"  # psm 11 and 4 were tried: they drop more lone digits
_GAP = 24  # px of white between two stacked crops


_VALUE_LIKE = re.compile(r"^\d[\dA-Za-z.,]*$")
_ITEM_NUMBER = re.compile(r"^\d{1,2}[.、．]$")  # "1." "2、" number a row label, not a value


def _value_like(text: str) -> bool:
    return bool(_VALUE_LIKE.match(text)) and not _ITEM_NUMBER.match(text)


def _value_candidates(line: list[OcrToken]) -> list[int]:
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


def reread_numbers(image: Path, lines: list[list[OcrToken]]) -> list[list[OcrToken]]:
    """Every value cell read a second time, digits only (Tesseract ``eng``, one call a page).

    ``chi_sim`` reads a lone ``64`` as ``6064`` or ``1`` as ``]``: a digits-only reading
    of the same box is right far more often. Where the readings agree the confidence is
    the higher one; where they differ the digits reading is kept with the lower one, so
    the disagreement surfaces as ``ocr_low_confidence``.
    """
    from PIL import Image

    wanted = [(n, i) for n, line in enumerate(lines) for i in _value_candidates(line)]
    if not wanted:
        return lines
    page = Image.open(image)
    crops = []
    for n, i in wanted:
        w = lines[n][i]
        pad = max(4, w.height // 2)
        crop = page.crop((max(0, w.left - pad), max(0, w.top - pad),
                          w.left + w.width + pad, w.top + w.height + pad)).convert("L")
        # Tesseract drops some lone small glyphs as noise at one size and not at another:
        # each cell is read at its size and at twice it, one above the other.
        crops.append(crop)
        crops.append(crop.resize((crop.width * 2, crop.height * 2)))
    sheet = Image.new("L", (max(c.width for c in crops) + 2 * _GAP,
                            sum(c.height + _GAP for c in crops) + _GAP), 255)
    bands, y = [], _GAP
    for crop in crops:
        sheet.paste(crop, (_GAP, y))
        bands.append((y, y + crop.height))
        y += crop.height + _GAP
    stacked = image.with_name(image.stem + "-numbers.png")
    sheet.save(stacked)
    readings: dict[tuple[int, int], list[tuple[str, float]]] = {}
    for word in _tsv_words(_run([TESSERACT, str(stacked), "stdout", "-l", "eng", "--psm", _REREAD_PSM,
                                 "-c", f"tessedit_char_whitelist={_DIGITS}", "tsv"],
                                PAGE_TIMEOUT, "tesseract"), 0):
        middle = word.top + word.height / 2
        band = next((k for k, (top, bottom) in enumerate(bands) if top <= middle <= bottom), None)
        if band is not None:
            readings.setdefault(divmod(band, 2), []).append((word.text, word.confidence))
    out = [list(line) for line in lines]
    for k, (n, i) in enumerate(wanted):
        out[n][i] = _vote(out[n][i], [found[0] for size in (0, 1)
                                      if len(found := readings.get((k, size), [])) == 1
                                      and _NUMBER.match(found[0][0])])
    return out


def _vote(first: OcrToken, digits: list[tuple[str, float]]) -> OcrToken:
    """The cell from three readings: the page's, and digits only at 1× and 2×.

    A reading two of them share wins, with the lower confidence of the two; with no
    majority the likeliest reading is kept and flagged (confidence under the
    threshold): OCR cannot vouch for that number.
    """
    readings = list(digits)
    if _NUMBER.match(first.text):
        readings.append((first.text, first.confidence))
    if not readings:
        return first
    votes: dict[str, list[float]] = {}
    for text, confidence in readings:
        votes.setdefault(text, []).append(confidence)
    text, confidences = max(votes.items(), key=lambda v: (len(v[1]), max(v[1])))
    if len(confidences) >= 2:
        return replace(first, text=text, confidence=min(sorted(confidences)[-2:]))
    return replace(first, text=text, confidence=min(
        first.confidence, *(c for _, c in readings), LOW_CONFIDENCE / 2))


# -- layout and label repair --------------------------------------------------------------
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
        values = _value_candidates(line)
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


def ocr_pdf_pages(data: bytes, pages: list[int]) -> tuple[dict[int, list[str]], list[OcrToken]]:
    """OCR ``pages`` (1-based) of a PDF: (page → text lines, every word read)."""
    lines: dict[int, list[str]] = {}
    tokens: list[OcrToken] = []
    with tempfile.TemporaryDirectory(prefix="nianbao-ocr-") as work:
        pdf = Path(work) / "input.pdf"
        pdf.write_bytes(data)
        for page in pages[:MAX_OCR_PAGES]:
            image = remove_rules(render_page(pdf, page, Path(work)))
            page_lines = []
            words_by_line = split_vertical_text(tesseract_words(image, page))
            for words in correct_labels(reread_numbers(image, words_by_line)):
                page_lines.append(join_line(words))
                tokens.extend(words)
            lines[page] = page_lines
    return lines, tokens
