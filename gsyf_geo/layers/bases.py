"""Publicity/training bases: existing and planned, with their service radius."""

from __future__ import annotations

import folium
import pandas as pd

from gsyf_geo.crs import from_wgs84
from gsyf_geo.domain import BASE_STATUS_NAMES
from gsyf_geo.layers.canvas import CardStyle, CircleLayer, RadiusCircles
from gsyf_geo.layers.districts import Legend, legend_html

BASE_TARGET = 10  # plan: 建立10家左右工伤预防宣传培训基地 (see data/plan)
SERVICE_RADIUS_KM = 15.0
STATUS_COLORS = {"existing": "#1f4e9c", "planned": "#f28c28", "candidate": "#9e9e9e"}
CARD_LABELS = ("类型", "状态", "年份", "容量（座）", "地址")


def base_layer(
    bases: pd.DataFrame,
    *,
    year: int,
    radius_km: float = SERVICE_RADIUS_KM,
    statuses: tuple[str, ...] = ("existing", "planned"),
    target: int = BASE_TARGET,
    gcj02: bool = False,
    name: str = "宣传培训基地",
) -> folium.FeatureGroup:
    """Bases of the chosen statuses as markers with a service circle of ``radius_km``.

    A base counts as existing in ``year`` when its status is existing and its year is not
    later; the legend compares that count with ``target``.
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
    title = f"宣传培训基地：已建 {existing} / 目标 {target} 家（服务半径 {radius_km:g} km）"
    Legend(legend_html(title, rows), position="topright").add_to(group)
    return group
