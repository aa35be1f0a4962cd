"""Telling someone what the night brought, through apprise (e-mail, webhooks, chat…).

``NOTIFY_URLS`` lists apprise URLs (``mailtos://…``, ``json://host/path``,
``tgram://…``); a message goes out when something is new, edited or
withdrawn, or a portal failed or looks suspicious. Its body has the night's
counts, the portals that did not go right, and the link to the changes page.
"""

from __future__ import annotations

import json
import logging

import apprise

from crawler.nightly.report import NightReport

logger = logging.getLogger(__name__)


def urls_from_setting(value) -> list[str]:
    """``NOTIFY_URLS`` as a list: a list, a JSON list, or comma-separated text."""
    if not value:
        return []
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else text.split(",")
    return [u.strip() for u in value if u and u.strip()]


def message(report: NightReport) -> tuple[str, str]:
    t = report.totals()
    title = (f"年报夜间抓取 {report.started_at[:10]}: {t['new']} new, {t['edited']} edited, "
             f"{t['withdrawn']} withdrawn, {t['failed']} failed")
    lines = [f"Portals crawled: {len(report.portals)}; failed: {t['failed']}; "
             f"suspicious: {t['suspicious']}",
             f"New reports: {t['new']}", f"Edited reports: {t['edited']}",
             f"Withdrawn reports: {t['withdrawn']}"]
    for portal in report.portals.values():
        if portal.status != "ok":
            reasons = "; ".join(f"{m}: {r}" for m, r in portal.monitors.items())
            lines.append(f"{portal.name} {portal.status}: {reasons}")
    if report.page_url:
        lines.append(f"Changes: {report.page_url}")
    return title, "\n".join(lines)


def notify(report: NightReport, urls: list[str]) -> bool | None:
    """Send the night's message to ``urls``; None when there was nothing to send."""
    if not urls or not report.anything_to_tell:
        return None
    targets = apprise.Apprise()
    for url in urls:
        if not targets.add(url):
            logger.error("Not an apprise URL this installation can send to: %s", url)
    if not len(targets):
        return False
    title, body = message(report)
    sent = targets.notify(title=title, body=body)
    if not sent:
        logger.error("The nightly notification was not delivered to every target")
    return bool(sent)
