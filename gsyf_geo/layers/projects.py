"""Construction projects: insured by project (同舟计划) or not, against the plan's target.

The share to reach is the plan's (``Plan.target_for_metric("project_insurance_rate")``,
“90%以上”), never a constant here. A share is intensive: a district is held to the same
requirement as the city (:func:`project_figure`).
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import pandas as pd

from gsyf_geo.crs import from_wgs84
from gsyf_geo.layers.canvas import CardStyle, CircleLayer
from gsyf_geo.layers.districts import Legend, legend_html
from gsyf_geo.monitor.status import is_met, target_for_metric
from gsyf_geo.plan import Plan, Target

INSURED_COLOR = "#2ca02c"
UNINSURED_COLOR = "#d62728"
PROJECT_METRIC = "project_insurance_rate"
CARD_LABELS = ("项目编号", "开工日期", "造价（万元）", "施工人数", "按项目参保")


@dataclass(frozen=True)
class ProjectFigure:
    """The insured share against the plan: ``delta`` (``"+5.6% 较目标90%"``), ``note``
    (``"目标 ≥90%：已达到"``) and ``met`` (``None`` without a share or a target)."""

    delta: str | None
    note: str
    met: bool | None


def project_target(plan: Plan | None) -> Target | None:
    """The plan's target on the share of new projects insured by project (or ``None``)."""
    return target_for_metric(plan, PROJECT_METRIC)


def project_figure(rate: float | None, target: Target | None) -> ProjectFigure:
    """How an insured share reads against the plan's target (met by the target's rule)."""
    if target is None or target.target is None:
        return ProjectFigure(None, "计划未设参保率目标", None)
    goal = f"目标 ≥{target.target:.0%}"
    if rate is None:
        return ProjectFigure(None, f"{goal}：无数据", None)
    met = is_met(target, rate, None)
    delta = f"{rate - target.target:+.1%} 较目标{target.target:.0%}"
    return ProjectFigure(delta, f"{goal}：{'已达到' if met else '未达到'}", met)


def project_layer(
    projects: pd.DataFrame, *, target: Target | None = None, gcj02: bool = False, name: str = "在建工程项目"
) -> folium.FeatureGroup:
    """Projects as small circles, green when insured by project, red when not.

    The legend gives the share insured against the plan's ``target`` (none without one).
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
    share = float(insured.mean()) if len(df) else None
    fig = project_figure(share, target)
    status = "无数据" if share is None else f"{share:.1%}（{fig.note}）"
    rows = [(INSURED_COLOR, "已按项目参保"), (UNINSURED_COLOR, "未按项目参保")]
    Legend(legend_html(f"在建工程 {len(df):,} 个 · 参保率 {status}", rows), position="topright").add_to(group)
    return group
