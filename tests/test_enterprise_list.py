"""The officer's enterprise list: orders over every filtered row, export names and formats,
point colours that follow the filter, chosen towns outlined."""

from __future__ import annotations

import io
import json

import folium
import numpy as np
import pandas as pd
import pytest
import shapely

from gsyf_geo.analysis.enterprise_list import (
    LIST_SORTS,
    PAGE_ROWS,
    list_export,
    list_file_stem,
    list_sentence,
    list_title,
)
from gsyf_geo.analysis.filters import FilteredView, MapState, grade_enterprises
from gsyf_geo.analysis.indicators import enterprise_table
from gsyf_geo.geography import towns
from gsyf_geo.importing.schema import GEOCODE_PRECISION_LABELS

WUJIN = "320412"
YEAR = 2025
N = 3_000  # one district with more than a page of enterprises
SECOND = 2_001


def _wujin_towns() -> pd.DataFrame:
    t = towns()
    return t[t["reporting_unit"] == WUJIN].reset_index(drop=True)


def _view(years: tuple[int, int] = (YEAR, YEAR)) -> FilteredView:
    """3,000 武进 enterprises with random figures, graded by the map's own rule."""
    rng = np.random.default_rng(13)
    t = _wujin_towns()
    employees = rng.integers(5, 2_000, N)
    insured = (employees * rng.uniform(0.3, 1.0, N)).astype(int)
    insured[:5] = 0  # a few with nobody insured
    employees[5] = 0  # and one without employees: no rate, last when sorted by rate
    insured[5] = 0
    key_staff = rng.integers(0, 60, N)
    trained = (key_staff * rng.uniform(0, 1, N)).astype(int)
    ent = pd.DataFrame({
        "credit_code": [f"91320412MA{i:07d}X" for i in range(N)],
        "name": [f"企业{rng.integers(0, 10**6):06d}" for _ in range(N)],
        "reporting_unit": WUJIN, "district": WUJIN,
        "town_code": t["code"].to_numpy()[rng.integers(0, len(t), N)],
        "key_industry": rng.choice(["chemical", "machinery", "metallurgy"], N),
        "industry_code": "C3484", "size": rng.choice(["large", "medium", "small", "micro"], N),
        "risk_class": rng.integers(1, 9, N),
        "employees": employees, "insured": insured, "gap": employees - insured,
        "key_staff": key_staff, f"trained_{YEAR}": trained, "key_staff_trained": trained,
        "key_enterprise": True, f"reached_{YEAR}": rng.integers(0, 2, N).astype(float),
        "address": "武进区", "lon": rng.uniform(119.85, 120.05, N), "lat": rng.uniform(31.6, 31.75, N),
        "geocode_precision": rng.choice(list(GEOCODE_PRECISION_LABELS), N),
        "outside_named_district": False,
        **{f"injuries_{y}": rng.poisson(0.3, N) for y in range(2020, YEAR + 1)},
        **{f"fatal_{y}": np.zeros(N, dtype=int) for y in range(2020, YEAR + 1)},
    })  # fmt: skip
    # The most and the second-most untrained key staff (others have fewer than 60); the
    # second sits in an enterprise with a gap of 1: far down a list sorted by gap.
    ent.loc[[SECOND - 1, SECOND], "key_staff"] = [90, 80]
    ent.loc[[SECOND - 1, SECOND], [f"trained_{YEAR}", "key_staff_trained"]] = 0
    ent.loc[SECOND, ["employees", "insured", "gap"]] = [40, 39, 1]
    ent = grade_enterprises(ent, years)
    empty = pd.DataFrame()
    return FilteredView(ent, empty, empty, empty, empty, years)


def _second_most_untrained(view: FilteredView) -> str:
    """Found directly: the enterprise with the second-largest key staff minus trained."""
    ent = view.enterprises
    untrained = (ent["key_staff"] - ent[f"trained_{YEAR}"]).clip(lower=0).sort_values(ascending=False)
    assert untrained.iloc[0] > untrained.iloc[1] > untrained.iloc[2]  # no ties at the top
    return str(ent.loc[untrained.index[1], "credit_code"])


def test_sorting_by_untrained_staff_happens_before_the_page_limit():
    view = _view()
    code = _second_most_untrained(view)
    by_gap = enterprise_table(view)["统一社会信用代码"].tolist()
    assert by_gap.index(code) >= PAGE_ROWS  # not on a page sorted by gap (the old page)
    assert code not in set(enterprise_table(view, limit=PAGE_ROWS)["统一社会信用代码"])
    page = enterprise_table(view, limit=PAGE_ROWS, sort="untrained")
    assert len(page) == PAGE_ROWS
    assert page["统一社会信用代码"].iloc[1] == code
    assert page["未培训人数"].is_monotonic_decreasing
    everyone = (view.enterprises["key_staff"] - view.enterprises[f"trained_{YEAR}"]).clip(lower=0)
    assert page["未培训人数"].iloc[0] == everyone.max()
    # The page's last row has at least as many untrained as any enterprise left off the page.
    left_off = set(view.enterprises["credit_code"]) - set(page["统一社会信用代码"])
    off = everyone[view.enterprises["credit_code"].isin(left_off)]
    assert page["未培训人数"].iloc[-1] >= off.max()


@pytest.mark.parametrize("sort", list(LIST_SORTS))
def test_every_order_pages_the_head_of_the_whole_order(sort):
    view = _view()
    whole = enterprise_table(view, sort=sort)
    page = enterprise_table(view, limit=PAGE_ROWS, sort=sort)
    assert len(whole) == N
    pd.testing.assert_frame_equal(page, whole.head(PAGE_ROWS))
    col = {"gap": "参保缺口（人）", "untrained": "未培训人数", "injuries": f"工伤人数（{YEAR}年）"}
    if sort in col:
        assert whole[col[sort]].is_monotonic_decreasing
    elif sort == "insurance_rate":
        rates = whole["参保率"]
        assert rates.dropna().is_monotonic_increasing and rates.iloc[-1] != rates.iloc[-1]  # no rate: last
        assert rates.iloc[0] == 0
    elif sort == "grade":
        order = ["红（重大风险）", "橙（较大风险）", "黄（一般风险）", "蓝（低风险）"]
        assert whole["风险等级"].map(order.index).is_monotonic_increasing
    elif sort == "name":
        assert whole["单位名称"].tolist() == sorted(whole["单位名称"])


def test_the_page_says_how_it_is_sorted_and_what_it_holds():
    assert list_sentence("untrained", 6_003, 1_000) == "按未培训人数排序，显示前 1,000 家，共 6,003 家；导出文件包含全部"
    assert list_sentence("gap", 312, 312) == "按参保缺口排序，共 312 家"


def test_the_table_speaks_chinese():
    table = enterprise_table(_view())
    assert set(table["定位方式"]) == set(GEOCODE_PRECISION_LABELS.values())  # 精确, 道路, …: no "exact"
    assert "工伤人数（2025年）" in table.columns
    assert "工伤人数（2024–2025年）" in enterprise_table(_view((2024, YEAR))).columns


def test_export_title_and_file_name_carry_every_filter():
    t = _wujin_towns()
    state = MapState(
        unit=WUJIN, towns=tuple(t["code"][:2]), industries=("chemical",), sizes=("large", "medium"),
        grades=("red",), years=(2024, 2025),
    )  # fmt: skip
    stem = list_file_stem("武进区", state, (2024, 2025), "untrained")
    towns_words = "+".join(t["name"][:2])
    assert stem == f"企业清单_武进区_{towns_words}_化工_大型+中型_红（重大风险）_2024–2025年_按未培训人数排序"
    title = list_title("武进区", state, (2024, 2025), "untrained", 312)
    for words in ("武进区", "、".join(t["name"][:2]), "化工", "大型、中型", "红（重大风险）", "2024–2025年",
                  "按未培训人数排序", "共 312 家"):  # fmt: skip
        assert words in title
    # No filter: the unit, the year and the order only.
    assert list_file_stem("全市", MapState(), (2025, 2025), "gap") == "企业清单_全市_2025年_按参保缺口排序"
    # Many towns: counted in the file name (which stays short), all named in the title.
    many = MapState(unit=WUJIN, towns=tuple(t["code"][:9]))
    long_stem = list_file_stem("武进区", many, (2025, 2025), "gap")
    assert f"{t['name'][0]}等9个乡镇" in long_stem and len(long_stem.encode()) < 200
    assert all(name in list_title("武进区", many, (2025, 2025), "gap", 1) for name in t["name"][:9])
    # A label a file system refuses loses the offending characters.
    assert "/" not in list_file_stem("武进/区", MapState(), (2025, 2025), "gap")


def test_exported_workbook_has_title_formats_and_chinese_values():
    from openpyxl import load_workbook

    view = _view()
    state = MapState(unit=WUJIN, grades=("red", "orange"))
    export = list_export(view, state, "武进区", "untrained", note="演示数据")
    ws = load_workbook(io.BytesIO(export.xlsx())).active
    assert ws["A1"].value == export.title and "按未培训人数排序" in ws["A1"].value
    assert ws["A2"].value == "演示数据"
    header = [c.value for c in ws[4]]
    assert header == list(export.frame.columns)
    col = {name: i for i, name in enumerate(header)}
    rows = list(ws.iter_rows(min_row=5))
    assert len(rows) == N  # every row, not the page
    first = rows[0]
    assert first[col["参保率"]].number_format == "0.0%"
    assert first[col["职工人数"]].number_format == "#,##0"
    assert first[col["未培训人数"]].number_format == "#,##0"
    assert first[col["工伤人数（2025年）"]].number_format == "#,##0"
    assert isinstance(first[col["参保率"]].value, float) and 0 <= first[col["参保率"]].value <= 1
    untrained = [r[col["未培训人数"]].value for r in rows]
    assert untrained == sorted(untrained, reverse=True)
    assert {r[col["定位方式"]].value for r in rows} <= set(GEOCODE_PRECISION_LABELS.values())
    csv = export.csv().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("统一社会信用代码,单位名称") and len(csv.splitlines()) == N + 1


def test_points_are_coloured_by_the_filtered_attribute_unless_chosen():
    assert MapState().point_colors == "industry"
    assert MapState(grades=("red",)).point_colors == "grade"
    assert MapState(grades=("red",), color_by="industry").point_colors == "industry"  # the user's choice wins
    assert MapState(color_by="grade").point_colors == "grade"
    assert MapState().to_params() == {}  # the default keeps a clean URL
    assert MapState.from_params({"color": "industry"}).color_by == "industry"  # old links keep their colours


def test_chosen_towns_are_outlined_around_their_centres():
    from gsyf_geo.layers.towns import town_areas, town_layer

    areas = town_areas().set_index("code")
    t = _wujin_towns().set_index("code")
    for code in t.index[:6]:
        seed = shapely.Point(t.loc[code, "lon"], t.loc[code, "lat"])
        assert areas.loc[code, "geometry"].buffer(1e-6).contains(seed)
    # Neighbouring towns do not overlap.
    a, b = areas.loc[t.index[0], "geometry"], areas.loc[t.index[1], "geometry"]
    assert a.intersection(b).area < 1e-9
    m = folium.Map()
    group = town_layer(list(t.index[:2]))
    group.add_to(m)
    html = m.get_root().render()
    # Texts go into the page as JSON strings (\\uXXXX escapes).
    assert all(json.dumps(name)[1:-1] in html for name in [*t["name"][:2], "所选乡镇"]) and "dashArray" in html
    assert town_layer(["999999999"]) is None
    # An enterprise of the town outside its approximate cell (but in its district) is inside
    # the outline drawn with it.
    from gsyf_geo.layers.towns import _with_enterprises

    first = t.index[0]
    cell = areas.loc[first, "geometry"]
    other = areas.loc[t.index[1], "geometry"].representative_point()
    assert not cell.contains(other)
    ent = pd.DataFrame({"town_code": [first], "lon": [other.x], "lat": [other.y], "outside_named_district": [False]})
    grown = _with_enterprises(town_areas()[town_areas()["code"] == first], ent)
    assert grown.geometry.iloc[0].contains(other) and grown.geometry.iloc[0].contains(cell.representative_point())


def test_followup_workbook_names_its_filters(demo_store):
    import openpyxl

    from gsyf_geo.printing.workbooks import LISTS, followup_workbook
    from gsyf_geo.store import Scope

    t = _wujin_towns()
    state = MapState(towns=tuple(t["code"][:2]), grades=("yellow",), years=(2025, 2025))
    wb = followup_workbook(demo_store, None, kind="gaps", scope=Scope.district(WUJIN), state=state)
    title = openpyxl.load_workbook(io.BytesIO(wb.data))["武进区"]["A1"].value
    for words in (LISTS["gaps"], "、".join(t["name"][:2]), "黄（一般风险）", "2025年"):
        assert words in title and words.split("、")[0] in wb.file_name
    assert wb.file_name == f"{LISTS['gaps']}_武进区_{'+'.join(t['name'][:2])}_黄（一般风险）_2025年.xlsx"


def test_register_exports_show_counts_with_thousands_separators(demo_store):
    import openpyxl

    from gsyf_geo.importing.export import export_bytes

    ws = openpyxl.load_workbook(io.BytesIO(export_bytes(demo_store, "enterprise", "xlsx"))).active
    header = [c.value for c in ws[1]]
    for name in ("职工人数", "参保人数"):
        cell = ws.cell(2, header.index(name) + 1)
        assert cell.number_format == "#,##0" and isinstance(cell.value, int)  # the number, shown with commas
    assert ws.cell(2, header.index("统一社会信用代码") + 1).number_format == "@"
