"""The cross-report audit: agency identity across years, and its rows in SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crawler.audit import find_issues, run_audit
from crawler.audit.identity import AgencyReport, agency_keys, index_prefix
from crawler.items import Capture
from nianbao_core.pointer import WarcPointer
from storage.audit import AuditRow
from storage.db import make_engine, upgrade
from storage.export import report_record
from storage.models import ReportIssue
from storage.repository import ReportStore
from tests.databases import database_url

GAOLING_RENAMES = {"gaoling": {"西安市高陵区政务服务中心管理办公室": "西安市高陵区行政审批服务局"}}


def test_index_prefix_takes_organisation_codes_only():
    assert index_prefix("014416330/2018-04736") == "014416330"
    assert index_prefix("01425812-5/2020-00001") == "014258125"
    assert index_prefix("11341702486344515H/202110-00013") == "11341702486344515H"
    assert index_prefix("2020-00001") is None
    assert index_prefix("ABC/2020-1") is None
    assert index_prefix(None) is None


def keys_of(reports, renames=None):
    found = agency_keys(reports, renames or {})
    return {vid: (k.key, k.matched_by) for vid, k in found.items()}


def test_a_registry_rename_joins_the_old_and_the_new_name():
    keys = keys_of([
        AgencyReport(1, "gaoling", 2020, "西安市高陵区政务服务中心管理办公室", None),
        AgencyReport(2, "gaoling", 2021, "西安市高陵区行政审批服务局", None)], GAOLING_RENAMES)
    assert keys == {1: ("gaoling:西安市高陵区行政审批服务局", "rename"),
                    2: ("gaoling:西安市高陵区行政审批服务局", "name")}
    # without the registry they are two agencies
    assert len({k for k, _ in keys_of([
        AgencyReport(1, "gaoling", 2020, "西安市高陵区政务服务中心管理办公室", None),
        AgencyReport(2, "gaoling", 2021, "西安市高陵区行政审批服务局", None)]).values()}) == 2


def test_the_index_prefix_joins_a_rename_the_registry_does_not_know():
    keys = keys_of([
        AgencyReport(1, "gaoling", 2020, "西安市高陵区政务服务中心管理办公室", "61011700X/2021-00003"),
        AgencyReport(2, "gaoling", 2021, "西安市高陵区行政审批服务局", "61011700X/2022-00007")])
    assert keys == {1: ("gaoling:西安市高陵区行政审批服务局", "index_no"),
                    2: ("gaoling:西安市高陵区行政审批服务局", "name")}


def test_a_prefix_shared_by_several_agencies_in_one_year_joins_nothing():
    """A city office publishing every department's report under its own code."""
    keys = keys_of([
        AgencyReport(1, "city", 2021, "某市财政局", "014416330/2022-00001"),
        AgencyReport(2, "city", 2021, "某市教育局", "014416330/2022-00002"),
        AgencyReport(3, "city", 2022, "某市教育局", "014416330/2023-00002")])
    assert keys[1][0] == "city:某市财政局" and keys[2][0] == keys[3][0] == "city:某市教育局"


def test_same_name_on_two_portals_is_two_agencies():
    keys = keys_of([AgencyReport(1, "a", 2021, "区民政局", None),
                    AgencyReport(2, "b", 2022, "区民政局", None)])
    assert keys[1][0] != keys[2][0]


def row(vid, year, stats, agency="西安市高陵区行政审批服务局", portal="gaoling", url=None):
    return AuditRow(vid, portal, url or f"http://h/{vid}.html", year, "2021", agency, None,
                    stats, [])


def test_find_issues_pairs_renamed_agency_years():
    rows = [row(1, 2020, {"applications.carried_forward.total": 2},
                agency="西安市高陵区政务服务中心管理办公室"),
            row(2, 2021, {"applications.carried_over.total": 3})]
    findings, summary = find_issues(rows, GAOLING_RENAMES)
    assert summary.pairs == 1 and dict(summary.issues) == {"cross_carried_over": 1}
    assert [i["earlier_report"] for i in findings.issues[2]] == ["http://h/1.html"]
    assert findings.agency_keys[1] == ("gaoling:西安市高陵区行政审批服务局", "rename")


def test_one_agreeing_report_of_the_year_before_is_enough():
    rows = [row(1, 2020, {"applications.carried_forward.total": 2}, url="http://h/a.html"),
            row(2, 2020, {"applications.carried_forward.total": 3}, url="http://h/b.html"),
            row(3, 2021, {"applications.carried_over.total": 3})]
    findings, _ = find_issues(rows, {})
    assert findings.issues == {}


# -- in the database -------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        yield ReportStore(engine)
        engine.dispose()


def save(store, n, year, stats, agency, issues=()):
    url = f"http://h/art_{n}.html"
    record = {"source": url, "template": "2021", "year": year, "title": f"{agency}{year}年报",
              "agency": agency, "metadata": {"index_no": None}, "stats": stats,
              "issues": list(issues), "parser_version": "test"}
    page = Capture(url=url, status=200, content_type="text/html", body=b"",
                   fetched_at="2026-12-01T10:00:00Z",
                   warc=WarcPointer(file="a.warc.gz", offset=n, length=1,
                                    record_id=f"<urn:uuid:{n}>"))
    return store.save_report(portal="gaoling", record=record, page=page,
                             content_digest=f"sha1:{n}{year}")


def cross_issues(store):
    with store.sessions() as session:
        return sorted(session.execute(select(ReportIssue.version_id, ReportIssue.code,
                                             ReportIssue.where)
                                      .where(ReportIssue.code.like("cross_%"))).all())


def test_audit_stores_issues_on_the_later_report_and_is_idempotent(store):
    old = save(store, 1, 2020, {"applications.carried_forward.total": 2,
                                "active.normative_documents.in_force": 4},
               "西安市高陵区政务服务中心管理办公室")
    new = save(store, 2, 2021, {"applications.carried_over.total": 3,
                                "active.normative_documents.issued": 1,
                                "active.normative_documents.repealed": 0,
                                "active.normative_documents.in_force": 5},
               "西安市高陵区行政审批服务局",
               issues=[{"code": "column_count", "severity": "warning",
                        "where": "applications.granted", "message": "6 values"}])
    summary = run_audit(store, GAOLING_RENAMES)
    assert summary.pairs == 1 and dict(summary.issues) == {"cross_carried_over": 1}
    expected = [(new.version_id, "cross_carried_over", "applications.carried_over.total")]
    assert cross_issues(store) == expected
    run_audit(store, GAOLING_RENAMES)
    assert cross_issues(store) == expected
    # a re-save of the report by the parser keeps the audit's issues and its own
    save(store, 2, 2021, {"applications.carried_over.total": 3,
                          "active.normative_documents.issued": 1,
                          "active.normative_documents.repealed": 0,
                          "active.normative_documents.in_force": 5}, "西安市高陵区行政审批服务局")
    assert cross_issues(store) == expected
    report = next(r for r in store.reports() if r.id == new.report_id)
    record = report_record(report)
    assert record["agency_key"] == "gaoling:西安市高陵区行政审批服务局"
    assert record["agency_matched_by"] == "name"
    issue = next(i for i in record["issues"] if i["code"] == "cross_carried_over")
    assert issue["earlier_report"] == "http://h/art_1.html" and issue["earlier_year"] == 2020
    older = report_record(next(r for r in store.reports() if r.id == old.report_id))
    assert older["agency_matched_by"] == "rename"
    # the earlier report corrected: the issue goes at the next audit
    save(store, 1, 2020, {"applications.carried_forward.total": 3,
                          "active.normative_documents.in_force": 4},
         "西安市高陵区政务服务中心管理办公室")
    assert run_audit(store, GAOLING_RENAMES).issues == {}
    assert cross_issues(store) == []


# -- renames from the portal registry ----------------------------------------------------------
def test_registry_renames_reach_the_audit(tmp_path):
    from scrapy.settings import Settings
    from scrapy.utils.project import get_project_settings

    from crawler.audit.registry import agency_renames

    registry = tmp_path / "portals.toml"
    registry.write_text('''
[[portal]]
name = "gaoling"
full_name = "西安市高陵区人民政府"
region = { province = "陕西省", city = "西安市", county = "高陵区" }
level = "county"
family = "trs"
base_url = "http://www.gaoling.gov.cn"
columns = ["/zwgk/zfxxgknb/index.html"]
agency_renames = { "西安市高陵区政务服务中心管理办公室" = "西安市高陵区行政审批服务局" }
''', encoding="utf-8")
    settings = Settings(get_project_settings().copy_to_dict())
    settings.set("PORTAL_REGISTRY", str(registry))
    renames = agency_renames(settings)
    assert renames["gaoling"] == GAOLING_RENAMES["gaoling"]
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        '"西安市高陵区行政审批服务局" }', '3 }'), encoding="utf-8")
    with pytest.raises(ValueError, match="agency_renames"):
        agency_renames(settings)
