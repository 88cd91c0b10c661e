"""The Streamlit page, run headless with AppTest against a copy of the small demo store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gsyf_geo.domain import DISTRICTS
from gsyf_geo.store import Store

APP = Path(__file__).resolve().parent.parent / "app.py"
TITLE = "常州市工伤预防风险地图"
DEMO_BANNER = "当前为演示数据（合成数据，非真实统计）"


@pytest.fixture
def demo_db_url(demo_sqlite_path, tmp_path, monkeypatch) -> str:
    """GSYF_DB_URL pointing at a private copy of the demo store."""
    path = tmp_path / "demo_copy.sqlite"
    shutil.copyfile(demo_sqlite_path, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("GSYF_DB_URL", url)
    monkeypatch.delenv("GSYF_TIANDITU_KEY", raising=False)
    return url


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_app_shows_title_demo_banner_and_counts(demo_db_url):
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    assert [t.value for t in at.title] == [TITLE]
    assert any(DEMO_BANNER in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert table["区县"].tolist() == [d.name for d in DISTRICTS]
    store = Store(demo_db_url)
    assert int(table["企业数（家）"].sum()) == store.count("enterprise")
    store.engine.dispose()
    assert at.sidebar.selectbox[0].value == "none"


def test_basemap_without_key_falls_back(demo_db_url):
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    at.sidebar.selectbox[0].set_value("tianditu")
    _run(at)
    assert any("GSYF_TIANDITU_KEY" in w.value for w in at.sidebar.warning)
    at.sidebar.selectbox[0].set_value("amap")
    _run(at)
    assert not at.sidebar.warning


def test_real_data_has_no_banner(tmp_path, monkeypatch, demo_sqlite_path):
    """A store without the demo flag shows no demo banner (and is not refilled)."""
    path = tmp_path / "real.sqlite"
    shutil.copyfile(demo_sqlite_path, path)
    store = Store(f"sqlite:///{path}")
    with store.transaction() as conn:
        from sqlalchemy import text

        conn.execute(text("DELETE FROM setting WHERE key = 'demo_seed'"))
    before = store.count("enterprise")
    store.engine.dispose()
    monkeypatch.setenv("GSYF_DB_URL", f"sqlite:///{path}")
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    assert not any(DEMO_BANNER in w.value for w in at.warning)
    assert int(at.dataframe[0].value["企业数（家）"].sum()) == before


def test_first_start_loads_demo_once(tmp_path, monkeypatch):
    """An empty store is filled with the demo city on first start, once per process."""
    import gsyf_geo.demo

    real = gsyf_geo.demo.load_demo
    calls: list[str] = []

    def small_demo(store, enterprises=20_000, seed=2021):
        calls.append(str(store.engine.url))
        return real(store, enterprises=300, seed=seed)

    monkeypatch.setattr(gsyf_geo.demo, "load_demo", small_demo)
    monkeypatch.setenv("GSYF_DB_URL", f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    assert any(DEMO_BANNER in w.value for w in at.warning)
    assert int(at.dataframe[0].value["企业数（家）"].sum()) == 300
    _run(AppTest.from_file(str(APP), default_timeout=120))  # same process: cached store
    assert len(calls) == 1
