"""Small siting instances inside 常州 and brute-force answers to check the solver against."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from gsyf_geo.crs import from_metric, to_metric

CENTRE = (119.95, 31.70)  # 武进/天宁, well inside the city


def lonlat(dx_km, dy_km) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 points ``dx_km``/``dy_km`` kilometres east/north of :data:`CENTRE`."""
    cx, cy = to_metric(*CENTRE)
    lon, lat = from_metric(
        cx + np.asarray(dx_km, float) * 1000.0, cy + np.asarray(dy_km, float) * 1000.0
    )
    return np.atleast_1d(lon), np.atleast_1d(lat)


def demand_frame(dx, dy, weights, industries=None, names=None) -> pd.DataFrame:
    lon, lat = lonlat(dx, dy)
    n = len(lon)
    return pd.DataFrame({
        "credit_code": [f"E{i:04d}" for i in range(n)],
        "name": names or [f"企业{i}" for i in range(n)],
        "key_industry": industries or ["machinery"] * n,
        "employees": np.asarray(weights, dtype=float),
        "key_staff": np.full(n, 5),
        "key_staff_trained": np.full(n, 2),
        "lon": lon,
        "lat": lat,
    })  # fmt: skip


def sites_frame(dx, dy, fixed, capacity=None, names=None) -> pd.DataFrame:
    lon, lat = lonlat(dx, dy)
    n = len(lon)
    fixed = np.asarray(fixed, dtype=bool)
    return pd.DataFrame({
        "site_code": [f"S{i:02d}" for i in range(n)],
        "name": names or [f"站点{i}" for i in range(n)],
        "kind": "工业园区",
        "status": np.where(fixed, "existing", "candidate"),
        "capacity": capacity if capacity is not None else np.full(n, np.nan),
        "lon": lon,
        "lat": lat,
    })  # fmt: skip


def inside_points(
    rng: np.random.Generator, n: int, span_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random offsets (km) around :data:`CENTRE` that fall inside the city."""
    from gsyf_geo.geography import locate_district

    xs, ys = [], []
    while len(xs) < n:
        dx, dy = rng.uniform(-span_km / 2, span_km / 2, (2, 4 * n))
        ok = [d is not None for d in locate_district(*lonlat(dx, dy))]
        xs.extend(dx[ok].tolist())
        ys.extend(dy[ok].tolist())
    return np.array(xs[:n]), np.array(ys[:n])


def random_case(seed: int, n: int = 40, m: int = 9, n_fixed: int = 2, span_km: float = 40.0):
    rng = np.random.default_rng(seed)
    dx, dy = inside_points(rng, n, span_km)
    w = rng.integers(1, 200, n)
    sx, sy = inside_points(rng, m, span_km)
    fixed = np.zeros(m, bool)
    fixed[:n_fixed] = True
    cap = rng.integers(5, 40, m).astype(float)
    return demand_frame(dx, dy, w), sites_frame(sx, sy, fixed, cap)


def metric_distances(demand: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    """Distances (metres, EPSG:4549) demand × sites."""
    dx, dy = to_metric(demand["lon"].to_numpy(), demand["lat"].to_numpy())
    sx, sy = to_metric(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    return np.hypot(
        np.asarray(dx)[:, None] - np.asarray(sx)[None, :],
        np.asarray(dy)[:, None] - np.asarray(sy)[None, :],
    )


def brute_mclp(dist, w, fixed, radius_m, p):
    """(best covered weight, best set) over all sets of p candidates."""
    reach = dist <= radius_m
    cand = np.flatnonzero(~fixed)
    best, best_set = -1.0, None
    for combo in itertools.combinations(cand, p):
        open_ = np.flatnonzero(fixed).tolist() + list(combo)
        value = float(w[reach[:, open_].any(axis=1)].sum())
        if value > best + 1e-9:
            best, best_set = value, combo
    return best, best_set


def brute_lscp(dist, w, fixed, radius_m, share):
    """(fewest sites, most coverage with that many) or None when unreachable."""
    reach = dist <= radius_m
    cand = np.flatnonzero(~fixed)
    target = share * w.sum()
    for k in range(0, cand.size + 1):
        best = -1.0
        for combo in itertools.combinations(cand, k):
            open_ = np.flatnonzero(fixed).tolist() + list(combo)
            value = float(w[reach[:, open_].any(axis=1)].sum()) if open_ else 0.0
            best = max(best, value)
        if best >= target - 1e-9:
            return k, best
    return None


def brute_pmedian(dist, w, fixed, p):
    """Least Σ w × distance (km) over all sets of p candidates."""
    cand = np.flatnonzero(~fixed)
    best = np.inf
    for combo in itertools.combinations(cand, p):
        open_ = np.flatnonzero(fixed).tolist() + list(combo)
        best = min(best, float((w * dist[:, open_].min(axis=1)).sum() / 1000.0))
    return best


def _transport(dist_open, w, cap_open, reach_open=None, maximize_cover=False):
    """LP over assignments x_ij (split allowed): max covered demand or min cost."""
    n, k = dist_open.shape
    nv = n * k
    allowed = np.ones((n, k), bool) if reach_open is None else reach_open
    bounds = [(0, None) if allowed.ravel()[v] else (0, 0) for v in range(nv)]
    a_rows, b = [], []
    for i in range(n):  # each point at most (cover) / exactly (median) its weight
        row = np.zeros(nv)
        row[i * k : (i + 1) * k] = 1
        a_rows.append(row)
        b.append(w[i])
    a_cap, b_cap = [], []
    for j in range(k):
        if np.isfinite(cap_open[j]):
            row = np.zeros(nv)
            row[j::k] = 1
            a_cap.append(row)
            b_cap.append(cap_open[j])
    if maximize_cover:
        res = linprog(
            -np.ones(nv), A_ub=np.array(a_rows + a_cap), b_ub=np.array(b + b_cap), bounds=bounds
        )
        return -res.fun
    res = linprog(dist_open.ravel() / 1000.0, A_ub=np.array(a_cap) if a_cap else None,
                  b_ub=np.array(b_cap) if b_cap else None, A_eq=np.array(a_rows), b_eq=np.array(b),
                  bounds=bounds)  # fmt: skip
    return res.fun if res.status == 0 else np.inf


def brute_capacitated_mclp(dist, w, fixed, radius_m, p, cap):
    cand = np.flatnonzero(~fixed)
    best = -1.0
    for combo in itertools.combinations(cand, p):
        open_ = np.flatnonzero(fixed).tolist() + list(combo)
        value = _transport(
            dist[:, open_], w, cap[open_], dist[:, open_] <= radius_m, maximize_cover=True
        )
        best = max(best, value)
    return best


def brute_capacitated_pmedian(dist, w, fixed, p, cap):
    cand = np.flatnonzero(~fixed)
    best = np.inf
    for combo in itertools.combinations(cand, p):
        open_ = np.flatnonzero(fixed).tolist() + list(combo)
        best = min(best, _transport(dist[:, open_], w, cap[open_]))
    return best
