"""Dashboards of the numbers in ``make browse``: datasette-dashboards configuration.

``dashboards(database)`` is the ``plugins.datasette-dashboards`` part of the
metadata: four dashboards (applications and outcomes, review and litigation,
主动公开, data quality), each a set of Vega-Lite charts over the reports'
latest versions, filtered by portal, region, level and agency. The SQL is
built by ``storage.figures`` (which figure is read from which keys of the 2019
and 2021 forms); this module only lays out the charts.

Blank cells are never drawn as 0: a figure is summed over the reports that
give it, every bar's tooltip says how many reports that is, and each
dashboard has a chart of how many reports gave each figure each year.
"""

from __future__ import annotations

from collections import Counter

from crawler.browse.metadata import RULES
from storage.figures import (
    FIGURES,
    GOVERNMENT_SUFFIXES,
    GROUP_TITLES,
    TOWN_SUFFIXES,
    compact,
    figure_values_sql,
    figures_per_year_sql,
    latest_sql,
)

REVIEW_GROUPS = ("review", "review_total", "litigation", "litigation_total")
FILTERS = ("portal", "region", "level", "agency")
FILTER_NAMES = {"portal": "门户 / portal", "region": "地区 / region",
                "level": "层级 / level", "agency": "机关 / agency"}
# datasette-dashboards keeps a [[ … ]] part only when its :parameter is set.
WHERE = "".join(f" [[ and {name} = :{name} ]]" for name in FILTERS)
# The charts are SVG so that what is drawn can be read back (tests, screen readers).
SVG = {"usermeta": {"embedOptions": {"renderer": "svg", "actions": False}}}
FONT = "WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"


def _html(expression: str) -> str:
    """SQL escaping a text for HTML: the plugin writes table cells as innerHTML, and
    agency names come from portals' pages."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        expression = f"replace({expression}, '{char}', '{entity}')"
    return expression


def _filters(database: str) -> dict:
    def options(column: str, depends: tuple[str, ...]) -> str:
        where = "".join(f" [[ and {name} = :{name} ]]" for name in depends)
        return compact(f"with latest as ({latest_sql()}) select distinct {column} from latest "
                       f"where {column} is not null{where} order by {column}")
    return {name: {"name": FILTER_NAMES[name], "type": "select", "db": database,
                   "query": options(name, FILTERS[:index])}
            for index, name in enumerate(FILTERS)}


def _labels(groups: tuple[str, ...]) -> dict[str, str]:
    """Figure name → label on a chart of these groups; a label two groups share (维持 in
    行政复议 and 行政诉讼) gets its group's name in front."""
    figures = [figure for figure in FIGURES if figure.group in groups]
    counts = Counter(figure.label for figure in figures)
    return {figure.name: (figure.label if counts[figure.label] == 1 else
                          f"{GROUP_TITLES[figure.group].split(' / ')[0]}·{figure.label}")
            for figure in figures}


def _named(groups: tuple[str, ...]) -> list[dict]:
    """Vega-Lite transform giving each row its figure's label and order (kept out of the
    SQL, which travels in a URL)."""
    labels = _labels(groups)
    values = [{"figure": figure.name, "label": labels[figure.name], "ord": index}
              for index, figure in enumerate(FIGURES) if figure.name in labels]
    return [{"lookup": "figure", "from": {"data": {"values": values}, "key": "figure",
                                          "fields": ["label", "ord"]}}]


def _tooltip(value_title: str = "合计 / sum") -> list[dict]:
    return [{"field": "year", "title": "年度 / year"},
            {"field": "label", "title": "项目 / figure"},
            {"field": "value", "title": value_title, "format": ",.0f"},
            {"field": "reports", "title": "填报的年报数 / reports giving it"},
            {"field": "reports_of_form", "title": "该格式年报数 / reports of the form"}]


def _bars(group: str, title: str, *, stacked: bool, database: str) -> dict:
    labels = list(_labels((group,)).values())
    encoding = {
        "x": {"field": "year", "type": "ordinal", "title": "年度 / year"},
        "y": {"field": "value", "type": "quantitative", "title": "件数 / count",
              "stack": "zero" if stacked else None},
        "color": {"field": "label", "type": "nominal", "title": None,
                  "scale": {"domain": labels},
                  "legend": {"orient": "bottom", "columns": 4, "labelLimit": 220}},
        "order": {"field": "ord", "type": "quantitative"},
        "tooltip": _tooltip(),
    }
    if not stacked:
        encoding["xOffset"] = {"field": "label", "type": "nominal", "sort": labels}
    return {"title": title, "db": database, "library": "vega-lite",
            "query": figures_per_year_sql((group,), WHERE),
            "display": {**SVG, "transform": _named((group,)),
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": encoding, "config": {"font": FONT}}}


def _coverage(groups: tuple[str, ...], database: str) -> dict:
    """How many reports gave each figure each year, of how many of that form."""
    labels = list(_labels(groups).values())
    return {"title": "填报情况：每年给出各项数字的年报数 / reports giving each figure",
            "db": database, "library": "vega-lite",
            "query": figures_per_year_sql(groups, WHERE),
            "display": {**SVG, "config": {"font": FONT}, "transform": _named(groups),
                        "encoding": {
                            "x": {"field": "year", "type": "ordinal", "title": "年度 / year"},
                            "y": {"field": "label", "type": "nominal", "sort": labels,
                                  "title": None}},
                        "layer": [
                            {"mark": {"type": "rect", "tooltip": True},
                             "encoding": {"color": {
                                 "field": "reports", "type": "quantitative",
                                 "title": "年报数 / reports", "scale": {"scheme": "greens"}},
                                 "tooltip": _tooltip()}},
                            {"mark": {"type": "text", "fontSize": 11},
                             "transform": [{"calculate":
                                            "datum.reports + '/' + datum.reports_of_form",
                                            "as": "given"}],
                             "encoding": {"text": {"field": "given", "type": "nominal"}}}]}}


def _share_corrected(database: str) -> dict:
    sql = compact(f"""{figure_values_sql(REVIEW_GROUPS, WHERE)},
per_report as (
  select version_id, year, case when figure like 'review.%' then 'review' else 'litigation' end
    as grp,
    max(case when figure like '%.corrected' then value end) as corrected,
    max(case when figure like '%.total' then value end) as total
  from figure_values group by 1, 2, 3)
select year, case grp when 'review' then '行政复议' else '行政诉讼' end as label,
  count(*) as reports, sum(corrected) as corrected, sum(total) as total,
  round(1.0 * sum(corrected) / sum(total), 4) as share
from per_report
where corrected is not null and total is not null
group by year, grp
having sum(total) > 0
order by year, grp""")
    return {"title": "纠正率：纠正 ÷ 总计 / share corrected", "db": database,
            "library": "vega-lite", "query": sql,
            "display": {**SVG, "config": {"font": FONT},
                        "mark": {"type": "line", "point": True, "tooltip": True},
                        "encoding": {
                            "x": {"field": "year", "type": "ordinal", "title": "年度 / year"},
                            "y": {"field": "share", "type": "quantitative",
                                  "axis": {"format": "%"}, "title": "纠正率 / corrected"},
                            "color": {"field": "label", "type": "nominal", "title": None,
                                      "legend": {"orient": "bottom"}},
                            "tooltip": [
                                {"field": "year", "title": "年度 / year"},
                                {"field": "label", "title": "类别 / kind"},
                                {"field": "share", "format": ".1%", "title": "纠正率 / share"},
                                {"field": "corrected", "title": "纠正 / corrected"},
                                {"field": "total", "title": "总计 / total"},
                                {"field": "reports",
                                 "title": "给出两项的年报数 / reports giving both"}]}}}


def _templates(database: str) -> dict:
    sql = compact(f"""with latest as ({latest_sql()}),
filtered as (select * from latest where 1 = 1{WHERE})
select year, template, count(*) as reports from filtered group by year, template
order by year, template""")
    return {"title": "各年度年报数（按表格格式） / reports per year by form", "db": database,
            "library": "vega-lite", "query": sql,
            "display": {**SVG, "config": {"font": FONT},
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {"field": "year", "type": "ordinal", "title": "年度 / year"},
                            "y": {"field": "reports", "type": "quantitative",
                                  "title": "年报数 / reports"},
                            "color": {"field": "template", "type": "nominal",
                                      "title": "格式 / form",
                                      "scale": {"domain": ["pre2019", "2019", "2021",
                                                           "unknown"]},
                                      "legend": {"orient": "bottom"}}}}}


def _rules(database: str) -> dict:
    cases = "".join(f" when '{code}' then '{text.split(' / ')[0]}'"
                    for code, text in RULES.items())
    sql = compact(f"""with latest as ({latest_sql()}),
filtered as (select * from latest where 1 = 1{WHERE})
select i.code as rule, case i.code{cases} else i.code end as label,
  count(distinct f.version_id) as reports
from filtered f join report_issues i on i.version_id = f.version_id
where i.code like 'rule\\_%' escape '\\'
group by i.code order by reports desc, i.code""")
    return {"title": "未通过勾稽关系校验的年报数（按规则） / reports failing each rule",
            "db": database, "library": "vega-lite", "query": sql,
            "display": {**SVG, "config": {"font": FONT},
                        "mark": {"type": "bar", "tooltip": True}, "height": {"step": 28},
                        "encoding": {
                            "y": {"field": "label", "type": "nominal", "title": None,
                                  "sort": "-x", "axis": {"labelLimit": 400}},
                            "x": {"field": "reports", "type": "quantitative",
                                  "title": "年报数 / reports", "axis": {"tickMinStep": 1}},
                            "tooltip": [{"field": "rule"}, {"field": "label"},
                                        {"field": "reports"}]}}}


def _cards(database: str) -> dict:
    sql = compact(f"""with latest as ({latest_sql()}),
filtered as (select * from latest where 1 = 1{WHERE})
select '<a href="/-/card?version=' || min(version_id) || '">' || {_html('agency')}
    || '</a>' as "机关 / agency",
  count(*) as "年报 / reports", min(year) || '–' || max(year) as "年度 / years"
from filtered where agency is not null group by agency order by agency""")
    return {"title": "各机关报告卡 / report card per agency", "db": database,
            "library": "table", "query": sql}


def _note() -> dict:
    levels = (f"机关名以 {'、'.join(TOWN_SUFFIXES)} 结尾的（或门户本身在乡镇街道一级）为乡镇街道；"
              f"以 {'、'.join(GOVERNMENT_SUFFIXES)} 结尾的为本级政府（县级、市级、省级，按门户）；"
              "其余为该级政府的部门")
    return {"library": "markdown", "display": f"""\
每份年报取最新版本。**空格不计为 0**：各项只合计填了该数的年报，提示框和“填报情况”图给出年报数；
多项相加的数（如不予公开），只有各项都填了才计入。
2019 与 2021 格式按共有统计项作图，对照表见“数据质量”；
pre2019 旧统计表没有这些项。

Each report's latest version. **Blank cells are not 0**: a figure sums the reports that give it
(the tooltips and the coverage chart say how many). The 2019 and 2021 forms are charted on the
keys they share (mapping on the data-quality dashboard).

层级 / level：{levels}。地区 / region：门户在门户名录（spiders/portals.toml）中的省市县，
名录中没有的门户取网站名称去掉“人民政府”。
"""}


def _mapping() -> dict:
    rows = "\n".join(
        f"| {figure.label} | {GROUP_TITLES[figure.group].split(' / ')[0]} | "
        f"{' + '.join(figure.keys.get('2019', ())) or '—'} | "
        f"{' + '.join(figure.keys.get('2021', ())) or '—'} |"
        for figure in FIGURES)
    return {"library": "markdown", "display": f"""\
### 2019 与 2021 格式的对照 / the stat keys each figure reads

多个统计项相加的，只有各项都填了才有值。 / A sum has a value only when every key is given.

| 项目 / figure | 图 / chart | 2019 格式 | 2021 格式 |
|---|---|---|---|
{rows}
"""}


def _dashboard(title: str, description: str, charts: dict, database: str,
               layout: list[list[str]]) -> dict:
    return {"title": title, "description": description, "filters": _filters(database),
            "layout": layout, "charts": charts}


def dashboards(database: str = "nianbao") -> dict:
    return {
        "applications": _dashboard(
            "依申请公开：收到与办理结果 / Applications and outcomes",
            "各年度本年新收、上年结转与办理结果（表三总计列）。 / Applications received and "
            "carried over, and how they were answered, per year.",
            {"note": _note(),
             "intake": _bars("intake", "本年新收与上年结转 / received and carried over",
                             stacked=False, database=database),
             "outcomes": _bars("outcome", "办理结果 / outcomes", stacked=True,
                               database=database),
             "withheld": _bars("withheld", "不予公开的理由 / reasons for withholding",
                               stacked=True, database=database),
             "coverage": _coverage(("intake", "outcome", "withheld"), database),
             "cards": _cards(database)},
            database, [["intake", "outcomes"], ["withheld", "coverage"], ["cards", "note"]]),
        "review": _dashboard(
            "行政复议与行政诉讼 / Review and litigation",
            "表四：结果维持、纠正、其他、尚未审结，及纠正率；行政诉讼为未经复议直接起诉与复议后起诉之和。"
            " / 表四 outcomes per year and the share corrected.",
            {"review": _bars("review", "行政复议 / administrative review", stacked=True,
                             database=database),
             "litigation": _bars("litigation", "行政诉讼 / litigation", stacked=True,
                                 database=database),
             "share": _share_corrected(database),
             "coverage": _coverage(REVIEW_GROUPS, database)},
            database, [["review", "litigation"], ["share", "coverage"]]),
        "active": _dashboard(
            "主动公开 / Proactive disclosure",
            "规章和规范性文件的制发与现行有效件数（2021 格式），"
            "行政许可、处罚、强制决定数（两种格式）。"
            " / Documents issued and in force (2021 form); licensing, penalty and coercion "
            "decisions (both forms).",
            {"documents": _bars("documents", "制发与现行有效件数（2021 格式） / documents "
                                "issued and in force", stacked=False, database=database),
             "decisions": _bars("decisions", "行政许可、处罚、强制决定 / decisions",
                                stacked=False, database=database),
             "coverage": _coverage(("documents", "decisions"), database)},
            database, [["documents", "decisions"], ["coverage", "coverage"]]),
        "quality": _dashboard(
            "数据质量 / Data quality",
            "各年度年报的表格格式，以及未通过勾稽关系校验的年报。 / Reports per year by form, "
            "and reports failing each consistency rule.",
            {"templates": _templates(database), "rules": _rules(database),
             "cards": _cards(database), "mapping": _mapping()},
            database, [["templates", "rules"], ["mapping", "mapping"], ["cards", "."]]),
    }
