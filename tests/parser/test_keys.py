from __future__ import annotations

from nianbao_core import stat_keys as keys


def test_key_counts_match_the_forms() -> None:
    assert len(keys.APPLICATION_ROWS_2019) == 23 and len(keys.APPLICATION_ROWS_2021) == 25
    assert len(keys.ACTIVE_KEYS_2019) == 22 and len(keys.ACTIVE_KEYS_2021) == 10
    assert len(keys.REVIEW_LITIGATION_KEYS) == 15
    assert len(keys.stat_keys("2019")) == 22 + 161 + 15
    assert len(keys.stat_keys("2021")) == 10 + 175 + 15
    assert set(keys.APPLICATION_ROWS_2021) - set(keys.APPLICATION_ROWS_2019) == set(keys.OTHER_ROWS_2021)
    assert all(k in keys.APPLICATION_ROW_LABELS for k in keys.APPLICATION_ROWS_2021)
