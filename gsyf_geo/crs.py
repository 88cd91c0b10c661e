"""Coordinate reference systems used by gsyf_geo.

Three geographic "coordinate systems" appear in Chinese map data:

* **WGS84** (``EPSG:4326``) - GPS / international standard; the canonical
  system of this project.
* **GCJ-02** ("Mars coordinates") - the obfuscated system mandated for
  published maps in mainland China (AMap/Gaode, Tencent, Google China).
* **BD-09** - Baidu's further offset of GCJ-02.

GCJ-02 and BD-09 are not real datums and have no EPSG code; they are applied
here with the well-known public formulae.  The forward WGS84 -> GCJ-02
transform is closed-form; its inverse has no closed form, so
:func:`gcj02_to_wgs84` solves it by fixed-point iteration to sub-millimetre
accuracy (the common one-step approximation errs by up to a few metres).

All measuring in metres (distances, buffers, areas, grids) is done in
:data:`METRIC_CRS`, CGCS2000 / 3-degree Gauss-Kruger CM 120E (``EPSG:4549``),
whose central meridian runs through Changzhou.

Conventions
-----------
Every point function takes ``(lon, lat)`` (x first).  Inputs may be python
floats, lists or numpy arrays (broadcast against each other).  If both inputs
are scalars a ``(float, float)`` tuple is returned, otherwise a tuple of two
``float64`` numpy arrays with the broadcast shape.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "BD09",
    "GCJ02",
    "METRIC_CRS",
    "SUPPORTED_SYSTEMS",
    "WGS84",
    "WGS84_NAME",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_metric",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "gdf_from_wgs84",
    "gdf_to_wgs84",
    "normalize_system",
    "out_of_china",
    "to_metric",
    "to_wgs84",
    "transform_geometry",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

WGS84: str = "EPSG:4326"
"""Geographic WGS84 CRS (lon/lat degrees); canonical storage CRS."""

METRIC_CRS: str = "EPSG:4549"
"""CGCS2000 / 3-degree Gauss-Kruger CM 120E; used for all metric work."""

WGS84_NAME: str = "wgs84"
GCJ02: str = "gcj02"
BD09: str = "bd09"
SUPPORTED_SYSTEMS: tuple[str, ...] = (WGS84_NAME, GCJ02, BD09)
"""Names accepted by :func:`to_wgs84` / :func:`from_wgs84` (case-insensitive)."""

# Krasovsky 1940 ellipsoid parameters used by the GCJ-02 formula.
_A: float = 6378245.0
_EE: float = 0.00669342162296594323
# BD-09 constant.
_X_PI: float = np.pi * 3000.0 / 180.0

# Rough mainland-China bounding box; outside it GCJ-02 applies no offset.
_CHINA_LON_MIN, _CHINA_LON_MAX = 72.004, 137.8347
_CHINA_LAT_MIN, _CHINA_LAT_MAX = 0.8293, 55.8271

# Iterative inverse settings (degrees; 1e-9 deg is about 0.1 mm).
_INVERSE_TOL: float = 1e-9
_INVERSE_MAX_ITER: int = 30

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]
LonLat = tuple[Any, Any]
LonLatFunc = Callable[[Any, Any], LonLat]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _prepare(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray, bool]:
    """Convert inputs to broadcast float64 arrays.

    Returns
    -------
    lon, lat : numpy.ndarray
        Broadcast copies of the inputs as ``float64``.
    scalar : bool
        True if both inputs were scalars.
    """
    lon_arr = np.asarray(lon, dtype=np.float64)
    lat_arr = np.asarray(lat, dtype=np.float64)
    scalar = lon_arr.ndim == 0 and lat_arr.ndim == 0
    lon_b, lat_b = np.broadcast_arrays(lon_arr, lat_arr)
    return np.array(lon_b, dtype=np.float64), np.array(lat_b, dtype=np.float64), scalar


def _finish(lon: FloatArray, lat: FloatArray, scalar: bool) -> LonLat:
    """Return a float tuple for scalar input, otherwise the arrays."""
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> Any:
    """Test whether points lie outside the rough mainland-China bounding box.

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees.

    Returns
    -------
    bool or numpy.ndarray of bool
        True where the point is outside the box (or not finite).  A python
        ``bool`` is returned for scalar input.
    """
    lon_arr, lat_arr, scalar = _prepare(lon, lat)
    result = ~_inside_mask(lon_arr, lat_arr)
    return bool(result) if scalar else result


def _inside_mask(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    """True where ``(lon, lat)`` is strictly inside the China box (NaN -> False)."""
    return (
        (lon > _CHINA_LON_MIN)
        & (lon < _CHINA_LON_MAX)
        & (lat > _CHINA_LAT_MIN)
        & (lat < _CHINA_LAT_MAX)
    )


def _transform_lat(x: FloatArray, y: FloatArray) -> FloatArray:
    ret = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
    )
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (
        (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0))
        * 2.0
        / 3.0
    )
    return ret


def _transform_lon(x: FloatArray, y: FloatArray) -> FloatArray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (
        (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi))
        * 2.0
        / 3.0
    )
    return ret


def _gcj02_delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 offset (degrees) at WGS84 position ``(lon, lat)``, no bbox test."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = np.sin(radlat)
    magic = 1.0 - _EE * magic * magic
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _gcj02_forward(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Forward GCJ-02 transform without the bounding-box test."""
    dlon, dlat = _gcj02_delta(lon, lat)
    return lon + dlon, lat + dlat


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    target_lon: FloatArray,
    target_lat: FloatArray,
    lon: FloatArray,
    lat: FloatArray,
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, FloatArray]:
    """Invert a near-identity ``forward`` map by fixed-point iteration.

    Iterates ``p <- p + (target - forward(p))`` from the start ``(lon, lat)``
    until the largest finite residual is below ``tol`` degrees or
    ``max_iter`` iterations have run.  Converges quickly because the offsets
    involved vary very slowly with position (the map is a contraction).
    """
    lon = np.array(lon, dtype=np.float64, copy=True)
    lat = np.array(lat, dtype=np.float64, copy=True)
    for _ in range(max_iter):
        f_lon, f_lat = forward(lon, lat)
        res_lon = target_lon - f_lon
        res_lat = target_lat - f_lat
        lon += res_lon
        lat += res_lat
        err = np.fmax(np.abs(res_lon), np.abs(res_lat))
        err = err[np.isfinite(err)]
        if err.size == 0 or err.max() < tol:
            break
    return lon, lat


# ---------------------------------------------------------------------------
# GCJ-02 / BD-09 point transforms
# ---------------------------------------------------------------------------


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert WGS84 coordinates to GCJ-02.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02; floats for scalar input, arrays otherwise.
        Points outside mainland China are returned unchanged.
    """
    lon_arr, lat_arr, scalar = _prepare(lon, lat)
    inside = _inside_mask(lon_arr, lat_arr)
    if inside.any():
        dlon, dlat = _gcj02_delta(lon_arr[inside], lat_arr[inside])
        lon_arr[inside] += dlon
        lat_arr[inside] += dlat
    return _finish(lon_arr, lat_arr, scalar)


def gcj02_to_wgs84(
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    tol: float = _INVERSE_TOL,
    max_iter: int = _INVERSE_MAX_ITER,
) -> LonLat:
    """Convert GCJ-02 coordinates to WGS84 with an iterative inverse.

    The forward transform ``F`` is inverted by the fixed-point iteration
    ``w <- w + (g - F(w))``, starting from the usual one-step estimate
    ``w0 = g - delta(g)``.  Because the offset varies slowly the iteration
    contracts strongly and typically converges in 2-4 steps.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 longitude and latitude in degrees.
    tol : float, default 1e-9
        Stop when the largest forward residual ``|F(w) - g|`` (degrees) of
        all points is below this value.
    max_iter : int, default 30
        Maximum number of refinement iterations.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84; floats for scalar input, arrays otherwise.
        Points outside mainland China are returned unchanged.
    """
    lon_arr, lat_arr, scalar = _prepare(lon, lat)
    inside = _inside_mask(lon_arr, lat_arr)
    if inside.any():
        g_lon = lon_arr[inside]
        g_lat = lat_arr[inside]
        dlon, dlat = _gcj02_delta(g_lon, g_lat)
        w_lon, w_lat = _invert(
            _gcj02_forward, g_lon, g_lat, g_lon - dlon, g_lat - dlat, tol, max_iter
        )
        lon_arr[inside] = w_lon
        lat_arr[inside] = w_lat
    return _finish(lon_arr, lat_arr, scalar)


def _bd09_forward(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Standard GCJ-02 -> BD-09 formula on arrays."""
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_inverse_closed_form(
    lon: FloatArray, lat: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Standard closed-form (approximate) BD-09 -> GCJ-02 formula on arrays."""
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert GCJ-02 coordinates to Baidu BD-09.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09; floats for scalar input, arrays otherwise.
    """
    lon_arr, lat_arr, scalar = _prepare(lon, lat)
    b_lon, b_lat = _bd09_forward(lon_arr, lat_arr)
    return _finish(b_lon, b_lat, scalar)


def bd09_to_gcj02(
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    tol: float = _INVERSE_TOL,
    max_iter: int = _INVERSE_MAX_ITER,
) -> LonLat:
    """Convert Baidu BD-09 coordinates to GCJ-02.

    Starts from the standard closed-form inverse and refines it by
    fixed-point iteration on :func:`gcj02_to_bd09`.  The closed form alone
    (as found in most libraries) has a round-trip error of up to ~0.15 m;
    the refined result is exact to ``tol``.

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 longitude and latitude in degrees.
    tol : float, default 1e-9
        Stop when the largest forward residual (degrees) is below this value.
    max_iter : int, default 30
        Maximum number of refinement iterations (0 gives the closed form).

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02; floats for scalar input, arrays otherwise.
    """
    lon_arr, lat_arr, scalar = _prepare(lon, lat)
    g_lon, g_lat = _bd09_inverse_closed_form(lon_arr, lat_arr)
    g_lon, g_lat = _invert(_bd09_forward, lon_arr, lat_arr, g_lon, g_lat, tol, max_iter)
    return _finish(g_lon, g_lat, scalar)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert WGS84 coordinates to BD-09 (via GCJ-02).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09; floats for scalar input, arrays otherwise.
    """
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    return gcj02_to_bd09(g_lon, g_lat)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert BD-09 coordinates to WGS84 (via GCJ-02, iterative inverse).

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 longitude and latitude in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84; floats for scalar input, arrays otherwise.
    """
    g_lon, g_lat = bd09_to_gcj02(lon, lat)
    return gcj02_to_wgs84(g_lon, g_lat)


def _identity(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    lon_arr, lat_arr, scalar = _prepare(lon, lat)
    return _finish(lon_arr, lat_arr, scalar)


_TO_WGS84: dict[str, LonLatFunc] = {
    WGS84_NAME: _identity,
    GCJ02: gcj02_to_wgs84,
    BD09: bd09_to_wgs84,
}
_FROM_WGS84: dict[str, LonLatFunc] = {
    WGS84_NAME: _identity,
    GCJ02: wgs84_to_gcj02,
    BD09: wgs84_to_bd09,
}


def normalize_system(name: str) -> str:
    """Validate and normalise a coordinate-system name.

    Parameters
    ----------
    name : str
        One of ``"wgs84"``, ``"gcj02"``, ``"bd09"`` (case-insensitive,
        surrounding whitespace ignored).

    Returns
    -------
    str
        The lower-case name.

    Raises
    ------
    ValueError
        If the name is not supported.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in SUPPORTED_SYSTEMS:
        allowed = ", ".join(repr(s) for s in SUPPORTED_SYSTEMS)
        raise ValueError(f"不支持的坐标系 {name!r}, 可选值为: {allowed}")
    return key


def to_wgs84(lon: ArrayLike, lat: ArrayLike, source: str) -> LonLat:
    """Convert coordinates from ``source`` to WGS84.

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees in the ``source`` system.
    source : {"wgs84", "gcj02", "bd09"}
        Source coordinate system (case-insensitive).

    Returns
    -------
    tuple
        WGS84 ``(lon, lat)``; floats for scalar input, arrays otherwise.

    Raises
    ------
    ValueError
        If ``source`` is not supported.
    """
    return _TO_WGS84[normalize_system(source)](lon, lat)


def from_wgs84(lon: ArrayLike, lat: ArrayLike, target: str) -> LonLat:
    """Convert WGS84 coordinates to ``target``.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 longitude and latitude in degrees.
    target : {"wgs84", "gcj02", "bd09"}
        Target coordinate system (case-insensitive).

    Returns
    -------
    tuple
        ``(lon, lat)`` in ``target``; floats for scalar input, arrays otherwise.

    Raises
    ------
    ValueError
        If ``target`` is not supported.
    """
    return _FROM_WGS84[normalize_system(target)](lon, lat)


# ---------------------------------------------------------------------------
# Geometries and GeoDataFrames
# ---------------------------------------------------------------------------


def transform_geometry(geom: Any, func: LonLatFunc) -> Any:
    """Apply a vectorised ``(lon, lat) -> (lon, lat)`` function to geometries.

    Parameters
    ----------
    geom : shapely.Geometry or array_like of shapely.Geometry
        Any shapely 2 geometry (or array of geometries, e.g.
        ``GeoSeries.values``).  ``None`` and empty geometries pass through.
    func : callable
        Function taking two 1-D coordinate arrays and returning a
        ``(lon, lat)`` pair of arrays of the same length, such as
        :func:`wgs84_to_gcj02`.

    Returns
    -------
    shapely.Geometry or numpy.ndarray
        Transformed geometry (geometries).  Z values, if present, are kept.
    """

    def _apply(coords: FloatArray) -> FloatArray:
        out = np.array(coords, dtype=np.float64, copy=True)
        if out.shape[0] == 0:
            return out
        new_lon, new_lat = func(out[:, 0], out[:, 1])
        out[:, 0] = new_lon
        out[:, 1] = new_lat
        return out

    return shapely.transform(geom, _apply, include_z=None)


def _check_lonlat_gdf(gdf: gpd.GeoDataFrame, system: str) -> gpd.GeoDataFrame:
    """Make sure ``gdf`` holds lon/lat degrees suitable for ``system``."""
    if gdf.crs is None:
        return gdf
    crs = CRS.from_user_input(gdf.crs)
    if system == WGS84_NAME:
        return gdf if crs.equals(CRS.from_user_input(WGS84)) else gdf.to_crs(WGS84)
    if not crs.is_geographic:
        raise ValueError(
            f"{system} 坐标必须是经纬度, 但 GeoDataFrame 的坐标参考系为投影坐标系 {crs.to_string()}"
        )
    return gdf


def _gdf_apply(gdf: gpd.GeoDataFrame, func: LonLatFunc) -> gpd.GeoDataFrame:
    out = gdf.copy()
    geom_col = out.geometry.name
    new_geoms = transform_geometry(np.asarray(out.geometry.values, dtype=object), func)
    out[geom_col] = new_geoms
    out = out.set_geometry(geom_col)
    return out.set_crs(WGS84, allow_override=True)


def gdf_to_wgs84(gdf: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` with geometries converted to WGS84.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Data whose coordinates are in ``source``.  GCJ-02 / BD-09 data are
        usually labelled ``EPSG:4326`` or have no CRS; both are accepted.
        For ``source="wgs84"`` any CRS is reprojected to ``EPSG:4326``.
    source : {"wgs84", "gcj02", "bd09"}
        Coordinate system of the input coordinates (case-insensitive).

    Returns
    -------
    geopandas.GeoDataFrame
        Copy with WGS84 geometry and ``crs`` set to ``EPSG:4326``.

    Raises
    ------
    ValueError
        If ``source`` is not supported or a GCJ-02/BD-09 frame carries a
        projected CRS.
    """
    system = normalize_system(source)
    gdf = _check_lonlat_gdf(gdf, system)
    return _gdf_apply(gdf, _TO_WGS84[system])


def gdf_from_wgs84(gdf: gpd.GeoDataFrame, target: str) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` with WGS84 geometries converted to ``target``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Data in WGS84 (a frame in another real CRS is first reprojected to
        ``EPSG:4326``; a frame without CRS is assumed to be WGS84).
    target : {"wgs84", "gcj02", "bd09"}
        Target coordinate system (case-insensitive).

    Returns
    -------
    geopandas.GeoDataFrame
        Copy with converted geometry and ``crs`` set to ``EPSG:4326`` (GCJ-02
        and BD-09 have no EPSG code; they are conventionally labelled as
        lon/lat degrees, e.g. for web-map tiles).

    Raises
    ------
    ValueError
        If ``target`` is not supported.
    """
    system = normalize_system(target)
    gdf = _check_lonlat_gdf(gdf, WGS84_NAME)
    return _gdf_apply(gdf, _FROM_WGS84[system])


# ---------------------------------------------------------------------------
# Metric CRS
# ---------------------------------------------------------------------------


@cache
def _transformer(src: str, dst: str) -> Transformer:
    # Rebuilt from its resolved PROJ pipeline: a Transformer made from CRS codes looks them
    # up in PROJ's database again in every new thread (~60 ms), and Streamlit runs each
    # rerun in a new thread; one made from the pipeline costs ~0.1 ms per thread.
    resolved = Transformer.from_crs(src, dst, always_xy=True)
    return Transformer.from_pipeline(resolved.definition)


def to_metric(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Project WGS84 lon/lat to :data:`METRIC_CRS` (EPSG:4549) metres.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    tuple
        ``(x, y)`` easting/northing in metres as numpy arrays (floats for
        scalar input).
    """
    lon_arr, lat_arr, scalar = _prepare(lon, lat)
    x, y = _transformer(WGS84, METRIC_CRS).transform(lon_arr, lat_arr)
    return _finish(
        np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), scalar
    )


def from_metric(x: ArrayLike, y: ArrayLike) -> LonLat:
    """Unproject :data:`METRIC_CRS` (EPSG:4549) metres to WGS84 lon/lat.

    Parameters
    ----------
    x, y : float or array_like
        Easting and northing in metres.

    Returns
    -------
    tuple
        ``(lon, lat)`` in degrees as numpy arrays (floats for scalar input).
    """
    x_arr, y_arr, scalar = _prepare(x, y)
    lon, lat = _transformer(METRIC_CRS, WGS84).transform(x_arr, y_arr)
    return _finish(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64), scalar
    )
