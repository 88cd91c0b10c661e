"""MCLP's LP bound (PDHG scored by the closed-form dual) and the iterated interchange: the bound
is never below the proven optimum, however early it stops; it reaches the LP's value; the
search never returns a worse choice than it was given."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from gsyf_geo.siting import MaximalCovering
from gsyf_geo.siting.bounds import CoverLpDual, cover_dual_value
from gsyf_geo.siting.heuristics import CoverSearch
from gsyf_geo.siting.highs import MipModel, solve_mip


def _instance(seed: int, n: int = 120, m: int = 25, radius: float = 7000.0, span: float = 30000.0):
    rng = np.random.default_rng(seed)
    d = rng.uniform(0, span, (n, 2))
    s = rng.uniform(0, span, (m, 2))
    w = rng.integers(1, 501, n).astype(float)
    dist = np.hypot(d[:, None, 0] - s[None, :, 0], d[:, None, 1] - s[None, :, 1])
    reach = dist <= radius
    keep = reach.any(axis=1)  # as the reduction does: rows no candidate reaches drop out
    return CoverSearch(sparse.csr_matrix(reach[keep].astype(float)), w[keep]), dist, w


def _highs(search: CoverSearch, p: int, integer: bool) -> float:
    """MCLP (integer) or its LP relaxation solved and proven by HiGHS."""
    a = search.matrix
    n, m = a.shape
    matrix = sparse.vstack([
        sparse.hstack([-a, sparse.identity(n)]),
        sparse.hstack([sparse.csr_matrix(np.ones((1, m))), sparse.csr_matrix((1, n))]),
    ]).tocsr()  # fmt: skip
    kinds = np.zeros(m + n, dtype=bool)
    kinds[:m] = integer
    model = MipModel(np.concatenate([np.zeros(m), search.weight]), np.zeros(m + n), np.ones(m + n), kinds,
                     matrix, np.concatenate([np.full(n, -np.inf), [p]]), np.concatenate([np.zeros(n), [p]]),
                     maximize=True)  # fmt: skip
    sol = solve_mip(model, time_limit=60)
    assert sol.optimal
    return float(sol.objective)


@pytest.mark.parametrize("seed", range(12))
def test_lp_bound_is_never_below_the_optimum_however_early_it_stops(seed):
    p = 2 + seed % 4
    search, _, _ = _instance(seed)
    optimum = _highs(search, p, integer=True)
    dual = CoverLpDual(search, p)
    for iterations in (0, 1, 3, 20, 200, 2000):
        bound = dual.run(float("inf"), max_iter=iterations - dual.iterations) if iterations else dual.run(0.0)
        assert bound.value >= optimum - 1e-6
        # The figure reported is UB(λ) of the multipliers it hands back.
        assert cover_dual_value(search, p, bound.multipliers) == pytest.approx(bound.value, rel=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_any_multipliers_give_a_valid_bound(seed):
    search, _, w = _instance(100 + seed, n=60, m=10)
    p = 3
    optimum = _highs(search, p, integer=True)
    rng = np.random.default_rng(seed)
    for _ in range(50):
        lam = rng.uniform(-0.5, 1.5, search.weight.size) * search.weight  # out of the box too: clipped
        assert cover_dual_value(search, p, lam) >= optimum - 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_lp_bound_reaches_the_lp_value(seed):
    p = 3 + seed % 3
    search, _, _ = _instance(300 + seed, n=200, m=30)
    lp = _highs(search, p, integer=False)
    bound = CoverLpDual(search, p).run(float("inf"), max_iter=20_000)
    assert lp - 1e-6 <= bound.value <= lp * (1 + 1e-3)


@pytest.mark.parametrize("seed", range(6))
def test_iterated_search_never_returns_worse_and_reports_its_value(seed):
    search, _, _ = _instance(400 + seed, n=300, m=40)
    p = 4
    start = search.swap(search.greedy(p))
    start_value = search.value(start)
    chosen, value = search.iterated(start, float("inf"), rng=np.random.default_rng(seed), max_rounds=40)
    assert value >= start_value
    assert value == search.value(chosen)
    assert len(set(chosen.tolist())) == p
    # A pool restricts what a perturbation brings in, never what is returned's quality.
    pool = np.arange(10)
    chosen2, value2 = search.iterated(start, float("inf"), rng=np.random.default_rng(seed), pool=pool,
                                      max_rounds=40)  # fmt: skip
    assert value2 >= start_value and value2 == search.value(chosen2)


@pytest.mark.parametrize("seed", range(5))
def test_mclp_on_the_bound_path_is_certified_against_highs(seed, monkeypatch):
    import gsyf_geo.siting.problems as problems

    monkeypatch.setattr(problems, "HIGHS_COVER_MAX_NNZ", 0)  # the large-instance path, small enough to check
    search, dist, w = _instance(500 + seed, n=250, m=30)
    p = 4
    result = MaximalCovering.from_cost_matrix(dist, w, radius_km=7).solve(p, time_limit=5)
    optimum = _highs(search, p, integer=True)
    assert result.objective <= optimum + 1e-6 <= result.bound + 2e-6
    assert result.objective >= result.incumbent - 1e-9
    reference = CoverSearch(search.matrix, search.weight)
    assert result.objective >= reference.value(reference.swap(reference.greedy(p))) - 1e-9
    open_ = result.sites["open"].to_numpy()
    assert float(w[(dist[:, open_] <= 7000).any(axis=1)].sum()) == pytest.approx(result.objective)
