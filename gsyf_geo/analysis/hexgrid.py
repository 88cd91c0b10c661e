"""Hexagonal binning in EPSG:4549 metres, to aggregate points when the map is far out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gsyf_geo.crs import from_metric

_SQRT3 = np.sqrt(3.0)


def hex_index(x: np.ndarray, y: np.ndarray, size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial (q, r) of the pointy-top hexagon of circumradius ``size_m`` holding each point."""
    x = np.asarray(x, dtype=float) / size_m
    y = np.asarray(y, dtype=float) / size_m
    qf = (_SQRT3 / 3.0) * x - y / 3.0
    rf = (2.0 / 3.0) * y
    # Cube rounding: round all three, fix the one with the largest rounding error.
    sf = -qf - rf
    q, r, s = np.round(qf), np.round(rf), np.round(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


def hex_center(q: np.ndarray, r: np.ndarray, size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Centre (x, y) in metres of hexagons (q, r)."""
    q = np.asarray(q, dtype=float)
    r = np.asarray(r, dtype=float)
    return size_m * _SQRT3 * (q + r / 2.0), size_m * 1.5 * r


def hex_aggregate(
    x: np.ndarray, y: np.ndarray, size_m: float, values: dict[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """Count points (and sum ``values``) per hexagon.

    Returns
    -------
    DataFrame with ``q``, ``r``, ``x``, ``y`` (centre, metres), ``count`` and one column per
    entry of ``values``.
    """
    q, r = hex_index(x, y, size_m)
    frame = pd.DataFrame({"q": q, "r": r, "count": 1, **(values or {})})
    agg = frame.groupby(["q", "r"], sort=True).sum().reset_index()
    agg["x"], agg["y"] = hex_center(agg["q"].to_numpy(), agg["r"].to_numpy(), size_m)
    return agg


def hex_rings_wgs84(cx: np.ndarray, cy: np.ndarray, size_m: float, decimals: int = 5) -> np.ndarray:
    """Closed rings (n, 7, 2) of lon/lat for hexagons centred at (cx, cy) metres."""
    angles = np.deg2rad(30.0 + 60.0 * np.arange(6))
    vx = np.asarray(cx)[:, None] + size_m * np.cos(angles)[None, :]
    vy = np.asarray(cy)[:, None] + size_m * np.sin(angles)[None, :]
    lon, lat = from_metric(vx.ravel(), vy.ravel())
    ring = np.stack([np.asarray(lon), np.asarray(lat)], axis=1).reshape(-1, 6, 2)
    ring = np.concatenate([ring, ring[:, :1, :]], axis=1)
    return np.round(ring, decimals)
