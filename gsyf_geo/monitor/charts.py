"""Altair charts of the coverage monitor (Vega-Lite specs; Streamlit draws them offline).

- :func:`trend_chart` — a target's values from the baseline year to the plan end, the
  expected path (dashed) and the plan's yearly milestones (diamonds, labelled). The year not
  over on the evaluation date is a hollow point labelled “截至M月D日” (year-to-date, not
  judged), not part of the line.
- :func:`unit_small_multiples` — one small panel per reporting unit (Altair facet), with
  the unit's own final requirement as a dashed line where the target is judged per unit.

Text uses a CJK font list (Noto Sans CJK on Linux, Microsoft YaHei on Windows, PingFang on
macOS); nothing is fetched.
"""

from __future__ import annotations

import altair as alt

from gsyf_geo.monitor.evaluation import YTD_SERIES, TargetResult, trend_frame, unit_trend_frame
from gsyf_geo.plan import RATIO_UNIT, Plan

__all__ = ["CJK_FONT", "SERIES_COLORS", "trend_chart", "unit_small_multiples"]

CJK_FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
SERIES_COLORS = {"实际值": "#1f77b4", YTD_SERIES: "#6baed6", "应达进度": "#999999", "里程碑": "#d62728"}


def _y_title(result: TargetResult) -> str:
    return "%" if result.info.unit == RATIO_UNIT else result.info.unit


def _x(result: TargetResult, title: str | None) -> alt.X:
    # The whole span, baseline year included, even for years without data.
    return alt.X(
        "年份:O",
        title=title,
        axis=alt.Axis(labelAngle=0),
        scale=alt.Scale(domain=list(result.values.years)),
    )


def trend_chart(result: TargetResult, plan: Plan, height: int = 320) -> alt.LayerChart:
    """The year-by-year trend of one target (see the module docstring)."""
    trend = trend_frame(result, plan)
    colour = alt.Color(
        "系列:N",
        scale=alt.Scale(domain=list(SERIES_COLORS), range=list(SERIES_COLORS.values())),
        legend=alt.Legend(title=None, orient="top"),
    )
    x = _x(result, "年份")
    y = alt.Y("数值:Q", title=_y_title(result), scale=alt.Scale(zero=False))
    value = alt.Tooltip("数值:Q", format=",.1f")
    actual = (
        alt.Chart(trend[trend["系列"] == "实际值"].dropna(subset=["数值"]))
        .mark_line(point=alt.OverlayMarkDef(size=70))
        .encode(x=x, y=y, color=colour, tooltip=["年份", value])
    )
    path = (
        alt.Chart(trend[trend["系列"] == "应达进度"])
        .mark_line(strokeDash=[6, 4])
        .encode(x=x, y=y, color=colour, tooltip=["年份", value])
    )
    milestones = trend[trend["系列"] == "里程碑"]
    marks = (
        alt.Chart(milestones)
        .mark_point(shape="diamond", size=160, filled=True)
        .encode(x=x, y=y, color=colour, tooltip=["标注", value])
    )
    labels = alt.Chart(milestones).mark_text(dy=-14, fontSize=11).encode(x=x, y=y, text="标注")
    layers = [path, actual, marks, labels]
    running = trend[trend["系列"] == YTD_SERIES]
    if not running.empty:  # year-to-date: a hollow point with its date, never on the line
        ytd = alt.Chart(running)
        layers += [
            ytd.mark_point(size=90, filled=False, strokeWidth=2).encode(
                x=x, y=y, color=colour, tooltip=["标注", value]
            ),
            ytd.mark_text(dy=-14, fontSize=11).encode(x=x, y=y, text="标注"),
        ]
    years = result.values.years
    return (
        alt.layer(*layers)
        .properties(
            height=height,
            title=f"{result.target.name}（{years[0]} 年基准 — {years[-1]} 年）",
        )
        .configure(font=CJK_FONT)
    )


def unit_small_multiples(result: TargetResult, columns: int = 4) -> alt.FacetChart | None:
    """One panel per reporting unit with data; ``None`` when no unit has data."""
    small = unit_trend_frame(result)
    if small.empty:
        return None
    y_title = _y_title(result)
    base = alt.Chart().encode(
        x=_x(result, None), y=alt.Y("数值:Q", title=y_title, scale=alt.Scale(zero=False))
    )
    layers = [
        base.mark_line(point=True, color=SERIES_COLORS["实际值"]).encode(
            tooltip=["统计单元", "年份", alt.Tooltip("数值:Q", format=",.1f"), "状态"]
        )
    ]
    if small["要求"].notna().any():
        layers.append(  # one horizontal line per unit: no x encoding
            alt.Chart()
            .mark_rule(color=SERIES_COLORS["里程碑"], strokeDash=[4, 3])
            .encode(y=alt.Y("max(要求):Q", title=y_title))
        )
    order = list(dict.fromkeys(small["统计单元"]))
    return (
        alt.layer(*layers, data=small)
        .properties(width=150, height=130)
        .facet(facet=alt.Facet("统计单元:N", title=None, sort=order), columns=columns)
        .resolve_scale(y="shared" if result.split else "independent")
        .configure(font=CJK_FONT)
    )
