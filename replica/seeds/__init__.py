"""The seed reports (``shared/seeds/``) as the pages their portals serve.

Each seed is the text a browser-like extractor made of a real report page:
paragraphs as lines and table cells run together with ``|`` separators (or,
for seed 002, one cell a paragraph). :mod:`replica.seeds.pages` puts every
paragraph and cell back into HTML (``<p>`` and ``<table>`` rows), so the
report text a crawler extracts from the replica is the seed's own.
"""
