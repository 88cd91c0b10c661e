"""The store and its scoped query layer, on SQLite and on PostGIS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import inspect, text

from gsyf_geo.crs import to_metric
from gsyf_geo.store import Scope, ScopeError, Store


def _enterprises() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "credit_code": ["91320411MA1X00001A", "91320412MA1X00002B", "91320412MA1X00003C"],
            "name": ["滨江化工有限公司", "横林钢材有限公司", "湖塘机械有限公司"],
            "district": ["320411", "320412", "320412"],
            "town_code": ["320411004", "320412105", "320412100"],
            "lon": [119.985, 120.17, 119.96],
            "lat": [31.955, 31.71, 31.70],
            "key_industry": ["chemical", "metallurgy", "machinery"],
            "employees": [120, 300, 40],
            "insured": [110, 280, 30],
        }
    )


def test_upsert_counts_inserts_then_updates(store):
    assert store.upsert("enterprise", _enterprises()) == (3, 0)
    changed = _enterprises().assign(insured=[120, 290, 35])
    assert store.upsert("enterprise", changed) == (0, 3)
    got = store.read("enterprise").set_index("credit_code")
    assert got.loc["91320412MA1X00002B", "insured"] == 290
    assert store.count("enterprise") == 3


def test_derived_columns_metric_xy_and_reporting_unit(store):
    store.upsert("enterprise", _enterprises())
    got = store.read("enterprise").set_index("credit_code")
    x, y = to_metric(119.985, 31.955)
    assert got.loc["91320411MA1X00001A", "x"] == pytest.approx(x)
    assert got.loc["91320411MA1X00001A", "y"] == pytest.approx(y)
    # 横林镇 belongs to 经开区; 湖塘镇 stays with 武进.
    assert got.loc["91320412MA1X00002B", "reporting_unit"] == "JKQ"
    assert got.loc["91320412MA1X00003C", "reporting_unit"] == "320412"
    assert got.crs.to_epsg() == 4326
    assert got.geometry.iloc[0].equals(shapely.Point(got["lon"].iloc[0], got["lat"].iloc[0]))


def test_scopes_restrict_reads(store):
    store.upsert("enterprise", _enterprises())
    assert store.count("enterprise", Scope.city()) == 3
    assert store.count("enterprise", Scope.district("320412")) == 2  # administrative 武进
    assert store.count("enterprise", Scope.unit("320412")) == 1  # 武进 without 经开区
    assert list(store.read("enterprise", Scope.unit("JKQ"))["name"]) == ["横林钢材有限公司"]
    assert store.read("enterprise", Scope.district("320481")).empty


def test_write_outside_scope_is_refused_and_writes_nothing(store):
    with pytest.raises(ScopeError, match="权限范围"):
        store.upsert("enterprise", _enterprises(), scope=Scope.district("320411"))
    assert store.count("enterprise") == 0
    store.upsert("enterprise", _enterprises().iloc[[0]], scope=Scope.district("320411"))
    assert store.count("enterprise") == 1


def test_failed_write_rolls_back_the_whole_transaction(store):
    store.upsert("enterprise", _enterprises().iloc[[0]])
    with pytest.raises(Exception):  # noqa: B017 - the duplicate key error differs by backend
        with store.transaction() as conn:
            store.insert("enterprise", _enterprises().iloc[[1]], conn=conn)
            store.insert("enterprise", _enterprises().iloc[[0]], conn=conn)  # duplicate key
    assert store.count("enterprise") == 1


def test_within_radius_is_exact_in_metres(store):
    store.upsert("enterprise", _enterprises())
    x, y = to_metric(119.96, 31.70)
    near = store.within_radius("enterprise", float(x), float(y), 1_000)
    assert list(near["credit_code"]) == ["91320412MA1X00003C"]
    far = store.within_radius("enterprise", float(x), float(y), 30_000)
    assert len(far) == 3
    d = np.hypot(far["x"] - x, far["y"] - y)
    assert (d <= 30_000).all()


def test_rows_without_coordinates_are_kept(store):
    df = _enterprises().iloc[[0]].assign(lon=np.nan, lat=np.nan)
    store.upsert("enterprise", df)
    got = store.read("enterprise")
    assert got["x"].isna().all()
    assert got.geometry.isna().all()


def test_settings_and_batches(store):
    assert not store.holds_demo_data
    store.set_setting("demo_seed", "7")
    assert store.holds_demo_data and store.get_setting("demo_seed") == "7"
    with store.transaction() as conn:
        batch = store.start_batch("enterprise", conn, file_name="企业.csv", file_sha256="ab" * 32)
        store.finish_batch(batch, conn, rows_read=3, inserted=3)
    b = store.batches().iloc[0]
    assert (b["file_name"], b["rows_read"], b["status"]) == ("企业.csv", 3, "done")


def _fresh(url: str) -> Store:
    s = Store(url)
    s.drop_schema()
    s.create_schema()
    return s


def test_postgis_geometry_column_and_gist_index(pg_url):
    store = _fresh(pg_url)
    store.upsert("enterprise", _enterprises())
    with store.engine.connect() as conn:
        srid, wkt = conn.execute(
            text("SELECT ST_SRID(geom), ST_AsText(geom) FROM enterprise ORDER BY credit_code")
        ).first()
        # A spatial query the server can answer with its index: within 2 km of 春江.
        n = conn.execute(
            text(
                "SELECT count(*) FROM enterprise WHERE ST_DWithin(geom::geography,"
                " ST_SetSRID(ST_MakePoint(119.985, 31.95), 4326)::geography, 2000)"
            )
        ).scalar_one()
    assert srid == 4326 and wkt == "POINT(119.985 31.955)" and n == 1
    index_kinds = {
        ix["name"]: ix.get("dialect_options", {}).get("postgresql_using")
        for ix in inspect(store.engine).get_indexes("enterprise")
    }
    assert index_kinds.get("ix_enterprise_geom_gist") == "gist"


def test_sqlite_store_needs_no_spatialite(tmp_path):
    store = _fresh(f"sqlite:///{tmp_path / 's.sqlite'}")
    store.upsert("enterprise", _enterprises())
    with store.engine.connect() as conn:
        blob = conn.execute(text("SELECT geom FROM enterprise LIMIT 1")).scalar_one()
    assert shapely.from_wkb(blob).geom_type == "Point"
