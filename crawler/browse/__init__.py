"""Browsing the SQLite database in Datasette (``make browse``, ``scrapy browse``).

``metadata.py`` holds what Datasette shows beside the tables: titles and
descriptions of every table and column in Chinese and English, and the
canned queries. Datasette opens the file read-only; nothing here writes it.
"""
