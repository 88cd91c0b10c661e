"""The siting models against brute-force enumeration, and their rules (fixed sites, capacities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from siting_cases import (
    brute_capacitated_mclp,
    brute_capacitated_pmedian,
    brute_lscp,
    brute_mclp,
    brute_pmedian,
    demand_frame,
    metric_distances,
    random_case,
    sites_frame,
)

from gsyf_geo.siting import MaximalCovering, PMedian, SetCovering
from gsyf_geo.siting.coverage import coverage_matrix, reduce_covering

SEEDS = [1, 2, 3, 4, 5]
RADIUS_KM = 7.0


def _arrays(demand, sites):
    return (
        metric_distances(demand, sites),
        demand["employees"].to_numpy(dtype=float),
        (sites["status"] == "existing").to_numpy(),
    )


def _value_of(result, dist, w, radius_m):
    open_ = result.sites["open"].to_numpy()
    return float(w[(dist[:, open_] <= radius_m).any(axis=1)].sum())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [1, 3])
def test_mclp_matches_enumeration(seed, p):
    demand, sites = random_case(seed)
    dist, w, fixed = _arrays(demand, sites)
    best, _ = brute_mclp(dist, w, fixed, RADIUS_KM * 1000, p)
    result = MaximalCovering.from_geodataframes(demand, sites, radius_km=RADIUS_KM).solve(p)
    assert (
        result.optimal and result.status == "Optimal" and result.gap == pytest.approx(0, abs=1e-9)
    )
    assert result.objective == pytest.approx(best)
    assert result.covered_weight == pytest.approx(best)
    assert _value_of(result, dist, w, RADIUS_KM * 1000) == pytest.approx(best)
    assert len(result.chosen) == p


@pytest.mark.parametrize("seed", SEEDS)
def test_lscp_matches_enumeration(seed):
    demand, sites = random_case(seed)
    dist, w, fixed = _arrays(demand, sites)
    share = 0.8
    expected = brute_lscp(dist, w, fixed, RADIUS_KM * 1000, share)
    problem = SetCovering.from_geodataframes(demand, sites, radius_km=RADIUS_KM)
    if expected is None:
        with pytest.raises(Exception, match="达不到目标"):
            problem.solve(share=share)
        return
    k, cover = expected
    result = problem.solve(share=share)
    assert result.optimal
    assert int(result.objective) == k == len(result.chosen)
    assert result.covered_weight == pytest.approx(cover)  # among the fewest, the most coverage
    assert result.covered_share >= share - 1e-12


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [1, 2])
def test_pmedian_matches_enumeration(seed, p):
    demand, sites = random_case(seed)
    dist, w, fixed = _arrays(demand, sites)
    best = brute_pmedian(dist, w, fixed, p)
    result = PMedian.from_geodataframes(demand, sites, radius_km=RADIUS_KM).solve(p)
    assert result.optimal and result.gap == pytest.approx(0, abs=1e-9)
    assert result.objective == pytest.approx(best, rel=1e-9)
    open_ = result.sites["open"].to_numpy()
    assert float((w * dist[:, open_].min(axis=1)).sum() / 1000) == pytest.approx(best, rel=1e-9)
    assert result.mean_distance_km == pytest.approx(best / w.sum(), rel=1e-9)


def test_pmedian_without_fixed_sites_matches_enumeration():
    demand, sites = random_case(11, n_fixed=0)
    dist, w, fixed = _arrays(demand, sites)
    result = PMedian.from_geodataframes(demand, sites).solve(3)
    assert result.objective == pytest.approx(brute_pmedian(dist, w, fixed, 3), rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_capacitated_mclp_matches_enumeration_and_respects_capacity(seed):
    demand, sites = random_case(seed, n=25, m=7)
    dist, w, fixed = _arrays(demand, sites)
    scale = 10.0
    cap = sites["capacity"].to_numpy() * scale
    best = brute_capacitated_mclp(dist, w, fixed, RADIUS_KM * 1000, 2, cap)
    result = MaximalCovering.from_geodataframes(
        demand, sites, radius_km=RADIUS_KM, capacity_scale=scale
    ).solve(2)
    assert result.optimal
    assert result.objective == pytest.approx(best, rel=1e-7)
    assert result.covered_weight == pytest.approx(best, rel=1e-7)
    load = result.sites["load"].to_numpy()
    open_ = result.sites["open"].to_numpy()
    assert np.all(load[open_] <= cap[open_] + 1e-6)  # capacities honoured
    assert np.all(np.nan_to_num(load[~open_]) <= 1e-9)  # nothing assigned to closed sites


@pytest.mark.parametrize("seed", [1, 2])
def test_capacitated_pmedian_matches_enumeration(seed):
    demand, sites = random_case(seed, n=20, m=6)
    dist, w, fixed = _arrays(demand, sites)
    scale = 40.0
    cap = sites["capacity"].to_numpy() * scale
    best = brute_capacitated_pmedian(dist, w, fixed, 2, cap)
    assert np.isfinite(best)
    result = PMedian.from_geodataframes(demand, sites, capacity_scale=scale).solve(2)
    assert result.objective == pytest.approx(best, rel=1e-7)
    open_ = result.sites["open"].to_numpy()
    assert np.all(result.sites["load"].to_numpy()[open_] <= cap[open_] + 1e-6)
    assert result.sites["load"].sum() == pytest.approx(w.sum())  # everyone assigned


def test_capacity_binds_in_a_hand_made_case():
    """A big cluster next to a small base: capacity sends the choice elsewhere."""
    demand = demand_frame([0, 0.3, 10, 10.2], [0, 0.2, 0, 0.1], [500, 500, 300, 300])
    sites = sites_frame([0.1, 10.1], [0.1, 0.0], [False, False], capacity=[20.0, 100.0])
    free = MaximalCovering.from_geodataframes(demand, sites, radius_km=2).solve(1)
    assert free.chosen["site_code"].tolist() == ["S00"] and free.objective == 1000
    capped = MaximalCovering.from_geodataframes(
        demand, sites, radius_km=2, capacity_scale=10
    ).solve(1)
    # S00 serves at most 200, S01 600 (of its 600): S01 wins.
    assert capped.chosen["site_code"].tolist() == ["S01"] and capped.objective == pytest.approx(600)
    assert capped.sites.set_index("site_code").loc["S01", "load"] == pytest.approx(600)


def test_fixed_sites_are_open_and_not_counted_in_p():
    demand = demand_frame([0, 5, 15, -15], [0, 0, 0, 5], [100, 50, 80, 60])
    # S00 is an existing base far from everything: still open, never counted in p.
    sites = sites_frame(
        [-10, 0, 5, 15, -15], [10, 0, 0.5, 0, 5], [True, False, False, False, False]
    )
    result = MaximalCovering.from_geodataframes(demand, sites, radius_km=2).solve(2)
    s = result.sites.set_index("site_code")
    assert bool(s.loc["S00", "open"]) and not bool(s.loc["S00", "chosen"])
    assert len(result.chosen) == 2 and not result.chosen["fixed"].any()
    assert set(result.chosen["site_code"]) == {"S01", "S03"}  # 100 + 80 beat 50 and 60
    assert result.objective == 180


def test_fixed_coverage_counts_and_shapes_the_choice():
    demand = demand_frame([0, 10, -12], [0, 0, -8], [100, 90, 80])
    sites = sites_frame([0, 0.1, 10, -12], [0, 0, 0, -8], [True, False, False, False])
    result = MaximalCovering.from_geodataframes(demand, sites, radius_km=1).solve(1)
    # The existing base already covers the 100; the best new site adds the 90.
    assert result.chosen["site_code"].tolist() == ["S02"]
    assert result.objective == 190 and result.fixed_covered_weight == 100
    newly = result.newly_covered
    assert newly["demand_id"].tolist() == ["E0001"] and newly["exclusive"].all()


def test_reduction_does_not_change_the_optimum():
    demand, sites = random_case(7, n=60)
    # Duplicate every enterprise (same place, same weight): merging must absorb the copies.
    doubled = pd.concat(
        [demand, demand.assign(credit_code=demand["credit_code"] + "b")], ignore_index=True
    )
    dist, w, fixed = _arrays(doubled, sites)
    best, _ = brute_mclp(dist, w, fixed, RADIUS_KM * 1000, 2)
    result = MaximalCovering.from_geodataframes(doubled, sites, radius_km=RADIUS_KM).solve(2)
    assert result.objective == pytest.approx(best)
    assert result.model_size["rows_after_merge"] <= len(demand)
    assert result.model_size["points"] == 2 * len(demand)


def test_reduce_covering_merges_rows_with_identical_reach():
    demand, sites = random_case(3, n=80)
    dist, w, fixed = _arrays(demand, sites)
    a = coverage_matrix(*_xy(demand, sites), RADIUS_KM * 1000)
    assert np.array_equal(a.toarray(), dist <= RADIUS_KM * 1000)
    red = reduce_covering(a, w, fixed, np.zeros(len(sites), bool))
    reach = (dist <= RADIUS_KM * 1000)[:, red.columns]
    for g in range(red.groups):  # every merged row: same reach, weights summed
        members = red.active[red.group_of == g]
        assert (reach[members] == reach[members[0]]).all()
        assert red.group_weight[g] == pytest.approx(w[members].sum())
    fixed_reach = (dist <= RADIUS_KM * 1000)[:, fixed].any(axis=1)
    assert np.array_equal(red.covered_fixed, fixed_reach)
    assert np.array_equal(red.unreachable, ~(dist <= RADIUS_KM * 1000).any(axis=1))
    assert not np.intersect1d(red.active, np.flatnonzero(red.covered_fixed | red.unreachable)).size


def _xy(demand, sites):
    from gsyf_geo.crs import to_metric

    dx, dy = to_metric(demand["lon"].to_numpy(), demand["lat"].to_numpy())
    sx, sy = to_metric(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    return np.column_stack([dx, dy]), np.column_stack([sx, sy])


def test_detour_shrinks_the_reach():
    demand = demand_frame([0, 6], [0, 0], [10, 20])
    sites = sites_frame([0, 6], [0, 0.5], [False, False])
    straight = MaximalCovering.from_geodataframes(demand, sites, radius_km=7).solve(1)
    assert straight.objective == 30  # either site reaches both points at 7 km
    detour = MaximalCovering.from_geodataframes(demand, sites, radius_km=7, detour=1.4).solve(1)
    assert detour.objective == 20  # 7 / 1.4 = 5 km: one point each


def test_marginal_gains_are_the_optima_for_each_p():
    demand, sites = random_case(5, n=50, m=8)
    dist, w, fixed = _arrays(demand, sites)
    series = MaximalCovering.from_geodataframes(demand, sites, radius_km=RADIUS_KM).marginal_gains(
        4
    )
    assert series["p"].tolist() == [0, 1, 2, 3, 4]
    for p in range(1, 5):
        best, _ = brute_mclp(dist, w, fixed, RADIUS_KM * 1000, p)
        assert series.loc[series["p"] == p, "covered"].item() == pytest.approx(best)
    gains = series["covered"].diff().fillna(0)
    assert np.allclose(series["gain"], gains)
    assert (series["gain"][1:] >= -1e-9).all()


def test_pmedian_marginal_gains_fall_with_each_site():
    demand, sites = random_case(6, n=40, m=8)
    dist, w, fixed = _arrays(demand, sites)
    series = PMedian.from_geodataframes(demand, sites).marginal_gains(3)
    assert series["objective"].is_monotonic_decreasing
    assert series.loc[series["p"] == 2, "objective"].item() == pytest.approx(
        brute_pmedian(dist, w, fixed, 2)
    )


def test_weights_choose_what_counts():
    demand = demand_frame([0, 10], [0, 0], [100, 10])
    demand["key_staff"] = [3, 50]
    demand["key_staff_trained"] = [3, 0]
    sites = sites_frame([0, 10], [0, 0], [False, False])
    by_workers = MaximalCovering.from_geodataframes(demand, sites, radius_km=1).solve(1)
    by_untrained = MaximalCovering.from_geodataframes(
        demand, sites, radius_km=1, weight="untrained"
    ).solve(1)
    assert by_workers.chosen["site_code"].tolist() == ["S00"]
    assert by_untrained.chosen["site_code"].tolist() == ["S01"]
    assert by_untrained.objective == 50 and by_untrained.weight_label == "重要岗位未培训人数"


def test_industry_filter_keeps_only_those_enterprises():
    demand = demand_frame([0, 10], [0, 0], [100, 10], industries=["machinery", "chemical"])
    sites = sites_frame([0, 10], [0, 0], [False, False])
    result = MaximalCovering.from_geodataframes(
        demand, sites, radius_km=1, industries=["化工"]
    ).solve(1)
    assert result.demand["key_industry"].tolist() == ["chemical"]
    assert result.chosen["site_code"].tolist() == ["S01"]
    table = result.by_industry()
    assert table["name"].tolist() == ["化工"] and table["share"].tolist() == [1.0]


def test_added_candidates_take_part():
    demand = demand_frame([0, 12], [0, 5], [10, 500])
    sites = sites_frame([0], [0], [False])
    from siting_cases import lonlat

    lon, lat = lonlat([12.1], [5])
    result = MaximalCovering.from_geodataframes(
        demand, sites, radius_km=2, extra_candidates=[(float(lon[0]), float(lat[0]))]
    ).solve(1)
    chosen = result.chosen.iloc[0]
    assert chosen["name"] == "新增候选点1" and bool(chosen["added"]) and result.objective == 500


def test_risk_weight_uses_risk_class_and_accident_history():
    from gsyf_geo.siting.weights import demand_weights

    ent = pd.DataFrame({
        "credit_code": ["A", "B", "C"], "employees": [100, 100, 100], "risk_class": [1, 8, 8],
        "key_industry": ["machinery", "mining", "mining"],
    })  # fmt: skip
    inj = pd.DataFrame({
        "credit_code": ["C"] * 6, "injury_date": pd.to_datetime(["2025-03-01"] * 6), "commuting": False,
    })  # fmt: skip
    w = demand_weights(ent, "risk", inj)
    assert w[1] > w[0] * 9  # class 八 base rate 0.019 vs 一 0.002
    assert w[2] > w[1]  # same class, worse record
    no_history = demand_weights(ent, "risk", None)
    assert no_history[1] == pytest.approx(no_history[2])


def test_result_tables_add_up():
    demand, sites = random_case(2, n=60)
    result = MaximalCovering.from_geodataframes(demand, sites, radius_km=RADIUS_KM).solve(2)
    by_d = result.by_district()
    assert by_d["demand"].sum() == pytest.approx(result.total_weight)
    assert by_d["covered"].sum() == pytest.approx(result.covered_weight)
    assert by_d["enterprises"].sum() == len(demand)
    assert set(by_d["name"]) <= {"天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市"}
    summary = result.summary()
    assert summary["covered_share"] == pytest.approx(result.covered_weight / result.total_weight)
    assert len(summary["chosen"]) == 2 and summary["gap"] == 0


def test_highs_status_is_reported_as_is_when_time_runs_out():
    from scipy import sparse

    from gsyf_geo.siting.highs import MipModel, solve_mip

    rng = np.random.default_rng(0)
    n = 60
    w = rng.integers(10, 100, n).astype(float)
    model = MipModel(w + rng.integers(0, 10, n), np.zeros(n), np.ones(n), np.ones(n, bool),
                     sparse.csr_matrix(w[None, :]), np.array([-np.inf]), np.array([w.sum() / 2]),
                     maximize=True)  # fmt: skip
    stopped = solve_mip(model, time_limit=1e-9)
    assert stopped.status == "Time limit reached" and not stopped.optimal
    assert stopped.status_cn == "达到时间限制（未证明最优）"
    done = solve_mip(model, time_limit=60)
    assert done.optimal and done.gap == 0 and done.bound == pytest.approx(done.objective)


def test_a_time_limited_solve_says_it_is_not_proven():
    demand, sites = random_case(4, n=60)
    result = MaximalCovering.from_geodataframes(demand, sites, radius_km=RADIUS_KM).solve(
        3, time_limit=1e-9
    )
    assert result.status == "Time limit reached" and not result.optimal
    assert len(result.chosen) == 3  # the warm start is still a valid choice
