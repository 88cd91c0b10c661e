"""The risk map's choropleth as a print-quality image (PNG 300 dpi, SVG, PDF), drawn on the
server with matplotlib — no browser screenshot.

The image shows the same view as the interactive map: the same reporting-unit polygons
(simplified as :func:`gsyf_geo.layers.districts.simplify_districts` does), the same
indicator values (:func:`gsyf_geo.analysis.indicators.unit_indicators` of
:func:`gsyf_geo.analysis.filters.apply_state`) and the same classes and colours
(:func:`gsyf_geo.layers.districts.choropleth_classes`). Around it: a Chinese title and
subtitle (unit, period, filters), a legend with class breaks and units, verdict colours on
the unit labels where the plan has a target on the indicator, a scale bar in km (the map
is drawn in EPSG:4549, in metres), a north arrow, district names, the data date, the
source line and a “演示数据” note when the store holds demo data.

No basemap tiles are drawn (the printed map is the thematic map only), so no tile
attribution or review number is needed on it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from gsyf_geo.analysis.filters import CLASS_SCHEMES, FilteredView, MapState, apply_state
from gsyf_geo.analysis.indicators import INDICATORS, Indicator, unit_indicators
from gsyf_geo.analysis.mapdata import MapData
from gsyf_geo.analysis.risk import RISK_GRADE_BY_ID
from gsyf_geo.crs import METRIC_CRS
from gsyf_geo.domain import (
    DEMO_LABEL,
    DISTRICT_BY_ADCODE,
    KEY_INDUSTRY_BY_ID,
    REPORTING_UNIT_BY_CODE,
    SIZE_CLASSES,
)
from gsyf_geo.geography import reporting_units
from gsyf_geo.layers.bases import STATUS_COLORS as BASE_COLORS
from gsyf_geo.layers.districts import (
    NO_DATA_FILL,
    STROKE,
    ChoroplethClasses,
    choropleth_classes,
    label_points,
    simplify_districts,
)
from gsyf_geo.monitor.status import (
    is_met,
    reduction_met,
    target_for_metric,
    verdict_color,
)
from gsyf_geo.printing.fonts import use_cjk_font

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4-landscape": (3508 / 300, 2480 / 300),
    "a4-portrait": (2480 / 300, 3508 / 300),
    "slide-16x9": (4000 / 300, 7.5),
}
"""Page sizes in inches: A4 (297 × 210 mm) as 3508 × 2480 pixels at 300 dpi; a 16:9 slide is
13.333 × 7.5 in (PowerPoint's widescreen)."""
PAGE_SIZE_NAMES = {"a4-landscape": "A4 横向", "a4-portrait": "A4 纵向", "slide-16x9": "幻灯片 16:9"}
FORMATS: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DPI = 300
SOURCE_LINE = "数据来源：工伤保险参保、工伤认定、培训宣传记录及在建项目数据（gsyf_geo 汇总）"
CRS_NOTE = "坐标系：CGCS2000 / 3度带 EPSG:4549"
SCALE_STEPS_KM = (1, 2, 5, 10, 20, 25, 50)
TEXT = "#1d2b3a"
BASE_STATUS_LABELS = {"existing": "已建基地", "planned": "规划基地"}


@dataclass
class MapView:
    """What one printed map shows: the state, its rows and indicator table, and the texts.

    Build it with :func:`map_view`.
    """

    state: MapState
    view: FilteredView
    table: pd.DataFrame
    indicator: Indicator
    classes: ChoroplethClasses
    unit_label: str
    period: str
    filters: list[str]
    is_demo: bool
    data_date: date | None
    plan: object | None = None
    verdicts: dict[str, bool | None] = field(default_factory=dict)
    target_text: str | None = None
    title_text: str | None = None
    """A title instead of the indicator's (the deck's bases map)."""
    focus_units: tuple[str, ...] = ()
    """Units the map centres on when ``state.unit`` is ``"city"`` over scoped data (a
    district's deck); empty: the state's unit, or the whole city."""

    def focus(self) -> list[str]:
        """Codes of the units drawn in full (the others are drawn faint, for context)."""
        if self.state.unit != "city":
            return [self.state.unit]
        return list(self.focus_units) or list(self.table.index.astype(str))

    @property
    def title(self) -> str:
        """``"武进区（不含经开区） 工伤事故发生率（2024年）"``."""
        if self.title_text:
            return self.title_text
        return f"{self.unit_label} {self.indicator.name}（{self.period}）"

    @property
    def subtitle(self) -> str:
        """Unit, period and filters in one line."""
        return " · ".join([f"范围：{self.unit_label}", f"年份：{self.period}", *self.filters])

    def file_stem(self) -> str:
        """``"工伤事故发生率_全市_2024-2024"``: a Chinese file name without extension."""
        y0, y1 = self.view.years
        return f"{self.indicator.name}_{self.unit_label}_{y0}-{y1}"


def unit_label(unit: str) -> str:
    """A reporting unit's name for titles (``"全市"`` for the city)."""
    if unit == "city":
        return "全市"
    found = REPORTING_UNIT_BY_CODE.get(unit)
    return found.name if found else unit


def filter_texts(state: MapState) -> list[str]:
    """The filters of ``state`` in words (only the ones set, besides the commuting rule)."""
    out: list[str] = []
    if state.towns:
        out.append(f"乡镇 {len(state.towns)} 个")
    if state.industries:
        out.append("重点行业：" + "、".join(KEY_INDUSTRY_BY_ID[i].name for i in state.industries))
    if state.sizes:
        names = {s.id: s.name for s in SIZE_CLASSES}
        out.append("规模：" + "、".join(names[s] for s in state.sizes))
    if state.grades:
        out.append("风险等级：" + "、".join(RISK_GRADE_BY_ID[g].name for g in state.grades))
    out.append("含上下班途中事故" if state.include_commuting else "不含上下班途中事故")
    out.append(f"分级：{CLASS_SCHEMES.get(state.scheme, state.scheme)}")
    return out


def indicator_verdicts(
    table: pd.DataFrame, indicator: str, plan
) -> tuple[dict[str, bool | None], str | None]:
    """Whether each unit's value meets the plan's target on ``indicator``, and the target
    in words; empty when the plan has no such target.

    - ``change_<baseline>`` with a ``reduce_by`` target on the accident rate: met when the
      change is at or below −(the fall) (:func:`gsyf_geo.monitor.status.reduction_met`);
    - a rate with an ``at_least``/``at_most`` target on the same metric (training and
      publicity coverage, project insurance rate, enrollment rate):
      :func:`gsyf_geo.monitor.status.is_met` on the unit's value.
    """
    if plan is None:
        return {}, None
    values = table[indicator] if indicator in table else pd.Series(dtype=float)
    if indicator.startswith("change_"):
        accident = target_for_metric(plan, "accident_rate")
        if (
            accident is None or accident.direction != "reduce_by"
            or indicator != f"change_{getattr(plan, 'baseline_year', None)}"
        ):  # fmt: skip
            return {}, None
        out = {str(c): reduction_met(None if pd.isna(v) else float(v), accident.target)
               for c, v in values.items()}  # fmt: skip
        return out, f"目标：较{plan.baseline_year}年降低{accident.target:.0%}以上"
    target = target_for_metric(plan, indicator)
    if target is None or target.target is None or target.direction not in ("at_least", "at_most"):
        return {}, None
    out = {str(c): is_met(target, None if pd.isna(v) else float(v), None) for c, v in values.items()}
    sign = "≥" if target.direction == "at_least" else "≤"
    shown = f"{target.target:.0%}" if target.unit == "ratio" else f"{target.target:g}{target.unit}"
    return out, f"目标：{sign} {shown}"


def map_view(
    data: MapData, state: MapState, plan=None, *, data_date: date | None = None,
    view: FilteredView | None = None, table: pd.DataFrame | None = None,
) -> MapView:
    """The printed map's content for ``state`` over ``data``.

    ``view`` and ``table`` may be passed when the caller has them (the map page); they are
    otherwise computed exactly as the page does (:func:`apply_state`, :func:`unit_indicators`).
    """
    if view is None:
        view = apply_state(data, state)
    if table is None:
        table = unit_indicators(view, data.years)
    indicator = INDICATORS[state.indicator]
    from gsyf_geo.analysis.ranking import indicator_target

    anchor = indicator_target(table, state.indicator, plan)  # the interactive map's colours (docs/map_colours.md)
    classes = choropleth_classes(
        table[state.indicator].astype(float), scheme=state.scheme,
        higher_is_worse=indicator.higher_is_worse, value_format=indicator.fmt,
        met=None if anchor is None else anchor.met, target_text="" if anchor is None else anchor.text,
    )  # fmt: skip
    y0, y1 = view.years
    verdicts, target_text = indicator_verdicts(table, state.indicator, plan)
    return MapView(
        state=state, view=view, table=table, indicator=indicator, classes=classes,
        unit_label=unit_label(state.unit), period=f"{y0}年" if y0 == y1 else f"{y0}–{y1}年",
        filters=filter_texts(state), is_demo=bool(data.is_demo), data_date=data_date, plan=plan,
        verdicts=verdicts, target_text=target_text,
    )  # fmt: skip


def data_date_of(store) -> date | None:
    """The date of the store's last finished load (import or demo), or None."""
    try:
        batches = store.batches()
    except Exception:  # noqa: BLE001 - an old store without batches: no date
        return None
    if batches.empty or "finished_at" not in batches:
        return None
    last = pd.to_datetime(batches["finished_at"]).max()
    return None if pd.isna(last) else last.date()


# --------------------------------------------------------------------------- geometry


def print_units() -> gpd.GeoDataFrame:
    """The reporting units as the interactive map draws them (simplified, everyday names), in
    EPSG:4549 with a ``label`` point each."""
    units = reporting_units().copy()
    units["name"] = [DISTRICT_BY_ADCODE[c].name if c in DISTRICT_BY_ADCODE else s
                     for c, s in zip(units["code"], units["short_name"], strict=True)]  # fmt: skip
    simple = simplify_districts(units)
    labels = label_points(simple).to_crs(METRIC_CRS)
    out = simple.to_crs(METRIC_CRS)
    out["label"] = labels.values
    return out


def nice_scale_km(width_m: float) -> int:
    """A round scale-bar length (km) about a fifth of the map width: 1, 2, 5, 10, 20, 25 or 50."""
    goal = width_m / 5 / 1000
    return max((s for s in SCALE_STEPS_KM if s <= max(goal, 1)), default=1)


def _scale_bar(ax, km: int) -> None:
    """A two-segment bar in map units (metres) at the lower left, labelled in km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    length, height = km * 1000.0, (y1 - y0) * 0.008
    from matplotlib.patches import Rectangle

    half = length / 2
    ax.add_patch(Rectangle((left, bottom), half, height, facecolor=TEXT, edgecolor=TEXT, lw=0.6, zorder=6))
    ax.add_patch(Rectangle((left + half, bottom), half, height, facecolor="white", edgecolor=TEXT,
                           lw=0.6, zorder=6))  # fmt: skip
    for x, text in ((left, "0"), (left + half, f"{km / 2:g}"), (left + length, f"{km} km")):
        ax.text(x, bottom + height * 2.2, text, ha="center", va="bottom", fontsize=7, color=TEXT, zorder=6)


def _north_arrow(ax) -> None:
    """A north arrow at the upper right (EPSG:4549's grid north is within 0.1° of true
    north over Changzhou)."""
    ax.annotate(
        "", xy=(0.95, 0.95), xytext=(0.95, 0.86), xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>", "color": TEXT, "lw": 1.6, "mutation_scale": 16}, zorder=6,
    )  # fmt: skip
    ax.text(0.95, 0.955, "北", transform=ax.transAxes, ha="center", va="bottom", fontsize=10,
            fontweight="bold", color=TEXT, zorder=6)  # fmt: skip


def _extent(units: gpd.GeoDataFrame, codes: list[str]) -> tuple[float, float, float, float]:
    shown = units[units["code"].isin(codes)]
    minx, miny, maxx, maxy = shown.total_bounds
    pad = max(maxx - minx, maxy - miny) * 0.06
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _fit_box(extent: tuple[float, float, float, float], ax) -> tuple[float, float, float, float]:
    """``extent`` grown in one direction so that it has the axes box's shape (metres are
    then equal on both axes and the map fills the box)."""
    minx, miny, maxx, maxy = extent
    box_w, box_h = ax.get_position().size * ax.figure.get_size_inches()
    w, h = maxx - minx, maxy - miny
    if w / h < box_w / box_h:
        grow = (h * box_w / box_h - w) / 2
        return minx - grow, miny, maxx + grow, maxy
    grow = (w * box_h / box_w - h) / 2
    return minx, miny - grow, maxx, maxy + grow


def _layout(size: str) -> tuple[list[float], list[float]]:
    """Axes boxes (figure fractions) of the map and of the side/bottom panel."""
    if size == "a4-portrait":
        return [0.04, 0.30, 0.92, 0.57], [0.06, 0.08, 0.88, 0.20]
    return [0.02, 0.09, 0.70, 0.76], [0.74, 0.09, 0.24, 0.76]


def _panel(ax, mv: MapView, bases_drawn: list[str], columns: int = 1) -> None:
    """Legend, verdict key and the value of each unit shown, laid out in inches (so the
    spacing is the same on every page size), in one column or two side by side."""
    from matplotlib.patches import Rectangle

    ax.set_axis_off()
    width_in, height_in = (ax.get_position().size * ax.figure.get_size_inches())
    ax.set_xlim(0, width_in)
    ax.set_ylim(0, height_in)
    line, sw = 0.21, 0.28  # line height and swatch width (in)
    col_w = width_in / columns
    x, y = 0.0, height_in

    def next_column() -> None:
        nonlocal x, y
        if columns > 1 and x == 0.0:
            x, y = col_w, height_in

    def heading(text: str, size: float = 9.0) -> None:
        nonlocal y
        ax.text(x, y, text, fontsize=size, fontweight="bold", va="top", color=TEXT)
        y -= line * 1.15

    def swatch(color: str, text: str, marker: bool = False) -> None:
        nonlocal y
        if marker:
            ax.scatter([x + sw / 2], [y - line / 2.4], s=40, marker="^", color=color, edgecolor="white")
        else:
            ax.add_patch(Rectangle((x, y - line * 0.8), sw, line * 0.7, facecolor=color, edgecolor="#999", lw=0.5))
        ax.text(x + sw + 0.08, y - line * 0.45, text, fontsize=8.5, va="center", color=TEXT)
        y -= line

    heading(f"{mv.indicator.name}（{mv.indicator.unit}）", 10)
    rows = list(mv.classes.legend_rows)
    if mv.classes.values.isna().any():
        rows.append((NO_DATA_FILL, "无数据"))
    for color, text in rows:
        swatch(color, text)
    if mv.verdicts:
        y -= line * 0.4
        heading(mv.target_text or "对照计划目标", 8.5)
        swatch(verdict_color(True), "已达到（数值为绿色）")
        swatch(verdict_color(False), "未达到（数值为红色）")
    for status in bases_drawn:
        swatch(BASE_COLORS[status], BASE_STATUS_LABELS[status], marker=True)
    next_column()
    y -= line * 0.4 if columns == 1 else 0
    heading("各统计单元数值", 9)
    shown = mv.table.loc[[c for c in mv.focus() if c in mv.table.index]]
    right = x + min(col_w, width_in - x) - 0.05
    for code, row in shown.iterrows():
        v = row[mv.indicator.id]
        value = "无数据" if v is None or pd.isna(v) else mv.indicator.fmt.format(v)
        color = verdict_color(mv.verdicts[str(code)]) if mv.verdicts.get(str(code)) is not None else TEXT
        ax.text(x + 0.05, y, str(row["name"]), fontsize=8.5, va="top", color=TEXT)
        ax.text(right, y, value, fontsize=8.5, va="top", ha="right", color=color)
        y -= line * 0.9


def draw_map(mv: MapView, size: str = "a4-landscape"):
    """The map as a matplotlib Figure (call inside :func:`use_cjk_font`).

    Parameters
    ----------
    mv
        The content (:func:`map_view`).
    size
        A key of :data:`PAGE_SIZES`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    if size not in PAGE_SIZES:
        raise ValueError(f"未知的图幅 {size}（可选：{'、'.join(PAGE_SIZES)}）")
    fig = Figure(figsize=PAGE_SIZES[size])
    fig.patch.set_facecolor("white")
    map_box, panel_box = _layout(size)
    units = print_units()
    units["fill"] = [mv.classes.fill(str(c)) for c in units["code"]]
    focus = mv.focus()
    whole = set(focus) >= set(units["code"])
    ax = fig.add_axes(map_box)
    inside = units["code"].isin(focus)
    others, shown = units[~inside], units[inside]
    if not whole:
        others.plot(ax=ax, color=others["fill"], edgecolor="#9aa5b1", linewidth=0.5, alpha=0.35)
    shown.plot(ax=ax, color=shown["fill"], edgecolor=STROKE, linewidth=1.2 if whole else 1.8)
    minx, miny, maxx, maxy = _fit_box(_extent(units, focus), ax)
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    bases_drawn: list[str] = []
    if "bases" in mv.state.layers and len(mv.view.bases):
        bases = mv.view.bases.dropna(subset=["x", "y"])
        for status in ("existing", "planned"):
            part = bases[bases["status"] == status]
            if status == "existing":
                part = part[part["year"].fillna(0) <= mv.view.years[1]]
            if len(part):
                ax.scatter(part["x"], part["y"], s=36, marker="^", color=BASE_COLORS[status],
                           edgecolor="white", linewidth=0.6, zorder=5)  # fmt: skip
                bases_drawn.append(status)
    for code, name, point in zip(units["code"], units["name"], units["label"], strict=True):
        if code not in focus:
            ax.text(point.x, point.y, name, fontsize=7, ha="center", va="center", color="#7b8794", zorder=4,
                    clip_on=True)
            continue
        v = mv.classes.values.get(str(code), np.nan)
        value = "无数据" if pd.isna(v) else mv.indicator.fmt.format(v)
        color = verdict_color(mv.verdicts[str(code)]) if str(code) in mv.verdicts else TEXT
        ax.text(point.x, point.y, name, fontsize=10, fontweight="bold", ha="center", va="bottom", color=TEXT,
                zorder=4, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.6})  # fmt: skip
        ax.text(point.x, point.y, value, fontsize=8.5, ha="center", va="top", color=color, zorder=4,
                fontweight="bold" if str(code) in mv.verdicts else "normal")  # fmt: skip
    x0, x1 = ax.get_xlim()
    _scale_bar(ax, nice_scale_km(x1 - x0))
    _north_arrow(ax)
    _panel(fig.add_axes(panel_box), mv, bases_drawn, columns=2 if size == "a4-portrait" else 1)

    title_size = 15 if size == "a4-portrait" else 18
    fig.text(0.02, 0.965, mv.title, fontsize=title_size, fontweight="bold", va="top", color=TEXT)
    fig.text(0.02, 0.905, mv.subtitle, fontsize=9.5, va="top", color="#52606d", wrap=True)
    footer = [SOURCE_LINE, CRS_NOTE]
    footer.append(f"数据更新：{mv.data_date.isoformat()}" if mv.data_date else "数据更新：未知")
    footer.append(f"制图：{date.today().isoformat()}")
    fig.text(0.02, 0.045, " · ".join(footer[:2]), fontsize=7, color="#52606d", va="bottom")
    fig.text(0.02, 0.02, " · ".join(footer[2:]) + " · 经开区范围为示意", fontsize=7, color="#52606d",
             va="bottom")  # fmt: skip
    if mv.is_demo:
        fig.text(0.98, 0.02, DEMO_LABEL, fontsize=10, fontweight="bold", color="#c0392b", ha="right",
                 va="bottom", bbox={"boxstyle": "round,pad=0.3", "fc": "#fdecea", "ec": "#c0392b"})  # fmt: skip
    return fig


def figure_bytes(fig, fmt: str, dpi: int = DPI) -> bytes:
    """``fig`` saved as ``fmt`` (png at ``dpi``, svg, pdf)."""
    if fmt not in FORMATS:
        raise ValueError(f"未知的格式 {fmt}（可选：{'、'.join(FORMATS)}）")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, facecolor="white")
    return buffer.getvalue()


def render_map(mv: MapView, size: str = "a4-landscape", fmt: str = "png", dpi: int = DPI) -> bytes:
    """The map of ``mv`` as image bytes.

    Raises
    ------
    gsyf_geo.printing.fonts.CjkFontMissing
        When no CJK font is installed (the message says how to install one).
    """
    with use_cjk_font():
        fig = draw_map(mv, size)
        return figure_bytes(fig, fmt, dpi)

