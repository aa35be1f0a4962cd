"""Dependencies are declared where they are used (``pyproject.toml``).

Every third-party module the project's code imports comes from a runtime
dependency; every one the tests and benchmarks import comes from a runtime or
a test dependency; and every declared dependency is imported somewhere in what
it is declared for. Imports are read from the source (``ast``, function-level
imports included), and module names are mapped to the distributions that
install them with ``importlib.metadata``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RUNTIME_CODE = ("nianbao_core", "crawler", "spiders", "pipelines", "storage", "replica",
                "scripts")
TEST_CODE = ("tests", "benchmarks")
LOCAL = {*RUNTIME_CODE, *TEST_CODE}
# Used without an import: SQLAlchemy loads psycopg for postgresql+psycopg:// URLs,
# Datasette loads its dashboards plugin, pytest its timeout and xdist plugins; scrapyd,
# scrapyd-deploy and lint-imports are run as commands (deploy/, tests/test_scrapyd.py,
# tests/test_layers.py).
USED_WITHOUT_IMPORT = {"psycopg", "datasette-dashboards", "pytest-timeout", "pytest-xdist",
                       "scrapyd",
                       "scrapyd-client", "import-linter",
                       # named in settings: WARC_DOWNLOAD_HANDLER of spiders/jscolumn.py
                       "scrapy-playwright"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> tuple[set[str], set[str], set[str]]:
    """Runtime dependencies, optional extras other than test, and the test extra."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]

    def names(requirements) -> set[str]:
        found = {normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group())
                 for r in requirements}
        return found - {normalise(project["name"])}  # "nianbao-archive[replica]"

    optional = names(r for extra, rs in extras.items() if extra != "test" for r in rs)
    return names(project["dependencies"]), optional, names(extras["test"])


def imported_modules(folders) -> set[str]:
    """Top-level names of the third-party modules imported under ``folders``."""
    found = set()
    for folder in folders:
        for path in (PROJECT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    # Scripts import their neighbours by name (benchmarks/ puts itself on sys.path).
    neighbours = {path.stem for folder in folders for path in (PROJECT / folder).iterdir()
                  if path.suffix == ".py" or (path / "__init__.py").exists()}
    return {m for m in found
            if m not in sys.stdlib_module_names and m not in LOCAL | neighbours}


def distributions(modules: set[str]) -> dict[str, set[str]]:
    by_module = packages_distributions()
    return {m: {normalise(d) for d in by_module.get(m, [])} for m in modules}


def test_the_code_imports_only_runtime_dependencies():
    runtime, optional, _ = declared()
    undeclared = {m: d for m, d in distributions(imported_modules(RUNTIME_CODE)).items()
                  if not d & (runtime | optional)}
    assert not undeclared, f"imported but not a runtime dependency: {undeclared}"


def test_the_tests_import_only_declared_dependencies():
    runtime, optional, test = declared()
    undeclared = {m: d for m, d in distributions(imported_modules(TEST_CODE)).items()
                  if not d & (runtime | optional | test)}
    assert not undeclared, f"imported by tests but not declared: {undeclared}"


def test_every_declared_dependency_is_used_where_it_is_declared():
    runtime, optional, test = declared()
    used_at_runtime = set().union(*distributions(imported_modules(RUNTIME_CODE)).values())
    used_by_tests = set().union(*distributions(imported_modules(TEST_CODE)).values())
    assert (runtime | optional) - used_at_runtime - USED_WITHOUT_IMPORT == set()
    # A test dependency the project's own code imports belongs in the runtime list.
    assert test - used_by_tests - USED_WITHOUT_IMPORT == set()
    assert test & used_at_runtime == set()
