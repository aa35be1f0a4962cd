"""Figures charted across the 2019 and 2021 forms, and the SQL that reads them.

The two forms (国办公开办函〔2019〕60号 and 〔2021〕30号) share most stat keys
(``nianbao_core/stat_keys.py``); a *figure* is one number a chart draws, read
from the keys each form has for it:

* 表三 (applications, 总计 column): every row is the same key in both forms,
  except （六）其他处理 — one row ``other.total`` in 2019, three rows
  (``other.no_correction``, ``other.no_fee``, ``other.other``) in 2021, summed.
  不予公开, 无法提供 and 不予处理 are the sums of their numbered rows.
* 表四 (review and litigation): the same 15 keys in both forms. 行政诉讼 is
  未经复议直接起诉 plus 复议后起诉.
* 表二 (主动公开): 行政许可/处罚/强制 处理决定数量 (``active.*.decisions``)
  are in both forms; 制发件数 and 现行有效件数 (``issued``, ``in_force``) of
  规章 and 规范性文件 exist in the 2021 form only. The 2019 form's
  本年新制作数量 counts something else and is not charted as 制发.

A figure made of several keys has a value only when the report gives every
one of them: a blank cell is unknown, never 0, and a sum over a blank would be
a wrong number nobody flagged. pre-2019 统计表 have no stat keys and give no
figures. ``FIGURES`` is the whole mapping; ``figure_values_sql`` reads it in
SQL (SQLite and PostgreSQL); ``figure_value`` computes the same from a
record's ``stats`` in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao_core.stat_keys import (
    APPLICATION_ROW_LABELS,
    OTHER_ROWS_2021,
    RESULT_GROUPS,
)

TEMPLATES = ("2019", "2021")


@dataclass(frozen=True)
class Figure:
    """One charted number: its name, Chinese label, chart group and keys per form."""

    name: str
    label: str
    group: str
    keys: dict[str, tuple[str, ...]]  # template → stat keys summed (all must be given)


def _applications(row_keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"applications.{row}.total" for row in row_keys)


def _same(name: str, label: str, group: str, *keys: str) -> Figure:
    return Figure(name, label, group, {template: keys for template in TEMPLATES})


def _withheld_label(row: str) -> str:
    return APPLICATION_ROW_LABELS[row][2].split(".", 1)[1]


def _build() -> tuple[Figure, ...]:
    figures = [
        _same("new_received", "本年新收", "intake", *_applications(("new_received",))),
        _same("carried_over", "上年结转", "intake", *_applications(("carried_over",))),
        _same("granted", "予以公开", "outcome", *_applications(("granted",))),
        _same("partially_granted", "部分公开", "outcome",
              *_applications(("partially_granted",))),
        _same("withheld", "不予公开", "outcome", *_applications(RESULT_GROUPS["withheld"])),
        _same("unavailable", "无法提供", "outcome",
              *_applications(RESULT_GROUPS["unavailable"])),
        _same("not_processed", "不予处理", "outcome",
              *_applications(RESULT_GROUPS["not_processed"])),
        Figure("other", "其他处理", "outcome", {
            "2019": _applications(("other.total",)),
            "2021": _applications(OTHER_ROWS_2021)}),
        _same("applications_total", "办理结果总计", "outcome_total", *_applications(("total",))),
    ]
    figures += [_same(row, _withheld_label(row), "withheld", *_applications((row,)))
                for row in RESULT_GROUPS["withheld"]]
    for outcome, label in (("upheld", "维持"), ("corrected", "纠正"), ("other", "其他"),
                           ("pending", "尚未审结"), ("total", "总计")):
        # the totals are a group of their own: stacked on the outcomes they would count twice
        suffix = "_total" if outcome == "total" else ""
        figures.append(_same(f"review.{outcome}", label, f"review{suffix}",
                             f"review_litigation.review.{outcome}"))
        figures.append(_same(f"litigation.{outcome}", label, f"litigation{suffix}",
                             f"review_litigation.litigation_direct.{outcome}",
                             f"review_litigation.litigation_after_review.{outcome}"))
    for row, row_label in (("regulations", "规章"), ("normative_documents", "规范性文件")):
        for column, column_label in (("issued", "制发"), ("in_force", "现行有效")):
            figures.append(Figure(f"{row}.{column}", f"{row_label}{column_label}", "documents",
                                  {"2021": (f"active.{row}.{column}",)}))
    for row, label in (("licensing", "行政许可"), ("penalty", "行政处罚"),
                       ("coercion", "行政强制")):
        figures.append(_same(f"{row}.decisions", label, "decisions",
                             f"active.{row}.decisions"))
    return tuple(figures)


FIGURES: tuple[Figure, ...] = _build()
BY_NAME: dict[str, Figure] = {figure.name: figure for figure in FIGURES}

GROUP_TITLES: dict[str, str] = {
    "intake": "申请数量 / applications",
    "outcome": "办理结果 / outcomes",
    "outcome_total": "办理结果总计 / total",
    "withheld": "不予公开理由 / reasons withheld",
    "review": "行政复议 / administrative review",
    "review_total": "行政复议总计 / administrative review, total",
    "litigation": "行政诉讼 / litigation",
    "litigation_total": "行政诉讼总计 / litigation, total",
    "documents": "规章和规范性文件（2021 格式） / rules and normative documents (2021 form)",
    "decisions": "行政许可、处罚、强制决定 / licensing, penalty, coercion decisions",
}


def figure_value(figure: Figure, template: str, stats: dict[str, float | None]) -> float | None:
    """The figure from one report's ``stats``; None when a key is blank or absent."""
    keys = figure.keys.get(template)
    if not keys:
        return None
    values = [stats.get(key) for key in keys]
    if any(value is None for value in values):
        return None
    return float(sum(values))


# -- where a report sits: region and level ------------------------------------------
# The portal registry (spiders/portals.toml) says where each portal sits and at which
# level; ``make browse`` puts that in a temporary table of every connection
# (crawler/browse/datasette_plugins/portal_places.py), as PLACES_TABLE(name, region,
# level). A county's column mixes the government itself, its departments and its
# towns: the agency's name says which (…人民政府, …镇/乡/街道, the rest).
PLACES_TABLE = "portal_places"
TOWN_SUFFIXES = ("镇", "乡", "街道", "街道办事处", "镇人民政府", "乡人民政府")
GOVERNMENT_SUFFIXES = ("人民政府", "人民政府办公室", "人民政府办公厅")
LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级"}
TOWN_LEVEL = "乡镇街道 / township"


@dataclass(frozen=True)
class PortalPlace:
    """A portal's place from the registry: its region and administrative level."""

    name: str
    region: str  # 浙江省台州市临海市
    level: str  # province | city | county | township | department


def _level_label(kind: str, portal_level: str | None) -> str:
    if portal_level not in LEVEL_NAMES:  # unknown, or a department's own portal
        portal_level = None
    if kind == "government":
        name = LEVEL_NAMES.get(portal_level or "", "本级")
        return f"{name}政府 / {portal_level or 'own'} government"
    name = LEVEL_NAMES.get(portal_level or "", "")
    return f"{name}部门 / {(portal_level + ' ') if name else ''}department"


def level_of(agency: str | None, portal_level: str | None) -> str:
    """The level the dashboards filter by, of an agency in a portal of this level."""
    name = agency or ""
    if portal_level == "township" or name.endswith(TOWN_SUFFIXES):
        return TOWN_LEVEL
    kind = "government" if name.endswith(GOVERNMENT_SUFFIXES) else "department"
    return _level_label(kind, portal_level)


def level_sql(agency: str, portal_level: str) -> str:
    """The same in SQL, over the columns ``agency`` and ``portal_level``."""
    def ends(suffixes: tuple[str, ...]) -> str:
        return " or ".join(f"{agency} like '%{suffix}'" for suffix in suffixes)

    def by_portal(kind: str) -> str:
        cases = " ".join(f"when '{level}' then {_quote(_level_label(kind, level))}"
                         for level in LEVEL_NAMES)
        return f"case {portal_level} {cases} else {_quote(_level_label(kind, None))} end"

    return (f"case when {portal_level} = 'township' or {ends(TOWN_SUFFIXES)} "
            f"then {_quote(TOWN_LEVEL)} when {ends(GOVERNMENT_SUFFIXES)} "
            f"then {by_portal('government')} else {by_portal('department')} end")


def region_sql(portal_title: str, registry_region: str) -> str:
    """SQL: the region a portal serves: the registry's, else its title without 人民政府."""
    return f"coalesce({registry_region}, replace({portal_title}, '人民政府', ''))"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# -- SQL over each report's latest version -------------------------------------------
def latest_sql(where: str = "") -> str:
    """SQL: one row per report's latest version with its portal, region and level
    (needs the temporary table ``PLACES_TABLE``, which ``make browse`` makes)."""
    return f"""select v.id as version_id, v.year, v.template, v.agency, p.name as portal,
    {region_sql('p.title', 'pp.region')} as region, {level_sql('v.agency', 'pp.level')} as level
  from reports r
  join report_versions v on v.id = r.latest_version_id
  join portals p on p.id = r.portal_id
  left join temp.{PLACES_TABLE} pp on pp.name = p.name
  where v.year is not null{where}"""


def keymap_sql(groups: tuple[str, ...]) -> str:
    """SQL ``values`` rows (figure, template, key, parts) of these groups.

    Template ``*`` stands for both forms: the charts send their SQL in a URL, which
    must stay short.
    """
    rows = []
    for figure in FIGURES:
        if figure.group not in groups:
            continue
        same = set(figure.keys) == set(TEMPLATES) and len(set(figure.keys.values())) == 1
        for template, keys in ((("*", figure.keys["2019"]),) if same
                               else tuple(figure.keys.items())):
            rows += [f"({_quote(figure.name)},{_quote(template)},{_quote(key)},{len(keys)})"
                     for key in keys]
    return "values " + ",".join(rows)


FORM_OF = "m.template in (f.template, case when f.template in ('2019','2021') then '*' end)"


def figure_values_sql(groups: tuple[str, ...], where: str = "") -> str:
    """SQL CTEs ``latest``, ``filtered``, ``keymap`` and ``figure_values``.

    ``figure_values`` has one row per report and figure (version_id, year, figure,
    grp, value), only for the reports that give every key of the figure: blank cells
    are left out, never 0. ``where`` adds conditions on ``latest``'s columns
    (``and …``).
    """
    group_of = " ".join(f"when {_quote(f.name)} then {_quote(f.group)}"
                        for f in FIGURES if f.group in groups)
    return compact(f"""with latest as ({latest_sql()}),
filtered as (select * from latest where 1 = 1{where}),
keymap(figure, template, key, parts) as ({keymap_sql(groups)}),
figure_values as (
  select f.version_id, f.year, m.figure, case m.figure {group_of} end as grp,
    sum(s.value) as value
  from filtered f
  join keymap m on {FORM_OF}
  join report_stats s on s.version_id = f.version_id and s.key = m.key
  where s.value is not null
  group by f.version_id, f.year, m.figure
  having count(s.value) = max(m.parts))""")


def figures_per_year_sql(groups: tuple[str, ...], where: str = "") -> str:
    """SQL: per year and figure, the sum, how many reports gave it (``reports``) and
    how many reports of a form that has the figure there are (``reports_of_form``)."""
    return compact(f"""{figure_values_sql(groups, where)}
select fv.year, fv.figure, count(*) as reports,
  (select count(*) from filtered f where f.year = fv.year and exists
     (select 1 from keymap m where m.figure = fv.figure and {FORM_OF})) as reports_of_form,
  sum(fv.value) as value
from figure_values fv group by fv.year, fv.figure order by fv.year, fv.figure""")


def compact(sql: str) -> str:
    """The SQL on one line, runs of spaces made one (no literal here holds two)."""
    return " ".join(sql.split())
