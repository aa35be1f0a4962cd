"""Generated reports for the seed-portal replicas' columns (``replica.reportgen``).

Consistent numbers seeded per report, printed in the tables and told in the
narrative, exactly as the Linhai replica's generated reports are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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


def generate(agency: str, year: int, rng_seed: str, scale: str = "department",
             style: str = "plain") -> GeneratedReport:
    template = template_of(year)
    rng = random.Random(rng_seed)
    if template == "pre2019":
        values = legacy.generate(rng, scale)
        texts = {k: format_number(v) for k, v in values.items()}
        stats, indicators = {}, legacy.indicators(values)
    else:
        numbers = gen.generate(template, rng, scale, {})
        texts = {k: format_number(v) for k, v in numbers.items()}
        stats, indicators = dict(numbers), []
    body = narrative.render_body(narrative.ReportText(
        agency=agency, year=year, template=template, texts=texts, rng_seed=rng_seed,
        style=style))
    return GeneratedReport(body, template, stats, indicators)
