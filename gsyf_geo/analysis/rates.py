"""Accident rates on H3 hexagons and per town (乡镇/街道): rates, not counts.

Every figure here is a sum of the per-enterprise numerators and denominators of
:mod:`gsyf_geo.metrics` (loaded by :mod:`gsyf_geo.analysis.mapdata`, summed over the view's
years exactly as :mod:`gsyf_geo.analysis.indicators` does for a reporting unit), so the
hexagons and towns of a unit add up to that unit's figure on the map and on the targets
page. Rules (a reviewer can apply them by hand):

Place
    An enterprise counts in the H3 hexagon (Uber H3, https://h3geo.org) holding its
    register location (WGS-84 lon/lat), and in its register ``town_code``. Its injuries,
    insured and uninsured workers go with it (the injury's own location is not used: the
    rate's denominator is the enterprise's insured).
Accident rate (人/万人)
    Σ injured people of the cell's key-industry enterprises counted in the chosen years
    (recognition date, commuting rule of the plan: :func:`gsyf_geo.metrics.counted_injuries`)
    ÷ Σ their average insured over the same years (mean of the previous and the current
    year end) × 10,000 — :func:`gsyf_geo.metrics.accident_rate` on summed parts.
样本不足 (too small a sample)
    A cell (hexagon or town) whose summed average insured is below :data:`MIN_INSURED`
    (1,000 person-years) gets no rate: it is drawn grey as 样本不足, never as an extreme
    rate, and takes no part in the hot-spot test. At the city's ~45/万人 a cell of 1,000
    insured expects ~4.5 injuries; one injury more or less moves its rate by 10/万人.
Empirical-Bayes smoothing (optional, ``smooth=True``)
    Marshall's (1991) global empirical-Bayes estimator with the cell's reporting unit
    (辖市区 / 经开区) as the reference, as in PySAL ``esda.smoothing.Empirical_Bayes``
    but per unit. With oᵢ injuries and nᵢ average insured in cell i, and the unit's
    b = Σo / Σn (its rate per insured person), s² = Σ nᵢ (oᵢ/nᵢ − b)² / Σn and
    n̄ = Σn / k over its k cells with nᵢ > 0:

        a = max(s² − b / n̄, 0),   wᵢ = a / (a + b / nᵢ),
        EBᵢ = wᵢ · oᵢ/nᵢ + (1 − wᵢ) · b        (× 10,000 for 人/万人)

    A small cell is pulled toward its unit's rate, a large one keeps its own. A cell's unit
    is the reporting unit holding most of its average insured (ties: the first in code
    order). Cells below :data:`MIN_INSURED` stay 样本不足 whether smoothed or not.
Resolution
    :func:`resolution_for_zoom`: H3 resolution 7 (hexagons of ≈5.2 km², edge ≈1.4 km) up to
    map zoom 10 — the city and district views, and the resolution of the city's hot-spot
    layer; 8 (≈0.74 km²) at zoom 11–12; 9 (≈0.11 km²) from zoom 13 in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from gsyf_geo.analysis.filters import FilteredView
from gsyf_geo.analysis.indicators import _rate_columns
from gsyf_geo.domain import PNEUMOCONIOSIS
from gsyf_geo.metrics import ACCIDENT_RATE_PER, _member, enrollment_gap

MIN_INSURED = 1_000.0
"""Least summed average insured (person-years) of a cell with a rate (see the module docstring)."""
CITY_RESOLUTION = 7
"""H3 resolution of the city view and of the hot-spot layer."""
SMALL_SAMPLE = "样本不足"


def resolution_for_zoom(zoom: float | None) -> int:
    """H3 resolution for a map zoom: 7 up to zoom 10, 8 at 11–12, 9 from 13 in."""
    z = 9.0 if zoom is None else float(zoom)
    if z <= 10:
        return 7
    if z <= 12:
        return 8
    return 9


_CELL_CACHE: dict[int, pd.Series] = {}
_CELL_CACHE_MAX = 2_000_000  # locations remembered per resolution


def h3_cells(lon: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cell (64-bit integer) of each point at ``resolution``; 0 where it has no coordinates.

    Each distinct location (rounded to 1e-6°) is indexed once and remembered for the
    process (the map asks again for every filter and year).
    """
    import h3.api.basic_int as h3i

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.zeros(lon.shape, dtype=np.uint64)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return out
    lat_i = np.rint(lat[ok] * 1e6).astype(np.int64)
    lon_i = np.rint(lon[ok] * 1e6).astype(np.int64)
    inverse, uniq = pd.factorize(lat_i * 1_000_000_000 + lon_i)  # lon < 1000° fits below 1e9
    known = _CELL_CACHE.get(resolution, pd.Series(dtype=np.uint64))
    pos = known.index.get_indexer(uniq)
    cells = np.zeros(len(uniq), dtype=np.uint64)
    cells[pos >= 0] = known.to_numpy()[pos[pos >= 0]]
    missing = np.flatnonzero(pos < 0)
    if missing.size:
        mk = uniq[missing]
        ulat, ulon = (mk // 1_000_000_000) / 1e6, (mk % 1_000_000_000) / 1e6
        cells[missing] = np.fromiter(
            (h3i.latlng_to_cell(a, o, resolution) for a, o in zip(ulat.tolist(), ulon.tolist(), strict=True)),
            dtype=np.uint64, count=missing.size,
        )  # fmt: skip
        added = pd.Series(cells[missing], index=mk)
        merged = added if known.empty or len(known) + missing.size > _CELL_CACHE_MAX else pd.concat([known, added])
        _CELL_CACHE[resolution] = merged
    out[ok] = cells[inverse]
    return out


@lru_cache(maxsize=200_000)
def _ring(cell: int, decimals: int) -> tuple[tuple[float, float], ...]:
    import h3.api.basic_int as h3i

    b = h3i.cell_to_boundary(cell)[:6]
    pts = tuple((round(lng, decimals), round(lat, decimals)) for lat, lng in b)
    return (*pts, pts[0])


def cell_rings(cells: np.ndarray, decimals: int = 5) -> np.ndarray:
    """Closed lon/lat rings (n, 7, 2) of hexagons (pentagons do not occur in China)."""
    if len(cells) == 0:
        return np.zeros((0, 7, 2))
    return np.array([_ring(int(c), decimals) for c in cells], dtype=float)


def cell_centres(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of hexagon centres."""
    import h3.api.basic_int as h3i

    ll = np.array([h3i.cell_to_latlng(int(c)) for c in cells]).reshape(-1, 2)
    return ll[:, 1], ll[:, 0]


def enterprise_parts(view: FilteredView, held_years: tuple[int, ...]) -> pd.DataFrame:
    """Per-enterprise parts of the view's figures, indexed like ``view.enterprises``.

    ``inj`` (injured people counted in the chosen years) and ``den`` (Σ average insured)
    are the accident-rate parts of :mod:`gsyf_geo.analysis.indicators` (0 outside the key
    industries); ``ins_end``, ``emp_end`` the key-industry year-end stocks of the last chosen
    year; ``gap`` the uninsured workers: the year-end ``employees − insured`` of the last
    chosen year (never negative), or the register's where the store holds no snapshot of it;
    ``workers`` the register's employees; ``trained`` and ``key_staff`` the trained and all
    key-position staff of the 重点企业 by the end of the last chosen year (training
    coverage); ``*_known`` whether the store holds the data of that year (1.0/0.0).
    """
    ent = view.enterprises
    parts = _rate_columns(ent, view.years, held_years)
    end = view.years[1]
    emp_col, ins_col = f"employees_{end}", f"insured_{end}"
    register_gap = ent["gap"].fillna(0).to_numpy(dtype=float) if len(ent) else np.zeros(0)
    if emp_col in ent and ent[emp_col].notna().any():
        year_gap = enrollment_gap(ent[emp_col].fillna(0).to_numpy(float), ent[ins_col].fillna(0).to_numpy(float))
        gap = np.where(ent[emp_col].notna().to_numpy(), year_gap, register_gap)
    else:
        gap = register_gap
    return pd.DataFrame(
        {
            "inj": parts["inj_w"].to_numpy(),
            "den": parts["den_w"].to_numpy(),
            "ins_end": parts["ins_end"].to_numpy(),
            "emp_end": parts["emp_end"].to_numpy(),
            "gap": np.asarray(gap, dtype=float),
            "workers": ent["employees"].fillna(0).to_numpy(dtype=float) if len(ent) else np.zeros(0),
            "rate_known": parts["rate_known"].to_numpy(),
            "ins_known": parts["ins_end_known"].to_numpy(),
            "trained": parts["trained_pop"].to_numpy(),
            "key_staff": parts["key_staff_pop"].to_numpy(),
            "trained_known": parts["trained_known"].to_numpy(),
        },
        index=ent.index,
    )


def _pneumoconiosis_by(view: FilteredView, keys: pd.Series) -> pd.Series:
    """New pneumoconiosis cases of the view per key (cases located by their enterprise)."""
    dis = view.diseases
    pn = dis[dis["disease"] == PNEUMOCONIOSIS]
    case_codes = pn["credit_code"].dropna().to_numpy(dtype=object)
    if case_codes.size == 0:
        return pd.Series(dtype=int)
    codes = view.enterprises["credit_code"]
    hit = _member(codes, pd.Index(pd.unique(case_codes)))  # the few enterprises with a case
    where = dict(zip(codes.to_numpy(dtype=object)[hit], keys.to_numpy()[hit], strict=True))
    found = [where[c] for c in case_codes if c in where]
    located = pd.Series(np.array(found, dtype=keys.to_numpy().dtype))
    return located.value_counts()


def eb_smooth(
    events: np.ndarray, population: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Marshall's global empirical-Bayes rates, with each group as its own reference.

    Parameters
    ----------
    events, population
        Events oᵢ and population nᵢ per cell.
    groups
        Reference group of each cell (the reporting unit).

    Returns
    -------
    (smoothed, weight)
        The smoothed rate per person (NaN where nᵢ = 0) and the weight wᵢ of the cell's own
        rate (see the module docstring for the formula).
    """
    o = np.asarray(events, dtype=float)
    n = np.asarray(population, dtype=float)
    g = pd.Series(np.asarray(groups, dtype=object))
    smoothed = np.full(o.shape, np.nan)
    weight = np.full(o.shape, np.nan)
    for _, idx in g.groupby(g, sort=False).groups.items():
        i = np.asarray(idx)
        i = i[n[i] > 0]
        if i.size == 0:
            continue
        big_n = n[i].sum()
        b = o[i].sum() / big_n
        r = o[i] / n[i]
        s2 = float((n[i] * (r - b) ** 2).sum() / big_n)
        nbar = big_n / i.size
        a = max(s2 - b / nbar, 0.0)
        if a == 0.0 and b == 0.0:
            w = np.zeros(i.size)
        else:
            w = a / (a + b / n[i])
        smoothed[i] = w * r + (1.0 - w) * b
        weight[i] = w
    return smoothed, weight


@dataclass(frozen=True)
class RateTable:
    """Rates per cell (hexagon or town) of a view.

    ``table`` has one row per cell holding at least one of the view's enterprises:
    ``cell``, ``unit`` (reporting unit holding most of its average insured), ``enterprises``,
    ``workers``, ``injuries``, ``avg_insured``, ``rate`` (人/万人; NaN when 样本不足 or no
    year of the range has an average), ``rate_eb`` (smoothed, when asked for, else NaN),
    ``eb_weight``, ``small_sample`` (bool), ``gap`` (uninsured workers), ``insured_end``,
    ``employees_end``, ``pneumoconiosis`` (new cases of the chosen years), and for
    hexagons ``lon``/``lat`` (centre).
    """

    table: pd.DataFrame
    kind: str  # "hexagon" or "town"
    resolution: int | None
    years: tuple[int, int]
    min_insured: float
    smoothed: bool


def _aggregate(
    view: FilteredView,
    held_years: tuple[int, ...],
    keys: pd.Series,
    min_insured: float,
    smooth: bool,
) -> pd.DataFrame:
    ent = view.enterprises
    parts = enterprise_parts(view, held_years)
    known = bool(parts["rate_known"].max()) if len(parts) else False
    frame = parts.assign(cell=keys.to_numpy(), unit=ent["reporting_unit"].to_numpy(), enterprises=1)
    frame = frame[pd.notna(frame["cell"]).to_numpy() & (frame["cell"] != 0).to_numpy()]
    sums = frame.groupby("cell", sort=True)[
        ["enterprises", "workers", "inj", "den", "gap", "ins_end", "emp_end"]
    ].sum()
    by_unit = frame.groupby(["cell", "unit"], sort=True)[["den", "enterprises"]].sum().reset_index()
    by_unit = by_unit.sort_values(["cell", "den", "enterprises", "unit"], ascending=[True, False, False, True])
    unit = by_unit.drop_duplicates("cell").set_index("cell")["unit"]
    out = pd.DataFrame({
        "cell": sums.index.to_numpy(),
        "unit": unit.reindex(sums.index).to_numpy(),
        "enterprises": sums["enterprises"].to_numpy(dtype=int),
        "workers": sums["workers"].to_numpy(),
        "injuries": sums["inj"].to_numpy(),
        "avg_insured": sums["den"].to_numpy(),
        "gap": sums["gap"].to_numpy(),
        "insured_end": sums["ins_end"].to_numpy(),
        "employees_end": sums["emp_end"].to_numpy(),
    })  # fmt: skip
    small = out["avg_insured"].to_numpy() < float(min_insured)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(out["avg_insured"] > 0, out["injuries"] / out["avg_insured"], np.nan)
    out["rate"] = np.where(small | (not known), np.nan, raw * ACCIDENT_RATE_PER)
    out["small_sample"] = small
    if smooth and known:
        eb, w = eb_smooth(out["injuries"].to_numpy(), out["avg_insured"].to_numpy(), out["unit"].to_numpy())
        out["rate_eb"] = np.where(small, np.nan, eb * ACCIDENT_RATE_PER)
        out["eb_weight"] = w
    else:
        out["rate_eb"] = np.nan
        out["eb_weight"] = np.nan
    pn = _pneumoconiosis_by(view, keys)
    out["pneumoconiosis"] = out["cell"].map(pn).fillna(0).astype(int).to_numpy()
    return out


def hexagon_rates(
    view: FilteredView,
    held_years: tuple[int, ...],
    resolution: int = CITY_RESOLUTION,
    *,
    min_insured: float = MIN_INSURED,
    smooth: bool = False,
    cells: np.ndarray | None = None,
) -> RateTable:
    """Accident rate and its parts per H3 hexagon of the view (see the module docstring).

    Parameters
    ----------
    view
        The filtered rows (scope and filters applied).
    held_years
        The years the data holds (``MapData.years``).
    resolution
        H3 resolution (:func:`resolution_for_zoom`).
    min_insured
        Least summed average insured of a cell with a rate.
    smooth
        Add the empirical-Bayes rate ``rate_eb``.
    cells
        The enterprises' cells if already known (same order as ``view.enterprises``).

    Returns
    -------
    RateTable
    """
    ent = view.enterprises
    if cells is None:
        cells = h3_cells(ent["lon"].to_numpy(float), ent["lat"].to_numpy(float), resolution)
    table = _aggregate(view, held_years, pd.Series(cells, index=ent.index), min_insured, smooth)
    lon, lat = cell_centres(table["cell"].to_numpy())
    table["lon"], table["lat"] = lon, lat
    return RateTable(table, "hexagon", resolution, view.years, float(min_insured), smooth)


def town_rates(
    view: FilteredView,
    held_years: tuple[int, ...],
    *,
    min_insured: float = MIN_INSURED,
    smooth: bool = False,
) -> RateTable:
    """Accident rate and its parts per town (乡镇/街道, ``town_code``), with ``name``."""
    from gsyf_geo.geography import towns

    ent = view.enterprises
    keys = ent["town_code"].astype(object).where(ent["town_code"].notna(), None)
    table = _aggregate(view, held_years, keys, min_insured, smooth)
    names = dict(zip(towns()["code"], towns()["name"], strict=True))
    table["name"] = table["cell"].map(names).fillna(table["cell"].astype(str))
    return RateTable(table, "town", None, view.years, float(min_insured), smooth)


def rate_text(rate: float | None, small: bool) -> str:
    """A cell's rate as shown: ``"52.3"``, ``"样本不足"`` or ``"无数据"``."""
    if small:
        return SMALL_SAMPLE
    if rate is None or pd.isna(rate):
        return "无数据"
    return f"{rate:.1f}"
