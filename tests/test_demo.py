"""Tests of gsyf_geo.demo: the synthetic demo city and its loading into the store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from gsyf_geo.credit_code import credit_code_check_char, is_valid_credit_code
from gsyf_geo.demo import (
    DEMO_YEARS,
    RECOGNITION_DATA_END,
    SNAPSHOT_YEARS,
    DemoData,
    generate_demo,
    load_demo,
)
from gsyf_geo.domain import (
    ACCIDENT_TYPES,
    BASE_KINDS,
    CITY_ADCODE,
    DISTRICT_BY_ADCODE,
    KEY_INDUSTRIES,
    PNEUMOCONIOSIS,
    REPORTING_UNITS,
    SHORT_DUST_EXPOSURE_YEARS,
    default_risk_class,
    key_industry_for,
    reporting_unit_for,
)
from gsyf_geo.geography import locate_district, towns
from gsyf_geo.metrics import (
    KEY_ENTERPRISE_MIN_EMPLOYEES,
    accident_rate,
    change_against,
    project_insurance_rate,
)
from gsyf_geo.store import KINDS, LOCATED_KINDS

N = 2_000
SEED = 11
CHUNJIANG, WEICUN = "320411004", "320411005"
LIYANG, WUJIN, JINTAN, ZHONGLOU = "320481", "320412", "320413", "320404"


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(enterprises=N, seed=SEED)


def _obj(values) -> np.ndarray:
    """A column as a numpy object array (pandas string arrays compare differently)."""
    return np.asarray(list(values), dtype=object)


def _units(df: pd.DataFrame) -> np.ndarray:
    return _obj(
        reporting_unit_for(d, t) for d, t in zip(df["district"], df["town_code"], strict=True)
    )


def _injury_years(demo: DemoData) -> pd.DataFrame:
    """Injuries with the ``year`` they count in (recognition date) and their unit."""
    wi = demo.work_injury
    return wi.assign(
        year=wi["recognition_date"].dt.year, injury_year=wi["injury_date"].dt.year, unit=_units(wi)
    )


def _average_insured(demo: DemoData, years, unit: str | None = None) -> dict[int, float]:
    snap = demo.insurance_snapshot
    if unit is not None:
        snap = snap[snap["reporting_unit"] == unit]
    stock = snap.groupby("year")["insured"].sum()
    return {y: (stock[y - 1] + stock[y]) / 2 for y in years}


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_data() -> None:
    a = generate_demo(enterprises=800, seed=3)
    b = generate_demo(enterprises=800, seed=3)
    for kind, df in a.frames().items():
        pd.testing.assert_frame_equal(df, b.frames()[kind], obj=kind)


def test_different_seed_gives_different_data() -> None:
    a = generate_demo(enterprises=800, seed=3)
    b = generate_demo(enterprises=800, seed=4)
    assert not a.enterprise["credit_code"].equals(b.enterprise["credit_code"])
    assert not np.array_equal(a.enterprise["lon"], b.enterprise["lon"])
    assert not a.work_injury.equals(b.work_injury)
    assert not a.unit_year_total["insured_total"].equals(b.unit_year_total["insured_total"])


def test_city_wide_figures_do_not_scale_with_n() -> None:
    small, large = (
        generate_demo(enterprises=300, seed=SEED),
        generate_demo(enterprises=N, seed=SEED),
    )
    pd.testing.assert_frame_equal(small.unit_year_total, large.unit_year_total)
    years = [df["start_date"].dt.year.value_counts().sort_index() for df in
             (small.construction_project, large.construction_project)]  # fmt: skip
    pd.testing.assert_series_equal(*years)
    assert len(small.enterprise) == 300 and len(large.enterprise) == N


# --------------------------------------------------------------------------- shape


def test_frames_use_model_columns_and_are_all_demo(demo: DemoData) -> None:
    assert list(demo.frames()) == list(KINDS)
    for kind, df in demo.frames().items():
        model_cols = {c.name for c in KINDS[kind].__table__.c}
        assert set(df.columns) <= model_cols, kind
        assert not {"x", "y", "geom", "batch_id"} & set(df.columns), kind
        assert df["is_demo"].all(), kind
        pk = [c.name for c in KINDS[kind].__table__.primary_key.columns]
        assert not df.duplicated(pk).any(), kind
        if kind in LOCATED_KINDS:
            assert {"lon", "lat", "district", "town_code"} <= set(df.columns), kind
            assert "reporting_unit" not in df.columns, kind
            assert df["town_code"].str.fullmatch(r"\d{9}").all(), kind
        else:
            assert {"district", "reporting_unit"} <= set(df.columns), kind
        # The expert pool is city-level: its rows carry the city's own code.
        allowed = [CITY_ADCODE] if kind == "expert" else list(DISTRICT_BY_ADCODE)
        assert df["district"].isin(allowed).all(), kind
    assert demo.counts() == {k: len(df) for k, df in demo.frames().items()}


def test_located_rows_lie_inside_their_district(demo: DemoData) -> None:
    town_district = dict(zip(towns()["code"], towns()["district_adcode"], strict=True))
    for kind in sorted(LOCATED_KINDS):
        df = demo.frames()[kind]
        assert len(df) > 0, kind
        found = locate_district(df["lon"].to_numpy(float), df["lat"].to_numpy(float))
        stated = _obj(df["district"])
        outside = np.flatnonzero(found != stated)
        assert outside.size == 0, (
            f"{kind}: {outside.size} rows outside, e.g. {df.iloc[outside[:3]]}"
        )
        assert (_obj(df["town_code"].map(town_district)) == stated).all(), kind
        if "geocode_source" in df:
            assert not df["outside_named_district"].any(), kind
            assert (df["geocode_source"] == "demo").all() and (
                df["geocode_precision"] == "exact"
            ).all()


def test_non_located_rows_carry_consistent_reporting_units(demo: DemoData) -> None:
    ent = demo.enterprise.set_index("credit_code")
    for kind in ("insurance_snapshot", "disease_case"):
        df = demo.frames()[kind]
        expected = _units(ent.loc[df["credit_code"]].reset_index())
        assert (_obj(df["reporting_unit"]) == expected).all(), kind
        assert (_obj(df["district"]) == _obj(ent.loc[df["credit_code"], "district"])).all(), kind
    units = demo.unit_year_total
    assert set(units["reporting_unit"]) == {u.code for u in REPORTING_UNITS}
    assert len(units) == len(REPORTING_UNITS) * len(DEMO_YEARS)
    by_code = {u.code: u.district_adcode for u in REPORTING_UNITS}
    assert (_obj(units["district"]) == _obj(units["reporting_unit"].map(by_code))).all()


# --------------------------------------------------------------------------- enterprises


def test_credit_code_check_char_matches_known_codes() -> None:
    # Public registration codes of two well-known companies (华为技术有限公司, 腾讯科技（深圳）).
    assert credit_code_check_char("91440300192203821") == "6"
    assert credit_code_check_char("9144030071526726X") == "G"
    assert is_valid_credit_code("914403001922038216")
    assert not is_valid_credit_code("914403001922038217")
    assert not is_valid_credit_code("91440300192203821")
    with pytest.raises(ValueError):
        credit_code_check_char("9144030019220382I")  # I is not in the charset


def test_credit_codes_are_valid_unique_and_local(demo: DemoData) -> None:
    codes = demo.enterprise["credit_code"]
    assert codes.is_unique
    assert codes.str.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}").all()
    assert all(is_valid_credit_code(c) for c in codes)
    assert (codes.str[:2] == "91").all()
    assert (_obj(codes.str[2:8]) == _obj(demo.enterprise["district"])).all()
    # The organisation code inside (positions 9-17) has a valid GB 11714 check character.
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    for org in codes.str[8:17].head(300):
        total = sum(
            (int(c) if c.isdigit() else ord(c) - 55) * w
            for c, w in zip(org[:8], weights, strict=True)
        )
        check = 11 - total % 11
        assert org[8] == {10: "X", 11: "0"}.get(check, str(check)), org


def test_industries_codes_and_risk_classes(demo: DemoData) -> None:
    ent = demo.enterprise
    mapped = [
        key_industry_for(c, h)
        for c, h in zip(ent["industry_code"], ent["hazchem_licence"], strict=True)
    ]
    assert (_obj(mapped) == _obj(ent["key_industry"])).all()
    assert set(ent["key_industry"]) == {k.id for k in KEY_INDUSTRIES}
    hazchem = ent[ent["hazchem_licence"]]
    assert (hazchem["key_industry"] == "hazchem").all() and hazchem["industry_code"].str.startswith(
        "C26"
    ).all()
    assert (ent.loc[~ent["hazchem_licence"], "key_industry"] != "hazchem").all()
    share = ent["key_industry"].value_counts(normalize=True)
    assert 0.35 <= share["machinery"] <= 0.45 and share["construction"] >= 0.10
    default = ent["industry_code"].map(default_risk_class)  # 人社部发〔2015〕71号 by code
    assert ent["risk_class"].between(1, 8).all()
    assert ((ent["risk_class"] - default).abs() <= 1).all()
    assert (ent["risk_class"] == default).mean() > 0.5
    assert ent["name"].str.endswith("公司").all()
    assert ent["address"].str.endswith("号").all()


def test_sizes_enrolment_and_training(demo: DemoData) -> None:
    ent = demo.enterprise
    assert (ent["insured"] <= ent["employees"]).all() and (ent["insured"] >= 0).all()
    assert ent["employees"].between(1, 20_000).all()
    assert 15 <= ent["employees"].median() <= 35
    assert 35 <= ent["employees"].mean() <= 60  # ≈ 0.8–1.0 million for 20,000 enterprises
    rate = ent["insured"].sum() / ent["employees"].sum()
    assert 0.88 <= rate <= 0.95
    small = ent[ent["employees"] < 20]
    assert small["insured"].sum() / small["employees"].sum() < rate
    for gap_industry in ("construction", "transport"):
        sub = ent[ent["key_industry"] == gap_industry]
        assert sub["insured"].sum() / sub["employees"].sum() < rate
    assert (ent["key_staff"] == np.rint(3 + ent["employees"] / 40)).all()
    assert (ent["key_staff_trained"] <= ent["key_staff"]).all()
    coverage = ent["key_staff_trained"].sum() / ent["key_staff"].sum()
    assert 0.7 <= coverage <= 0.9
    strict = ent["key_industry"].isin(["hazchem", "chemical", "mining"])
    s = ent[strict]
    assert s["key_staff_trained"].sum() / s["key_staff"].sum() > coverage
    assert 0.7 <= ent["publicity_reached"].mean() <= 0.9


def test_demonstration_units(demo: DemoData) -> None:
    ent = demo.enterprise
    units = ent[ent["demonstration_unit"]]
    assert len(units) == 40
    assert units["demonstration_year"].value_counts().to_dict() == {y: 8 for y in range(2021, 2026)}
    assert ent.loc[~ent["demonstration_unit"], "demonstration_year"].isna().all()
    assert units["employees"].median() > 3 * ent["employees"].median()


def test_industries_cluster_where_they_should(demo: DemoData) -> None:
    ent = demo.enterprise
    chem = ent[ent["key_industry"].isin(["chemical", "hazchem"])]
    in_parks = chem["town_code"].isin([CHUNJIANG, WEICUN]) | (chem["district"] == JINTAN)
    assert in_parks.mean() > 0.5
    assert (ent.loc[ent["key_industry"] == "mining", "district"] == LIYANG).mean() > 0.5
    assert (ent.loc[ent["key_industry"] == "shipbuilding", "district"] == "320411").all()
    metal = ent[ent["key_industry"] == "metallurgy"]
    assert (metal["district"] == WUJIN).mean() > 0.5
    bm = ent[ent["key_industry"] == "building_materials"]
    assert bm["district"].isin([LIYANG, WUJIN]).mean() > 0.5
    # Every district has enterprises; 武进 has the most.
    per_district = ent["district"].value_counts()
    assert set(per_district.index) == set(DISTRICT_BY_ADCODE)
    assert per_district.idxmax() == WUJIN


# --------------------------------------------------------------------------- insurance


def test_snapshots_grow_and_end_at_the_enterprise_table(demo: DemoData) -> None:
    snap = demo.insurance_snapshot
    # From 2019: the 2020 average insured needs the 2019 year end.
    assert len(snap) == N * len(SNAPSHOT_YEARS) and SNAPSHOT_YEARS == (2019, *DEMO_YEARS)
    assert (snap["insured"] <= snap["employees"]).all()
    last = snap[snap["year"] == DEMO_YEARS[-1]].set_index("credit_code")
    ent = demo.enterprise.set_index("credit_code")
    assert (last.loc[ent.index, "employees"] == ent["employees"]).all()
    assert (last.loc[ent.index, "insured"] == ent["insured"]).all()
    growth = snap.groupby("year")["insured"].sum().pct_change().dropna()
    assert growth.between(0.03, 0.05).all(), growth


def test_unit_year_totals_follow_the_plan(demo: DemoData) -> None:
    u = demo.unit_year_total
    city = u.groupby("year")["insured_total"].sum()
    assert 1_450_000 <= city[2020] <= 1_510_000
    assert 1_500_000 <= city[2021] <= 1_600_000
    assert 1_900_000 <= city[2025] <= 2_000_000
    assert city.is_monotonic_increasing
    flex = u.groupby("year")["flexible_insured"].sum()
    assert flex[2020] < 10_000 <= flex[2023] and flex.is_monotonic_increasing
    share = u[u["year"] == 2021].set_index("reporting_unit")["insured_total"] / city[2021]
    assert share.idxmax() == WUJIN and 0.25 <= share[WUJIN] <= 0.35
    assert 0.05 <= share["JKQ"] <= 0.11


# --------------------------------------------------------------------------- injuries


def test_injury_rates_per_year(demo: DemoData) -> None:
    wi = _injury_years(demo)
    average = _average_insured(demo, DEMO_YEARS)
    for year in DEMO_YEARS:  # by recognition date over the average insured, as the plan's rate
        work = int(((wi["year"] == year) & ~wi["commuting"]).sum())
        rate = accident_rate(work, average[year])
        assert rate is not None and 35 <= rate <= 50, (year, rate)
    commuting_share = wi["commuting"].sum() / (~wi["commuting"]).sum()
    assert 0.12 <= commuting_share <= 0.25
    assert 0.001 <= wi["fatal"].mean() <= 0.015


def test_unit_accident_rates_differ(demo: DemoData) -> None:
    wi = _injury_years(demo)
    wi = wi[~wi["commuting"]]
    change = {}
    for unit in (u.code for u in REPORTING_UNITS):
        average = _average_insured(demo, (2020, 2025), unit)
        rates = [
            accident_rate(int(((wi["unit"] == unit) & (wi["year"] == y)).sum()), average[y])
            for y in (2020, 2025)
        ]
        change[unit] = change_against(rates[1], rates[0])
    assert all(c is not None for c in change.values()), change
    assert any(c <= -0.20 for c in change.values()), change
    assert any(c > -0.20 for c in change.values()), change
    assert change["320411"] <= -0.20 and change[LIYANG] > -0.20


def test_injury_records(demo: DemoData) -> None:
    wi = _injury_years(demo)
    assert wi["record_id"].is_unique
    assert wi["record_id"].str.fullmatch(r"WI20\d\d-\d{6}").all()
    assert (wi["record_id"].str[2:6].astype(int) == wi["year"]).all()  # numbered when recognised
    # Recognised 2020–2025, and late-2025 injuries into 2026 up to the end of the demo data.
    assert set(wi["year"]) == {*DEMO_YEARS, DEMO_YEARS[-1] + 1}
    assert wi["recognition_date"].max() <= pd.Timestamp(RECOGNITION_DATA_END)
    assert set(wi.loc[wi["year"] > DEMO_YEARS[-1], "injury_year"]) == {DEMO_YEARS[-1]}
    lag = (wi["recognition_date"] - wi["injury_date"]).dt.days
    assert lag.min() >= 1 and lag.max() <= 365
    assert 0.75 <= (lag <= 60).mean() <= 0.95  # most within 60 days, a tail up to a year
    # Counted by injury date, the first year lacks nothing (late-2019 injuries recognised in
    # 2020 belong to 2019), and each year's count is within a few percent of the recognised.
    by_injury = wi[~wi["commuting"]].groupby("injury_year").size()
    by_recognition = wi[~wi["commuting"]].groupby("year").size()
    for y in DEMO_YEARS:
        assert abs(by_injury[y] / by_recognition[y] - 1) < 0.05, y
    assert wi["accident_type"].isin(ACCIDENT_TYPES).all()
    assert (wi.loc[wi["commuting"], "accident_type"] == "车辆伤害").all()
    ent = demo.enterprise.set_index("credit_code")
    assert wi["credit_code"].isin(ent.index).all()
    assert (_obj(wi["key_industry"]) == _obj(ent.loc[wi["credit_code"], "key_industry"])).all()
    assert (_obj(wi["district"]) == _obj(ent.loc[wi["credit_code"], "district"])).all()
    # Injuries are counted where the employer is insured: same reporting unit.
    assert (wi["unit"].to_numpy() == _units(ent.loc[wi["credit_code"]].reset_index())).all()
    # Not at a construction site: at the enterprise itself.
    plain = wi[wi["key_industry"] != "construction"]
    assert np.allclose(plain["lon"], ent.loc[plain["credit_code"], "lon"])
    work = wi[~wi["commuting"]]
    top = work.groupby("key_industry")["accident_type"].agg(lambda s: s.value_counts().idxmax())
    assert top["construction"] == "高处坠落"
    assert top["machinery"] == "机械伤害"
    assert top["transport"] == "车辆伤害"


# --------------------------------------------------------------------------- diseases


def test_pneumoconiosis_cases(demo: DemoData) -> None:
    dc = demo.disease_case.assign(year=demo.disease_case["diagnosis_date"].dt.year)
    assert dc["case_id"].str.fullmatch(r"OD20\d\d-\d{4}").all()
    assert (dc["case_id"].str[2:6].astype(int) == dc["year"]).all()
    assert dc["exposure_years"].gt(0).all()
    pn = dc[dc["disease"] == PNEUMOCONIOSIS]
    per_year = pn.groupby("year").size()
    assert list(per_year.index) == list(DEMO_YEARS)
    assert per_year.between(10, 99).all(), per_year
    assert pn["key_industry"].isin(["building_materials", "mining"]).mean() > 0.5
    assert pn["district"].isin([WUJIN, LIYANG]).mean() > 0.5
    short = pn.assign(short=pn["exposure_years"] < SHORT_DUST_EXPOSURE_YEARS)
    city = short.groupby("year")["short"].mean()
    assert city.is_monotonic_decreasing and city.is_unique, city
    assert 0.12 <= city[2020] <= 0.25 and city[2025] <= 0.12
    by_district = short.pivot_table(
        index="district", columns="year", values="short", aggfunc="mean"
    )
    assert not all(row.dropna().is_monotonic_decreasing for _, row in by_district.iterrows())
    others = dc[dc["disease"] != PNEUMOCONIOSIS]
    assert len(others) > 0 and len(others) < len(pn)


# --------------------------------------------------------------------------- projects and bases


def test_construction_projects(demo: DemoData) -> None:
    p = demo.construction_project.assign(year=demo.construction_project["start_date"].dt.year)
    per_year = p.groupby("year").size()
    assert list(per_year.index) == list(DEMO_YEARS)
    assert per_year.between(1_350, 1_650).all(), per_year
    share = p.groupby("year")["insured_by_project"].mean()
    assert share.between(0.8, 1.0).all(), share
    assert share[2025] > share[2020] + 0.05
    assert project_insurance_rate(p["insured_by_project"].sum(), len(p)) > 0.85
    by_district = p.pivot_table(
        index="district", columns="year", values="insured_by_project", aggfunc="mean"
    )
    assert (by_district < 0.9).to_numpy().any()
    assert set(p["district"]) == set(DISTRICT_BY_ADCODE)
    match = p["project_code"].str.extract(r"^(\d{6})-(\d{4})-(\d{4})$")
    assert match.notna().all().all()
    assert (_obj(match[0]) == _obj(p["district"])).all() and (
        match[1].astype(int) == p["year"]
    ).all()
    assert p["name"].str.contains("(?:小区|厂房|道路|桥梁)工程$").all()
    assert p["workers"].between(20, 800).all() and (p["cost_wan_yuan"] > 0).all()
    builders = demo.enterprise.loc[demo.enterprise["key_industry"] == "construction", "credit_code"]
    contractors = p["contractor_credit_code"].dropna()
    assert len(contractors) > len(p) / 2 and contractors.isin(builders).all()


def test_training_bases(demo: DemoData) -> None:
    b = demo.training_base
    assert b["site_code"].str.fullmatch(r"(BASE|CAND)-\d{3}").all()
    assert b["kind"].isin(BASE_KINDS).all()
    assert b["status"].isin(["existing", "planned", "candidate"]).all()
    existing = b[b["status"] == "existing"]
    in_2021 = existing[existing["year"] == 2021]
    assert len(in_2021) >= 2
    centre = b[b["name"] == "常州市建筑施工安全体验中心"].iloc[0]
    assert centre["status"] == "existing" and centre["year"] == 2021
    assert centre["kind"] == "安全体验中心" and centre["district"] == ZHONGLOU
    assert centre["town_code"] == "320404003"
    assert abs(centre["lon"] - 119.905) < 0.01 and abs(centre["lat"] - 31.788) < 0.01
    assert 8 <= len(existing) <= 10 and existing["year"].between(2021, 2025).all()
    assert b.loc[b["status"] != "candidate", "year"].notna().all()
    cand = b[b["status"] == "candidate"]
    assert len(cand) >= 30 and cand["site_code"].str.startswith("CAND-").all()
    assert set(cand["kind"]) == {"技工院校", "工业园区", "大中型企业", "行业协会"}
    assert set(cand["district"]) == set(DISTRICT_BY_ADCODE)
    assert b["capacity"].between(50, 500).all()


# --------------------------------------------------------------------------- loading


def test_load_demo_fills_the_store_and_replaces_itself(store) -> None:
    counts = load_demo(store, enterprises=800, seed=5)
    assert set(counts) == set(KINDS)
    for kind, n in counts.items():
        assert n > 0 and store.count(kind) == n, kind
    assert counts["enterprise"] == 800 and counts["insurance_snapshot"] == 800 * len(SNAPSHOT_YEARS)
    assert store.holds_demo_data
    assert store.get_setting("demo_seed") == "5" and store.get_setting("demo_enterprises") == "800"
    batches = store.batches()
    batch = batches[batches["kind"] == "demo"].iloc[-1]
    assert batch["file_name"] == "demo seed=5" and batch["status"] == "done"
    assert batch["inserted"] == sum(counts.values())
    for kind in KINDS:
        table = store.table(kind)
        with store.engine.connect() as conn:
            flags = conn.execute(select(table.c.is_demo, table.c.batch_id)).all()
        assert all(f[0] for f in flags) and {f[1] for f in flags} == {int(batch["id"])}, kind

    # Loading again replaces the demo rows instead of adding to them.
    again = load_demo(store, enterprises=600, seed=6)
    for kind, n in again.items():
        assert store.count(kind) == n, kind
    assert again["enterprise"] == 600
    assert store.get_setting("demo_seed") == "6" and store.get_setting("demo_enterprises") == "600"
    ent = store.read("enterprise")
    assert set(ent["reporting_unit"]) <= {u.code for u in REPORTING_UNITS}
    assert (ent["reporting_unit"] == "JKQ").any()


def test_load_demo_keeps_real_rows(store) -> None:
    real = pd.DataFrame(
        {
            "credit_code": ["91320411MA1X00001A"],
            "name": ["真实企业有限公司"],
            "district": ["320411"],
            "town_code": ["320411004"],
            "lon": [119.985],
            "lat": [31.955],
            "key_industry": ["chemical"],
            "employees": [120],
            "insured": [110],
        }
    )
    store.upsert("enterprise", real)
    counts = load_demo(store, enterprises=500, seed=8)
    assert store.count("enterprise") == counts["enterprise"] + 1
    load_demo(store, enterprises=400, seed=9)
    ent = store.read("enterprise")
    assert len(ent) == 401
    kept = ent[~ent["is_demo"].astype(bool)]
    assert list(kept["credit_code"]) == ["91320411MA1X00001A"]


def test_session_demo_store_is_labelled(demo_store) -> None:
    assert demo_store.holds_demo_data
    assert demo_store.get_setting("demo_seed") == "7"
    assert demo_store.count("enterprise") == int(demo_store.get_setting("demo_enterprises"))
    injuries = demo_store.read("work_injury")
    assert injuries["is_demo"].astype(bool).all()
    years = pd.to_datetime(injuries["recognition_date"]).dt.year
    assert set(years) == {*DEMO_YEARS, DEMO_YEARS[-1] + 1}


def test_a_seed_outside_its_district_is_pulled_inside() -> None:
    from gsyf_geo.demo import _pull_inside

    for lon, lat, district in [(120.30, 31.60, WUJIN), (119.96, 31.80, ZHONGLOU)]:
        assert locate_district(lon, lat)[0] != district
        new = _pull_inside(lon, lat, district)
        assert locate_district(*new)[0] == district


def test_programme_records_follow_the_2021_task_list(demo: DemoData) -> None:
    rec = demo.training_record
    year = rec["activity_date"].dt.year
    # 70 体检式 units completed in 2021 (2021 task list), and only training records carry it.
    assert (rec["checkup_project"] & (year == 2021)).sum() == 70
    assert not rec.loc[rec["activity"] == "publicity", "checkup_project"].any()
    assert set(rec["credit_code"]) <= set(demo.enterprise["credit_code"])
    training = rec[rec["activity"] == "training"]
    assert (training["participants"] >= training["key_staff_trained"]).all()
    trained = training.groupby("credit_code")["key_staff_trained"].sum()
    ent = demo.enterprise.set_index("credit_code")
    assert (trained == ent.loc[trained.index, "key_staff_trained"]).all()
    inst = demo.training_institution["demonstration_year"].dropna()
    assert (inst == 2021).sum() == 2 and len(inst) == 10
    assert (demo.expert["joined_year"] == 2021).sum() >= 30


def test_key_enterprise_flags_and_records_express_the_register(demo: DemoData) -> None:
    ent = demo.enterprise
    flag = ent["key_enterprise"]
    assert 0.6 <= flag.notna().mean() <= 0.8  # most set, the rest left to the default rule
    default = (ent["employees"] >= KEY_ENTERPRISE_MIN_EMPLOYEES) | ent["hazchem_licence"]
    set_ = flag.notna()
    agree = (flag[set_].astype(bool) == default[set_]).mean()
    assert 0.9 <= agree < 1.0  # mostly the default rule, with local designations both ways
    # Publicity records reach exactly the enterprises the register marks as reached.
    rec = demo.training_record
    reached = set(rec.loc[rec["activity"] == "publicity", "credit_code"])
    assert reached == set(ent.loc[ent["publicity_reached"].astype(bool), "credit_code"])
