"""All targets at once: district drill-down, milestones, final evaluation, exports, CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import monitor_city as city
import openpyxl
import pandas as pd
import pytest

from gsyf_geo.monitor.evaluation import (
    current_plan,
    evaluate_plan,
    evaluate_target,
    final_tables,
    milestone_table,
    overview_table,
    plan_has_ended,
    target_text,
    to_csv,
    to_excel,
    trend_frame,
    unit_table,
    unit_trend_frame,
    value_text,
)
from gsyf_geo.monitor.status import (
    BEHIND,
    INSUFFICIENT,
    MET,
    MISSED,
    NO_DATA,
    NOT_SPLIT,
    STATUS_COLORS,
)
from gsyf_geo.monitor.values import POPULATIONS
from gsyf_geo.plan import Plan
from gsyf_geo.store import Scope

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = city.plan()
# The tiny city has a handful of enterprises per unit: judged here with a minimum sample of
# 1 so that the hand-made rows decide; the default minimum (20) is tested on its own below.
PLAN = replace(SHIPPED, rules=replace(SHIPPED.rules, min_sample=1))
TODAY = date(2026, 11, 29)


@pytest.fixture
def loaded(store):
    city.load(store)
    return store


def test_district_drill_down(loaded):
    r = evaluate_target(loaded, PLAN, PLAN.target("publicity_coverage"), TODAY)
    table = unit_table(r).set_index("统计单元")
    assert list(table.index) == [
        "常州市", "天宁区", "钟楼区", "新北区", "武进区（不含经开区）", "金坛区", "溧阳市", "常州经济开发区"
    ]  # fmt: skip
    # 2025 (the deadline year): 天宁 E1+E2 reached, 武进 E4 reached, 经开区 only E3 of E3, E6.
    assert table.loc["天宁区", "2025年"] == "100.0%" and table.loc["天宁区", "状态"] == MET
    assert table.loc["武进区（不含经开区）", "状态"] == MET
    assert table.loc["常州经济开发区", "2025年"] == "50.0%"
    assert table.loc["常州经济开发区", "状态"] == MISSED
    assert table.loc["钟楼区", "2025年"] == NO_DATA and table.loc["钟楼区", "状态"] == NO_DATA
    assert table.loc["常州市", "2020年"] == NO_DATA  # records start in 2021
    assert table.loc["常州市", "状态"] == MISSED  # 80% < 100%
    small = unit_trend_frame(r)
    assert set(small["统计单元"]) == {"天宁区", "武进区（不含经开区）", "常州经济开发区"}
    assert (small["要求"] == 100.0).all()


def test_city_totals_are_not_split_by_unit(loaded):
    r = evaluate_target(loaded, PLAN, PLAN.target("insured_persons"), TODAY)
    table = unit_table(r).set_index("统计单元")
    assert table.loc["天宁区", "状态"] == NOT_SPLIT
    assert table.loc["常州经济开发区", "2021年"] == "500人"
    assert table.loc["常州市", "状态"] == NO_DATA  # nothing for 2025, the deadline year


def test_accident_rate_reduction_by_unit(loaded):
    t = replace(PLAN.target("accident_rate_reduction"), deadline=date(2021, 12, 31))
    r = evaluate_target(loaded, PLAN, t, TODAY)
    # 天宁 7.5 → 9.52 per 10,000: up, not down. 经开区 has no 2020 baseline.
    assert r.units["320402"].status == MISSED
    assert r.units["JKQ"].status == NO_DATA


def test_milestone_with_narrower_scope_is_checked_on_its_population(loaded):
    r = evaluate_target(loaded, PLAN, PLAN.target("training_coverage"), TODAY)
    (m,) = r.milestones
    assert m.year == 2021 and m.actual == pytest.approx(10 / 14) and m.met is False
    row = milestone_table(r).iloc[0]
    assert row["口径"] == POPULATIONS["priority"] and row["实际"] == "71.4%"
    trend = trend_frame(r, PLAN)
    assert trend[trend["系列"] == "里程碑"]["数值"].tolist() == [100.0]


def test_overview_and_final_tables(loaded):
    results = evaluate_plan(loaded, PLAN, TODAY)
    overview = overview_table(results, PLAN)
    assert len(overview) == len(PLAN.targets)
    row = overview.set_index("指标代码").loc["expert_pool"]
    assert row["当前值"] == "2名（2021年）" and row["状态"] == MISSED  # 30 required
    row = overview.set_index("指标代码").loc["construction_workers_trained"]
    assert row["当前值"] == "50人（2021年）" and row["进度"] == pytest.approx(50 / 4000)

    sheets = final_tables(results, PLAN)
    assert list(sheets) == ["全市评估", "分区评估", "分区汇总"]
    assert len(sheets["全市评估"]) == len(PLAN.targets)
    assert len(sheets["分区评估"]) == len(PLAN.targets) * 8 - 7  # the expert pool is city-only
    matrix = sheets["分区汇总"].set_index("指标")
    assert list(matrix.columns)[:2] == ["常州市", "天宁区"] and len(matrix.columns) == 8
    assert matrix.loc["重点行业工伤预防宣传覆盖率", "常州经济开发区"] == MISSED
    assert matrix.loc["全市工伤保险参保人数", "天宁区"] == NOT_SPLIT
    assert matrix.loc["工伤预防专家库入库专家数", "天宁区"] == NOT_SPLIT

    wb = openpyxl.load_workbook(io.BytesIO(to_excel(sheets, title="期末评估")))
    assert wb.sheetnames == ["全市评估", "分区评估", "分区汇总"]
    ws = wb["全市评估"]
    assert ws["A1"].value == "期末评估" and ws["A3"].value == "指标"
    header = [c.value for c in ws[3]]
    status_cells = [row[header.index("评价")] for row in ws.iter_rows(min_row=4)]
    assert [c.value for c in status_cells] == sheets["全市评估"]["评价"].tolist()
    missed = next(c for c in status_cells if c.value == MISSED)
    assert missed.fill.fgColor.rgb == "FF" + STATUS_COLORS[MISSED].lstrip("#").upper()

    csv = pd.read_csv(io.BytesIO(to_csv(sheets["分区评估"])), encoding="utf-8-sig")
    assert csv.columns[0] == "指标" and "统计单元" in csv.columns
    assert len(csv) == len(sheets["分区评估"])


def test_demo_city_final_evaluation(demo_store):
    results = evaluate_plan(demo_store, PLAN, TODAY)
    assert all(r.city.final for r in results)  # the plan period ended on 2025-12-31
    assert {r.city.status for r in results} <= {MET, MISSED, NO_DATA}
    accident = next(r for r in results if r.target.metric == "accident_rate")
    # The demo is built with −27% in 新北 and −8% in 溧阳 from 2020 to 2025.
    assert accident.units["320411"].status == MET
    assert accident.units["320481"].status == MISSED
    insured = next(r for r in results if r.target.id == "insured_persons")
    assert insured.values.city[2021] == pytest.approx(1_552_000, rel=0.01)


def test_current_plan_and_plan_end():
    old = PLAN
    new = Plan("changzhou_2026-2030", "下一期", (2026, 2030), 2025, "")
    assert current_plan([old, new], TODAY) is new  # running today
    assert current_plan([old], TODAY) is old  # the last one that ended
    assert current_plan([], TODAY) is None
    assert plan_has_ended(old, TODAY) and not plan_has_ended(old, date(2025, 12, 31))


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GSYF_DB_URL": f"sqlite:///{db}"}
    env.pop("GSYF_PLAN_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "gsyf_geo", "targets", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_targets_command(demo_sqlite_path):
    out = _cli("--json", "--as-of", "2026-11-29", db=demo_sqlite_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["plan_id"] == "changzhou_2021-2025" and data["demo"] is True
    assert [t["id"] for t in data["targets"]] == [t.id for t in PLAN.targets]
    assert {t["status"] for t in data["targets"]} <= {MET, MISSED, NO_DATA}
    # Ongoing targets: 达标 only when every complete year 2021–2025 met; the years missed
    # are exactly those below the target.
    for t in data["targets"]:
        target = PLAN.target(t["id"])
        if not target.ongoing or t["status"] not in (MET, MISSED):
            continue
        judged = [y for y in range(2021, 2026) if y not in t["unjudged_years"]]
        below = [y for y in judged if t["values"][str(y)] < target.target]
        assert t["missed_years"] == below, t
        assert (t["status"] == MET) == (not below and not t["unjudged_years"]), t
    # As of 2024-03-31: judged on 2023 at the latest; 2024 only year-to-date.
    mid = json.loads(_cli("--json", "--as-of", "2024-03-31", db=demo_sqlite_path).stdout)
    for t in mid["targets"]:
        assert t["year"] is None or t["year"] <= 2023, t
        assert t["ytd"] is None or (t["ytd"]["year"], t["ytd"]["label"]) == (2024, "截至3月31日")
        assert all(v is None for y, v in t["values"].items() if int(y) > 2024)
    assert any(t["ytd"] for t in mid["targets"])
    text = _cli("--year", "2023", db=demo_sqlite_path)
    assert text.returncode == 0 and "重点行业工伤预防宣传覆盖率" in text.stdout
    bad = _cli("--plan", "nope", db=demo_sqlite_path)
    assert bad.returncode == 2 and "没有计划" in bad.stderr


def test_charts_show_the_baseline_year_and_milestones(loaded):
    from gsyf_geo.monitor.charts import trend_chart, unit_small_multiples

    r = evaluate_target(loaded, PLAN, PLAN.target("insured_persons"), TODAY)
    spec = trend_chart(r, PLAN).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == list(range(2020, 2026))
    datasets = spec["datasets"].values()
    milestones = [row for rows in datasets for row in rows if row.get("系列") == "里程碑"]
    assert milestones == [
        {"年份": 2021, "系列": "里程碑", "数值": 1550000.0, "标注": "2021年里程碑"}
    ]
    assert "Noto Sans CJK SC" in spec["config"]["font"]

    small = unit_small_multiples(
        evaluate_target(loaded, PLAN, PLAN.target("publicity_coverage"), TODAY)
    )
    small_spec = small.to_dict()
    assert "concat" in small_spec and small_spec["columns"] == 3  # panels, three a row
    panels = small_spec["concat"]
    assert all(len(panel["layer"]) == 2 for panel in panels)  # values and the unit's requirement line
    assert all(panel["title"]["aria"] is False for panel in panels)  # no English screen-reader text
    assert panels[0]["title"]["text"] == "天宁区"
    expert = evaluate_target(loaded, PLAN, PLAN.target("expert_pool"), TODAY)
    assert unit_small_multiples(expert) is None  # city-wide only


def test_a_metric_the_code_does_not_know_is_no_data(loaded):
    from gsyf_geo.monitor.values import UnknownMetricError, metric_info

    t = replace(PLAN.target("expert_pool"), id="new_target", metric="brand_new_metric")
    with pytest.raises(UnknownMetricError):
        metric_info(t, strict=True)
    r = evaluate_target(loaded, PLAN, t, TODAY)
    assert r.city.status == NO_DATA
    assert "尚不能计算" in overview_table([r], PLAN).iloc[0]["定义"]


# --------------------------------------------------------------------------- judgement rules


def test_small_samples_are_not_judged_with_the_plans_minimum(loaded):
    # The shipped plan's minimum sample is 20: 天宁's 2 key-industry enterprises are too few
    # to judge a coverage share, the city's handful too.
    assert SHIPPED.rules.min_sample == 20
    r = evaluate_target(loaded, SHIPPED, SHIPPED.target("publicity_coverage"), TODAY)
    assert r.units["320402"].status == INSUFFICIENT and r.units["320402"].sample == 2
    assert r.city.status == INSUFFICIENT and "样本不足" in r.city.reason
    assert unit_table(r).set_index("统计单元").loc["天宁区", "状态"] == INSUFFICIENT
    # With a minimum of 2 天宁 is judged (both reached: 达标), 经开区 (2 enterprises) too.
    two = replace(SHIPPED, rules=replace(SHIPPED.rules, min_sample=2))
    r2 = evaluate_target(loaded, two, two.target("publicity_coverage"), TODAY)
    assert r2.units["320402"].status == MET and r2.units["JKQ"].status == MISSED


def test_as_of_uses_records_up_to_that_day_and_never_judges_the_running_year(loaded):
    # as of 2022-03-31: judged on 2021 (E1 of the 5 key-industry enterprises reached: 20%);
    # 2022 is year-to-date and P2 (2022-05-01, E3) is not counted yet.
    r = evaluate_target(loaded, PLAN, PLAN.target("publicity_coverage"), date(2022, 3, 31))
    assert r.city.year == 2021 and r.city.value == pytest.approx(0.2)
    assert r.city.ytd_year == 2022 and r.city.ytd_value == pytest.approx(0.2)
    assert r.city.ytd_label == "截至3月31日" and not r.city.final
    assert "2022年截至3月31日 20.0%（未满一年，不作评价）" in value_text(r)
    assert "2022年（截至3月31日）" in unit_table(r).columns
    early = evaluate_target(loaded, PLAN, PLAN.target("checkup_project_units"), date(2021, 12, 31))
    assert milestone_table(early).iloc[0]["是否达到"] == "年度未结束"  # 2021 not over yet
    trend = trend_frame(r, PLAN)
    running = trend[(trend["年份"] == 2022) & (trend["系列"] != "应达进度")]
    assert running[["系列", "标注"]].values.tolist() == [["年内累计", "截至3月31日"]]
    assert set(trend[trend["年份"] > 2022]["系列"]) <= {"应达进度", "里程碑"}  # nothing after as_of
    from gsyf_geo.monitor.charts import trend_chart

    marks = [layer["mark"] for layer in trend_chart(r, PLAN).to_dict()["layer"]]
    assert {"type": "point", "size": 90, "filled": False, "strokeWidth": 2} in marks
    later = evaluate_target(loaded, PLAN, PLAN.target("publicity_coverage"), date(2023, 1, 1))
    # E1, E3 (P2) and E4 (B5, 2022-06-03) by the end of 2022.
    assert later.city.year == 2022 and later.city.value == pytest.approx(0.6)


def test_ongoing_target_names_the_years_missed(loaded):
    # 同舟计划 projects (all in 天宁): 2021 two of three insured, 2022 none of one;
    # no project started 2023–2025.
    r = evaluate_target(loaded, PLAN, PLAN.target("project_insurance_rate"), TODAY)
    assert r.city.status == MISSED and r.city.missed_years == (2021, 2022)
    assert "2021、2022年未达到" in r.city.reason and "2023、2024、2025年无数据" in r.city.reason
    assert overview_table([r], PLAN).iloc[0]["目标"] == "每年 ≥ 90.0%"
    mid = evaluate_target(loaded, PLAN, PLAN.target("project_insurance_rate"), date(2022, 6, 30))
    assert mid.city.status == BEHIND and mid.city.missed_years == (2021,)


def test_district_scope_shows_city_totals_as_contribution(loaded):
    # 经开区 reported 500 of the city's 1,500 insured in 2021 (天宁 1,000); nothing later.
    t = PLAN.target("insured_persons")
    r = evaluate_target(loaded, PLAN, t, TODAY, Scope.unit("JKQ"))
    assert r.city.status == NOT_SPLIT and r.city.required is None and r.city.met is None
    assert value_text(r) == "500人，占全市 33.3%（2021年）"
    assert target_text(r) == "全市 ≥ 198.0万人（不分解到区县）"
    assert "不对照全市目标" in r.city.rule
    # The city's 2021 milestone (155万) is not held against 经开区 either; no city path.
    assert milestone_table(r).iloc[0]["是否达到"] == NOT_SPLIT
    assert set(trend_frame(r, PLAN)["系列"]) == {"实际值"}
    # A ratio stays judged in the district, against the same requirement.
    ratio = evaluate_target(loaded, PLAN, PLAN.target("publicity_coverage"), TODAY, Scope.unit("JKQ"))
    assert ratio.city.status == MISSED and ratio.city.value == pytest.approx(0.5)
    # Unit rows of a city total in the city view read the same way.
    city_view = unit_table(evaluate_target(loaded, PLAN, t, TODAY)).set_index("统计单元")
    assert city_view.loc["常州经济开发区", "说明"].endswith("500人，占全市 33.3%（2021年）")
    assert city_view.loc["常州经济开发区", "状态"] == NOT_SPLIT


def test_unit_targets_are_judged_against_the_units_share(loaded):
    t = PLAN.target("insured_persons")
    t = replace(t, deadline=date(2021, 12, 31), milestones=(), unit_targets={"JKQ": 600, "320402": 900})
    r = evaluate_target(loaded, PLAN, t, TODAY)
    assert r.units["JKQ"].status == MISSED and r.units["JKQ"].required == 600  # 500 < 600
    assert r.units["320402"].status == MET  # 1,000 ≥ 900
    assert r.units["320404"] is None  # no share given: not split
    jkq = evaluate_target(loaded, PLAN, t, TODAY, Scope.unit("JKQ"))
    assert jkq.city.status == MISSED and "分解" in jkq.city.rule
    # 武进 district = 武进 without 经开区 + 经开区: judged against the sum of their shares.
    both = replace(t, unit_targets={"JKQ": 300, "320412": 150, "320402": 900})
    wujin = evaluate_target(loaded, PLAN, both, TODAY, Scope.district("320412"))
    assert wujin.city.required == 450 and wujin.city.status == MET  # 500 ≥ 300 + 150
    only_jkq = evaluate_target(loaded, PLAN, t, TODAY, Scope.district("320412"))
    assert only_jkq.city.status == NOT_SPLIT  # 武进 itself has no share: not split


def test_targets_command_district_scope_does_not_judge_city_totals(demo_sqlite_path):
    out = _cli("--json", "--as-of", "2026-11-30", "--scope", "district:320413", db=demo_sqlite_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["scope"] == "district:320413"
    by_id = {t["id"]: t for t in data["targets"]}
    totals = ["insured_persons", "demonstration_units", "training_demo_institutions",
              "training_bases", "flexible_employment_insured", "expert_pool"]  # fmt: skip
    for tid in totals:
        assert by_id[tid]["status"] == NOT_SPLIT, (tid, by_id[tid])
        assert by_id[tid]["required"] is None
    for tid in totals[:-1]:  # the expert pool is city-wide only
        t = by_id[tid]
        assert t["share_of_city"] == pytest.approx(t["value"] / t["city_value"])
        assert f"占全市 {t['share_of_city'] * 100:.1f}%" in t["value_text"]
    assert MISSED not in {by_id[tid]["status"] for tid in totals}
    # A ratio is still judged in 金坛.
    assert by_id["publicity_coverage"]["status"] in {MET, MISSED, INSUFFICIENT}
