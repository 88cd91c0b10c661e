"""The chosen towns outlined on the risk map.

No town boundaries come with the reference data, so a town's area is approximate: its
Voronoi cell among the seed points of every town of its district (EPSG:4549), inside the
district — the same construction as 经开区's area (:func:`gsyf_geo.geography.reporting_units`).
Where the map shows enterprises of the town outside that cell (synthetic or imprecise
locations), the outline grows to hold them. The outline is a dashed line with the town's
name, drawn over the districts and under the enterprises; it takes no clicks (a click still
drills into the district beneath).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import folium
import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping

from gsyf_geo.crs import METRIC_CRS, WGS84, gdf_from_wgs84, to_metric
from gsyf_geo.geography import districts, towns
from gsyf_geo.layers.districts import Legend, escape_text, legend_html

OUTLINE_COLOR = "#111111"
LEGEND_TITLE = "所选乡镇（街道）"
LEGEND_NOTE = "范围为示意（按乡镇中心划分，含所列企业）"
HULL_BUFFER_M = 300.0


@lru_cache(maxsize=1)
def town_areas() -> gpd.GeoDataFrame:
    """Approximate town areas in WGS-84 (see the module docstring).

    Columns: ``code``, ``name``, ``district_adcode``, ``geometry``; towns without a seed
    point are left out.
    """
    metric = districts().to_crs(METRIC_CRS).set_index("adcode")
    rows = []
    seeds = towns().dropna(subset=["lon", "lat"])
    for adcode, group in seeds.groupby("district_adcode"):
        if adcode not in metric.index:
            continue
        parent = metric.loc[adcode, "geometry"]
        x, y = to_metric(group["lon"].to_numpy(float), group["lat"].to_numpy(float))
        points = shapely.points(x, y)
        if len(points) == 1:
            cells_by_seed = [parent]
        else:
            cells = shapely.get_parts(
                shapely.voronoi_polygons(shapely.multipoints(points), extend_to=parent.envelope.buffer(5e4))
            )
            # voronoi_polygons returns cells in no fixed order: match each cell to its seed.
            tree = shapely.STRtree(cells)
            seed_idx, cell_idx = tree.query(points, predicate="intersects")
            by_seed = dict(zip(seed_idx.tolist(), cell_idx.tolist(), strict=True))
            cells_by_seed = [cells[by_seed[i]] for i in range(len(points))]
        for (code, name), cell in zip(zip(group["code"], group["name"], strict=True), cells_by_seed, strict=True):
            area = shapely.make_valid(shapely.intersection(cell, parent))
            rows.append({"code": str(code), "name": str(name), "district_adcode": str(adcode), "geometry": area})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS).to_crs(WGS84)


def _with_enterprises(chosen: gpd.GeoDataFrame, enterprises: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """Each town's area grown to hold its listed enterprises (their hull, 300 m around),
    inside its district: the outline never leaves out a point the map shows for the town."""
    if enterprises is None or enterprises.empty or "town_code" not in enterprises:
        return chosen
    ent = enterprises[enterprises["lon"].notna() & enterprises["lat"].notna()]
    if "outside_named_district" in ent:  # a point outside its district would stretch the outline
        ent = ent[~ent["outside_named_district"].fillna(False).astype(bool)]
    metric = chosen.to_crs(METRIC_CRS)
    parents = districts().to_crs(METRIC_CRS).set_index("adcode").geometry
    grown = []
    for code, adcode, area in zip(metric["code"], metric["district_adcode"], metric.geometry.values, strict=True):
        own = ent[ent["town_code"] == code]
        if len(own):
            x, y = to_metric(own["lon"].to_numpy(float), own["lat"].to_numpy(float))
            hull = shapely.convex_hull(shapely.multipoints(shapely.points(x, y))).buffer(HULL_BUFFER_M)
            area = shapely.union(area, hull)
            if adcode in parents.index:
                area = shapely.intersection(area, parents[adcode])
        grown.append(shapely.make_valid(area))
    return gpd.GeoDataFrame(metric.drop(columns="geometry"), geometry=grown, crs=METRIC_CRS).to_crs(WGS84)


def town_layer(
    codes: Sequence[str], *, enterprises: pd.DataFrame | None = None, gcj02: bool = False, name: str = "所选乡镇"
) -> folium.FeatureGroup | None:
    """The outlines of the towns ``codes`` (None when none of them is known).

    Parameters
    ----------
    codes
        Town codes (9 digits) as chosen in the sidebar.
    enterprises
        The enterprises the map shows (``town_code``, ``lon``, ``lat``); each town's outline
        is grown to hold its own.
    gcj02
        Draw in GCJ-02 (Amap basemap).
    name
        Layer name.
    """
    areas = town_areas()
    chosen = areas[areas["code"].isin([str(c) for c in codes])]
    if chosen.empty:
        return None
    chosen = _with_enterprises(chosen, enterprises)
    if gcj02:
        chosen = gdf_from_wgs84(chosen, "gcj02")
    simple = chosen.geometry.simplify(0.0003)
    features = [
        {
            "type": "Feature",
            "geometry": mapping(shapely.set_precision(geom, 1e-6)),
            "properties": {"kind": "town", "name": escape_text(town)},
        }
        for town, geom in zip(chosen["name"], simple.values, strict=True)
    ]
    group = folium.FeatureGroup(name=name, show=True)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=lambda _f: {
            "color": OUTLINE_COLOR, "weight": 3, "dashArray": "6 4", "fill": False, "fillOpacity": 0,
        },
        interactive=False,
    ).add_to(group)
    for town, point in zip(chosen["name"], simple.representative_point().values, strict=True):
        folium.Marker(
            location=[round(point.y, 6), round(point.x, 6)],
            icon=folium.DivIcon(
                html=f"<span>{escape_text(town)}</span>", icon_size=(0, 0), class_name="gsyf-district-label"
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    Legend(
        legend_html(LEGEND_TITLE, [(f"transparent;border:2px dashed {OUTLINE_COLOR}", LEGEND_NOTE)])
    ).add_to(group)
    return group
