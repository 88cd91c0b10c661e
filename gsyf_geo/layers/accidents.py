"""Accident density: a heat map of work injuries, aggregated on a grid first, with its legend."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
from folium.plugins import HeatMap

from gsyf_geo.crs import from_metric, from_wgs84
from gsyf_geo.layers.districts import Legend, legend_html

GRID_M = 250.0  # cells this size keep the heat map smooth and the payload small
HEAT_GRADIENT: dict[float, str] = {0.4: "#2c7bb6", 0.6: "#00a6ca", 0.7: "#90eb9d", 0.8: "#f9d057", 1.0: "#d7191c"}
"""Colours of the heat map from few to many injuries (given explicitly, so the legend shows them)."""


def injury_grid(injuries: pd.DataFrame, cell_m: float = GRID_M) -> pd.DataFrame:
    """Injuries counted per ``cell_m`` square (EPSG:4549), with the cell centre in WGS-84."""
    df = injuries[injuries["x"].notna() & injuries["y"].notna()]
    if df.empty:
        return pd.DataFrame({"lon": [], "lat": [], "count": []})
    ix = np.floor(df["x"].to_numpy(float) / cell_m).astype(np.int64)
    iy = np.floor(df["y"].to_numpy(float) / cell_m).astype(np.int64)
    cells = pd.DataFrame({"ix": ix, "iy": iy}).value_counts().reset_index(name="count")
    lon, lat = from_metric((cells["ix"].to_numpy() + 0.5) * cell_m, (cells["iy"].to_numpy() + 0.5) * cell_m)
    return pd.DataFrame({"lon": np.asarray(lon), "lat": np.asarray(lat), "count": cells["count"].to_numpy()})


def accident_layer(
    injuries: pd.DataFrame, *, gcj02: bool = False, name: str = "事故热力图", cell_m: float = GRID_M
) -> folium.FeatureGroup:
    """Heat map of the given injuries (already filtered by years, industries, commuting)."""
    group = folium.FeatureGroup(name=name, show=True)
    grid = injury_grid(injuries, cell_m)
    lon, lat = grid["lon"].to_numpy(float), grid["lat"].to_numpy(float)
    if gcj02 and len(grid):
        lon, lat = from_wgs84(lon, lat, "gcj02")
    top = float(np.percentile(grid["count"], 99)) if len(grid) else 1.0
    data = [[round(float(a), 5), round(float(o), 5), float(c)] for a, o, c in zip(lat, lon, grid["count"], strict=True)]
    HeatMap(data, radius=14, blur=16, min_opacity=0.25, max_zoom=13, max=max(top, 1.0),
            gradient=HEAT_GRADIENT).add_to(group)  # fmt: skip
    Legend(legend_html(f"事故热力图（认定工伤 {int(grid['count'].sum()):,} 人）", heat_legend_rows(top, cell_m), 0.8)
           ).add_to(group)  # fmt: skip
    return group


def heat_legend_rows(top: float, cell_m: float = GRID_M) -> list[tuple[str, str]]:
    """Legend rows of the heat map: its colours from few to many injuries per grid cell."""
    size = f"每{cell_m:g}米方格"
    return [
        (HEAT_GRADIENT[0.4], f"较少（{size}1人左右）"),
        (HEAT_GRADIENT[0.7], "中等"),
        (HEAT_GRADIENT[1.0], f"较多（{size} ≥ {max(top, 1.0):,.0f} 人）"),
    ]
