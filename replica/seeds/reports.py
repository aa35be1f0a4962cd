"""Generated reports for the seed-portal replicas' columns (``replica.reportgen``).

Consistent numbers seeded per report, printed in the tables and told in the
narrative, exactly as the Linhai replica's generated reports are. An agency's
reports of consecutive years agree with each other as the statute wants (S3:
上年结转 = last year's 结转下年度; S3b: 现行有效件数 follows from last year's):
a report's numbers are generated from those its year before hands on (the
catalogs seed reports ``<portal>[/<agency>]/<year>``, so the year before is
the same seed with the year before), and next to a real seed report they
agree with its real figures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from replica.reportgen import legacy, narrative, stats as gen
from replica.reportgen.tables import format_number


@dataclass
class GeneratedReport:
    body_html: str
    template: str
    stats: dict
    legacy_indicators: list


def template_of(year: int) -> str:
    return "pre2019" if year < 2019 else "2019" if year < 2021 else "2021"


# The real seed reports standing between generated years of the same agency
# (tests/parser/golden/truth): 天水郡街道 2021 (seed 002) and 县信访局 2020 (seed 001) carry
# nothing over and forward nothing, and print the 2019 form's 表二 (no 现行有效件数).
_REAL_LINKS = {
    "tianshuijun/2021": gen.YearLink({col: 0 for col in gen.K.APPLICANT_KEYS}),
    "xinfang/2020": gen.YearLink({col: 0 for col in gen.K.APPLICANT_KEYS}),
}


def _seed_of(rng_seed: str, year: int, other: int) -> str | None:
    head, _, last = rng_seed.rpartition("/")
    return f"{head}/{other}" if last == str(year) else None


@cache
def _numbers(rng_seed: str, year: int, scale: str) -> dict:
    """The stats of a generated 2019/2021-form report, chained to its neighbours."""
    template = template_of(year)
    before = _seed_of(rng_seed, year, year - 1)
    after = _seed_of(rng_seed, year, year + 1)
    previous = None
    if before in _REAL_LINKS:
        previous = _REAL_LINKS[before]
    elif before is not None and template_of(year - 1) != "pre2019":
        previous = gen.year_link(_numbers(before, year - 1, scale), template_of(year - 1))
    return gen.generate(template, random.Random(rng_seed), scale, previous,
                        _REAL_LINKS.get(after))


def generate(agency: str, year: int, rng_seed: str, scale: str = "department",
             style: str = "plain") -> GeneratedReport:
    template = template_of(year)
    rng = random.Random(rng_seed)
    if template == "pre2019":
        values = legacy.generate(rng, scale)
        texts = {k: format_number(v) for k, v in values.items()}
        stats, indicators = {}, legacy.indicators(values)
    else:
        numbers = dict(_numbers(rng_seed, year, scale))
        texts = {k: format_number(v) for k, v in numbers.items()}
        stats, indicators = dict(numbers), []
    body = narrative.render_body(narrative.ReportText(
        agency=agency, year=year, template=template, texts=texts, rng_seed=rng_seed,
        style=style))
    return GeneratedReport(body, template, stats, indicators)
