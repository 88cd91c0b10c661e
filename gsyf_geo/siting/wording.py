"""Plain Chinese for the siting planner: what the solver's answer means, numbers with units,
the site each added base brings, names of points added on the map.

Pure functions (no Streamlit): the page (``views/siting.py``) shows what they return, and the
tests check the wording without a browser.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

PROBLEM_EXPLANATIONS: dict[str, str] = {
    "mclp": "最大覆盖：在服务半径内，选出 p 个新基地，使半径内至少有一个基地（含已建）的企业需求合计最多。",
    "lscp": "集合覆盖：求出使给定比例的企业需求处在某个基地（含已建）服务半径内所需的最少新基地数。",
    "pmedian": "p-中值：选出 p 个新基地，使每家企业到离它最近的基地的距离乘以其需求、再对全部企业求和"
    "（总加权距离）最小，即让企业平均离基地最近。",
}
"""One sentence per problem, for planners who do not know the operations-research names."""

INFEASIBLE_STATUSES = frozenset({"Infeasible", "Primal infeasible or unbounded"})
TIME_LIMIT_STATUS = "Time limit reached"
PROVEN_TEXT = "已找到最优方案（可证明无更优）"


def number(value: float | None, unit: str = "", decimals: int = 0) -> str:
    """``823751.0`` → ``"823,751 人"``: thousands separators, fixed decimals, the unit after a space.

    ``None`` or NaN gives ``"—"``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "—"
    text = f"{float(value):,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return f"{text} {unit}" if unit else text


def km(value: float | None) -> str:
    """A distance in kilometres with one decimal: ``"12.3 公里"``."""
    return number(value, "公里", 1)


def share(value: float | None) -> str:
    """A share 0..1 as a percentage with one decimal (``"—"`` when missing)."""
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value):.1%}"


def distance_unit(weight_unit: str) -> str:
    """Unit of a weighted distance (demand × km): ``"人·公里"``."""
    return f"{weight_unit}·公里" if weight_unit else "公里"


def pct_up(gap: float) -> str:
    """A relative gap as a percentage rounded *up* (so "最多" stays true): 0.1% steps, or 0.01%
    steps below 0.1%."""
    g = max(float(gap), 0.0) * 100
    if g < 0.1:
        return f"{math.ceil(g * 100 - 1e-9) / 100:.2f}%"
    return f"{math.ceil(g * 10 - 1e-9) / 10:.1f}%"


def verdict_text(
    problem: str,
    *,
    status: str,
    proven_optimal: bool,
    gap: float | None,
    objective: float | None = None,
    bound: float | None = None,
    unit: str = "人",
    time_limit: float | None = None,
) -> str:
    """One plain sentence on how good the answer is.

    Parameters
    ----------
    problem
        ``"mclp"``, ``"lscp"`` or ``"pmedian"``.
    status
        The solver's status (``"Optimal"``, ``"Time limit reached"``, ``"Infeasible"``…).
    proven_optimal
        No better answer exists (certified).
    gap
        Certified relative gap |value − bound| / max(|value|, |bound|), or ``None``.
    objective, bound
        The answer's value and the certified bound, to say the gap in the problem's unit.
    unit
        Unit of the demand (``"人"``).
    time_limit
        The time budget in seconds (named when the solver stopped on it).

    Returns
    -------
    str
        E.g. "已找到最优方案（可证明无更优）", "在时限（60 秒）内找到的方案，最多可能比最优差 0.4%（…）".
    """
    if status in INFEASIBLE_STATUSES:
        return "没有满足条件的方案：现有候选点无法达到要求，请放宽条件（例如降低目标覆盖比例、扩大服务半径或增加候选点）"
    if proven_optimal:
        return PROVEN_TEXT
    if status == TIME_LIMIT_STATUS:
        head = f"在时限（{time_limit:g} 秒）内找到的方案" if time_limit else "在时限内找到的方案"
    else:
        head = "找到的方案未能证明最优"
    if gap is None:
        return f"{head}，但未能算出它与最优方案的差距；延长求解时间可得到结论"
    text = f"{head}，最多可能比最优差 {pct_up(gap)}"
    if objective is not None and bound is not None:
        diff = abs(float(bound) - float(objective))
        if problem == "mclp":
            text += f"（任何方案至多再多覆盖 {number(diff, unit)}）"
        elif problem == "pmedian":
            text += f"（总加权距离至多还能减少 {number(diff, distance_unit(unit))}）"
        elif problem == "lscp":
            fewer = int(math.floor(diff + 1e-9))
            text += f"（最多可能少建 {fewer} 家）" if fewer else ""
    return text


def verdict(result: Any) -> str:
    """:func:`verdict_text` of a :class:`gsyf_geo.siting.SitingResult`."""
    return verdict_text(
        result.problem,
        status=result.status,
        proven_optimal=bool(result.proven_optimal),
        gap=result.gap,
        objective=result.objective,
        bound=result.bound,
        unit=result.weight_unit,
        time_limit=(result.parameters or {}).get("time_limit"),
    )


def bound_note(result: Any) -> str:
    """Where the proof comes from, in words (no solver names): for the fine print."""
    if result.proven_optimal:
        return "已由数学规划的理论界证明：没有任何方案能更好。"
    if result.gap is None:
        return "尚无理论界。"
    return "差距由数学规划的理论界给出（真实差距通常更小）。"


# --- what each added base brings -------------------------------------------------------------
def step_gains(result: Any) -> pd.DataFrame:
    """The chosen sites in the order they add the most, with what each adds to the ones before.

    Covering problems (MCLP, set covering) without capacities: demand newly covered (not
    reached by an existing base nor by an earlier site of the list). With capacities: the
    demand each site takes (its load). p-median: how much the total weighted distance
    (demand × km) falls; with no existing base the first site's total is given instead
    (``gain`` NaN).

    Returns
    -------
    pandas.DataFrame
        ``k`` (1…), ``site_code``, ``name``, ``gain``, ``kind`` (``"cover"``, ``"load"`` or
        ``"distance"``) and for ``"distance"`` the ``total`` after the step. The gains of
        ``"cover"`` sum to the demand the new sites cover that the existing bases do not.
    """
    sites = result.sites
    chosen = sites[sites["chosen"]].reset_index(drop=True)
    cols = ["k", "site_code", "name", "gain", "kind", "total"]
    if chosen.empty:
        return pd.DataFrame(columns=cols)
    if result.problem == "pmedian":
        order, gains, totals = _distance_steps(result, chosen)
        kind = "distance"
    elif "load" in chosen and chosen["load"].notna().any():
        load = chosen["load"].fillna(0.0).to_numpy(dtype=float)
        order = list(np.argsort(-load, kind="stable"))
        gains, totals, kind = [float(load[i]) for i in order], [np.nan] * len(order), "load"
    else:
        order, gains = _cover_steps(result, chosen)
        totals, kind = [np.nan] * len(order), "cover"
    return pd.DataFrame({
        "k": np.arange(1, len(order) + 1),
        "site_code": chosen["site_code"].to_numpy(dtype=object)[order],
        "name": chosen["name"].to_numpy(dtype=object)[order],
        "gain": np.asarray(gains, dtype=float),
        "kind": kind,
        "total": np.asarray(totals, dtype=float),
    })  # fmt: skip


def _cover_steps(result: Any, chosen: pd.DataFrame) -> tuple[list[int], list[float]]:
    """Greedy order of the chosen sites by newly covered demand, and each one's gain."""
    from scipy import sparse

    newly = result.newly_covered
    codes = chosen["site_code"].astype(str).tolist()
    if not len(newly):
        return list(range(len(codes))), [0.0] * len(codes)
    row = {c: i for i, c in enumerate(codes)}
    rows = newly["site_code"].astype(str).map(row)
    keep = rows.notna().to_numpy()
    ids, point = np.unique(newly["demand_id"].astype(str).to_numpy()[keep], return_inverse=True)
    weight = np.zeros(len(ids))
    weight[point] = newly["weight"].to_numpy(dtype=float)[keep]
    reach = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (rows.to_numpy()[keep].astype(int), point)),
        shape=(len(codes), len(ids)),
    )
    left = np.ones(len(codes), dtype=bool)
    open_weight = weight.copy()  # demand not yet covered by an earlier site of the list
    order: list[int] = []
    gains: list[float] = []
    for _ in range(len(codes)):
        g = reach @ open_weight
        g[~left] = -1.0
        best = int(np.argmax(g))  # the largest gain; ties keep the result's order
        order.append(best)
        gains.append(max(float(g[best]), 0.0))
        left[best] = False
        open_weight[reach[best].indices] = 0.0
    return order, gains


def _distance_steps(
    result: Any, chosen: pd.DataFrame
) -> tuple[list[int], list[float], list[float]]:
    """Greedy order of the chosen sites by the fall in total weighted distance (p-median)."""
    from gsyf_geo.siting.coverage import nearest_open

    d = result.demand
    w = d["weight"].to_numpy(dtype=float)
    xy = d[["x", "y"]].to_numpy(dtype=float)
    sites = result.sites
    site_xy = sites[["x", "y"]].to_numpy(dtype=float)
    fixed_idx = np.flatnonzero(sites["fixed"].to_numpy(dtype=bool))
    cur = (
        nearest_open(xy, site_xy, fixed_idx)[0] / 1000.0
        if fixed_idx.size
        else np.full(len(d), np.inf)
    )
    ch_xy = chosen[["x", "y"]].to_numpy(dtype=float)
    dist = np.sqrt(((xy[:, None, :] - ch_xy[None, :, :]) ** 2).sum(axis=2)) / 1000.0
    order: list[int] = []
    gains: list[float] = []
    totals: list[float] = []
    left = list(range(len(chosen)))
    before = float((w * cur).sum()) if np.isfinite(cur).all() else math.inf
    while left:
        sums = [float((w * np.minimum(cur, dist[:, i])).sum()) for i in left]
        j = int(np.argmin(sums))
        best = left[j]
        order.append(best)
        totals.append(sums[j])
        gains.append(before - sums[j] if math.isfinite(before) else math.nan)
        cur = np.minimum(cur, dist[:, best])
        before = sums[j]
        left.remove(best)
    return order, gains, totals


def step_lines(steps: pd.DataFrame, unit: str = "人") -> list[str]:
    """``"第 1 家：新增 44,365 人（某某培训中心）"`` per step of :func:`step_gains`."""
    lines = []
    for r in steps.itertuples():
        name = str(r.name)
        if r.kind == "distance":
            if pd.isna(r.gain):
                what = f"总加权距离 {number(r.total, distance_unit(unit))}"
            else:
                what = f"总加权距离减少 {number(r.gain, distance_unit(unit))}"
        elif r.kind == "load":
            what = f"承担 {number(r.gain, unit)}"
        else:
            what = f"新增 {number(r.gain, unit)}"
        lines.append(f"第 {int(r.k)} 家：{what}（{name}）")
    return lines


# --- points added on the map -----------------------------------------------------------------
def added_point_name(index: int, lon: float, lat: float, town: str | None = None) -> str:
    """Name of the ``index``-th point added on the map: ``"地图选点 1（湖塘镇附近）"`` or, with no
    town, ``"地图选点 1（119.95, 31.78）"``."""
    where = f"{town}附近" if town else f"{lon:.2f}, {lat:.2f}"
    return f"地图选点 {index}（{where}）"


def nearest_town(lon: float, lat: float, max_km: float = 8.0) -> str | None:
    """The name of the town whose (approximate) centre is nearest, within ``max_km``; else None."""
    from gsyf_geo.geography import towns

    t = towns().dropna(subset=["lon", "lat"])
    if t.empty:
        return None
    dx = (t["lon"].astype(float) - lon) * 111.32 * math.cos(math.radians(lat))
    dy = (t["lat"].astype(float) - lat) * 110.57
    dist = np.hypot(dx, dy)
    i = int(np.argmin(dist.to_numpy()))
    return str(t["name"].iloc[i]) if float(dist.iloc[i]) <= max_km else None


# --- saved scenarios side by side --------------------------------------------------------------
def scenario_figures(scenario: dict[str, Any]) -> dict[str, str]:
    """The headline figures of a saved scenario as display strings (units, separators)."""
    r, p = scenario["result"], scenario["parameters"]
    unit = r.get("weight_unit") or ""
    chosen = r.get("chosen") or []
    problem = scenario.get("problem") or r.get("problem")
    from gsyf_geo.siting.result import PROBLEM_SHORT_NAMES

    out = {
        "方案": str(scenario.get("name", "")),
        "问题": PROBLEM_SHORT_NAMES.get(problem, str(problem)),
        "新增基地数": f"{len(chosen)} 家",
        "服务半径": km(p.get("radius_km")),
        "绕行系数": number(p.get("detour"), "", 1),
        "需求权重": str(r.get("weight_label") or ""),
        "覆盖需求": number(r.get("covered_weight"), unit),
        "覆盖率": share(r.get("covered_share")),
        "新增覆盖企业数": f"{len(r.get('newly_covered') or []):,} 家",
    }
    if problem == "pmedian" and r.get("objective") is not None:
        out["总加权距离"] = number(r.get("objective"), distance_unit(unit))
        out["平均距离"] = km(r.get("mean_distance_km"))
    out["新选址"] = "、".join(str(c.get("name", "")) for c in chosen) or "—"
    out["求解结论"] = (
        PROVEN_TEXT
        if r.get("proven_optimal")
        else verdict_text(str(problem), status=str(r.get("status", "")), proven_optimal=False,
                          gap=r.get("gap"), objective=r.get("objective"), bound=r.get("bound"),
                          unit=unit, time_limit=p.get("time_limit"))
    )  # fmt: skip
    return out


def scenario_summary(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    """Two saved scenarios' figures side by side: ``指标``, ``方案A``, ``方案B``."""
    fa, fb = scenario_figures(a), scenario_figures(b)
    keys = list(fa) + [k for k in fb if k not in fa]
    return pd.DataFrame({"指标": keys, "方案A": [fa.get(k, "—") for k in keys],
                         "方案B": [fb.get(k, "—") for k in keys]})  # fmt: skip


def seconds(value: float) -> str:
    """A solve time: ``"12.3 秒"``, or ``"不到 0.1 秒"``."""
    return f"{value:,.1f} 秒" if value >= 0.1 else "不到 0.1 秒"
