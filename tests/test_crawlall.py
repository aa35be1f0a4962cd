"""``scrapy crawlall`` over two nights of the Linhai replica, and with a portal that is down.

Night 1, then night 2 served at the same address: the second changes file
lists exactly what the replica changed (``replica.linhai.night_changes``),
nothing else. Then two portals, one pointed at a closed port: the other is
crawled in full, the dead one is ``failed``, the exit status is 1, and the
message reaches a local SMTP server and a local webhook.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import select

from crawler.browse.metadata import QUERIES
from replica import serve_site
from replica.linhai import make_site, night_changes, reports
from storage.db import make_engine
from storage.models import Report, ReportVersion
from tests.crawling import scrapy
from tests.receivers import closed_port, smtp_server, webhook_receiver

FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")


def crawlall(root, name, database, base_urls: dict, *args):
    changes = root / f"{name}.json"
    done = scrapy("crawlall", "--changes", str(changes), *args,
                  "-s", f"PORTAL_BASE_URLS={json.dumps(base_urls)}",
                  "-s", f"WARC_DIR={root / 'archive'}", "-s", f"LOG_FILE={root / name}.log",
                  *FAST, database_url=database)
    return done, json.loads(changes.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    root = tmp_path_factory.mktemp("nights")
    database = f"sqlite:///{root}/nianbao.db"
    with serve_site("linhai") as replica:
        base = {"linhai": replica.base_url}
        first = crawlall(root, "c1", database, base, "--portals", "linhai")
        replica.serve(make_site(2))
        second = crawlall(root, "c2", database, base, "--portals", "linhai")
    return {"root": root, "database": database, "base": replica.base_url,
            "first": first, "second": second}


def test_night_one_finds_every_report_new(two_nights):
    done, changes = two_nights["first"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert changes["portals"]["linhai"]["status"] == "ok"
    assert len(changes["new"]) == len(reports()) == changes["portals"]["linhai"]["new"]
    assert changes["edited"] == changes["withdrawn"] == []


def test_night_two_lists_exactly_what_changed(two_nights):
    done, changes = two_nights["second"]
    assert done.returncode == 0, done.stderr[-3000:]
    truth, base = night_changes(2), two_nights["base"]
    assert [c["url"] for c in changes["new"]] == [base + p for p in truth["new"]]
    assert changes["new"][0]["title"] == "临海市卫生健康局2024年政府信息公开工作年度报告"
    (edit,) = changes["edited"]
    (path, changed), = truth["edited"].items()
    assert edit["url"] == base + path and edit["changed"] == changed
    assert edit["before"]["warc_record_id"] != edit["after"]["warc_record_id"]
    for place in (edit["before"], edit["after"]):
        assert (two_nights["root"] / "archive" / "linhai" / place["warc_file"]).exists()
    (gone,) = changes["withdrawn"]
    assert gone["url"] == base + truth["withdrawn"][0] and gone["how"] == "404"
    assert gone["last_seen"] and gone["title"].startswith("临海市人力资源和社会保障局2023年")
    portal = changes["portals"]["linhai"]
    assert (portal["status"], portal["new"], portal["edited"], portal["withdrawn"]) == (
        "ok", 1, 1, 1)
    # every other report was crawled and found unchanged, counters notwithstanding
    assert portal["unchanged"] == len(reports()) - 2
    assert set(changes) == {"run", "portals", "new", "edited", "withdrawn"}
    table = done.stdout.splitlines()
    assert table[0].split() == ["portal", "status", "listed", "new", "edited", "unchanged",
                                "withdrawn", "failures", "seconds"]
    assert table[2].split()[:7] == ["linhai", "ok", str(len(reports()) + 3), "1", "1",
                                    str(len(reports()) - 2), "1"]


def test_the_changes_page_shows_them(two_nights):
    page = (two_nights["root"] / "c2.html").read_text(encoding="utf-8")
    (key, (old, new)), = next(iter(night_changes(2)["edited"].values())).items()
    assert key in page and f"<td class=\"n\">{old}</td><td class=\"n\">{new}</td>" in page
    assert "临海市人力资源和社会保障局2023年" in page and "404" in page
    assert two_nights["second"][1]["run"]["page"].endswith("c2.html")


def test_a_withdrawn_report_is_marked_and_keeps_its_versions(two_nights):
    engine = make_engine(two_nights["database"])
    url = two_nights["base"] + night_changes(2)["withdrawn"][0]
    with engine.connect() as connection:
        report = connection.execute(select(Report).where(Report.source_url == url)).one()
        versions = connection.execute(select(ReportVersion.id).where(
            ReportVersion.report_id == report.id)).all()
    engine.dispose()
    assert report.withdrawn_how == "404" and report.withdrawn_at is not None
    assert len(versions) == 1 and report.latest_version_id == versions[0].id


@pytest.fixture(scope="module")
def one_portal_down(tmp_path_factory):
    root = tmp_path_factory.mktemp("down")
    dead = f"http://127.0.0.1:{closed_port()}"
    with serve_site("linhai") as replica, smtp_server() as (mail_url, mailbox), \
            webhook_receiver() as (hook_url, hooks):
        done, changes = crawlall(
            root, "c", f"sqlite:///{root}/nianbao.db",
            {"linhai": replica.base_url, "linhai_mirror": dead},
            "--portals", "linhai,linhai_mirror,linhai_unbuildable",
            "-s", "SPIDER_MODULES=spiders,tests.nightly_portals",
            # one portal at a time: the next starts (and its crawler is built) when
            # the one before is done
            "-s", "CRAWLALL_CONCURRENT_PORTALS=1",
            "-s", f"NOTIFY_URLS={json.dumps([mail_url, hook_url])}")
        assert mailbox.received.wait(10)
    log = (root / "c.log").read_text(encoding="utf-8")
    return done, changes, mailbox.messages, hooks, log


def test_a_portal_that_is_down_fails_and_the_others_finish(one_portal_down):
    done, changes, _, _, _ = one_portal_down
    assert done.returncode == 1
    linhai, mirror = changes["portals"]["linhai"], changes["portals"]["linhai_mirror"]
    assert linhai["status"] == "ok" and linhai["new"] == len(reports())
    assert mirror["status"] == "failed" and mirror["entries_listed"] == 0
    assert mirror["monitors"]["error_ratio"].startswith("failed: ")
    assert mirror["monitors"]["entries_listed"].startswith("suspicious: ")
    assert {c["portal"] for c in changes["new"]} == {"linhai"}


def test_a_portal_whose_crawler_cannot_be_built_fails_alone(one_portal_down):
    done, changes, _, _, log = one_portal_down
    unbuildable = changes["portals"]["linhai_unbuildable"]
    assert unbuildable["status"] == "failed" and unbuildable["run_id"] is None
    assert unbuildable["monitors"] == {"crawl": "failed: did not start"}
    assert "Portal linhai_unbuildable: its crawler could not be built" in log
    assert "this portal's settings do not load" in log
    assert changes["portals"]["linhai"]["status"] == "ok"


def test_the_night_is_told_by_mail_and_webhook(one_portal_down):
    _, _, messages, hooks, _ = one_portal_down
    (message,) = messages
    assert message["To"] == "watchers@example.org"
    assert f"{len(reports())} new" in message["Subject"] and "2 failed" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "linhai_mirror failed" in body and "Changes: file://" in body
    (hook,) = hooks
    assert f"{len(reports())} new" in json.loads(hook)["title"]


def test_make_browse_has_a_canned_query_of_the_changes(two_nights):
    database = two_nights["database"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        rows = connection.execute(QUERIES["changes_per_crawl"]["sql"],
                                  {"portal": "linhai", "kind": ""}).fetchall()
    night2 = [row for row in rows if row[0] == two_nights["second"][1]["run"]["crawl_run_ids"][
        "linhai"]]
    assert sorted(row[3] for row in night2) == ["edited", "new", "withdrawn"]
    (edited,) = [row for row in night2 if row[3] == "edited"]
    (key, (old, new)), = next(iter(night_changes(2)["edited"].values())).items()
    assert edited[6] == f"{key}: {old} -> {new}"
