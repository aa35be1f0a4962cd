"""The WARC settings, parsed once into a config that refuses contradictions (no crawl)."""

from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.warc.archive import WarcConfig


def settings(**overrides) -> Settings:
    values = Settings()
    values.setmodule("crawler.settings", priority="project")
    values.update(overrides, priority="cmdline")
    return values


def test_defaults():
    config = WarcConfig.from_settings(settings(), "linhai")
    assert config == WarcConfig(Path("archive/linhai"), "nianbao", 1_000_000_000, True)


def test_explicit_values():
    config = WarcConfig.from_settings(settings(WARC_DIR="/tmp/w", WARC_PREFIX="lh",
                                               WARC_MAX_SIZE="5000", WARC_REVISITS="False"),
                                      "linhai")
    assert config == WarcConfig(Path("/tmp/w"), "lh", 5000, False)
    config = WarcConfig.from_settings(settings(WARC_REVISIT_REQUESTS="True"), "linhai")
    assert config.revisits and config.revisit_requests


@pytest.mark.parametrize("overrides, message", [
    ({"WARC_MAX_SIZE": 0}, "WARC_MAX_SIZE"),
    ({"WARC_MAX_SIZE": -5}, "WARC_MAX_SIZE"),
    ({"WARC_PREFIX": "a/b"}, "WARC_PREFIX"),
    ({"WARC_CAPTURE_INDEX": ""}, "WARC_REVISITS needs the capture index"),
    ({"WARC_REPLAY": "archive/linhai"}, "WARC_ENABLED must be off"),
    ({"WARC_REVISITS": False, "WARC_REVISIT_REQUESTS": True}, "WARC_REVISITS is off"),
])
def test_contradictions_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        WarcConfig.from_settings(settings(**overrides), "linhai")


def test_revisits_off_need_no_capture_index():
    config = WarcConfig.from_settings(settings(WARC_CAPTURE_INDEX="", WARC_REVISITS=False), "x")
    assert not config.revisits
