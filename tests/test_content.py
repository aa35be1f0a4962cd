"""``crawler.content``: the text digest stays what it was defined as.

A stored report's version is its content digest; if the normalisation behind
it changed for some text, a recrawl would see an unchanged report as edited.
The fast normalisation must equal the definition: NFKC, the volatile page
furniture removed, whitespace runs collapsed to one space, ends trimmed.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
import trafilatura

from crawler.content import _VOLATILE, normalise_text
from crawler.extraction import TRAFILATURA_OPTIONS
from tests.test_main_text import PAGES


def defined(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for pattern in _VOLATILE:
        text = pattern.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


TRICKY = [
    "",
    " \t\n",
    "（一）主动公开情况：全年公开１２０条，浏览次数：35，其中ＡＢＣ" * 3,
    "e\u0301 Å ﬁ ㈠ ①②③ ｶﾞ \u3000全角空格\u00a0不换行\u2028行\u2029段\x1c\x1f" * 4,
    "更新时间：2023-01-18 10:00 令牌 0123456789abcdef0123456789ABCDEF 完" * 3,
    "𠀀𪚥 supplementary 𝐀𝟏 " * 8,
]


@pytest.mark.parametrize("text", TRICKY)
def test_normalisation_equals_its_definition_on_tricky_text(text: str) -> None:
    assert normalise_text(text) == defined(text)


def test_normalisation_equals_its_definition_on_every_known_page() -> None:
    texts = [trafilatura.extract(body, **TRAFILATURA_OPTIONS) for _, body in PAGES]
    texts = [t for t in texts if t]
    assert len(texts) >= 40
    assert [normalise_text(t) for t in texts] == [defined(t) for t in texts]
