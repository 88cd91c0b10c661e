"""Folium layers of the siting planner: reach circles, sites by role, covered/uncovered demand.

Built from a :class:`gsyf_geo.siting.SitingResult` (or a saved scenario's summary) and added
to a map from :func:`gsyf_geo.layers.offline.make_offline_map`. Styles:

* existing bases (fixed open): dark-blue squares;
* chosen new sites: red discs numbered in the order of the result's table;
* unchosen candidates: small hollow grey circles; points added on the map: purple diamonds;
* reach: a light circle of the effective radius around every open site;
* district name labels stay above the site markers (never covered by them);
* demand: enterprises summed per grid cell (:data:`CELL_KM`), as light green (covered) and
  light red (uncovered) dots sized by demand.

Everything from data that reaches the browser (names, tooltips, legend) is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import numpy as np
import pandas as pd
from folium.template import Template

from gsyf_geo.crs import from_wgs84
from gsyf_geo.layers.districts import DistrictStyle, Legend, escape_text, legend_html
from gsyf_geo.siting.instance import district_name

CELL_KM = 1.5
EXISTING_COLOR = "#08306b"
CHOSEN_COLOR = "#d7301f"
CANDIDATE_COLOR = "#737373"
ADDED_COLOR = "#6a3d9a"
COVERED_COLOR = "#41ab5d"
UNCOVERED_COLOR = "#ef6548"
REACH_OPACITY = 0.06
DEMAND_OPACITY = 0.45
COORD_DECIMALS = 5


class _SitingStyle(folium.MacroElement):
    """CSS of the site markers and the legend (header only)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .gsyf-site { background: none; border: none; }
            /* District names stay readable: above every site marker (Leaflet sets each
               marker's z-index inline from its latitude; the label's rule wins). */
            .leaflet-marker-icon.gsyf-district-label { z-index: 1000000 !important; }
            .gsyf-site span {
                position: absolute; transform: translate(-50%, -50%); display: block;
                box-sizing: border-box; text-align: center; font-weight: 700; color: #fff;
                box-shadow: 0 0 0 1.5px #fff, 0 1px 3px rgba(0, 0, 0, 0.5);
            }
            .gsyf-site-existing span {
                width: 14px; height: 14px; background: %(existing)s;
            }
            .gsyf-site-chosen span {
                width: 20px; height: 20px; line-height: 20px; border-radius: 50%%;
                background: %(chosen)s; font-size: 11px;
            }
            .gsyf-site-added span {
                width: 12px; height: 12px; transform: translate(-50%%, -50%%) rotate(45deg);
                border: 2px solid %(added)s; background: rgba(255, 255, 255, 0.8);
            }
        </style>
        {% endmacro %}
        """.replace("%(existing)s", EXISTING_COLOR)
        .replace("%(chosen)s", CHOSEN_COLOR)
        .replace("%(added)s", ADDED_COLOR)
        .replace("%%", "%")
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SitingStyle"


def _shift(lon: np.ndarray, lat: np.ndarray, gcj02: bool) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if gcj02 and lon.size:
        lon, lat = from_wgs84(lon, lat, "gcj02")
    return np.round(np.asarray(lon, dtype=float), COORD_DECIMALS), np.round(
        np.asarray(lat, dtype=float), COORD_DECIMALS
    )


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def _site_tooltip(row: Any, unit: str, role: str) -> str:
    parts = [f"<b>{escape_text(row['name'])}</b>", escape_text(role)]
    parts.append(
        escape_text(
            f"{district_name(row['district'])} · {row['kind']}"
            if row.get("kind")
            else district_name(row["district"])
        )
    )
    cap = row.get("capacity")
    if cap is not None and not pd.isna(cap):
        parts.append(escape_text(f"座位 {cap:,.0f} 个"))
    new = row.get("new_weight")
    if role.startswith("新选址") and new is not None and not pd.isna(new):
        parts.append(escape_text(f"新增覆盖 {_fmt(float(new))} {unit}"))
    return "<br>".join(parts)


def _marker(lat: float, lon: float, css: str, label: str, tooltip: str) -> folium.Marker:
    return folium.Marker(
        location=[float(lat), float(lon)],
        icon=folium.DivIcon(
            html=f"<span>{escape_text(label)}</span>",
            icon_size=(0, 0),
            class_name=f"gsyf-site {css}",
        ),
        tooltip=folium.Tooltip(tooltip, sticky=False),
    )


def reach_layer(
    sites: pd.DataFrame, radius_m: float, *, gcj02: bool = False, name: str = "覆盖范围"
) -> folium.FeatureGroup:
    """Light circles of ``radius_m`` metres around each site (``fixed`` ones blue, others red)."""
    group = folium.FeatureGroup(name=name, show=True)
    lon, lat = _shift(sites["lon"].to_numpy(), sites["lat"].to_numpy(), gcj02)
    fixed = sites["fixed"].to_numpy(dtype=bool) if "fixed" in sites else np.zeros(len(sites), bool)
    for x, y, f in zip(lon, lat, fixed, strict=True):
        color = EXISTING_COLOR if f else CHOSEN_COLOR
        folium.Circle(
            location=[float(y), float(x)], radius=float(radius_m), color=color, weight=1,
            opacity=0.5, fill=True, fill_color=color, fill_opacity=REACH_OPACITY, interactive=False,
        ).add_to(group)  # fmt: skip
    return group


def sites_layer(
    sites: pd.DataFrame,
    *,
    unit: str = "人",
    gcj02: bool = False,
    show_candidates: bool = True,
    name: str = "基地与候选点",
) -> folium.FeatureGroup:
    """Sites styled by role: existing squares, numbered chosen discs, candidates, added points.

    ``sites`` needs ``name``, ``district``, ``kind``, ``lon``, ``lat``, ``fixed``, ``chosen``
    and optionally ``added``, ``capacity``, ``new_weight``. Chosen sites are numbered in
    row order.
    """
    group = folium.FeatureGroup(name=name, show=True)
    _SitingStyle().add_to(group)
    DistrictStyle().add_to(group)  # legend CSS, shared with the district layer
    lon, lat = _shift(sites["lon"].to_numpy(), sites["lat"].to_numpy(), gcj02)
    s = sites.assign(_lon=lon, _lat=lat).reset_index(drop=True)
    added = s["added"].to_numpy(dtype=bool) if "added" in s else np.zeros(len(s), bool)
    chosen = s["chosen"].to_numpy(dtype=bool)
    fixed = s["fixed"].to_numpy(dtype=bool)
    if show_candidates:
        for i in np.flatnonzero(~chosen & ~fixed):
            row = s.iloc[i]
            tip = _site_tooltip(
                row, unit, "地图新增候选点（未选）" if added[i] else "候选点（未选）"
            )
            if added[i]:
                _marker(row["_lat"], row["_lon"], "gsyf-site-added", "", tip).add_to(group)
            else:
                folium.CircleMarker(
                    location=[float(row["_lat"]), float(row["_lon"])], radius=4, color=CANDIDATE_COLOR,
                    weight=1.5, fill=True, fill_color="#ffffff", fill_opacity=0.9,
                    tooltip=folium.Tooltip(tip, sticky=False),
                ).add_to(group)  # fmt: skip
    for i in np.flatnonzero(fixed):
        row = s.iloc[i]
        _marker(
            row["_lat"],
            row["_lon"],
            "gsyf-site-existing",
            "",
            _site_tooltip(row, unit, "已建基地（固定开放）"),
        ).add_to(group)
    for rank, i in enumerate(np.flatnonzero(chosen), start=1):
        row = s.iloc[i]
        role = "新选址（地图新增点）" if added[i] else "新选址"
        _marker(
            row["_lat"],
            row["_lon"],
            "gsyf-site-chosen",
            str(rank),
            _site_tooltip(row, unit, f"{role} {rank}"),
        ).add_to(group)
    return group


def aggregate_demand(demand: pd.DataFrame, cell_km: float = CELL_KM) -> pd.DataFrame:
    """Demand summed per square cell of ``cell_km`` (EPSG:4549), split covered/uncovered.

    ``demand`` needs ``x``, ``y``, ``lon``, ``lat``, ``weight`` and ``covered`` (0..1).

    Returns
    -------
    pandas.DataFrame
        One row per (cell, covered or not) with weight > 0: ``lon``/``lat`` (weighted
        centre), ``weight``, ``enterprises``, ``covered`` (bool).
    """
    if demand.empty:
        return pd.DataFrame(columns=["lon", "lat", "weight", "enterprises", "covered"])
    size = cell_km * 1000.0
    cx = np.floor(demand["x"].to_numpy(dtype=float) / size).astype(np.int64)
    cy = np.floor(demand["y"].to_numpy(dtype=float) / size).astype(np.int64)
    w = demand["weight"].to_numpy(dtype=float)
    frac = np.clip(demand["covered"].to_numpy(dtype=float), 0, 1)
    frames = []
    for covered, part in ((True, w * frac), (False, w * (1 - frac))):
        f = pd.DataFrame({
            "cx": cx, "cy": cy, "w": part, "n": (part > 0).astype(int),
            "wl": part * demand["lon"].to_numpy(dtype=float), "wt": part * demand["lat"].to_numpy(dtype=float),
        })  # fmt: skip
        g = f[f["w"] > 0].groupby(["cx", "cy"], sort=False).sum()
        if g.empty:
            continue
        frames.append(pd.DataFrame({
            "lon": g["wl"] / g["w"], "lat": g["wt"] / g["w"], "weight": g["w"],
            "enterprises": g["n"], "covered": covered,
        }))  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=["lon", "lat", "weight", "enterprises", "covered"])
    return pd.concat(frames, ignore_index=True)


def demand_layer(
    demand: pd.DataFrame,
    *,
    unit: str = "人",
    cell_km: float = CELL_KM,
    gcj02: bool = False,
    name: str = "需求（已覆盖/未覆盖）",
) -> folium.FeatureGroup:
    """Aggregated covered (green) and uncovered (red) demand as light dots sized by demand."""
    group = folium.FeatureGroup(name=name, show=True)
    cells = aggregate_demand(demand, cell_km)
    if cells.empty:
        return group
    lon, lat = _shift(cells["lon"].to_numpy(), cells["lat"].to_numpy(), gcj02)
    top = float(cells["weight"].max())
    radius = 2.0 + 10.0 * np.sqrt(cells["weight"].to_numpy(dtype=float) / top)
    features = []
    for x, y, r, wt, n, cov in zip(
        lon, lat, radius, cells["weight"], cells["enterprises"], cells["covered"], strict=True
    ):
        label = "已覆盖" if cov else "未覆盖"
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
            "properties": {
                "tip": escape_text(f"{label}：{_fmt(float(wt))} {unit}（{int(n):,} 家企业）"),
                "color": COVERED_COLOR if cov else UNCOVERED_COLOR,
                "radius": round(float(r), 1),
            },
        })  # fmt: skip

    def style(feature: dict) -> dict:
        p = feature["properties"]
        return {"color": p["color"], "fillColor": p["color"], "weight": 0,
                "fillOpacity": DEMAND_OPACITY, "radius": p["radius"]}  # fmt: skip

    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        marker=folium.CircleMarker(radius=4, fill=True, weight=0),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        zoom_on_click=False,
    ).add_to(group)
    return group


def legend(
    title: str = "基地选址",
    *,
    radius_km: float | None = None,
    show_candidates: bool = True,
    newly_only: bool = False,
) -> Legend:
    """The siting legend (to add to one of the siting layers).

    ``newly_only``: the demand dots show only what the new sites newly cover (scenarios).
    """
    rows: list[tuple[str, str]] = [
        (EXISTING_COLOR, "已建基地（固定开放）"),
        (CHOSEN_COLOR, "新选址（编号见表）"),
    ]
    if show_candidates:
        rows += [(CANDIDATE_COLOR, "候选点（未选）"), (ADDED_COLOR, "地图新增候选点")]
    if newly_only:
        rows.append((COVERED_COLOR, "新选址新增覆盖的需求"))
    else:
        rows += [(COVERED_COLOR, "已覆盖需求"), (UNCOVERED_COLOR, "未覆盖需求")]
    if radius_km is not None:
        title = f"{title}（覆盖半径 {radius_km:g} 公里）"
    return Legend(legend_html(title, rows))


def siting_layers(
    result, *, gcj02: bool = False, cell_km: float = CELL_KM, show_candidates: bool = True
) -> list[folium.FeatureGroup]:
    """All layers of a :class:`gsyf_geo.siting.SitingResult`, bottom to top.

    Reach circles, demand dots, then sites (with the legend).
    """
    params = result.parameters
    radius_m = float(params["radius_km"]) * 1000.0 / float(params.get("detour") or 1.0)
    open_sites = result.sites[result.sites["open"]]
    sites = ordered_sites(result.sites, result.chosen["site_code"].tolist())
    top = sites_layer(sites, unit=result.weight_unit, gcj02=gcj02, show_candidates=show_candidates)
    eff = float(params["radius_km"]) / float(params.get("detour") or 1.0)
    legend(radius_km=eff, show_candidates=show_candidates).add_to(top)
    return [
        reach_layer(open_sites, radius_m, gcj02=gcj02),
        demand_layer(result.demand, unit=result.weight_unit, cell_km=cell_km, gcj02=gcj02),
        top,
    ]


def ordered_sites(sites: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Sites with the chosen ones last, in ``order`` (site codes: the result's numbering,
    :attr:`gsyf_geo.siting.SitingResult.chosen`), or largest new coverage first without it."""
    chosen = sites[sites["chosen"]]
    if order is None:
        chosen = chosen.sort_values("new_weight", ascending=False, kind="stable")
    else:
        rank = {code: i for i, code in enumerate(order)}
        key = chosen["site_code"].map(rank).fillna(len(rank))
        chosen = chosen.assign(_k=key).sort_values("_k", kind="stable").drop(columns="_k")
    return pd.concat([sites[~sites["chosen"]], chosen], ignore_index=True)


def scenario_layers(
    summary: dict[str, Any], *, gcj02: bool = False, cell_km: float = CELL_KM
) -> list[folium.FeatureGroup]:
    """Layers of a saved scenario (its summary): reach, newly covered enterprises, sites."""
    params = summary.get("parameters", {})
    radius_m = float(params.get("radius_km", 15.0)) * 1000.0 / float(params.get("detour") or 1.0)
    rows = []
    for kind, items in (
        ("existing", summary.get("existing", [])),
        ("chosen", summary.get("chosen", [])),
    ):
        for item in items:
            rows.append({**item, "fixed": kind == "existing", "chosen": kind == "chosen",
                         "added": item.get("status") == "added"})  # fmt: skip
    sites = pd.DataFrame(rows, columns=["name", "district", "kind", "lon", "lat", "capacity", "new_weight",
                                        "fixed", "chosen", "added"])  # fmt: skip
    layers = []
    if len(sites):
        layers.append(reach_layer(sites, radius_m, gcj02=gcj02))
    newly = pd.DataFrame(summary.get("newly_covered") or [], columns=["demand_id", "name", "district", "key_industry",
                                                                      "weight", "lon", "lat", "sites"])  # fmt: skip
    if len(newly):
        from gsyf_geo.crs import to_metric

        x, y = to_metric(newly["lon"].to_numpy(dtype=float), newly["lat"].to_numpy(dtype=float))
        newly = newly.assign(x=x, y=y, covered=1.0)
        layers.append(demand_layer(newly, unit=summary.get("weight_unit", "人"), cell_km=cell_km, gcj02=gcj02,
                                   name="新增覆盖的企业"))  # fmt: skip
    top = sites_layer(
        sites, unit=summary.get("weight_unit", "人"), gcj02=gcj02, show_candidates=False
    )
    legend("方案", radius_km=radius_m / 1000.0, show_candidates=False, newly_only=True).add_to(top)
    layers.append(top)
    return layers


def add_layers(m: folium.Map, layers: Sequence[folium.FeatureGroup]) -> folium.Map:
    """Add ``layers`` to ``m`` in order and return ``m``."""
    for layer in layers:
        layer.add_to(m)
    return m
