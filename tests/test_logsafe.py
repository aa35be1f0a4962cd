"""Untrusted text reaches the log with its control characters escaped (``crawler/logsafe.py``)."""

from __future__ import annotations

import io
import logging

from crawler.logsafe import EscapeControlCharacters, escape_untrusted

FORGED = "报告\r\n2026-01-01 00:00:00 [scrapy.core.engine] INFO: Spider closed\x1b[2K\x1b[1A"


def test_escape_untrusted_makes_every_control_character_visible():
    escaped = escape_untrusted(FORGED)
    assert "\r" not in escaped and "\n" not in escaped and "\x1b" not in escaped
    assert escaped.startswith("报告\\r\\n2026") and "\\x1b[2K" in escaped
    assert escape_untrusted("\u2028\x85\x7f\t") == "\\u2028\\x85\\x7f\\t"
    assert escape_untrusted("普通标题 2022") == "普通标题 2022"


def test_log_lines_of_untrusted_arguments_cannot_be_forged():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        EscapeControlCharacters()
        logger = logging.getLogger("spiders.test")
        logger.warning("Not a report, archived only: %s (%s)", "http://x/a", FORGED)
        logger.warning("mapping %(title)s", {"title": FORGED})
        logger.warning("own format\nkeeps its line breaks")
    finally:
        root.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("Not a report, archived only: http://x/a (报告\\r\\n2026")
    assert lines[1].startswith("mapping 报告\\r\\n")
    assert lines[2:] == ["own format", "keeps its line breaks"]
    assert "\x1b" not in stream.getvalue()


def test_scrapy_listings_keep_their_line_breaks_but_lose_escapes():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        EscapeControlCharacters()
        logging.getLogger("scrapy.middleware").warning("Enabled:\n%(list)s",
                                                    {"list": "['a',\n 'b'\x1b[2K]"})
    finally:
        root.removeHandler(handler)
    assert stream.getvalue() == "Enabled:\n['a',\n 'b'\\x1b[2K]\n"
