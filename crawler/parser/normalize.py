"""Text normalisation: Traditional → Simplified, pinyin annotations, whitespace.

Every text the parser returns passes through :func:`clean_text`; every label
it matches passes through :func:`match_form` (NFKC, no whitespace), so that
``（七）总 计``, ``(七)总计`` and ``(七)總計(jì)`` compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# CJK ideographs plus CJK/full-width punctuation: spaces next to these are
# layout artefacts (PDF letter-spacing, <br> inside cells), not word breaks.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJKP = _CJK + "\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2014\u2026\u00b7"
_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b-\u200d\u2060]")
_CJK_GAP_RE = re.compile(
    rf"(?<=[{_CJKP}])\s+(?=[{_CJKP}0-9])|(?<=[0-9])\s+(?=[{_CJKP}])")

# Pinyin that mirror sites inject after characters: 總計(jì), 報(bào)告, 開(kāi).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN_RE = re.compile(rf"(?<=[{_CJK}])[(（]([a-z{_TONED}]{{1,7}})[)）]")
_SYLLABLE_RE = re.compile(
    r"^(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?(?:[aeiouv]|ai|ei|ao|ou|an|en|ang|eng|ong|"
    r"ia|ie|iao|iu|ian|in|iang|ing|iong|ua|uo|uai|ui|uan|un|uang|ueng|ue|er)r?$")
_TONED_SET = frozenset(_TONED)

_converter: opencc.OpenCC | None = None
_traditional: re.Pattern[str] | None = None


def _setup() -> tuple[opencc.OpenCC, re.Pattern[str]]:
    global _converter, _traditional
    if _converter is None or _traditional is None:
        _converter = opencc.OpenCC("t2s")
        # every character t2s changes: most pages have none and skip OpenCC
        han = "".join(chr(c) for c in range(0x4E00, 0xA000))
        changed = {a for a, b in zip(han, _converter.convert(han)) if a != b}
        _traditional = re.compile("[" + "".join(sorted(changed)) + "]")
    return _converter, _traditional


def t2s(text: str) -> str:
    """Traditional → Simplified Chinese (identity on Simplified text)."""
    converter, traditional = _setup()
    if not traditional.search(text):
        return text
    return converter.convert(text)


def _pinyin_sub(m: re.Match[str]) -> str:
    body = m.group(1)
    if any(ch in _TONED_SET for ch in body) or _SYLLABLE_RE.match(body):
        return ""
    return m.group(0)


_PINYIN_HINT_RE = re.compile(rf"[(（][a-z{_TONED}]{{1,7}}[)）]")


def strip_pinyin(text: str) -> str:
    """Remove ``(jì)``-style pinyin annotations that follow a Chinese character."""
    if not _PINYIN_HINT_RE.search(text):  # cheap scan; the look-behind one is slow
        return text
    return _PINYIN_RE.sub(_pinyin_sub, text)


def to_simplified(text: str) -> str:
    """Simplified Chinese without injected pinyin; applied once per document."""
    return strip_pinyin(t2s(text))


def squeeze(text: str) -> str:
    """Collapse whitespace runs and drop spaces between CJK characters."""
    if " " not in text and text.isprintable():  # no whitespace, no zero-width marks
        return text
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _SPACE_RE.sub(" ", text)
    return _CJK_GAP_RE.sub("", text).strip()


def collapse_ws(text: str) -> str:
    """Whitespace runs → one space; CJK gaps kept (they separate PDF cells)."""
    if "  " not in text and text.isprintable():
        return text.strip()
    return _SPACE_RE.sub(" ", _ZERO_WIDTH_RE.sub("", text)).strip()


def clean_text(text: str | None, *, simplified: bool = True) -> str | None:
    """Text as returned in a record: Simplified, no pinyin, whitespace normalised.

    Documents are converted once as a whole (:func:`to_simplified`); pass
    ``simplified=False`` for text that was not."""
    if text is None:
        return None
    if not simplified:
        text = to_simplified(text)
    if "\n" in text:
        out = "\n".join(filter(None, (squeeze(line) for line in text.split("\n"))))
    else:
        out = squeeze(text)
    return out or None


# NFKC, fast: unicodedata.normalize leaves its quick path for a whole string
# at the first full-width comma and then costs ~0.1 µs a character (0.5 ms
# for the prose of a report).  nfkc() first replaces each character by its
# own NFKC form, which keeps the string's NFKD, hence its NFKC; when the
# result passes the (exact) is_normalized test, it is the NFKC form.
_NFKC_COMMON = "，（）：；！？％\u3000"  # most of them in Chinese text: str.replace
_nfkc_table: tuple[re.Pattern[str], dict[str, str]] | None = None


def _nfkc_setup() -> tuple[re.Pattern[str], dict[str, str]]:
    global _nfkc_table
    if _nfkc_table is None:
        table = {}
        for cp in range(0x80, 0x10000):
            ch = chr(cp)
            if unicodedata.decomposition(ch):  # no decomposition: its own NFKC
                norm = unicodedata.normalize("NFKC", ch)
                if norm != ch:
                    table[ch] = norm
        # all supplementary-plane characters too (rare; normalised one by one)
        chars = "".join(re.escape(ch) for ch in table) + "\U00010000-\U0010ffff"
        _nfkc_table = re.compile(f"[{chars}]"), table
    return _nfkc_table


def _nfkc_char(m: re.Match[str]) -> str:
    ch = m.group()
    return _nfkc_table[1].get(ch) or unicodedata.normalize("NFKC", ch)  # type: ignore[index]


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, several times faster on long Chinese text."""
    if len(text) < 64 or text.isascii():  # labels, cells: the plain call is cheaper
        return unicodedata.normalize("NFKC", text)
    pattern, table = _nfkc_setup()
    mapped = text
    for ch in _NFKC_COMMON:
        if ch in mapped:
            mapped = mapped.replace(ch, table[ch])
    mapped = pattern.sub(_nfkc_char, mapped)
    if unicodedata.is_normalized("NFKC", mapped):
        return mapped
    return unicodedata.normalize("NFKC", text)  # characters that compose with their neighbours


@lru_cache(maxsize=8192)
def match_form(text: str) -> str:
    """Comparison form of a label: NFKC (half-width brackets/digits), no whitespace."""
    text = nfkc(text)
    return "".join(text.split()).replace("“", "\"").replace("”", "\"")


_NOTE_RE = re.compile(r"\([^()]{5,}\)")


def strip_notes(form: str) -> str:
    """A match form without long bracketed fill-in notes ("(指2019年事项数)"),
    keeping short ones such as the numbering "(七)"."""
    return _NOTE_RE.sub("", form) if "(" in form else form


def canonical_label(text: str) -> str:
    """A label as returned (legacy indicators): squeezed, brackets full-width."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("(", "（").replace(")", "）").replace(":", "：").replace(",", "，")
    return squeeze(text)
