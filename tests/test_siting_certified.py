"""Certified answers: incumbent never beaten, bounds on the right side of the optimum, ties at
the radius, fixed bases covering everything, three constructors agreeing, p-median at scale."""

from __future__ import annotations

import dataclasses
import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from siting_cases import brute_mclp, brute_pmedian

from gsyf_geo.crs import METRIC_CRS, from_metric, to_metric
from gsyf_geo.siting import MaximalCovering, PMedian, SetCovering, SitingError
from gsyf_geo.siting.bounds import mclp_upper_bound, median_lower_bound
from gsyf_geo.siting.coverage import coverage_from_costs, nearest_open, nearest_sites
from gsyf_geo.siting.heuristics import CoverSearch, MedianSearch, NearestSites

CX, CY = (round(float(v)) for v in to_metric(119.95, 31.70))  # inside 常州, whole metres


# --- instances on a kilometre grid: many distances exactly equal to the radius -----------------
def grid_case(seed: int, n: int = 30, m: int = 8, n_fixed: int = 1, span: int = 12):
    """Integer-kilometre points: 3-4-5 triangles put points exactly at a 5 km radius."""
    rng = np.random.default_rng(seed)
    d = rng.integers(-span, span + 1, (n, 2)) * 1000
    s = rng.integers(-span, span + 1, (m, 2)) * 1000
    w = rng.integers(1, 100, n).astype(float)
    fixed = np.zeros(m, dtype=bool)
    fixed[:n_fixed] = True
    return d.astype(float), s.astype(float), w, fixed


def frames_4549(d, s, w, fixed):
    """The instance as GeoDataFrames in EPSG:4549 (metric, no WGS-84 in between)."""
    demand = gpd.GeoDataFrame({
        "credit_code": [f"E{i:03d}" for i in range(len(d))], "name": [f"企业{i}" for i in range(len(d))],
        "key_industry": "machinery", "weight": w,
    }, geometry=shapely.points(d[:, 0] + CX, d[:, 1] + CY), crs=METRIC_CRS)  # fmt: skip
    sites = gpd.GeoDataFrame({
        "site_code": [f"S{j:02d}" for j in range(len(s))], "name": [f"站点{j}" for j in range(len(s))],
        "status": np.where(fixed, "existing", "candidate"),
    }, geometry=shapely.points(s[:, 0] + CX, s[:, 1] + CY), crs=METRIC_CRS)  # fmt: skip
    return demand, sites


def frames_lonlat(d, s, w, fixed):
    """The same in WGS-84 lon/lat columns (a projection round trip on the way in)."""
    demand, sites = frames_4549(d, s, w, fixed)
    out = []
    for frame in (demand, sites):
        lon, lat = from_metric(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy())
        out.append(pd.DataFrame(frame.drop(columns="geometry")).assign(lon=lon, lat=lat))
    return out


def distances(d, s):
    return np.hypot(d[:, None, 0] - s[None, :, 0], d[:, None, 1] - s[None, :, 1])


def test_points_exactly_at_the_radius_count_as_covered_on_every_route():
    d = np.array([[5000.0, 0.0], [3000.0, 4000.0], [0.0, -5000.0], [5000.0, 1.0], [0.0, 0.0]])
    s = np.array([[0.0, 0.0], [-12000.0, 8000.0]])
    w = np.array([10.0, 20.0, 30.0, 40.0, 1.0])
    fixed = np.array([False, False])
    dist = distances(d, s)
    assert (dist[:3, 0] == 5000.0).all() and dist[3, 0] > 5000  # three exact ties, one just outside
    routes = {
        "4549": MaximalCovering.from_geodataframes(*frames_4549(d, s, w, fixed), weight="weight", radius_km=5),
        "lonlat": MaximalCovering.from_geodataframes(*frames_lonlat(d, s, w, fixed), weight="weight",
                                                     radius_km=5),
        "matrix": MaximalCovering.from_cost_matrix(dist, w, radius_km=5),
    }  # fmt: skip
    for name, problem in routes.items():
        covered = problem.coverage.toarray()[:, 0]
        assert covered.tolist() == [True, True, True, False, True], name
        assert problem.solve(1).objective == 61, name
    lscp = SetCovering.from_geodataframes(*frames_4549(d, s, w, fixed), weight="weight", radius_km=5)
    assert lscp.solve(share=61 / 101).objective == 1


@pytest.mark.parametrize("seed", range(6))
def test_grid_instances_with_ties_agree_across_routes_and_with_enumeration(seed):
    d, s, w, fixed = grid_case(seed)
    dist = distances(d, s)
    r = 5000.0
    assert (np.isclose(dist, r, rtol=0, atol=0)).any() or seed > 2  # ties are there
    best, _ = brute_mclp(dist, w, fixed, r, 2)
    values = [
        MaximalCovering.from_geodataframes(*frames_4549(d, s, w, fixed), weight="weight", radius_km=5).solve(2),
        MaximalCovering.from_geodataframes(*frames_lonlat(d, s, w, fixed), weight="weight",
                                           radius_km=5).solve(2),
        MaximalCovering.from_cost_matrix(dist, w, radius_km=5, fixed=fixed).solve(2),
    ]  # fmt: skip
    assert [v.objective for v in values] == pytest.approx([best] * 3)
    assert all(v.optimal for v in values)


@pytest.mark.parametrize("seed", range(4))
def test_ties_and_fixed_bases_match_spopt(seed):
    """spopt (bench dependency) on the same cost matrices: same covered demand."""
    pytest.importorskip("spopt")
    pulp = pytest.importorskip("pulp")
    from spopt.locate import MCLP

    d, s, w, fixed = grid_case(seed, n=25, m=7, n_fixed=2)
    dist = distances(d, s)
    for radius_km in (5, 30):  # 30 km: the two fixed bases cover everything
        model = MCLP.from_cost_matrix(dist, w, service_radius=radius_km * 1000.0, p_facilities=2 + 2,
                                      predefined_facilities_arr=fixed.astype(int))  # fmt: skip
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
        theirs = float(pulp.value(model.problem.objective))
        ours = MaximalCovering.from_cost_matrix(dist, w, radius_km=radius_km, fixed=fixed).solve(2)
        assert ours.objective == pytest.approx(theirs)
        if radius_km == 30:
            assert theirs == pytest.approx(w.sum()) and "无需新增站点" in ours.notes[0]


# --- three constructors ------------------------------------------------------------------------
def test_store_frames_and_cost_matrix_give_the_same_answers(demo_store):
    base = MaximalCovering.from_store(demo_store, radius_km=12)
    inst = base.instance
    demand = gpd.GeoDataFrame(
        inst.demand.drop(columns=["lon", "lat"]).assign(workers_w=inst.demand["weight"]),
        geometry=shapely.points(inst.demand["x"], inst.demand["y"]), crs=METRIC_CRS,
    )  # fmt: skip
    sites = gpd.GeoDataFrame(
        inst.sites.drop(columns=["lon", "lat"]),
        geometry=shapely.points(inst.sites["x"], inst.sites["y"]), crs=METRIC_CRS,
    )  # fmt: skip
    dist = distances(inst.demand[["x", "y"]].to_numpy(), inst.sites[["x", "y"]].to_numpy())
    w = inst.demand["weight"].to_numpy()
    for cls, kwargs in ((MaximalCovering, {"p": 3}), (PMedian, {"p": 2}), (SetCovering, {"share": 0.8})):
        a = cls.from_store(demo_store, radius_km=12).solve(**kwargs)
        b = cls.from_geodataframes(demand, sites, weight="workers_w", radius_km=12).solve(**kwargs)
        c = cls.from_cost_matrix(dist, w, radius_km=12, fixed=inst.fixed).solve(**kwargs)
        assert a.objective == pytest.approx(b.objective, rel=1e-9) == pytest.approx(c.objective, rel=1e-9)
        assert a.covered_weight == pytest.approx(b.covered_weight) == pytest.approx(c.covered_weight)
        assert a.proven_optimal and b.proven_optimal and c.proven_optimal, cls


def test_cost_matrix_input_is_checked():
    with pytest.raises(SitingError, match="二维"):
        MaximalCovering.from_cost_matrix(np.zeros(3), [1, 2, 3])
    with pytest.raises(SitingError, match="需求权重有 2 个，距离矩阵有 3 行"):
        MaximalCovering.from_cost_matrix(np.zeros((3, 2)), [1, 2])
    with pytest.raises(SitingError, match="负"):
        MaximalCovering.from_cost_matrix(-np.ones((2, 2)), [1, 2])


# --- the incumbent is never beaten; bounds are on the right side --------------------------------
def _random_metric(seed, n, m, n_fixed, span=30000.0):
    rng = np.random.default_rng(seed)
    d = rng.uniform(-span / 2, span / 2, (n, 2))
    s = rng.uniform(-span / 2, span / 2, (m, 2))
    w = rng.integers(1, 500, n).astype(float)
    fixed = np.zeros(m, dtype=bool)
    fixed[:n_fixed] = True
    return d, s, w, fixed


def _incumbent_mclp(dist, w, fixed, r, p):
    """Greedy + interchange over the candidates, computed here from the raw matrix."""
    reach = dist <= r
    base = reach[:, fixed].any(axis=1)
    cand = np.flatnonzero(~fixed)
    search = CoverSearch(reach[~base][:, cand].astype(float), w[~base])
    y = search.swap(search.greedy(p))
    return float(w[base].sum()) + search.value(y)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("time_limit", [0.3, 30.0])
def test_mclp_never_worse_than_greedy_swap_and_bound_above(seed, time_limit):
    d, s, w, fixed = _random_metric(seed, 400, 30, seed % 3)
    dist = distances(d, s)
    r = 6000.0
    result = MaximalCovering.from_cost_matrix(dist, w, radius_km=r / 1000, fixed=fixed).solve(
        4, time_limit=time_limit
    )
    reference = _incumbent_mclp(dist, w, fixed, r, 4)
    assert result.objective >= reference - 1e-6
    assert result.incumbent == pytest.approx(reference)
    assert result.bound >= result.objective - 1e-6
    assert result.gap == pytest.approx((result.bound - result.objective) / result.bound, abs=1e-12)
    open_ = result.sites["open"].to_numpy()
    assert float(w[(dist[:, open_] <= r).any(axis=1)].sum()) == pytest.approx(result.objective)


@pytest.mark.parametrize("seed", range(6))
def test_pmedian_never_worse_than_greedy_swap_and_bound_below(seed, monkeypatch):
    import gsyf_geo.siting.problems as problems

    monkeypatch.setattr(problems, "MEDIAN_EXACT_PAIRS", 0)  # the large-instance path, small enough to check
    d, s, w, fixed = _random_metric(100 + seed, 300, 12, seed % 2)
    dist = distances(d, s)
    result = PMedian.from_cost_matrix(dist, w, fixed=fixed).solve(3, time_limit=20)
    best = brute_pmedian(dist, w, fixed, 3)
    assert result.bound <= best + 1e-6 <= result.objective + 2e-6  # certified: below the optimum
    assert result.objective <= result.incumbent + 1e-9
    open_ = result.sites["open"].to_numpy()
    assert float((w * dist[:, open_].min(axis=1)).sum() / 1000) == pytest.approx(result.objective)
    assert result.gap == pytest.approx((result.objective - result.bound) / result.objective, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_lagrangian_bounds_hold_against_enumeration_whenever_stopped(seed):
    d, s, w, fixed = _random_metric(200 + seed, 60, 9, 0, span=20000.0)
    dist = distances(d, s)
    reach = dist <= 5000.0
    best, _ = brute_mclp(dist, w, fixed, 5000.0, 3)
    search = CoverSearch(reach.astype(float), w)
    for iters in (1, 5, 50, 2000):
        ub = mclp_upper_bound(search, 3, 0.0, deadline=float("inf"), max_iter=iters)
        assert ub.value >= best - 1e-6
    # p-median with only the 3 nearest sites kept per point: the cap keeps the bound valid.
    site, dd, beyond = nearest_sites(d, s, 3)
    near = NearestSites(site, dd, beyond, w)
    opt = brute_pmedian(dist, w, fixed, 2) * 1000
    for iters in (1, 10, 300, 3000):
        lb = median_lower_bound(near, np.arange(9), np.zeros(0, np.int64), 2, opt * 1.2,
                                deadline=float("inf"), max_iter=iters)  # fmt: skip
        assert lb.value <= opt + 1e-6


def test_median_search_moves_only_downhill():
    d, s, w, _ = _random_metric(7, 200, 15, 0)
    site, dd, beyond = nearest_sites(d, s, 4)

    def exact(open_):
        dist, idx = nearest_open(d, s, open_, k=2)
        return dist[:, 0], idx[:, 0], dist[:, 1], idx[:, 1]

    search = MedianSearch(NearestSites(site, dd, beyond, w), exact, np.arange(15), np.zeros(0, np.int64), 15)
    g = search.greedy(4)
    swapped = search.swap(g)
    assert search.cost(swapped) <= search.cost(g)
    assert len(set(swapped.tolist())) == 4
    best = min(search.cost(np.array(c)) for c in itertools.combinations(range(15), 4))
    assert search.cost(swapped) <= best * 1.05  # interchange lands close to the optimum here


# --- p-median at scale: aggregation and early refusal --------------------------------------------
def test_pmedian_aggregation_reports_its_error_and_keeps_the_bound_valid(monkeypatch):
    import gsyf_geo.siting.problems as problems

    monkeypatch.setattr(problems, "MEDIAN_MAX_POINTS", 40)
    monkeypatch.setattr(problems, "MEDIAN_EXACT_PAIRS", 0)
    d, s, w, fixed = _random_metric(9, 300, 10, 1, span=14000.0)
    demand, sites = frames_4549(d, s, w, fixed)
    result = PMedian.from_geodataframes(demand, sites, weight="weight").solve(2, time_limit=20)
    dist = distances(d, s)
    best = brute_pmedian(dist, w, fixed, 2)
    assert result.aggregation_error > 0
    assert result.bound <= best + 1e-6
    assert any("合并" in n and "已从理论下限中扣除" in n for n in result.notes)
    open_ = result.sites["open"].to_numpy()
    assert float((w * dist[:, open_].min(axis=1)).sum() / 1000) == pytest.approx(result.objective)


def test_pmedian_too_big_is_refused_early_with_advice_that_fits_the_model(monkeypatch):
    import gsyf_geo.siting.problems as problems

    monkeypatch.setattr(problems, "MEDIAN_MEMORY_BYTES", 10_000)
    d, s, w, fixed = _random_metric(3, 300, 40, 0)
    with pytest.raises(SitingError) as info:
        PMedian.from_cost_matrix(distances(d, s), w).solve(3)
    text = str(info.value)
    assert "内存" in text and "未开始计算" in text and "减少候选点" in text and "缩小范围" in text
    assert "容量" not in text and "半径" not in text


# --- what the gap says -------------------------------------------------------------------------
def test_gap_sentence_follows_the_rule():
    d, s, w, fixed = _random_metric(1, 50, 6, 0)
    result = MaximalCovering.from_cost_matrix(distances(d, s), w, radius_km=6).solve(2)
    assert result.gap_cn == "已找到最优方案（可证明无更优）"
    open_gap = dataclasses.replace(result, optimal=False, gap=0.012301, bound=result.objective / (1 - 0.012301))
    assert "与理论上限相差不超过 1.24%" in open_gap.gap_cn  # rounded up: never understated
    med = dataclasses.replace(open_gap, problem="pmedian")
    assert "与理论下限相差不超过 1.24%" in med.gap_cn
    assert open_gap.summary()["gap_cn"] == open_gap.gap_cn
    # "Optimal" within an allowed gap is not a proof of optimality.
    allowed = dataclasses.replace(open_gap, optimal=True, gap=0.003,
                                  parameters={**result.parameters, "mip_rel_gap": 0.01})  # fmt: skip
    assert not allowed.proven_optimal and "相差不超过 0.30%" in allowed.gap_cn


def test_coverage_from_costs_uses_the_one_tolerance():
    cost = np.array([[5000.0, 5000.0 * (1 + 5e-10), 5000.0 * (1 + 1e-8)]])
    assert coverage_from_costs(cost, 5000.0).toarray().tolist() == [[True, True, False]]
