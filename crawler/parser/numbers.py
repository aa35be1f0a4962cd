"""Reading one table cell as a number.

A cell is a value (int, or float for money), blank (``null``, counted as 0
by the consistency rules) or unknown (``null``, not counted: the cell could
not be read, e.g. digits run together).  Money is normalised to 万元.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

VALUE, BLANK, UNKNOWN = "value", "blank", "unknown"

#: what clerks write for "nothing" (after NFKC, lower-cased)
NULL_MARKERS = frozenset({
    "", "-", "--", "---", "—", "——", "–", "/", "//", "\\", "无", "不适用", "n/a", "na",
    "空", "…", "……", "－", "/无", "暂无", "null", "none",
})

_NUMBER_RE = re.compile(
    r"^(?P<sign>[+\-−])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?P<unit>万元|元|万|件|条|个|项|次|人次|人|篇|期|份|家|起|宗|场)?$")
_INNER_SPACE_RE = re.compile(r"(?<!\d)\s+|\s+(?!\d)")
_MULTI_RE = re.compile(r"^[\d\s,.+\-−]+$")


class Number(NamedTuple):
    value: int | float | None
    state: str  # VALUE / BLANK / UNKNOWN
    code: str | None = None  # issue code when UNKNOWN or suspicious
    note: str = ""


def _prep(raw: str) -> str:
    if raw.isascii():
        text = raw.strip()
        return _INNER_SPACE_RE.sub("", text) if " " in text or "\t" in text else text
    text = unicodedata.normalize("NFKC", raw)
    text = text.replace("，", ",").strip()
    # "251000 元" is one cell value; "1 2" is two numbers and must stay apart
    return _INNER_SPACE_RE.sub("", text) if len(text) < 40 else text


@lru_cache(maxsize=8192)
def is_value_token(raw: str) -> bool:
    """True if ``raw`` reads as a numeric cell or a null marker (not a label)."""
    if raw.isascii() and raw.isdigit():
        return True
    if len(raw) > 24:  # no number cell is that long; spares NFKC on prose
        return False
    text = _prep(raw)
    if text.lower() in NULL_MARKERS:
        return True
    return bool(_NUMBER_RE.match(text))


def looks_numeric(raw: str) -> bool:
    """True if ``raw`` is made of numbers only (possibly several, space separated)."""
    if len(raw) > 200:
        return False
    text = unicodedata.normalize("NFKC", raw).strip()
    return bool(text) and (bool(_MULTI_RE.match(text)) and any(c.isdigit() for c in text)
                           or all(is_value_token(p) for p in text.split()))


def _to_number(dec: Decimal) -> int | float:
    if dec == dec.to_integral_value():
        return int(dec)
    return float(dec)


@lru_cache(maxsize=8192)
def parse_number(raw: str | None, *, money: bool = False, unit: str | None = None,
                 signed: bool = False) -> Number:
    """Parse one cell.

    ``money``: the cell is an amount; ``unit`` is the column's unit ("万元" by
    default, or "元"); a unit written in the cell wins.  ``signed``: a minus
    sign is legitimate (2019 本年增/减); elsewhere it is kept and flagged.
    """
    if raw is None:
        return Number(None, UNKNOWN, "merged_cell", "cell merged with the row above")
    text = _prep(raw)
    if text.lower() in NULL_MARKERS:
        return Number(None, BLANK)
    m = _NUMBER_RE.match(text)
    if not m:
        if len(text.split()) > 1 or (_MULTI_RE.match(text) and " " in raw.strip()):
            return Number(None, UNKNOWN, "multiple_numbers",
                          f"several numbers in one cell: {raw!r}")
        return Number(None, UNKNOWN, "unparsed_value", f"not a number: {raw!r}")
    digits = m.group("int").replace(",", "")
    if len(digits) > 1 and digits.startswith("0") and "," not in m.group("int"):
        return Number(None, UNKNOWN, "merged_digits", f"digits run together: {raw!r}")
    try:
        dec = Decimal(digits + ("." + m.group("frac") if m.group("frac") else ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return Number(None, UNKNOWN, "unparsed_value", f"not a number: {raw!r}")
    cell_unit = m.group("unit")
    if money:
        eff = cell_unit if cell_unit in ("元", "万元", "万") else (unit or "万元")
        if eff == "元":
            dec = dec / Decimal(10000)
    elif cell_unit == "万":
        dec = dec * 10000
    code, note = None, ""
    if m.group("sign") in ("-", "−"):
        dec = -dec
        if not signed:
            code, note = "negative_value", f"negative count: {raw!r}"
    elif not money and dec != dec.to_integral_value():
        code, note = "non_integer", f"fractional count: {raw!r}"
    return Number(_to_number(dec), VALUE, code, note)
