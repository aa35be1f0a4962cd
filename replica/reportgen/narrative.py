"""Report bodies: the narrative sections around the tables, as a 政务公开 clerk writes them.

``render_body(report)`` returns the HTML that goes inside the article's
content container.  Sentences that quote numbers (新收/结转/办结, 复议/诉讼)
take them from the same printed cells the tables show, so the narrative
agrees with the tables (rule S4) unless the table itself is wrong.

The rest of the text comes from the sentence pools of
:mod:`replica.reportgen.phrasebook`, drawn by a
:class:`~replica.reportgen.writer.Writer`: two reports differ in wording and
length as real ones do.  This module writes the 2019 and 2021 formats;
:mod:`replica.reportgen.narrative_pre2019` the pre-2019 one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from replica.reportgen import keys as K
from replica.reportgen import narrative_pre2019
from replica.reportgen import phrasebook as PB
from replica.reportgen import tables
from replica.reportgen.writer import (
    CN_ORDINALS, Writer, cell_int, col_sum, h, listing, p, problems,
)

NOTICE = {
    "2019": "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
            "（国办公开办函〔2019〕60号）",
    "2021": "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉"
            "的通知》（国办公开办函〔2021〕30号）",
}


@dataclass
class ReportText:
    """Everything needed to write one report body."""

    agency: str  # 临海市教育局
    year: int  # statistics year
    template: str  # pre2019 / 2019 / 2021 (the tables printed)
    texts: dict[str, str]  # key → printed cell text
    rng_seed: str
    style: str = "plain"
    heading_variants: bool = False
    t2_colspan_first: bool = False
    legacy_numbered: bool = False
    extra: dict = field(default_factory=dict)


# --- the 2019 and 2021 formats --------------------------------------------------------------


def render_body(r: ReportText) -> str:
    if r.template == "pre2019":
        return narrative_pre2019.render(r)
    return _render_modern(r)


def _render_modern(r: ReportText) -> str:
    w = Writer(r.agency, r.year, r.rng_seed)
    titles = dict(K.SECTION_TITLES)
    if r.heading_variants:
        titles.update(K.SECTION_TITLE_VARIANTS)
    out = [_intro(r), h(titles["overview"]), *_overview(w, r)]
    out += [
        h(titles["active"]),
        tables.render_t2(r.texts, r.template, r.style, r.t2_colspan_first),
        h(titles["applications"]),
        tables.render_t3(r.texts, r.template, r.style),
        h(titles["review_litigation"]),
        tables.render_t4(r.texts, r.style),
    ]
    review, suits = _review_counts(r.texts)
    if review or suits:
        out.append(p(f"本年度因政府信息公开工作被申请行政复议{review}件，被提起行政诉讼{suits}件。"))
    # the 2021 notice asks for last year's problems and their rectification; some
    # 2019-format reports already gave them
    rectified = r.year >= 2021 or w.rng.random() < 0.5
    out += [h(titles["problems"]), *problems(w, rectified)]
    out += [h(titles["other"]), *_other(w, fees=r.year >= 2021)]
    return "\n".join(out)


def _intro(r: ReportText) -> str:
    a, y = r.agency, r.year
    notice_year = "2019" if r.year < 2021 else "2021"
    return p(f"本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{NOTICE[notice_year]}要求，"
             f"由{a}编制。本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
             f"本报告电子版可在临海市人民政府门户网站（www.linhai.gov.cn）信息公开年报栏目查阅或下载。"
             f"如对本报告有疑问，请与{a}办公室联系。")


def _review_counts(t: dict[str, str]) -> tuple[int, int]:
    review = cell_int(t, "review_litigation.review.total")
    suits = (cell_int(t, "review_litigation.litigation_direct.total")
             + cell_int(t, "review_litigation.litigation_after_review.total"))
    return review, suits


def _overview(w: Writer, r: ReportText) -> list[str]:
    """一、总体情况: an opening, then （一）主动公开 … （五）监督保障.

    Some pages give each sub-section a heading line and numbered points,
    others one paragraph that starts "（一）主动公开。" (both are common)."""
    rng = w.rng
    out = [p(w.one(PB.OPENING_LEAD) + "".join(w.pick(PB.OPENING, w.count(1, 2))))]
    headed = rng.random() < 0.6
    parts = (
        ("active", _active_part(w)),
        ("applications", ([], _application_sentences(w, r))),
        ("management", _topic_part(w, "management", headed, PB.MANAGEMENT_TOPICS,
                                   {"NORMATIVE": [_normative_sentence(w, r)]})),
        ("platform", _topic_part(w, "platform", headed, PB.PLATFORM_TOPICS)),
        ("supervision", _topic_part(w, "supervision", headed, PB.SUPERVISION_TOPICS)),
    )
    for i, (key, (points, lead)) in enumerate(parts):
        label = f"（{CN_ORDINALS[i]}）{rng.choice(PB.OVERVIEW_PARTS[key])}"
        if headed:
            out.append(h(label))
            if lead:
                out.append(p("".join(lead)))
            for n, (title, sentences) in enumerate(points, 1):
                out.append(p(w.point_mark.format(n=n) + title + "。" + "".join(sentences)))
        else:
            body = lead + [s for _, sentences in points for s in sentences]
            out.append(p(label + "。" + "".join(body)))
    return out


def _topic_part(w: Writer, part: str, headed: bool, topics, specials=None
                ) -> tuple[list, list[str]]:
    """(points, lead) of （三）…（五）: a few points; a lead sentence under a heading line."""
    lead = [w.one(PB.PART_LEADS[part])] if headed and w.rng.random() < 0.7 else []
    return w.points(topics, w.count(2, 2), w.span(2, 2), specials), lead


def _active_part(w: Writer) -> tuple[list, list[str]]:
    """（一）主动公开: the year's count, then points on decisions, 解读, 重点领域 …"""
    rng = w.rng
    published = rng.randint(60, 900)
    # the count by category adds up to the total: a reader may well check it
    names = sorted(rng.sample(PB.ACTIVE_CATEGORIES, rng.randint(3, 5)),
                   key=PB.ACTIVE_CATEGORIES.index)
    weights = [rng.randint(1, 6) for _ in names]
    counts = [published * x // sum(weights) for x in weights]
    counts[-1] += published - sum(counts)
    by_category = "、".join(f"{name}类{n}条" for name, n in zip(names, counts))
    lead = [f"全年通过门户网站主动公开政府信息{published}条，其中{by_category}。"]
    lead += w.pick(PB.ACTIVE_SUMMARY_EXTRA, rng.randint(0, 2))
    points = w.points(PB.ACTIVE_TOPICS, w.count(3, 3), w.span(2, 3),
                      {"FIELD": list(w.field.points)})
    return points, lead


def _application_sentences(w: Writer, r: ReportText) -> list[str]:
    """（二）依申请公开: the S4 figures (from the printed cells), what became of the
    requests and who made them, then how they are handled."""
    t, y = r.texts, r.year
    new, over = col_sum(t, "new_received"), col_sum(t, "carried_over")
    done, forward = col_sum(t, "total"), col_sum(t, "carried_forward")
    out = [f"{y}年共新收政府信息公开申请{new}件，上年结转{over}件，"
           f"办结{done}件，结转下年度继续办理{forward}件。"]
    # Neither sentence below has a verb S4 reads (收到/办结/答复…): their numbers are
    # the table's rows, not the totals S4 checks.
    outcome = listing(_outcomes(t, r.template))
    if outcome:
        out.append(f"从办理结果看，{outcome}。")
    people = cell_int(t, "applications.new_received.natural_person")
    orgs = sum(cell_int(t, f"applications.new_received.{c}") for c in K.APPLICANT_KEYS[1:])
    if people and orgs:
        out.append(f"从申请人类型看，自然人提出申请{people}件，法人或其他组织提出申请{orgs}件。")
    out += w.pick(PB.APPLICATION_PROCESS, w.count(2, 3))
    if done and not forward:
        out.append(w.one(PB.APPLICATION_ALL_DONE))
    return out


def _outcomes(t: dict[str, str], template: str) -> list[tuple[str, int]]:
    """办理结果 by group (予以公开, 部分公开, 不予公开 …), from the printed rows."""
    groups = {"granted": "予以公开", "partially_granted": "部分公开", "withheld": "不予公开",
              "unavailable": "无法提供", "not_processed": "不予处理", "other": "其他处理"}
    sums = dict.fromkeys(groups, 0)
    for row in K.result_rows(template):
        sums[row.split(".")[0]] += col_sum(t, row)
    return [(groups[g], n) for g, n in sums.items()]


def _normative_sentence(w: Writer, r: ReportText) -> str:
    """规范性文件 as 表二（一） prints them (2019: 新制作/新公开/总数; 2021: 制发/废止/现行有效)."""
    t = r.texts

    def n(item: str) -> int:
        return cell_int(t, f"active.normative_documents.{item}")

    if r.template == "2019":
        if not n("total_published"):
            return w.fill("本年度{we}未制作规范性文件，对外公开的规范性文件目录已在门户网站公布。")
        return (f"全年新制作规范性文件{n('new_made')}件、新公开{n('new_published')}件，"
                f"对外公开规范性文件总数{n('total_published')}件。")
    if not n("in_force"):
        return w.fill("本年度{we}未制发行政规范性文件，也没有需要清理的现行有效文件。")
    made = f"全年制发行政规范性文件{n('issued')}件" if n("issued") else "本年度未制发行政规范性文件"
    repealed = f"，废止{n('repealed')}件" if n("repealed") else ""
    return f"{made}{repealed}，现行有效{n('in_force')}件，均在门户网站规范性文件专栏集中公开。"


def _other(w: Writer, fees: bool) -> list[str]:
    """六: 信息处理费 (2021 onward), then 建议提案, 工作要点 … or nothing to report."""
    rng = w.rng
    items = [w.one(PB.FEES)] if fees else []
    items += w.pick(PB.OTHER_ITEMS, w.count(1, 1))
    if not items or rng.random() < 0.4:
        items.append(w.one(PB.OTHER_NONE))
    return [p(text) for text in items]
