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
(the baseline), sorted left to right, repaired and joined the way a PDF text
layer reads (:mod:`.ocr_layout`), so the rest of the parser reads an OCR'd
page exactly as a text-layer page; value cells are read a second and third
time, digits only (:func:`reread_numbers`). Every number keeps its confidence (:class:`OcrToken`). Both tools run
as subprocesses with timeouts; a missing tool raises :class:`OcrError`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from .ocr_layout import (
    OcrToken,
    correct_labels,
    join_line,
    split_vertical_text,
    value_candidates,
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

    grey = cv2.imread(str(image_path), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        raise OcrError(f"unreadable page image {image_path.name}")
    ink = cv2.adaptiveThreshold(~grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                15, -2)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (_RULE_LENGTH, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, _RULE_LENGTH)))
    rules = cv2.dilate(horizontal | vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
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


def reread_numbers(image: Path, lines: list[list[OcrToken]]) -> list[list[OcrToken]]:
    """Every value cell read a second time, digits only (Tesseract ``eng``, one call a page).

    ``chi_sim`` reads a lone ``64`` as ``6064`` or ``1`` as ``]``: a digits-only reading
    of the same box is right far more often. Where the readings agree the confidence is
    the higher one; where they differ the digits reading is kept with the lower one, so
    the disagreement surfaces as ``ocr_low_confidence``.
    """
    from PIL import Image

    wanted = [(n, i) for n, line in enumerate(lines) for i in value_candidates(line)]
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
