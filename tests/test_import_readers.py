"""Reading files: every supported encoding and format, and clear rejection of the rest."""

from __future__ import annotations

import codecs
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from importing_support import ENTERPRISE_HEADERS, csv_bytes, enterprise_rows, xls_bytes, xlsx_bytes

from gsyf_geo.importing.problems import ImportFileError
from gsyf_geo.importing.readers import read_table
from gsyf_geo.importing.validate import parse_table

NAME = "常州市测试0号机械有限公司"


@pytest.mark.parametrize(
    ("encoding", "described"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8（带 BOM）"), ("gbk", "GB18030/GBK"),
     ("gb18030", "GB18030/GBK"), ("utf-16", "UTF-16")],
)  # fmt: skip
def test_csv_in_each_encoding_reads_the_same_rows(encoding, described):
    data = csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3), encoding=encoding)
    table = read_table(data, "企业.csv")
    assert table.format == "csv" and table.encoding == described
    assert table.rows[0] == (1, ENTERPRISE_HEADERS)
    assert table.rows[1][1][1] == NAME
    parsed = parse_table(table, "enterprise")
    assert not [p for p in parsed.problems if p.is_error]
    assert list(parsed.values.index) == [2, 3, 4]  # spreadsheet rows: header is row 1
    assert parsed.values.at[2, "name"] == NAME


def test_gb18030_characters_outside_gbk_survive():
    rows = enterprise_rows(1)
    rows[0][1] = "常州市䶮𠀀科技有限公司"  # U+4DAE and U+20000: in GB18030, not in GBK
    table = read_table(csv_bytes(ENTERPRISE_HEADERS, rows, "gb18030"), "x.csv")
    assert table.rows[1][1][1] == "常州市䶮𠀀科技有限公司"


def test_invisible_control_characters_are_dropped_from_cells():
    rows = enterprise_rows(1)
    rows[0][1] = NAME + "\x00\x00"  # NUL padding, as some export tools write it
    rows[0][2] = "C\x0b3412"
    table = read_table(csv_bytes(ENTERPRISE_HEADERS, rows), "企业.csv")
    assert table.rows[1][1][1] == NAME and table.rows[1][1][2] == "C3412"


def test_tab_separated_text_is_read():
    text = "\t".join(ENTERPRISE_HEADERS) + "\n" + "\t".join(str(v) for v in enterprise_rows(1)[0])
    table = read_table(text.encode("gbk"), "x.txt")
    assert table.rows[1][1][0] == enterprise_rows(1)[0][0]


def test_xlsx_with_title_rows_above_the_header():
    data = xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(2), title="2024年重点行业企业名单")
    table = read_table(data, "名单.xlsx")
    assert table.format == "xlsx" and table.sheet == "Sheet"
    parsed = parse_table(table, "enterprise")
    assert parsed.header.row == 3
    assert list(parsed.values.index) == [4, 5]
    assert parsed.values.at[4, "employees"] == 100


def test_xls_reads_text_numbers_and_dates():
    headers = ["工伤认定编号", "受伤日期", "辖市区", "事故类别"]
    rows = [["WI2024-000001", date(2024, 5, 20), "武进区", "机械伤害"],
            ["WI2024-000002", date(2024, 6, 1), "新北区", "触电"]]  # fmt: skip
    table = read_table(xls_bytes(headers, rows), "工伤.xls")
    assert table.format == "xls"
    assert table.rows[1][1][1] == date(2024, 5, 20)
    parsed = parse_table(table, "work_injury")
    assert parsed.values.at[3, "injury_date"] == date(2024, 6, 1)
    assert not [p for p in parsed.problems if p.is_error]


def test_format_is_told_by_content_not_by_name():
    data = xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(1))
    assert read_table(data, "named_wrongly.csv").format == "xlsx"
    assert read_table(csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)), "x.xlsx").format == "csv"


def test_xlsx_dates_and_numbers_keep_their_types():
    data = xlsx_bytes(["a", "b", "c"], [[datetime(2024, 1, 2), 3.0, 2.5]])
    cells = read_table(data, "x.xlsx").rows[1][1]
    assert cells == [date(2024, 1, 2), 3, 2.5]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空"),
        (b"   \r\n", "文件为空"),
        (b"caf\xe9 \x80\xff abc," * 20, "无法识别文件编码"),
        (b"\x81\xff\x00\x13binary\x00", "既不是 Excel 表格，也不是文本"),
        (b"PK\x03\x04" + b"\x00broken zip" * 10, "无法读取 Excel（.xlsx）文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "无法读取 Excel（.xls）文件"),
        ("<html><body><table><tr><td>统一社会信用代码</td></tr></table></body></html>".encode(),
         "实际是网页"),
        (codecs.BOM_UTF8 + b"\xff\xfe bad", "不是有效的 UTF-8"),
    ],
)
def test_unreadable_files_are_rejected_in_chinese(data, message):
    with pytest.raises(ImportFileError) as err:
        read_table(data, "bad.xls")
    assert message in str(err.value)
    assert err.value.problems and err.value.problems[0].file == "bad.xls"


def test_truncated_xlsx_is_rejected():
    data = xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(5))
    with pytest.raises(ImportFileError, match="无法读取 Excel"):
        read_table(data[: len(data) // 2], "half.xlsx")


def test_truncated_xls_is_rejected():
    data = xls_bytes(ENTERPRISE_HEADERS, enterprise_rows(5))
    with pytest.raises(ImportFileError, match="无法读取 Excel"):
        read_table(data[:700], "half.xls")


@given(st.binary(max_size=400))
@settings(max_examples=300)
def test_random_bytes_give_a_table_or_a_chinese_rejection(data):
    try:
        table = read_table(data, "random.csv")
    except ImportFileError as exc:
        assert exc.problems and exc.problems[0].message
    else:
        assert table.format in ("csv", "xlsx", "xls")


@given(st.binary(max_size=300))
@settings(max_examples=100)
def test_random_bytes_behind_spreadsheet_magic_are_rejected(tail):
    for magic in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        with pytest.raises(ImportFileError):
            read_table(magic + tail, "random.xlsx")
