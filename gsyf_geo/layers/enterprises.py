"""The enterprise layer: hexagons far out, individual enterprises close in.

Which of the two is drawn depends on the map's view: with at most :data:`FEW_POINTS`
enterprises in view, or up to ``max_points`` from zoom :data:`NEAR_ZOOM` in, or anything at
street zoom (:data:`POINT_ZOOM`), each enterprise is a circle,
coloured by key industry or risk grade, with its card as a popup; otherwise the
enterprises in view are aggregated into hexagons whose size follows the zoom. Either way
the payload stays small at 100,000 enterprises.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd

from gsyf_geo.analysis.filters import COLOR_BY
from gsyf_geo.analysis.hexgrid import hex_aggregate, hex_rings_wgs84
from gsyf_geo.analysis.risk import RISK_GRADE_BY_ID, RISK_GRADES
from gsyf_geo.crs import from_wgs84
from gsyf_geo.domain import KEY_INDUSTRIES, KEY_INDUSTRY_BY_ID
from gsyf_geo.layers.canvas import CardStyle, CircleLayer, PolygonLayer
from gsyf_geo.layers.districts import Legend, legend_html

MAX_POINTS = 3_000
FEW_POINTS = 300  # this few are drawn one by one at any zoom
NEAR_ZOOM = 11  # from here in, up to MAX_POINTS are drawn one by one
POINT_ZOOM = 14  # at this zoom and closer, points whatever their number (capped)
# ColorBrewer "Purples": distinct from the red choropleth beneath.
HEX_COLORS: tuple[str, ...] = ("#efedf5", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
CARD_LABELS = (
    "统一社会信用代码", "重点行业", "风险等级", "职工人数", "参保人数", "参保缺口",
    "重要岗位培训", "工伤（所选年份）", "地址",
)  # fmt: skip
OTHER_COLOR = "#999999"


@dataclass(frozen=True)
class EnterpriseLayerInfo:
    """What the layer drew: ``"points"`` or ``"hexagons"``, and how many of what."""

    mode: str
    enterprises_in_view: int
    drawn: int
    hex_size_m: float | None = None
    capped: bool = False


def hex_size_for_zoom(zoom: float | None) -> float:
    """Hexagon circumradius in metres for a zoom level (about 25 px on screen)."""
    z = 10 if zoom is None else float(zoom)
    return float(np.clip(1500.0 * 2 ** (10 - z), 150.0, 6000.0))


def in_bounds(df: pd.DataFrame, bounds: tuple[float, float, float, float] | None) -> np.ndarray:
    """Mask of rows whose lon/lat lie inside (south, west, north, east)."""
    has = df["lon"].notna().to_numpy() & df["lat"].notna().to_numpy()
    if bounds is None:
        return has
    south, west, north, east = bounds
    lon = df["lon"].to_numpy(dtype=float)
    lat = df["lat"].to_numpy(dtype=float)
    return has & (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)


def point_colors(df: pd.DataFrame, color_by: str) -> list[str]:
    """Colour of each enterprise by key industry or by risk grade."""
    if color_by == "grade":
        return [RISK_GRADE_BY_ID[g].color if g in RISK_GRADE_BY_ID else OTHER_COLOR for g in df["grade"]]
    return [KEY_INDUSTRY_BY_ID[k].color if k in KEY_INDUSTRY_BY_ID else OTHER_COLOR for k in df["key_industry"]]


def _card_values(df: pd.DataFrame) -> list[list[object]]:
    industry = df["key_industry"].map(lambda k: KEY_INDUSTRY_BY_ID[k].name if k in KEY_INDUSTRY_BY_ID else "")
    grade = df["grade"].map(lambda g: RISK_GRADE_BY_ID[g].name if g in RISK_GRADE_BY_ID else "")
    trained = [
        f"{int(t)}/{int(k)}" if k else "无数据"
        for t, k in zip(df["key_staff_trained"].fillna(0), df["key_staff"].fillna(0), strict=True)
    ]
    cols = [
        df["credit_code"], industry, grade,
        df["employees"].fillna(0).astype(int), df["insured"].fillna(0).astype(int),
        df["gap"].astype(int), trained, df["injuries_window"].astype(int), df["address"].fillna(""),
    ]  # fmt: skip
    return [list(row) for row in zip(*cols, strict=True)]


def _legend(color_by: str, present: set[str]) -> str:
    if color_by == "grade":
        rows = [(g.color, g.name) for g in RISK_GRADES if g.id in present]
    else:
        rows = [(k.color, k.name) for k in KEY_INDUSTRIES if k.id in present]
    return legend_html(f"企业（按{COLOR_BY.get(color_by, '重点行业')}）", rows)


def _hex_colors(counts: np.ndarray) -> tuple[list[str], list[float]]:
    """Quantile-ish classes of hexagon counts (log scale, robust to a few huge cells)."""
    if counts.size == 0:
        return [], []
    top = max(float(counts.max()), 1.0)
    edges = np.unique(np.round(np.geomspace(1, top, len(HEX_COLORS) + 1)[1:]))
    cls = np.searchsorted(edges, counts, side="left").clip(0, len(HEX_COLORS) - 1)
    return [HEX_COLORS[i] for i in cls], edges.tolist()


def enterprise_layer(
    enterprises: pd.DataFrame,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    zoom: float | None = None,
    color_by: str = "industry",
    max_points: int = MAX_POINTS,
    gcj02: bool = False,
    name: str = "企业",
) -> tuple[folium.FeatureGroup, EnterpriseLayerInfo]:
    """Build the enterprise layer for a view.

    Parameters
    ----------
    enterprises
        The filtered enterprises (:class:`gsyf_geo.analysis.filters.FilteredView`), with
        ``lon``, ``lat``, ``x``, ``y``, ``grade``, ``gap`` and ``injuries_window``.
    bounds
        The view as (south, west, north, east) in WGS-84; None means everything.
    zoom
        The map's zoom level.
    color_by
        ``"industry"`` or ``"grade"`` (the page passes
        :attr:`gsyf_geo.analysis.filters.MapState.point_colors`: grade when filtered by
        grade); anything else colours by industry.
    max_points
        Most enterprises drawn one by one.
    gcj02
        Draw in GCJ-02 (Amap basemap).
    name
        Layer name.

    Returns
    -------
    (folium.FeatureGroup, EnterpriseLayerInfo)
    """
    color_by = color_by if color_by in ("industry", "grade") else "industry"
    group = folium.FeatureGroup(name=name, show=True)
    view = enterprises[in_bounds(enterprises, bounds)]
    n = len(view)
    z = 9.0 if zoom is None else float(zoom)  # no view reported yet: the whole-city view
    if n <= min(FEW_POINTS, max_points) or (n <= max_points and z >= NEAR_ZOOM) or z >= POINT_ZOOM:
        capped = n > max_points
        if capped:  # street zoom in a dense park: the largest gaps first
            view = view.nlargest(max_points, "gap")
        lon, lat = view["lon"].to_numpy(float), view["lat"].to_numpy(float)
        if gcj02 and len(view):
            lon, lat = from_wgs84(lon, lat, "gcj02")
        CardStyle().add_to(group)
        radius = np.clip(3.0 + np.log10(view["employees"].fillna(1).clip(lower=1).to_numpy(float)) * 1.6, 3, 9)
        CircleLayer(
            lat, lon, point_colors(view, color_by),
            radius=radius, ids=view["credit_code"].tolist(), kind="enterprise",
            tooltips=view["name"].fillna("").tolist(),
            card_title=view["name"].fillna("").tolist(),
            card_labels=CARD_LABELS, card_values=_card_values(view),
            stroke="#333333",
        ).add_to(group)  # fmt: skip
        present = set(view["grade" if color_by == "grade" else "key_industry"].dropna())
        Legend(_legend(color_by, present), position="bottomleft").add_to(group)
        return group, EnterpriseLayerInfo("points", n, len(view), capped=capped)

    size = hex_size_for_zoom(zoom)
    agg = hex_aggregate(
        view["x"].to_numpy(float), view["y"].to_numpy(float), size,
        {"employees": view["employees"].fillna(0).to_numpy(float), "gap": view["gap"].to_numpy(float)},
    )  # fmt: skip
    rings = hex_rings_wgs84(agg["x"].to_numpy(), agg["y"].to_numpy(), size)
    if gcj02 and len(rings):
        flat = rings.reshape(-1, 2)
        glon, glat = from_wgs84(flat[:, 0], flat[:, 1], "gcj02")
        rings = np.stack([glon, glat], axis=1).reshape(rings.shape)
    colors, edges = _hex_colors(agg["count"].to_numpy())
    tips = [
        f"企业 {c:,} 家 · 职工 {e:,.0f} 人 · 参保缺口 {g:,.0f} 人"
        for c, e, g in zip(agg["count"], agg["employees"], agg["gap"], strict=True)
    ]
    PolygonLayer(rings, colors, tooltips=tips, kind="hexagon", fill_opacity=0.8).add_to(group)
    rows, lower = [], 0
    for color, upper in zip(HEX_COLORS, edges, strict=False):
        rows.append((color, f"{lower + 1:,.0f}–{upper:,.0f}" if upper > lower + 1 else f"{upper:,.0f}"))
        lower = upper
    Legend(legend_html("企业数（每六边形）", rows), position="bottomleft").add_to(group)
    return group, EnterpriseLayerInfo("hexagons", n, len(agg), hex_size_m=size)
