"""Property tests: random consistent tables, rendered as HTML and as each text
layout, parse back exactly; random corruption is flagged or absorbed, never
silently wrong."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parser import parse_report
from tests.parser.render import LAYOUTS, render_html, render_text
from tests.parser.strategies import valid_stats

TEMPLATES = st.sampled_from(["2019", "2021"])
SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _diff(record: dict, truth: dict) -> dict:
    stats = record["stats"]
    return {k: (stats.get(k, "<absent>"), v) for k, v in truth.items() if stats.get(k, "<absent>") != v}


def _assert_exact(record: dict, truth: dict, template: str) -> None:
    assert _diff(record, truth) == {}
    assert set(record["stats"]) == set(truth)
    assert record["template"] == template
    assert [i for i in record["issues"] if i["severity"] != "info"] == []


@SETTINGS
@given(data=st.data(), template=TEMPLATES, split_at=st.one_of(st.none(), st.integers(0, 30)),
       split_review=st.booleans(), br=st.booleans(),
       money_style=st.sampled_from(["plain", "yuan"]))
def test_html_round_trip(data, template, split_at, split_review, br, money_style) -> None:
    truth = data.draw(valid_stats(template))
    html = render_html(truth, template, split_at=split_at, split_review=split_review, br=br,
                       money_style=money_style)
    encoding = data.draw(st.sampled_from(["utf-8", "gb18030"]))
    raw = html.replace('charset="utf-8"', f'charset="{encoding}"').encode(encoding)
    record = parse_report(raw, url="http://example.gov.cn/a.html")
    _assert_exact(record, truth, template)


@SETTINGS
@given(data=st.data(), template=TEMPLATES, layout=st.sampled_from(LAYOUTS))
def test_text_layouts_round_trip(data, template, layout) -> None:
    truth = data.draw(valid_stats(template))
    record = parse_report(render_text(truth, template, layout), filename="report.txt")
    _assert_exact(record, truth, template)


# -- corruption ---------------------------------------------------------------

def _value_positions(rows, name):
    return [(r, c) for r, row in enumerate(rows) for c, (text, _, _) in enumerate(row)
            if name != "review" and c > 0 and (text == "" or text.lstrip("+-").replace(".", "")
                                              .replace("元", "").isdigit())
            or name == "review" and r == 3]


def corruption(kind: str, table: str, pick: int):
    def mutate(name, rows):
        if name != table:
            return
        spots = _value_positions(rows, name)
        if not spots:
            return
        r, c = spots[pick % len(spots)]
        row = rows[r]
        if kind == "drop_cell":
            del row[c]
        elif kind == "merge_digits":
            if c + 1 < len(row) and row[c + 1][0] and row[c][0]:
                row[c] = (row[c][0] + row[c + 1][0], 1, 1)
                del row[c + 1]
            else:
                row[c] = ("0" + (row[c][0] or "0"), 1, 1)
        elif kind == "swap_rows" and name == "applications":
            plain = [i for i, rw in enumerate(rows) if i > 3 and len(rw) == 8]
            if len(plain) >= 2:
                i, j = plain[pick % len(plain)], plain[(pick // 7 + 1) % len(plain)]
                rows[i], rows[j] = rows[j], rows[i]
    return mutate


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), template=TEMPLATES,
       kind=st.sampled_from(["drop_cell", "merge_digits", "swap_rows"]),
       table=st.sampled_from(["active", "applications", "review"]),
       fmt=st.sampled_from(("html",) + LAYOUTS), pick=st.integers(0, 10_000))
def test_corruption_is_flagged_or_absorbed(data, template, kind, table, fmt, pick) -> None:
    truth = data.draw(valid_stats(template))
    mutate = corruption(kind, table, pick)
    if fmt == "html":
        record = parse_report(render_html(truth, template, mutate=mutate), filename="a.html")
    else:
        record = parse_report(render_text(truth, template, fmt, mutate=mutate), filename="a.txt")
    wrong = {k: v for k, v in _diff(record, truth).items() if v[0] is not None}
    flagged = [i for i in record["issues"] if i["severity"] in ("warning", "error")]
    if wrong or _diff(record, truth):
        assert flagged, f"silently wrong or lost: {list(_diff(record, truth).items())[:5]}"
