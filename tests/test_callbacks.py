"""No spider callback is a generator that returns a value (Scrapy would drop the value).

Scrapy checks this on every response, reading and parsing the callback's source
each time; the project turns that off (``WARN_ON_GENERATOR_RETURN_VALUE``) and
checks every spider the loader knows here, once, with Scrapy's own test.
"""

from __future__ import annotations

import inspect

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.misc import is_generator_with_return_value

from crawler import settings as project_settings


def generator_methods(cls: type) -> list[tuple[str, object]]:
    """The generator functions a spider class has, its own and inherited, by name."""
    return [(name, member) for name, member in inspect.getmembers(cls, inspect.isfunction)
            if inspect.isgeneratorfunction(member)]


@pytest.fixture(scope="module")
def spider_classes() -> list[type]:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    loader = get_spider_loader(settings)
    return [loader.load(name) for name in loader.list()]


def test_the_per_response_check_is_off() -> None:
    assert project_settings.WARN_ON_GENERATOR_RETURN_VALUE is False


def test_no_spider_generator_returns_a_value(spider_classes) -> None:
    checked = {(cls.__name__, name): method for cls in spider_classes
               for name, method in generator_methods(cls)}
    # The registry's portals and the hand-written spiders: callbacks of every CMS family.
    assert len(spider_classes) > 5 and {"parse_column", "parse_article"} <= {
        name for _, name in checked}
    returning = sorted(f"{cls}.{name}" for (cls, name), method in checked.items()
                       if is_generator_with_return_value(method))
    assert returning == []


def test_the_check_finds_a_generator_that_returns_a_value() -> None:
    class Returning:
        def parse(self, response):
            yield response
            return "lost"

        def fine(self, response):
            yield response
            return

    found = dict(generator_methods(Returning))
    assert is_generator_with_return_value(found["parse"])
    assert not is_generator_with_return_value(found["fine"])
