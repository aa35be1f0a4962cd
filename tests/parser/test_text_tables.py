from __future__ import annotations

from crawler.parser.text_tables import rows_from_lines, split_pipe_line
from crawler.parser.tokens import BLANK, LABEL, VALUE, Heading, Prose, Row


def _rows(text: str) -> list:
    return rows_from_lines(text.splitlines()).items


def test_pipe_line_rows_are_explicit_and_keep_blanks() -> None:
    (row,) = _rows("（一）予以公开 | 258 | 12 | | | 1 | 1 |  |")
    assert row.explicit and [c.kind for c in row.values()] == [VALUE, VALUE, BLANK, BLANK, VALUE,
                                                                VALUE, BLANK]
    assert split_pipe_line("| 首页 |") == ["首页"]


def test_one_cell_per_line_with_pipes() -> None:
    (row,) = _rows("规章 |\n0 |\n1 |\n2 | |")
    assert not row.explicit
    assert row.labels == ["规章"] and [c.text for c in row.values()] == ["0", "1", "2"]


def test_label_with_blank_pads_is_a_row_of_blanks() -> None:
    (row,) = _rows("行政许可 | ||||")
    assert row.explicit and row.labels == ["行政许可"] and len(row.values()) == 4


def test_blank_line_layout_groups_by_labels() -> None:
    rows = _rows("(三)不予\n\n公开\n\n1.属于国家秘密\n\n0\n\n1\n\n2.其他法律行政法规禁止公开\n\n3")
    assert [r.labels for r in rows] == [["(三)不予", "公开", "1.属于国家秘密"],
                                        ["2.其他法律行政法规禁止公开"]]


def test_pdf_lines() -> None:
    items = _rows("三、收到和处理政府信息公开申请情况\n（四）无 1.本机关不掌握相关政府信息 746 12 0 0 10 1 769\n"
                  "- 5 -\n法提供 2.没有现成信息需要另行制作 11 0 0 0 0 0 11\n"
                  "总计\n72 64 178 37 351 13 4 8 1 26 12 1 1 6 20\n对照上级要求。")
    assert isinstance(items[0], Heading) and items[0].name == "applications"
    assert items[1].labels == ["（四）无 1.本机关不掌握相关政府信息"]
    assert len(items[1].values()) == 7
    assert items[2].labels == ["法提供 2.没有现成信息需要另行制作"]
    assert len(items[3].values()) == 15 and items[3].labels == ["总计"]
    assert isinstance(items[4], Prose)


def test_spaced_header_characters_stay_one_label() -> None:
    (row,) = _rows("商 业 企 业\n科研机\n构\n0")
    assert isinstance(row, Row) and [c.kind for c in row.cells] == [LABEL, LABEL, LABEL, VALUE]
