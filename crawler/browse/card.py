"""A report card of one agency: one HTML file that opens anywhere, offline.

``render_card(card, font_file)`` fills ``templates/card.html`` (Jinja2, every
value escaped) with the agency's reports by year and their archived captures,
the years missing from its column, the charts of ``card_charts`` as inline
SVG, its figures as a table, and the issues found. No script and no external
resource: the page embeds a subset of the CJK font its text needs
(``fonts.py``). ``scrapy card`` writes it; ``make browse`` serves it at
``/-/card``.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from crawler.browse.card_charts import CARD_FONT, card_charts
from crawler.browse.fonts import font_face_css
from crawler.browse.metadata import RULES
from storage.card import AgencyCard
from storage.figures import FIGURES, GROUP_TITLES

_ENVIRONMENT = Environment(loader=PackageLoader("crawler.browse", "templates"),
                           autoescape=select_autoescape(["html"]))
_FONT_SLOT = "/*nianbao-font*/"


def render_card(card: AgencyCard, font_file: Path | None,
                capture_link: str | None = None) -> str:
    """The page; ``capture_link`` (``/nianbao/captures/{id}`` when Datasette serves it)
    links each WARC pointer to its row of the capture index."""
    page = _ENVIRONMENT.get_template("card.html").render(
        card=card, charts=card_charts(card), figures=FIGURES, group_titles=GROUP_TITLES,
        rules=RULES, font=CARD_FONT, font_css=_FONT_SLOT, capture_link=capture_link)
    # The subset holds the glyphs of the finished page, charts included.
    return page.replace(_FONT_SLOT, font_face_css(CARD_FONT, font_file, page), 1)
