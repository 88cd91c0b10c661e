"""Shared fixtures: the store on both backends, a small demo city, Chromium.

The PostGIS backend and Chromium may be missing on a developer's machine: tests that need
them skip with the reason. Under CI (``CI=true``) they never skip: a missing one fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gsyf_geo.store import Store

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "GSYF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CHROMIUM = os.environ.get("GSYF_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SMALL_DEMO_ENTERPRISES = 1_500


def need(reason: str) -> None:
    """Skip with ``reason`` on a developer machine; fail under CI."""
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            has = conn.execute(
                text("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")
            ).scalar_one()
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
    if not has:
        return "PostGIS extension not installed (apt install postgresql-15-postgis-3)"
    return None


@pytest.fixture(scope="session")
def pg_url():
    """A fresh PostGIS database for this test session, dropped afterwards."""
    problem = _pg_reachable()
    if problem:
        need(problem)
    name = f"gsyf_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgis"])
def backend_url(request, tmp_path):
    """URL of an empty store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(backend_url) -> Store:
    """An empty store with the schema created, on SQLite and on PostGIS."""
    s = Store(backend_url)
    s.drop_schema()
    s.create_schema()
    yield s
    s.engine.dispose()


@pytest.fixture(scope="session")
def demo_sqlite_path(tmp_path_factory) -> Path:
    """A small demo city in a SQLite file, built once per session."""
    from gsyf_geo.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    s = Store(f"sqlite:///{path}")
    s.create_schema()
    load_demo(s, enterprises=SMALL_DEMO_ENTERPRISES, seed=7)
    s.engine.dispose()
    return path


@pytest.fixture
def demo_store(demo_sqlite_path) -> Store:
    s = Store(f"sqlite:///{demo_sqlite_path}")
    yield s
    s.engine.dispose()


@pytest.fixture
def demo_db_url(demo_sqlite_path, tmp_path, monkeypatch) -> str:
    """GSYF_DB_URL pointing at a private copy of the small demo store.

    Settings that would change what pages show (online basemap keys, task editors, another
    plan folder) are cleared.
    """
    path = tmp_path / "demo_copy.sqlite"
    shutil.copyfile(demo_sqlite_path, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("GSYF_DB_URL", url)
    for var in ("GSYF_TIANDITU_KEY", "GSYF_AMAP_KEY", "GSYF_TASK_EDITORS", "GSYF_PLAN_DIR"):
        monkeypatch.delenv(var, raising=False)
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        need(f"Chromium not found at {CHROMIUM} (apt install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        need("playwright (Python package) not installed")
    return CHROMIUM
