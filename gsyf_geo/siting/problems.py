"""The three siting problems, one class each, with the same shape.

``MaximalCovering`` (MCLP), ``SetCovering`` (LSCP) and ``PMedian`` are built with
``from_store(store, scope, ...)`` or ``from_geodataframes(demand_gdf, sites_gdf, ...)`` and
solved with ``solve(...) -> SitingResult``. Existing bases are always open and not counted
in ``p``; ``p`` is the number of new sites chosen among the candidates.

Each model is reduced first (:mod:`gsyf_geo.siting.coverage`). Then, within one time budget
(``time_limit``, default 60 s), without capacities:

1. a strong incumbent: greedy plus fast interchange (:mod:`gsyf_geo.siting.heuristics`); the
   answer returned is never worse than it;
2. a certified bound (:mod:`gsyf_geo.siting.bounds`): for MCLP the LP relaxation's, by PDHG
   with every iterate scored by the closed-form Lagrangian dual, in turns with an iterated
   interchange that perturbs towards the candidates the LP values most (it often finds better
   choices than the first interchange); for p-median a Lagrangian lower bound by subgradient;
3. HiGHS on the exact model, started from the incumbent, when the model is small enough for
   it (:data:`HIGHS_COVER_MAX_NNZ`, :data:`MEDIAN_EXACT_PAIRS`); its bound is used when tighter.

The result carries value, bound and gap and says in Chinese what the gap means
(:attr:`gsyf_geo.siting.result.SitingResult.gap_cn`). p-median beyond the exact size keeps each
point's K nearest sites (the bound stays valid for the full problem, see
:mod:`gsyf_geo.siting.bounds`), merges demand on a grid above :data:`MEDIAN_MAX_POINTS` points
(error bound taken off the lower bound) and estimates its memory before building anything.
With capacities the models go to HiGHS as before (greedy start).

Formulations (``y_j`` binary: candidate ``j`` is chosen; ``W_k`` merged demand weights):

* MCLP: max Σ W_k z_k, z_k ≤ Σ_{j reaches k} y_j, Σ y_j = p, 0 ≤ z_k ≤ 1.
* LSCP: min Σ y_j, z_k ≤ Σ_{j reaches k} y_j, Σ W_k z_k ≥ share × total − covered by
  existing bases; then, with that many sites, the MCLP picks the set covering most.
* p-median: min Σ c_kj x_kj, Σ_j x_kj = 1, x_kj ≤ y_j, Σ y_j = p (c: weighted distance).

With capacities (``capacity_scale`` given: a seat serves that much demand), coverage and
assignment are split in assignment variables ``x_kj`` (demand of row k served by site j),
with Σ_k W_k x_kj ≤ capacity_j × y_j. A point's demand may be split between bases.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import sparse

from gsyf_geo.siting.bounds import CoverLpDual, median_lower_bound
from gsyf_geo.siting.coverage import (
    CoverReduction,
    MedianReduction,
    aggregate_points,
    coverage_from_costs,
    coverage_matrix,
    nearest_open,
    nearest_sites,
    reduce_covering,
    reduce_median,
)
from gsyf_geo.siting.errors import SitingError
from gsyf_geo.siting.heuristics import CoverSearch, MedianSearch, NearestSites
from gsyf_geo.siting.highs import DEFAULT_TIME_LIMIT_S, MipModel, MipSolution, solve_mip
from gsyf_geo.siting.instance import (
    DEFAULT_RADIUS_KM,
    SitingInstance,
    district_name,
    instance_from_cost_matrix,
    instance_from_frames,
    instance_from_store,
)
from gsyf_geo.siting.result import GAP_PROVEN, SitingResult, evaluate

MAX_MODEL_COLUMNS = 4_000_000
"""Largest model the planner builds; a bigger one is refused with advice (Chinese)."""
MAX_CAPACITATED_MEDIAN_ASSIGNMENTS = 60_000
"""Capacitated p-median keeps every (row, site) pair; beyond this it is refused (minutes)."""
SERIES_P_MAX = 10
HIGHS_COVER_MAX_NNZ = 400_000
"""Largest reduced covering matrix handed to HiGHS (beyond it HiGHS's root LP does not finish
within minutes and holds gigabytes; the Lagrangian bound and the interchange do the work)."""
MEDIAN_EXACT_PAIRS = 120_000
"""p-median with at most this many (point, site) pairs is also solved exactly by HiGHS."""
MEDIAN_MAX_POINTS = 20_000
"""Beyond this many demand points p-median merges them on a grid (error bound reported)."""
MEDIAN_MEMORY_BYTES = 1_500_000_000
"""Memory the p-median search may use; estimated before anything is built."""
MEDIAN_BYTES_PER_PAIR = 48
"""Bytes per kept (point, site) pair: site, distance, cost and working copies."""
MEDIAN_MIN_K = 16
MAX_BOUND_SWAPS = 12
"""Interchanges started from the relaxation's choices while the bound is computed."""
SEARCH_SHARE = 0.5
"""Share of the time budget the first greedy + interchange may use (the rest is the bound's)."""
COVER_BOUND_SHARE_HIGHS = 0.25
"""Covering models HiGHS can take: share of the remaining budget for the LP bound and the
iterated interchange before HiGHS gets the rest."""
COVER_SLICE_S = 3.0
"""Longest turn of the LP bound (and of the search after it) before the other gets its turn."""
COVER_POOL_PER_SITE, COVER_POOL_MIN = 15, 60
"""Candidates a perturbation may bring in: the ``max(60, 15 p)`` the LP values most."""
COVER_SEARCH_PATIENCE = 150
"""Rounds of the iterated interchange without a better choice that end its turn."""
COVER_SEARCH_SEED = 16
"""Seed of the perturbations (the same instance and budget give the same moves)."""
BOUND_SOURCE_LAGRANGE = "拉格朗日松弛"


def _pct(share: float) -> str:
    """A share as a percentage that never rounds a non-zero share to 0%."""
    if 0 < share < 0.001:
        return "不到 0.1%"
    return f"{share:.1%}"


def _need_int(value: Any, what: str) -> int:
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        raise SitingError(f"{what}须为整数（当前为 {value}）") from None
    if not float(as_float).is_integer():
        raise SitingError(f"{what}须为整数（当前为 {value}）")
    return int(as_float)


class _SitingProblem:
    """Shared constructors, coverage and result assembly."""

    problem: ClassVar[str] = ""

    def __init__(self, instance: SitingInstance) -> None:
        self.instance = instance
        self._coverage: sparse.csr_matrix | None = None

    # --- constructors -------------------------------------------------------------------
    @classmethod
    def from_store(
        cls,
        store,
        scope=None,
        *,
        weight: str = "workers",
        industries=None,
        radius_km: float = DEFAULT_RADIUS_KM,
        detour: float = 1.0,
        extra_candidates: Any = None,
        capacity_scale: float | None = None,
    ):
        """Build the problem from the store.

        Parameters
        ----------
        store
            A :class:`gsyf_geo.store.Store`.
        scope
            The part of the city (default: the city): its key-industry enterprises are
            the demand, its training bases the sites.
        weight
            ``"workers"``, ``"untrained"`` or ``"risk"`` (:mod:`gsyf_geo.siting.weights`).
        industries
            Key-industry ids or Chinese names to keep (default: all nine).
        radius_km
            Straight-line reach in km (EPSG:4549).
        detour
            Road-detour factor ≥ 1; the effective radius is ``radius_km / detour``.
        extra_candidates
            Points added on the map: ``(lon, lat)`` pairs or dicts (WGS-84).
        capacity_scale
            Demand one seat can serve (e.g. trainings per seat over the period); None
            ignores capacities.
        """
        return cls(instance_from_store(
            store, scope, weight=weight, industries=industries, radius_km=radius_km,
            detour=detour, extra_candidates=extra_candidates, capacity_scale=capacity_scale,
        ))  # fmt: skip

    @classmethod
    def from_geodataframes(
        cls,
        demand_gdf: pd.DataFrame,
        sites_gdf: pd.DataFrame,
        *,
        weight: str = "workers",
        industries=None,
        radius_km: float = DEFAULT_RADIUS_KM,
        detour: float = 1.0,
        extra_candidates: Any = None,
        capacity_scale: float | None = None,
        injuries: pd.DataFrame | None = None,
    ):
        """Build the problem from enterprise and site (Geo)DataFrames.

        ``demand_gdf`` holds enterprises (store columns; any point CRS or lon/lat);
        ``weight`` is a weight id or the name of a numeric column holding the weights.
        ``sites_gdf`` holds sites with ``site_code``, ``name``, ``status`` (``existing``
        rows are fixed; or a boolean ``fixed`` column) and optional ``capacity``.
        Other parameters as in :meth:`from_store`.
        """
        return cls(instance_from_frames(
            demand_gdf, sites_gdf, weight=weight, industries=industries, radius_km=radius_km,
            detour=detour, extra_candidates=extra_candidates, capacity_scale=capacity_scale,
            injuries=injuries,
        ))  # fmt: skip

    @classmethod
    def from_cost_matrix(
        cls,
        cost_matrix: Any,
        weights: Any,
        *,
        radius_km: float = DEFAULT_RADIUS_KM,
        fixed: Any = None,
        capacity: Any = None,
        capacity_scale: float | None = None,
        demand_names: Any = None,
        site_names: Any = None,
    ):
        """Build the problem from a demand × site distance matrix in metres (as spopt's
        ``from_cost_matrix``), e.g. road distances from a routing engine.

        ``fixed`` marks sites that are always open (not counted in ``p``); see
        :func:`gsyf_geo.siting.instance.instance_from_cost_matrix`.
        """
        return cls(instance_from_cost_matrix(
            cost_matrix, weights, radius_km=radius_km, fixed=fixed, capacity=capacity,
            capacity_scale=capacity_scale, demand_names=demand_names, site_names=site_names,
        ))  # fmt: skip

    # --- shared -------------------------------------------------------------------------
    @property
    def coverage(self) -> sparse.csr_matrix:
        """Full coverage matrix (demand × sites) at the effective radius (cached)."""
        if self._coverage is None and self.instance.cost is not None:
            self._coverage = coverage_from_costs(self.instance.cost, self.instance.radius_m)
        if self._coverage is None:
            inst = self.instance
            self._coverage = coverage_matrix(
                inst.demand[["x", "y"]].to_numpy(dtype=float),
                inst.sites[["x", "y"]].to_numpy(dtype=float),
                inst.radius_m,
            )
        return self._coverage

    def _check_p(self, p: Any) -> int:
        p = _need_int(p, "新增基地数 p ")
        n = self.instance.n_candidates
        if p < 1:
            raise SitingError(f"新增基地数 p 须至少为 1（当前为 {p}）；已建基地始终开放，不计入 p")
        if p > n:
            raise SitingError(
                f"新增基地数 p={p} 超过候选点数 {n}（{self.instance.scope_label}范围内的候选和规划基地"
                "及地图上新增的点）；请减小 p 或在地图上添加候选点"
            )
        return p

    def _unreached_districts(self, mask: np.ndarray) -> list[str]:
        """Names of the districts with demand in ``mask`` (heaviest first)."""
        d = self.instance.demand
        sub = d[mask & (d["weight"].to_numpy() > 0)]
        if sub.empty:
            return []
        totals = sub.groupby("district")["weight"].sum().sort_values(ascending=False)
        return [district_name(a) for a in totals.index]

    def _reach_notes(self) -> list[str]:
        """Plain remarks: districts (part of) whose demand no site reaches."""
        inst = self.instance
        reach = np.asarray(self.coverage.getnnz(axis=1)).ravel() > 0
        notes = list(inst.notes)
        d = inst.demand
        for adcode, group in d.groupby("district"):
            idx = group.index.to_numpy()
            out = idx[~reach[idx] & (d["weight"].to_numpy()[idx] > 0)]
            total = float(group["weight"].sum())
            share = float(d.loc[out, "weight"].sum()) / total if total > 0 else 0.0
            place = district_name(adcode) or inst.scope_label
            if total > 0 and share >= 1 - 1e-12:
                notes.append(
                    f"没有任何基地或候选点能覆盖{place}（半径 {inst.radius_km:g} 公里内）"
                )
            elif out.size:
                notes.append(
                    f"{place}有 {out.size:,} 家企业（{_pct(share)} 的需求）"
                    f"不在任何基地或候选点的 {inst.radius_km:g} 公里半径内"
                )
        return notes

    def _result(
        self,
        sol: MipSolution,
        chosen: np.ndarray,
        objective: float,
        build_seconds: float,
        model: MipModel,
        groups: int,
        extra_parameters: dict[str, Any],
        covered_frac: np.ndarray | None = None,
        load: np.ndarray | None = None,
        bound: float | None = None,
        gap: float | None = None,
        status: tuple[str, str, bool] | None = None,
        incumbent: float | None = None,
        bound_source: str = "HiGHS",
        aggregation_error: float | None = None,
        solve_seconds: float | None = None,
    ) -> SitingResult:
        inst = self.instance
        sites, demand, newly = evaluate(inst, self.coverage, chosen, covered_frac, load)
        params = {"problem": self.problem, **inst.parameters(), **extra_parameters}
        st, st_cn, optimal = status if status else (sol.status, sol.status_cn, sol.optimal)
        return SitingResult(
            problem=self.problem,
            parameters=params,
            status=st,
            status_cn=st_cn,
            optimal=optimal,
            objective=float(objective),
            bound=sol.bound if bound is None else bound,
            gap=sol.gap if gap is None else gap,
            solve_seconds=sol.seconds if solve_seconds is None else solve_seconds,
            build_seconds=build_seconds,
            sites=sites,
            demand=demand,
            newly_covered=newly,
            model_size={
                "points": len(inst.demand),
                "sites": len(inst.sites),
                "rows_after_merge": int(groups),
                "variables": model.num_col,
                "constraints": model.num_row,
                "nonzeros": model.num_nz,
            },
            weight_label=inst.weight_label,
            weight_unit=inst.weight_unit,
            scope_label=inst.scope_label,
            notes=self._reach_notes(),
            incumbent=incumbent,
            bound_source=bound_source,
            aggregation_error=aggregation_error,
        )


# --- covering models -------------------------------------------------------------------------


class _CoverModel:
    """The covering model over a reduction, for MCLP (fixed p) or LSCP (target demand)."""

    def __init__(self, inst: SitingInstance, red: CoverReduction) -> None:
        self.red = red
        cols = red.columns
        self.is_cand = ~inst.fixed[cols]
        self.cap = inst.capacity_weight[cols]
        self.capacitated = bool(np.isfinite(self.cap).any())
        self.ny = int(self.is_cand.sum())
        self.ymap = np.full(cols.size, -1, dtype=np.int64)
        self.ymap[self.is_cand] = np.arange(self.ny)
        self.cand_sites = cols[self.is_cand]  # site index of each y
        coo = red.matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        self.er = coo.row[order].astype(np.int64)  # entry -> group
        self.ec = coo.col[order].astype(np.int64)  # entry -> column position
        if self.capacitated and self.ny + self.er.size > MAX_MODEL_COLUMNS:
            raise SitingError(_too_big(self.ny + self.er.size))

    @property
    def n_cols(self) -> int:
        k = self.red.groups
        return self.ny + (self.er.size if self.capacitated else k)

    def coverage_block(self) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        """Rows tying coverage to chosen sites (and capacities), with their bounds."""
        k, ny = self.red.groups, self.ny
        if not self.capacitated:
            g = self.red.matrix.tocsr().astype(np.float64)
            block = sparse.hstack([-g, sparse.identity(k, format="csr")], format="csr")
            return block, np.full(k, -np.inf), np.zeros(k)
        ne = self.er.size
        x = ny + np.arange(ne)
        parts_r, parts_c, parts_v = [self.er], [x], [np.ones(ne)]  # (a) sum_j x_kj <= 1
        lo, hi = [np.full(k, -np.inf)], [np.ones(k)]
        row = k
        cand_e = np.flatnonzero(self.is_cand[self.ec])  # (b) x_kj <= y_j
        parts_r += [row + np.arange(cand_e.size)] * 2
        parts_c += [x[cand_e], self.ymap[self.ec[cand_e]]]
        parts_v += [np.ones(cand_e.size), -np.ones(cand_e.size)]
        lo.append(np.full(cand_e.size, -np.inf))
        hi.append(np.zeros(cand_e.size))
        row += cand_e.size
        capcols = np.flatnonzero(np.isfinite(self.cap))  # (c) capacity
        cap_row = np.full(self.cap.size, -1, dtype=np.int64)
        cap_row[capcols] = row + np.arange(capcols.size)
        on_cap = np.flatnonzero(cap_row[self.ec] >= 0)
        parts_r.append(cap_row[self.ec[on_cap]])
        parts_c.append(x[on_cap])
        parts_v.append(self.red.group_weight[self.er[on_cap]])
        cand_cap = capcols[self.is_cand[capcols]]
        parts_r.append(cap_row[cand_cap])
        parts_c.append(self.ymap[cand_cap])
        parts_v.append(-self.cap[cand_cap])
        lo.append(np.full(capcols.size, -np.inf))
        hi.append(np.where(self.is_cand[capcols], 0.0, self.cap[capcols]))
        row += capcols.size
        block = sparse.csr_matrix(
            (np.concatenate(parts_v), (np.concatenate(parts_r), np.concatenate(parts_c))),
            shape=(row, self.n_cols),
        )
        return block, np.concatenate(lo), np.concatenate(hi)

    def covered_weights(self) -> np.ndarray:
        """Objective coefficients: the demand each coverage variable stands for."""
        if self.capacitated:
            return np.concatenate([np.zeros(self.ny), self.red.group_weight[self.er]])
        return np.concatenate([np.zeros(self.ny), self.red.group_weight])

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = self.n_cols
        integer = np.zeros(n, dtype=bool)
        integer[: self.ny] = True
        return np.zeros(n), np.ones(n), integer

    def mclp(self, p: int, offset: float) -> MipModel:
        block, lo, hi = self.coverage_block()
        prow = sparse.csr_matrix((np.ones(self.ny), (np.zeros(self.ny, dtype=np.int64), np.arange(self.ny))),
                                 shape=(1, self.n_cols))  # fmt: skip
        clo, chi, integer = self.bounds()
        return MipModel(
            cost=self.covered_weights(), col_lower=clo, col_upper=chi, integer=integer,
            matrix=sparse.vstack([block, prow], format="csr"),
            row_lower=np.concatenate([lo, [p]]), row_upper=np.concatenate([hi, [p]]),
            maximize=True, offset=offset,
        )  # fmt: skip

    def lscp(self, target: float) -> MipModel:
        block, lo, hi = self.coverage_block()
        w = self.covered_weights()
        nz = np.flatnonzero(w)
        trow = sparse.csr_matrix(
            (w[nz], (np.zeros(nz.size, dtype=np.int64), nz)), shape=(1, self.n_cols)
        )
        cost = np.zeros(self.n_cols)
        cost[: self.ny] = 1.0
        clo, chi, integer = self.bounds()
        return MipModel(
            cost=cost, col_lower=clo, col_upper=chi, integer=integer,
            matrix=sparse.vstack([block, trow], format="csr"),
            row_lower=np.concatenate([lo, [target]]), row_upper=np.concatenate([hi, [np.inf]]),
            maximize=False,
        )  # fmt: skip

    def chosen_sites(self, x: np.ndarray, n_sites: int) -> np.ndarray:
        chosen = np.zeros(n_sites, dtype=bool)
        chosen[self.cand_sites[x[: self.ny] > 0.5]] = True
        return chosen

    def covered_fraction(
        self, x: np.ndarray, n_points: int
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Covered share per demand point and assigned load per column (capacitated only)."""
        if not self.capacitated:
            return None, None
        xv = np.clip(x[self.ny :], 0, 1)
        per_group = np.bincount(self.er, weights=xv, minlength=self.red.groups)
        frac = np.zeros(n_points)
        frac[self.red.covered_fixed] = 1.0
        frac[self.red.active] = np.clip(per_group[self.red.group_of], 0, 1)
        load_cols = np.bincount(
            self.ec, weights=xv * self.red.group_weight[self.er], minlength=self.red.columns.size
        )
        return frac, load_cols

    def greedy_start(self, chosen_y: np.ndarray, extra: int) -> tuple[np.ndarray, np.ndarray]:
        """A feasible start: the given y plus ``extra`` greedily added candidates (y only)."""
        y = chosen_y.astype(bool).copy()
        g = self.red.matrix.tocsr()
        if self.capacitated:
            g = g[:, np.flatnonzero(self.is_cand)]
        w = self.red.group_weight
        for _ in range(extra):
            covered = (
                np.asarray(g[:, np.flatnonzero(y)].getnnz(axis=1)).ravel() > 0
                if y.any()
                else np.zeros(g.shape[0], bool)
            )
            gain = g.T.astype(np.float64) @ np.where(covered, 0.0, w)
            gain[y] = -1
            y[int(np.argmax(gain))] = True
        return self.start_from(y)

    def start_from(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A starting solution from a choice of candidates: complete when uncapacitated
        (coverage follows from the sites), else the sites only (HiGHS completes it)."""
        y = np.asarray(y, dtype=bool)
        if self.capacitated:
            return np.arange(self.ny), y.astype(float)
        z = (self.red.matrix.tocsr().astype(np.float64) @ y.astype(float)) > 0
        return np.arange(self.n_cols), np.concatenate([y, z]).astype(float)


def _too_big(columns: int) -> str:
    return (
        f"模型过大（约 {columns:,} 个变量，上限 {MAX_MODEL_COLUMNS:,}）：容量约束需要为每个企业与基地的组合"
        "建立分配变量。请缩小范围、按行业筛选、减小半径，或不考虑座位容量"
    )


class MaximalCovering(_SitingProblem):
    """Maximal covering (MCLP): choose ``p`` new sites so that the most demand is in reach."""

    problem: ClassVar[str] = "mclp"

    def _reduction(self) -> CoverReduction:
        inst = self.instance
        return reduce_covering(
            self.coverage, inst.demand["weight"].to_numpy(dtype=float), inst.fixed, inst.capacitated
        )

    def _solve_p(
        self,
        red: CoverReduction,
        cm: _CoverModel,
        p: int,
        *,
        time_limit: float,
        mip_rel_gap: float,
        start: tuple[np.ndarray, np.ndarray] | None,
        build_started: float,
    ) -> SitingResult:
        inst = self.instance
        w = inst.demand["weight"].to_numpy(dtype=float)
        offset = float(w[red.covered_fixed].sum())
        if cm.ny == 0:
            raise SitingError("没有可供选择的候选点")
        model = cm.mclp(p, offset)
        build = time.perf_counter() - build_started
        sol = solve_mip(model, time_limit=time_limit, mip_rel_gap=mip_rel_gap, start=start)
        if sol.x is None:
            raise SitingError(_no_solution(sol, time_limit))
        chosen = cm.chosen_sites(sol.x, len(inst.sites))
        frac, load_cols = cm.covered_fraction(sol.x, len(inst.demand))
        load = None
        if load_cols is not None:
            load = np.full(len(inst.sites), np.nan)
            load[red.columns] = load_cols
        return self._result(
            sol, chosen, sol.objective, build, model, red.groups,
            {"p": p, "time_limit": time_limit, "mip_rel_gap": mip_rel_gap},
            covered_frac=frac, load=load,
        )  # fmt: skip

    def solve(
        self, p: int = 10, *, time_limit: float = DEFAULT_TIME_LIMIT_S, mip_rel_gap: float = 0.0
    ) -> SitingResult:
        """Choose ``p`` new sites (existing bases stay open) covering the most demand.

        Within ``time_limit`` seconds: greedy plus interchange first (the incumbent, never
        beaten by the answer returned), then a Lagrangian upper bound, then HiGHS started from
        the incumbent when the reduced model is small enough for it; the answer carries the
        best certified bound and gap (:attr:`SitingResult.gap_cn`).

        Returns
        -------
        SitingResult
            ``objective`` is the covered demand, existing bases' coverage included. When the
            existing bases already cover all demand, no new site is chosen and a note says so.

        Raises
        ------
        SitingError
            ``p`` below 1 or above the number of candidates, no candidate reaching any
            uncovered demand, or no feasible solution within the time limit.
        """
        started = time.perf_counter()
        _check_time(time_limit, mip_rel_gap)
        p = self._check_p(p)
        red = self._reduction()
        done = self._check_useful(red, started, p, time_limit, mip_rel_gap)
        if done is not None:
            return done
        cm = _CoverModel(self.instance, red)
        if cm.capacitated:
            return self._solve_p(red, cm, p, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                 start=cm.greedy_start(np.zeros(cm.ny, bool), p), build_started=started)  # fmt: skip
        return self._solve_uncapacitated(red, cm, p, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                         started=started)  # fmt: skip

    def _solve_uncapacitated(
        self,
        red: CoverReduction,
        cm: _CoverModel,
        p: int,
        *,
        time_limit: float,
        mip_rel_gap: float,
        started: float,
        start_y: np.ndarray | None = None,
    ) -> SitingResult:
        """Incumbent (greedy + interchange), LP bound and iterated interchange in turns, then
        HiGHS when it fits."""
        inst = self.instance
        if cm.ny == 0:
            raise SitingError("没有可供选择的候选点")
        deadline = started + time_limit
        w = inst.demand["weight"].to_numpy(dtype=float)
        offset = float(w[red.covered_fixed].sum())
        cs = CoverSearch(red.matrix, red.group_weight)
        y = cs.swap(cs.greedy(p, start=start_y), started + SEARCH_SHARE * time_limit)
        incumbent = cs.value(y)
        best = {"y": y, "value": incumbent}
        build = time.perf_counter() - started

        fits = red.matrix.nnz <= HIGHS_COVER_MAX_NNZ
        # The LP bound (PDHG, every iterate scored by the closed-form dual) alternating with an
        # iterated interchange that perturbs towards the candidates the LP values most; when
        # HiGHS can take the model, only a short share of the budget before handing over.
        share = COVER_BOUND_SHARE_HIGHS if fits else 1.0
        phase_end = time.perf_counter() + share * (deadline - time.perf_counter())
        bound, source = self._cover_bound(cs, p, best, phase_end, mip_rel_gap)
        highs_status, model = None, None
        if fits and _rel_gap(bound, best["value"]) > max(mip_rel_gap, GAP_PROVEN):
            model = cm.mclp(p, offset)
            left = deadline - time.perf_counter()
            if left > 0.05:
                ybool = np.zeros(cm.ny, dtype=bool)
                ybool[best["y"]] = True
                sol = solve_mip(model, time_limit=left, mip_rel_gap=mip_rel_gap,
                                start=cm.start_from(ybool))  # fmt: skip
                highs_status = sol
                if sol.x is not None and sol.objective is not None:
                    val = float(sol.objective) - offset
                    if val > best["value"] + 1e-9 * max(1.0, val):
                        chosen_y = np.flatnonzero(sol.x[: cm.ny] > 0.5)
                        best["y"], best["value"] = chosen_y, cs.value(chosen_y)
                if sol.bound is not None and float(sol.bound) - offset < bound:
                    bound, source = float(sol.bound) - offset, "HiGHS"
                if sol.optimal and mip_rel_gap == 0:
                    bound, source = min(bound, best["value"]), "HiGHS"
        if model is None:
            model = _covering_size(cm, p)
        value = best["value"] + offset
        ub = max(bound + offset, value)
        gap = _rel_gap(ub, value)
        if gap <= GAP_PROVEN:  # proven: floating-point noise is not a gap
            ub, gap = value, 0.0
        chosen = np.zeros(len(inst.sites), dtype=bool)
        chosen[cm.cand_sites[np.asarray(best["y"], dtype=np.int64)]] = True
        seconds = time.perf_counter() - started
        status = _status(gap, mip_rel_gap, time.perf_counter() >= deadline - 1e-3)
        sol = highs_status or MipSolution(status[0], status[2], None, value, ub, gap, seconds, 0)
        return self._result(
            sol, chosen, value, build, model, red.groups,
            {"p": p, "time_limit": time_limit, "mip_rel_gap": mip_rel_gap},
            bound=ub, gap=gap, status=status, incumbent=incumbent + offset, bound_source=source,
            solve_seconds=seconds - build,
        )  # fmt: skip

    @staticmethod
    def _cover_bound(
        cs: CoverSearch, p: int, best: dict[str, Any], phase_end: float, mip_rel_gap: float
    ) -> tuple[float, str]:
        """Bound and search in turns until ``phase_end``, a closed gap, or nothing moves (the
        LP bound converged and two search turns found nothing better).

        ``best`` (``y``, ``value``) is raised in place; the returned bound is ``UB(λ)`` of the
        best multipliers (:func:`gsyf_geo.siting.bounds.cover_dual_value`), valid however early
        it stops.
        """
        dual = CoverLpDual(cs, p)
        rng = np.random.default_rng(COVER_SEARCH_SEED)
        target = max(mip_rel_gap, GAP_PROVEN)
        pool_size = max(COVER_POOL_MIN, COVER_POOL_PER_SITE * p)
        idle = 0  # consecutive search turns without a better choice
        turn = 0
        while True:
            now = time.perf_counter()
            if now >= phase_end or _rel_gap(dual.best, best["value"]) <= target:
                break
            if dual.converged and idle >= 2:
                break
            turn += 1
            # Slices grow: the first ones are short so that small instances finish quickly.
            slice_end = min(phase_end, now + max(0.2, min(COVER_SLICE_S, 0.1 * turn * (phase_end - now))))
            if not dual.converged:
                dual.run(slice_end, incumbent=best["value"], target_gap=target)
                if _rel_gap(dual.best, best["value"]) <= target:
                    break
            found = cs.swap(dual.rounding(), phase_end)
            found_value = cs.value(found)
            if found_value > best["value"]:
                best["y"], best["value"] = found, found_value
            search_end = min(phase_end, time.perf_counter() + max(0.2, slice_end - now))
            if dual.converged:
                search_end = phase_end
            y, value = cs.iterated(best["y"], search_end, rng=rng, pool=dual.pool(pool_size),
                                   patience=COVER_SEARCH_PATIENCE)  # fmt: skip
            if value > best["value"]:
                best["y"], best["value"], idle = y, value, 0
            else:
                idle += 1
        return dual.best, BOUND_SOURCE_LAGRANGE

    def _check_useful(
        self, red: CoverReduction, started: float, p: int, time_limit: float, mip_rel_gap: float
    ) -> SitingResult | None:
        """The answer when nothing is left to cover (existing bases cover all); raise when
        demand is left but no candidate reaches it; else None."""
        if red.groups == 0 and not self.instance.capacitated.any():
            inst = self.instance
            w = inst.demand["weight"].to_numpy(dtype=float)
            fixed_all = bool(red.covered_fixed[w > 0].all())
            if fixed_all:
                value = float(w[red.covered_fixed].sum())
                sol = MipSolution("Optimal", True, None, value, value, 0.0, 0.0, 0)
                res = self._result(
                    sol, np.zeros(len(inst.sites), dtype=bool), value, time.perf_counter() - started,
                    _empty_model(), 0, {"p": p, "time_limit": time_limit, "mip_rel_gap": mip_rel_gap},
                    bound=value, gap=0.0, incumbent=value, bound_source="已建基地全覆盖",
                )  # fmt: skip
                res.notes.insert(0, (
                    f"已建基地已覆盖{inst.scope_label}范围内的全部需求（半径 {inst.radius_km:g} 公里），"
                    "无需新增站点；下表为已建基地的覆盖情况"
                ))  # fmt: skip
                return res
            names = "、".join(self._unreached_districts(~red.covered_fixed)) or inst.scope_label
            raise SitingError(
                f"没有候选点能覆盖{names}尚未覆盖的需求（半径 {inst.radius_km:g} 公里"
                + (f"，绕行系数 {inst.detour:g}" if inst.detour != 1 else "")
                + "）；请增大半径或在地图上添加候选点"
            )
        return None

    def marginal_gains(
        self,
        p_max: int = SERIES_P_MAX,
        *,
        time_limit: float = DEFAULT_TIME_LIMIT_S,
        mip_rel_gap: float = 0.0,
    ) -> pd.DataFrame:
        """Solve p = 1 … ``p_max`` (each to optimality, warm-started from the last) .

        Returns
        -------
        pandas.DataFrame
            One row per p (p = 0: existing bases only) with ``covered``, ``share``,
            ``gain`` (over p − 1), ``gap``, ``optimal``, ``seconds`` and ``sites`` (names
            of the chosen sites; optimal sets need not be nested).
        """
        inst = self.instance
        p_max = min(_need_int(p_max, "p 的上限"), inst.n_candidates)
        red = self._reduction()
        cm = _CoverModel(inst, red)
        total = float(inst.demand["weight"].sum())
        base = evaluate(inst, self.coverage, np.zeros(len(inst.sites), bool))[1]
        base_cov = float((base["weight"] * base["covered"]).sum())
        rows = [{"p": 0, "covered": base_cov, "share": base_cov / total, "gain": 0.0,
                 "gap": 0.0, "optimal": True, "seconds": 0.0, "sites": ""}]  # fmt: skip
        prev_y = np.zeros(cm.ny, dtype=bool)
        prev = base_cov
        if red.groups == 0 and not cm.capacitated:
            p_max = 0  # nothing left to cover (or nothing reachable): no new site adds anything
        for p in range(1, p_max + 1):
            if cm.capacitated:
                res = self._solve_p(red, cm, p, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                    start=cm.greedy_start(prev_y, 1), build_started=time.perf_counter())  # fmt: skip
            else:
                res = self._solve_uncapacitated(
                    red, cm, p, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                    started=time.perf_counter(), start_y=np.flatnonzero(prev_y),
                )  # fmt: skip
            prev_y = res.sites["chosen"].to_numpy()[cm.cand_sites]
            rows.append({
                "p": p, "covered": res.objective, "share": res.objective / total,
                "gain": res.objective - prev, "gap": res.gap, "optimal": res.optimal,
                "seconds": res.solve_seconds, "sites": "、".join(res.chosen["name"]),
            })  # fmt: skip
            prev = res.objective
        return pd.DataFrame(rows)


def _rel_gap(a: float, b: float) -> float:
    """|a − b| / max(|a|, |b|) (0 when both are 0)."""
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale > 0 else 0.0


def _check_time(time_limit: Any, mip_rel_gap: Any) -> None:
    try:
        ok = time_limit is not None and float(time_limit) > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise SitingError("求解时间限制须大于 0 秒")
    if mip_rel_gap is None or float(mip_rel_gap) < 0:
        raise SitingError("允许的最优间隙不能为负数")


def _status(gap: float, mip_rel_gap: float, timed_out: bool) -> tuple[str, str, bool]:
    """(status, Chinese, optimal) of an answer with a certified ``gap``."""
    if gap <= GAP_PROVEN:
        return "Optimal", "已证明最优", True
    if gap <= mip_rel_gap:
        return "Optimal", f"已达到允许的最优间隙（{mip_rel_gap:.2%}）", True
    if timed_out:
        return "Time limit reached", "达到时间限制（未证明最优，见最优间隙）", False
    return "Bound not closed", "未证明最优（见最优间隙）", False


def _empty_model() -> MipModel:
    return MipModel(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, bool),
                    sparse.csr_matrix((0, 0)), np.zeros(0), np.zeros(0))  # fmt: skip


def _covering_size(cm: _CoverModel, p: int) -> MipModel:
    """A stand-in with the size the covering model would have (for ``model_size``)."""
    k = cm.red.groups
    n = cm.ny + k
    return MipModel(np.zeros(n), np.zeros(n), np.ones(n), np.zeros(n, bool), sparse.csr_matrix((k + 1, n)),
                    np.zeros(k + 1), np.zeros(k + 1), nnz=int(cm.red.matrix.nnz + k + cm.ny))  # fmt: skip


def _no_solution(sol: MipSolution, time_limit: float) -> str:
    if sol.status in ("Infeasible", "Primal infeasible or unbounded"):
        return "问题无可行解：在给定的座位容量和需求下无法满足约束"
    return f"求解器在 {time_limit:g} 秒内未找到可行方案（状态：{sol.status_cn}），请放宽时间限制或缩小问题规模"


class SetCovering(_SitingProblem):
    """Set covering (LSCP): the fewest new sites that bring coverage to a given share.

    Among the fewest, the set covering the most demand is returned.
    """

    problem: ClassVar[str] = "lscp"

    def solve(
        self,
        share: float = 1.0,
        *,
        time_limit: float = DEFAULT_TIME_LIMIT_S,
        mip_rel_gap: float = 0.0,
        p: int | None = None,
    ) -> SitingResult:
        """Fewest new sites so that at least ``share`` of all demand is covered.

        Parameters
        ----------
        share
            Required covered share of the total demand, in (0, 1]; existing bases count.
        time_limit, mip_rel_gap
            As for HiGHS.
        p
            Ignored (the problem finds the number of sites); accepted for a uniform call.

        Raises
        ------
        SitingError
            ``share`` outside (0, 1], or a share that even all candidates cannot reach
            (naming the districts no site reaches).
        """
        started = time.perf_counter()
        try:
            share = float(share)
        except (TypeError, ValueError):
            raise SitingError(f"覆盖比例须为 0 到 1 之间的数（当前为 {share}）") from None
        if not 0 < share <= 1:
            raise SitingError(f"覆盖比例须大于 0 且不超过 1（当前为 {share:g}）")
        inst = self.instance
        w = inst.demand["weight"].to_numpy(dtype=float)
        total = float(w.sum())
        red = reduce_covering(self.coverage, w, inst.fixed, inst.capacitated)
        covered_fixed = float(w[red.covered_fixed].sum())
        target_total = share * total * (1 - 1e-12)
        need = target_total - covered_fixed
        cm = _CoverModel(inst, red)
        params = {"share": share, "time_limit": time_limit, "mip_rel_gap": mip_rel_gap}
        reachable_max = total - float(w[red.unreachable].sum())
        if reachable_max < target_total:
            names = "、".join(self._unreached_districts(red.unreachable))
            raise SitingError(
                f"即使启用全部候选点，也只能覆盖 {reachable_max / total:.1%} 的需求，达不到目标 {share:.0%}："
                f"{names}有需求不在任何基地或候选点的 {inst.radius_km:g} 公里半径内；"
                "请增大半径、降低目标比例或在这些区域添加候选点"
            )
        if need <= 0 and not cm.capacitated:
            sol = MipSolution("Optimal", True, np.zeros(0), 0.0, 0.0, 0.0, 0.0, 0)
            model = MipModel(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, bool),
                             sparse.csr_matrix((0, 0)), np.zeros(0), np.zeros(0))  # fmt: skip
            res = self._result(sol, np.zeros(len(inst.sites), bool), 0.0,
                               time.perf_counter() - started, model, red.groups, params)  # fmt: skip
            res.notes.insert(
                0,
                f"已建基地已覆盖 {covered_fixed / total:.1%} 的需求，达到目标 {share:.0%}，无需新增基地",
            )
            return res
        if cm.ny == 0:
            raise SitingError("没有可供选择的候选点")
        if cm.capacitated:
            # What all candidates together can cover within their capacities.
            full = solve_mip(cm.mclp(cm.ny, 0.0), time_limit=time_limit)
            best = (full.objective or 0.0) + covered_fixed
            if best < target_total:
                raise SitingError(
                    f"考虑座位容量后，即使启用全部候选点也只能覆盖 {best / total:.1%} 的需求，达不到目标 {share:.0%}；"
                    "请提高每个座位可服务的需求量、降低目标比例或添加候选点"
                )
        model1 = cm.lscp(max(need, 0.0))
        if not cm.capacitated:
            return self._solve_uncapacitated(red, cm, model1, need, covered_fixed, params,
                                             time_limit=time_limit, mip_rel_gap=mip_rel_gap, started=started)  # fmt: skip
        sol1 = solve_mip(model1, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
        if sol1.x is None:
            raise SitingError(_no_solution(sol1, time_limit))
        y1 = sol1.x[: cm.ny] > 0.5
        count = int(y1.sum())
        if count == 0:
            sol = sol1
            chosen = np.zeros(len(inst.sites), bool)
            frac, load_cols = cm.covered_fraction(sol1.x, len(inst.demand))
            res = self._result(sol, chosen, 0.0, time.perf_counter() - started, model1, red.groups,
                               {**params, "p": 0}, covered_frac=frac)  # fmt: skip
            return res
        # Phase 2: with that many sites, cover the most (warm start: phase 1's choice).
        model2 = cm.mclp(count, covered_fixed)
        build = time.perf_counter() - started
        sol2 = solve_mip(model2, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                         start=cm.start_from(y1))  # fmt: skip
        use = sol2 if sol2.x is not None else sol1
        chosen = cm.chosen_sites(use.x, len(inst.sites))
        frac, load_cols = cm.covered_fraction(use.x, len(inst.demand))
        load = None
        if load_cols is not None:
            load = np.full(len(inst.sites), np.nan)
            load[red.columns] = load_cols
        sol1.seconds += sol2.seconds
        return self._result(
            sol1, chosen, float(count), build, model1, red.groups,
            {**params, "p": count, "phase2_status": sol2.status, "phase2_gap": sol2.gap},
            covered_frac=frac, load=load,
            status=(sol1.status, sol1.status_cn, sol1.optimal and sol2.optimal),
        )  # fmt: skip


    def _solve_uncapacitated(
        self, red: CoverReduction, cm: _CoverModel, model1: MipModel, need: float, covered_fixed: float,
        params: dict[str, Any], *, time_limit: float, mip_rel_gap: float, started: float,
    ) -> SitingResult:  # fmt: skip
        """Greedy cover first (a feasible count, HiGHS's start), the fewest sites by HiGHS, then
        the most coverage with that many (incumbent, bound and HiGHS as in maximal covering)."""
        deadline = started + time_limit
        cs = CoverSearch(red.matrix, red.group_weight)
        y = np.zeros(0, dtype=np.int64)
        while cs.value(y) < need and y.size < cs.n_cand:
            y = cs.greedy(y.size + 1, start=y)
        greedy_count = int(y.size)
        ybool = np.zeros(cm.ny, dtype=bool)
        ybool[y] = True
        sol1 = solve_mip(model1, time_limit=max(deadline - time.perf_counter(), 0.05),
                         mip_rel_gap=mip_rel_gap, start=cm.start_from(ybool))  # fmt: skip
        if sol1.x is not None and int((sol1.x[: cm.ny] > 0.5).sum()) <= greedy_count:
            y = np.flatnonzero(sol1.x[: cm.ny] > 0.5)
        count = int(y.size)
        lower = float(np.ceil(sol1.bound - 1e-6)) if sol1.bound is not None else None
        mc = MaximalCovering(self.instance)
        mc._coverage = self._coverage
        left = max(deadline - time.perf_counter(), 0.5)
        res2 = mc._solve_uncapacitated(red, cm, count, time_limit=left, mip_rel_gap=mip_rel_gap,
                                       started=time.perf_counter(), start_y=y)  # fmt: skip
        chosen = res2.sites["chosen"].to_numpy()
        proven = sol1.optimal and mip_rel_gap == 0
        gap = 0.0 if proven else (_rel_gap(count, lower) if lower is not None else None)
        status = (sol1.status, sol1.status_cn, bool(sol1.optimal))
        sol1.seconds = time.perf_counter() - started
        return self._result(
            sol1, chosen, float(count), 0.0, model1, red.groups,
            {**params, "p": count, "greedy_count": greedy_count, "phase2_status": res2.status,
             "phase2_gap": res2.gap},
            bound=float(count) if proven else lower, gap=gap, status=status,
            incumbent=float(greedy_count),
        )  # fmt: skip


class PMedian(_SitingProblem):
    """p-median: choose ``p`` new sites minimising the demand-weighted distance to the nearest
    open site (existing bases included). Reach (radius) only affects the coverage reported."""

    problem: ClassVar[str] = "pmedian"

    def _model(self, red: MedianReduction, p: int) -> tuple[MipModel, np.ndarray, np.ndarray]:
        inst = self.instance
        fixed = inst.fixed
        n_sites = len(inst.sites)
        cand_sites = np.flatnonzero(~fixed)
        ny = cand_sites.size
        ymap = np.full(n_sites, -1, dtype=np.int64)
        ymap[cand_sites] = np.arange(ny)
        ne = red.entry_site.size
        if ny + ne > MAX_MODEL_COLUMNS:
            raise SitingError(_too_big(ny + ne))
        if inst.capacitated.any() and ne > MAX_CAPACITATED_MEDIAN_ASSIGNMENTS:
            raise SitingError(
                f"考虑座位容量的 p-中值模型过大（{ne:,} 个分配变量，上限 {MAX_CAPACITATED_MEDIAN_ASSIGNMENTS:,}）："
                "容量约束下每家企业都可能被分配到任一基地，无法预先排除远处的基地。"
                "请缩小范围（选择一个区县）或按行业筛选，或改用考虑容量的最大覆盖/集合覆盖"
            )
        k = red.groups
        eg = np.repeat(np.arange(k), np.diff(red.entry_start))
        x = ny + np.arange(ne)
        r, c, v, lo, hi = [eg], [x], [np.ones(ne)], [np.ones(k)], [np.ones(k)]  # assignment
        row = k
        cand_e = np.flatnonzero(ymap[red.entry_site] >= 0)  # x <= y
        r += [row + np.arange(cand_e.size)] * 2
        c += [x[cand_e], ymap[red.entry_site[cand_e]]]
        v += [np.ones(cand_e.size), -np.ones(cand_e.size)]
        lo.append(np.full(cand_e.size, -np.inf))
        hi.append(np.zeros(cand_e.size))
        row += cand_e.size
        cap = inst.capacity_weight
        capsites = np.flatnonzero(np.isfinite(cap))
        if capsites.size:
            cap_row = np.full(n_sites, -1, dtype=np.int64)
            cap_row[capsites] = row + np.arange(capsites.size)
            on = np.flatnonzero(cap_row[red.entry_site] >= 0)
            r.append(cap_row[red.entry_site[on]])
            c.append(x[on])
            v.append(red.group_weight[eg[on]])
            cc = capsites[~fixed[capsites]]
            r.append(cap_row[cc])
            c.append(ymap[cc])
            v.append(-cap[cc])
            lo.append(np.full(capsites.size, -np.inf))
            hi.append(np.where(fixed[capsites], cap[capsites], 0.0))
            row += capsites.size
        r.append(np.full(ny, row, dtype=np.int64))  # sum y = p
        c.append(np.arange(ny))
        v.append(np.ones(ny))
        lo.append(np.array([p]))
        hi.append(np.array([p]))
        row += 1
        n = ny + ne
        matrix = sparse.csr_matrix(
            (np.concatenate(v), (np.concatenate(r), np.concatenate(c))), shape=(row, n)
        )
        integer = np.zeros(n, dtype=bool)
        integer[:ny] = True
        cost = np.concatenate([np.zeros(ny), red.entry_cost / 1000.0])  # demand × km
        model = MipModel(cost, np.zeros(n), np.ones(n), integer, matrix,
                         np.concatenate(lo), np.concatenate(hi), maximize=False)  # fmt: skip
        return model, cand_sites, eg

    def _reduction(self) -> MedianReduction:
        inst = self.instance
        return reduce_median(
            inst.demand[["x", "y"]].to_numpy(dtype=float), inst.demand["weight"].to_numpy(dtype=float),
            inst.sites[["x", "y"]].to_numpy(dtype=float), inst.fixed, inst.capacitated, cost=inst.cost,
        )  # fmt: skip

    def _solve_p(self, red: MedianReduction, p: int, *, time_limit: float, mip_rel_gap: float,
                 start_y: np.ndarray | None, started: float) -> SitingResult:  # fmt: skip
        inst = self.instance
        model, cand_sites, eg = self._model(red, p)
        build = time.perf_counter() - started
        start = None
        if start_y is not None:
            start = (np.arange(cand_sites.size), start_y.astype(float))
        sol = solve_mip(model, time_limit=time_limit, mip_rel_gap=mip_rel_gap, start=start)
        if sol.x is None:
            if inst.capacitated.any():
                total_cap = float(
                    np.nansum(
                        np.where(np.isfinite(inst.capacity_weight), inst.capacity_weight, np.nan)
                    )
                )
                raise SitingError(
                    f"考虑座位容量后无法为全部需求分配基地：需求合计 {inst.demand['weight'].sum():,.0f}，"
                    f"全部基地可服务合计 {total_cap:,.0f}；请提高每个座位可服务的需求量或增加 p"
                    if sol.status != "Time limit reached"
                    else _no_solution(sol, time_limit)
                )
            raise SitingError(_no_solution(sol, time_limit))
        chosen = np.zeros(len(inst.sites), dtype=bool)
        chosen[cand_sites[sol.x[: cand_sites.size] > 0.5]] = True
        load = None
        if inst.capacitated.any():
            xv = sol.x[cand_sites.size :]
            load = np.bincount(
                red.entry_site, weights=xv * red.group_weight[eg], minlength=len(inst.sites)
            )
        return self._result(sol, chosen, sol.objective, build, model, red.groups,
                            {"p": p, "time_limit": time_limit, "mip_rel_gap": mip_rel_gap}, load=load)  # fmt: skip

    def solve(
        self, p: int = 10, *, time_limit: float = DEFAULT_TIME_LIMIT_S, mip_rel_gap: float = 0.0
    ) -> SitingResult:
        """Choose ``p`` new sites minimising Σ weight × distance (km) to the nearest open site.

        Without capacities, within ``time_limit`` seconds: greedy plus interchange on each
        point's nearest sites (the incumbent), HiGHS on the exact model when it is small, and a
        Lagrangian lower bound proven for the full problem (the K-nearest restriction is
        widened when it may cost bound). Above :data:`MEDIAN_MAX_POINTS` points demand is
        merged on a grid and the merge's largest possible error is taken off the bound.

        Returns
        -------
        SitingResult
            ``objective`` in demand × km (always evaluated exactly on every point);
            ``mean_distance_km`` is it over total demand.

        Raises
        ------
        SitingError
            Bad ``p``, capacities that cannot seat all demand, or a problem too large for
            memory (said before anything is built, with what helps).
        """
        started = time.perf_counter()
        _check_time(time_limit, mip_rel_gap)
        p = self._check_p(p)
        self._check_capacity(p)
        if self.instance.capacitated.any():
            return self._solve_p(self._reduction(), p, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                 start_y=None, started=started)  # fmt: skip
        return self._solve_uncapacitated(p, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                         started=started)  # fmt: skip

    def _first_k(self, n_points: int, p: int) -> int:
        """How many nearest sites each point keeps at first; refuse when even the fewest
        useful do not fit in memory (before anything is built)."""
        inst = self.instance
        m = len(inst.sites)
        n_open = p + int(inst.fixed.sum())
        k = min(m, max(MEDIAN_MIN_K, 3 * m // max(n_open, 1) + 1))
        fit = int(MEDIAN_MEMORY_BYTES // max(1, n_points * MEDIAN_BYTES_PER_PAIR))
        if fit < min(m, MEDIAN_MIN_K):
            need = n_points * min(m, MEDIAN_MIN_K) * MEDIAN_BYTES_PER_PAIR
            raise SitingError(
                f"p-中值问题过大：{n_points:,} 个需求点、{m:,} 个站点，每个需求点至少要保留最近的 "
                f"{min(m, MEDIAN_MIN_K)} 个站点，预计需要约 {need / 1e9:.1f} GB 内存（上限 "
                f"{MEDIAN_MEMORY_BYTES / 1e9:.1f} GB），未开始计算。可以：合并相近的需求点（如按 1 公里网格汇总）、"
                "减少需求点（按行业筛选）、减少候选点，或缩小范围（选择一个区县）"
            )
        return min(k, fit)

    def _solve_uncapacitated(
        self, p: int, *, time_limit: float, mip_rel_gap: float, started: float
    ) -> SitingResult:
        inst = self.instance
        deadline = started + time_limit
        w_all = inst.demand["weight"].to_numpy(dtype=float)
        active = np.flatnonzero(w_all > 0)
        m = len(inst.sites)
        fixed_idx = np.flatnonzero(inst.fixed)
        cand_idx = np.flatnonzero(~inst.fixed)
        cost = inst.cost
        sxy = None if cost is not None else inst.sites[["x", "y"]].to_numpy(dtype=float)
        dxy = None if cost is not None else inst.demand[["x", "y"]].to_numpy(dtype=float)
        agg_error = 0.0  # weight × metres
        notes: list[str] = []
        if cost is None and active.size > MEDIAN_MAX_POINTS:
            _, pts, pw, agg_error = aggregate_points(dxy[active], w_all[active], MEDIAN_MAX_POINTS)
            notes.append(
                f"需求点较多（{active.size:,} 个），计算下限时按网格合并为 {pw.size:,} 个加权中心点；"
                f"合并对加权距离的影响不超过 {agg_error / 1000:,.0f} {inst.weight_unit}·公里，已从理论下限中扣除。"
                "所选方案的加权距离按全部企业逐一计算"
            )
        else:
            pts = None if dxy is None else dxy[active]
            pw = w_all[active]
        sub_cost = None if cost is None else cost[active]
        k = self._first_k(pw.size, p)

        def exact(open_: np.ndarray):
            dist, idx = nearest_open(pts, sxy, open_, sub_cost, k=2)
            return dist[:, 0], idx[:, 0], dist[:, 1], idx[:, 1]

        def full_cost(chosen_sites: np.ndarray) -> float:
            open_ = np.concatenate([fixed_idx, chosen_sites]).astype(np.int64)
            d = nearest_open(None if dxy is None else dxy[active], sxy, open_,
                             None if cost is None else cost[active])[0]  # fmt: skip
            return float((w_all[active] * d).sum())

        near = NearestSites(*nearest_sites(pts, sxy, k, sub_cost), weight=pw)
        search = MedianSearch(near, exact, cand_idx, fixed_idx, m)
        y = search.swap(search.greedy(p), started + SEARCH_SHARE * time_limit)  # leave time for the bound
        incumbent = full_cost(y)
        best = {"y": y, "cost": incumbent, "search": search.cost(y)}
        build = time.perf_counter() - started

        swaps = {"left": MAX_BOUND_SWAPS}

        def consider(chosen_sites: np.ndarray, search_cost: float | None = None) -> float:
            """A relaxation's choice: kept if better, polished by interchange when close."""
            c = search.cost(chosen_sites) if search_cost is None else search_cost
            if c < best["search"] * (1 + 0.005) and swaps["left"] > 0 and time.perf_counter() < deadline:
                swaps["left"] -= 1
                chosen_sites = search.swap(chosen_sites, deadline)
                c = search.cost(chosen_sites)
            if c < best["search"]:
                true = full_cost(chosen_sites)
                if true < best["cost"]:
                    best["y"], best["cost"], best["search"] = np.asarray(chosen_sites).copy(), true, c
            return best["search"]

        bound, source, proven, highs_sol, model = -np.inf, BOUND_SOURCE_LAGRANGE, False, None, None
        groups = pw.size
        if agg_error == 0 and active.size * m <= MEDIAN_EXACT_PAIRS:
            red = self._reduction()
            model, cand_sites, _ = self._model(red, p)
            groups = red.groups
            left = deadline - time.perf_counter()
            if left > 0.05:
                start_y = np.isin(cand_sites, best["y"]).astype(float)
                sol = solve_mip(model, time_limit=left, mip_rel_gap=mip_rel_gap,
                                start=(np.arange(cand_sites.size), start_y))  # fmt: skip
                highs_sol = sol
                if sol.x is not None:
                    ys = cand_sites[sol.x[: cand_sites.size] > 0.5]
                    true = full_cost(ys)
                    if true < best["cost"]:
                        best["y"], best["cost"] = ys, true
                if sol.bound is not None:
                    bound, source = float(sol.bound) * 1000.0, "HiGHS"
                if sol.optimal and mip_rel_gap == 0:
                    proven, source = True, "HiGHS"
                    bound = max(bound, min(best["cost"], float(sol.objective or 0) * 1000.0))
        lam = pw * exact(np.concatenate([fixed_idx, best["y"]]).astype(np.int64))[0]
        first = True
        while not proven and (first or time.perf_counter() < deadline):
            first = False  # the bound is computed at least once, however late
            b = median_lower_bound(near, cand_idx, fixed_idx, p, best["search"], deadline=deadline,
                                   target_gap=mip_rel_gap, start=lam, on_open=consider)  # fmt: skip
            if b.value - agg_error > bound:
                bound, source = b.value - agg_error, BOUND_SOURCE_LAGRANGE
            lam = b.multipliers
            if _rel_gap(best["cost"], max(bound, 0.0)) <= max(mip_rel_gap, GAP_PROVEN):
                break
            if b.capped_pressure <= 1e-6 or near.k >= m:
                break
            if deadline - time.perf_counter() < 0.3 * time_limit:
                break  # too little time left to rebuild a wider structure and use it
            wider = min(m, 2 * near.k)
            if pw.size * wider * MEDIAN_BYTES_PER_PAIR > MEDIAN_MEMORY_BYTES:
                break
            near = NearestSites(*nearest_sites(pts, sxy, wider, sub_cost), weight=pw)
            search.near = near
            notes.append(f"为证明下限，每个需求点保留的最近站点数已扩大到 {wider} 个")
        chosen = np.zeros(m, dtype=bool)
        chosen[np.asarray(best["y"], dtype=np.int64)] = True
        value = best["cost"] / 1000.0
        lb = min(max(bound, 0.0) / 1000.0, value)
        gap = 0.0 if proven else _rel_gap(value, lb)
        if gap <= GAP_PROVEN:
            lb, gap = value, 0.0
        seconds = time.perf_counter() - started
        status = _status(gap, mip_rel_gap, time.perf_counter() >= deadline - 1e-3)
        if model is None:
            pairs = pw.size * near.k
            model = MipModel(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, bool), sparse.csr_matrix((0, 0)),
                             np.zeros(0), np.zeros(0), nnz=int(pairs))  # fmt: skip
        sol = highs_sol or MipSolution(status[0], status[2], None, value, lb, gap, seconds, 0)
        res = self._result(
            sol, chosen, value, build, model, groups,
            {"p": p, "time_limit": time_limit, "mip_rel_gap": mip_rel_gap, "nearest_sites": int(near.k)},
            bound=lb, gap=gap, status=status, incumbent=incumbent / 1000.0, bound_source=source,
            aggregation_error=agg_error / 1000.0 if agg_error else None, solve_seconds=seconds - build,
        )  # fmt: skip
        res.notes[:0] = notes
        return res

    def _check_capacity(self, p: int) -> None:
        """Refuse at once when even the largest ``p`` candidates cannot seat all demand."""
        inst = self.instance
        if not inst.capacitated.any():
            return
        cap = inst.capacity_weight
        fixed = inst.fixed
        if np.isinf(cap[fixed]).any() or np.isinf(cap[~fixed]).any():
            return  # an uncapacitated site can take any overflow
        best = float(cap[fixed].sum() + np.sort(cap[~fixed])[::-1][:p].sum())
        total = float(inst.demand["weight"].sum())
        if best < total * (1 - 1e-9):
            raise SitingError(
                f"考虑座位容量后无法为全部需求分配基地：需求合计 {total:,.0f}，已建基地与容量最大的 {p} 个候选点"
                f"合计只能服务 {best:,.0f}；请提高每个座位可服务的需求量或增加 p"
            )

    def marginal_gains(
        self,
        p_max: int = SERIES_P_MAX,
        *,
        time_limit: float = DEFAULT_TIME_LIMIT_S,
        mip_rel_gap: float = 0.0,
    ) -> pd.DataFrame:
        """Solve p = 1 … ``p_max``: weighted distance and its reduction per added base."""
        inst = self.instance
        p_max = min(_need_int(p_max, "p 的上限"), inst.n_candidates)
        red = self._reduction() if inst.capacitated.any() else None
        total = float(inst.demand["weight"].sum())
        rows = []
        prev = None
        if inst.fixed.any():
            base = evaluate(inst, self.coverage, np.zeros(len(inst.sites), bool))[1]
            prev = float((base["weight"] * base["distance_km"]).sum())
            rows.append({"p": 0, "objective": prev, "mean_distance_km": prev / total, "gain": 0.0,
                         "gap": 0.0, "optimal": True, "seconds": 0.0, "sites": ""})  # fmt: skip
        start_y = None
        for p in range(1, p_max + 1):
            if inst.capacitated.any():
                res = self._solve_p(red, p, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                    start_y=start_y, started=time.perf_counter())  # fmt: skip
            else:
                res = self._solve_uncapacitated(p, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                                started=time.perf_counter())  # fmt: skip
            # Next start: this optimum plus one more candidate (feasible for p + 1).
            start_y = res.sites["chosen"].to_numpy()[~inst.fixed].copy()
            spare = np.flatnonzero(~start_y)
            if spare.size:
                start_y[spare[0]] = True
            rows.append({
                "p": p, "objective": res.objective, "mean_distance_km": res.objective / total,
                "gain": (prev - res.objective) if prev is not None else np.nan,
                "gap": res.gap, "optimal": res.optimal, "seconds": res.solve_seconds,
                "sites": "、".join(res.chosen["name"]),
            })  # fmt: skip
            prev = res.objective
        return pd.DataFrame(rows)


PROBLEMS: dict[str, type[_SitingProblem]] = {
    "mclp": MaximalCovering,
    "lscp": SetCovering,
    "pmedian": PMedian,
}
