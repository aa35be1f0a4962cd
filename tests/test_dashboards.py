"""The dashboards of ``make browse`` (datasette-dashboards), seen in headless Chromium.

``scrapy browse --port 0`` serves a crawled Linhai database; Chromium loads
each dashboard and the numbers drawn (read back from the SVG marks' ARIA
labels) are checked against sums computed here from the exported records with
``storage.figures``' mapping: blank cells are left out, never drawn as 0.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import quote

import pytest

from crawler.browse.dashboards import REVIEW_GROUPS, dashboards
from spiders.registry import load_portals
from storage.figures import FIGURES, TOWN_LEVEL, figure_value, level_of
from tests import test_browse

# The browser, the crawled database and its records, as tests/test_browse.py makes them.
browse_tmpdir = test_browse.browse_tmpdir
browser = test_browse.browser
database = test_browse.database
page = test_browse.page
records = test_browse.records
server = test_browse.server


DASHBOARDS = dashboards("nianbao")


def vega_charts(slug: str) -> list[str]:
    return [name for name, chart in DASHBOARDS[slug]["charts"].items()
            if chart["library"] == "vega-lite"]


def open_dashboard(page, server, slug: str, query: str = "") -> None:
    page.goto(f"{server}/-/dashboards/{slug}{query}")
    for name in vega_charts(slug):  # vega-embed draws each chart once its data arrived
        page.wait_for_selector(f"#chart-{name} svg.marks")


def marks(page, chart: str, mark: str = "rect") -> list[dict[str, str]]:
    """The marks of a chart as their ARIA labels say: field title → text."""
    labels = page.locator(f"#chart-{chart} g.mark-{mark} path, #chart-{chart} g.mark-{mark} "
                          f"text, #chart-{chart} g.mark-symbol path").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('aria-label')).filter(Boolean)")
    return [dict(part.split(": ", 1) for part in label.split("; ")) for label in labels]


def expected(records, groups, keep=lambda record: True) -> dict:
    """(year, figure label) → [sum, reports giving it, reports of a form having it]."""
    sums = defaultdict(lambda: [0.0, 0, 0])
    for record in records:
        if record["year"] is None or not keep(record):
            continue
        for figure in FIGURES:
            if figure.group not in groups or record["template"] not in figure.keys:
                continue
            cell = sums[(record["year"], figure.name)]
            cell[2] += 1
            value = figure_value(figure, record["template"], record["stats"])
            if value is not None:
                cell[0] += value
                cell[1] += 1
    return {key: cell for key, cell in sums.items() if cell[1]}


def drawn(page, chart: str, labels: dict[str, str]) -> dict:
    names = {label: name for name, label in labels.items()}
    return {(int(m["年度 / year"]), names[m["项目 / figure"]]):
            [float(m["合计 / sum"].replace(",", "")), int(m["填报的年报数 / reports giving it"]),
             int(m["该格式年报数 / reports of the form"])]
            for m in marks(page, chart)}


def chart_labels(groups) -> dict[str, str]:
    from crawler.browse.dashboards import _labels
    return _labels(groups)


def test_dashboards_are_listed_and_every_chart_draws(server, page, tmp_path):
    page.goto(server + "/-/dashboards")
    for dashboard in DASHBOARDS.values():
        assert dashboard["title"] in page.inner_text("body")
    for slug in DASHBOARDS:
        open_dashboard(page, server, slug)
        page.screenshot(path=str(tmp_path / f"dashboard-{slug}.png"), full_page=True)
        for name in vega_charts(slug):
            assert marks(page, name, "rect") or marks(page, name, "line"), (slug, name)


@pytest.mark.parametrize("chart, groups", [("intake", ("intake",)),
                                           ("outcomes", ("outcome",)),
                                           ("withheld", ("withheld",))])
def test_application_figures_are_the_sums_of_the_reports_giving_them(
        server, page, records, chart, groups):
    open_dashboard(page, server, "applications")
    shown = drawn(page, chart, chart_labels(groups))
    want = expected(records, groups)
    assert shown == {key: [float(v), n, of] for key, (v, n, of) in want.items()}
    assert len({year for year, _ in shown}) >= 4


def test_blank_cells_are_not_drawn_as_zero(server, page, records):
    """Some replica reports leave cells blank: the years they fall in show fewer
    reports giving a figure than reports of the form, and the coverage chart says so."""
    want = expected(records, ("intake", "outcome", "withheld"))
    partial = {key: cell for key, cell in want.items() if cell[1] < cell[2]}
    assert partial, "the replica has reports with blank cells"
    open_dashboard(page, server, "applications")
    labels = chart_labels(("intake", "outcome", "withheld"))
    coverage = {(int(m["年度 / year"]), m["项目 / figure"]): m for m in marks(page, "coverage")}
    texts = page.locator("#chart-coverage g.mark-text.role-mark text").evaluate_all(
        "nodes => nodes.map(n => n.textContent)")
    for (year, name), (_, given, _of) in want.items():
        assert int(coverage[(year, labels[name])]["填报的年报数 / reports giving it"]) == given
    assert sorted(texts) == sorted(f"{given}/{of}" for _, given, of in want.values())


def test_review_and_litigation_and_share_corrected(server, page, records):
    open_dashboard(page, server, "review")
    for chart, group in (("review", "review"), ("litigation", "litigation")):
        assert drawn(page, chart, chart_labels((group,))) == {
            key: [float(v), n, of] for key, (v, n, of) in expected(records, (group,)).items()}
    shares = defaultdict(lambda: [0.0, 0.0])
    for record in records:
        for kind in ("review", "litigation"):
            values = [figure_value(next(f for f in FIGURES if f.name == f"{kind}.{o}"),
                                   record["template"], record["stats"])
                      for o in ("corrected", "total")]
            if record["year"] and None not in values:
                shares[(record["year"], kind)][0] += values[0]
                shares[(record["year"], kind)][1] += values[1]
    shown = {(int(m["年度 / year"]), m["类别 / kind"]): float(m["纠正率 / share"].rstrip("%"))
             for m in marks(page, "share", "symbol")}
    kinds = {"review": "行政复议", "litigation": "行政诉讼"}
    assert shown == {(year, kinds[kind]): round(100 * c / t, 1)
                     for (year, kind), (c, t) in shares.items() if t}
    assert set(REVIEW_GROUPS) >= {"review", "litigation"}


def test_filtering_by_region_level_and_agency(server, page, records):
    """Region and level come from the portal registry (linhai: a county of 台州市)."""
    [linhai] = [p for p in load_portals() if p.name == "linhai"]
    town, county_department = TOWN_LEVEL, "县级部门 / county department"
    assert {level_of(r["agency"], linhai.level) for r in records} == {
        town, county_department, "县级政府 / county government"}
    open_dashboard(page, server, "applications", f"?level={quote(town)}")
    want = expected(records, ("outcome",), lambda r: level_of(r["agency"], "county") == town)
    assert drawn(page, "outcomes", chart_labels(("outcome",))) == {
        key: [float(v), n, of] for key, (v, n, of) in want.items()}
    agency = "临海市教育局"
    open_dashboard(page, server, "active", f"?agency={quote(agency)}")
    want = expected(records, ("decisions",), lambda r: r["agency"] == agency)
    assert drawn(page, "decisions", chart_labels(("decisions",))) == {
        key: [float(v), n, of] for key, (v, n, of) in want.items()}
    # the filters offer the registry's region, and the agencies of the chosen level only
    open_dashboard(page, server, "quality", f"?level={quote(county_department)}")
    assert set(page.locator("select#region option").all_inner_texts()) - {""} == {
        "浙江省台州市临海市"}
    offered = set(page.locator("select#agency option").all_inner_texts()) - {""}
    assert offered == {r["agency"] for r in records
                       if level_of(r["agency"], "county") == county_department}
    open_dashboard(page, server, "quality", f"?region={quote('浙江省台州市临海市')}")
    assert sum(int(m["年报数 / reports"]) for m in marks(page, "templates")) == len(records)
    open_dashboard(page, server, "quality", f"?region={quote('江西省抚州市东乡区')}")
    assert marks(page, "templates") == []


def test_quality_dashboard_counts_forms_and_failed_rules(server, page, records):
    open_dashboard(page, server, "quality")
    forms = defaultdict(int)
    for record in records:
        forms[(record["year"], record["template"])] += 1
    assert {(int(m["年度 / year"]), m["格式 / form"]): int(m["年报数 / reports"])
            for m in marks(page, "templates")} == forms
    failing = defaultdict(set)
    for record in records:
        for issue in record["issues"]:
            if issue["code"].startswith("rule_"):
                failing[issue["code"]].add(record["source"])
    assert failing
    assert {m["rule"]: int(m["reports"]) for m in marks(page, "rules")} == {
        code: len(sources) for code, sources in failing.items()}


def test_card_links_open_the_agency_card(server, page, records):
    open_dashboard(page, server, "applications")
    page.wait_for_selector("#chart-cards table a")
    links = page.locator("#chart-cards table a")
    assert sorted(links.all_inner_texts()) == sorted({r["agency"] for r in records})
    agency = "临海市公安局"
    page.click(f"#chart-cards table a:text-is('{agency}')")
    page.wait_for_url(re.compile(r"/-/card\?version=\d+$"))
    assert page.locator("h1").inner_text() == agency
    assert page.locator("figure.card-chart svg").count() >= 4
    # served by browse, each WARC pointer links to its row of the capture index
    mine = sorted((r for r in records if r["agency"] == agency), key=lambda r: r["year"])
    page.click("table#reports a.capture >> nth=0")
    page.wait_for_url(re.compile(r"/nianbao/captures/\d+$"))
    assert mine[0]["warc_record_id"] in page.inner_text("body")


def test_chart_queries_fit_in_a_url():
    """The plugin sends each chart's SQL in a GET URL; uvicorn (h11) refuses request
    heads over 16 KiB, so every query, percent-encoded, stays well under."""
    for slug, dashboard in DASHBOARDS.items():
        for name, chart in dashboard["charts"].items():
            if "query" in chart:
                assert len(quote(chart["query"])) < 10_000, (slug, name)
    for dashboard in DASHBOARDS.values():
        for spec in dashboard["filters"].values():
            assert len(quote(spec["query"])) < 10_000
