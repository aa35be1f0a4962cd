"""Scanned PDFs: the real Huai'an report as page images only, read back by OCR.

One OCR run (module scope, ~1-2 minutes of CPU on this machine): the text-layer
PDF is rasterised at 200 dpi by pdftoppm and rebuilt as an image-only PDF by
img2pdf (made here, not committed); its record must give at least 98% of the
cells of the text-layer PDF's golden record, and every cell that differs must
be flagged. The rest are unit tests of the layout and voting steps on
synthetic words (no OCR).
"""

from __future__ import annotations

import io
import json
import subprocess

import pytest

from crawler.parser import parse_report
from crawler.parser import ocr as ocr_module
from crawler.parser.ocr import LOW_CONFIDENCE, _vote
from crawler.parser.ocr_layout import (
    OcrToken,
    correct_label,
    join_line,
    split_vertical_text,
    value_candidates,
)
from crawler.parser.ocr_confidence import ocr_confidence
from tests.parser.accuracy import GOLDEN

HUAIAN = GOLDEN / "inputs" / "huaian-2024-municipal-govt.pdf"
EXPECTED = GOLDEN / "expected" / "huaian-2024-municipal-govt.json"


def image_only_pdf(source, directory, dpi=200) -> bytes:
    import img2pdf

    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(directory / "page")],
                   check=True, timeout=300)
    pages = sorted(directory.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    return img2pdf.convert([str(p) for p in pages])


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    data = image_only_pdf(HUAIAN, tmp_path_factory.mktemp("scan"))
    return parse_report(data, filename="huaian-2024-scan.pdf")


@pytest.fixture(scope="module")
def text_layer():
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def flagged(record, key):
    return any(i["where"] and (i["where"] == key or key.startswith(i["where"] + "."))
               for i in record["issues"])


@pytest.mark.timeout(900)
def test_a_scan_gives_98_percent_of_the_cells_and_flags_every_other(scanned, text_layer):
    assert scanned["ocr"]["pages"] == [1, 2, 3, 4, 5, 6]
    keys = set(text_layer["stats"]) | set(scanned["stats"])
    missing = object()
    differing = [k for k in keys
                 if text_layer["stats"].get(k, missing) != scanned["stats"].get(k, missing)]
    assert (len(keys) - len(differing)) / len(keys) >= 0.98, differing
    assert [k for k in differing if not flagged(scanned, k)] == []


def test_a_scan_keeps_the_reports_identity_and_each_numbers_confidence(scanned, text_layer):
    for name in ("template", "year", "title", "agency"):
        assert scanned[name] == text_layer[name], name
    confidence = scanned["ocr"]["confidence"]
    numbers = [k for k, v in scanned["stats"].items() if v is not None]
    assert set(confidence) == set(numbers)
    assert sum(c is not None for c in confidence.values()) >= 0.95 * len(numbers)
    for issue in scanned["issues"]:
        if issue["code"] == "ocr_low_confidence":
            value = confidence.get(issue["where"])
            assert value is None or value < LOW_CONFIDENCE


def test_a_text_layer_pdf_is_not_ocrd(text_layer):
    record = parse_report(HUAIAN.read_bytes(), filename="huaian.pdf")
    assert "ocr" not in record and record["stats"] == text_layer["stats"]


def test_a_missing_ocr_engine_is_flagged_not_silent(tmp_path, monkeypatch):
    from PIL import Image
    import img2pdf

    page = io.BytesIO()
    Image.new("L", (400, 300), 255).save(page, format="PNG")
    monkeypatch.setattr(ocr_module, "TESSERACT", str(tmp_path / "no-such-tesseract"))
    record = parse_report(img2pdf.convert(page.getvalue()), filename="scan.pdf")
    assert [i["code"] for i in record["issues"] if i["code"] == "ocr_failed"] == ["ocr_failed"]
    assert "not installed" in next(i["message"] for i in record["issues"]
                                   if i["code"] == "ocr_failed")


# -- layout and voting, on synthetic words -------------------------------------------------
def word(text, left, top=100, width=None, height=30, confidence=95.0):
    return OcrToken(1, text, confidence, left, top, width or 30 * len(text), height)


def test_cjk_runs_together_and_cells_stay_apart():
    line = [word("行政", 100), word("许可", 162), word("447228", 700)]
    assert join_line(line) == "行政许可 447228"


def test_value_cells_start_after_the_label_and_skip_its_closing_bracket():
    line = [word("形，不计其他情形", 100), word(")", 345), word("447", 700), word("了", 800),
            word("0", 900)]
    assert value_candidates(line) == [2, 3, 4]
    row = [word("规章", 100), word("]", 700), word("0", 900), word("11", 1100)]
    assert value_candidates(row) == [1, 2, 3]
    prose = [word("全年", 100), word("4", 170), word("次", 210)]
    assert value_candidates(prose) == []


def test_votes_of_three_readings():
    agreed = _vote(word("64", 0, confidence=55), [("64", 97.0), ("64", 90.0)])
    assert (agreed.text, agreed.confidence) == ("64", 90.0)  # the lower of the two best
    outvoted = _vote(word("6064", 0, confidence=55), [("64", 97.0), ("64", 90.0)])
    assert (outvoted.text, outvoted.confidence) == ("64", 90.0)
    alone = _vote(word("]", 0, confidence=77), [("1", 35.0)])
    assert alone.text == "1" and alone.confidence < LOW_CONFIDENCE
    unconfirmed = _vote(word("4", 0, confidence=96), [])
    assert unconfirmed.confidence < LOW_CONFIDENCE


def test_misread_labels_are_restored_from_the_forms():
    assert correct_label("〈一 ) 子以公开") == "（一）予以公开"
    assert correct_label("了会下。 5 属于三关内部事务信息").endswith("5.属于三类内部事务信息")
    assert correct_label("行政规范性文件") == "行政规范性文件"
    assert correct_label("全年收到申请") == "全年收到申请"


def test_a_vertical_merged_cell_becomes_a_line_of_its_own():
    lines = [[word(ch, 50, top=100 + 60 * k), word(f"label{k}", 300, top=100 + 60 * k),
              word("1", 900, top=100 + 60 * k)] for k, ch in enumerate("本年度")]
    out = split_vertical_text(lines)
    assert [w.text for w in out[0]] == ["本", "年", "度"]
    assert [[w.text for w in line] for line in out[1:]] == [
        ["label0", "1"], ["label1", "1"], ["label2", "1"]]


def test_each_number_gets_the_confidence_of_the_word_it_was_read_from():
    stats = {"a": 12, "b": 0, "c": None, "d": 7}
    tokens = [word("收到", 0), word("12", 100, confidence=91), word("0", 200, confidence=60),
              word("99", 300), word("7", 400, confidence=88)]
    confidence, issues = ocr_confidence(stats, tokens)
    assert confidence == {"a": 91.0, "b": 60.0, "d": 88.0}
    assert [(i["code"], i["where"]) for i in issues] == [("ocr_low_confidence", "b")]
    confidence, issues = ocr_confidence({"a": 5}, tokens)
    assert confidence == {"a": None} and issues[0]["where"] == "a"
