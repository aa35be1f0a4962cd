"""List pages a hostile or broken Hanweb portal can serve: unclosed tags by the megabyte.

Each shape is a column page (or a ``dataproxy.jsp`` answer) of about ``size``
characters that would make a backtracking regex scan the rest of the page
from every tag it opens. ``benign_list(size)`` is the linear baseline: a
well-formed list of the same size. Used by ``tests/test_hanweb_lists.py`` and
``benchmarks/bench_hostile_lists.py``.
"""

from __future__ import annotations

RECORD = ("<record><![CDATA[<li><a href='/art/2022/1/1/art_1_1.html' title='临海市2021年政府信息"
          "公开工作年度报告'>临海市2021年…</a><span>2022-01-01</span></li>]]></record>")
_EMPTY = "<datastore></datastore><script>"


def _fill(prefix: str, unit: str, size: int) -> str:
    return prefix + unit * max(1, (size - len(prefix)) // len(unit))


def benign_list(size: int) -> str:
    return _fill("<datastore><recordset>", RECORD, size) + "</recordset></datastore>"


def hostile_lists(size: int) -> dict[str, tuple[str, str]]:
    """name -> (kind, text); kind is "column" or "dataproxy"."""
    return {
        "unclosed records": ("column", _fill("<datastore>", "<record><![CDATA[<li><a href='x'>",
                                             size)),
        "unclosed datastores": ("column", _fill("", "<datastore>", size)),
        "unclosed CDATA": ("column", _fill("<datastore>", "<![CDATA[", size)),
        "unclosed nextgroup link": ("column", _fill("<datastore><nextgroup><![CDATA[",
                                                    "<a href='", size)),
        "unclosed param objects": ("column", _fill(_EMPTY, "var param_x = {a:'", size)),
        "one long param_ word": ("column", _fill(_EMPTY, "param_", size)),
        "unclosed jpage calls": ("column", _fill(_EMPTY, ".jpage({", size)),
        "one long member name": ("column", _fill(_EMPTY + "var param_1 = {", "a", size) + "}"),
        "many members": ("column", _fill(_EMPTY + "var param_1 = {", "a:b,", size) + "}"),
        "records by the thousand": ("column", benign_list(size)),
        "endless totalrecord": ("dataproxy", _fill(
            "<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>", "9", size)),
    }
