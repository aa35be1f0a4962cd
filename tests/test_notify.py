"""crawler/nightly/notify.py and report.py in process: the message, when it is sent, the table."""

from __future__ import annotations

import json

from crawler.nightly.notify import message, notify, urls_from_setting
from crawler.nightly.report import NightReport, PortalResult
from storage.changes import EditedReport, NewReport, RunChanges, WarcPlace, WithdrawnReport
from tests.receivers import smtp_server, webhook_receiver


def night(changes: RunChanges, *statuses: str) -> NightReport:
    portals = {f"p{n}": PortalResult(f"p{n}", status, n, entries_listed=10)
               for n, status in enumerate(statuses or ("ok",))}
    return NightReport("2025-01-21T18:30:00+00:00", "2025-01-21T18:40:00+00:00", portals,
                       changes, page_url="https://example.org/nightly/2025-01-21.html")


CHANGES = RunChanges(
    new=[NewReport("http://h/a.html", "某局2024年政府信息公开工作年度报告", "p0")],
    edited=[EditedReport("http://h/b.html", "某局2021年报告", "p0",
                         {"active.regulations.issued": [0, 2]},
                         WarcPlace("a.warc.gz", 10, "<urn:uuid:1>"),
                         WarcPlace("b.warc.gz", 20, "<urn:uuid:2>"))],
    withdrawn=[WithdrawnReport("http://h/c.html", "某局2023年报告", "p0",
                               "2025-01-20T18:31:00+00:00", "404")])


def test_a_quiet_night_tells_nobody():
    assert notify(night(RunChanges()), ["json://127.0.0.1:9/never"]) is None
    assert notify(night(CHANGES), []) is None


def test_the_message_has_the_counts_the_failures_and_the_link():
    title, body = message(night(CHANGES, "ok", "failed"))
    assert title == ("年报夜间抓取 2025-01-21: 1 new, 1 edited, 1 withdrawn, 1 failed")
    assert "p1 failed" in body and body.endswith(
        "Changes: https://example.org/nightly/2025-01-21.html")


def test_a_failed_portal_alone_is_worth_a_message():
    with webhook_receiver() as (url, received):
        assert notify(night(RunChanges(), "failed"), [url]) is True
    (sent,) = received
    assert "0 new" in json.loads(sent)["title"]


def test_mail_and_webhook_both_get_it():
    with smtp_server() as (mail, mailbox), webhook_receiver() as (hook, received):
        assert notify(night(CHANGES), urls_from_setting(json.dumps([mail, hook]))) is True
    (mail_message,) = mailbox.messages
    assert "1 edited" in mail_message["Subject"]
    assert "Edited reports: 1" in mail_message.get_body(("plain",)).get_content()
    assert len(received) == 1


def test_an_unusable_url_is_said_not_sent():
    assert notify(night(CHANGES), ["nonsense-scheme://x"]) is False


def test_notify_urls_setting_forms():
    assert urls_from_setting("") == []
    assert urls_from_setting("json://a/b, mailto://c") == ["json://a/b", "mailto://c"]
    assert urls_from_setting('["mailto://x?to=a,b"]') == ["mailto://x?to=a,b"]
    assert urls_from_setting(["json://a"]) == ["json://a"]


def test_the_changes_json_has_the_issue_shape():
    data = night(CHANGES).as_json()
    assert set(data) == {"run", "portals", "new", "edited", "withdrawn"}
    assert data["portals"]["p0"]["status"] == "ok"
    assert set(data["new"][0]) == {"url", "title", "portal"}
    assert set(data["edited"][0]) == {"url", "title", "portal", "changed", "before", "after"}
    assert data["edited"][0]["changed"] == {"active.regulations.issued": [0, 2]}
    assert set(data["withdrawn"][0]) == {"url", "title", "portal", "last_seen", "how"}
