"""Risk-map analysis: state and URL, filters, risk grades, indicators, hex bins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gsyf_geo import metrics
from gsyf_geo.analysis.filters import MapState, apply_state
from gsyf_geo.analysis.hexgrid import hex_aggregate, hex_center, hex_index
from gsyf_geo.analysis.indicators import INDICATORS, enterprise_table, headline, unit_indicators
from gsyf_geo.analysis.mapdata import MapData, load_map_data
from gsyf_geo.analysis.risk import risk_grade, risk_points
from gsyf_geo.crs import to_metric
from gsyf_geo.store import CITY

YEARS = (2020, 2021, 2022)


def _enterprises() -> pd.DataFrame:
    """Three enterprises in 新北 (a chemical works), 经开区 and 武进, with known figures."""
    lon = np.array([119.985, 120.17, 119.96])
    lat = np.array([31.955, 31.71, 31.70])
    x, y = to_metric(lon, lat)
    df = pd.DataFrame({
        "credit_code": ["A", "B", "C"], "name": ["甲化工", "乙钢铁", "丙机械"],
        "industry_code": ["C2614", "C3120", "C3484"],
        "key_industry": ["chemical", "metallurgy", "machinery"], "risk_class": [5, 6, 4],
        "district": ["320411", "320412", "320412"], "town_code": ["320411004", "320412105", "320412100"],
        "reporting_unit": ["320411", "JKQ", "320412"], "address": ["春江", "横林", "湖塘"],
        "lon": lon, "lat": lat, "x": x, "y": y, "geocode_source": "file", "geocode_precision": "exact",
        "outside_named_district": False,
        "employees": [1000, 200, 10], "insured": [900, 200, 5],
        "key_staff": [20, 10, 4],
        # The register columns say otherwise than the records below: the map uses the records.
        "key_staff_trained": [0, 0, 4], "publicity_reached": [False, True, True],
        "key_enterprise": [True, True, False],  # C: 10 employees, not a 重点企业
        "demonstration_unit": False, "is_demo": False,
        "size": ["large", "small", "micro"], "gap": [100, 0, 5],
        "injuries_2020": [8, 1, 0], "injuries_2021": [6, 1, 0], "injuries_2022": [4, 0, 1],
        "fatal_2020": [0, 0, 0], "fatal_2021": [0, 0, 0], "fatal_2022": [0, 0, 1],
        "commuting_2020": [1, 0, 0], "commuting_2021": [0, 0, 0], "commuting_2022": [2, 0, 0],
    })  # fmt: skip
    # Year-end insured: A grows 760 (2019) → 900; B flat 200; C 5.
    snaps = pd.DataFrame({
        "credit_code": ["A"] * 4 + ["B"] * 4 + ["C"] * 4, "year": [2019, 2020, 2021, 2022] * 3,
        "insured": [760, 800, 850, 900, 200, 200, 200, 200, 5, 5, 5, 5],
        "employees": [800, 850, 900, 1000, 200, 200, 200, 200, 10, 10, 10, 10],
    })  # fmt: skip
    codes = pd.Index(df["credit_code"])
    avg = metrics.average_insured(snaps, codes, YEARS)
    insured = metrics.year_end_stock(snaps, codes, YEARS, "insured")
    employees = metrics.year_end_stock(snaps, codes, YEARS, "employees")
    # Records: A trained 20 key staff in 2021, B 5 in 2022; A reached by publicity in 2021.
    training = pd.DataFrame({"credit_code": ["A", "B"], "activity_date": ["2021-05-01", "2022-05-01"],
                             "key_staff_trained": [20, 5]})  # fmt: skip
    publicity = pd.DataFrame({"credit_code": ["A"], "activity_date": ["2021-03-01"]})
    trained = metrics.trained_key_staff(df, training, YEARS)
    reached = metrics.publicity_reached(df, publicity, YEARS).astype(float)
    for y in YEARS:
        df[f"avg_insured_{y}"] = avg[y].to_numpy()
        df[f"insured_{y}"] = insured[y].to_numpy()
        df[f"employees_{y}"] = employees[y].to_numpy()
        df[f"trained_{y}"] = trained[y].to_numpy()
        df[f"reached_{y}"] = reached[y].to_numpy()
    return df


def _data() -> MapData:
    ent = _enterprises()
    injuries = pd.DataFrame({
        "credit_code": ["A", "A", "B", "C"], "key_industry": ["chemical", "chemical", "metallurgy", "machinery"],
        "commuting": [False, True, False, False], "fatal": [False, False, False, True],
        "accident_type": ["灼烫", "车辆伤害", "机械伤害", "高处坠落"],
        "district": ["320411", "320411", "320412", "320412"],
        "town_code": ["320411004", "320411004", "320412105", "320412100"],
        "reporting_unit": ["320411", "320411", "JKQ", "320412"],
        "lon": [119.985, 119.985, 120.17, 119.96], "lat": [31.955, 31.955, 31.71, 31.70],
        "x": ent["x"].iloc[[0, 0, 1, 2]].to_numpy(), "y": ent["y"].iloc[[0, 0, 1, 2]].to_numpy(),
        "year": [2022, 2022, 2021, 2022],
    })  # fmt: skip
    projects = pd.DataFrame({
        "project_code": ["P1", "P2", "P3"], "name": ["一号", "二号", "三号"],
        "district": ["320411", "320411", "320412"], "town_code": [None, None, None],
        "reporting_unit": ["320411", "320411", "JKQ"], "lon": [119.9, 119.95, 120.1],
        "lat": [31.9, 31.95, 31.75], "x": 0.0, "y": 0.0, "start_date": pd.to_datetime(["2022-03-01"] * 3),
        "cost_wan_yuan": 1000.0, "workers": 50, "insured_by_project": [True, False, True],
        "outside_named_district": False, "year": [2022, 2022, 2022],
    })  # fmt: skip
    bases = pd.DataFrame({
        "site_code": ["B1", "B2"], "name": ["基地一", "基地二"], "kind": ["安全体验中心", "技工院校"],
        "status": ["existing", "existing"], "year": [2021, 2023], "capacity": [200, 100],
        "district": ["320404", "320411"], "town_code": [None, None], "reporting_unit": ["320404", "320411"],
        "lon": [119.905, 119.97], "lat": [31.788, 31.82], "x": 0.0, "y": 0.0, "address": ["", ""],
    })  # fmt: skip
    diseases = pd.DataFrame({
        "credit_code": ["B", "B", "C"], "district": ["320412"] * 3, "reporting_unit": ["JKQ", "JKQ", "320412"],
        "key_industry": ["metallurgy", "metallurgy", "machinery"], "disease": ["尘肺病"] * 3,
        "exposure_years": [3.0, 12.0, 8.0], "year": [2022, 2022, 2022],
    })  # fmt: skip
    return MapData(ent, injuries, projects, bases, diseases, YEARS, False, CITY)


def test_state_round_trips_through_the_url():
    state = MapState(
        unit="JKQ", towns=("320412105",), industries=("metallurgy", "chemical"), sizes=("large",),
        grades=("red",), years=(2021, 2022), layers=("districts", "accidents"), indicator="gap",
        basemap="osm", include_commuting=True, scheme="quantiles", color_by="grade",
    )  # fmt: skip
    params = state.to_params()
    assert MapState.from_params(params, tuple(INDICATORS)) == state
    assert MapState().to_params() == {}  # the default view has a clean URL


def test_junk_in_the_url_falls_back_to_defaults():
    params = {"unit": "999999", "industries": "chemical,<script>,chemical", "years": "abc",
              "indicator": "drop table", "layers": "nope", "towns": "1,320411004", "color": "x"}  # fmt: skip
    state = MapState.from_params(params, tuple(INDICATORS))
    assert state.unit == "city" and state.industries == ("chemical",)
    assert state.years is None and state.indicator == "accident_rate"
    assert state.layers == () and state.towns == ("320411004",) and state.color_by == MapState().color_by


def test_default_years_are_the_latest_and_ranges_clip_to_the_data():
    assert MapState().year_range(YEARS) == (2022, 2022)
    assert MapState(years=(2010, 2030)).year_range(YEARS) == (2020, 2022)


def test_filters_select_unit_industry_size_and_years():
    data = _data()
    town = apply_state(data, MapState(unit="320412", towns=("320412100",)))
    assert list(town.enterprises["credit_code"]) == ["C"]
    jkq = apply_state(data, MapState(unit="JKQ", years=(2020, 2022)))
    assert list(jkq.enterprises["credit_code"]) == ["B"]
    assert list(jkq.injuries["credit_code"]) == ["B"] and list(jkq.projects["project_code"]) == ["P3"]
    assert list(apply_state(data, MapState(industries=("chemical",))).enterprises["credit_code"]) == ["A"]
    assert list(apply_state(data, MapState(sizes=("micro", "small"))).enterprises["credit_code"]) == ["B", "C"]
    # 2022 only: B's 2021 injury drops out; commuting is excluded unless asked for.
    view = apply_state(data, MapState(years=(2022, 2022)))
    assert sorted(view.injuries["credit_code"]) == ["A", "C"]
    with_commute = apply_state(data, MapState(years=(2022, 2022), include_commuting=True))
    assert sorted(with_commute.injuries["credit_code"]) == ["A", "A", "C"]


def test_risk_points_follow_the_documented_rule():
    points = risk_points(
        risk_class=np.array([1, 5, 7, 4, 3]),
        injuries=np.array([0, 1, 0, 3, 0]),
        fatal=np.array([0, 0, 0, 1, 0]),
        insured=np.array([100, 100, 50, 100, 10]),
        employees=np.array([100, 100, 100, 100, 10]),
    )
    # class pts 0/2/3/1/1; injury pts 0/1/0/3/0; gap pts 0/0/1(50%)/0/0
    assert list(points) == [0, 3, 4, 4, 1]
    assert list(risk_grade(points)) == ["blue", "yellow", "orange", "orange", "blue"]
    assert risk_grade(np.array([5]))[0] == "red"


def test_grade_filter_uses_the_three_years_ending_with_the_range():
    data = _data()
    view = apply_state(data, MapState(years=(2022, 2022)))
    grades = dict(zip(view.enterprises["credit_code"], view.enterprises["grade"], strict=True))
    # A: class 5 (2) + 18 injuries on 900 insured = 2/100 (2) = 4 orange
    # B: class 6 (2) + 2 injuries (1) = 3 yellow; C: class 4 (1) + fatal (3) + gap 50% (1) = 5 red
    assert grades == {"A": "orange", "B": "yellow", "C": "red"}
    assert list(apply_state(data, MapState(grades=("red",))).enterprises["credit_code"]) == ["C"]


def test_unit_indicators_known_answers():
    data = _data()
    table = unit_indicators(apply_state(data, MapState(years=(2022, 2022))), YEARS)
    xb = table.loc["320411"]
    # 新北 2022: 4 injuries; average insured (850 + 900) / 2 = 875 → 45.71 per 10,000.
    assert xb["accident_rate"] == pytest.approx(4 / 875 * 1e4)
    # 2020 baseline: 8 / ((760 + 800) / 2): the same average as every other year.
    assert xb["rate_2020"] == pytest.approx(8 / 780 * 1e4)
    assert xb["change_2020"] == pytest.approx((4 / 875) / (8 / 780) - 1)
    # Any held year can be a plan's baseline: 2021 is 6 / ((800 + 850) / 2).
    assert xb["change_2021"] == pytest.approx((4 / 875) / (6 / 825) - 1)
    assert xb["rate_2022"] == pytest.approx(xb["accident_rate"]) and xb["change_2022"] == pytest.approx(0)
    # Enrollment at the end of 2022 from the snapshot (900 / 1,000), not the register.
    assert xb["enrollment_rate"] == pytest.approx(0.9) and xb["gap"] == 100
    # Coverage from the records (A trained 20 of 20, reached), not the register columns.
    assert xb["training_coverage"] == 1.0 and xb["publicity_coverage"] == 1.0
    assert xb["projects"] == 2 and xb["project_insurance_rate"] == 0.5
    assert xb["bases_existing"] == 0  # its base opens in 2023
    jkq = table.loc["JKQ"]
    assert jkq["accident_rate"] == 0.0  # injuries known to be none: zero, not "no data"
    assert jkq["pneumoconiosis"] == 2 and jkq["short_exposure_share"] == 0.5
    assert jkq["publicity_coverage"] == 0.0 and jkq["training_coverage"] == 0.5
    wj = table.loc["320412"]
    assert wj["publicity_coverage"] == 0.0  # the register's "reached" does not count
    assert pd.isna(wj["training_coverage"])  # C is no 重点企业: no population, no figure
    empty = table.loc["320481"]
    assert pd.isna(empty["accident_rate"]) and empty["enterprises"] == 0


def test_headline_totals_follow_the_filters():
    data = _data()
    all_ = headline(apply_state(data, MapState(years=(2020, 2022))), YEARS)
    assert all_["enterprises"] == 3 and all_["employees"] == 1210 and all_["gap"] == 105
    assert all_["injuries"] == 8 + 6 + 4 + 1 + 1 + 1
    assert all_["bases_existing"] == 1 and all_["pneumoconiosis"] == 3
    chem = headline(apply_state(data, MapState(industries=("chemical",))), YEARS)
    assert chem["enterprises"] == 1 and chem["gap"] == 100


def test_enterprise_table_has_chinese_headers_and_gap_first():
    view = apply_state(_data(), MapState())
    table = enterprise_table(view)
    assert list(table["统一社会信用代码"]) == ["A", "C", "B"]  # by gap, largest first
    assert {"单位名称", "参保缺口（人）", "未培训人数", "风险等级", "乡镇（街道）"} <= set(table.columns)
    assert table.set_index("统一社会信用代码").loc["B", "乡镇（街道）"] == "横林镇"


def test_hexagons_hold_their_points():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 20_000, 5_000), rng.uniform(0, 20_000, 5_000)
    q, r = hex_index(x, y, 700)
    cx, cy = hex_center(q, r, 700)
    own = np.hypot(x - cx, y - cy)
    for dq, dr in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)):
        nx, ny = hex_center(q + dq, r + dr, 700)
        assert (own <= np.hypot(x - nx, y - ny) + 1e-9).all()
    agg = hex_aggregate(x, y, 700, {"w": np.ones(5_000) * 2})
    assert agg["count"].sum() == 5_000 and agg["w"].sum() == 10_000


def test_map_data_from_the_demo_store(demo_store):
    data = load_map_data(demo_store)
    assert data.is_demo and data.years == (2020, 2021, 2022, 2023, 2024, 2025)
    assert len(data.enterprises) == demo_store.count("enterprise")
    ent = data.enterprises
    # The wide injury columns add up to the stored non-commuting injuries of those enterprises
    # recognised in the map's years (2026 recognitions wait for a 2026 year end).
    inj = data.injuries
    stored = inj[~inj["commuting"] & inj["credit_code"].isin(ent["credit_code"]) & inj["year"].isin(data.years)]
    assert sum(int(ent[f"injuries_{y}"].sum()) for y in data.years) == len(stored)
    assert (inj["year"] == 2026).any()
    assert (ent["insured_2025"] == ent["insured"]).all()
    table = unit_indicators(apply_state(data, MapState()), data.years)
    assert 30 < table["accident_rate"].astype(float).mean() < 55
