"""The import page's preview in bounded memory (issue 12): :func:`preview_blocks` checks a
file block by block as the import does, writes nothing, and keeps only what the page shows.

The files are small and the blocks smaller still (a few rows), so that every whole-file
rule crosses blocks; what the page shows must be what the former whole-file preview
(``prepare_import`` + ``preview_table``) showed.
"""

from __future__ import annotations

import pickle

import pytest
from importing_support import (
    CHUNJIANG,
    ENTERPRISE_HEADERS,
    batch_count,
    csv_bytes,
    enterprise_rows,
    snapshot,
    town_point,
    xlsx_bytes,
)

from gsyf_geo.importing.blocks import import_blocks, preview_blocks
from gsyf_geo.importing.load import prepare_import
from gsyf_geo.importing.preview import (
    ERROR_STYLE,
    PROBLEM_COLUMN,
    WARNING_STYLE,
    FilePreview,
    preview_table,
    problem_counts,
)
from gsyf_geo.store import CITY, Scope

WUJIN = Scope.unit("320412")
FILE = "企业.csv"


def _in_xinbei(row: list[object]) -> None:
    """Move a row to 新北区 春江街道 (outside 武进's scope: refused only when compared)."""
    lon, lat = town_point(CHUNJIANG)
    row[5], row[6], row[8], row[9] = "新北区", "春江街道", lon, lat


def _mixed_rows() -> list[list[object]]:
    """250 rows with problems of every stage, spread over many blocks."""
    rows = enterprise_rows(250)
    rows[3][3] = "很多"  # 职工人数 not a number: found while reading (row 5)
    rows[180][4] = "x"  # found while reading, late in the file (row 182)
    rows[200][0] = rows[8][0]  # the same code as row 10: found after the last block (rows 10, 202)
    rows[120][1] = rows[30][1]  # a name under two codes, across blocks: a note (rows 32, 122)
    rows[6][6] = "春江街道"  # a town of another district: a note (row 8)
    for i in (150, 151, 230):  # outside 武进: refused when compared with the scope (rows 152, 153, 232)
        _in_xinbei(rows[i])
    return rows


def _same_as_before(store, data: bytes, name: str, scope: Scope, limit: int, block: int) -> FilePreview:
    """The bounded preview, checked against the former whole-file one; returns it."""
    prep = prepare_import(store, "enterprise", data, name, scope=scope, online=False)
    table, css = preview_table(prep, limit=limit)
    kept = preview_blocks(store, "enterprise", data, name, scope=scope, rows_per_block=block, limit=limit)
    got_table, got_css = preview_table(kept)
    assert got_table.equals(table) and got_table.index.tolist() == table.index.tolist()
    assert got_css.equals(css)
    assert problem_counts(kept) == problem_counts(prep)
    assert kept.good == len(prep.good_rows)
    assert kept.readable and kept.file_format == prep.file_format
    assert sorted(map(str, kept.problems)) == sorted(map(str, prep.problems))
    assert kept.omitted == prep.omitted
    return kept


@pytest.mark.parametrize("limit", [100, 20])
def test_the_preview_shows_what_the_whole_file_preview_showed(store, limit):
    import_blocks(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(40, start=60)), "old.csv",
                  user="测试员")  # fmt: skip
    rows = _mixed_rows()
    rows[70][3] = 999  # an update; rows 60-99 otherwise unchanged
    rows[75][1] = "常州市改名机械有限公司"  # an update with a new name: a note
    kept = _same_as_before(store, csv_bytes(ENTERPRISE_HEADERS, rows), FILE, WUJIN, limit, block=7)
    table = kept.table
    assert len(table) == limit
    # Rows refused at every stage are on screen, marked red in their column.
    for row, column in ((5, "职工人数"), (182, "参保人数"), (10, "统一社会信用代码"), (202, "统一社会信用代码"),
                        (152, "辖市区"), (232, "辖市区")):  # fmt: skip
        assert row in table.index, row
        assert kept.css.at[row, column] == ERROR_STYLE and kept.css.at[row, PROBLEM_COLUMN] == ERROR_STYLE
    assert "不在您的权限范围（武进区（不含经开区））内" in table.at[232, PROBLEM_COLUMN]
    assert table.at[232, "单位名称"] == "常州市测试230号机械有限公司" and table.at[182, "参保人数"] == "x"
    assert kept.bad == 7 and kept.rows_read == 250 and kept.good == 243
    # New, changed and unchanged rows among the good ones, as the import would count them.
    assert (kept.inserted, kept.updated, kept.unchanged) == (243 - 40, 2, 38)
    if limit == 100:
        assert kept.css.at[8, "乡镇（街道）"] == WARNING_STYLE
        assert "同名单位另有统一社会信用代码" in table.at[32, PROBLEM_COLUMN]


def test_rows_refused_late_and_not_kept_as_written_are_shown_as_read(store):
    rows = enterprise_rows(300)
    for i in range(150, 175):  # 25 rows refused only when compared: not kept as written
        _in_xinbei(rows[i])
    kept = _same_as_before(store, csv_bytes(ENTERPRISE_HEADERS, rows), FILE, WUJIN, limit=30, block=9)
    # The 25 refused rows first, then the first rows of the file: 30 in all, in row order.
    assert kept.table.index.tolist() == [*range(2, 7), *range(152, 177)]
    assert kept.table.at[176, "单位名称"] == "常州市测试174号机械有限公司"
    assert (kept.css.loc[152:176, PROBLEM_COLUMN] == ERROR_STYLE).all()


def test_an_xlsx_and_a_small_file_preview_as_before(store):
    rows = _mixed_rows()
    rows[20][4] = -5
    _same_as_before(store, xlsx_bytes(ENTERPRISE_HEADERS, rows), "企业.xlsx", CITY, limit=100, block=4)
    kept = _same_as_before(store, csv_bytes(ENTERPRISE_HEADERS, rows[:3]), FILE, CITY, limit=100, block=2)
    assert kept.table.index.tolist() == [2, 3, 4]


def test_the_preview_writes_nothing(store):
    import_blocks(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(5)), "old.csv", user="测试员")
    before, batches = snapshot(store), batch_count(store)
    changed = enterprise_rows(12)
    for r in changed:
        r[3] = 700
    for data in (csv_bytes(ENTERPRISE_HEADERS, changed), csv_bytes(ENTERPRISE_HEADERS, _mixed_rows()),
                 b"\x00\x01binary"):  # fmt: skip
        preview_blocks(store, "enterprise", data, FILE, rows_per_block=4)
    assert snapshot(store) == before and batch_count(store) == batches  # not even a "rejected" record


def test_an_unreadable_file_lists_its_problem(store):
    kept = preview_blocks(store, "enterprise", b"\x00\x01\x02binary", "x.csv")
    prep = prepare_import(store, "enterprise", b"\x00\x01\x02binary", "x.csv", online=False)
    assert not kept.readable and problem_counts(kept)[0] == 0
    assert "既不是 Excel 表格" in kept.table.iloc[0, 0]
    assert kept.table.equals(preview_table(prep)[0])
    header_only = preview_blocks(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, []), FILE)
    assert not header_only.readable and "下没有数据行" in str(header_only.problems[0])


def test_what_the_page_keeps_does_not_grow_with_the_file(store, monkeypatch):
    """A file of 20 times the rows keeps the same preview rows and a capped problem list."""
    monkeypatch.setenv("GSYF_IMPORT_MAX_PROBLEMS", "50")
    sizes = {}
    for n in (200, 4_000):
        rows = enterprise_rows(n)
        for r in rows[1::2]:
            r[3] = "很多"  # every other row refused
        kept = preview_blocks(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, rows), FILE, rows_per_block=500)
        assert kept.rows_read == n and kept.bad == n // 2 and kept.good == n // 2
        assert len(kept.problems) == 50 and kept.omitted == {"error": n // 2 - 50}
        assert len(kept.table) == 100 and set(kept.table.index) == set(range(3, 203, 2))
        sizes[n] = len(pickle.dumps(kept))
    assert sizes[4_000] < 1.1 * sizes[200]
