"""Every entry of Linhai's 信息公开年报 column and the truth about it.

``ENTRIES`` is the column as data: (department, statistics year, published,
options).  ``build()`` turns it into :class:`~replica.hanweb.model.Article`
objects with their true numbers (seeded per report, so identical on every
run), their printed cell texts and their rendered bodies, plus the
attachment files.  Options:

``kind``            report (default) | pdf_report | dead | soft404 | interpretation | seed
``template``        tables printed, when not the year's own (format lag)
``style``           plain | word (Word-pasted cells)
``cells``           zeros_blank | zeros_dash | zeros_slash | total_blank
``signed``          print 本年增/减 with a sign (+3)
``money``           yuan (251000元) | wan (12.5万元) for 采购总金额
``force``           stats values set by hand before printing
``break``           the 勾稽关系 family broken on purpose
``break_link``      this report disagrees with the agency's report of the year before
                    (S3 上年结转, S3b 现行有效件数), its own tables still consistent
``hand_on``         the figures this report must hand on (next year's is a real page)
``encoding``        gbk (old template, no charset anywhere) | gb2312 (old template, meta only)
``column``          a department's own column instead of the year sub-column
``title``           a title pattern other than ``{stem}{year}年政府信息公开工作年度报告``
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from functools import cache
from pathlib import Path

from replica.hanweb import templates
from replica.hanweb.model import Article
from replica.linhai.config import DEPARTMENTS, DEPT_COLUMNS, LIST_TITLE_MAX, YEAR_COLUMNS
from replica.linhai.nights import published_by
from replica.reportgen import legacy, narrative, pdf, stats as gen
from replica.reportgen.tables import format_number

DATA = Path(__file__).with_name("data")
SEED_PATH = "/art/2023/1/4/art_1229709042_67998.html"
INTERPRETATION_PATH = "/art/2023/1/5/art_1229709042_68032.html"

ENTRIES: tuple[tuple[str, int, str, dict], ...] = (
    # statistics year 2018: the pre-2019 统计表
    ("gov", 2018, "2019-03-28 16:42", {"style": "word", "date_tag": "b"}),
    ("jxj", 2018, "2019-01-25 09:12", {}),
    ("edu", 2018, "2019-01-30 10:05", {"numbered": True, "column": "edu"}),
    ("gucheng", 2018, "2019-01-22 15:30", {"encoding": "gbk"}),
    ("dayang", 2018, "2019-01-29 11:18", {"encoding": "gb2312"}),
    ("mz", 2018, "2019-01-31 17:02", {"date_tag": "b"}),
    ("cz", 2018, "2019-02-01 08:55", {"style": "word", "cells": "zeros_blank", "date_tag": "b",
                                      "title": "{stem}关于{year}年政府信息公开工作的年度报告"}),
    # 2019 and 2020: the 2019 format
    ("gov", 2019, "2020-03-27 10:20", {"style": "word", "cells": "zeros_blank",
                                       "colspan_first": True, "headings": True}),
    ("jxj", 2019, "2020-01-16 14:36", {"money": "yuan", "signed": True,
                                       "force": {"active.procurement.items": 3,
                                                 "active.procurement.amount": 25.1}}),
    ("edu", 2019, "2020-01-21 09:48", {"column": "edu"}),
    ("police", 2019, "2020-01-19 16:05", {"column": "police"}),
    ("mz", 2019, "2020-01-20 10:31", {"title": "{stem}{year}年度政府信息公开工作报告"}),
    ("gucheng", 2019, "2020-01-17 15:12", {}),
    ("duqiao", 2019, "2020-01-22 08:40", {"style": "word"}),
    ("wj", 2019, "2020-01-23 11:00", {"kind": "dead"}),
    ("gov", 2020, "2021-03-30 17:15", {"signed": True, "money": "wan",
                                       "force": {"active.licensing.previous_year": 214,
                                                 "active.licensing.change": 3,
                                                 "active.penalty.previous_year": 96,
                                                 "active.penalty.change": -2}}),
    ("jxj", 2020, "2021-01-20 10:10", {"style": "word"}),
    ("edu", 2020, "2021-01-25 15:47", {"cells": "total_blank", "column": "edu"}),
    ("police", 2020, "2021-01-28 09:26", {"column": "police"}),
    ("cz", 2020, "2021-01-27 14:02", {}),
    ("rs", 2020, "2021-01-29 16:33", {"headings": True}),
    ("dayang", 2020, "2021-01-26 10:55", {}),
    ("zj", 2020, "2021-01-29 09:03", {"kind": "soft404"}),
    # 2021 onward: the 2021 format
    ("gov", 2021, "2022-03-25 15:40", {"break": "review_litigation_total"}),
    ("jxj", 2021, "2022-01-14 11:22", {"hand_on": "seed"}),
    ("edu", 2021, "2022-01-19 09:35", {"break": "column_balance", "column": "edu"}),
    ("police", 2021, "2022-01-21 16:48", {"template": "2019", "column": "police"}),
    ("mz", 2021, "2022-01-24 10:17", {"style": "word", "cells": "zeros_dash"}),
    ("wj", 2021, "2022-01-26 14:29", {}),
    ("gucheng", 2021, "2022-01-20 15:06", {}),
    ("duqiao", 2021, "2022-01-27 08:52", {"kind": "pdf_report"}),
    ("gov", 2022, "2023-03-24 16:20", {}),
    ("jxj", 2022, "2023-01-04 15:28", {"kind": "seed"}),
    ("jxj", 2022, "2023-01-05 09:40", {"kind": "interpretation"}),
    ("edu", 2022, "2023-01-16 10:44", {"column": "edu"}),
    ("police", 2022, "2023-01-18 15:57", {"break": "row_total", "column": "police"}),
    ("cz", 2022, "2023-01-19 09:21", {"cells": "zeros_slash"}),
    ("zj", 2022, "2023-01-29 11:36", {"headings": True, "style": "word"}),
    ("dayang", 2022, "2023-01-13 14:14", {"break": "result_total"}),
    ("yongquan", 2022, "2023-01-30 16:45", {}),
    ("gov", 2023, "2024-03-22 10:05", {}),
    ("jxj", 2023, "2024-01-12 15:18", {}),
    ("edu", 2023, "2024-01-17 09:59", {"style": "word", "break_link": True}),
    ("mz", 2023, "2024-01-23 14:41", {}),
    ("rs", 2023, "2024-01-25 10:28", {}),
    ("gucheng", 2023, "2024-01-19 16:12", {}),
    ("duqiao", 2023, "2024-01-26 11:07", {}),
)

_FIXED_IDS = {SEED_PATH: 67998, INTERPRETATION_PATH: 68032}
# The real 2022 page of 临海市经济和信息化局 (data/seed004.txt): 二、上年结转 0 in every
# column, 表二（一）现行有效件数 0 and 0 (nothing issued or repealed in 2022), 四、结转下年度
# 0000000. Its neighbours in the catalog agree with it (S3, S3b).
_SEED_LINK = gen.YearLink({col: 0 for col in gen.K.APPLICANT_KEYS},
                          {row: 0 for row in gen.IN_FORCE_ROWS})
_LINKS = {"seed": _SEED_LINK}
# A clerk's slip between two years: one more application carried over than last year
# carried forward, one more 行政规范性文件 in force than last year's plus this year's.
_BROKEN_LINK = {"carried_forward": ("natural_person", 1), "in_force": ("normative_documents", 1)}
_SEED_TIME = dt.datetime(2023, 1, 4, 15, 28)


def _article_path(published: str, column_id: int, rng: random.Random, used: set[int]) -> str:
    when = dt.datetime.strptime(published, "%Y-%m-%d %H:%M")
    art_id = 67998 + round((when - _SEED_TIME).total_seconds() / 86400 * 30) + rng.randint(1, 9)
    while art_id in used or art_id in _FIXED_IDS.values():
        art_id += 1
    used.add(art_id)
    return f"/art/{when.year}/{when.month}/{when.day}/art_{column_id}_{art_id}.html"


def _list_title(title: str) -> str:
    return title if len(title) <= LIST_TITLE_MAX else title[:LIST_TITLE_MAX - 1] + "…"


def _print(stats: dict, opts: dict) -> tuple[dict, dict]:
    """Printed cell texts, and the stats as a reader of those cells knows them."""
    texts, known = {}, {}
    mode = opts.get("cells")
    for key, value in stats.items():
        text = format_number(value)
        if key.endswith(".change") and opts.get("signed") and value and value > 0:
            text = f"+{value}"
        if key == "active.procurement.amount" and value:
            if opts.get("money") == "yuan":
                text = f"{round(value * 10000)}元"
            elif opts.get("money") == "wan":
                text = f"{text}万元"
        if value == 0 and (
                mode == "zeros_blank"
                or (mode == "zeros_dash" and key.startswith("applications."))
                or (mode == "zeros_slash" and not key.startswith("applications."))):
            text = {"zeros_blank": "", "zeros_dash": "-", "zeros_slash": "/"}[mode]
        if mode == "total_blank" and key.startswith("applications.") and key.endswith(".total"):
            row = key[len("applications."):-len(".total")]
            if row not in ("new_received", "carried_over", "total", "carried_forward"):
                text = ""
        texts[key] = text
        known[key] = value if text not in ("", "-", "/") else None
    return texts, known


def _broken(previous: gen.YearLink | None) -> gen.YearLink | None:
    if previous is None:
        return None
    col, more = _BROKEN_LINK["carried_forward"]
    forward = {**previous.carried_forward, col: previous.carried_forward.get(col, 0) + more}
    in_force = previous.in_force
    if in_force is not None:
        row, more = _BROKEN_LINK["in_force"]
        in_force = {**in_force, row: in_force.get(row, 0) + more}
    return gen.YearLink(forward, in_force)


def _modern(a: Article, opts: dict, rng_seed: str, previous: gen.YearLink | None
            ) -> gen.YearLink:
    template = a.template
    if opts.get("break_link"):
        previous = _broken(previous)
        a.broken_links = ["cross_carried_over"] + (
            ["cross_in_force"] if previous and previous.in_force is not None else [])
    numbers = gen.generate(template, random.Random(rng_seed), DEPARTMENTS[opts["dept"]][2],
                           previous, _LINKS.get(opts.get("hand_on")))
    numbers.update(opts.get("force", {}))
    forward = gen.year_link(numbers, template)
    if opts.get("break"):
        gen.perturb(numbers, opts["break"], template)
    texts, known = _print(numbers, opts)
    a.stats, a.cells = known, texts
    a.legacy_indicators = []
    a.broken_rules = gen.check(known, template)
    a.intended_break = opts.get("break")
    return forward


def _pre2019(a: Article, opts: dict, rng_seed: str) -> None:
    values = legacy.generate(random.Random(rng_seed), DEPARTMENTS[opts["dept"]][2])
    texts = {}
    for key, value in values.items():
        blank = opts.get("cells") == "zeros_blank" and value == 0
        texts[key] = "" if blank else format_number(value)
        values[key] = None if blank else value
    a.cells = texts
    a.stats = {}  # no spec keys in the old 统计表
    a.legacy_indicators = legacy.indicators(values)
    a.broken_rules = legacy.check({k: v or 0 for k, v in values.items()})


@cache
def build(night: int = 1) -> tuple[tuple[Article, ...], dict]:
    """All articles (column order not implied) and the attachment factories by stored name.

    ``night``: the entries published by that night (``replica.linhai.nights``)
    join ``ENTRIES``; they are later than all of them, so they change nothing
    of the articles before them.
    """
    articles, attachments, used, links = [], {}, set(), {}
    entries = ENTRIES + published_by(night)
    for dept, year, published, opts in sorted(entries, key=lambda e: (e[1], e[2])):
        opts = {**opts, "dept": dept}
        agency, publisher, _, stem = DEPARTMENTS[dept]
        kind = opts.get("kind", "report")
        rng_seed = f"linhai/{dept}/{year}/{kind}"
        column_id = DEPT_COLUMNS[opts["column"]][0] if "column" in opts else YEAR_COLUMNS[year]
        title = opts.get("title", "{stem}{year}年政府信息公开工作年度报告").format(stem=stem, year=year)
        if kind == "interpretation":
            title = f"《{title}》解读"
        path = _article_path(published, column_id, random.Random(rng_seed), used)
        path = {"seed": SEED_PATH, "interpretation": INTERPRETATION_PATH}.get(kind, path)
        template = opts.get("template") or ("pre2019" if year < 2019 else "2019" if year < 2021 else "2021")
        declared = opts.get("encoding", "utf-8")
        encoding = "utf-8" if declared == "utf-8" else "gbk"  # gb2312 pages are GBK bytes
        a = Article(
            path=path, title=title, list_title=_list_title(title), publisher=publisher,
            agency=agency, published=published, kind="report" if kind == "seed" else kind,
            status=404 if kind == "dead" else 200, column_id=column_id,
            template=template if kind in ("report", "pdf_report", "seed") else None,
            year=year, encoding=encoding, header_charset=encoding == "utf-8",
            meta_charset={"utf-8": "utf-8", "gbk": None, "gb2312": "gb2312"}[declared],
            date_tag=opts.get("date_tag", "span"), page_style="old" if encoding != "utf-8" else "modern",
        )
        if kind in ("report", "pdf_report"):
            a.stats_source = "generated"
            if template == "pre2019":
                _pre2019(a, opts, rng_seed)
            else:
                links[dept] = _modern(a, opts, rng_seed, links.get(dept))
            def render(article, opts=opts, rng_seed=rng_seed, agency=agency, year=year,
                       template=template):
                return narrative.render_body(narrative.ReportText(
                    agency=agency, year=year, template=template, texts=article.cells,
                    rng_seed=rng_seed, style=opts.get("style", "plain"),
                    heading_variants=opts.get("headings", False),
                    t2_colspan_first=opts.get("colspan_first", False),
                    legacy_numbered=opts.get("numbered", False))) + _signature(article)

            body = render(a)
            a.body_html = body
            if kind == "report":
                a.render = render
        if kind == "pdf_report":
            a.body_html = _attach(a, body[:-len(_signature(a))], attachments)
        elif kind == "seed":
            links[dept] = _SEED_LINK
            a.stats_source = "real_page"
            a.notes = ("Text and tables of the real page (shared/seeds/004_ff89c14eeb936450.txt); "
                       "stats: see the parser's golden file for this seed. Data rows of section 三 "
                       "have 6 cells for 7 columns; the last row prints 0000000.")
            a.body_html = (DATA / "art_67998_body.html").read_text(encoding="utf-8")
        elif kind == "interpretation":
            a.body_html = _interpretation(a)
        elif kind in ("dead", "soft404"):
            a.notes = "listed in the column; the page itself is gone"
        articles.append(a)
    return tuple(articles), attachments


def _signature(a: Article) -> str:
    when = dt.date.fromisoformat(a.published_date)
    date = f"{when.year}年{when.month}月{when.day}日"
    if a.meta_charset == "gb2312":  # 〇 is GBK, not GB2312: the declared charset is too narrow
        digits = "〇一二三四五六七八九"
        year = "".join(digits[int(d)] for d in str(when.year))
        date = f"{year}年{_cn_number(when.month)}月{_cn_number(when.day)}日"
    return (f'\n<p style="text-align:right;">{a.agency}</p>'
            f'\n<p style="text-align:right;">{date}</p>')


def _cn_number(n: int) -> str:
    units = "一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return ((units[tens - 1] if tens > 1 else "") + ("十" if tens else "")
            + (units[ones - 1] if ones else ""))


def _attach(a: Article, body: str, attachments: dict) -> str:
    name = hashlib.md5(a.path.encode()).hexdigest() + ".pdf"
    display = f"{a.title}.pdf"
    href = f"/module/download/downfile.jsp?classid=0&filename={name}"
    lead = (a.agency or "", a.published_date)
    attachments[name] = lambda: pdf.html_to_pdf(a.title, body, lead)
    a.attachments = [{"url": href, "location": f"/attach/0/{name}", "name": display,
                      "content_type": "application/pdf"}]
    a.notes = "the report is only in the PDF attachment; the page has no tables"
    return (f'<p style="text-indent:2em;">{a.agency}{a.year}年政府信息公开工作年度报告详见附件。</p>\n'
            f'<p>附件：</p>\n' + templates.attachment_link(href, display))


def _interpretation(a: Article) -> str:
    return ('<p style="text-align:center;"><img src="/picture/0/2301051010123456789.jpg" '
            'alt="图解年报" border="0"></p>\n'
            '<p style="text-indent:2em;">一、全年共发布信息116条，其中政务工作22条，重点工作16条，'
            '社会监督26条，专项资金9条。</p>\n'
            '<p style="text-indent:2em;">二、全年收到政府信息公开申请2件，均已依法答复。</p>\n'
            '<p style="text-indent:2em;">三、全年未发生政府信息公开行政复议、行政诉讼案件。</p>\n'
            f'<p>原文链接：<a href="{SEED_PATH}">临海市经济和信息化局2022年政府信息公开工作年度报告</a></p>')
