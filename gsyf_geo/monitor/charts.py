"""Altair charts of the coverage monitor (Vega-Lite specs; Streamlit draws them offline).

- :func:`trend_chart` — a target's values from the baseline year to the plan end, the
  expected path (dashed) and the plan's yearly milestones (diamonds, labelled). The year not
  over on the evaluation date is a hollow point labelled “截至M月D日” (year-to-date, not
  judged), not part of the line.
- :func:`unit_small_multiples` — one small panel per reporting unit (concatenated), with
  the unit's own final requirement as a dashed line where the target is judged per unit.
- :func:`overview_html` — the overview of every target as an HTML table that wraps (full
  names and definitions), with a progress bar coloured by the target's status
  (:data:`~gsyf_geo.monitor.status.STATUS_COLORS`) and a trend sparkline
  (:func:`sparkline_svg`) per target. All text from the plan or the data is escaped.
- :func:`matrix_html` — the final evaluation matrix (targets × units) with status badges.

The trend chart's legend names only the series drawn (no “里程碑” where the plan has none).

Vega's English screen-reader texts are off (``aria=False``); each chart has a Chinese
description instead. Text uses a CJK font list (Noto Sans CJK on Linux, Microsoft YaHei on Windows, PingFang on
macOS); nothing is fetched.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from gsyf_geo.monitor.evaluation import (
    YTD_SERIES,
    TargetResult,
    overview_table,
    trend_frame,
    unit_trend_frame,
)
from gsyf_geo.monitor.status import NOT_SPLIT, STATUS_COLORS, is_complete, verdict_color
from gsyf_geo.monitor.values import format_value
from gsyf_geo.plan import RATIO_UNIT, Plan

if TYPE_CHECKING:  # the ranking module reads the monitor: no import at run time
    from gsyf_geo.analysis.ranking import RankedPanel

__all__ = [
    "CJK_FONT",
    "OVERVIEW_COLUMNS",
    "SERIES_COLORS",
    "matrix_html",
    "overview_html",
    "sparkline_img",
    "sparkline_svg",
    "trend_chart",
    "unit_small_multiples",
]

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
    # Only the series drawn appear in the legend (a plan without milestones shows none).
    drawn = [s for s in SERIES_COLORS if (trend["系列"] == s).any()]
    colour = alt.Color(
        "系列:N",
        scale=alt.Scale(domain=drawn, range=[SERIES_COLORS[s] for s in drawn]),
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
    layers = [path, actual]
    if not milestones.empty:
        layers += [marks, labels]
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
            title=alt.TitleParams(f"{result.target.name}（{years[0]} 年基准 — {years[-1]} 年）", aria=False),
            description=f"{result.target.name}趋势图",
            # Room for the title and the axis title inside the drawing (never clipped).
            padding={"top": 10, "left": 10, "right": 5, "bottom": 5},
        )
        .configure(font=CJK_FONT, aria=False)
    )


def unit_small_multiples(result: TargetResult, columns: int = 3) -> alt.ConcatChart | None:
    """One panel per reporting unit with data (three a row: they fit a 1024 px screen with the
    sidebar open); ``None`` when no unit has data.

    Panels are concatenated (not an Altair facet) so that each name is a chart title whose
    English screen-reader text can be switched off (facet headers always carry one).
    """
    small = unit_trend_frame(result)
    if small.empty:
        return None
    y_title = _y_title(result)
    panels = []
    for unit in dict.fromkeys(small["统计单元"]):
        rows = small[small["统计单元"] == unit]
        base = alt.Chart(rows).encode(
            x=_x(result, None), y=alt.Y("数值:Q", title=y_title, scale=alt.Scale(zero=False))
        )
        layers = [
            base.mark_line(point=True, color=SERIES_COLORS["实际值"]).encode(
                tooltip=["统计单元", "年份", alt.Tooltip("数值:Q", format=",.1f"), "状态"]
            )
        ]
        if rows["要求"].notna().any():
            layers.append(  # the unit's own final requirement: one horizontal line
                alt.Chart(rows)
                .mark_rule(color=SERIES_COLORS["里程碑"], strokeDash=[4, 3])
                .encode(y=alt.Y("max(要求):Q", title=y_title))
            )
        panels.append(
            alt.layer(*layers).properties(
                width=100, height=110, title=alt.TitleParams(str(unit), fontSize=12, aria=False)
            )
        )
    return (
        alt.concat(*panels, columns=columns)
        .resolve_scale(y="shared" if result.split else "independent")
        .properties(
            description=f"{result.target.name}：各统计单元趋势",
            padding={"top": 10, "left": 10, "right": 5, "bottom": 5},
        )
        .configure(font=CJK_FONT, aria=False)
        .configure_concat(spacing=12)
    )


# --------------------------------------------------------------------------- overview (HTML)

OVERVIEW_COLUMNS: tuple[str, ...] = ("指标", "当前值", "目标", "进度", "状态", "趋势")
"""The overview's columns, left to right; each target's definition, reason and rule follow
in a details row across them."""

_SPARK_W, _SPARK_H, _SPARK_PAD = 120, 36, 4
_LIGHT_BADGES = {NOT_SPLIT}  # light backgrounds: dark text


def status_badge(status: str, css_class: str = "gsyf-badge") -> str:
    """A status as a small badge in its colour (:data:`STATUS_COLORS`); text escaped. A value
    that is not a status is returned as plain escaped text."""
    bg = STATUS_COLORS.get(status)
    if not bg:
        return html.escape(status)
    fg = "#31333f" if status in _LIGHT_BADGES else "#ffffff"
    return f'<span class="{css_class}" style="background-color: {bg}; color: {fg};">{html.escape(status)}</span>'

_OVERVIEW_CSS = """
<style>
table.gsyf-overview { width: 100%; border-collapse: collapse; table-layout: fixed;
  font-size: 0.875rem; line-height: 1.45; }
table.gsyf-overview th { text-align: left; font-weight: 600; padding: 6px 6px;
  border-bottom: 2px solid rgba(49, 51, 63, 0.2); white-space: normal; }
table.gsyf-overview td { padding: 8px 6px 2px 6px; vertical-align: top; white-space: normal;
  overflow-wrap: break-word; word-break: normal; }
table.gsyf-overview tr.gsyf-detail td { padding: 0 6px 8px 6px; color: rgba(49, 51, 63, 0.7);
  font-size: 0.78rem; border-bottom: 1px solid rgba(49, 51, 63, 0.15); }
table.gsyf-overview tr.gsyf-detail b { font-weight: 600; }
table.gsyf-overview .gsyf-name { font-weight: 600; }
table.gsyf-overview .gsyf-nowrap { white-space: nowrap; }
table.gsyf-overview .gsyf-sub { color: rgba(49, 51, 63, 0.65); font-size: 0.78rem; margin-top: 2px; }
table.gsyf-overview .gsyf-bar { height: 10px; border-radius: 5px; background: #eceef1;
  overflow: hidden; margin-top: 5px; }
table.gsyf-overview .gsyf-fill { height: 100%; border-radius: 5px; }
table.gsyf-overview .gsyf-badge { display: inline-block; padding: 1px 8px; border-radius: 10px;
  font-weight: 600; white-space: nowrap; }
table.gsyf-overview img.gsyf-spark { width: 100%; max-width: 120px; height: auto; display: block; }
</style>
"""


def _scaled(result: TargetResult, value: float | None) -> float | None:
    if value is None:
        return None
    return value * 100.0 if result.info.unit == RATIO_UNIT else float(value)


def sparkline_svg(result: TargetResult) -> str:
    """A small SVG document of the scope's values over the plan years (baseline year first).

    Complete years are joined by a line, the last of them drawn larger in the colour of the
    target's status; the year not over on the evaluation date is a hollow point (not judged);
    the final requirement, where there is one, is a dashed grey line. The values and the
    requirement are spelled out in the SVG's title and ``aria-label``.
    """
    years = list(result.values.years)
    unit = result.info.unit
    complete: list[tuple[int, float]] = []
    running: list[tuple[int, float]] = []
    for y in years:
        v = result.values.city.get(y)
        if v is None:
            continue
        done = result.as_of is None or is_complete(y, result.as_of)
        (complete if done else running).append((y, v))
    required = result.city.required if result.city.status != NOT_SPLIT else None
    shown = [v for _, v in complete + running] + ([required] if required is not None else [])
    words = [f"{y}年 {format_value(v, unit)}" for y, v in complete]
    words += [f"{y}年（未满一年）{format_value(v, unit)}" for y, v in running]
    label = "趋势：" + ("；".join(words) if words else "无数据")
    if required is not None:
        label += f"；期末要求 {format_value(required, unit)}"
    label = html.escape(label, quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_SPARK_W}" height="{_SPARK_H}" '
        f'viewBox="0 0 {_SPARK_W} {_SPARK_H}" role="img" aria-label="{label}"><title>{label}</title>'
    ]
    if shown and years:
        lo, hi = min(shown), max(shown)
        if hi - lo < 1e-12:
            lo, hi = lo - 1.0, hi + 1.0
        step = (_SPARK_W - 2 * _SPARK_PAD) / max(len(years) - 1, 1)

        def xy(year: int, value: float) -> tuple[float, float]:
            x = _SPARK_PAD + years.index(year) * step
            y = _SPARK_H - _SPARK_PAD - (value - lo) / (hi - lo) * (_SPARK_H - 2 * _SPARK_PAD)
            return round(x, 1), round(y, 1)

        if required is not None:
            _, ry = xy(years[0], required)
            parts.append(
                f'<line class="gsyf-required" x1="{_SPARK_PAD}" x2="{_SPARK_W - _SPARK_PAD}" '
                f'y1="{ry}" y2="{ry}" stroke="#999999" stroke-width="1" stroke-dasharray="3 2"/>'
            )
        points = [xy(y, v) for y, v in complete]
        if len(points) > 1:
            path = " ".join(f"{x},{y}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{SERIES_COLORS["实际值"]}" '
                'stroke-width="1.6" stroke-linejoin="round"/>'
            )
        for i, (x, y) in enumerate(points):
            last = i == len(points) - 1
            colour = STATUS_COLORS.get(result.city.status, SERIES_COLORS["实际值"]) if last else SERIES_COLORS["实际值"]
            parts.append(f'<circle class="gsyf-point" cx="{x}" cy="{y}" r="{3 if last else 1.8}" fill="{colour}"/>')
        for y_, v in running:
            x, y = xy(y_, v)
            parts.append(
                f'<circle class="gsyf-ytd" cx="{x}" cy="{y}" r="2.6" fill="white" '
                f'stroke="{SERIES_COLORS[YTD_SERIES]}" stroke-width="1.4"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def sparkline_img(result: TargetResult) -> str:
    """:func:`sparkline_svg` as an ``<img>`` (a data URI: the page's HTML sanitiser drops inline
    SVG), its values in ``alt`` and ``title``; ``data-points`` counts the complete years drawn."""
    svg = sparkline_svg(result)
    label = svg.split("<title>", 1)[1].split("</title>", 1)[0]  # already escaped
    points = svg.count('class="gsyf-point"')
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="gsyf-spark" src="data:image/svg+xml;base64,{data}" alt="{label}" '
        f'title="{label}" data-points="{points}" width="{_SPARK_W}" height="{_SPARK_H}"/>'
    )


def _progress_cell(progress: float | None, status: str) -> str:
    colour = STATUS_COLORS.get(status, STATUS_COLORS[NOT_SPLIT])
    if progress is None or progress != progress:
        return '<span class="gsyf-sub">—</span>'
    share = min(max(float(progress), 0.0), 1.0)
    return (
        f'<div class="gsyf-progress" data-status="{html.escape(status)}" data-color="{colour}" '
        f'role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="{share * 100:.0f}" '
        f'aria-label="进度 {share * 100:.0f}%（{html.escape(status)}）">'
        f"<span>{share * 100:.0f}%</span>"
        f'<div class="gsyf-bar"><div class="gsyf-fill" style="width: {share * 100:.1f}%; '
        f'background-color: {colour};"></div></div></div>'
    )


def overview_html(results: Sequence[TargetResult], plan: Plan) -> str:
    """Every target as a wrapping HTML table (see the module docstring).

    Per target, a main row (``data-target``: the target's id, ``data-status``) with the full
    name, the current value (green/red by whether it meets the target, grey when that cannot
    be said), the target, the progress bar in the status colour, the status and the trend
    sparkline; then a details row (``data-detail``) with the definition, the reason for the
    status and the rule it was judged by, across the whole width.
    """
    table = overview_table(results, plan)
    e = html.escape
    rows = []
    for r, (_, row) in zip(results, table.iterrows(), strict=True):
        tid, status = e(str(row["指标代码"])), str(row["状态"])
        met = row["达到目标"]
        met = None if met is None or met != met else bool(met)
        value_colour = verdict_color(met) if met is not None else "inherit"
        deadline = str(row["期限"])
        deadline = re.sub(r"(\d{4}-\d{2}-\d{2})", r'<span class="gsyf-nowrap">\1</span>', e(deadline))
        deadline = f'<div class="gsyf-sub" data-col="期限">期限 {deadline}</div>' if deadline else ""
        rows.append(
            f'<tr class="gsyf-main" data-target="{tid}" data-status="{e(status)}">'
            f'<td data-col="指标" class="gsyf-name">{e(str(row["指标"]))}</td>'
            f'<td data-col="当前值" style="color: {value_colour};">{e(str(row["当前值"]))}</td>'
            f'<td data-col="目标">{e(str(row["目标"]))}{deadline}</td>'
            f'<td data-col="进度">{_progress_cell(row["进度"], status)}</td>'
            f'<td data-col="状态">{status_badge(status if status in STATUS_COLORS else NOT_SPLIT)}</td>'
            f'<td data-col="趋势">{sparkline_img(r)}</td></tr>'
            f'<tr class="gsyf-detail" data-detail="{tid}"><td colspan="{len(OVERVIEW_COLUMNS)}">'
            f'<span data-col="定义"><b>定义</b>：{e(str(row["定义"]))}</span>　'
            f'<span data-col="说明"><b>说明</b>：{e(str(row["说明"]))}</span>　'
            f'<span data-col="判定规则"><b>判定规则</b>：{e(str(row["判定规则"]))}</span></td></tr>'
        )
    widths = ("27%", "18%", "16%", "12%", "11%", "16%")
    cols = "".join(f'<col style="width: {w};">' for w in widths)
    head = "".join(f"<th>{c}</th>" for c in OVERVIEW_COLUMNS)
    return (
        f'{_OVERVIEW_CSS}<table class="gsyf-overview"><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


_MATRIX_CSS = """
<style>
div.gsyf-matrix-wrap { overflow-x: auto; }
table.gsyf-matrix { border-collapse: collapse; font-size: 0.85rem; line-height: 1.4; width: 100%; }
table.gsyf-matrix th, table.gsyf-matrix td { padding: 4px 3px; border-bottom: 1px solid rgba(49, 51, 63, 0.1);
  vertical-align: middle; text-align: center; }
table.gsyf-matrix th { font-weight: 600; font-size: 0.8rem; border-bottom: 2px solid rgba(49, 51, 63, 0.2); }
table.gsyf-matrix th:first-child, table.gsyf-matrix td:first-child { text-align: left; min-width: 9em; }
table.gsyf-matrix .gsyf-badge { display: inline-block; padding: 1px 5px; border-radius: 9px;
  font-weight: 600; font-size: 0.8rem; white-space: nowrap; }
</style>
"""


def matrix_html(matrix: pd.DataFrame) -> str:
    """The final evaluation matrix (first column 指标, then one column per unit of statuses) as a
    small HTML table: full target names wrap, each status is a badge in its colour on one line;
    on a narrow screen the table scrolls sideways. Text is escaped."""
    e = html.escape
    units = [c for c in matrix.columns if c != "指标"]
    head = "<th>指标</th>" + "".join(f"<th>{e(str(u))}</th>" for u in units)
    rows = []
    for _, row in matrix.iterrows():
        cells = [f'<td data-col="指标">{e(str(row["指标"]))}</td>']
        for u in units:
            status = "" if pd.isna(row[u]) else str(row[u])
            cells.append(f'<td data-col="{e(str(u))}" data-status="{e(status)}">{status_badge(status)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'{_MATRIX_CSS}<div class="gsyf-matrix-wrap"><table class="gsyf-matrix">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def ranked_panel_html(panel: RankedPanel, by: str) -> str:
    """The risk map's ranked panel (:class:`~gsyf_geo.analysis.ranking.RankedPanel`) as an HTML
    table ordered by ``by``, worst first: rank, unit, targets missed, then per target the value
    and its verdict badge. Each verdict cell carries its unit, target and status as data
    attributes; every text is escaped. Styled by the page (class ``gsyf-rank``)."""
    e = html.escape
    misses = panel.misses()
    head = "".join(
        f'<th class="t" data-target="{e(c.key)}">{e(c.name)}<small>目标 {e(c.requirement)}</small></th>'
        for c in panel.columns
    )
    rows = []
    for rank, code in enumerate(panel.order(by), start=1):
        cells = "".join(
            f'<td data-unit="{e(code)}" data-target="{e(c.key)}" data-status="{e(status)}">'
            f'<span class="v">{e(str(panel.text.at[code, c.key]))}</span>{status_badge(status, "st")}</td>'
            for c in panel.columns
            for status in [str(panel.status.at[code, c.key])]
        )
        rows.append(
            f'<tr data-unit="{e(code)}"><td>{rank}</td><td class="name">{e(panel.names[code])}</td>'
            f"<td>{int(misses[code])}</td>{cells}</tr>"
        )
    return (
        '<div class="gsyf-rank"><table><thead><tr><th>排名</th><th class="name">统计单元</th>'
        f'<th>未达标项</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )
