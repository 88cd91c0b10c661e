"""Occupational disease: pneumoconiosis cases per reporting unit as proportional circles."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from gsyf_geo.crs import gdf_from_wgs84
from gsyf_geo.layers.canvas import CircleLayer
from gsyf_geo.layers.districts import Legend, label_points, legend_html

DISEASE_COLOR = "#8c510a"


def disease_layer(
    units: gpd.GeoDataFrame, table: pd.DataFrame, *, gcj02: bool = False, name: str = "尘肺病"
) -> folium.FeatureGroup:
    """Circles sized by new pneumoconiosis cases, with the share of < 5 years' exposure.

    Parameters
    ----------
    units
        Reporting-unit polygons (:func:`gsyf_geo.geography.reporting_units`).
    table
        :func:`gsyf_geo.analysis.indicators.unit_indicators` (``pneumoconiosis`` and
        ``short_exposure_share`` by unit code).
    """
    group = folium.FeatureGroup(name=name, show=True)
    pts = label_points(units)
    if gcj02:
        pts = gdf_from_wgs84(gpd.GeoDataFrame(geometry=pts), "gcj02").geometry
    cases = table["pneumoconiosis"].reindex(units["code"]).fillna(0).to_numpy(float)
    share = table["short_exposure_share"].reindex(units["code"]).to_numpy(dtype=object)
    keep = cases > 0
    radius = 6 + 22 * np.sqrt(cases / max(cases.max(), 1))
    tips = [
        f"{n}：新发尘肺病 {int(c)} 例，接尘工龄不足5年占比 "
        + ("无数据" if s is None or pd.isna(s) else f"{s:.1%}")
        for n, c, s in zip(units["short_name"], cases, share, strict=True)
    ]
    CircleLayer(
        pts.y.to_numpy()[keep], pts.x.to_numpy()[keep], [DISEASE_COLOR] * int(keep.sum()),
        radius=radius[keep], ids=units["code"].to_numpy()[keep].tolist(), kind="disease",
        tooltips=[t for t, k in zip(tips, keep, strict=True) if k], stroke="#ffffff",
    ).add_to(group)  # fmt: skip
    Legend(legend_html(f"新发尘肺病 {int(cases.sum())} 例（圆面积∝病例数）", [(DISEASE_COLOR, "尘肺病例")]),
           position="topright").add_to(group)  # fmt: skip
    return group
