"""Log lines that a portal cannot forge: control characters of untrusted text escaped.

Titles, URLs and agency names come from the portal. Written raw, a title with
CR/LF starts what looks like a new log line of the crawler's own, and ANSI
escape sequences recolour, hide or rewrite a terminal's lines. Untrusted text
reaches the log as the *arguments* of a log call (``logger.info("… %s",
title)``), never as its format, so ``EscapeControlCharacters`` (an extension,
``LOG_ESCAPE_CONTROL_CHARACTERS``) escapes the control characters of every
string argument of every record that reaches the root logger's handlers; the
format strings, tracebacks and the stats dump, which are the crawler's own,
keep their line breaks.
"""

from __future__ import annotations

import logging
import re

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

# C0 and C1 controls, DEL, and the line/paragraph separators some viewers break on.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}"
                                                      if ord(char) < 0x100
                                                      else f"\\u{ord(char):04x}")


def escape_untrusted(text: str) -> str:
    """``text`` with every control character written as a visible escape."""
    return _CONTROL.sub(_escape, text)


# Scrapy's own messages pass multi-line listings as arguments (enabled
# components, overridden settings), and the URLs in them are percent-encoded:
# their line breaks stay, every other control character is escaped.
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


class _EscapeArguments(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        pattern = (_CONTROL_BUT_NEWLINE if record.name.split(".", 1)[0] == "scrapy"
                   else _CONTROL)
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(_escaped(a, pattern) for a in args)
        elif isinstance(args, dict):
            record.args = {k: _escaped(v, pattern) for k, v in args.items()}
        return True


def _escaped(value, pattern: re.Pattern):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    if isinstance(value, str):
        return pattern.sub(_escape, value)
    return value


class EscapeControlCharacters:
    """Adds the escaping filter to the root logger's handlers (Scrapy's log handler).

    Scrapy installs its root handler anew after building extensions, so the
    filter is added again when the engine starts, before any page is fetched.
    """

    filter = _EscapeArguments()

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.install()
        if crawler is not None:
            crawler.signals.connect(self.install, signal=signals.engine_started)

    def install(self) -> None:
        for handler in logging.getLogger().handlers:
            if self.filter not in handler.filters:
                handler.addFilter(self.filter)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EscapeControlCharacters:
        if not crawler.settings.getbool("LOG_ESCAPE_CONTROL_CHARACTERS"):
            raise NotConfigured("LOG_ESCAPE_CONTROL_CHARACTERS is off")
        return cls(crawler)
