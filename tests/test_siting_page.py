"""The siting page (基地选址), run headless with AppTest against a copy of the small demo store."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from gsyf_geo.domain import DISTRICTS
from gsyf_geo.siting import MaximalCovering
from gsyf_geo.store import Store

PAGE = Path(__file__).resolve().parent.parent / "views" / "siting.py"
DEMO_BANNER = "当前为演示数据（合成数据，非真实统计）"



def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, *columns: str):
    """The first table shown with all of ``columns``."""
    return next(df.value for df in at.dataframe if set(columns) <= set(df.value.columns))


def test_page_solves_and_shows_sites_tables_and_chart(demo_db_url):
    at = _run(AppTest.from_file(str(PAGE), default_timeout=180))
    assert [t.value for t in at.title] == ["宣传培训基地选址"]
    assert any(DEMO_BANNER in w.value for w in at.warning)
    at.sidebar.number_input(key="siting_p").set_value(3)
    _run(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["新选址数"] == "3" and metrics["最优间隙"] == "0.00%"
    assert any(s.value == "求解结论：已找到最优方案（可证明无更优）" for s in at.success)
    assert at.sidebar.number_input(key="siting_time_limit").value == 60.0  # the time budget

    store = Store(demo_db_url)
    expected = MaximalCovering.from_store(store, radius_km=15).solve(3)
    store.engine.dispose()
    assert metrics["覆盖需求（人）"] == f"{expected.covered_weight:,.0f}"
    sites = _table(at, "编号", "角色")
    chosen = sites[sites["角色"] == "新选址"]
    assert chosen["编号"].tolist() == ["1", "2", "3"]
    assert chosen["名称"].tolist() == expected.chosen["name"].tolist()

    tables = [df.value for df in at.dataframe]
    district_table = next(t for t in tables if "区县" in t.columns and "覆盖率" in t.columns)
    assert set(district_table["区县"]) <= {d.name for d in DISTRICTS}
    assert int(district_table["企业数"].sum()) == len(expected.demand)
    assert any("行业" in t.columns and "覆盖率" in t.columns for t in tables)
    series = _table(at, "p", "增量")
    assert series["p"].tolist() == list(range(0, 11))
    assert len(at.get("vega_lite_chart")) == 1  # the marginal-gain chart


def test_page_set_covering_and_explained_error(demo_db_url):
    at = _run(AppTest.from_file(str(PAGE), default_timeout=180))
    at.sidebar.selectbox(key="siting_problem").set_value("lscp")
    _run(at)
    assert any("覆盖率" == m.label for m in at.metric)
    at.sidebar.slider(key="siting_share").set_value(1.0)
    at.sidebar.number_input(key="siting_radius").set_value(3.0)
    _run(at)
    assert at.error and "达不到目标 100%" in at.error[0].value


def test_page_adds_a_candidate_and_compares_saved_scenarios(demo_db_url):
    at = _run(AppTest.from_file(str(PAGE), default_timeout=180))
    # A point added on the map (the click handler stores it like this).
    at.session_state["siting_extra_candidates"] = [(119.50, 31.45)]
    _run(at)
    assert _table(at, "编号", "角色") is not None
    extra = next(df.value for df in at.dataframe if list(df.value.columns) == ["经度", "纬度"])
    assert extra.iloc[0].tolist() == [119.5, 31.45]

    at.text_input(key="siting_scenario_name").input("一个新基地")
    next(b for b in at.button if b.label == "保存当前方案").click()
    _run(at)
    assert any("已保存方案「一个新基地」" in s.value for s in at.success)
    at.sidebar.number_input(key="siting_p").set_value(4)
    _run(at)
    at.text_input(key="siting_scenario_name").input("四个新基地")
    next(b for b in at.button if b.label == "保存当前方案").click()
    _run(at)
    saved = _table(at, "编号", "名称", "问题")
    assert saved["名称"].tolist() == ["四个新基地", "一个新基地"]
    summary = _table(at, "指标", "方案A").set_index("指标")
    assert summary.loc["新增基地数"].tolist() == ["1", "4"]
    which = _table(at, "归属")["归属"]
    assert set(which) <= {"仅方案A", "仅方案B", "两者"} and (which == "仅方案B").any()
    assert not (which == "仅方案A").any()  # the 4-site optimum here covers all the 1-site one does

    at.text_input(key="siting_scenario_name").input("一个新基地")
    next(b for b in at.button if b.label == "保存当前方案").click()
    _run(at)
    assert any("已有同名方案" in e.value for e in at.error)
