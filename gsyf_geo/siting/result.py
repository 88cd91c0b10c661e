"""The answer of a siting problem: chosen sites, coverage, objective and HiGHS's own verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from gsyf_geo.domain import DISTRICTS, KEY_INDUSTRIES, KEY_INDUSTRY_BY_ID
from gsyf_geo.siting.instance import ROLE_NAMES, SitingInstance, district_name

PROBLEM_NAMES: dict[str, str] = {
    "mclp": "最大覆盖（选 p 个新基地，覆盖需求最多）",
    "lscp": "集合覆盖（覆盖给定比例所需的最少新基地）",
    "pmedian": "p-中值（选 p 个新基地，加权距离最短）",
}
PROBLEM_SHORT_NAMES: dict[str, str] = {"mclp": "最大覆盖", "lscp": "集合覆盖", "pmedian": "p-中值"}
GAP_PROVEN = 1e-9
"""A certified gap at or below this counts as proven optimal."""


def _pct_up(share: float) -> str:
    """A share as a percentage rounded up to 0.01% (so "不超过" stays true)."""
    up = np.ceil(max(float(share), 0.0) * 10000 - 1e-9) / 100
    return f"{up:.2f}%"

# Chinese headers of the tables below, for pages and reports.
TABLE_HEADERS: dict[str, str] = {
    "name": "名称",
    "enterprises": "企业数",
    "demand": "需求量",
    "covered": "已覆盖需求",
    "share": "覆盖率",
    "uncovered": "未覆盖需求",
    "unreachable": "无基地可达需求",
    "newly_covered": "新选址新增覆盖",
}


@dataclass
class SitingResult:
    """What a solve found.

    Attributes
    ----------
    problem
        ``"mclp"``, ``"lscp"`` or ``"pmedian"``.
    parameters
        Everything needed to re-run it (JSON-able).
    status, status_cn
        HiGHS's model status (``"Optimal"``, ``"Time limit reached"``...) and its Chinese.
    optimal
        HiGHS proved the optimum (within the requested gap).
    objective
        The problem's objective: covered demand (mclp), number of new sites (lscp) or
        weighted distance in demand × km (pmedian).
    bound, gap
        The certified bound (MCLP: upper; p-median, set covering: lower) and the gap
        |objective − bound| / max(|objective|, |bound|); 0 when proven optimal.
        :attr:`gap_cn` says what it means in Chinese.
    solve_seconds, build_seconds
        HiGHS time, and the time to build the coverage and the reduced model.
    sites
        Every site with ``role`` (existing / chosen / candidate), ``open``, ``chosen``,
        ``new_weight`` (demand it reaches that no fixed base reaches), ``exclusive_weight``
        (of that, what no other chosen site reaches) and ``load`` (assigned demand when
        capacities apply).
    demand
        Every demand point with ``covered`` (share 0..1 of its weight covered),
        ``reachable`` (some site reaches it), ``covered_by_fixed``, ``newly_covered``,
        ``nearest_open`` and ``distance_km`` (to the nearest open site).
    newly_covered
        One row per (chosen site, demand point it reaches that no fixed base reaches),
        with ``exclusive`` when no other chosen site reaches it.
    model_size
        Points, merged rows, variables, constraints and non-zeros of the model.
    notes
        Plain-Chinese remarks for the planner (districts no site reaches, data left out).
    incumbent
        Objective of the greedy + interchange answer (the answer is never worse).
    bound_source
        What certified the bound ("HiGHS", "拉格朗日松弛", …).
    aggregation_error
        p-median with merged demand: the most the merge can change Σ weight × distance
        (demand × km), already taken off the bound.
    """

    problem: str
    parameters: dict[str, Any]
    status: str
    status_cn: str
    optimal: bool
    objective: float
    bound: float | None
    gap: float | None
    solve_seconds: float
    build_seconds: float
    sites: pd.DataFrame
    demand: pd.DataFrame
    newly_covered: pd.DataFrame
    model_size: dict[str, int]
    weight_label: str = "职工人数"
    weight_unit: str = "人"
    scope_label: str = "常州市"
    notes: list[str] = field(default_factory=list)
    incumbent: float | None = None
    bound_source: str = "HiGHS"
    aggregation_error: float | None = None

    # --- what the gap means ---------------------------------------------------------------
    @property
    def proven_optimal(self) -> bool:
        """The answer is proven optimal: a zero certified gap, or HiGHS's "Optimal" when no
        gap was allowed (with ``mip_rel_gap`` > 0 "Optimal" only means within that gap)."""
        if self.gap is not None and self.gap <= GAP_PROVEN:
            return True
        return bool(self.optimal) and not self.parameters.get("mip_rel_gap")

    @property
    def gap_cn(self) -> str:
        """One Chinese sentence on what the certified gap means for this answer.

        Rule: proven optimal → "已找到最优方案（可证明无更优）". Otherwise the gap ``g`` =
        |value − bound| / max(|value|, |bound|), shown rounded *up* to 0.01%: for maximal
        covering the covered demand is within ``g`` of the theoretical maximum (the bound); for
        p-median and set covering the objective is within ``g`` of the theoretical minimum.
        """
        if self.proven_optimal:
            return "已找到最优方案（可证明无更优）"
        if self.gap is None or self.bound is None:
            return "未能给出理论界，无法判断与最优方案的差距（请延长求解时间）"
        pct = _pct_up(self.gap)
        if self.problem == "mclp":
            more = max(self.bound - self.objective, 0.0)
            return (f"当前方案的覆盖需求与理论上限相差不超过 {pct}"
                    f"（任何方案至多再多覆盖 {more:,.0f} {self.weight_unit}）")  # fmt: skip
        if self.problem == "pmedian":
            text = f"当前方案的加权距离与理论下限相差不超过 {pct}（任何方案的加权距离都不会再低 {pct} 以上）"
            if self.aggregation_error:
                text += "；理论下限已扣除需求点合并带来的最大误差"
            return text
        return f"当前方案的新增基地数与理论下限相差不超过 {pct}"

    # --- headline figures ---------------------------------------------------------------
    @property
    def steps(self) -> pd.DataFrame:
        """The chosen sites one by one, each with what it adds to the ones before
        (:func:`gsyf_geo.siting.wording.step_gains`: "第 k 家：新增 X 人（站点名）")."""
        from gsyf_geo.siting.wording import step_gains

        return step_gains(self)

    @property
    def chosen(self) -> pd.DataFrame:
        """The chosen new sites in the order of :attr:`steps` (the one adding the most first,
        then the one adding the most to it, …): the numbering on maps and tables."""
        chosen = self.sites[self.sites["chosen"]]
        order = self.steps["site_code"].tolist()
        rank = {code: i for i, code in enumerate(order)}
        key = chosen["site_code"].map(rank).fillna(len(order))
        return chosen.assign(_k=key).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)

    @property
    def existing(self) -> pd.DataFrame:
        """The fixed (existing) bases."""
        return self.sites[self.sites["fixed"]].reset_index(drop=True)

    @property
    def total_weight(self) -> float:
        return float(self.demand["weight"].sum())

    @property
    def covered_weight(self) -> float:
        return float((self.demand["weight"] * self.demand["covered"]).sum())

    @property
    def covered_share(self) -> float | None:
        total = self.total_weight
        return self.covered_weight / total if total > 0 else None

    @property
    def fixed_covered_weight(self) -> float:
        """Demand the existing bases cover by themselves."""
        return float(self.demand.loc[self.demand["covered_by_fixed"], "weight"].sum())

    @property
    def unreachable_weight(self) -> float:
        return float(self.demand.loc[~self.demand["reachable"], "weight"].sum())

    @property
    def mean_distance_km(self) -> float | None:
        """Demand-weighted mean distance to the nearest open site."""
        total = self.total_weight
        if total <= 0:
            return None
        return float((self.demand["weight"] * self.demand["distance_km"]).sum() / total)

    # --- tables -------------------------------------------------------------------------
    def _grouped(self, key: str, order: list[str], names: dict[str, str]) -> pd.DataFrame:
        d = self.demand
        frame = pd.DataFrame({
            "key": d[key].astype(str),
            "enterprises": 1,
            "demand": d["weight"],
            "covered": d["weight"] * d["covered"],
            "unreachable": d["weight"].where(~d["reachable"], 0.0),
            "newly_covered": d["weight"].where(d["newly_covered"], 0.0),
        })  # fmt: skip
        g = frame.groupby("key").sum(numeric_only=True)
        keys = [k for k in order if k in g.index] + [k for k in g.index if k not in order]
        g = g.reindex(keys)
        out = pd.DataFrame({
            "code": keys,
            "name": [names.get(k, k) for k in keys],
            "enterprises": g["enterprises"].to_numpy(dtype=int),
            "demand": g["demand"].to_numpy(),
            "covered": g["covered"].to_numpy(),
            "uncovered": (g["demand"] - g["covered"]).clip(lower=0).to_numpy(),
            "unreachable": g["unreachable"].to_numpy(),
            "newly_covered": g["newly_covered"].to_numpy(),
        })  # fmt: skip
        out["share"] = np.where(
            out["demand"] > 0, out["covered"] / out["demand"].where(out["demand"] > 0, 1), np.nan
        )
        return out[["code", "name", "enterprises", "demand", "covered", "share", "uncovered",
                    "unreachable", "newly_covered"]]  # fmt: skip

    def by_district(self) -> pd.DataFrame:
        """Coverage per district (in the order of :data:`gsyf_geo.domain.DISTRICTS`)."""
        return self._grouped(
            "district", [d.adcode for d in DISTRICTS], {d.adcode: d.name for d in DISTRICTS}
        )

    def by_industry(self) -> pd.DataFrame:
        """Coverage per key industry (in the order of :data:`gsyf_geo.domain.KEY_INDUSTRIES`)."""
        return self._grouped(
            "key_industry", [k.id for k in KEY_INDUSTRIES], {k.id: k.name for k in KEY_INDUSTRIES}
        )

    def site_table(self) -> pd.DataFrame:
        """Chosen and existing sites with their district names and contributions."""
        s = pd.concat([self.chosen, self.existing], ignore_index=True)
        s["district_name"] = s["district"].map(district_name)
        s["role_name"] = s["role"].map(ROLE_NAMES)
        s["rank"] = np.where(s["chosen"], np.arange(1, len(s) + 1), 0)
        return s

    # --- export -------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Plain JSON-able summary (the ``site --json`` output and saved scenarios)."""

        def num(v: Any) -> Any:
            if v is None:
                return None
            v = float(v)
            return None if np.isnan(v) else v

        def site_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {
                    "site_code": r.site_code,
                    "name": r.name,
                    "district": str(r.district),
                    "district_name": district_name(r.district),
                    "kind": r.kind,
                    "status": r.status,
                    "lon": round(float(r.lon), 6),
                    "lat": round(float(r.lat), 6),
                    "capacity": num(r.capacity),
                    "new_weight": num(r.new_weight),
                    "exclusive_weight": num(r.exclusive_weight),
                }
                for r in frame.itertuples()
            ]

        return {
            "problem": self.problem,
            "problem_name": PROBLEM_NAMES[self.problem],
            "scope": self.parameters.get("scope"),
            "scope_label": self.scope_label,
            "parameters": self.parameters,
            "status": self.status,
            "status_cn": self.status_cn,
            "optimal": self.optimal,
            "objective": num(self.objective),
            "bound": num(self.bound),
            "gap": num(self.gap),
            "gap_cn": self.gap_cn,
            "proven_optimal": self.proven_optimal,
            "incumbent": num(self.incumbent),
            "bound_source": self.bound_source,
            "aggregation_error": num(self.aggregation_error),
            "solve_seconds": round(self.solve_seconds, 4),
            "build_seconds": round(self.build_seconds, 4),
            "weight_label": self.weight_label,
            "weight_unit": self.weight_unit,
            "total_weight": self.total_weight,
            "covered_weight": self.covered_weight,
            "covered_share": num(self.covered_share),
            "fixed_covered_weight": self.fixed_covered_weight,
            "unreachable_weight": self.unreachable_weight,
            "mean_distance_km": num(self.mean_distance_km),
            "chosen": site_rows(self.chosen),
            "existing": site_rows(self.existing),
            "newly_covered_ids": sorted(set(self.newly_covered["demand_id"].astype(str))),
            "model_size": self.model_size,
            "notes": list(self.notes),
        }


def evaluate(
    instance: SitingInstance,
    coverage: sparse.csr_matrix,
    chosen: np.ndarray,
    covered_frac: np.ndarray | None = None,
    load: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Coverage of a choice of sites, per demand point, per site and per new (site, point).

    Parameters
    ----------
    instance
        The instance.
    coverage
        Its full coverage matrix.
    chosen
        Per site: chosen (fixed sites are open anyway).
    covered_frac
        Covered share per demand point when capacities decide it; default: a point is
        covered when an open site reaches it.
    load
        Demand assigned to each site (capacitated models), else NaN.

    Returns
    -------
    (sites, demand, newly_covered)
    """
    from gsyf_geo.siting.coverage import nearest_open

    fixed = instance.fixed
    chosen = np.asarray(chosen, dtype=bool) & ~fixed
    open_ = fixed | chosen
    d = instance.demand.copy()
    w = d["weight"].to_numpy(dtype=float)
    reach = np.asarray(coverage.getnnz(axis=1)).ravel() > 0
    by_fixed = (
        np.asarray(coverage[:, np.flatnonzero(fixed)].getnnz(axis=1)).ravel() > 0
        if fixed.any()
        else np.zeros(len(d), dtype=bool)
    )
    chosen_idx = np.flatnonzero(chosen)
    by_chosen = coverage[:, chosen_idx].tocsc() if chosen_idx.size else None
    n_chosen = (
        np.asarray(by_chosen.getnnz(axis=1)).ravel()
        if by_chosen is not None
        else np.zeros(len(d), dtype=int)
    )
    geometric = by_fixed | (n_chosen > 0)
    d["reachable"] = reach
    d["covered_by_fixed"] = by_fixed
    d["newly_covered"] = ~by_fixed & (n_chosen > 0)
    d["covered"] = geometric.astype(float) if covered_frac is None else np.clip(covered_frac, 0, 1)
    # Nearest open site (all problems report it; p-median minimises it).
    open_idx = np.flatnonzero(open_)
    if open_idx.size and len(d):
        dist, k = nearest_open(
            d[["x", "y"]].to_numpy(dtype=float), instance.sites[["x", "y"]].to_numpy(dtype=float),
            open_idx, instance.cost,
        )  # fmt: skip
        d["nearest_open"] = instance.sites["site_code"].to_numpy()[k]
        d["distance_km"] = dist / 1000.0
    else:
        d["nearest_open"] = None
        d["distance_km"] = np.nan

    # Per chosen site: the points it reaches that no fixed base reaches.
    rows: list[pd.DataFrame] = []
    s = instance.sites.copy()
    s["new_weight"] = 0.0
    s["exclusive_weight"] = 0.0
    if by_chosen is not None:
        ids = d["demand_id"].to_numpy(dtype=object)
        names = d["name"].to_numpy(dtype=object)
        dists = d["district"].to_numpy(dtype=object)
        inds = d["key_industry"].to_numpy(dtype=object)
        codes = instance.sites["site_code"].to_numpy(dtype=object)
        site_names = instance.sites["name"].to_numpy(dtype=object)
        for col, j in enumerate(chosen_idx):
            pts = by_chosen.indices[by_chosen.indptr[col] : by_chosen.indptr[col + 1]]
            pts = pts[~by_fixed[pts]]
            excl = n_chosen[pts] == 1
            s.loc[j, "new_weight"] = float(w[pts].sum())
            s.loc[j, "exclusive_weight"] = float(w[pts][excl].sum())
            rows.append(pd.DataFrame({
                "site_code": codes[j],
                "site_name": site_names[j],
                "demand_id": ids[pts],
                "name": names[pts],
                "district": dists[pts],
                "key_industry": inds[pts],
                "weight": w[pts],
                "exclusive": excl,
            }))  # fmt: skip
    newly = (
        pd.concat(rows, ignore_index=True) if rows else
        pd.DataFrame(columns=["site_code", "site_name", "demand_id", "name", "district",
                              "key_industry", "weight", "exclusive"])
    )  # fmt: skip
    s["chosen"] = chosen
    s["open"] = open_
    s["role"] = np.where(fixed, "existing", np.where(chosen, "chosen", "candidate"))
    s["load"] = np.nan if load is None else load
    return s, d, newly


def industry_name(key: Any) -> str:
    k = KEY_INDUSTRY_BY_ID.get(str(key))
    return k.name if k else str(key)
