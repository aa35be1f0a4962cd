"""crawler/nightly/page.py: the changes page a person reads."""

from __future__ import annotations

from crawler.nightly.page import render
from crawler.nightly.report import NightReport, PortalResult
from storage.changes import EditedReport, RunChanges, WarcPlace


def test_a_text_only_edit_shows_its_diff_and_titles_are_escaped():
    edit = EditedReport("http://h/b.html", "<script>alert(1)</script>某局2021年报告", "p0", {},
                        WarcPlace("a.warc.gz", 10, "<urn:uuid:1>"),
                        WarcPlace("b.warc.gz", 20, "<urn:uuid:2>"),
                        "--- before\n+++ after\n-旧的一句\n+新的一句")
    report = NightReport("2025-01-21T18:30:00+00:00", "2025-01-21T18:40:00+00:00",
                         {"p0": PortalResult("p0", "suspicious", 3,
                                             monitors={"entries_listed": "suspicious: 2 < 47"})},
                         RunChanges(edited=[edit]))
    page = render(report)
    assert "The text changed; no number did." in page
    assert "+新的一句" in page and "a.warc.gz @ 10" in page and "b.warc.gz @ 20" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert '<tr class="suspicious"><td>p0</td>' in page and "suspicious: 2 &lt; 47" in page
