"""The risk map page, run headless with AppTest against a copy of the small demo store."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from gsyf_geo.domain import DEMO_LABEL
from gsyf_geo.store import CITY, Scope, Store

APP = Path(__file__).resolve().parent.parent / "app.py"
TITLE = "常州市工伤预防风险地图"
DEMO_BANNER = f"当前为{DEMO_LABEL}"



def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def _count(url: str, scope: Scope = CITY) -> int:
    store = Store(url)
    try:
        return store.count("enterprise", scope)
    finally:
        store.engine.dispose()


def _listing(at: AppTest):
    return next(df.value for df in at.dataframe if "统一社会信用代码" in df.value.columns)


def test_page_shows_title_banner_figures_and_list(demo_db_url):
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    assert [t.value for t in at.title] == [TITLE]
    assert any(DEMO_BANNER in w.value for w in at.warning)
    n = _count(demo_db_url)
    assert _metric(at, "企业") == f"{n:,}"
    listing = _listing(at)
    assert len(listing) == min(n, 1_000)  # the page shows the largest gaps; exports take all
    assert listing["参保缺口（人）"].is_monotonic_decreasing
    grid = next(df for df in at.dataframe if "统一社会信用代码" in df.value.columns)
    order = list(grid.proto.column_order)  # what an officer sees first, beside the name
    assert order[:3] == ["单位名称", "参保缺口（人）", "职工人数"] and set(order) == set(listing.columns)
    if n > 1_000:
        assert any(f"共 {n:,} 家" in c.value for c in at.caption)
    assert _metric(at, "宣传培训基地").endswith("/ 10")
    assert at.sidebar.selectbox(key="basemap").value == "none"


def test_unit_filter_changes_figures_list_and_url(demo_db_url):
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    city_gap = _metric(at, "参保缺口")
    at.sidebar.selectbox(key="unit").set_value("JKQ")
    _run(at)
    n = _count(demo_db_url, Scope.unit("JKQ"))
    assert 0 < n and _metric(at, "企业") == f"{n:,}"
    assert set(_listing(at)["统计单元"]) == {"经开区"}
    assert _metric(at, "参保缺口") != city_gap
    assert at.query_params["unit"] == "JKQ"
    assert any(b.label == "← 返回全市" for b in at.button)


def test_industry_and_grade_filters_narrow_the_list(demo_db_url):
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    total = len(_listing(at))
    at.sidebar.multiselect(key="industries").set_value(["chemical", "hazchem"])
    _run(at)
    chem = _listing(at)
    assert 0 < len(chem) < total and set(chem["重点行业"]) == {"化工", "危险化学品"}
    at.sidebar.multiselect(key="grades").set_value(["red"])
    _run(at)
    red = _listing(at)
    assert len(red) < len(chem) and set(red["风险等级"]) <= {"红（重大风险）"}
    assert at.query_params["industries"] == "chemical,hazchem"


def test_a_shared_link_opens_the_same_view(demo_db_url):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["unit"] = "320481"
    at.query_params["years"] = "2021-2023"
    at.query_params["indicator"] = "gap"
    _run(at)
    assert at.sidebar.selectbox(key="unit").value == "320481"
    assert at.sidebar.selectbox(key="indicator").value == "gap"
    assert _metric(at, "企业") == f"{_count(demo_db_url, Scope.unit('320481')):,}"
    assert any(m.label == "工伤（2021–2023年）" for m in at.metric)


def test_a_link_with_bad_parameters_says_what_it_ignored(demo_db_url):
    """The issue's probes: a superscript year and a 5,000-digit year no longer crash the page
    (no traceback); each bad parameter is named in Chinese and the rest of the link is used."""
    for years in ("²-2024", "9" * 5000):
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.query_params["unit"] = "320481"
        at.query_params["years"] = years
        at.query_params["grades"] = "red,<b>x</b>"
        _run(at)
        assert not at.exception
        warnings = " ".join(w.value for w in at.warning)
        assert "链接中的年份" in warnings and "链接中的风险等级" in warnings
        assert "<b>" not in warnings and "9" * 30 not in warnings
        assert at.sidebar.selectbox(key="unit").value == "320481"  # the good part is used


def test_filters_survive_a_visit_to_another_page(demo_db_url):
    """Streamlit drops the state of widgets a run does not draw; the page brings it back."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["years"] = "2022-2024"
    _run(at)
    at.sidebar.selectbox(key="unit").set_value("320412")
    at.sidebar.multiselect(key="industries").set_value(["chemical"])
    _run(at)
    figures = [(m.label, m.value) for m in at.metric]
    at.switch_page("views/tasks.py")
    _run(at)
    at.switch_page("views/risk_map.py")
    _run(at)
    assert at.sidebar.selectbox(key="unit").value == "320412"
    assert at.sidebar.multiselect(key="industries").value == ["chemical"]
    assert at.sidebar.select_slider(key="years").value == (2022, 2024)
    assert [(m.label, m.value) for m in at.metric] == figures


def test_back_to_the_whole_city(demo_db_url):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["unit"] = "320411"
    _run(at)
    next(b for b in at.button if b.label == "← 返回全市").click()
    _run(at)
    assert at.sidebar.selectbox(key="unit").value == "city"
    assert _metric(at, "企业") == f"{_count(demo_db_url):,}"


def test_basemap_without_key_falls_back(demo_db_url):
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    at.sidebar.selectbox(key="basemap").set_value("tianditu")
    _run(at)
    assert any("GSYF_TIANDITU_KEY" in w.value for w in at.sidebar.warning)


def test_real_data_has_no_banner(tmp_path, monkeypatch, demo_sqlite_path):
    """A store with no demo row (and no demo flag) shows no demo banner (and is not refilled)."""
    from gsyf_geo.store import KINDS

    path = tmp_path / "real.sqlite"
    shutil.copyfile(demo_sqlite_path, path)
    store = Store(f"sqlite:///{path}")
    with store.transaction() as conn:
        conn.execute(text("DELETE FROM setting WHERE key = 'demo_seed'"))
        for kind in KINDS:  # the rows as if imported: the banner follows the rows' demo flag
            conn.execute(text(f"UPDATE {kind} SET is_demo = 0"))
    before = store.count("enterprise")
    store.engine.dispose()
    monkeypatch.setenv("GSYF_DB_URL", f"sqlite:///{path}")
    at = _run(AppTest.from_file(str(APP), default_timeout=120))
    assert not any(DEMO_BANNER in w.value for w in at.warning)
    assert _metric(at, "企业") == f"{before:,}"


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
    assert _metric(at, "企业") == "300"
    _run(AppTest.from_file(str(APP), default_timeout=120))  # same process: cached store
    assert len(calls) == 1


def test_map_figures_follow_the_plan_in_force(demo_db_url, monkeypatch):
    """A successor plan file alone (another base year, commuting counted, other targets)
    changes the map's figures: no code change."""

    def tile(at: AppTest, label: str):
        return next(m for m in at.metric if m.label.startswith(label))

    shipped = _run(AppTest.from_file(str(APP), default_timeout=120))
    plans = Path(__file__).resolve().parent / "data" / "plans"  # only the 2026–2030 test plan
    monkeypatch.setenv("GSYF_PLAN_DIR", str(plans))
    successor = _run(AppTest.from_file(str(APP), default_timeout=120))

    before, after = tile(shipped, "万人事故率"), tile(successor, "万人事故率")
    # Commuting injuries now count: the same enterprises and years, more injured people.
    assert float(after.value) > float(before.value)
    assert "较2020" in before.delta and "较2025" in after.delta  # the plan's own base year
    assert "目标 −20%" in before.delta and "目标 −10%" in after.delta
    assert tile(shipped, "工伤（").value != tile(successor, "工伤（").value
    assert tile(successor, "宣传培训基地").value.endswith("/ 15")
    assert "较目标95%" in tile(successor, "新开工项目").delta


def test_text_from_data_stays_literal_in_markdown():
    from views.common import escape_md

    assert escape_md("*A* [b](c)") == "\\*A\\* \\[b\\]\\(c\\)"
    assert escape_md("<img src=x onerror=1>") == "\\<img src=x onerror=1\\>"
