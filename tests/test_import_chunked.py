"""Imports checked and written block by block (issue 12: a large file in bounded memory).

The files here are small; the block size is made smaller still (a few rows), so that
every whole-file rule must hold across blocks: a key twice in the file, a name under
several codes, all-or-nothing when the bad row is in the last block, ``--partial``.
"""

from __future__ import annotations

import pytest
from importing_support import (
    ENTERPRISE_HEADERS,
    batch_count,
    credit_code,
    csv_bytes,
    enterprise_rows,
    shared_string_xlsx,
    snapshot,
    xlsx_bytes,
)

from gsyf_geo.importing.blocks import NameCodes, import_blocks
from gsyf_geo.importing.load import import_file

FILE = "企业.csv"


def _import(store, data, block=3, name=FILE, **kw):
    return import_blocks(store, "enterprise", data, name, user="测试员", rows_per_block=block, **kw)


def _stored(store) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "batch_id"} for r in snapshot(store)["enterprise"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_blocks_load_what_one_block_loads(tmp_path, store, fmt):
    rows = enterprise_rows(10)
    rows[4][6] = ""  # town from the address
    rows[7][8] = rows[7][9] = None  # placed by the town named in the row
    data = (csv_bytes if fmt == "csv" else xlsx_bytes)(ENTERPRISE_HEADERS, rows)
    whole = _import(store, data, block=1_000, name=f"e.{fmt}")
    expected = _stored(store)
    store.drop_schema()
    store.create_schema()
    path = tmp_path / f"e.{fmt}"
    path.write_bytes(data)
    blocks = _import(store, path, block=3, name=path.name)  # read from disk, 4 blocks
    assert _stored(store) == expected and len(expected) == 10
    assert (blocks.status, blocks.rows_read, blocks.inserted, blocks.placed, blocks.sha256) == (
        whole.status, whole.rows_read, whole.inserted, whole.placed, whole.sha256)  # fmt: skip
    assert [str(p) for p in blocks.problems] == [str(p) for p in whole.problems]


def test_a_bad_row_in_the_last_block_leaves_the_store_unchanged(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(4)))
    before, batches = snapshot(store), batch_count(store)
    rows = enterprise_rows(10)  # 4 updates, 6 new rows
    for r in rows:
        r[3] = 500  # every row changes
    rows[9][3] = "很多"  # the last row, alone in its block
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), block=3)
    assert result.status == "rejected" and result.rejected == 1 and not result.loaded
    errors = [p for p in result.problems if p.is_error]
    assert [(p.file, p.row, p.column) for p in errors] == [(FILE, 11, "职工人数")]
    assert snapshot(store) == before
    assert batch_count(store) == batches + 1
    assert store.batches().set_index("id").loc[result.batch_id, "status"] == "rejected"


def test_a_failure_while_writing_the_last_block_rolls_everything_back(store):
    before = snapshot(store)
    messages: list[str] = []

    def progress(fraction: float, message: str) -> None:
        messages.append(message)
        if message.startswith("写入数据库 10/"):
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(10)), block=3, progress=progress)
    assert snapshot(store) == before
    assert any("第 4/4 部分" in m for m in messages)  # the comparison went through 4 blocks


def test_a_key_twice_in_the_file_is_found_across_blocks(store):
    rows = enterprise_rows(9)
    rows.append(list(rows[0]))  # row 11 repeats row 2, six blocks later with 2-row blocks
    rows[9][1] = "另一家公司"
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), block=2)
    assert result.status == "rejected" and result.rejected == 2
    dup = {p.row: p for p in result.problems if p.is_error}
    assert set(dup) == {2, 11}
    assert dup[2].column == "统一社会信用代码" and "第 2、11 行" in dup[2].message
    assert store.count("enterprise") == 0


def test_partial_import_skips_both_rows_of_a_key_found_in_different_blocks(store):
    rows = enterprise_rows(9)
    rows.append(list(rows[0]))
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), block=2, partial=True)
    assert result.status == "partial" and (result.inserted, result.rejected) == (8, 2)
    stored = set(store.read("enterprise")["credit_code"])
    assert credit_code(0) not in stored and stored == {credit_code(i) for i in range(1, 9)}


def test_a_name_under_two_codes_is_noted_across_blocks(store):
    rows = enterprise_rows(8)
    rows[7][1] = rows[0][1]  # row 9 takes row 2's name, three blocks later
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), block=2)
    assert result.status == "done" and result.inserted == 8
    notes = {p.row: p.message for p in result.problems if p.column == "单位名称"}
    assert set(notes) == {2, 9}
    assert f"同名单位另有统一社会信用代码 {credit_code(7)}" in notes[2]
    assert f"同名单位另有统一社会信用代码 {credit_code(0)}" in notes[9]


def test_names_with_many_codes_are_grouped_in_one_pass():
    import pandas as pd

    codes = NameCodes()
    for start in range(0, 12, 4):  # three blocks
        codes.add(pd.DataFrame({
            "name": ["甲公司" if i % 3 else "乙公司" for i in range(start, start + 4)] + ["丙公司", None],
            "credit_code": [credit_code(i) for i in range(start, start + 4)] + [credit_code(99), credit_code(98)],
        }))  # fmt: skip
    block = pd.DataFrame({"name": ["甲公司", "乙公司", "丙公司", "丁公司"]})
    several = codes.of_block(block)
    assert set(several) == {"甲公司", "乙公司"}  # 丙公司 has one code (three times)
    assert several["乙公司"] == sorted(credit_code(i) for i in (0, 3, 6, 9))
    assert several["甲公司"] == sorted(credit_code(i) for i in range(12) if i % 3)


def test_import_file_takes_the_block_size_from_the_environment(store, monkeypatch):
    monkeypatch.setenv("GSYF_IMPORT_BLOCK_ROWS", "2")
    messages: list[str] = []
    result = import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(5)), FILE,
                         progress=lambda f, m: messages.append(m))  # fmt: skip
    assert result.status == "done" and store.count("enterprise") == 5
    assert any("第 3/3 部分" in m for m in messages)


def test_an_unchanged_file_writes_nothing_across_blocks(store):
    data = csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(7))
    _import(store, data, block=2)
    before = snapshot(store)
    again = _import(store, data, block=2)
    assert again.status == "unchanged" and (again.inserted, again.updated, again.unchanged) == (0, 0, 7)
    assert snapshot(store) == before


def test_shared_strings_read_compactly_give_the_cells_openpyxl_gives():
    """Excel writes text cells as shared strings (openpyxl does not: the file is built by hand)."""
    import io
    import zipfile

    import openpyxl

    from gsyf_geo.importing.readers import read_table

    row = enterprise_rows(1)[0]
    row[1] = "常州市𠀋测试（二）有限公司"  # a character outside the BMP
    row[7] = "常州市武进区湖塘镇 x005F_x000D_ 路"
    data = shared_string_xlsx(ENTERPRISE_HEADERS, row, ENTERPRISE_HEADERS.index("职工人数"), 3)
    assert any("sharedStrings" in n for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    expected = [list(r) for r in wb.active.iter_rows(values_only=True)]
    wb.close()
    got = [cells for _, cells in read_table(data, "e.xlsx").rows]
    assert got == [[v for v in r] for r in expected]
    assert got[1][1] == "常州市𠀋测试（二）有限公司" and got[1][0] == credit_code(0)
    assert got[0] == ENTERPRISE_HEADERS


def test_a_geocoder_that_fails_is_not_asked_again_in_later_blocks(store, monkeypatch):
    import json

    from gsyf_geo.importing import geocode as G

    urls: list[str] = []

    def refusing(url: str, timeout: float = 10.0) -> bytes:
        urls.append(url)
        return json.dumps({"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}).encode()

    monkeypatch.setattr(G, "_http_get", refusing)
    monkeypatch.delenv("GSYF_TIANDITU_KEY", raising=False)
    monkeypatch.setenv("GSYF_AMAP_KEY", "BAD")
    headers = ["统一社会信用代码", "单位名称", "职工人数", "参保人数", "辖市区", "单位地址"]
    rows = [[credit_code(i), f"单位{i}", 10, 8, "武进区", f"常州市武进区湖塘镇花园街 {i} 号"] for i in range(6)]
    result = _import(store, csv_bytes(headers, rows), block=2)  # 3 blocks, 6 addresses
    assert result.status == "done" and result.placed == {("offline", "town"): 6}
    assert len(urls) == 1
    notes = [p for p in result.problems if "INVALID_USER_KEY" in p.message]
    assert len(notes) == 1 and "其余地址改用离线估计" in notes[0].message
