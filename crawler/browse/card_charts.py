"""The charts of a report card: Vega-Lite specs drawn to SVG by vl-convert.

vl-convert runs Vega-Lite in an embedded JavaScript engine, so the card gets
finished SVG (no script, no network to open it) whose marks carry
``aria-label``s with their numbers. Text is measured and labelled in
``CARD_FONT`` (a CJK font); the page embeds that font's subset.

Only the figures a report gives are drawn (a blank is not a zero bar); the
years axis spans the column's years, so a missing year is a visible gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import vl_convert

from storage.card import AgencyCard
from storage.figures import FIGURES

CARD_FONT = "WenQuanYi Zen Hei"


@dataclass(frozen=True)
class CardChart:
    title: str
    groups: tuple[str, ...]
    svg: str
    given: dict[str, int]  # figure label → how many of the agency's reports give it
    reports: int  # the agency's reports of a form that has these figures


# (title, groups, stacked)
CHARTS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("本年新收与上年结转 / applications received and carried over", ("intake",), False),
    ("办理结果 / outcomes", ("outcome",), True),
    ("行政复议 / administrative review", ("review",), True),
    ("行政诉讼 / litigation", ("litigation",), True),
    ("行政许可、处罚、强制决定 / decisions", ("decisions",), False),
    ("规章和规范性文件（2021 格式） / documents issued and in force", ("documents",), False),
)


def _rows(card: AgencyCard, groups: tuple[str, ...]) -> list[dict]:
    rows = []
    for order, figure in enumerate(FIGURES):
        if figure.group not in groups:
            continue
        for report in card.reports:
            value = report.figures.get(figure.name)
            if report.year is not None and value is not None:
                rows.append({"year": str(report.year), "figure": figure.name,
                             "label": figure.label, "order": order, "value": value})
    return rows


def chart_spec(card: AgencyCard, groups: tuple[str, ...], stacked: bool) -> dict:
    labels = [figure.label for figure in FIGURES if figure.group in groups]
    years = [str(year) for year in card.column_years] or sorted(
        {str(r.year) for r in card.reports if r.year is not None})
    encoding = {
        "x": {"field": "year", "type": "ordinal", "title": "年度",
              "scale": {"domain": years}, "axis": {"labelAngle": 0}},
        "y": {"field": "value", "type": "quantitative", "title": "件数",
              "stack": "zero" if stacked else None},
        "color": {"field": "label", "type": "nominal", "title": None,
                  "scale": {"domain": labels}, "legend": {"orient": "bottom", "columns": 4}},
        "order": {"field": "order", "type": "quantitative"},
        "tooltip": [{"field": "year"}, {"field": "label"}, {"field": "value"}],
    }
    if not stacked:
        encoding["xOffset"] = {"field": "label", "type": "nominal", "sort": labels}
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "data": {"values": _rows(card, groups)}, "width": 520, "height": 220,
            "mark": {"type": "bar"}, "encoding": encoding,
            "config": {"font": CARD_FONT, "view": {"stroke": None}}}


def card_charts(card: AgencyCard) -> list[CardChart]:
    charts = []
    for title, groups, stacked in CHARTS:
        figures = [f for f in FIGURES if f.group in groups]
        forms = {template for f in figures for template in f.keys}
        reports = [r for r in card.reports if r.template in forms]
        if not reports:
            continue
        given = {f.label: sum(r.figures.get(f.name) is not None for r in reports)
                 for f in figures}
        # allowed_base_urls=[]: the spec carries its data; nothing may be fetched.
        svg = vl_convert.vegalite_to_svg(chart_spec(card, groups, stacked),
                                         allowed_base_urls=[])
        charts.append(CardChart(title, groups, svg, given, len(reports)))
    return charts
