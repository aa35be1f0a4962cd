"""In-document soft rules: S1 (cell level), S2 表二（一）, S4 narrative vs table."""

from __future__ import annotations

from crawler.parser import parse_report
from nianbao_core.stat_keys import stat_keys
from tests.parser.render import render_html
from tests.parser.test_rules_legacy import ROWS, _html, _set


def _zero(template: str) -> dict:
    return {k: 0 for k in stat_keys(template)}


def _consistent(template: str = "2021") -> dict:
    """新收 5, 上年结转 1, 办结 6 (all 予以公开), 结转 0; 复议 1; 诉讼 2 (直接起诉)."""
    stats = _zero(template)
    for col in ("natural_person", "total"):
        stats |= {f"applications.new_received.{col}": 5, f"applications.carried_over.{col}": 1,
                  f"applications.granted.{col}": 6, f"applications.total.{col}": 6}
    stats |= {"review_litigation.review.upheld": 1, "review_litigation.review.total": 1,
              "review_litigation.litigation_direct.pending": 2,
              "review_litigation.litigation_direct.total": 2}
    return stats


def _issues(stats: dict, template: str = "2021", text: str = "概述。") -> list[tuple[str, str, str]]:
    html = render_html(stats, template).replace("<p>概述。</p>", f"<p>{text}</p>")
    record = parse_report(html)
    return [(i["code"], i["severity"], i["where"]) for i in record["issues"]]


# -- S1: already checked where each cell is read --------------------------------------
def test_s1_signs_and_fractions_are_cell_level_codes() -> None:
    stats = _zero("2019") | {"active.licensing.previous_year": 5, "active.licensing.change": -2,
                             "active.procurement.amount": 12.5}
    assert _issues(stats, "2019") == []  # 本年增/减 may be negative; 万元 may be decimal
    html = render_html(_zero("2019"), "2019").replace(
        "<td><p>0</p></td></tr>", "<td><p>-1</p></td></tr>", 1)  # 规章 对外公开总数量
    issues = [(i["code"], i["where"]) for i in parse_report(html)["issues"]]
    assert issues == [("negative_value", "active.regulations.total_published")]
    html = render_html(_zero("2019"), "2019").replace(
        "<td><p>0</p></td></tr>", "<td><p>1.5</p></td></tr>", 1)
    issues = [(i["code"], i["where"]) for i in parse_report(html)["issues"]]
    assert issues == [("non_integer", "active.regulations.total_published")]


# -- S2 ---------------------------------------------------------------------------------
def test_s2_new_published_not_above_total_published() -> None:
    stats = _zero("2019") | {"active.normative_documents.new_made": 3,
                             "active.normative_documents.new_published": 3,
                             "active.normative_documents.total_published": 40}
    assert _issues(stats, "2019") == []
    stats["active.normative_documents.total_published"] = 2
    assert _issues(stats, "2019") == [("published_exceeds_total", "warning",
                                       "active.normative_documents.new_published")]
    stats["active.normative_documents.total_published"] = None  # blank: not filled, not checked
    assert _issues(stats, "2019") == []


# -- S4 ---------------------------------------------------------------------------------
AGREES = ("2022年，本局共收到政府信息公开申请5件，上年结转1件，办结6件，结转下年度继续办理0件。"
          "本年度因政府信息公开工作被申请行政复议1件，被提起行政诉讼2件。")


def test_s4_agreeing_text_has_no_issue() -> None:
    assert _issues(_consistent(), text=AGREES) == []
    assert _issues(_consistent(), text="共受理政府信息公开申请 5 件，答复 6 件（含上年度结转申请 1 件，"
                                       "另有 0 件顺延到下年度答复）。信息公开类行政复议1件，诉讼2件。") == []


def test_s4_each_quantity_against_its_cell() -> None:
    cases = {
        "共收到政府信息公开申请7件。": "applications.new_received.total",
        "收到依申请公开7件。": "applications.new_received.total",
        "本年度未收到政府信息公开申请。": "applications.new_received.total",
        "上年结转3件。": "applications.carried_over.total",
        "结转下年度继续办理2件。": "applications.carried_forward.total",
        "另有2件申请按照《条例》顺延到下年度答复。": "applications.carried_forward.total",
        "全年办结9件。": "applications.total.total",
        "因政府信息公开工作被申请行政复议3件。": "review_litigation.review.total",
        "政府信息公开行政诉讼 5 件，其中结果维持 5 件。": "review_litigation.litigation_*.total",
        "信息公开类行政复议1件，诉讼9件。": "review_litigation.litigation_*.total",
    }
    for text, where in cases.items():
        assert _issues(_consistent(), text=text) == [("narrative_mismatch", "warning", where)], text


def test_s4_message_quotes_text_and_table() -> None:
    html = render_html(_consistent(), "2021").replace("<p>概述。</p>", "<p>共收到政府信息公开申请7件。</p>")
    [found] = parse_report(html)["issues"]
    assert "7" in found["message"] and "table says 5" in found["message"]


def test_s4_ambiguous_sentences_are_not_flagged() -> None:
    for text in (
        "全市各级行政机关共收到政府信息公开申请99件。",  # a wider scope than the table
        "2021年收到政府信息公开申请3件，2022年收到5件。",  # another year
        "较去年收到申请3件有所增加。",
        "通过网上收到申请3件，信函申请2件。",  # one channel
        "收到自然人申请4件。",  # one applicant type
        "共收到申请6件（含上年结转1件）。",  # includes another quantity
        "政府信息公开行政复议和行政诉讼共3件。",  # two quantities in one number
        "全年共办理行政复议案件120件。",  # not about 信息公开
        "按时答复4件。",
        "收到申请7件。共收到申请8件。",  # the text contradicts itself: not unambiguous
    ):
        assert _issues(_consistent(), text=text) == [], text


def test_s4_one_agreeing_sentence_is_enough() -> None:
    text = "全市共受理申请9件。本机关共收到政府信息公开申请5件。"
    assert _issues(_consistent(), text=text) == []


def test_s4_unreadable_or_blank_cells() -> None:
    stats = _consistent() | {"applications.new_received.total": None}  # 总计 not filled
    assert ("narrative_mismatch", "warning", "applications.new_received.total") in _issues(
        stats, text="共收到政府信息公开申请7件。")
    assert [c for c, _, _ in _issues(stats, text="共收到政府信息公开申请5件。")] == [
        "total_not_filled"]


def test_s4_pre2019_narrative_against_the_legacy_table() -> None:
    def codes(rows, text):
        html = _html(rows).replace("<p>附件：", f"<p>{text}</p><p>附件：", 1)
        return [(i["code"], i["where"]) for i in parse_report(html)["issues"]]
    text = "2017年，全年共收到政府信息公开申请10件。本年度发生政府信息公开行政复议2件，行政诉讼1件。"
    assert codes(ROWS, text) == []
    assert codes(ROWS, text.replace("申请10件", "申请12件")) == [
        ("narrative_mismatch", "legacy:（一）收到申请数")]
    assert codes(ROWS, text.replace("行政诉讼1件", "行政诉讼3件")) == [
        ("narrative_mismatch", "legacy:五、行政诉讼数量")]
    rows = _set(ROWS, "四、行政复议数量", "")  # blank is 0 (and not filled: its items sum to 2)
    assert ("narrative_mismatch", "legacy:四、行政复议数量") in codes(rows, text)
