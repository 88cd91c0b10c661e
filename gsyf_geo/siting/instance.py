"""The inputs of a siting problem: demand points, sites and reach, checked and explained.

A :class:`SitingInstance` holds

* ``demand``: one row per key-industry enterprise with ``demand_id``, ``name``,
  ``district``, ``reporting_unit``, ``key_industry``, ``lon``/``lat`` (WGS-84),
  ``x``/``y`` (EPSG:4549 metres) and ``weight``;
* ``sites``: one row per site with ``site_code``, ``name``, ``kind``, ``status``,
  ``district``, ``lon``/``lat``, ``x``/``y``, ``capacity`` (seats, NaN when unknown),
  ``fixed`` (always open) and ``added`` (clicked on the map).

Existing bases (status ``existing``) are fixed: always open and **not** counted in ``p``.
The plan's target is 10 bases in all (:func:`plan_base_target`), so ``p`` is the number of
new bases to choose among the candidates (status ``candidate`` or ``planned``, plus points
the planner adds on the map).

Reach is a straight-line radius in EPSG:4549; with a road-detour factor ``d`` a site
reaches points within ``radius / d``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gsyf_geo.crs import METRIC_CRS, WGS84, to_metric
from gsyf_geo.domain import (
    DISTRICT_BY_ADCODE,
    KEY_INDUSTRIES,
    KEY_INDUSTRY_BY_ID,
    KEY_INDUSTRY_BY_NAME,
    BaseStatus,
    reporting_unit_for,
)
from gsyf_geo.geography import locate_district
from gsyf_geo.siting.errors import SitingError
from gsyf_geo.siting.weights import WEIGHTS, demand_weights, weight_of

DEFAULT_RADIUS_KM = 15.0
MAX_RADIUS_KM = 200.0
FIXED_STATUSES = frozenset({BaseStatus.EXISTING.value})
CANDIDATE_STATUSES = frozenset({BaseStatus.CANDIDATE.value, BaseStatus.PLANNED.value})
ADDED_KIND = "地图新增"
ADDED_STATUS = "added"

ROLE_NAMES: dict[str, str] = {
    "existing": "已建（固定开放）",
    "chosen": "新选址",
    "candidate": "候选（未选）",
}

DEMAND_COLUMNS = (
    "demand_id", "name", "district", "reporting_unit", "key_industry", "lon", "lat", "x", "y",
    "weight",
)  # fmt: skip
SITE_COLUMNS = (
    "site_code", "name", "kind", "status", "district", "lon", "lat", "x", "y", "capacity",
    "fixed", "added",
)  # fmt: skip


def plan_base_target() -> int:
    """Number of training bases the default plan asks for by its end (10 for 2021–2025)."""
    try:
        from gsyf_geo.plan import default_plan

        for target in default_plan().targets:
            if target.id == "training_bases" and target.target is not None:
                return int(target.target)
    except Exception:  # noqa: BLE001 - a broken plan file must not break siting
        pass
    return 10


def parse_industries(industries: Iterable[str] | None) -> tuple[str, ...]:
    """Key-industry ids from ids or Chinese names; empty means all nine.

    Raises
    ------
    SitingError
        For a name that is not a key industry.
    """
    if not industries:
        return ()
    out: list[str] = []
    for item in industries:
        for part in str(item).replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if part in KEY_INDUSTRY_BY_ID:
                ident = part
            elif part in KEY_INDUSTRY_BY_NAME:
                ident = KEY_INDUSTRY_BY_NAME[part].id
            else:
                names = "、".join(k.name for k in KEY_INDUSTRIES)
                raise SitingError(f"未知的重点行业「{part}」，可选：{names}")
            if ident not in out:
                out.append(ident)
    return tuple(out)


def district_name(adcode: Any) -> str:
    """Chinese name of a district adcode (the code itself when unknown)."""
    d = DISTRICT_BY_ADCODE.get(str(adcode))
    return d.name if d else str(adcode)


@dataclass(frozen=True)
class SitingInstance:
    """Checked inputs of a siting problem (see the module docstring)."""

    demand: pd.DataFrame
    sites: pd.DataFrame
    radius_km: float
    detour: float = 1.0
    weight: str = "workers"
    weight_label: str = "职工人数"
    weight_unit: str = "人"
    industries: tuple[str, ...] = ()
    scope: str = "city"
    scope_label: str = "常州市"
    capacity_scale: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    cost: np.ndarray | None = field(default=None, repr=False, compare=False)
    """Demand × site distances in metres when given as a matrix (:func:`instance_from_cost_matrix`,
    e.g. road distances from a routing engine); None: straight lines between ``x``/``y``."""

    @property
    def radius_m(self) -> float:
        """Effective straight-line reach in metres: radius / detour."""
        return self.radius_km * 1000.0 / self.detour

    @property
    def fixed(self) -> np.ndarray:
        return self.sites["fixed"].to_numpy(dtype=bool)

    @property
    def n_candidates(self) -> int:
        return int((~self.fixed).sum())

    @property
    def capacitated(self) -> np.ndarray:
        """Per site: the model must respect its capacity."""
        if self.capacity_scale is None:
            return np.zeros(len(self.sites), dtype=bool)
        return self.sites["capacity"].notna().to_numpy()

    @property
    def capacity_weight(self) -> np.ndarray:
        """Capacity of each site in demand units (seats × ``capacity_scale``; inf if none)."""
        cap = self.sites["capacity"].to_numpy(dtype=float)
        scale = self.capacity_scale if self.capacity_scale is not None else np.nan
        out = cap * scale
        return np.where(self.capacitated, out, np.inf)

    def parameters(self) -> dict[str, Any]:
        """The instance's parameters as plain JSON-able values."""
        added = self.sites[self.sites["added"]]
        return {
            "scope": self.scope,
            "weight": self.weight,
            "industries": list(self.industries),
            "radius_km": self.radius_km,
            "detour": self.detour,
            "capacity_scale": self.capacity_scale,
            "extra_candidates": [
                {"lon": float(r.lon), "lat": float(r.lat), "name": str(r.name)}
                for r in added.itertuples()
            ],
        }

    def with_reach(
        self, radius_km: float | None = None, detour: float | None = None
    ) -> SitingInstance:
        """The same demand and sites with another reach."""
        radius_km = self.radius_km if radius_km is None else radius_km
        detour = self.detour if detour is None else detour
        check_reach(radius_km, detour)
        return replace(self, radius_km=float(radius_km), detour=float(detour))


def check_reach(radius_km: float, detour: float) -> None:
    """Raise a :class:`SitingError` for a radius or detour factor that makes no sense."""
    if radius_km is None or not np.isfinite(radius_km) or radius_km <= 0:
        raise SitingError(f"服务半径须大于 0 公里（当前为 {radius_km}）")
    if radius_km > MAX_RADIUS_KM:
        raise SitingError(
            f"服务半径 {radius_km:g} 公里过大（最大 {MAX_RADIUS_KM:g} 公里，已超出全市范围）"
        )
    if detour is None or not np.isfinite(detour) or detour < 1:
        raise SitingError(f"道路绕行系数须不小于 1（当前为 {detour}）：直线距离不会长于道路距离")


def _check_capacity_scale(scale: float | None) -> float | None:
    if scale is None:
        return None
    if not np.isfinite(scale) or scale <= 0:
        raise SitingError(f"每个座位可服务的需求量须大于 0（当前为 {scale}）")
    return float(scale)


def _lonlat(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 lon/lat of a (Geo)DataFrame: from its point geometry, else lon/lat columns."""
    if (
        isinstance(frame, gpd.GeoDataFrame)
        and frame.geometry.name in frame
        and frame.crs is not None
    ):
        geo = frame.geometry.to_crs(WGS84).values
        return shapely.get_x(geo).astype(float), shapely.get_y(geo).astype(float)
    if {"lon", "lat"} <= set(frame.columns):
        return frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float)
    raise SitingError("数据缺少位置：需要点几何（带坐标系）或 lon/lat 列")


def _metric_xy(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """EPSG:4549 x/y straight from a projected point geometry (one transform, no WGS-84 round trip).

    A point given in EPSG:4549 keeps its coordinates bit for bit, so a distance that is exactly
    the radius stays exactly the radius. None when the frame has no geometry with a CRS.
    """
    if (
        isinstance(frame, gpd.GeoDataFrame)
        and frame.geometry.name in frame
        and frame.crs is not None
        and len(frame)
    ):
        geo = frame.geometry
        if not geo.crs.equals(METRIC_CRS):
            geo = geo.to_crs(METRIC_CRS)
        return shapely.get_x(geo.values).astype(float), shapely.get_y(geo.values).astype(float)
    return None


def _text_column(frame: pd.DataFrame, name: str, default: Sequence[Any] | Any) -> np.ndarray:
    if name in frame:
        return frame[name].astype(object).to_numpy()
    if isinstance(default, np.ndarray | list | tuple | pd.Series):
        return np.asarray(default, dtype=object)
    return np.full(len(frame), default, dtype=object)


def build_sites(
    bases: pd.DataFrame, extra_candidates: Any = None, *, check_city: bool = True
) -> pd.DataFrame:
    """Sites from training-base rows plus points added on the map.

    Parameters
    ----------
    bases
        Rows with ``site_code``, ``name``, ``status`` (``existing`` rows are fixed, or a
        boolean ``fixed`` column), optional ``kind``, ``capacity``, ``district``; located by
        a point geometry or ``lon``/``lat``.
    extra_candidates
        Points added by the planner: ``(lon, lat)`` pairs, dicts with ``lon``, ``lat`` and
        optional ``name``/``capacity``, or a DataFrame with those columns (WGS-84).
    check_city
        Require every site to lie inside 常州市.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SITE_COLUMNS`.

    Raises
    ------
    SitingError
        A fixed base without coordinates or outside the city, a candidate outside the
        city, an added point outside the city, or a negative capacity.
    """
    bases = bases.reset_index(drop=True)
    lon, lat = _lonlat(bases) if len(bases) else (np.zeros(0), np.zeros(0))
    given_xy = _metric_xy(bases)
    status = _text_column(bases, "status", BaseStatus.CANDIDATE.value).astype(str)
    if "fixed" in bases:
        fixed = bases["fixed"].fillna(False).to_numpy(dtype=bool)
    else:
        fixed = np.isin(status, list(FIXED_STATUSES))
    code = _text_column(bases, "site_code", [f"SITE-{i + 1:03d}" for i in range(len(bases))])
    name = _text_column(bases, "name", code)
    keep = fixed | np.isin(status, list(CANDIDATE_STATUSES)) | ("fixed" in bases)
    out = pd.DataFrame({
        "site_code": code.astype(str),
        "name": name.astype(str),
        "kind": _text_column(bases, "kind", "").astype(str),
        "status": status,
        "district": _text_column(bases, "district", None),
        "lon": lon,
        "lat": lat,
        "capacity": pd.to_numeric(bases["capacity"], errors="coerce").to_numpy(dtype=float)
        if "capacity" in bases else np.full(len(bases), np.nan),
        "fixed": fixed,
        "added": False,
        "gx": given_xy[0] if given_xy else np.nan,
        "gy": given_xy[1] if given_xy else np.nan,
    })[keep].reset_index(drop=True)  # fmt: skip

    extra = _extra_frame(extra_candidates)
    if len(extra):
        out = pd.concat([out, extra], ignore_index=True)
    out["fixed"] = out["fixed"].astype(bool)
    out["added"] = out["added"].astype(bool)

    missing = out["lon"].isna() | out["lat"].isna()
    for row in out[missing & out["fixed"]].itertuples():
        raise SitingError(f"固定基地「{row.name}」缺少坐标，无法计算其覆盖范围，请先补全地址定位")
    out = out[~missing].reset_index(drop=True)
    if (out["capacity"] < 0).any():
        bad = out[out["capacity"] < 0].iloc[0]
        raise SitingError(f"基地「{bad['name']}」的座位容量为负数（{bad['capacity']:g}）")
    if check_city and len(out):
        located = locate_district(out["lon"].to_numpy(), out["lat"].to_numpy())
        outside = pd.isna(pd.Series(located))
        for i in np.flatnonzero(outside.to_numpy()):
            row = out.iloc[i]
            where = f"（经度 {row['lon']:.5f}，纬度 {row['lat']:.5f}）"
            if row["fixed"]:
                raise SitingError(f"固定基地「{row['name']}」位于常州市域外{where}，请核对其坐标")
            if row["added"]:
                raise SitingError(f"新增候选点{where}位于常州市域外，请在常州市范围内点选")
            raise SitingError(f"候选点「{row['name']}」位于常州市域外{where}，请核对其坐标")
        blank = out["district"].isna() | (out["district"].astype(str).isin(["", "None", "nan"]))
        out.loc[blank, "district"] = located[blank.to_numpy()]
    x, y = to_metric(out["lon"].to_numpy(dtype=float), out["lat"].to_numpy(dtype=float))
    gx = out["gx"].to_numpy(dtype=float) if "gx" in out else np.full(len(out), np.nan)
    gy = out["gy"].to_numpy(dtype=float) if "gy" in out else np.full(len(out), np.nan)
    out["x"] = np.where(np.isfinite(gx), gx, np.asarray(x, dtype=float))
    out["y"] = np.where(np.isfinite(gy), gy, np.asarray(y, dtype=float))
    if out["site_code"].duplicated().any():
        dup = out.loc[out["site_code"].duplicated(), "site_code"].iloc[0]
        raise SitingError(f"站点编号「{dup}」重复，无法区分两个站点")
    return out[list(SITE_COLUMNS)]


def _extra_frame(extra: Any) -> pd.DataFrame:
    """Normalise clicked points to site rows (status ``added``, never fixed)."""
    if extra is None:
        return pd.DataFrame(columns=list(SITE_COLUMNS))
    if isinstance(extra, pd.DataFrame):
        rows = extra.to_dict("records")
    else:
        rows = []
        for item in extra:
            if isinstance(item, dict):
                rows.append(dict(item))
            else:
                lon, lat = item
                rows.append({"lon": lon, "lat": lat})
    if not rows:
        return pd.DataFrame(columns=list(SITE_COLUMNS))
    out = []
    for i, r in enumerate(rows, start=1):
        try:
            lon, lat = float(r["lon"]), float(r["lat"])
        except (KeyError, TypeError, ValueError):
            raise SitingError(f"第 {i} 个新增候选点缺少有效的经纬度") from None
        out.append({
            "site_code": str(r.get("site_code") or f"ADD-{i:03d}"),
            "name": str(r.get("name") or f"新增候选点{i}"),
            "kind": ADDED_KIND,
            "status": ADDED_STATUS,
            "district": None,
            "lon": lon,
            "lat": lat,
            "capacity": float(r["capacity"]) if r.get("capacity") is not None else np.nan,
            "fixed": False,
            "added": True,
        })  # fmt: skip
    return pd.DataFrame(out)


def build_demand(
    enterprises: pd.DataFrame,
    weight: str,
    industries: Sequence[str] = (),
    injuries: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Demand points from enterprise rows: key industries only, located, weighted.

    Parameters
    ----------
    enterprises
        Enterprise rows (store columns), located by a point geometry or ``lon``/``lat``.
    weight
        A weight id of :data:`gsyf_geo.siting.weights.WEIGHTS`, or the name of a numeric
        column of ``enterprises`` holding the weights.
    industries
        Key-industry ids to keep (empty: all key industries).
    injuries
        Work injuries, for the ``risk`` weight.

    Returns
    -------
    (demand, notes)
        Columns :data:`DEMAND_COLUMNS`; notes in Chinese about rows left out.
    """
    notes: list[str] = []
    ent = enterprises.reset_index(drop=True)
    if weight not in WEIGHTS and weight not in ent:
        weight_of(weight)  # raises with the list of weights
    if "key_industry" in ent:
        key = ent["key_industry"]
        mask = key.notna().to_numpy().copy()
        if industries:
            mask &= key.isin(list(industries)).to_numpy()
        ent = ent[mask].reset_index(drop=True)
    elif industries:
        raise SitingError("需求数据没有 key_industry 列，无法按行业筛选")
    if ent.empty:
        return pd.DataFrame(columns=list(DEMAND_COLUMNS)), notes
    lon, lat = _lonlat(ent)
    given_xy = _metric_xy(ent)
    if weight in ent and weight not in WEIGHTS:
        w = pd.to_numeric(ent[weight], errors="coerce").fillna(0).to_numpy(dtype=float)
        if (w < 0).any():
            raise SitingError(f"需求权重列「{weight}」含负数")
    else:
        w = demand_weights(ent, weight, injuries)
    ident = _text_column(ent, "credit_code", None)
    if "demand_id" in ent:
        ident = ent["demand_id"].astype(object).to_numpy()
    if pd.isna(pd.Series(ident)).all():
        ident = np.array([f"D{i + 1:06d}" for i in range(len(ent))], dtype=object)
    district = _text_column(ent, "district", None)
    if pd.isna(pd.Series(district)).any():
        found = locate_district(lon, lat)
        district = np.where(pd.isna(pd.Series(district)), found, district)
    town = _text_column(ent, "town_code", None)
    if "reporting_unit" in ent:
        unit = ent["reporting_unit"].astype(object).to_numpy()
    else:
        unit = np.array(
            [reporting_unit_for(str(d), t) for d, t in zip(district, town, strict=True)],
            dtype=object,
        )
    demand = pd.DataFrame({
        "demand_id": pd.Series(ident).astype(str).to_numpy(),
        "name": _text_column(ent, "name", ident).astype(str),
        "district": pd.Series(district).astype(str).to_numpy(),
        "reporting_unit": pd.Series(unit).astype(str).to_numpy(),
        "key_industry": _text_column(ent, "key_industry", None),
        "lon": lon,
        "lat": lat,
        "weight": w,
        "gx": given_xy[0] if given_xy else np.nan,
        "gy": given_xy[1] if given_xy else np.nan,
    })  # fmt: skip
    no_place = demand["lon"].isna() | demand["lat"].isna()
    if no_place.any():
        notes.append(f"{int(no_place.sum()):,} 家企业缺少坐标，未纳入选址计算")
        demand = demand[~no_place].reset_index(drop=True)
    x, y = to_metric(demand["lon"].to_numpy(dtype=float), demand["lat"].to_numpy(dtype=float))
    gx, gy = demand["gx"].to_numpy(dtype=float), demand["gy"].to_numpy(dtype=float)
    demand["x"] = np.where(np.isfinite(gx), gx, np.asarray(x, dtype=float))
    demand["y"] = np.where(np.isfinite(gy), gy, np.asarray(y, dtype=float))
    return demand[list(DEMAND_COLUMNS)], notes


def make_instance(
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    radius_km: float,
    detour: float,
    weight: str,
    industries: Sequence[str],
    capacity_scale: float | None,
    scope: str = "city",
    scope_label: str = "常州市",
    notes: Sequence[str] = (),
) -> SitingInstance:
    """Assemble and check a :class:`SitingInstance`.

    Raises
    ------
    SitingError
        Bad reach or capacity scale, no demand, zero total demand, or no site.
    """
    check_reach(radius_km, detour)
    capacity_scale = _check_capacity_scale(capacity_scale)
    label, unit = (
        (WEIGHTS[weight].name, WEIGHTS[weight].unit) if weight in WEIGHTS else (weight, "")
    )
    filt = (
        "、".join(KEY_INDUSTRY_BY_ID[k].name for k in industries) if industries else "全部重点行业"
    )
    if demand.empty:
        raise SitingError(f"{scope_label}范围内没有符合条件的企业（{filt}），无法选址")
    if float(demand["weight"].sum()) <= 0:
        raise SitingError(
            f"{scope_label}范围内所选企业（{filt}）的需求量「{label}」合计为 0，无需选址"
        )
    if sites.empty:
        raise SitingError(f"{scope_label}范围内没有任何已建基地或候选点，无法选址")
    return SitingInstance(
        demand=demand.reset_index(drop=True),
        sites=sites.reset_index(drop=True),
        radius_km=float(radius_km),
        detour=float(detour),
        weight=weight,
        weight_label=label,
        weight_unit=unit,
        industries=tuple(industries),
        scope=scope,
        scope_label=scope_label,
        capacity_scale=capacity_scale,
        notes=tuple(notes),
    )


ENTERPRISE_COLUMNS = (
    "credit_code", "name", "key_industry", "industry_code", "risk_class", "employees", "key_staff",
    "key_staff_trained", "district", "town_code", "reporting_unit", "lon", "lat",
)  # fmt: skip


def instance_from_store(
    store,
    scope=None,
    *,
    weight: str = "workers",
    industries: Iterable[str] | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    detour: float = 1.0,
    extra_candidates: Any = None,
    capacity_scale: float | None = None,
) -> SitingInstance:
    """Read demand and sites of ``scope`` from the store and build an instance.

    Demand: the scope's key-industry enterprises (optionally some industries only).
    Sites: the scope's training bases (existing ones fixed; candidate and planned ones
    candidates) and the points in ``extra_candidates``.
    """
    from gsyf_geo.store.scope import CITY

    scope = scope or CITY
    check_reach(radius_km, detour)
    weight_of(weight)
    inds = parse_industries(industries)
    table = store.table("enterprise")
    where = [table.c.key_industry.is_not(None)]
    if inds:
        where.append(table.c.key_industry.in_(inds))
    ent = store.read("enterprise", scope, where=where, columns=list(ENTERPRISE_COLUMNS))
    injuries = None
    if weight == "risk":
        injuries = store.read(
            "work_injury", scope, columns=["credit_code", "injury_date", "commuting"]
        )
    demand, notes = build_demand(pd.DataFrame(ent.drop(columns="geometry")), weight, inds, injuries)
    bases = store.read("training_base", scope)
    sites = build_sites(pd.DataFrame(bases.drop(columns="geometry")), extra_candidates)
    return make_instance(
        demand, sites, radius_km=radius_km, detour=detour, weight=weight, industries=inds,
        capacity_scale=capacity_scale, scope=str(scope), scope_label=scope.label, notes=notes,
    )  # fmt: skip


def instance_from_frames(
    demand_gdf: pd.DataFrame,
    sites_gdf: pd.DataFrame,
    *,
    weight: str = "workers",
    industries: Iterable[str] | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    detour: float = 1.0,
    extra_candidates: Any = None,
    capacity_scale: float | None = None,
    injuries: pd.DataFrame | None = None,
    check_city: bool = True,
) -> SitingInstance:
    """Build an instance from (Geo)DataFrames (see :func:`build_demand`, :func:`build_sites`)."""
    check_reach(radius_km, detour)
    inds = parse_industries(industries)
    demand, notes = build_demand(demand_gdf, weight, inds, injuries)
    sites = build_sites(sites_gdf, extra_candidates, check_city=check_city)
    return make_instance(
        demand, sites, radius_km=radius_km, detour=detour, weight=weight, industries=inds,
        capacity_scale=capacity_scale, notes=notes,
    )  # fmt: skip


def instance_from_cost_matrix(
    cost_matrix: Any,
    weights: Any,
    *,
    radius_km: float = DEFAULT_RADIUS_KM,
    fixed: Any = None,
    capacity: Any = None,
    capacity_scale: float | None = None,
    demand_names: Sequence[str] | None = None,
    site_names: Sequence[str] | None = None,
    weight_label: str = "需求量",
) -> SitingInstance:
    """Build an instance from a demand × site distance matrix (metres), as spopt's ``from_cost_matrix``.

    Use it for network distances from a routing engine: a site reaches a demand point when
    their distance is at most ``radius_km`` (within :data:`gsyf_geo.siting.coverage.REACH_RTOL`),
    and p-median minimises Σ weight × distance.

    Parameters
    ----------
    cost_matrix
        ``(n, m)`` distances in metres (finite, not negative).
    weights
        ``n`` demand weights (not negative).
    radius_km
        Reach in km (the same distance as the matrix, divided by 1000).
    fixed
        ``m`` booleans: sites that are always open (existing bases, not counted in ``p``).
    capacity, capacity_scale
        Seats per site and the demand one seat serves (as in :func:`instance_from_frames`).
    demand_names, site_names
        Labels for the result tables (default 需求点1…, 站点1…).
    weight_label
        What the weights count (shown in results).

    Raises
    ------
    SitingError
        A matrix that is not two-dimensional, does not match the weights, or holds negative
        or missing distances.
    """
    check_reach(radius_km, 1.0)
    try:
        cost = np.asarray(cost_matrix, dtype=float)
        w = np.asarray(weights, dtype=float).ravel()
    except (TypeError, ValueError):
        raise SitingError("距离矩阵和需求权重须为数值") from None
    if cost.ndim != 2:
        raise SitingError(f"距离矩阵须为二维（需求点 × 站点），当前为 {cost.ndim} 维")
    n, m = cost.shape
    if w.size != n:
        raise SitingError(f"需求权重有 {w.size} 个，距离矩阵有 {n} 行，二者须一致")
    if not np.isfinite(cost).all() or (cost < 0).any():
        raise SitingError("距离矩阵含缺失、无穷或负的距离；不可达的组合请填入一个足够大的距离")
    if not np.isfinite(w).all() or (w < 0).any():
        raise SitingError("需求权重含缺失或负数")
    fixed_arr = np.zeros(m, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool).ravel()
    if fixed_arr.size != m:
        raise SitingError(f"固定站点标记有 {fixed_arr.size} 个，距离矩阵有 {m} 列，二者须一致")
    cap = np.full(m, np.nan) if capacity is None else np.asarray(capacity, dtype=float).ravel()
    if cap.size != m:
        raise SitingError(f"座位容量有 {cap.size} 个，距离矩阵有 {m} 列，二者须一致")
    if (cap < 0).any():
        raise SitingError("座位容量含负数")
    demand = pd.DataFrame({
        "demand_id": [f"D{i + 1:06d}" for i in range(n)],
        "name": list(demand_names) if demand_names is not None else [f"需求点{i + 1}" for i in range(n)],
        "district": "",
        "reporting_unit": "",
        "key_industry": None,
        "lon": np.nan, "lat": np.nan, "x": np.nan, "y": np.nan,
        "weight": w,
    })  # fmt: skip
    sites = pd.DataFrame({
        "site_code": [f"S{j + 1:04d}" for j in range(m)],
        "name": list(site_names) if site_names is not None else [f"站点{j + 1}" for j in range(m)],
        "kind": "",
        "status": np.where(fixed_arr, "existing", "candidate"),
        "district": "",
        "lon": np.nan, "lat": np.nan, "x": np.nan, "y": np.nan,
        "capacity": cap,
        "fixed": fixed_arr,
        "added": False,
    })  # fmt: skip
    inst = make_instance(
        demand[list(DEMAND_COLUMNS)], sites[list(SITE_COLUMNS)], radius_km=radius_km, detour=1.0,
        weight="custom", industries=(), capacity_scale=capacity_scale, scope="matrix",
        scope_label="距离矩阵",
    )  # fmt: skip
    return replace(inst, cost=cost, weight_label=weight_label, weight_unit="")
