"""Two years side by side: injuries, enrollment and training per unit and per hexagon.

For each of two years A and B the view is the page's state with the year range set to that
one year (scope and other filters unchanged), and each area's figures are sums of the
per-enterprise parts of :mod:`gsyf_geo.metrics` (:func:`gsyf_geo.analysis.rates.enterprise_parts`):

- 万人事故率 (人/万人): injured people counted in the year ÷ average insured × 10,000;
  样本不足 (no rate) below :data:`gsyf_geo.analysis.rates.MIN_INSURED` average insured;
- 工伤人数 (人): injured people counted in the year;
- 参保率: year-end insured ÷ employees of the key-industry enterprises (no figure without
  employees or without a snapshot of the year);
- 重要岗位培训覆盖率: trained ÷ key-position staff of the 重点企业 by the end of the year
  (no figure before the first training record).

The change is B − A (percentage points for the two shares, 人/万人 for the rate, people for
injuries); an area missing either year has no change. Units are the reporting units
(辖市区/经开区); hexagons are H3 cells at the chosen resolution.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from gsyf_geo.analysis.filters import MapState, apply_state
from gsyf_geo.analysis.mapdata import MapData
from gsyf_geo.analysis.rates import MIN_INSURED, enterprise_parts, h3_cells
from gsyf_geo.metrics import ACCIDENT_RATE_PER

COMPARE_MEASURES: dict[str, tuple[str, str, str]] = {
    "accident_rate": ("万人事故率", "人/万人", "{:.1f}"),
    "injuries": ("工伤人数", "人", "{:,.0f}"),
    "enrollment_rate": ("参保率", "%", "{:.1%}"),
    "training_coverage": ("重要岗位培训覆盖率", "%", "{:.1%}"),
}
"""Measures of the comparison: id -> (Chinese name, unit, format)."""


def year_figures(
    data: MapData, state: MapState, year: int, level: str, resolution: int = 7, min_insured: float = MIN_INSURED
) -> pd.DataFrame:
    """The figures of one year per area (``level`` ``"unit"`` or ``"hexagon"``), indexed by area."""
    view = apply_state(data, replace(state, years=(year, year)))
    ent = view.enterprises
    parts = enterprise_parts(view, data.years)
    if level == "unit":
        keys = ent["reporting_unit"].to_numpy(dtype=object)
    elif level == "hexagon":
        keys = h3_cells(ent["lon"].to_numpy(float), ent["lat"].to_numpy(float), resolution)
    else:
        raise ValueError(f"未知的对比单元：{level!r}")
    f = parts.assign(k=keys)
    f = f[pd.notna(f["k"]).to_numpy() & (f["k"] != 0).to_numpy()]
    s = f.groupby("k")[["inj", "den", "ins_end", "emp_end", "trained", "key_staff"]].sum()
    known = f.groupby("k")[["rate_known", "ins_known", "trained_known"]].max()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where((s["den"] >= min_insured) & (known["rate_known"] > 0), s["inj"] / s["den"] * ACCIDENT_RATE_PER,
                        np.nan)  # fmt: skip
        enrol = np.where((s["emp_end"] > 0) & (known["ins_known"] > 0), s["ins_end"] / s["emp_end"], np.nan)
        train = np.where((s["key_staff"] > 0) & (known["trained_known"] > 0), s["trained"] / s["key_staff"], np.nan)
    return pd.DataFrame(
        {
            "accident_rate": rate,
            "injuries": np.where(known["rate_known"] > 0, s["inj"], np.nan),
            "enrollment_rate": enrol,
            "training_coverage": train,
            "avg_insured": s["den"].to_numpy(),
        },
        index=s.index,
    )


def compare_years(
    data: MapData, state: MapState, year_a: int, year_b: int, level: str, resolution: int = 7
) -> pd.DataFrame:
    """Figures of two years and their change per area.

    Returns
    -------
    DataFrame
        Indexed by area; for each measure m of :data:`COMPARE_MEASURES` the columns ``m_a``,
        ``m_b`` and ``m_change`` (B − A); plus ``avg_insured_a``/``_b``.
    """
    a = year_figures(data, state, year_a, level, resolution)
    b = year_figures(data, state, year_b, level, resolution)
    idx = a.index.union(b.index)
    a, b = a.reindex(idx), b.reindex(idx)
    out = pd.DataFrame(index=idx)
    for m in COMPARE_MEASURES:
        out[f"{m}_a"] = a[m]
        out[f"{m}_b"] = b[m]
        out[f"{m}_change"] = b[m] - a[m]
    out["avg_insured_a"], out["avg_insured_b"] = a["avg_insured"], b["avg_insured"]
    return out


def change_table(frame: pd.DataFrame, measure: str, year_a: int, year_b: int, names: dict | None = None) -> pd.DataFrame:
    """One measure's comparison with Chinese headers, largest rise first."""
    name, unit, fmt = COMPARE_MEASURES[measure]
    pct = unit == "%"
    scale = 100.0 if pct else 1.0
    change_unit = "百分点" if pct else unit
    t = frame[[f"{measure}_a", f"{measure}_b", f"{measure}_change"]].copy()
    t = t.sort_values(f"{measure}_change", ascending=False, na_position="last")
    keys = t.index
    label = [names.get(k, str(k)) if names else (format(int(k), "x") if isinstance(k, int | np.integer) else str(k))
             for k in keys]  # fmt: skip
    digits = 1 if measure != "injuries" else 0
    return pd.DataFrame({
        "单元": label,
        f"{year_a}年 {name}（{unit}）": (t[f"{measure}_a"] * scale).round(digits + (1 if pct else 0)).to_numpy(),
        f"{year_b}年 {name}（{unit}）": (t[f"{measure}_b"] * scale).round(digits + (1 if pct else 0)).to_numpy(),
        f"变化（{change_unit}）": (t[f"{measure}_change"] * scale).round(digits + (1 if pct else 0)).to_numpy(),
    })  # fmt: skip
