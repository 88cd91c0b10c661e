"""Rates on hexagons and towns, Gi* hot spots with FDR, and the combined gap index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gsyf_geo.analysis.filters import FilteredView, MapState, apply_state
from gsyf_geo.analysis.hotspots import (
    bh_qvalues,
    classify,
    conditional_pvalues,
    getis_ord_star,
    gi_star,
    hot_spot_table,
    hot_spots,
    weights_from_neighbours,
)
from gsyf_geo.analysis.rates import (
    MIN_INSURED,
    eb_smooth,
    h3_cells,
    hexagon_rates,
    resolution_for_zoom,
    town_rates,
)

SIGNIFICANT_95 = ("hot_95", "hot_99", "cold_95", "cold_99")


# --------------------------------------------------------------------------- constructed grid


def grid_neighbours(rows: int, cols: int) -> dict[int, list[int]]:
    """Queen neighbours on a rows × cols grid (positions row-major)."""
    out = {}
    for r in range(rows):
        for c in range(cols):
            out[r * cols + c] = [
                rr * cols + cc
                for rr in range(max(r - 1, 0), min(r + 2, rows))
                for cc in range(max(c - 1, 0), min(c + 2, cols))
                if (rr, cc) != (r, c)
            ]
    return out


def planted_grid(seed: int = 11, size: int = 20, lift: float = 30.0):
    rng = np.random.default_rng(seed)
    y = rng.normal(50.0, 8.0, (size, size))
    cluster = np.zeros((size, size), dtype=bool)
    cluster[8:11, 8:11] = True
    y[cluster] += lift
    return y.ravel(), cluster.ravel(), weights_from_neighbours(grid_neighbours(size, size))


def test_gi_star_finds_the_planted_cluster_and_nothing_else_at_95_percent() -> None:
    """A 3 × 3 cluster lifted by 30 in N(50, 8) noise on a 20 × 20 grid: at 95% with FDR the
    flagged cells are hot, most of the cluster, and nothing away from it. Gi* is a
    neighbourhood statistic: a cell touching the cluster sums cluster values in its own
    neighbourhood, so it may be flagged too; no cell farther away is."""
    y, cluster, w = planted_grid()
    near = np.zeros((20, 20), dtype=bool)
    near[7:12, 7:12] = True  # the cluster and the cells touching it
    res = getis_ord_star(y, w)
    significant = res["cls"].isin(SIGNIFICANT_95).to_numpy()
    assert significant.any()
    assert not (significant & ~near.ravel()).any(), np.flatnonzero(significant & ~near.ravel())
    centre = 9 * 20 + 9
    assert res["cls"].iloc[centre] in ("hot_95", "hot_99")
    assert (significant & cluster).sum() >= 5
    assert set(res.loc[significant, "cls"]) <= {"hot_95", "hot_99"}
    # Without the cluster the same noise has no hot spot at all at 95%.
    flat = getis_ord_star(y - np.where(cluster, 30.0, 0.0), w)
    assert not flat["cls"].isin(SIGNIFICANT_95).any()


def test_false_discoveries_stay_rare_over_many_grids() -> None:
    """Over ten noise draws, cells flagged at 95% away from the cluster (neither in it nor
    touching it: Gi* of a cell beside the cluster rightly sums cluster values) are on
    average at most 10% of the cells flagged, as the FDR correction promises (5% expected)."""
    near = np.zeros((20, 20), dtype=bool)
    near[7:12, 7:12] = True
    shares, found = [], []
    for seed in range(10):
        y, cluster, w = planted_grid(seed=seed)
        flagged = getis_ord_star(y, w)["cls"].isin(SIGNIFICANT_95).to_numpy()
        shares.append((flagged & ~near.ravel()).sum() / max(flagged.sum(), 1))
        found.append((flagged & cluster).sum())
    assert np.mean(shares) <= 0.10, shares
    assert min(found) >= 4, found


def test_same_seed_same_answer() -> None:
    y, _, w = planted_grid(seed=5)
    a = getis_ord_star(y, w, seed=99)
    b = getis_ord_star(y, w, seed=99)
    pd.testing.assert_frame_equal(a, b)
    c = getis_ord_star(y, w, seed=100)
    assert not np.array_equal(a["p"].to_numpy(), c["p"].to_numpy())  # the seed is used


def test_gi_star_matches_pysal_esda() -> None:
    esda = pytest.importorskip("esda.getisord")
    y = np.random.default_rng(3).gamma(2.0, 10.0, 144)
    w = weights_from_neighbours(grid_neighbours(12, 12))
    from libpysal.weights import WSP

    reference = esda.G_Local(y, WSP(w).to_W(silence_warnings=True), transform="B", permutations=0, star=True)
    g, z = gi_star(y, w)
    np.testing.assert_allclose(g, reference.Gs, rtol=1e-12)
    np.testing.assert_allclose(z, reference.Zs, rtol=1e-9)


def test_conditional_pvalues_follow_their_definition() -> None:
    """The running-sum engine equals drawing each cell's neighbours directly."""
    from gsyf_geo.analysis.hotspots import _distinct_draws

    y = np.random.default_rng(3).poisson(2.0, 49).astype(float)
    w = weights_from_neighbours(grid_neighbours(7, 7))
    perms = 499
    upper, lower = conditional_pvalues(y, w, permutations=perms, seed=5, refine_to=perms)
    card = np.diff(w.indptr)
    draws = _distinct_draws(np.random.default_rng(5), perms, int(card.max()), 48)
    observed = y + w @ y
    for i in range(49):
        d = draws[:, : card[i]]
        sums = y[d + (d >= i)].sum(axis=1) + y[i]
        assert upper[i] == ((sums >= observed[i]).sum() + 1) / (perms + 1)
        assert lower[i] == ((sums <= observed[i]).sum() + 1) / (perms + 1)


def test_an_empty_neighbourhood_among_many_is_not_a_cold_spot() -> None:
    y = np.zeros(100)
    y[[3, 47, 88]] = 1.0  # three cases in a 10 × 10 grid
    res = getis_ord_star(y, weights_from_neighbours(grid_neighbours(10, 10)))
    assert not res["cls"].str.startswith("cold").any()


def test_benjamini_hochberg_by_hand() -> None:
    q = bh_qvalues(np.array([0.01, 0.04, 0.03, 0.5]))
    # sorted 0.01, 0.03, 0.04, 0.5 times 4/rank: 0.04, 0.06, 0.0533, 0.5; then the running minimum from the top
    np.testing.assert_allclose(q, [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    assert list(classify(np.array([2.0, -2.0, 1.0, 3.0]), np.array([0.01, 0.05, 0.1, 0.1000001]))) == [
        "hot_99", "cold_95", "hot_90", "ns",
    ]  # fmt: skip


# --------------------------------------------------------------------------- rates by hand

# Three places in 常州: two enterprises share one res-7 hexagon (天宁), one is far away (溧阳).
TIANNING = (119.9620, 31.7820)
TIANNING_NEAR = (119.9625, 31.7824)
LIYANG = (119.4800, 31.4200)


def hand_view(
    injuries: list[float], insured: list[float], places: list[tuple[float, float]], units: list[str],
    key: list[str | None] | None = None, year: int = 2025,
) -> FilteredView:
    n = len(injuries)
    ent = pd.DataFrame({
        "credit_code": [f"91320400MA{i:08d}" for i in range(n)],
        "key_industry": key or ["machinery"] * n,
        "key_enterprise": True,
        "reporting_unit": units,
        "town_code": ["320402005" if u == "320402" else "320481002" for u in units],
        "lon": [p[0] for p in places],
        "lat": [p[1] for p in places],
        "employees": [v * 1.2 for v in insured],
        "insured": insured,
        "gap": [v * 0.2 for v in insured],
        "key_staff": 5,
        f"injuries_{year}": injuries,
        f"avg_insured_{year}": insured,
        f"insured_{year}": insured,
        f"employees_{year}": [v * 1.2 for v in insured],
        f"trained_{year}": np.nan,
        f"reached_{year}": np.nan,
    })  # fmt: skip
    diseases = pd.DataFrame({"credit_code": [ent["credit_code"][0]], "disease": ["尘肺病"], "year": [year]})
    empty = pd.DataFrame()
    return FilteredView(ent, empty, empty, empty, diseases, (year, year))


def test_hexagon_rate_is_summed_parts_and_small_cells_are_small() -> None:
    view = hand_view([3, 2, 9], [600, 400, 999], [TIANNING, TIANNING_NEAR, LIYANG], ["320402", "320402", "320481"])
    rates = hexagon_rates(view, (2025,), 7).table.set_index("unit")
    tn = rates.loc["320402"]
    assert tn["enterprises"] == 2 and tn["avg_insured"] == 1000
    assert tn["rate"] == pytest.approx((3 + 2) / (600 + 400) * 10_000)  # 50 per 10,000
    assert not tn["small_sample"] and tn["pneumoconiosis"] == 1
    ly = rates.loc["320481"]
    assert ly["small_sample"] and np.isnan(ly["rate"])  # 999 insured: 样本不足, not 90.1
    assert ly["avg_insured"] == 999 and ly["injuries"] == 9


def test_rate_excludes_enterprises_outside_the_key_industries() -> None:
    view = hand_view([3, 7], [600, 600], [TIANNING, TIANNING_NEAR], ["320402", "320402"], key=["machinery", None])
    t = hexagon_rates(view, (2025,), 7, min_insured=500).table
    assert t["injuries"].iloc[0] == 3 and t["avg_insured"].iloc[0] == 600


def test_town_rates_by_hand() -> None:
    view = hand_view([3, 2, 9], [600, 400, 1500], [TIANNING, TIANNING_NEAR, LIYANG], ["320402", "320402", "320481"])
    towns = town_rates(view, (2025,)).table.set_index("cell")
    assert towns.loc["320402005", "name"] == "天宁街道"
    assert towns.loc["320402005", "rate"] == pytest.approx(50.0)
    assert towns.loc["320481002", "rate"] == pytest.approx(60.0)


def test_empirical_bayes_by_hand() -> None:
    # One unit, two cells: 10/1000 and 2/1000. b = 12/2000 = 0.006;
    # s² = (1000·(0.01 − 0.006)² + 1000·(0.002 − 0.006)²) / 2000 = 1.6e-5; n̄ = 1000;
    # a = 1.6e-5 − 0.006/1000 = 1.0e-5; w = 1e-5 / (1e-5 + 0.006/1000) = 0.625.
    smoothed, weight = eb_smooth(np.array([10.0, 2.0]), np.array([1000.0, 1000.0]), np.array(["u", "u"]))
    np.testing.assert_allclose(weight, [0.625, 0.625])
    np.testing.assert_allclose(smoothed, [0.625 * 0.01 + 0.375 * 0.006, 0.625 * 0.002 + 0.375 * 0.006])
    # Rates no more spread than Poisson noise: everything goes to the unit's rate.
    smoothed, weight = eb_smooth(np.array([6.0, 6.0]), np.array([1000.0, 1000.0]), np.array(["u", "u"]))
    np.testing.assert_allclose(smoothed, [0.006, 0.006])
    np.testing.assert_allclose(weight, [0.0, 0.0])
    # Each unit is its own reference.
    smoothed, _ = eb_smooth(np.array([6.0, 2.0]), np.array([1000.0, 1000.0]), np.array(["u", "v"]))
    np.testing.assert_allclose(smoothed, [0.006, 0.002])


def test_resolution_by_zoom_and_cells() -> None:
    assert [resolution_for_zoom(z) for z in (None, 8, 10, 11, 12, 13, 16)] == [7, 7, 7, 8, 8, 9, 9]
    cells = h3_cells(np.array([TIANNING[0], TIANNING_NEAR[0], np.nan]), np.array([TIANNING[1], TIANNING_NEAR[1], 31.0]), 7)
    assert cells[0] == cells[1] != 0 and cells[2] == 0


# --------------------------------------------------------------------------- the demo city


@pytest.fixture(scope="module")
def demo_map(tmp_path_factory):
    from gsyf_geo.analysis.mapdata import load_map_data
    from gsyf_geo.demo import load_demo
    from gsyf_geo.store import Store

    path = tmp_path_factory.mktemp("hot") / "demo.sqlite"
    store = Store(f"sqlite:///{path}")
    store.create_schema()
    load_demo(store, enterprises=12_000, seed=2021)
    data = load_map_data(store)
    store.engine.dispose()
    data.path = path  # for the scope test
    return data


def _distance_to_planted_km(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from gsyf_geo.crs import to_metric
    from gsyf_geo.demo import PLANTED_HIGH_RATE_AREAS

    x, y = to_metric(lon, lat)
    d = np.array([np.hypot(x - to_metric(a.lon, a.lat)[0], y - to_metric(a.lon, a.lat)[1])
                  for a in PLANTED_HIGH_RATE_AREAS]) / 1000  # fmt: skip
    return d.min(axis=0), d.argmin(axis=0)


def test_demo_hot_spots_fall_in_the_planted_areas(demo_map) -> None:
    view = apply_state(demo_map, MapState(years=(2020, 2025)))
    spots = hot_spots(hexagon_rates(view, demo_map.years, 7))
    t = spots.table
    hot = t["cls"].isin(["hot_95", "hot_99"]).to_numpy()
    assert hot.sum() >= 3
    dist, which = _distance_to_planted_km(t["lon"].to_numpy(), t["lat"].to_numpy())
    # A res-7 hexagon is ~2.8 km across: its centre lies within 3 km + one hexagon of a planted centre.
    assert dist[hot].max() <= 3.0 + 2.8, dist[hot]
    assert len(set(which[hot])) >= 2  # more than one planted area is found
    assert not t["cls"].isin(["cold_95", "cold_99"]).to_numpy()[dist <= 3.0].any()
    again = hot_spots(hexagon_rates(view, demo_map.years, 7))
    pd.testing.assert_frame_equal(t, again.table)  # stable across runs
    table = hot_spot_table(spots)
    assert list(table["类别"].unique())[0].startswith("热点")


def test_hexagons_add_up_to_the_unit_figures(demo_map) -> None:
    from gsyf_geo.analysis.indicators import headline, unit_indicators

    view = apply_state(demo_map, MapState(years=(2024, 2025)))
    hexes = hexagon_rates(view, demo_map.years, 8, min_insured=0).table
    units = unit_indicators(view, demo_map.years)
    city_rate = hexes["injuries"].sum() / hexes["avg_insured"].sum() * 10_000
    assert hexes["injuries"].sum() == pytest.approx(units["injuries"].sum())
    assert city_rate == pytest.approx(headline(view, demo_map.years)["accident_rate"])
    towns = town_rates(view, demo_map.years, min_insured=0).table
    assert towns["injuries"].sum() == pytest.approx(hexes["injuries"].sum())
    assert towns["avg_insured"].sum() == pytest.approx(hexes["avg_insured"].sum())
    assert 20 < city_rate < 80
    # MIN_INSURED applies: no rate from a cell under it.
    t = hexagon_rates(view, demo_map.years, 8).table
    assert t.loc[t["avg_insured"] < MIN_INSURED, "rate"].isna().all()
    assert t.loc[t["avg_insured"] >= MIN_INSURED, "rate"].notna().all()


def test_scope_and_filters_limit_the_hexagons(demo_map) -> None:
    view = apply_state(demo_map, MapState(unit="320481", industries=("mining", "building_materials")))
    t = hexagon_rates(view, demo_map.years, 7).table
    assert set(t["unit"]) == {"320481"}
    assert t["enterprises"].sum() == len(view.enterprises)


# --------------------------------------------------------------------------- the page


def test_map_page_draws_rate_and_hot_spot_layers_and_ranks_the_gap(demo_db_url):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parent.parent / "app.py"
    at = AppTest.from_file(str(app), default_timeout=180)
    at.query_params["layers"] = "districts,rates,hotspots"
    at.query_params["years"] = "2020-2025"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("万人事故率热点") for s in at.subheader)
    table = next(df.value for df in at.dataframe if "类别" in df.value.columns)
    assert set(table["类别"]) <= {"热点 99%", "热点 95%", "热点 90%", "冷点 90%", "冷点 95%", "冷点 99%"}
    assert any("Benjamini–Hochberg" in c.value for c in at.caption)
    at.sidebar.selectbox(key="hotspot_measure").set_value("gap").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("参保缺口热点") for s in at.subheader)
    at.toggle(key="gap_index_on").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    ranked = next(df.value for df in at.dataframe if "综合缺口指数" in df.value.columns)
    assert list(ranked["排名"].dropna())[:3] == [1, 2, 3]
    assert ranked["综合缺口指数"].dropna().is_monotonic_decreasing
    at.radio(key="gap_index_level").set_value("town").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("乡镇（街道）" in df.value.columns for df in at.dataframe)
    at.toggle(key="two_years_on").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("变化（人/万人）" in t.value.columns for t in at.table)
    at.selectbox(key="cmp_measure").set_value("enrollment_rate").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("变化（百分点）" in t.value.columns for t in at.table)


# --------------------------------------------------------------------------- gap index and two years


def test_gap_index_parts_by_hand() -> None:
    from gsyf_geo.analysis.gapindex import combine, minmax

    np.testing.assert_allclose(minmax(np.array([10.0, 20.0, 30.0, np.nan])), [0.0, 0.5, 1.0, np.nan])
    np.testing.assert_allclose(minmax(np.array([5.0, 5.0])), [1.0, 1.0])
    # rate 40/60/50, uninsured 100/300/500, distance 2/10/6 km:
    # rate′ 0/1/0.5, uninsured′ 0/0.5/1, distance′ 0/1/0.5 -> index 0, 0.5, 0.25; a fourth area without a rate: none.
    out = combine(np.array([40.0, 60.0, 50.0, np.nan]), np.array([100.0, 300.0, 500.0, 900.0]),
                  np.array([2.0, 10.0, 6.0, 30.0]))  # fmt: skip
    np.testing.assert_allclose(out["index"], [0.0, 0.5, 0.25, np.nan])
    assert list(out["rank"].iloc[:3]) == [3, 1, 2] and np.isnan(out["rank"].iloc[3])


def test_gap_index_sites_from_a_saved_scenario_else_planned_bases() -> None:
    from gsyf_geo.analysis.gapindex import nearest_site_km, training_sites

    bases = pd.DataFrame({
        "name": ["已建A", "规划B", "候选C"], "status": ["existing", "planned", "candidate"],
        "lon": [119.96, 119.48, 120.14], "lat": [31.78, 31.42, 31.71],
    })  # fmt: skip
    plain = training_sites(bases)
    assert plain.names == ("已建A", "规划B") and "规划基地 1 个" in plain.source
    scenario = {"name": "方案一", "result": {"chosen": [{"name": "新址D", "lon": 120.14, "lat": 31.71}]}}
    planned = training_sites(bases, scenario)
    assert planned.names == ("已建A", "新址D") and "方案一" in planned.source
    d = nearest_site_km(np.array([119.96, 120.14]), np.array([31.78, 31.71]), planned)
    assert d[0] == pytest.approx(0.0, abs=1e-6) and d[1] == pytest.approx(0.0, abs=1e-6)
    d = nearest_site_km(np.array([120.14]), np.array([31.71]), plain)
    assert 15 < d[0] < 20  # 横林 to 天宁, straight line


def test_gap_index_on_the_demo_ranks_every_level(demo_map) -> None:
    from gsyf_geo.analysis.gapindex import gap_index, gap_index_export, training_sites

    view = apply_state(demo_map, MapState(years=(2020, 2025)))
    sites = training_sites(demo_map.bases)
    units = gap_index(view, demo_map.years, "unit", sites)
    assert len(units) == 7 and units["rank"].iloc[0] == 1
    assert units["index"].iloc[0] == pytest.approx(units["rate_n"].iloc[0] * units["uninsured_n"].iloc[0]
                                                   * units["distance_n"].iloc[0])  # fmt: skip
    towns = gap_index(view, demo_map.years, "town", sites, rates=town_rates(view, demo_map.years))
    hexes = gap_index(view, demo_map.years, "hexagon", sites, rates=hexagon_rates(view, demo_map.years, 7))
    assert towns["uninsured"].sum() == pytest.approx(units["uninsured"].sum())
    assert hexes["uninsured"].sum() == pytest.approx(units["uninsured"].sum())
    assert hexes.loc[hexes["rate"].isna(), "index"].isna().all()  # 样本不足: not ranked
    export = gap_index_export(hexes, "hexagon", sites.source)
    assert export["排名"].iloc[0] == 1 and "中心经度" in export


def test_two_years_per_unit_match_the_unit_figures(demo_map) -> None:
    from gsyf_geo.analysis.compare import change_table, compare_years
    from gsyf_geo.analysis.indicators import unit_indicators

    state = MapState()
    units = compare_years(demo_map, state, 2021, 2025, "unit")
    for year, col in ((2021, "accident_rate_a"), (2025, "accident_rate_b")):
        table = unit_indicators(apply_state(demo_map, MapState(years=(year, year))), demo_map.years)
        for code, rate in units[col].items():
            assert rate == pytest.approx(table.loc[code, "accident_rate"])
    assert (units["accident_rate_change"] == units["accident_rate_b"] - units["accident_rate_a"]).all()
    hexes = compare_years(demo_map, state, 2021, 2025, "hexagon")
    assert hexes.loc[hexes["avg_insured_b"] < MIN_INSURED, "accident_rate_b"].isna().all()
    t = change_table(units, "enrollment_rate", 2021, 2025, {"320402": "天宁"})
    assert t.columns[-1] == "变化（百分点）" and t.iloc[:, 3].dropna().is_monotonic_decreasing


def test_a_district_user_sees_only_hexagons_of_their_district(demo_map) -> None:
    from gsyf_geo.analysis.gapindex import gap_index, training_sites
    from gsyf_geo.analysis.mapdata import load_map_data
    from gsyf_geo.store import Scope, Store

    store = Store(f"sqlite:///{demo_map.path}")
    try:
        data = load_map_data(store, Scope.unit("320481"))
    finally:
        store.engine.dispose()
    view = apply_state(data, MapState(years=(2020, 2025)))
    rates = hexagon_rates(view, data.years, 7)
    assert set(rates.table["unit"]) == {"320481"}
    spots = hot_spots(rates)
    assert set(spots.table["unit"]) == {"320481"}
    assert set(gap_index(view, data.years, "unit", training_sites(data.bases))["key"]) == {"320481"}
    assert set(town_rates(view, data.years).table["cell"].str[:6]) == {"320481"}
