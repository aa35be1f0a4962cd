"""``scrapy card AGENCY -o card.html``: one agency's report card, opened in headless Chromium.

The card is written from a crawled Linhai database and opened as a file with
every network request refused and counted: it must need none. What it shows
(reports by year with their WARC pointers, the figures drawn, the issues, the
missing years) is checked against the exported records.
"""

from __future__ import annotations

import os
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from crawler.browse.card import render_card
from crawler.browse.card_charts import CARD_FONT, CHARTS
from crawler.settings import CARD_FONT_FILE
from storage.card import agency_card
from storage.db import make_engine
from storage.figures import FIGURES, figure_value
from tests import test_browse
from tests.crawling import PROJECT, SCRAPY

# The browser, the crawled database and its records, as tests/test_browse.py makes them.
browser = test_browse.browser
database = test_browse.database
records = test_browse.records


AGENCY = "临海市教育局"  # six years, a blank-cell report and failed rules in the replica
GAPPY = "临海市杜桥镇"  # 2019, 2021 and 2023 only


def scrapy_card(*args: str, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRAPY), "card", *args], cwd=PROJECT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": database_url})


@pytest.fixture(scope="module")
def card_file(database, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("card") / "card.html"
    done = scrapy_card(AGENCY, "-o", str(path), database_url=database[1])
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def offline_page(browser):
    """A page that refuses every request but file:// ones, and lists what it refused."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.refused = []

    def refuse(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            page.refused.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    yield page
    context.close()


def bars(page) -> dict[tuple[str, int], float]:
    """(chart title, year) … as drawn: {(figure label, year, chart index): value}."""
    found = {}
    for index, figure in enumerate(page.locator("figure.card-chart").all()):
        labels = figure.locator("g.mark-rect.role-mark path").evaluate_all(
            "nodes => nodes.map(n => n.getAttribute('aria-label'))")
        for label in labels:
            fields = dict(part.split(": ", 1) for part in label.split("; "))
            found[(index, fields["label"], int(fields["year"]))] = float(fields["value"])
    return found


def agency_records(records, agency):
    return sorted((r for r in records if r["agency"] == agency),
                  key=lambda r: (r["year"], r["source"]))


def test_card_opens_offline_and_shows_reports_with_their_captures(
        card_file, offline_page, records, tmp_path):
    page = offline_page
    page.goto(card_file.as_uri())
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(tmp_path / "card.png"), full_page=True)
    assert page.refused == []
    html = card_file.read_text(encoding="utf-8")
    assert "<script" not in html and " src=" not in html
    assert page.locator("h1").inner_text() == AGENCY
    mine = agency_records(records, AGENCY)
    rows = page.locator("table#reports tbody tr").all()
    assert len(rows) == len(mine)
    for row, record in zip(rows, mine, strict=True):
        assert row.get_attribute("data-year") == str(record["year"])
        text = row.inner_text()
        assert f"{record['warc_file']} @ {record['warc_offset']}" in text
        assert record["warc_record_id"] in text
        assert row.locator(f"a[href='{record['source']}']").count() >= 1
        assert int(row.locator("td.num").inner_text()) == len(record["issues"])
    # The Chinese text is drawn in the embedded CJK font, not whatever the reader has.
    fonts = page.evaluate("[...document.fonts].map(f => [f.family.replaceAll('\"', ''), "
                          "f.status])")
    assert [CARD_FONT, "loaded"] in fonts
    assert page.evaluate(f"document.fonts.check(\"16px '{CARD_FONT}'\", {AGENCY!r})")


def test_card_charts_draw_the_figures_the_reports_give(card_file, offline_page, records):
    page = offline_page
    page.goto(card_file.as_uri())
    mine = agency_records(records, AGENCY)
    drawn = bars(page)
    want = defaultdict(float)
    blanks = 0
    for index, (_, groups, _) in enumerate(CHARTS):
        for figure in FIGURES:
            if figure.group not in groups:
                continue
            for record in mine:
                if record["template"] not in figure.keys:
                    continue
                value = figure_value(figure, record["template"], record["stats"])
                if value is None:
                    blanks += 1
                else:
                    want[(index, figure.label, record["year"])] += value
    assert drawn == dict(want)
    assert blanks, "one of the agency's reports leaves cells blank: they are not drawn"
    assert page.locator("figure.card-chart svg").count() == len(CHARTS)
    # the table of figures: a blank is a dash, never 0
    for record in mine:
        if record["template"] in ("2019", "2021"):
            value = figure_value(FIGURES[0], record["template"], record["stats"])
            assert value is not None


def test_card_lists_the_issues_found(card_file, offline_page, records):
    page = offline_page
    page.goto(card_file.as_uri())
    expected = sorted((r["year"], i["code"], i.get("message") or "")
                      for r in agency_records(records, AGENCY) for i in r["issues"])
    assert any(code.startswith("rule_") for _, code, _ in expected)
    shown = sorted((int(row.locator("td").nth(0).inner_text()), row.get_attribute("data-code"),
                    row.locator("td").nth(4).inner_text())
                   for row in page.locator("table#issues tbody tr").all())
    assert shown == expected


def test_years_missing_from_the_column(database, records, offline_page, tmp_path):
    engine = make_engine(database[1])
    card = agency_card(engine, GAPPY)
    engine.dispose()
    column = {r["year"] for r in records if r["year"] is not None}
    have = {r["year"] for r in records if r["agency"] == GAPPY}
    missing = sorted(set(range(min(column), max(column) + 1)) - have)
    assert missing and list(card.missing_years) == missing
    path = tmp_path / "gappy.html"
    path.write_text(render_card(card, Path(CARD_FONT_FILE)), encoding="utf-8")
    offline_page.goto(path.as_uri())
    text = offline_page.locator("#missing-years").inner_text()
    assert "、".join(str(year) for year in missing) in text
    # the years axis spans the column: a missing year is a gap, not a zero bar
    axis = offline_page.locator("figure.card-chart").first.locator(
        "g.role-axis[aria-label^='X-axis']").get_attribute("aria-label")
    assert axis.endswith(", ".join(str(y) for y in range(min(column), max(column) + 1)))
    assert not {year for (_, _, year) in bars(offline_page)} & set(missing)
    assert offline_page.refused == []


def test_unknown_agency_is_a_clear_error(database, tmp_path):
    done = scrapy_card("杜桥", "-o", str(tmp_path / "x.html"), database_url=database[1])
    assert done.returncode != 0
    assert "no report names the agency '杜桥'" in done.stderr and GAPPY in done.stderr
    assert not (tmp_path / "x.html").exists()
