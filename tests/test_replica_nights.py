"""The Linhai replica through nights: night 1 is today's site, night 2 has its changes."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from replica import serve_site
from replica.linhai import catalog, make_site, night_changes
from replica.server import Request

COLUMN = "/col/col1229317620/index.html"


def get(site, path: str):
    return site.handle(Request("GET", path, path, {}, {}))


def listed(site) -> set[str]:
    return {a.path for a in site.listed}


def test_night_one_is_the_replica_as_built():
    default, night1 = make_site(), make_site(1)
    assert listed(default) == listed(night1) == {a.path for a in catalog}
    for path in [COLUMN, *sorted(listed(default))]:
        assert get(default, path).body == get(night1, path).body, path


def test_night_two_adds_edits_and_withdraws_one_report_each():
    changes = night_changes(2)
    assert len(changes["new"]) == len(changes["edited"]) == len(changes["withdrawn"]) == 1
    (edited_path, changed), = changes["edited"].items()
    (key, (old, new)), = changed.items()
    assert old != new and key.startswith("active.")
    night1, night2 = make_site(1), make_site(2)
    assert listed(night2) == listed(night1) - set(changes["withdrawn"]) | set(changes["new"])
    assert get(night2, edited_path).body != get(night1, edited_path).body
    assert night2.by_path[edited_path].cells[key] == str(new)
    assert get(night2, changes["withdrawn"][0]).status == 404
    assert get(night1, changes["withdrawn"][0]).status == 200
    assert get(night1, changes["new"][0]).status == 404
    new_page = get(night2, changes["new"][0])
    assert new_page.status == 200 and "2024年政府信息公开工作年度报告".encode() in new_page.body
    assert night_changes(3) == {"new": [], "edited": {}, "withdrawn": []}


def test_counters_change_on_every_modern_page_and_nothing_else_does():
    night2, night3 = make_site(2), make_site(3)
    hits = re.compile(rb'<span id="hits">(\d+)</span>')
    modern = [a for a in night2.listed
              if a.page_style == "modern" and a.kind not in ("dead", "soft404")]
    assert len(modern) > 30
    for article in modern:
        two, three = get(night2, article.path).body, get(night3, article.path).body
        count2, count3 = int(hits.search(two).group(1)), int(hits.search(three).group(1))
        assert count3 > count2
        assert hits.sub(b"", two) == hits.sub(b"", three), article.path


def test_nights_before_the_first_are_refused():
    with pytest.raises(ValueError):
        make_site(0)


def test_command_line_serves_night_two():
    process = subprocess.Popen([sys.executable, "-m", "replica", "linhai", "--night", "2",
                                "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        ready = process.stdout.readline().split()
        assert ready[0] == "READY"
        withdrawn = night_changes(2)["withdrawn"][0]
        with pytest.raises(urllib.error.HTTPError) as gone:
            urllib.request.urlopen(ready[1] + withdrawn, timeout=10)
        assert gone.value.code == 404
        with urllib.request.urlopen(ready[1] + night_changes(2)["new"][0], timeout=10) as page:
            assert page.status == 200
    finally:
        process.terminate()
        process.stdout.close()
        assert process.wait(timeout=10) == 0


def test_serve_site_takes_a_night():
    with serve_site("linhai", night=2) as server:
        assert len(server.site.listed) == len(catalog)  # one added, one withdrawn
        assert set(night_changes(2)["new"]) <= listed(server.site)
