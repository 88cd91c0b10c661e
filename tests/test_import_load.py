"""The import against the store (SQLite and PostGIS): all-or-nothing, partial, upsert,
interruption, round trips, coordinate systems and districts."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importing_support import (
    CHUNJIANG,
    ENTERPRISE_HEADERS,
    HENGLIN,
    HUTANG,
    NANJING,
    batch_count,
    credit_code,
    csv_bytes,
    enterprise_rows,
    snapshot,
    town_point,
    xls_bytes,
    xlsx_bytes,
)

from gsyf_geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from gsyf_geo.importing import load as L
from gsyf_geo.importing.export import export_bytes, export_frame
from gsyf_geo.importing.geocode import district_points, town_points
from gsyf_geo.importing.load import import_file
from gsyf_geo.importing.readers import read_table
from gsyf_geo.importing.schema import IMPORTABLE_KINDS
from gsyf_geo.importing.templates import template_bytes
from gsyf_geo.store import Scope

FILE = "企业.csv"


def _import(store, data, kind="enterprise", name=FILE, **kw):
    return import_file(store, kind, data, name, user="测试员", **kw)


def test_good_file_loads_and_is_recorded(store):
    data = csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(5))
    result = _import(store, data)
    assert result.status == "done" and result.loaded
    assert (result.rows_read, result.inserted, result.updated, result.rejected) == (5, 5, 0, 0)
    assert result.placed == {("file", "exact"): 5}
    ent = store.read("enterprise").set_index("credit_code")
    assert len(ent) == 5
    row = ent.loc[credit_code(0)]
    assert (row["name"], row["district"], row["town_code"]) == ("常州市测试0号机械有限公司", "320412", HUTANG)
    assert (row["key_industry"], row["geocode_source"], row["geocode_precision"]) == ("machinery", "file", "exact")
    assert not row["is_demo"] and row["batch_id"] == result.batch_id
    batch = store.batches().set_index("id").loc[result.batch_id]
    assert (batch["kind"], batch["file_name"], batch["user_name"]) == ("enterprise", FILE, "测试员")
    assert batch["file_sha256"] == result.sha256 and len(result.sha256) == 64
    assert (batch["rows_read"], batch["inserted"], batch["status"]) == (5, 5, "done")


def test_any_rejected_row_changes_nothing(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3)))
    before = snapshot(store)
    rows = enterprise_rows(6)
    rows[0][1] = "改了名的公司"  # would be an update
    rows[4][4] = 10_000  # insured > employees
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), name="坏.csv")
    assert result.status == "rejected" and not result.loaded
    assert (result.inserted, result.updated, result.rejected) == (0, 0, 1)
    assert snapshot(store) == before
    rejected = store.batches().set_index("id").loc[result.batch_id]
    assert rejected["status"] == "rejected" and "第 6 行" in rejected["note"]
    assert any(p.row == 6 and p.column == "参保人数" for p in result.problems)


def test_nul_padded_cells_load_and_bad_nul_cells_are_reported(store):
    # PostgreSQL refuses NUL in text: neither the rows nor the batch note may carry one
    rows = enterprise_rows(2)
    rows[0][1] += "\x00\x00"
    rows[1][2] = "X\x00"  # not an industry code once the NUL is gone
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), partial=True)
    assert (result.inserted, result.rejected) == (1, 1)
    assert store.read("enterprise")["name"].tolist() == ["常州市测试0号机械有限公司"]
    assert any(p.row == 3 and p.column == "行业代码" for p in result.problems)
    assert "\x00" not in store.batches().set_index("id").at[result.batch_id, "note"]


def test_partial_loads_the_good_rows_and_reports_the_rest(store):
    rows = enterprise_rows(6)
    rows[4][4] = 10_000
    rows[5][0] = "91320412MA1P3G5Q4X"
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), partial=True)
    assert result.status == "partial" and result.loaded
    assert (result.inserted, result.rejected) == (4, 2)
    assert store.count("enterprise") == 4
    report = pd.read_csv(io.BytesIO(result.report_csv()), encoding="utf-8-sig")
    assert list(report.columns) == ["文件", "行号", "列", "问题", "级别"]
    assert sorted(report.loc[report["级别"] == "错误", "行号"]) == [6, 7]
    assert result.report_csv().startswith(b"\xef\xbb\xbf")


def test_reimport_changes_nothing_and_a_corrected_file_updates_in_place(store):
    data = csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(4))
    first = _import(store, data)
    before = snapshot(store)
    again = _import(store, data)
    assert again.status == "unchanged" and again.loaded
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot(store) == before  # not even batch_id changed
    rows = enterprise_rows(4)
    rows[2][4] = 50  # insured corrected
    fixed = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), name="改正.csv")
    assert (fixed.inserted, fixed.updated, fixed.unchanged) == (0, 1, 3)
    ent = store.read("enterprise").set_index("credit_code")
    assert ent.at[credit_code(2), "insured"] == 50
    assert ent.at[credit_code(2), "batch_id"] == fixed.batch_id
    assert ent.at[credit_code(1), "batch_id"] == first.batch_id
    assert store.count("enterprise") == 4


def test_columns_missing_from_a_file_keep_their_stored_values(store):
    headers = ENTERPRISE_HEADERS + ["重要岗位人数", "重要岗位已培训人数"]
    _import(store, csv_bytes(headers, [r + [8, 5] for r in enterprise_rows(2)]))
    slim = ["统一社会信用代码", "单位名称", "职工人数", "参保人数"]
    rows = [[r[0], r[1], 300, 200] for r in enterprise_rows(2)]
    result = _import(store, csv_bytes(slim, rows))
    assert result.updated == 2
    ent = store.read("enterprise").set_index("credit_code")
    assert (ent.at[credit_code(0), "employees"], ent.at[credit_code(0), "key_staff"]) == (300, 8)
    assert ent.at[credit_code(0), "geocode_source"] == "file"  # location kept


def test_interrupted_import_leaves_the_store_as_it_was(store, monkeypatch):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2)))
    before, batches = snapshot(store), batch_count(store)
    monkeypatch.setattr(L, "WRITE_CHUNK", 5)
    calls = []

    def progress(fraction, message):
        if message.startswith("写入数据库 "):
            calls.append(message)
            if len(calls) == 2:  # after two chunks were written inside the transaction
                raise KeyboardInterrupt

    data = csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(20, start=2))
    with pytest.raises(KeyboardInterrupt):
        _import(store, data, progress=progress)
    assert calls == ["写入数据库 5/20…", "写入数据库 10/20…"]
    assert snapshot(store) == before
    assert batch_count(store) == batches


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "gbk", "xlsx", "xls"])
def test_each_file_format_loads_the_same_rows(store, fmt):
    rows = enterprise_rows(3)
    if fmt == "xlsx":
        data = xlsx_bytes(ENTERPRISE_HEADERS, rows, title="企业名单")
    elif fmt == "xls":
        data = xls_bytes(ENTERPRISE_HEADERS, rows)
    else:
        data = csv_bytes(ENTERPRISE_HEADERS, rows, fmt)
    result = _import(store, data, name=f"企业.{fmt}")
    assert result.status == "done", result.problems
    ent = store.read("enterprise").sort_values("credit_code")
    assert ent["name"].tolist() == [r[1] for r in rows]
    assert ent["lon"].tolist() == pytest.approx([r[8] for r in rows], abs=1e-9)
    # The same rows from another format change nothing.
    again = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows))
    assert again.status == "unchanged"


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_gcj02_and_bd09_inputs_land_at_the_right_wgs84_point(store, system):
    lon, lat = town_point(HUTANG)
    convert = wgs84_to_gcj02 if system == "gcj02" else wgs84_to_bd09
    x, y = convert(lon, lat)
    rows = enterprise_rows(1)
    rows[0][8], rows[0][9] = repr(x), repr(y)
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), crs=system)
    assert result.status == "done"
    ent = store.read("enterprise")
    assert ent["lon"].iloc[0] == pytest.approx(lon, abs=1e-7)  # ~1 cm
    assert ent["lat"].iloc[0] == pytest.approx(lat, abs=1e-7)
    assert (x - lon) ** 2 + (y - lat) ** 2 > 1e-6  # the offset is real (hundreds of metres)


def test_point_outside_changzhou_is_rejected(store):
    rows = enterprise_rows(2)
    rows[1][8], rows[1][9] = NANJING
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows))
    assert result.status == "rejected" and store.count("enterprise") == 0
    p = next(p for p in result.problems if p.is_error)
    assert (p.row, p.column) == (3, "经度") and "不在常州市范围内" in p.message


def test_point_outside_the_named_district_is_kept_and_flagged(store):
    rows = enterprise_rows(2)
    rows[1][5], rows[1][6] = "天宁区", ""  # but the point is in 武进 湖塘
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows))
    assert result.status == "done" and result.flagged == 1
    ent = store.read("enterprise").set_index("credit_code")
    assert bool(ent.at[credit_code(1), "outside_named_district"])
    assert ent.at[credit_code(1), "district"] == "320402"  # the district the row names
    assert not bool(ent.at[credit_code(0), "outside_named_district"])
    note = next(p for p in result.problems if p.row == 3)
    assert not note.is_error and "位于武进区，不在所填天宁区内" in note.message
    exported = export_frame(store, "enterprise").set_index("统一社会信用代码")
    assert exported.at[credit_code(1), "超出所填区县"] == "是"
    assert "超出所填辖市区（已保留并标记）：1 行" in result.summary_lines()


def test_rows_without_coordinates_are_placed_offline_by_town_or_district(store):
    headers = ["统一社会信用代码", "单位名称", "职工人数", "参保人数", "辖市区", "单位地址"]
    rows = [
        [credit_code(1), "甲", 10, 9, "", "常州市新北区春江街道长江北路 1 号"],
        [credit_code(2), "乙", 10, 9, "金坛区", "金坛某处"],
        [credit_code(3), "丙", 10, 9, "经开区", "横林镇崔桥路 5 号"],
        [credit_code(4), "丁", 10, 9, "", "某某路 8 号"],
    ]
    result = _import(store, csv_bytes(headers, rows), partial=True)
    assert result.placed == {("offline", "town"): 2, ("offline", "district"): 1}
    assert result.rejected == 1 and "无法确定位置" in next(p.message for p in result.problems if p.row == 5)
    ent = store.read("enterprise").set_index("credit_code")
    assert (ent.at[credit_code(1), "lon"], ent.at[credit_code(1), "lat"]) == town_points()[CHUNJIANG]
    assert ent.at[credit_code(1), "district"] == "320411"
    assert (ent.at[credit_code(2), "lon"], ent.at[credit_code(2), "lat"]) == district_points()["320413"]
    assert ent.at[credit_code(2), "geocode_precision"] == "district"
    assert (ent.at[credit_code(3), "town_code"], ent.at[credit_code(3), "reporting_unit"]) == (HENGLIN, "JKQ")


def test_rows_outside_the_scope_are_rejected(store):
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)), scope=Scope.district("320402"))
    assert result.status == "rejected"
    assert "不在您的权限范围（天宁区）内" in result.problems[0].message


def test_snapshot_needs_the_enterprise_and_takes_its_district(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)))
    headers = ["统一社会信用代码", "单位名称", "年度", "职工人数", "参保人数"]
    rows = [[credit_code(0), "常州市测试0号机械有限公司", 2023, 90, 80],
            [credit_code(9), "没登记的公司", 2023, 10, 5]]  # fmt: skip
    result = _import(store, csv_bytes(headers, rows), kind="insurance_snapshot")
    assert result.status == "rejected"
    assert "企业名录中没有该单位" in next(p.message for p in result.problems if p.row == 3)
    result = _import(store, csv_bytes(headers, rows[:1]), kind="insurance_snapshot")
    snap = store.read("insurance_snapshot")
    assert result.status == "done" and snap[["district", "reporting_unit"]].values.tolist() == [["320412", "320412"]]


def test_disease_cases_take_district_and_industry_from_the_register(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)))
    headers = ["病例编号", "诊断日期", "统一社会信用代码", "辖市区", "职业病名称", "接尘工龄（年）"]
    rows = [["OD-1", "2024-03-01", credit_code(0), "", "尘肺", "4.5"],
            ["OD-2", "2024-03-02", "", "经开区", "噪声聋", ""],
            ["OD-3", "2024-03-03", "", "", "其他", ""]]  # fmt: skip
    result = _import(store, csv_bytes(headers, rows), kind="disease_case", partial=True)
    assert (result.inserted, result.rejected) == (2, 1)
    cases = store.read("disease_case").set_index("case_id")
    assert cases.loc["OD-1", ["district", "key_industry", "disease"]].tolist() == ["320412", "machinery", "尘肺病"]
    assert cases.loc["OD-2", ["district", "reporting_unit"]].tolist() == ["320412", "JKQ"]


def test_work_injury_without_a_place_is_put_at_its_enterprise(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)))
    headers = ["工伤认定编号", "受伤日期", "统一社会信用代码", "事故类别"]
    result = _import(store, csv_bytes(headers, [["WI-1", "2024-01-05", credit_code(0), "机械伤害"]]),
                     kind="work_injury")  # fmt: skip
    assert result.status == "done" and result.placed == {("enterprise", "exact"): 1}
    inj = store.read("work_injury").iloc[0]
    ent = store.read("enterprise").iloc[0]
    assert (inj["lon"], inj["lat"], inj["district"], inj["key_industry"]) == (
        ent["lon"], ent["lat"], ent["district"], "machinery")


@pytest.mark.parametrize("kind", IMPORTABLE_KINDS)
def test_template_imports_cleanly(store, kind):
    if kind != "enterprise":
        _import(store, template_bytes("enterprise", "csv"), kind="enterprise", name="t.csv")
    for fmt in ("xlsx", "csv"):
        result = _import(store, template_bytes(kind, fmt), kind=kind, name=f"模板.{fmt}")
        assert result.loaded and not [p for p in result.problems if p.is_error], result.problems
    assert store.count(kind) == 1


# --- round trips -------------------------------------------------------------------------------

ROUND_TRIP_FILES: dict[str, tuple[list[str], list[list[object]]]] = {
    "construction_project": (
        ["项目编号", "项目名称", "开工日期", "工程造价（万元）", "用工人数", "按项目参保",
         "施工单位统一社会信用代码", "辖市区", "乡镇（街道）", "项目地址", "经度", "纬度"],
        [["P-1", "甲工程", "2024-03-15", "3200.5", 180, "是", None, "武进区", "湖塘镇", None, 119.9521, 31.7063],
         ["P-2", "乙工程", "2023-11-01", "", "", "否", None, "", "", "常州市新北区春江街道", "", ""],
         ["P-3", "丙工程", "", "120", 20, "否", None, "溧阳市", "", "", "", ""]],
    ),
    "training_base": (
        ["基地编号", "基地名称", "基地类型", "状态", "建成年度", "培训容量（人）", "辖市区", "地址", "经度", "纬度"],
        [["B-1", "甲基地", "技工院校", "已建", 2022, 200, "钟楼区", "", 119.9, 31.78],
         ["C-1", "乙候选点", "工业园区", "候选", "", "", "经开区", "横林镇", "", ""]],
    ),
    "work_injury": (
        ["工伤认定编号", "受伤日期", "统一社会信用代码", "重点行业", "事故类别", "上下班途中", "死亡",
         "辖市区", "事故地点", "经度", "纬度"],
        [["WI-1", "2024-05-20", None, "机械制造", "机械伤害", "否", "否", "武进区", "", 119.9452, 31.7128],
         ["WI-2", "2024-06-20", None, "", "车辆伤害", "是", "是", "天宁区", "", "", ""]],
    ),
    "disease_case": (
        ["病例编号", "诊断日期", "统一社会信用代码", "辖市区", "重点行业", "职业病名称", "接害工龄（年）"],
        [["OD-1", "2024-06-10", None, "经开区", "冶金", "尘肺病", 3.5],
         ["OD-2", "2024-07-10", None, "溧阳市", "", "其他", ""]],
    ),
    "training_record": (
        ["记录编号", "活动类型", "活动日期", "辖市区", "参加人数", "重要岗位培训人数", "实施单位", "主题",
         "体检式项目", "基地编号"],
        [["TR-1", "培训", "2024-04-18", "新北区", 45, 5, "某中心", "培训", "是", "B-1"],
         ["TR-2", "宣传", "2024-04-19", "经开区", "", "", "", "", "", ""]],
    ),
}  # fmt: skip


def _round_trip(store, kind, data, name):
    first = _import(store, data, kind=kind, name=name)
    assert first.loaded and not [p for p in first.problems if p.is_error], first.problems
    before = snapshot(store)
    exported = {}
    for fmt in ("csv", "xlsx"):
        out = export_bytes(store, kind, fmt)
        exported[fmt] = out
        again = _import(store, out, kind=kind, name=f"导出.{fmt}")
        assert again.status == "unchanged", (fmt, again.summary_lines(), again.problems)
        assert snapshot(store) == before
    return exported


@pytest.mark.parametrize("kind", list(ROUND_TRIP_FILES))
def test_round_trip_import_export_import_changes_nothing(store, kind):
    headers, rows = ROUND_TRIP_FILES[kind]
    _round_trip(store, kind, csv_bytes(headers, rows), f"{kind}.csv")


def test_round_trip_of_enterprises_and_snapshots(store):
    rows = enterprise_rows(5)
    rows[3][8], rows[3][9] = "", ""  # placed offline at 湖塘镇
    exported = _round_trip(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, rows), "e.csv")
    frame = pd.read_csv(io.BytesIO(exported["csv"]), encoding="utf-8-sig", dtype=str)
    assert frame.loc[3, ["定位来源", "定位精度"]].tolist() == ["离线估计", "乡镇"]
    headers = ["统一社会信用代码", "年度", "职工人数", "参保人数"]
    snaps = [[credit_code(i), y, 100, 90] for i in range(5) for y in (2022, 2023)]
    _round_trip(store, "insurance_snapshot", csv_bytes(headers, snaps), "s.csv")


def test_round_trip_of_the_demo_city(demo_store, store):
    """Every importable kind of the small demo city, exported and imported into an empty
    store, exports again identically; importing it again changes nothing."""
    for kind in IMPORTABLE_KINDS:
        source = export_frame(demo_store, kind)
        data = export_bytes(demo_store, kind, "csv")  # XLSX round trips are tested above
        result = _import(store, data, kind=kind, name=f"{kind}.csv", partial=True)
        assert result.loaded, result.summary_lines()
        assert result.rejected == 0, result.problems[:5]
        mine = export_frame(store, kind)
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), source.reset_index(drop=True),
                                      check_dtype=False)  # fmt: skip
        assert _import(store, export_bytes(store, kind, "csv"), kind=kind, name="again.csv").status == "unchanged"


# --- random bad input ----------------------------------------------------------------------------

cell_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "是", "否", "-1", "1e9", "NaN", "#N/A", "武进区", "湖塘镇", "经开区",
                     "2024-02-30", "119.9", "31.7", "C3412", "99999", credit_code(3)]),
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell_text, min_size=0, max_size=12), min_size=1, max_size=6),
       st.booleans(), st.sampled_from(["utf-8-sig", "gbk", "raw"]))  # fmt: skip
def test_random_bad_csv_never_raises_and_never_writes_part_of_a_file(store, rows, partial, encoding):
    before = snapshot(store)
    if encoding == "raw":
        data = "\n".join(",".join(r) for r in rows).encode("utf-8", "replace")
    else:
        text_rows = [[c.encode(encoding, "replace").decode(encoding) for c in r] for r in rows]
        data = csv_bytes(ENTERPRISE_HEADERS, text_rows, encoding)
    result = _import(store, data, name="random.csv", partial=partial)
    after = snapshot(store)
    assert result.status in ("done", "partial", "unchanged", "rejected")
    if result.status == "rejected":
        assert after == before
        assert result.problems and all(p.message for p in result.problems)
    else:
        loaded = store.count("enterprise") - len(before["enterprise"])
        assert loaded == result.inserted
        assert result.rejected == 0 or partial


def test_read_problems_come_back_as_a_rejected_result(store):
    result = _import(store, b"PK\x03\x04garbage", name="坏.xlsx")
    assert result.status == "rejected" and result.rows_read == 0
    assert "无法读取 Excel" in result.summary_lines()[0] + result.problems[0].message
    assert store.count("enterprise") == 0


def test_progress_reaches_one(store):
    seen = []
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3)), progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_read_table_of_an_export_has_the_template_headers(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)))
    table = read_table(export_bytes(store, "enterprise", "xlsx"), "x.xlsx")
    template = read_table(template_bytes("enterprise", "xlsx"), "t.xlsx")
    assert table.rows[0][1][: len(template.rows[0][1])] == template.rows[0][1]
    assert table.rows[0][1][len(template.rows[0][1]) :] == ["定位来源", "定位精度", "超出所填区县"]
    assert np.isclose(table.rows[1][1][template.rows[0][1].index("经度")], enterprise_rows(1)[0][8])


def test_duplicates_against_the_store_are_reported(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2)))
    rows = enterprise_rows(3)
    rows[0][4] = 20  # an update of a stored enterprise
    rows[2][1] = rows[1][1]  # a new code under the name of a stored enterprise
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows))
    assert result.status == "done" and (result.inserted, result.updated) == (1, 1)
    notes = {(p.row, p.column): p.message for p in result.problems if not p.is_error}
    assert notes[(2, "统一社会信用代码")] == "库中已有该统一社会信用代码，本行将更新该单位的记录"
    assert f"同名单位另有统一社会信用代码 {credit_code(1)}" in notes[(4, "单位名称")]
    assert f"同名单位另有统一社会信用代码 {credit_code(2)}" in notes[(3, "单位名称")]


def test_industry_code_stored_as_a_number_gets_a_note(store):
    rows = enterprise_rows(1)
    rows[0][2] = 511  # "0511" typed into a number cell
    result = _import(store, xlsx_bytes(ENTERPRISE_HEADERS, rows), name="e.xlsx")
    assert any("开头的 0 可能已丢失" in p.message and p.column == "行业代码" for p in result.problems)
