"""Fixtures shared across test modules."""

import pytest

from replica import serve_site
from tests.crawling import crawl


@pytest.fixture(scope="session")
def linhai_sqlite_crawl(tmp_path_factory):
    """One crawl of the Linhai replica into SQLite, for tests that only read its results.

    Tests that write (re-parse, recrawl) crawl into databases of their own.
    """
    tmp_path = tmp_path_factory.mktemp("shared-crawl")
    with serve_site("linhai") as replica:
        result = crawl("linhai", replica, tmp_path, f"sqlite:///{tmp_path}/nianbao.db")
    result.base_url = replica.base_url
    return result
