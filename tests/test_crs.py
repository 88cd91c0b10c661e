"""Tests for gsyf_geo.crs (WGS84 / GCJ-02 / BD-09 and the metric CRS)."""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

try:
    from gsyf_geo import crs
except ModuleNotFoundError:  # running without the project root on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from gsyf_geo import crs

# Changzhou bounding box (WGS84 degrees).
CZ_LON = (119.1, 120.2)
CZ_LAT = (31.1, 32.1)
# Points clearly outside mainland China.
OUTSIDE = [
    (2.3522, 48.8566),  # Paris
    (-74.006, 40.7128),  # New York
    (151.2093, -33.8688),  # Sydney
    (139.6917, 35.6895),  # Tokyo (east of the box)
    (37.6173, 55.7558),  # Moscow
]


def _grid(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.linspace(*CZ_LON, n), np.linspace(*CZ_LAT, n))
    return lon, lat


def _random_changzhou(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(*CZ_LON, n), rng.uniform(*CZ_LAT, n)


def _metre_error(lon0, lat0, lon1, lat1) -> np.ndarray:
    """Planar distance in metres between two WGS84 point sets (EPSG:4549)."""
    x0, y0 = crs.to_metric(lon0, lat0)
    x1, y1 = crs.to_metric(lon1, lat1)
    return np.hypot(np.asarray(x1) - x0, np.asarray(y1) - y0)


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------


def test_constants() -> None:
    assert crs.WGS84 == "EPSG:4326"
    assert crs.METRIC_CRS == "EPSG:4549"
    metric = CRS.from_user_input(crs.METRIC_CRS)
    assert metric.is_projected
    assert "120E" in metric.name
    assert metric.axis_info[0].unit_name == "metre"


# ---------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------


def test_gcj02_round_trip_dense_grid() -> None:
    lon, lat = _grid(200)
    g_lon, g_lat = crs.wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = crs.gcj02_to_wgs84(g_lon, g_lat)
    assert w_lon.shape == lon.shape
    err = _metre_error(lon, lat, w_lon, w_lat)
    assert err.max() < 0.01
    # The inverse actually hits the 1e-9 degree residual target.
    r_lon, r_lat = crs.wgs84_to_gcj02(w_lon, w_lat)
    assert np.abs(r_lon - g_lon).max() < 1e-9
    assert np.abs(r_lat - g_lat).max() < 1e-9


def test_bd09_round_trip_dense_grid() -> None:
    lon, lat = _grid(200)
    b_lon, b_lat = crs.wgs84_to_bd09(lon, lat)
    w_lon, w_lat = crs.bd09_to_wgs84(b_lon, b_lat)
    err = _metre_error(lon, lat, w_lon, w_lat)
    assert err.max() < 0.01


def test_gcj02_bd09_round_trip_dense_grid() -> None:
    lon, lat = crs.wgs84_to_gcj02(*_grid(200))
    g_lon, g_lat = crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lon, lat))
    err = _metre_error(lon, lat, g_lon, g_lat)
    assert err.max() < 0.01


def test_gcj02_offset_magnitude_in_changzhou() -> None:
    lon, lat = _grid(50)
    offset = _metre_error(lon, lat, *crs.wgs84_to_gcj02(lon, lat))
    assert offset.min() > 400.0
    assert offset.max() < 700.0


def test_bd09_offset_is_larger_than_gcj02() -> None:
    lon, lat = _grid(20)
    gcj = _metre_error(lon, lat, *crs.wgs84_to_gcj02(lon, lat))
    bd = _metre_error(lon, lat, *crs.wgs84_to_bd09(lon, lat))
    assert np.all(bd > gcj)
    assert bd.max() < 2000.0


# ---------------------------------------------------------------------------
# Independent implementation (PyPI coordTransform), used only in tests
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ct():
    return pytest.importorskip("coordTransform")


def _random_china(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    # Inside both our bbox and coordTransform's (73.66-135.05, 3.86-53.55).
    rng = np.random.default_rng(seed)
    return rng.uniform(74.0, 134.5, n), rng.uniform(4.5, 53.0, n)


@pytest.mark.parametrize("name", ["wgs84_to_gcj02", "gcj02_to_bd09", "wgs84_to_bd09"])
def test_forward_agrees_with_coordtransform(ct, name: str) -> None:
    ours = getattr(crs, name)
    theirs = getattr(ct, name)
    for lon, lat in (_random_china(300), _random_changzhou(300)):
        # Scalar calls use coordTransform's pure-python implementation.
        for x, y in zip(lon, lat, strict=True):
            o = ours(float(x), float(y))
            t = theirs(float(x), float(y))
            assert abs(o[0] - t[0]) < 1e-9
            assert abs(o[1] - t[1]) < 1e-9
        # Array calls use its C batch implementation (if compiled).
        o_lon, o_lat = ours(lon, lat)
        t_lon, t_lat = theirs(lon, lat)
        np.testing.assert_allclose(o_lon, t_lon, rtol=0, atol=1e-9)
        np.testing.assert_allclose(o_lat, t_lat, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("forward", "inverse"),
    [
        ("wgs84_to_gcj02", "gcj02_to_wgs84"),
        ("wgs84_to_bd09", "bd09_to_wgs84"),
        ("gcj02_to_bd09", "bd09_to_gcj02"),
    ],
)
def test_iterative_inverse_beats_coordtransform(ct, forward: str, inverse: str) -> None:
    true_lon, true_lat = _random_changzhou(2000, seed=7)
    src_lon, src_lat = getattr(crs, forward)(true_lon, true_lat)

    ours = _metre_error(true_lon, true_lat, *getattr(crs, inverse)(src_lon, src_lat))
    t_lon, t_lat = getattr(ct, inverse)(src_lon, src_lat)
    theirs = _metre_error(true_lon, true_lat, np.asarray(t_lon), np.asarray(t_lat))

    assert ours.max() < 0.01
    assert np.all(ours <= theirs)
    assert ours.max() < theirs.max() / 10.0


def test_coordtransform_one_step_gcj_inverse_errs_by_metres(ct) -> None:
    true_lon, true_lat = _random_changzhou(2000, seed=3)
    g_lon, g_lat = crs.wgs84_to_gcj02(true_lon, true_lat)
    t_lon, t_lat = ct.gcj02_to_wgs84(g_lon, g_lat)
    theirs = _metre_error(true_lon, true_lat, np.asarray(t_lon), np.asarray(t_lat))
    assert theirs.max() > 1.0


# ---------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------

ALL_POINT_FUNCS = [
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
]


@pytest.mark.parametrize("name", ALL_POINT_FUNCS)
def test_scalar_list_and_array_inputs(name: str) -> None:
    func = getattr(crs, name)
    lon = [119.95, 119.5, 120.1]
    lat = [31.78, 31.4, 32.0]

    scalar = func(119.95, 31.78)
    assert isinstance(scalar, tuple)
    assert len(scalar) == 2
    assert all(type(v) is float for v in scalar)

    np_scalar = func(np.float64(119.95), np.float64(31.78))
    assert all(type(v) is float for v in np_scalar)
    assert np_scalar == scalar

    from_list = func(lon, lat)
    from_array = func(np.array(lon), np.array(lat))
    for out in (from_list, from_array):
        assert isinstance(out[0], np.ndarray)
        assert isinstance(out[1], np.ndarray)
        assert out[0].shape == (3,)
        assert out[0][0] == pytest.approx(scalar[0], abs=1e-12)
        assert out[1][0] == pytest.approx(scalar[1], abs=1e-12)

    grid = func(np.array(lon).reshape(3, 1) * np.ones((1, 4)), np.full((3, 4), 31.7))
    assert grid[0].shape == (3, 4)

    single = func(np.array([119.95]), np.array([31.78]))
    assert single[0].shape == (1,)


def test_inputs_are_not_modified() -> None:
    lon = np.array([119.9, 120.0])
    lat = np.array([31.7, 31.8])
    lon_copy, lat_copy = lon.copy(), lat.copy()
    for name in ALL_POINT_FUNCS:
        getattr(crs, name)(lon, lat)
    np.testing.assert_array_equal(lon, lon_copy)
    np.testing.assert_array_equal(lat, lat_copy)


def test_broadcasting_scalar_with_array() -> None:
    lon, lat = crs.wgs84_to_gcj02(119.9, np.array([31.5, 31.6, 31.7]))
    assert lon.shape == lat.shape == (3,)


@pytest.mark.parametrize("name", ["wgs84_to_gcj02", "gcj02_to_wgs84"])
def test_points_outside_china_unchanged(name: str) -> None:
    func = getattr(crs, name)
    for lon, lat in OUTSIDE:
        assert crs.out_of_china(lon, lat)
        assert func(lon, lat) == (lon, lat)
    # Mixed array: outside points unchanged, inside points moved.
    lon = np.array([p[0] for p in OUTSIDE] + [119.95])
    lat = np.array([p[1] for p in OUTSIDE] + [31.78])
    out_lon, out_lat = func(lon, lat)
    np.testing.assert_array_equal(out_lon[:-1], lon[:-1])
    np.testing.assert_array_equal(out_lat[:-1], lat[:-1])
    assert out_lon[-1] != lon[-1]
    assert out_lat[-1] != lat[-1]


def test_out_of_china() -> None:
    assert crs.out_of_china(2.35, 48.85) is True
    assert crs.out_of_china(119.95, 31.78) is False
    mask = crs.out_of_china([2.35, 119.95], [48.85, 31.78])
    np.testing.assert_array_equal(mask, [True, False])


def test_nan_passes_through() -> None:
    lon, lat = crs.gcj02_to_wgs84([np.nan, 119.9], [31.7, 31.7])
    assert np.isnan(lon[0])
    assert np.isfinite(lon[1])
    assert np.isfinite(lat[1])


# ---------------------------------------------------------------------------
# to_wgs84 / from_wgs84 dispatch
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "to_func", "from_func"),
    [
        ("gcj02", "gcj02_to_wgs84", "wgs84_to_gcj02"),
        ("GCJ02", "gcj02_to_wgs84", "wgs84_to_gcj02"),
        ("bd09", "bd09_to_wgs84", "wgs84_to_bd09"),
        (" Bd09 ", "bd09_to_wgs84", "wgs84_to_bd09"),
    ],
)
def test_dispatch(system: str, to_func: str, from_func: str) -> None:
    lon, lat = _random_changzhou(50)
    np.testing.assert_array_equal(
        crs.to_wgs84(lon, lat, system)[0], getattr(crs, to_func)(lon, lat)[0]
    )
    np.testing.assert_array_equal(
        crs.from_wgs84(lon, lat, system)[1], getattr(crs, from_func)(lon, lat)[1]
    )
    assert crs.to_wgs84(119.9, 31.7, system) == getattr(crs, to_func)(119.9, 31.7)


@pytest.mark.parametrize("system", ["wgs84", "WGS84"])
def test_dispatch_wgs84_is_identity(system: str) -> None:
    assert crs.to_wgs84(119.9, 31.7, system) == (119.9, 31.7)
    assert crs.from_wgs84(119.9, 31.7, system) == (119.9, 31.7)
    lon, lat = crs.to_wgs84([119.9, 120.0], [31.7, 31.8], system)
    np.testing.assert_array_equal(lon, [119.9, 120.0])
    np.testing.assert_array_equal(lat, [31.7, 31.8])


@pytest.mark.parametrize("bad", ["utm", "gcj-02", "", "EPSG:4326"])
def test_invalid_system_raises(bad: str) -> None:
    with pytest.raises(ValueError, match="wgs84") as info:
        crs.to_wgs84(119.9, 31.7, bad)
    assert "坐标系" in str(info.value)
    assert "gcj02" in str(info.value)
    assert "bd09" in str(info.value)
    with pytest.raises(ValueError, match="坐标系"):
        crs.from_wgs84(119.9, 31.7, bad)


# ---------------------------------------------------------------------------
# Geometries and GeoDataFrames
# ---------------------------------------------------------------------------


def _sample_geometries() -> list:
    ring = [(119.9, 31.7), (120.0, 31.7), (120.0, 31.8), (119.9, 31.8)]
    hole = [(119.93, 31.73), (119.96, 31.73), (119.96, 31.76)]
    poly = Polygon(ring, [hole])
    return [
        Point(119.95, 31.78),
        LineString([(119.5, 31.4), (119.7, 31.6), (120.1, 32.0)]),
        poly,
        MultiPolygon([poly, Polygon([(119.2, 31.2), (119.3, 31.2), (119.3, 31.3)])]),
    ]


def test_transform_geometry_matches_point_function() -> None:
    for geom in _sample_geometries():
        out = crs.transform_geometry(geom, crs.wgs84_to_gcj02)
        assert out.geom_type == geom.geom_type
        coords = shapely.get_coordinates(geom)
        expected = np.column_stack(crs.wgs84_to_gcj02(coords[:, 0], coords[:, 1]))
        np.testing.assert_allclose(shapely.get_coordinates(out), expected, atol=1e-12)
        # Original geometry untouched.
        np.testing.assert_array_equal(shapely.get_coordinates(geom), coords)


def test_transform_geometry_round_trip_and_extras() -> None:
    poly = _sample_geometries()[2]
    back = crs.transform_geometry(
        crs.transform_geometry(poly, crs.wgs84_to_bd09), crs.bd09_to_wgs84
    )
    assert len(back.interiors) == 1
    assert shapely.equals_exact(back, poly, tolerance=1e-9)

    p3 = crs.transform_geometry(Point(119.95, 31.78, 12.5), crs.wgs84_to_gcj02)
    assert p3.has_z
    assert p3.z == 12.5

    assert crs.transform_geometry(Point(), crs.wgs84_to_gcj02).is_empty

    arr = crs.transform_geometry(
        np.array(_sample_geometries() + [None], dtype=object), crs.wgs84_to_gcj02
    )
    assert arr.shape == (5,)
    assert arr[-1] is None


def _sample_gdf(geoms: list | None = None, crs_: str | None = crs.WGS84):
    geoms = geoms or _sample_geometries()
    return gpd.GeoDataFrame(
        {"name": [f"g{i}" for i in range(len(geoms))]}, geometry=geoms, crs=crs_
    )


@pytest.mark.parametrize("system", ["gcj02", "bd09", "wgs84"])
def test_gdf_round_trip(system: str) -> None:
    gdf = _sample_gdf()
    original = gdf.copy()
    shifted = crs.gdf_from_wgs84(gdf, system)
    assert shifted is not gdf
    assert shifted.crs == CRS.from_user_input(crs.WGS84)
    assert list(shifted["name"]) == list(gdf["name"])
    # Input not modified.
    assert gdf.geometry.geom_equals_exact(original.geometry, tolerance=0).all()

    back = crs.gdf_to_wgs84(shifted, system)
    assert back.crs == CRS.from_user_input(crs.WGS84)
    assert back.geometry.geom_equals_exact(gdf.geometry, tolerance=1e-9).all()
    if system != "wgs84":
        assert not shifted.geometry.geom_equals_exact(
            gdf.geometry, tolerance=1e-4
        ).any()


def test_gdf_to_wgs84_accepts_missing_crs_and_custom_geometry_column() -> None:
    gdf = _sample_gdf(crs_=None).rename_geometry("geom")
    out = crs.gdf_to_wgs84(gdf, "gcj02")
    assert out.geometry.name == "geom"
    assert out.crs == CRS.from_user_input(crs.WGS84)
    assert gdf.crs is None
    expected = crs.gcj02_to_wgs84(119.95, 31.78)
    assert out.geometry.iloc[0].x == pytest.approx(expected[0], abs=1e-12)
    assert out.geometry.iloc[0].y == pytest.approx(expected[1], abs=1e-12)


def test_gdf_projected_inputs() -> None:
    metric = _sample_gdf().to_crs(crs.METRIC_CRS)
    # A real projected CRS holding WGS84-based data is simply reprojected.
    out = crs.gdf_to_wgs84(metric, "wgs84")
    assert out.crs == CRS.from_user_input(crs.WGS84)
    assert out.geometry.geom_equals_exact(_sample_gdf().geometry, tolerance=1e-7).all()
    # GCJ-02 / BD-09 coordinates cannot be metric.
    with pytest.raises(ValueError, match="gcj02"):
        crs.gdf_to_wgs84(metric, "gcj02")
    with pytest.raises(ValueError, match="坐标系"):
        crs.gdf_to_wgs84(_sample_gdf(), "mercator")


# ---------------------------------------------------------------------------
# Metric CRS
# ---------------------------------------------------------------------------


def test_to_metric_from_metric_round_trip() -> None:
    lon, lat = _grid(100)
    x, y = crs.to_metric(lon, lat)
    assert isinstance(x, np.ndarray)
    assert x.shape == lon.shape
    # Changzhou straddles the 120E central meridian (false easting 500 km).
    assert 380_000 < x.min() < x.max() < 600_000
    assert 3_440_000 < y.min() < y.max() < 3_560_000
    back_lon, back_lat = crs.from_metric(x, y)
    assert np.abs(back_lon - lon).max() < 1e-9
    assert np.abs(back_lat - lat).max() < 1e-9


def test_to_metric_scalar_and_central_meridian() -> None:
    x, y = crs.to_metric(120.0, 31.7)
    assert type(x) is float
    assert type(y) is float
    assert x == pytest.approx(500_000.0, abs=1e-6)
    lon, lat = crs.from_metric(x, y)
    assert lon == pytest.approx(120.0, abs=1e-9)
    assert lat == pytest.approx(31.7, abs=1e-9)


def test_one_degree_of_latitude_near_31_7n() -> None:
    x, y = crs.to_metric([119.95, 119.95], [31.2, 32.2])
    dist = float(np.hypot(x[1] - x[0], y[1] - y[0]))
    assert dist == pytest.approx(110_900.0, rel=0.005)


def test_metric_distances_match_geodesic() -> None:
    geod = Geod(ellps="WGS84")
    lon0, lat0 = _random_changzhou(200, seed=11)
    lon1, lat1 = _random_changzhou(200, seed=12)
    _, _, geodesic = geod.inv(lon0, lat0, lon1, lat1)
    planar = _metre_error(lon0, lat0, lon1, lat1)
    # Gauss-Kruger scale error within ~60 km of the CM is below 0.01 %.
    np.testing.assert_allclose(planar, geodesic, rtol=2e-4)


def test_transformer_is_cached() -> None:
    assert crs._transformer(crs.WGS84, crs.METRIC_CRS) is crs._transformer(
        crs.WGS84, crs.METRIC_CRS
    )


@pytest.mark.parametrize(("src", "dst"), [(crs.WGS84, crs.METRIC_CRS), (crs.METRIC_CRS, crs.WGS84)])
def test_pipeline_transformer_matches_the_crs_transformer(src: str, dst: str) -> None:
    # _transformer is rebuilt from its PROJ pipeline (cheap in Streamlit's per-run threads);
    # it must give exactly what pyproj gives for the two CRSs.
    from pyproj import Transformer

    lon, lat = _grid(50)
    x, y = crs.to_metric(lon, lat)
    a, b = (lon, lat) if src == crs.WGS84 else (x, y)
    expected = Transformer.from_crs(src, dst, always_xy=True).transform(a, b)
    got = crs._transformer(src, dst).transform(a, b)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
