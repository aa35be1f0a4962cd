from __future__ import annotations

import pytest

from crawler.parser.numbers import BLANK, UNKNOWN, VALUE, is_value_token, parse_number


@pytest.mark.parametrize("raw, value", [
    ("0", 0), ("12", 12), ("１２３", 123), ("1,234", 1234), ("1，234", 1234),
    (" 7 ", 7), ("+1036", 1036), ("12件", 12), ("3.5万", 35000),
])
def test_counts(raw: str, value: int) -> None:
    assert parse_number(raw) == (value, VALUE, None, "")


@pytest.mark.parametrize("raw", ["", " ", "—", "——", "-", "/", "／", "无", "不适用", "N/A", "－"])
def test_null_markers_are_blank_not_zero(raw: str) -> None:
    num = parse_number(raw)
    assert (num.value, num.state, num.code) == (None, BLANK, None)


def test_money_is_normalised_to_wan_yuan() -> None:
    assert parse_number("251000元", money=True).value == 25.1
    assert parse_number("96171.6", money=True).value == 96171.6
    assert parse_number("477.35", money=True, unit="万元").value == 477.35
    assert parse_number("5000", money=True, unit="元").value == 0.5
    assert parse_number("3万元", money=True, unit="元").value == 3  # the cell's unit wins


def test_signs() -> None:
    assert parse_number("-5", signed=True) == (-5, VALUE, None, "")
    num = parse_number("-5")
    assert (num.value, num.code) == (-5, "negative_value")


@pytest.mark.parametrize("raw", ["0000000", "00", "007"])
def test_run_together_digits_are_never_one_number(raw: str) -> None:
    num = parse_number(raw)
    assert (num.value, num.state, num.code) == (None, UNKNOWN, "merged_digits")


def test_several_numbers_and_text() -> None:
    assert parse_number("1 2").code == "multiple_numbers"
    assert parse_number("见附件").code == "unparsed_value"
    assert parse_number("2.5").code == "non_integer"


def test_value_tokens() -> None:
    assert is_value_token("72") and is_value_token("—") and is_value_token("+1036")
    assert not is_value_token("1.属于国家秘密") and not is_value_token("3、其他")
