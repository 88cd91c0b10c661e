"""Row and column checks: each problem named in Chinese with file, row and column header."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from importing_support import ENTERPRISE_HEADERS, credit_code, csv_bytes, enterprise_rows

from gsyf_geo.importing.problems import ImportFileError
from gsyf_geo.importing.readers import read_table
from gsyf_geo.importing.validate import parse_table

FILE = "企业名单.csv"


def _parse(headers, rows, kind="enterprise", encoding="utf-8-sig"):
    return parse_table(read_table(csv_bytes(headers, rows, encoding), FILE), kind)


def _errors(parsed):
    return {(p.row, p.column): p.message for p in parsed.problems if p.is_error}


def test_header_variants_are_accepted():
    headers = ["*信用代码", "名称", " 国民经济行业代码 ", "从业人数", "工伤保险参保人数（人）",
               "区县", "乡镇(街道)", "地址", "经度", "纬度"]  # fmt: skip
    parsed = _parse(headers, enterprise_rows(2))
    assert not _errors(parsed)
    assert parsed.header.headers["name"] == "名称"
    assert parsed.values.at[2, "credit_code"] == credit_code(0)
    assert parsed.values.at[2, "town"] == "320412100"  # 湖塘镇


def test_problems_name_the_header_as_written_in_the_file():
    headers = ["信用代码", "名称", "从业人数", "参保人数", "区县"]
    rows = [[credit_code(1), "甲公司", "一百", 3, "武进区"]]
    parsed = _parse(headers, rows)
    assert _errors(parsed) == {(2, "从业人数"): "不是数字：“一百”"}
    p = next(p for p in parsed.problems if p.is_error)
    assert (p.file, p.row, p.column) == (FILE, 2, "从业人数")
    assert str(p) == "企业名单.csv，第 2 行，“从业人数”列：不是数字：“一百”"


def test_missing_required_columns_reject_the_file_with_their_names():
    with pytest.raises(ImportFileError) as err:
        _parse(["统一社会信用代码", "单位名称", "辖市区"], [[credit_code(1), "甲", "武进区"]])
    assert "缺少必填列：职工人数、参保人数" in str(err.value)


def test_a_file_of_another_kind_gets_a_hint():
    headers = ["项目编号", "项目名称", "按项目参保", "辖市区"]
    with pytest.raises(ImportFileError) as err:
        _parse(headers, [["P-1", "某工程", "是", "武进区"]], kind="enterprise")
    assert "更像“工程建设项目”" in str(err.value)


def test_no_header_at_all():
    with pytest.raises(ImportFileError, match="未找到表头"):
        _parse(["a", "b", "c"], [[1, 2, 3]])


def test_header_without_data_rows():
    with pytest.raises(ImportFileError, match="没有数据行"):
        _parse(ENTERPRISE_HEADERS, [])


def test_two_columns_for_one_field_are_refused():
    headers = ENTERPRISE_HEADERS + ["企业名称"]
    rows = [r + ["重复"] for r in enterprise_rows(1)]
    with pytest.raises(ImportFileError, match="表示同一项"):
        _parse(headers, rows)


def test_longitude_without_latitude_column_is_refused():
    headers = ENTERPRISE_HEADERS[:-1]
    rows = [r[:-1] for r in enterprise_rows(1)]
    with pytest.raises(ImportFileError, match="有“经度”列但没有“纬度”列"):
        _parse(headers, rows)


def test_unknown_columns_are_ignored_with_a_note_and_blank_rows_skipped():
    headers = ENTERPRISE_HEADERS + ["备注"]
    rows = [enterprise_rows(1)[0] + ["x"], [""] * 11, enterprise_rows(1, start=1)[0] + [""]]
    parsed = _parse(headers, rows)
    assert list(parsed.values.index) == [2, 4]
    notes = [(p.column, p.message) for p in parsed.problems if not p.is_error]
    assert notes == [("备注", "未识别的列，已忽略")]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("职工人数", "12.5", "应为整数（现为 12.5）"),
        ("职工人数", "-3", "不能为负数"),
        ("职工人数", "1,234人", None),
        ("参保人数", "500", "参保人数（500）大于职工人数（100）"),
        ("行业代码", "C9999", "不是有效的 GB/T 4754-2017 行业代码"),
        ("行业代码", "Z1234", "不是有效的 GB/T 4754-2017 行业代码"),
        ("行业代码", "2614", None),
        ("辖市区", "苏州市", "未知的辖市区“苏州市”"),
        ("辖市区", "经开区", None),
        ("统一社会信用代码", "91320412MA1P3G5Q4X", "校验位（第 18 位）不符"),
        ("统一社会信用代码", "", "必填项为空"),
        ("单位名称", "", "必填项为空"),
        ("经度", "", "经度和纬度须同时填写"),
        ("经度", "31.71", "可能填反了"),
        ("经度", "40512345.6", "像是投影坐标"),
        ("职工人数", "#N/A", "Excel 错误值 #N/A"),
    ],
)
def test_cell_problems(column, value, message):
    rows = enterprise_rows(1)
    j = ENTERPRISE_HEADERS.index(column)
    rows[0][j] = value
    if column == "经度" and value == "31.71":
        rows[0][ENTERPRISE_HEADERS.index("纬度")] = "119.94"
    parsed = _parse(ENTERPRISE_HEADERS, rows)
    errors = _errors(parsed)
    if message is None:
        assert not errors
    else:
        assert any(message in m for m in errors.values()), errors
        assert all(row == 2 for row, _ in errors)


def test_numbers_with_separators_and_units():
    rows = enterprise_rows(1)
    rows[0][3], rows[0][4] = "1,234人", "１２００"  # thousands separator, unit, full-width digits
    parsed = _parse(ENTERPRISE_HEADERS, rows)
    assert (parsed.values.at[2, "employees"], parsed.values.at[2, "insured"]) == (1234, 1200)


def test_industry_code_is_normalised_with_its_section_letter():
    rows = enterprise_rows(1)
    rows[0][2] = " 2614 "
    assert _parse(ENTERPRISE_HEADERS, rows).values.at[2, "industry_code"] == "C2614"


def test_duplicate_keys_within_the_file_reject_every_copy():
    rows = enterprise_rows(3)
    rows[2][0] = rows[0][0]
    parsed = _parse(ENTERPRISE_HEADERS, rows)
    errors = _errors(parsed)
    assert set(errors) == {(2, "统一社会信用代码"), (4, "统一社会信用代码")}
    assert "重复出现（第 2、4 行）" in errors[(2, "统一社会信用代码")]


def test_town_of_another_district_is_dropped_with_a_note():
    rows = enterprise_rows(1)
    rows[0][6] = "春江街道"  # 新北区, but the row says 武进区
    parsed = _parse(ENTERPRISE_HEADERS, rows)
    assert not _errors(parsed)
    assert parsed.values.at[2, "town"] is None
    assert any("属于新北区，不属于武进区" in p.message for p in parsed.problems)


INJURY_HEADERS = ["工伤认定编号", "受伤日期", "辖市区", "事故类别", "死亡"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-30", "不是有效日期"),
        ("1985-01-01", "早于 1990-01-01"),
        ((date.today() + timedelta(days=3)).isoformat(), "晚于今天"),
        ("去年", "不是有效日期"),
        ("2023/5/1", None),
        ("2023年5月1日", None),
        ("20230501", None),
        ("2023.05.01", None),
    ],
)
def test_dates(value, message):
    parsed = _parse(INJURY_HEADERS, [["WI-1", value, "武进区", "触电", "否"]], kind="work_injury")
    errors = _errors(parsed)
    if message is None:
        assert not errors and parsed.values.at[2, "injury_date"] == date(2023, 5, 1)
    else:
        assert message in errors[(2, "受伤日期")]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("事故类别", "摔倒", "应为以下之一"), ("死亡", "也许", "应为“是”或“否”")],
)
def test_choices_and_yes_no(column, value, message):
    row = ["WI-1", "2023-05-01", "武进区", "触电", "否"]
    row[INJURY_HEADERS.index(column)] = value
    parsed = _parse(INJURY_HEADERS, [row], kind="work_injury")
    assert message in _errors(parsed)[(2, column)]


@pytest.mark.parametrize("word", ["是", "Y", "1", "TRUE", "√", "有"])
def test_yes_spellings(word):
    parsed = _parse(INJURY_HEADERS, [["WI-1", "2023-05-01", "武进区", "触电", word]], "work_injury")
    assert parsed.values.at[2, "fatal"] is True


def test_snapshot_year_may_not_lie_in_the_future():
    headers = ["统一社会信用代码", "年度", "职工人数", "参保人数"]
    rows = [[credit_code(1), date.today().year + 1, 10, 10], [credit_code(2), 1999, 10, 10]]
    errors = _errors(_parse(headers, rows, kind="insurance_snapshot"))
    assert "超出范围" in errors[(2, "年度")] and "超出范围" in errors[(3, "年度")]


def test_gbk_file_problems_read_back_in_chinese():
    rows = enterprise_rows(1)
    rows[0][3] = "很多"
    parsed = _parse(ENTERPRISE_HEADERS, rows, encoding="gbk")
    assert _errors(parsed) == {(2, "职工人数"): "不是数字：“很多”"}
