"""The night's changes as an HTML page (Jinja2, autoescaped: titles come from portals)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from crawler.nightly.report import NightReport

_env = Environment(loader=PackageLoader("crawler.nightly", ""),
                   autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


def render(report: NightReport) -> str:
    return _env.get_template("changes.html").render(
        report=report, changes=report.changes, totals=report.totals())


def write(report: NightReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report), encoding="utf-8")
