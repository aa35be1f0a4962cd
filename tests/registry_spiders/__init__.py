"""A Python spider whose name clashes with a registry entry (tests/test_registry.py)."""

import scrapy


class LinhaiPythonSpider(scrapy.Spider):
    name = "linhai"
