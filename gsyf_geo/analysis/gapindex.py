"""Combined gap index: where prevention reaches most people (per district, town and hexagon).

Rules (a reviewer can apply them by hand):

Parts, per area (reporting unit 辖市区/经开区, town 乡镇/街道, or H3 hexagon), over the view's
key-industry enterprises (scope and filters applied):

- **accident rate** (人/万人): :mod:`gsyf_geo.analysis.rates` (the one metric definition;
  the empirical-Bayes rate when smoothing is chosen). An area that is 样本不足 gets no index;
- **uninsured workers** (人): Σ (year-end employees − insured, never negative) of the last
  chosen year (:func:`gsyf_geo.analysis.rates.enterprise_parts`);
- **distance to training** (km): the worker-weighted mean over the area's enterprises of the
  straight-line distance (EPSG:4549) from the enterprise to the nearest training base. The
  bases are the existing bases plus the new sites of the siting planner's newest saved
  scenario visible to the user, when there is one; else the existing and planned bases of
  the store (:func:`training_sites`).

Each part is min–max normalised over the areas of the same level that have all three parts:
x′ = (x − min) / (max − min) (every area 1 when all are equal). The index is the product
rate′ × uninsured′ × distance′, in [0, 1]; areas are ranked by it, highest first (rank 1).
A product is high only where all three are high: many uninsured people, injured often,
far from training. An area at the minimum of any part has index 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from gsyf_geo.analysis.filters import FilteredView
from gsyf_geo.analysis.rates import MIN_INSURED, RateTable, enterprise_parts, h3_cells
from gsyf_geo.crs import to_metric

LEVELS: dict[str, str] = {"unit": "辖市区（统计单元）", "town": "乡镇（街道）", "hexagon": "六边形"}


@dataclass(frozen=True)
class TrainingSites:
    """Training sites the distance part measures to, and where they come from (Chinese)."""

    lon: np.ndarray
    lat: np.ndarray
    names: tuple[str, ...]
    source: str


def training_sites(bases: pd.DataFrame, scenario: dict | None = None) -> TrainingSites:
    """Existing bases plus a saved scenario's new sites, else existing and planned bases.

    Parameters
    ----------
    bases
        Training bases of the user's scope (``status``, ``lon``, ``lat``, ``name``).
    scenario
        A saved siting scenario (:func:`gsyf_geo.siting.scenarios.load_scenario`) or None.
    """
    located = bases[bases["lon"].notna() & bases["lat"].notna()]
    existing = located[located["status"] == "existing"]
    if scenario is not None:
        chosen = pd.DataFrame(scenario.get("result", {}).get("chosen") or [], columns=["name", "lon", "lat"])
        frame = pd.concat([existing[["name", "lon", "lat"]], chosen[["name", "lon", "lat"]]], ignore_index=True)
        source = f"已建基地 {len(existing)} 个 + 选址方案「{scenario.get('name')}」新增 {len(chosen)} 个"
    else:
        planned = located[located["status"] == "planned"]
        frame = pd.concat([existing, planned], ignore_index=True)[["name", "lon", "lat"]]
        source = f"已建基地 {len(existing)} 个 + 规划基地 {len(planned)} 个（无已保存的选址方案）"
    return TrainingSites(
        frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), tuple(frame["name"].astype(str)), source
    )


def nearest_site_km(lon: np.ndarray, lat: np.ndarray, sites: TrainingSites) -> np.ndarray:
    """Straight-line distance (km, EPSG:4549) from each point to the nearest site (NaN without sites)."""
    lon = np.asarray(lon, dtype=float)
    out = np.full(lon.shape, np.nan)
    if len(sites.lon) == 0:
        return out
    ok = np.isfinite(lon) & np.isfinite(np.asarray(lat, dtype=float))
    sx, sy = to_metric(sites.lon, sites.lat)
    tree = cKDTree(np.column_stack([np.atleast_1d(sx), np.atleast_1d(sy)]))
    x, y = to_metric(lon[ok], np.asarray(lat, dtype=float)[ok])
    d, _ = tree.query(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]))
    out[ok] = d / 1000.0
    return out


def minmax(values: np.ndarray) -> np.ndarray:
    """(x − min) / (max − min) over the finite values; 1 for all when they are equal; NaN stays."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, np.nan)
    ok = np.isfinite(v)
    if not ok.any():
        return out
    lo, hi = v[ok].min(), v[ok].max()
    out[ok] = 1.0 if hi == lo else (v[ok] - lo) / (hi - lo)
    return out


def combine(rate: np.ndarray, uninsured: np.ndarray, distance_km: np.ndarray) -> pd.DataFrame:
    """Normalised parts, the index and the rank (see the module docstring).

    Areas missing any part get NaN and no rank.
    """
    rate = np.asarray(rate, dtype=float)
    uninsured = np.asarray(uninsured, dtype=float)
    distance_km = np.asarray(distance_km, dtype=float)
    complete = np.isfinite(rate) & np.isfinite(uninsured) & np.isfinite(distance_km)
    parts = {}
    for name, v in (("rate_n", rate), ("uninsured_n", uninsured), ("distance_n", distance_km)):
        parts[name] = minmax(np.where(complete, v, np.nan))
    out = pd.DataFrame(parts)
    out["index"] = out["rate_n"] * out["uninsured_n"] * out["distance_n"]
    out["rank"] = out["index"].rank(ascending=False, method="min")
    return out


def _area_distance(keys: np.ndarray, workers: np.ndarray, dist: np.ndarray) -> pd.Series:
    """Worker-weighted mean distance per key (plain mean where an area has no workers)."""
    f = pd.DataFrame({"k": keys, "w": workers, "d": dist}).dropna(subset=["d"])
    f = f[pd.notna(f["k"]) & (f["k"] != 0)]
    f["wd"] = f["w"] * f["d"]
    g = f.groupby("k")
    w = g["w"].sum()
    return (g["wd"].sum() / w.where(w > 0)).fillna(g["d"].mean())


def gap_index(
    view: FilteredView,
    held_years: tuple[int, ...],
    level: str,
    sites: TrainingSites,
    *,
    rates: RateTable | None = None,
    smoothed: bool = False,
) -> pd.DataFrame:
    """The combined gap index of one level, ranked (highest first).

    Parameters
    ----------
    view
        The filtered rows.
    held_years
        ``MapData.years``.
    level
        ``"unit"``, ``"town"`` or ``"hexagon"``.
    sites
        :func:`training_sites`.
    rates
        The rate table of the level (required for ``"town"`` and ``"hexagon"``: the one the
        map shows, so both agree).
    smoothed
        Use the empirical-Bayes rate (the rate table must have been smoothed).

    Returns
    -------
    DataFrame
        ``key``, ``name``, ``rate``, ``uninsured``, ``distance_km``, ``workers``,
        ``enterprises``, ``rate_n``, ``uninsured_n``, ``distance_n``, ``index``, ``rank``
        (and ``lon``/``lat`` for hexagons), sorted by rank (areas without an index last).
    """
    from gsyf_geo.domain import REPORTING_UNIT_BY_CODE

    ent = view.enterprises
    parts = enterprise_parts(view, held_years)
    dist = nearest_site_km(ent["lon"].to_numpy(float), ent["lat"].to_numpy(float), sites)
    workers = parts["workers"].to_numpy()
    if level == "unit":
        keys = ent["reporting_unit"].to_numpy(dtype=object)
        f = parts.assign(k=keys)
        sums = f.groupby("k")[["inj", "den", "gap", "workers"]].sum()
        known = bool(parts["rate_known"].max()) if len(parts) else False
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where((sums["den"] >= MIN_INSURED) & known, sums["inj"] / sums["den"] * 10_000, np.nan)
        table = pd.DataFrame({
            "key": sums.index.to_numpy(),
            "name": [REPORTING_UNIT_BY_CODE[c].short_name if c in REPORTING_UNIT_BY_CODE else str(c)
                     for c in sums.index],
            "rate": rate,
            "uninsured": sums["gap"].to_numpy(),
            "workers": sums["workers"].to_numpy(),
            "enterprises": f.groupby("k").size().reindex(sums.index).to_numpy(),
        })  # fmt: skip
    else:
        if rates is None:
            raise ValueError("乡镇和六边形的综合指数需要对应的事故率表")
        t = rates.table
        if level == "town":
            keys = ent["town_code"].to_numpy(dtype=object)
        else:
            keys = h3_cells(ent["lon"].to_numpy(float), ent["lat"].to_numpy(float), int(rates.resolution))
        col = "rate_eb" if smoothed and rates.smoothed else "rate"
        table = pd.DataFrame({
            "key": t["cell"].to_numpy(),
            "name": t["name"].to_numpy() if "name" in t else [format(int(c), "x") for c in t["cell"]],
            "rate": t[col].to_numpy(dtype=float),
            "uninsured": t["gap"].to_numpy(),
            "workers": t["workers"].to_numpy(),
            "enterprises": t["enterprises"].to_numpy(),
        })  # fmt: skip
        if level == "hexagon":
            table["lon"], table["lat"] = t["lon"].to_numpy(), t["lat"].to_numpy()
    table["distance_km"] = table["key"].map(_area_distance(keys, workers, dist)).to_numpy(dtype=float)
    scored = combine(table["rate"].to_numpy(), table["uninsured"].to_numpy(), table["distance_km"].to_numpy())
    table = pd.concat([table.reset_index(drop=True), scored], axis=1)
    return table.sort_values(["rank", "key"], na_position="last", kind="stable").reset_index(drop=True)


def gap_index_export(table: pd.DataFrame, level: str, sites_source: str) -> pd.DataFrame:
    """The ranking with Chinese headers, for the page and the download."""
    out = pd.DataFrame({
        "排名": table["rank"].astype("Int64"),
        LEVELS[level]: table["name"],
        "综合缺口指数": table["index"].round(4),
        "万人事故率（人/万人）": table["rate"].round(1),
        "未参保职工（人）": table["uninsured"].round(0),
        "距最近培训基地（公里）": table["distance_km"].round(2),
        "事故率（归一化）": table["rate_n"].round(3),
        "未参保（归一化）": table["uninsured_n"].round(3),
        "距离（归一化）": table["distance_n"].round(3),
        "职工人数": table["workers"].round(0),
        "企业数": table["enterprises"],
    })  # fmt: skip
    if "lon" in table:
        out["中心经度"] = table["lon"].round(5)
        out["中心纬度"] = table["lat"].round(5)
    out["说明"] = np.where(table["index"].isna(), "样本不足或缺少部分数据，不排名", "")
    out.attrs["sites"] = sites_source
    return out
