"""The Scrapy and Twisted internals wire capture (crawler/warc/handler.py) relies on.

Scrapy is pinned (pyproject.toml); when it or Twisted moves, these say which
internal the handler needs and is gone, before a crawl archives rebuilt
exchanges without a word.
"""

import inspect
import json
import subprocess
import sys
from pathlib import Path

import scrapy
from packaging.version import Version
from scrapy.core.downloader.handlers.datauri import DataURIDownloadHandler
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
    _ScrapyAgent,
)

from crawler.warc.handler import _WireCaptureMixin, wire_capturing

PROJECT = Path(__file__).resolve().parent.parent


def test_the_scrapy_version_is_the_pinned_one():
    assert Version("2.19") <= Version(scrapy.__version__) < Version("2.20")


# Run in a process of its own: building the handler installs a reactor, which this
# test process must not have (Scrapy's get_crawler elsewhere picks its runner by it).
BUILD = """
import json
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.test import get_crawler
from crawler.warc.handler import WireCaptureDownloadHandler, _RecordingFactory

names = ("_pool", "_contextFactory", "_bind_address", "_default_maxsize", "_default_warnsize",
         "_fail_on_dataloss", "_fail_on_dataloss_warned", "_tls_verbose_logging", "_crawler")
crawler = get_crawler(settings_dict={"WARC_ENABLED": True, "WARC_WIRE_SKIP_META": [],
                                     "WARC_DOWNLOAD_HANDLER": "scrapy.core.downloader."
                                     "handlers.http11.HTTP11DownloadHandler"})
plain = HTTP11DownloadHandler(crawler)
captured = WireCaptureDownloadHandler.from_crawler(crawler)
print(json.dumps({"missing": [n for n in names if not hasattr(plain, n)],
                  "plain_factory": plain._pool._factory.__name__,
                  "is_http11": isinstance(captured, HTTP11DownloadHandler),
                  "captured_factory": captured._pool._factory is _RecordingFactory}))
"""


def test_the_handler_state_the_recording_download_reads():
    done = subprocess.run([sys.executable, "-c", BUILD], cwd=PROJECT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found == {"missing": [], "plain_factory": "_LenientHTTP11ClientFactory",
                     "is_http11": True, "captured_factory": True}
    assert inspect.iscoroutinefunction(HTTP11DownloadHandler.download_request)


def test_the_agent_protocol_and_parser_hooks():
    assert list(inspect.signature(_ScrapyAgent).parameters) == [
        "contextFactory", "connectTimeout", "bindAddress", "pool", "maxsize", "warnsize",
        "fail_on_dataloss", "crawler", "tls_verbose_logging"]
    assert list(inspect.signature(_ScrapyAgent._cb_bodyready).parameters) == [
        "self", "txresponse", "request"]
    for name in ("request", "dataReceived", "_finishResponse"):
        assert callable(getattr(_LenientHTTP11ClientProtocol, name, None)), name
    for name in ("lineReceived", "allHeadersReceived"):
        assert callable(getattr(_LenientHTTPClientParser, name, None)), name
    factory = _LenientHTTP11ClientFactory(lambda protocol: None, None)
    assert hasattr(factory, "_quiescentCallback")


def test_a_handler_of_another_kind_is_used_as_it_is():
    """The middleware rebuilds what it downloads from Scrapy's response."""
    assert wire_capturing(DataURIDownloadHandler) is DataURIDownloadHandler
    composed = wire_capturing(HTTP11DownloadHandler)
    assert composed.__mro__[1:3] == (_WireCaptureMixin, HTTP11DownloadHandler)
