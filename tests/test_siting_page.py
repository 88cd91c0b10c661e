"""The siting page (基地选址), run headless with AppTest against a copy of the small demo store."""

from __future__ import annotations

import re
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
    assert metrics["新选址数"] == "3 家" and "最优间隙" not in metrics
    assert any(s.value == "求解结论：已找到最优方案（可证明无更优）" for s in at.success)
    shown = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "Optimal" not in shown and "HiGHS" not in shown and "None" not in shown
    assert at.sidebar.number_input(key="siting_time_limit").value == 60.0  # the time budget

    store = Store(demo_db_url)
    expected = MaximalCovering.from_store(store, radius_km=15).solve(3)
    store.engine.dispose()
    assert metrics["覆盖需求"] == f"{expected.covered_weight:,.0f} 人"
    sites = _table(at, "编号", "角色")
    chosen = sites[sites["角色"] == "新选址"]
    assert chosen["编号"].tolist() == ["1", "2", "3"]
    assert chosen["名称"].tolist() == expected.chosen["name"].tolist()
    existing = sites[sites["角色"] != "新选址"]
    assert len(existing) and set(existing["新增覆盖（人）"]) == {"—（已建）"}
    assert set(existing["独有覆盖（人）"]) == {"—（已建）"}
    assert all(v[0].isdigit() for v in chosen["新增覆盖（人）"])

    # "第 k 家：新增 X 人（站点名）", in the table's order, adding up to what the new sites cover.
    lines = [ln for m in at.markdown for ln in m.value.splitlines() if ln.startswith("- 第 ")]
    assert len(lines) == 3
    gains = []
    for k, (line, name) in enumerate(zip(lines, chosen["名称"], strict=True), start=1):
        m = re.fullmatch(rf"- 第 {k} 家：新增 ([\d,]+) 人（(.+)）", line.replace("\\", ""))
        assert m and m.group(2) == name, line
        gains.append(int(m.group(1).replace(",", "")))
    assert all(g > 0 for g in gains)
    new_total = expected.covered_weight - expected.fixed_covered_weight
    assert abs(sum(gains) - new_total) <= len(gains)  # each rounded to a person

    tables = [df.value for df in at.dataframe]
    district_table = next(t for t in tables if "区县" in t.columns and "覆盖率" in t.columns)
    assert set(district_table["区县"]) <= {d.name for d in DISTRICTS}
    counts = district_table["企业数（家）"].str.replace(",", "").astype(int)
    assert int(counts.sum()) == len(expected.demand)
    assert any("行业" in t.columns and "覆盖率" in t.columns for t in tables)
    big = [v for t in tables for c in t.columns if "（人）" in c for v in t[c] if isinstance(v, str)]
    assert big and all(re.fullmatch(r"—.*|\d{1,3}(,\d{3})*", v) for v in big)  # thousands separators
    series = _table(at, "新增基地数", "求解结论")
    assert series["新增基地数"].tolist() == ["0 家（仅已建）"] + [f"{k} 家" for k in range(1, 11)]
    assert len(at.get("vega_lite_chart")) == 2  # each base's gain, and the gain per number of bases


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
    added = [m.value for m in at.markdown if "地图选点" in m.value]
    assert len(added) == 1
    # Named by its town, with its coordinates; never "序号 0".
    assert re.match(r"- 地图选点 1（.+附近）：经度 119\.50000，纬度 31\.45000", added[0]), added

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
    summary = next(t.value for t in at.table if "方案A" in t.value.columns)  # indexed by 指标
    assert summary.loc["新增基地数"].tolist() == ["1 家", "4 家"]
    assert re.fullmatch(r"[\d,]+ 人", summary.loc["覆盖需求", "方案A"])
    which = _table(at, "归属")["归属"]
    assert set(which) <= {"仅方案A", "仅方案B", "两者"} and (which == "仅方案B").any()
    assert not (which == "仅方案A").any()  # the 4-site optimum here covers all the 1-site one does

    at.text_input(key="siting_scenario_name").input("一个新基地")
    next(b for b in at.button if b.label == "保存当前方案").click()
    _run(at)
    assert any("已有同名方案" in e.value for e in at.error)


def test_page_p_median_in_plain_words(demo_db_url):
    at = _run(AppTest.from_file(str(PAGE), default_timeout=180))
    at.sidebar.selectbox(key="siting_problem").set_value("pmedian")
    at.sidebar.number_input(key="siting_p").set_value(2)
    _run(at)
    assert any("p-中值：" in c.value and "总加权距离" in c.value for c in at.caption)  # explained
    metrics = {m.label: m.value for m in at.metric}
    assert re.fullmatch(r"\d+\.\d 公里", metrics["平均距离（到最近基地）"])
    assert re.fullmatch(r"[\d,]+ 人·公里", metrics["总加权距离"])
    lines = [ln for m in at.markdown for ln in m.value.splitlines() if ln.startswith("- 第 ")]
    assert [ln[:7] for ln in lines] == ["- 第 1 家", "- 第 2 家"]
    assert all(re.search(r"：总加权距离减少 [\d,]+ 人·公里（.+）$", ln) for ln in lines), lines
    series = _table(at, "新增基地数", "平均距离（公里）")
    assert all(re.fullmatch(r"\d+\.\d", v) for v in series["平均距离（公里）"])


def test_page_with_seat_capacity_lists_what_each_base_takes(demo_db_url):
    at = _run(AppTest.from_file(str(PAGE), default_timeout=180))
    at.sidebar.checkbox(key="siting_use_capacity").check()
    at.sidebar.number_input(key="siting_p").set_value(2)
    _run(at)
    lines = [ln for m in at.markdown for ln in m.value.splitlines() if ln.startswith("- 第 ")]
    assert len(lines) == 2 and all(re.search(r"：承担 [\d,]+ 人（.+）$", ln) for ln in lines), lines
    text = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "None" not in text and "nan" not in text
