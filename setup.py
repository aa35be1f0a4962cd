# What scrapyd-deploy runs (``setup.py bdist_egg``) to build the egg it uploads to
# Scrapyd; everything else about the package is in pyproject.toml, including the
# ``scrapy`` entry point that tells Scrapyd the settings module.
from setuptools import setup

setup()
