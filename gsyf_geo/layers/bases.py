"""Publicity/training bases: existing and planned, with their service radius.

The number of bases to build is the plan's (``Plan.target_for_metric("training_bases")``,
with its wording and tolerance: “10家左右”, ≥ 9 met), never a constant here. It is a city
total: for a district or reporting unit the count is shown as the unit's part of the city
(“1 家，占全市 11.1%”), not against the city target (:func:`base_figure`).
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import pandas as pd

from gsyf_geo.crs import from_wgs84
from gsyf_geo.domain import BASE_STATUS_NAMES
from gsyf_geo.layers.canvas import CardStyle, CircleLayer, RadiusCircles
from gsyf_geo.layers.districts import Legend, legend_html
from gsyf_geo.monitor.status import is_met, number_text, target_for_metric, tolerance_text
from gsyf_geo.plan import Plan, Target

BASE_METRIC = "training_bases"
SERVICE_RADIUS_KM = 15.0
STATUS_COLORS = {"existing": "#1f4e9c", "planned": "#f28c28", "candidate": "#9e9e9e"}
CARD_LABELS = ("类型", "状态", "年份", "容量（座）", "地址")


@dataclass(frozen=True)
class BaseFigure:
    """The built bases as the map shows them (tile and legend).

    Attributes
    ----------
    value
        ``"9 / 10"`` for the city (built / the plan's number), ``"1"`` for a unit.
    note
        The rule or share: ``"10家左右：≥ 9家即达标（容差10%）"``, ``"占全市 11.1%（全市 9 家）…"``.
    met
        Whether the city meets the plan's target (``None`` for a unit, or without a target).
    """

    value: str
    note: str
    met: bool | None


def base_target(plan: Plan | None) -> Target | None:
    """The plan's target on the number of bases (``None`` without one)."""
    return target_for_metric(plan, BASE_METRIC)


def base_figure(
    existing: int, target: Target | None, city_existing: int | None = None, in_unit: bool | None = None
) -> BaseFigure:
    """How ``existing`` built bases read against the plan.

    Parameters
    ----------
    existing
        Bases built in the view (the city, or a unit).
    target
        The plan's target (:func:`base_target`), or ``None``.
    city_existing
        The whole city's count when the view is a district or unit (``None`` for the city):
        the unit is then shown as its part of the city, not judged against the city target.
    in_unit
        Whether the view is a district or unit (default: ``city_existing`` is given). A unit
        whose city count is unknown (a user who may see only that unit) is not judged either.
    """
    if in_unit is None:
        in_unit = city_existing is not None
    if in_unit and city_existing is None:
        return BaseFigure(f"{existing}", "全市目标不分解到区县", None)
    if in_unit:
        share = f"占全市 {existing / city_existing:.1%}（全市 {city_existing} 家）" if city_existing else "全市无已建基地"
        return BaseFigure(f"{existing}", f"{share}；全市目标不分解到区县", None)
    if target is None or target.target is None:
        return BaseFigure(f"{existing}", "计划未设基地数目标", None)
    goal = f"{target.target:g}"
    met = is_met(target, float(existing), None)
    rule = tolerance_text(target, lambda v: f"{number_text(v)}家") or f"≥ {goal}家即达标"
    return BaseFigure(f"{existing} / {goal}", f"{rule}：{'已达到' if met else '未达到'}", met)


def base_layer(
    bases: pd.DataFrame,
    *,
    year: int,
    radius_km: float = SERVICE_RADIUS_KM,
    statuses: tuple[str, ...] = ("existing", "planned"),
    target: Target | None = None,
    city_existing: int | None = None,
    in_unit: bool | None = None,
    gcj02: bool = False,
    name: str = "宣传培训基地",
) -> folium.FeatureGroup:
    """Bases of the chosen statuses as markers with a service circle of ``radius_km``.

    A base counts as existing in ``year`` when its status is existing and its year is not
    later. For the city (``city_existing`` None, ``in_unit`` not set) the legend compares
    that count with the plan's ``target``; for a unit it gives the unit's share of
    ``city_existing`` (:func:`base_figure`).
    """
    group = folium.FeatureGroup(name=name, show=True)
    df = bases[bases["status"].isin(statuses) & bases["lon"].notna()].copy()
    df = df[(df["status"] != "existing") | (df["year"].fillna(0) <= year)]
    lon, lat = df["lon"].to_numpy(float), df["lat"].to_numpy(float)
    if gcj02 and len(df):
        lon, lat = from_wgs84(lon, lat, "gcj02")
    statuses_ = df["status"].tolist()
    RadiusCircles(
        lat, lon, radius_km * 1000, [STATUS_COLORS[st] for st in statuses_],
        dashed=[st != "existing" for st in statuses_],
    ).add_to(group)
    CardStyle().add_to(group)
    values = [
        [kind, BASE_STATUS_NAMES.get(status, status), "" if pd.isna(y) else int(y),
         "" if pd.isna(cap) else int(cap), addr or ""]
        for kind, status, y, cap, addr in zip(
            df["kind"], df["status"], df["year"], df["capacity"], df["address"], strict=True
        )
    ]  # fmt: skip
    CircleLayer(
        lat, lon, [STATUS_COLORS[s] for s in df["status"]], radius=9, ids=df["site_code"].tolist(),
        kind="base", tooltips=df["name"].tolist(), card_title=df["name"].tolist(),
        card_labels=CARD_LABELS, card_values=values, stroke="#ffffff",
    ).add_to(group)  # fmt: skip
    existing = int((df["status"] == "existing").sum())
    rows = [(STATUS_COLORS[s], BASE_STATUS_NAMES[s]) for s in statuses]
    fig = base_figure(existing, target, city_existing, in_unit)
    if fig.met is not None and target is not None and target.target is not None:
        count = f"已建 {existing} / 目标 {target.target:g} 家（{fig.note}）"
    else:
        count = f"已建 {existing} 家（{fig.note}）"
    title = f"宣传培训基地：{count}，服务半径 {radius_km:g} km"
    Legend(legend_html(title, rows), position="topright").add_to(group)
    return group
