"""Construction projects: insured by project (同舟计划) or not, against the ≥90% target."""

from __future__ import annotations

import folium
import pandas as pd

from gsyf_geo.crs import from_wgs84
from gsyf_geo.layers.canvas import CardStyle, CircleLayer
from gsyf_geo.layers.districts import Legend, legend_html

INSURED_COLOR = "#2ca02c"
UNINSURED_COLOR = "#d62728"
PROJECT_TARGET = 0.90  # plan: 新开工项目参保率90%以上 (see data/plan)
CARD_LABELS = ("项目编号", "开工日期", "造价（万元）", "施工人数", "按项目参保")


def project_layer(
    projects: pd.DataFrame, *, target: float = PROJECT_TARGET, gcj02: bool = False, name: str = "在建工程项目"
) -> folium.FeatureGroup:
    """Projects as small circles, green when insured by project, red when not.

    The legend gives the share insured against ``target``.
    """
    group = folium.FeatureGroup(name=name, show=True)
    df = projects[projects["lon"].notna() & projects["lat"].notna()]
    insured = df["insured_by_project"].astype(bool)
    lon, lat = df["lon"].to_numpy(float), df["lat"].to_numpy(float)
    if gcj02 and len(df):
        lon, lat = from_wgs84(lon, lat, "gcj02")
    CardStyle().add_to(group)
    values = [
        [code, str(start)[:10], cost, workers, "是" if ins else "否"]
        for code, start, cost, workers, ins in zip(
            df["project_code"], df["start_date"], df["cost_wan_yuan"].round(0), df["workers"], insured, strict=True
        )
    ]
    CircleLayer(
        lat, lon, [INSURED_COLOR if i else UNINSURED_COLOR for i in insured],
        radius=3.5, ids=df["project_code"].tolist(), kind="project",
        tooltips=df["name"].fillna("").tolist(), card_title=df["name"].fillna("").tolist(),
        card_labels=CARD_LABELS, card_values=values, stroke="#ffffff",
    ).add_to(group)  # fmt: skip
    share = insured.mean() if len(df) else None
    status = "无数据" if share is None else f"{share:.1%}（目标 ≥{target:.0%}）"
    rows = [(INSURED_COLOR, "已按项目参保"), (UNINSURED_COLOR, "未按项目参保")]
    Legend(legend_html(f"在建工程 {len(df):,} 个 · 参保率 {status}", rows), position="topright").add_to(group)
    return group
