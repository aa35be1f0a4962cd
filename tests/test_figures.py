"""``storage/figures.py`` (the figures charted across forms) and what shows them, without a browser.

The mapping names real stat keys of each form; a figure made of several keys
has no value when one is blank; the level of an agency is the same in SQL and
in Python; names from hostile portals are escaped wherever they are shown.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from crawler.browse.card import render_card
from crawler.browse.dashboards import dashboards
from nianbao_core.pointer import WarcPointer
from nianbao_core.stat_keys import stat_keys
from storage.card import AgencyCard, ArchivedCapture, CardIssue, CardReport
from storage.figures import (
    BY_NAME,
    FIGURES,
    PLACES_TABLE,
    TOWN_LEVEL,
    figure_value,
    level_of,
    level_sql,
)
from storage.models import Base

HOSTILE = '临海市<img src=x onerror="alert(1)">局'


def test_every_figure_reads_keys_its_form_has():
    for figure in FIGURES:
        assert figure.keys, figure.name
        for template, keys in figure.keys.items():
            assert keys and set(keys) <= set(stat_keys(template)), (figure.name, template)
    # the one row the two forms print differently
    assert BY_NAME["other"].keys == {
        "2019": ("applications.other.total.total",),
        "2021": ("applications.other.no_correction.total", "applications.other.no_fee.total",
                 "applications.other.other.total")}
    assert "2019" not in BY_NAME["regulations.issued"].keys


def test_a_sum_with_a_blank_part_has_no_value():
    other = BY_NAME["other"]
    stats = {"applications.other.no_correction.total": 1.0,
             "applications.other.no_fee.total": None, "applications.other.other.total": 2.0}
    assert figure_value(other, "2021", stats) is None
    stats["applications.other.no_fee.total"] = 0.0
    assert figure_value(other, "2021", stats) == 3.0
    assert figure_value(other, "pre2019", stats) is None
    assert figure_value(BY_NAME["granted"], "2019", {}) is None


@pytest.mark.parametrize("portal_level", [None, "province", "city", "county", "township",
                                          "department"])
def test_level_is_the_same_in_sql_and_python(portal_level):
    agencies = ["临海市人民政府", "临海市人民政府办公室", "临海市教育局", "临海市杜桥镇",
                "临海市古城街道", "某某乡人民政府", "某某街道办事处", "人民政府研究室", None]
    with closing(sqlite3.connect(":memory:")) as connection:
        for agency in agencies:
            sql = f"select {level_sql('a', 'l')} from (select ? as a, ? as l)"
            [(level,)] = connection.execute(sql, (agency, portal_level)).fetchall()
            assert level == level_of(agency, portal_level), agency
    assert level_of("临海市杜桥镇", "county") == TOWN_LEVEL
    assert level_of("临海市教育局", "county") == "县级部门 / county department"
    assert level_of("临海市人民政府", "city") == "市级政府 / city government"


def _hostile_database(path) -> sqlite3.Connection:
    """A database of one report whose agency name carries HTML."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    connection = sqlite3.connect(path)
    now = "2024-01-01 00:00:00"
    connection.executescript(f"""
        insert into portals (id, name, title) values (1, 'evil', '某某<b>县</b>人民政府');
        insert into captures (id, url, fetched_at, status) values (1, 'http://x/1', '{now}', 200);
        insert into reports (id, portal_id, source_url, first_seen_at, last_seen_at)
          values (1, 1, 'http://x/1', '{now}', '{now}');
        insert into report_versions (id, report_id, content_digest, capture_id, template, year,
          agency, first_seen_at, parsed_at)
          values (1, 1, 'd', 1, '2021', 2022, '{HOSTILE}', '{now}', '{now}');
        update reports set latest_version_id = 1;
        create temp table {PLACES_TABLE} (name text primary key, region text, level text);
    """)
    return connection


def test_the_agency_table_of_the_dashboards_escapes_names(tmp_path):
    """datasette-dashboards writes table cells as innerHTML: the SQL escapes them."""
    sql = re.sub(r"\[\[.*?\]\]", "", dashboards("nianbao")["quality"]["charts"]["cards"]
                 ["query"])
    with closing(_hostile_database(tmp_path / "hostile.db")) as connection:
        [(link, reports, years)] = connection.execute(sql).fetchall()
    assert "<img" not in link and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in link
    assert link.startswith('<a href="/-/card?version=1">') and (reports, years) == (1, "2022–2022")


def test_the_card_escapes_what_portals_wrote(tmp_path):
    capture = ArchivedCapture(1, 'http://x/"><script>alert(1)</script>', None,
                              WarcPointer("a.warc.gz", 0, "<urn:uuid:1>"))
    report = CardReport(
        year=2022, template="2021", title="<script>alert(2)</script>", published_date=None,
        source_url="http://x/1?a=1&b=<2>", portal="evil", versions=1, page=capture,
        document=None, issues=(CardIssue("rule_row_total", "error", "<where>",
                                         "<script>alert(3)</script>"),),
        figures={figure.name: 1.0 for figure in FIGURES})
    card = AgencyCard(HOSTILE, ("某某县人民政府",), (report,), (2021, 2022), (2021,),
                      datetime(2024, 1, 1, tzinfo=UTC))
    page = render_card(card, None)
    assert "<script" not in page and "<img" not in page and "<where>" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert 'href="http://x/1?a=1&amp;b=&lt;2&gt;"' in page
