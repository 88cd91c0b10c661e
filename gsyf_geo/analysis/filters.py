"""The risk map's state (filters and view choices), its URL form, and applying it.

:class:`MapState` is what the sidebar sets and what a shared link carries
(:meth:`MapState.to_params` / :meth:`MapState.from_params`; unknown or malformed values
fall back to defaults, never raise). :func:`apply_state` turns a :class:`MapData` and a
state into a :class:`FilteredView`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from gsyf_geo.analysis.mapdata import MapData
from gsyf_geo.analysis.risk import RISK_GRADE_BY_ID, risk_grade, risk_points
from gsyf_geo.domain import (
    KEY_INDUSTRY_BY_ID,
    REPORTING_UNIT_BY_CODE,
    SIZE_CLASSES,
    default_risk_class,
)
from gsyf_geo.store import CITY, Scope

LAYERS: dict[str, str] = {
    "districts": "区县专题图",
    "enterprises": "企业",
    "projects": "在建工程项目",
    "bases": "宣传培训基地",
    "accidents": "事故热力图",
    "disease": "尘肺病",
    "rates": "万人事故率（六边形）",
    "hotspots": "热点分析（Gi*）",
}
DEFAULT_LAYERS: tuple[str, ...] = ("districts", "enterprises", "bases")
SIZE_IDS = tuple(s.id for s in SIZE_CLASSES)
CLASS_SCHEMES: dict[str, str] = {"natural_breaks": "自然断点", "quantiles": "分位数"}
COLOR_BY: dict[str, str] = {"auto": "随筛选", "industry": "重点行业", "grade": "风险等级"}
"""How enterprise points are coloured; ``"auto"`` follows the filters (:attr:`MapState.point_colors`)."""
RISK_WINDOW_YEARS = 3

# How a link writes years and towns: ASCII digits only (str.isdigit() also accepts "²" and other
# scripts' digits, which int() refuses; a 5,000-digit "year" is over int()'s digit limit).
YEARS_PARAM = re.compile(r"([0-9]{4})-([0-9]{4})")
TOWN_PARAM = re.compile(r"[0-9]{9}")


@dataclass(frozen=True)
class MapState:
    """Filters and view choices of the risk map.

    ``unit`` is ``"city"`` or a reporting-unit code (a district adcode, or ``"JKQ"``; the
    武进 code means 武进 without 经开区). ``years`` is an inclusive range; ``None`` means
    the latest year the data holds.
    """

    unit: str = "city"
    towns: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    layers: tuple[str, ...] = DEFAULT_LAYERS
    indicator: str = "accident_rate"
    basemap: str = "none"
    include_commuting: bool = False
    scheme: str = "natural_breaks"
    color_by: str = "auto"

    @property
    def scope(self) -> Scope:
        return CITY if self.unit == "city" else Scope.unit(self.unit)

    def year_range(self, data_years: tuple[int, ...]) -> tuple[int, int]:
        """The chosen years clipped to the data, or the default window."""
        if not data_years:
            return (2025, 2025)
        lo, hi = min(data_years), max(data_years)
        if self.years is None:
            return (hi, hi)
        a, b = sorted(self.years)
        return (min(max(a, lo), hi), min(max(b, lo), hi))

    @property
    def point_colors(self) -> str:
        """What enterprise points are coloured by: the chosen attribute, or under ``"auto"``
        the attribute the filters narrow (a risk-grade filter colours by grade), else industry."""
        if self.color_by in ("industry", "grade"):
            return self.color_by
        return "grade" if self.grades else "industry"

    def with_unit(self, unit: str) -> MapState:
        """The same state drilled into another unit (town choice cleared)."""
        return replace(self, unit=unit, towns=())

    # --- URL ------------------------------------------------------------------------------
    def to_params(self) -> dict[str, str]:
        """Query parameters for a shareable link (defaults are left out)."""
        default = MapState()
        out: dict[str, str] = {}
        if self.unit != default.unit:
            out["unit"] = self.unit
        for key in ("towns", "industries", "sizes", "grades"):
            if getattr(self, key):
                out[key] = ",".join(getattr(self, key))
        if self.years is not None:
            out["years"] = f"{self.years[0]}-{self.years[1]}"
        if self.layers != default.layers:
            out["layers"] = ",".join(self.layers) or "-"
        if self.indicator != default.indicator:
            out["indicator"] = self.indicator
        if self.basemap != default.basemap:
            out["basemap"] = self.basemap
        if self.include_commuting:
            out["commuting"] = "1"
        if self.scheme != default.scheme:
            out["scheme"] = self.scheme
        if self.color_by != default.color_by:
            out["color"] = self.color_by
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]], indicators: tuple[str, ...] = ()) -> MapState:
        """Read a state from query parameters; anything unknown falls back to the default."""

        def get(key: str) -> str:
            value = params.get(key, "")
            if isinstance(value, list):
                value = value[-1] if value else ""
            return str(value).strip()

        def listed(key: str, allowed) -> tuple[str, ...]:
            items = [v for v in get(key).split(",") if v]
            return tuple(dict.fromkeys(v for v in items if v in allowed))

        default = cls()
        unit = get("unit")
        years = None
        matched = YEARS_PARAM.fullmatch(get("years"))
        if matched:
            years = tuple(sorted((int(matched[1]), int(matched[2]))))
        layers_text = get("layers")
        layers = default.layers
        if layers_text == "-":
            layers = ()
        elif layers_text:
            layers = listed("layers", LAYERS)
        indicator = get("indicator")
        return cls(
            unit=unit if unit in REPORTING_UNIT_BY_CODE else "city",
            towns=tuple(t for t in get("towns").split(",") if TOWN_PARAM.fullmatch(t)),
            industries=listed("industries", KEY_INDUSTRY_BY_ID),
            sizes=listed("sizes", SIZE_IDS),
            grades=listed("grades", RISK_GRADE_BY_ID),
            years=years,
            layers=layers,
            indicator=indicator if indicator in indicators else default.indicator,
            basemap=get("basemap") or default.basemap,
            include_commuting=get("commuting") == "1",
            scheme=get("scheme") if get("scheme") in CLASS_SCHEMES else default.scheme,
            color_by=get("color") if get("color") in COLOR_BY else default.color_by,
        )


@dataclass
class FilteredView:
    """The rows a state selects. ``enterprises`` gains ``injuries_window`` (injuries in
    the chosen years), ``risk_points`` and ``grade``."""

    enterprises: pd.DataFrame
    injuries: pd.DataFrame
    projects: pd.DataFrame
    bases: pd.DataFrame
    diseases: pd.DataFrame
    years: tuple[int, int]


def _sum_years(df: pd.DataFrame, prefix: str, years: range) -> np.ndarray:
    cols = [f"{prefix}_{y}" for y in years if f"{prefix}_{y}" in df]
    if not cols:
        return np.zeros(len(df))
    return df[cols].to_numpy(dtype=float).sum(axis=1)


def _risk_class_or_default(ent: pd.DataFrame) -> np.ndarray:
    """Declared risk class, else the default class of the industry code; NaN when neither."""
    rc = pd.to_numeric(ent["risk_class"], errors="coerce").astype(float)
    missing = rc.isna().to_numpy()
    if missing.any() and "industry_code" in ent:
        codes = ent["industry_code"].to_numpy(dtype=object)[missing]
        found = [default_risk_class(c) if isinstance(c, str) else None for c in codes]
        rc = rc.to_numpy(copy=True)
        rc[missing] = [np.nan if f is None else float(f) for f in found]
        return rc
    return rc.to_numpy()


def grade_enterprises(ent: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    """Add injury counts of the range, and risk points and grade (see :mod:`.risk`).

    The grade looks at the :data:`RISK_WINDOW_YEARS` years ending with the range's last.
    """
    window = range(years[1] - RISK_WINDOW_YEARS + 1, years[1] + 1)
    out = ent.copy()
    out["injuries_window"] = _sum_years(ent, "injuries", range(years[0], years[1] + 1)).astype(int)
    out["risk_points"] = risk_points(
        _risk_class_or_default(ent),
        _sum_years(ent, "injuries", window),
        _sum_years(ent, "fatal", window),
        ent["insured"].to_numpy(dtype=float),
        ent["employees"].to_numpy(dtype=float),
    )
    out["grade"] = risk_grade(out["risk_points"].to_numpy())
    return out


def _in_unit(df: pd.DataFrame, unit: str) -> np.ndarray:
    if unit == "city" or df.empty:
        return np.ones(len(df), dtype=bool)
    return (df["reporting_unit"] == unit).to_numpy().copy()  # writable: callers narrow it in place


def apply_state(data: MapData, state: MapState) -> FilteredView:
    """Select what ``state`` asks for from ``data``."""
    years = state.year_range(data.years)
    ent = data.enterprises
    keep = _in_unit(ent, state.unit)
    if state.towns:
        keep &= ent["town_code"].isin(state.towns).to_numpy()
    if state.industries:
        keep &= ent["key_industry"].isin(state.industries).to_numpy()
    if state.sizes:
        keep &= ent["size"].isin(state.sizes).to_numpy()
    ent = grade_enterprises(ent[keep], years)
    if state.grades:
        ent = ent[ent["grade"].isin(state.grades)]

    inj = data.injuries
    k = _in_unit(inj, state.unit) & inj["year"].between(*years).fillna(False).to_numpy()
    if not state.include_commuting:
        k &= ~inj["commuting"].astype(bool).to_numpy()
    if state.towns:
        k &= inj["town_code"].isin(state.towns).to_numpy()
    if state.industries:
        k &= inj["key_industry"].isin(state.industries).to_numpy()
    if state.sizes or state.grades:
        k &= inj["credit_code"].isin(ent["credit_code"]).to_numpy()

    pr = data.projects
    kp = _in_unit(pr, state.unit) & pr["year"].between(*years).fillna(False).to_numpy()
    if state.towns:
        kp &= pr["town_code"].isin(state.towns).to_numpy()

    dis = data.diseases
    kd = _in_unit(dis, state.unit) & dis["year"].between(*years).fillna(False).to_numpy()
    if state.industries:
        kd &= dis["key_industry"].isin(state.industries).to_numpy()

    return FilteredView(
        enterprises=ent.reset_index(drop=True),
        injuries=inj[k].reset_index(drop=True),
        projects=pr[kp].reset_index(drop=True),
        bases=data.bases[_in_unit(data.bases, state.unit)].reset_index(drop=True),
        diseases=dis[kd].reset_index(drop=True),
        years=years,
    )
