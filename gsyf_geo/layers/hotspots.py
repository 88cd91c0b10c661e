"""Hexagon layers: accident rate per H3 hexagon, and Gi* hot and cold spots.

Pure folium builders (no Streamlit). Hexagons go out as one compact
:class:`~gsyf_geo.layers.canvas.PolygonLayer`; every tooltip says how its number was made.
"""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from gsyf_geo.analysis.hotspots import CLASS_COLORS, CLASSES, MEASURES, HotSpots
from gsyf_geo.analysis.rates import SMALL_SAMPLE, RateTable, cell_rings, rate_text
from gsyf_geo.crs import from_wgs84
from gsyf_geo.layers.canvas import PolygonLayer
from gsyf_geo.layers.districts import Legend, class_breaks, class_colors, legend_html

SMALL_COLOR = CLASS_COLORS["small"]


def _rings(cells: np.ndarray, gcj02: bool) -> np.ndarray:
    rings = cell_rings(cells)
    if gcj02 and len(rings):
        flat = rings.reshape(-1, 2)
        lon, lat = from_wgs84(flat[:, 0], flat[:, 1], "gcj02")
        rings = np.round(np.stack([lon, lat], axis=1).reshape(rings.shape), 5)
    return rings


def _period(years: tuple[int, int]) -> str:
    return f"{years[0]}年" if years[0] == years[1] else f"{years[0]}–{years[1]}年"


def hotspot_layer(
    spots: HotSpots, *, years: tuple[int, int], gcj02: bool = False, name: str = "热点分析", show_ns: bool = True
) -> folium.FeatureGroup:
    """Hexagons coloured by hot-spot class, with a Chinese legend and a tooltip per cell.

    Parameters
    ----------
    spots
        :func:`gsyf_geo.analysis.hotspots.hot_spots`.
    years
        The years the figures cover (for the legend title).
    gcj02
        Draw in GCJ-02 (Amap basemap).
    name
        Layer name.
    show_ns
        Draw the cells that are not significant (light grey) as well.
    """
    group = folium.FeatureGroup(name=name, show=True)
    t = spots.table
    if not show_ns:
        t = t[t["cls"] != "ns"]
    measure, unit = MEASURES[spots.measure]
    is_rate = spots.measure == "accident_rate"
    tips = []
    for row in t.itertuples(index=False):
        if row.cls == "small":
            value = SMALL_SAMPLE + f"（平均参保 {row.avg_insured:,.0f} 人）"
        elif is_rate:
            value = f"{row.value:.1f} {unit}（{row.injuries:,.0f} 人 ÷ 平均参保 {row.avg_insured:,.0f} 人 × 10000）"
        else:
            value = f"{row.value:,.0f} {unit}"
        stat = "" if row.cls == "small" else f" · Gi* z={row.z:.2f}，FDR q={row.q:.3f}"
        tips.append(f"{row.label} · {measure} {value} · 企业 {row.enterprises:,} 家{stat}")
    PolygonLayer(
        _rings(t["cell"].to_numpy(), gcj02), [CLASS_COLORS[c] for c in t["cls"]],
        tooltips=tips, ids=[format(int(c), "x") for c in t["cell"]], kind="hotspot", fill_opacity=0.75,
    ).add_to(group)  # fmt: skip
    present = set(t["cls"])
    rows = [(color, label) for c, label, color in CLASSES if c in present or c == "ns"]
    smoothed = "（经验贝叶斯平滑）" if spots.smoothed else ""
    title = f"{measure}热点 Gi*{smoothed} · {_period(years)} · FDR校正"
    Legend(legend_html(title, rows, 0.75), position="bottomleft").add_to(group)
    return group


def rate_layer(
    rates: RateTable, *, gcj02: bool = False, smoothed: bool = False, scheme: str = "quantiles",
    name: str = "万人事故率（六边形）",
) -> folium.FeatureGroup:
    """Hexagons coloured by accident rate in classes; 样本不足 cells grey."""
    group = folium.FeatureGroup(name=name, show=True)
    t = rates.table
    col = "rate_eb" if smoothed and rates.smoothed else "rate"
    values = t[col].astype(float)
    breaks = class_breaks(values, scheme=scheme)
    colors = class_colors(len(breaks))
    fills, tips = [], []
    for v, row in zip(values, t.itertuples(index=False), strict=True):
        if row.small_sample or pd.isna(v):
            fills.append(SMALL_COLOR)
        else:
            cls = int(np.searchsorted(breaks, v, side="left"))
            fills.append(colors[min(cls, len(colors) - 1)])
        text = rate_text(v, row.small_sample)
        eb = f"（平滑前 {rate_text(row.rate, row.small_sample)}）" if col == "rate_eb" and not row.small_sample else ""
        tips.append(f"万人事故率 {text}{eb} · 工伤 {row.injuries:,.0f} 人 · 平均参保 {row.avg_insured:,.0f} 人 · "
                    f"企业 {row.enterprises:,} 家")  # fmt: skip
    PolygonLayer(_rings(t["cell"].to_numpy(), gcj02), fills, tooltips=tips,
                 ids=[format(int(c), "x") for c in t["cell"]], kind="rate_hexagon", fill_opacity=0.75).add_to(group)  # fmt: skip
    legend_rows: list[tuple[str, str]] = []
    lower = None
    for upper, color in zip(breaks, colors, strict=True):
        legend_rows.append((color, f"≤ {upper:.1f}" if lower is None else f"{lower:.1f} – {upper:.1f}"))
        lower = upper
    legend_rows.append((SMALL_COLOR, f"{SMALL_SAMPLE}（平均参保 < {rates.min_insured:,.0f} 人）"))
    title = f"万人事故率（人/万人）{'·经验贝叶斯平滑' if col == 'rate_eb' else ''} · {_period(rates.years)}"
    Legend(legend_html(title, legend_rows, 0.75), position="bottomleft").add_to(group)
    return group


def hex_value_layer(
    cells: np.ndarray, values: np.ndarray, breaks: list[float], *, title: str, value_format: str,
    higher_is_worse: bool = True, gcj02: bool = False, name: str = "六边形", note: str = "",
) -> folium.FeatureGroup:  # fmt: skip
    """Hexagons coloured by ``values`` in the classes ``breaks`` (shared by maps compared side by side).

    A NaN value is drawn grey as 无数据/样本不足 (``note`` says which rule).
    """
    group = folium.FeatureGroup(name=name, show=True)
    colors = class_colors(len(breaks))
    if not higher_is_worse:
        colors = colors[::-1]
    fills, tips = [], []
    for v in np.asarray(values, dtype=float):
        if np.isnan(v) or not breaks:
            fills.append(SMALL_COLOR)
            tips.append(f"{title}：{note or '无数据'}")
            continue
        cls = int(np.searchsorted(breaks, v, side="left"))
        fills.append(colors[min(cls, len(colors) - 1)])
        tips.append(f"{title}：{value_format.format(v)}")
    PolygonLayer(_rings(np.asarray(cells), gcj02), fills, tooltips=tips, kind="compare_hexagon",
                 fill_opacity=0.75).add_to(group)  # fmt: skip
    rows: list[tuple[str, str]] = []
    lower = None
    for upper, color in zip(breaks, colors, strict=True):
        rows.append((color, f"≤ {value_format.format(upper)}" if lower is None
                     else f"{value_format.format(lower)} – {value_format.format(upper)}"))  # fmt: skip
        lower = upper
    rows.append((SMALL_COLOR, note or "无数据"))
    Legend(legend_html(title, rows, 0.75), position="bottomleft").add_to(group)
    return group
