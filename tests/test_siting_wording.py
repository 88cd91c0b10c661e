"""What the planner reads: the solver's verdict, figures with units, each new base's gain."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from gsyf_geo.siting import wording as wd
from gsyf_geo.siting.problems import MaximalCovering, PMedian

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def test_proven_optimal_is_said_plainly():
    text = wd.verdict_text("mclp", status="Optimal", proven_optimal=True, gap=0.0,
                           objective=100.0, bound=100.0)  # fmt: skip
    assert text == "已找到最优方案（可证明无更优）"


def test_a_gap_after_the_time_limit_names_the_limit_and_the_most_it_can_be_off():
    text = wd.verdict_text("mclp", status="Time limit reached", proven_optimal=False, gap=0.0031,
                           objective=823_751.0, bound=826_300.0, unit="人", time_limit=60)  # fmt: skip
    assert text.startswith("在时限（60 秒）内找到的方案，最多可能比最优差 0.4%")  # rounded up
    assert "至多再多覆盖 2,549 人" in text
    assert not ENGLISH.search(text) and "间隙" not in text


def test_a_gap_without_the_time_limit_and_for_p_median():
    text = wd.verdict_text("pmedian", status="Bound not closed", proven_optimal=False, gap=0.012,
                           objective=5_000_000.0, bound=4_940_000.0, unit="人")  # fmt: skip
    assert "未能证明最优" in text and "最多可能比最优差 1.2%" in text
    assert "总加权距离至多还能减少 60,000 人·公里" in text
    tiny = wd.verdict_text("mclp", status="Time limit reached", proven_optimal=False, gap=0.00001)
    assert "0.01%" in tiny  # never shown as 0%


def test_no_bound_and_infeasible():
    text = wd.verdict_text("mclp", status="Time limit reached", proven_optimal=False, gap=None)
    assert "未能算出" in text and "延长求解时间" in text
    for status in ("Infeasible", "Primal infeasible or unbounded"):
        text = wd.verdict_text("lscp", status=status, proven_optimal=False, gap=None)
        assert text.startswith("没有满足条件的方案") and "放宽条件" in text
        assert not ENGLISH.search(text)


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [(823751.0, "人", 0, "823,751 人"), (12.345, "公里", 1, "12.3 公里"), (None, "人", 0, "—"),
     (float("nan"), "", 0, "—"), (-0.2, "", 0, "0"), (1234567.0, "人·公里", 0, "1,234,567 人·公里")],
)  # fmt: skip
def test_numbers_have_separators_and_units(value, unit, decimals, text):
    assert wd.number(value, unit, decimals) == text


def test_km_share_seconds_and_names():
    assert wd.km(12.34) == "12.3 公里" and wd.share(0.869) == "86.9%" and wd.share(None) == "—"
    assert wd.seconds(0.004) == "不到 0.1 秒" and wd.seconds(61.26) == "61.3 秒"
    assert wd.added_point_name(1, 119.951, 31.782) == "地图选点 1（119.95, 31.78）"
    assert wd.added_point_name(2, 119.95, 31.78, "湖塘镇") == "地图选点 2（湖塘镇附近）"
    assert wd.nearest_town(119.95, 31.78)  # inside Changzhou: a town name
    assert wd.nearest_town(100.0, 20.0) is None


def test_each_new_base_gain_adds_up_to_the_new_coverage(demo_store):
    result = MaximalCovering.from_store(demo_store, radius_km=8).solve(3)
    steps = result.steps
    assert steps["k"].tolist() == [1, 2, 3] and (steps["gain"] > 0).all()
    assert steps["gain"].sum() == pytest.approx(result.covered_weight - result.fixed_covered_weight)
    assert list(steps["gain"]) == sorted(steps["gain"], reverse=True)  # the greedy order
    assert steps["name"].tolist() == result.chosen["name"].tolist()  # same numbering as the table
    lines = wd.step_lines(steps, "人")
    assert re.fullmatch(r"第 1 家：新增 [\d,]+ 人（.+）", lines[0])


def test_p_median_steps_reduce_the_weighted_distance_to_the_answer(demo_store):
    result = PMedian.from_store(demo_store, radius_km=15).solve(3)
    steps = result.steps
    assert len(steps) == 3 and (steps["kind"] == "distance").all()
    total = float((result.demand["weight"] * result.demand["distance_km"]).sum())
    assert steps["total"].iloc[-1] == pytest.approx(total, rel=1e-6)
    assert (steps["gain"].dropna() > 0).all()
    assert "总加权距离" in wd.step_lines(steps, "人")[-1]


def test_scenario_figures_are_formatted():
    scenario = {
        "name": "甲", "problem": "mclp", "parameters": {"radius_km": 15.0, "detour": 1.0, "time_limit": 60},
        "result": {"weight_unit": "人", "weight_label": "职工人数", "covered_weight": 823751.0,
                   "covered_share": 0.869, "chosen": [{"name": "某基地"}], "newly_covered": [{}] * 1234,
                   "proven_optimal": True, "status": "Optimal"},
    }  # fmt: skip
    table = wd.scenario_summary(scenario, scenario).set_index("指标")
    assert table.loc["覆盖需求", "方案A"] == "823,751 人"
    assert table.loc["服务半径", "方案B"] == "15.0 公里"
    assert table.loc["新增覆盖企业数", "方案A"] == "1,234 家"
    assert table.loc["求解结论", "方案A"] == "已找到最优方案（可证明无更优）"
    assert not any(ENGLISH.search(v) for v in table["方案A"])


def test_step_lines_say_what_each_kind_of_step_means():
    steps = pd.DataFrame({
        "k": [1, 2], "site_code": ["A", "B"], "name": ["甲基地", "乙基地"], "gain": [np.nan, 1234.4],
        "kind": "distance", "total": [5000.0, 3765.6],
    })  # fmt: skip
    assert wd.step_lines(steps, "人") == [
        "第 1 家：总加权距离 5,000 人·公里（甲基地）",  # no existing base: nothing to reduce from
        "第 2 家：总加权距离减少 1,234 人·公里（乙基地）",
    ]
    load = steps.assign(kind="load", gain=[800.0, 0.0])
    assert wd.step_lines(load, "人")[1] == "第 2 家：承担 0 人（乙基地）"
