"""deploy/: the systemd units and the crontab line run what the project has."""

from __future__ import annotations

import configparser
import re
import shlex

from tests.crawling import PROJECT, scrapy

DEPLOY = PROJECT / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def test_the_timer_starts_the_service_nightly():
    timer = unit("nianbao-nightly.timer")
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:00 Asia/Shanghai", timer["Timer"]["OnCalendar"])
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    service = unit("nianbao-nightly.service")
    assert service["Service"]["Type"] == "oneshot"
    command = service["Service"]["ExecStart"]
    assert "scrapy crawlall --changes" in command and "%%F" in command  # %% is systemd's %


def test_the_crontab_line_runs_crawlall_nightly():
    lines = [line for line in (DEPLOY / "crontab").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines[0] == "CRON_TZ=Asia/Shanghai"
    minute, hour, *days, command = lines[1].split(None, 5)
    assert (minute, hour, days) == ("30", "2", ["*", "*", "*"])
    assert "scrapy crawlall --changes" in command and "\\%F" in command  # % escaped for cron
    shlex.split(command.replace("\\%", "%"))  # a well-formed shell line


def test_the_options_the_units_use_exist():
    done = scrapy("crawlall", "--help", database_url="sqlite://")
    assert done.returncode == 0
    for option in ("--changes", "--portals", "--region", "--level", "--html"):
        assert option in done.stdout
