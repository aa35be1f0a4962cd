"""The replica's PDF-only report is built as WPS builds one (replica/reportgen/pdf.py).

Its text is set in embedded, subsetted TrueType fonts (Type0 / CIDFontType2 /
Identity-H / FontFile2 / ToUnicode), one subset per face, as in the real
Huai'an PDF; the bytes are the same on every run; and pypdf and pdfplumber
both read the report's text and numbers out of it.  Without the Debian fonts
these tests fail (they are not skipped): ``scripts/setup-test-env.sh`` (run
by ``make test``) installs them.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from crawler.parser import parse_report
from replica.linhai import catalog
from replica.linhai.catalog import build
from replica.reportgen import keys as K
from replica.reportgen import pdf_fonts

ROOT = Path(__file__).resolve().parents[1]
(ARTICLE,) = [a for a in catalog if a.kind == "pdf_report"]
NAME = ARTICLE.attachments[0]["location"].rsplit("/", 1)[1]
TRUTH = ARTICLE.to_dict()


def report_pdf() -> bytes:
    """The report's PDF; the calling test fails (not skips) without the fonts."""
    if missing := pdf_fonts.missing_font_packages():
        pytest.fail("the replica's PDF fonts are not installed: apt-get install "
                    + " ".join(missing) + " (scripts/setup-test-env.sh installs them)",
                    pytrace=False)
    return _generated()


@functools.cache
def _generated() -> bytes:
    return build()[1][NAME]()


def fonts(data: bytes) -> dict[str, pypdf.generic.DictionaryObject]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return {str(ref.get_object()["/BaseFont"]): ref.get_object()
            for page in reader.pages for ref in page["/Resources"]["/Font"].values()}


def test_text_is_set_in_embedded_subset_truetype_fonts():
    from fontTools.ttLib import TTFont

    data = report_pdf()
    found = fonts(data)
    assert len(found) == 4  # 黑体 title/headings, 明体 body, 楷体 leads, 宋体 tables
    files = {}
    for base, font in found.items():
        assert re.fullmatch(r"/[A-Z]{6}\+\S+", base), base
        assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
        assert b"beginbfchar" in font["/ToUnicode"].get_object().get_data()
        (cid_font,) = font["/DescendantFonts"]
        cid_font = cid_font.get_object()
        assert cid_font["/Subtype"] == "/CIDFontType2" and cid_font["/CIDToGIDMap"] == "/Identity"
        assert dict(cid_font["/CIDSystemInfo"]) == {"/Registry": "Adobe", "/Ordering": "Identity",
                                                    "/Supplement": 0}
        assert cid_font["/DW"] == 1000 and "/W" in cid_font
        stream = cid_font["/FontDescriptor"].get_object()["/FontFile2"].get_object()
        raw = stream.get_data()
        assert stream["/Length1"] == len(raw)
        subset = TTFont(io.BytesIO(raw))
        # WPS's subsets: glyph ids kept (so most glyphs are empty), outline and hinting tables only
        assert set(subset.keys()) - {"GlyphOrder"} <= {"glyf", "loca", "head", "hhea", "hmtx",
                                                        "maxp", "cvt ", "fpgm", "prep"}
        glyf = subset["glyf"]
        drawn = [g for g in subset.getGlyphOrder() if glyf[g].numberOfContours]
        assert 10 < len(drawn) < subset["maxp"].numGlyphs / 20, base
        files[base] = len(raw)
    assert not any("STSong" in base for base in found)
    assert len(data) > 100_000 and all(size > 50_000 for size in files.values()), files


def test_each_part_of_the_report_has_its_face():
    data = report_pdf()
    by_font: dict[str, str] = {}

    def visit(text, cm, tm, font, size):
        if font is not None:
            name = str(font["/BaseFont"]).split("+", 1)[1]
            by_font[name] = by_font.get(name, "") + text

    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    hei, kai, ming, song = (by_font[name] for name in ("文泉驿正黑", "UKaiCN", "UMingCN",
                                                       "文鼎ＰＬ简报宋"))
    assert ARTICLE.title in hei and "一、总体情况" in hei  # title and headings
    leads = re.findall(r"（一）[^。\n]{1,20}", kai)  # （一） headings or leads
    assert leads and not any(lead in ming for lead in leads)
    assert "本报告依据《中华人民共和国政府信息公开条例》" in ming  # the body
    assert "本年制发件数" in song and "本年制发件数" not in ming  # the tables


def test_the_pdf_is_the_same_on_every_run():
    data = report_pdf()
    build.cache_clear()
    try:
        assert build()[1][NAME]() == data
    finally:
        build.cache_clear()
    # a fresh process: no cached faces or subsets, another hash seed
    code = ("import sys; from replica.linhai.catalog import build; "
            f"sys.stdout.buffer.write(build()[1][{NAME!r}]())")
    again = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                           check=True, env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"})
    assert again.stdout == data


def extracted(data: bytes) -> dict[str, str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as doc:
        plumbed = "\n".join(page.extract_text() for page in doc.pages)
    return {"pypdf": "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages),
            "pdfplumber": plumbed}


def test_pypdf_and_pdfplumber_read_the_reports_text_and_numbers():
    data = report_pdf()
    total_row = "（七）总计" + "".join(ARTICLE.cells[f"applications.total.{c}"]
                                   for c in K.T3_COLUMN_KEYS)
    for tool, text in extracted(data).items():
        flat = "".join(text.split())
        assert ARTICLE.title in flat, tool
        assert "三、收到和处理政府信息公开申请情况" in flat, tool
        assert total_row in flat, tool
        record = parse_report(text)
        assert (record["template"], record["year"]) == (TRUTH["template"], TRUTH["year"]), tool
        assert record["stats"] == TRUTH["stats"], tool
    record = parse_report(data, content_type="application/pdf", filename=NAME)  # the crawl's way
    assert record["stats"] == TRUTH["stats"] and not record["issues"]


def test_without_the_fonts_it_references_stsong_light(monkeypatch, caplog):
    monkeypatch.setattr(pdf_fonts, "FONTS", {role: (package, "/nonexistent" + path, number)
                                             for role, (package, path, number)
                                             in pdf_fonts.FONTS.items()})
    pdf_fonts.faces.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=pdf_fonts.__name__):
            data = build()[1][NAME]()
            build()[1][NAME]()
    finally:
        pdf_fonts.faces.cache_clear()
    warnings = [r.getMessage() for r in caplog.records if r.name == pdf_fonts.__name__]
    assert len(warnings) == 1 and all(p in warnings[0] for p in pdf_fonts.FONT_PACKAGES)
    assert list(fonts(data)) == ["/STSong-Light"] and b"/FontFile2" not in data
    for tool, text in extracted(data).items():
        assert parse_report(text)["stats"] == TRUTH["stats"], tool


def test_the_test_setup_installs_the_fonts():
    # scripts/setup-test-env.sh (run by make test and .ci/run) installs what this list names.
    listed = {line.split("#")[0].split()[0]
              for line in (ROOT / "scripts" / "test-packages.txt").read_text().splitlines()
              if line.split("#")[0].strip()}
    assert set(pdf_fonts.FONT_PACKAGES) <= listed
