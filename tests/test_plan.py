"""Tests of gsyf_geo.plan and data/plan/changzhou_2021-2025.json."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from gsyf_geo.plan import (
    DEFAULT_PLAN_ID,
    PLAN_DIR_ENV,
    Plan,
    PlanFileError,
    available_plans,
    default_plan,
    load_plan,
    plan_dir,
)

REPO = Path(__file__).resolve().parents[1]
PLAN_TEXT = REPO / "docs" / "plan" / "changzhou_plan_2021-2025.txt"
PLAN_FILE = REPO / "data" / "plan" / f"{DEFAULT_PLAN_ID}.json"

# Rows of 附件 2021常州市工伤预防重点工作任务清单, per 重点任务 group (10 groups, 28 rows).
ROWS_PER_GROUP = {1: 1, 2: 4, 3: 1, 4: 5, 5: 4, 6: 4, 7: 1, 8: 1, 9: 4, 10: 3}
N_TASKS = 28


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PLAN_DIR_ENV, raising=False)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PLAN_FILE)


@pytest.fixture(scope="module")
def raw_plan() -> dict:
    return json.loads(PLAN_FILE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- loading


def test_default_plan_loads() -> None:
    plan = default_plan()
    assert plan.plan_id == DEFAULT_PLAN_ID
    assert plan.title == "常州市工伤预防五年行动计划（2021-2025年）"
    assert plan.period == (2021, 2025)
    assert plan.baseline_year == 2020
    assert list(plan.years) == [2021, 2022, 2023, 2024, 2025]
    assert plan.path == PLAN_FILE
    assert plan_dir() == PLAN_FILE.parent


def test_key_industries(plan: Plan) -> None:
    assert plan.key_industries["accident_prone"] == (
        "危险化学品",
        "化工",
        "建筑施工",
        "交通运输",
        "机械制造",
    )
    assert plan.key_industries["disease_prone"] == ("非煤矿山", "冶金", "建材", "船舶制造")


def test_available_plans_default_dir(plan: Plan) -> None:
    ids = [p.plan_id for p in available_plans()]
    assert DEFAULT_PLAN_ID in ids


def test_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / PLAN_FILE.name).write_text(PLAN_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(PLAN_DIR_ENV, str(tmp_path))
    assert plan_dir() == tmp_path
    assert default_plan().path == tmp_path / PLAN_FILE.name
    assert [p.plan_id for p in available_plans()] == [DEFAULT_PLAN_ID]


# --------------------------------------------------------------------------- targets

# id -> (metric, unit, direction, target, deadline or None for ongoing)
EXPECTED_TARGETS = {
    "publicity_coverage": ("publicity_coverage", "ratio", "at_least", 1.0, date(2025, 12, 31)),
    "training_coverage": ("training_coverage", "ratio", "at_least", 1.0, date(2025, 12, 31)),
    "training_coverage_other_industries": (
        "training_coverage",
        "ratio",
        "at_least",
        0.30,
        date(2021, 11, 30),
    ),
    "accident_rate_reduction": ("accident_rate", "ratio", "reduce_by", 0.20, date(2025, 12, 31)),
    "pneumoconiosis_short_exposure_share": (
        "short_exposure_share",
        "ratio",
        "decreasing_yearly",
        None,
        date(2025, 12, 31),
    ),
    "insured_persons": ("insured_persons", "人", "at_least", 1980000, date(2025, 12, 31)),
    "demonstration_units": ("demonstration_units", "家", "at_least", 40, date(2025, 12, 31)),
    "training_demo_institutions": (
        "training_demo_institutions",
        "家",
        "at_least",
        10,
        date(2025, 12, 31),
    ),
    "training_bases": ("training_bases", "家", "at_least", 10, date(2025, 12, 31)),
    "project_insurance_rate": ("project_insurance_rate", "ratio", "at_least", 0.90, None),
    "flexible_employment_insured": ("flexible_insured", "人", "at_least", 10000, None),
    "checkup_project_units": ("checkup_units", "家", "at_least", 70, date(2021, 12, 31)),
    "construction_workers_trained": (
        "construction_workers_trained",
        "人",
        "at_least",
        4000,
        date(2021, 12, 31),
    ),
    "expert_pool": ("expert_pool", "名", "at_least", 30, date(2021, 11, 30)),
    "key_industry_enrollment": ("enrollment_rate", "ratio", "at_least", 1.0, date(2025, 12, 31)),
}

# (target id, year) -> (value, deadline)
EXPECTED_MILESTONES = {
    ("insured_persons", 2021): (1550000, date(2021, 12, 31)),
    ("demonstration_units", 2021): (8, date(2021, 12, 31)),
    ("training_demo_institutions", 2021): (2, date(2021, 12, 31)),
    ("training_bases", 2021): (2, date(2021, 10, 31)),
    ("training_coverage", 2021): (1.0, date(2021, 11, 30)),
    ("training_coverage_other_industries", 2021): (0.30, date(2021, 11, 30)),
    ("checkup_project_units", 2021): (70, date(2021, 12, 31)),
    ("construction_workers_trained", 2021): (4000, date(2021, 12, 31)),
    ("expert_pool", 2021): (30, date(2021, 11, 30)),
}


def test_target_ids_exact(plan: Plan) -> None:
    assert [t.id for t in plan.targets] == list(EXPECTED_TARGETS)


@pytest.mark.parametrize("target_id", list(EXPECTED_TARGETS))
def test_target_values(plan: Plan, target_id: str) -> None:
    metric, unit, direction, value, deadline = EXPECTED_TARGETS[target_id]
    t = plan.target(target_id)
    assert t.metric == metric
    assert t.unit == unit
    assert t.direction == direction
    if value is None:
        assert t.target is None
    else:
        assert t.target == pytest.approx(value)
    assert t.deadline == deadline
    assert t.ongoing is (deadline is None)
    assert t.name and t.clause and t.scope


def test_milestones(plan: Plan) -> None:
    for (target_id, year), (value, deadline) in EXPECTED_MILESTONES.items():
        assert plan.milestone_value(target_id, year) == pytest.approx(value), target_id
        assert plan.target(target_id).milestone(year).deadline == deadline, target_id
    declared = {(t.id, m.year) for t in plan.targets for m in t.milestones}
    assert declared == set(EXPECTED_MILESTONES)
    assert plan.milestone_value("insured_persons", 2022) is None
    assert plan.milestone_value("publicity_coverage", 2021) is None


def test_specific_plan_semantics(plan: Plan) -> None:
    assert plan.target("insured_persons").target == 1980000
    assert plan.milestone_value("insured_persons", 2021) == 1550000
    accident = plan.target("accident_rate_reduction")
    assert accident.target == pytest.approx(0.20)
    assert accident.baseline_year == 2020
    pneumo = plan.target("pneumoconiosis_short_exposure_share")
    assert pneumo.params["exposure_years_below"] == 5
    for tid in ("demonstration_units", "training_demo_institutions", "training_bases"):
        assert plan.target(tid).cumulative
    assert "一线班组长" in plan.target("training_coverage").scope
    with pytest.raises(KeyError):
        plan.target("no_such_target")
    with pytest.raises(KeyError):
        plan.milestone_value("no_such_target", 2021)


# --------------------------------------------------------------------------- tasks


def test_task_count_and_groups(plan: Plan) -> None:
    assert len(plan.tasks) == N_TASKS
    assert [t.id for t in plan.tasks] == [f"2021-{i:02d}" for i in range(1, N_TASKS + 1)]
    counts: dict[int, int] = {}
    for t in plan.tasks:
        counts[t.group_no] = counts.get(t.group_no, 0) + 1
    assert counts == ROWS_PER_GROUP
    assert [t.group_no for t in plan.tasks] == sorted(t.group_no for t in plan.tasks)
    groups = {t.group_no: t.group for t in plan.tasks}
    assert groups[3] == "瞄住盯紧工伤预防重点行业"
    assert groups[8] == "大力开展互联网+工伤预防"
    for t in plan.tasks:
        assert groups[t.group_no] == t.group


def test_task_rows_spot_check(plan: Plan) -> None:
    by_id = {t.id: t for t in plan.tasks}
    t = by_id["2021-03"]
    assert t.measure == "定期召集工伤预防委员会办公室成员单位会议"
    assert t.deadline_text == "2021年7、11月"
    assert t.deadline == date(2021, 11, 30)
    assert not t.ongoing

    t = by_id["2021-17"]
    assert t.measure == "持续推进同舟计划，确保新开工项目参保率90%以上"
    assert t.departments == ("市人社局", "市住建局", "市交通局")
    assert t.deadline is None and t.ongoing
    assert t.target_ids == ("project_insurance_rate",)

    t = by_id["2021-23"]
    assert t.departments_text == "市人社局牵头，其他单位配合"
    assert t.departments == ("市人社局（牵头）", "其他单位（配合）")
    assert t.target_ids == ("expert_pool",)

    t = by_id["2021-27"]
    assert t.departments == ("市人社局", "项目所属行业主管部门")

    t = by_id["2021-01"]
    assert t.departments == ("市人社局等八部门",)
    assert t.deadline == date(2021, 10, 31)

    t = by_id["2021-28"]
    assert t.measure == "监督工伤预防费的预算、决算及执行情况"
    assert t.departments == ("市财政局",)


def test_task_consistency(plan: Plan) -> None:
    for t in plan.tasks:
        assert t.ongoing is (t.deadline_text == "长期坚持"), t.id
        assert (t.deadline is None) is t.ongoing, t.id
        if t.deadline is not None:
            assert f"{t.deadline.month}月" in t.deadline_text, t.id
        assert t.departments, t.id
    assert sum(t.ongoing for t in plan.tasks) == 6
    fed = {tid for t in plan.tasks for tid in t.target_ids}
    assert {"insured_persons", "expert_pool", "training_bases", "publicity_coverage"} <= fed
    assert [t.id for t in plan.tasks_for("insured_persons")] == ["2021-16", "2021-19"]


def test_measures_verbatim_in_plan_text(plan: Plan) -> None:
    if not PLAN_TEXT.is_file():
        pytest.skip(f"plan text not available at {PLAN_TEXT}")
    text = PLAN_TEXT.read_text(encoding="utf-8")
    annex = text[text.index("2021常州市工伤预防重点工作任务清单\n") :]
    for t in plan.tasks:
        assert t.measure in annex, t.id
        assert t.group in annex, t.id
        assert t.departments_text in annex, t.id
        assert t.deadline_text in annex, t.id


# --------------------------------------------------------------------------- successor plans

SUCCESSOR = {
    "plan_id": "changzhou_2026-2030",
    "title": "常州市工伤预防五年行动计划（2026-2030年）（测试用合成数据）",
    "period": [2026, 2030],
    "baseline_year": 2025,
    "source": "synthetic test data",
    "targets": [
        {
            "id": "insured_persons",
            "name": "全市工伤保险参保人数",
            "metric": "insured_persons",
            "unit": "人",
            "direction": "at_least",
            "target": 2000000,
            "deadline": "2030-12-31",
            "milestones": [
                {"year": 2026, "value": 1990000, "deadline": "2026-12-31", "note": "合成"}
            ],
        },
        {
            "id": "accident_rate_reduction",
            "name": "重点行业工伤事故发生率降幅",
            "metric": "accident_rate",
            "unit": "ratio",
            "direction": "reduce_by",
            "target": 0.1,
            "deadline": "2030-12-31",
        },
        {
            "id": "project_insurance_rate",
            "name": "新开工项目参保率",
            "metric": "project_insurance_rate",
            "unit": "ratio",
            "direction": "at_least",
            "target": 0.95,
            "deadline": None,
            "ongoing": True,
        },
    ],
    "tasks": [
        {
            "id": "2026-01",
            "group_no": 1,
            "group": "合成任务",
            "measure": "合成措施",
            "departments": ["市人社局"],
            "departments_text": "市人社局",
            "deadline_text": "2026年12月",
            "deadline": "2026-12-31",
            "ongoing": False,
            "target_ids": ["insured_persons"],
        }
    ],
}


def _write(directory: Path, data: dict, name: str | None = None) -> Path:
    path = directory / (name or f"{data['plan_id']}.json")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_successor_plan_picked_up(tmp_path: Path, raw_plan: dict) -> None:
    _write(tmp_path, SUCCESSOR)
    _write(tmp_path, raw_plan)
    plans = available_plans(tmp_path)
    assert [p.plan_id for p in plans] == [DEFAULT_PLAN_ID, "changzhou_2026-2030"]
    nxt = plans[1]
    assert nxt.period == (2026, 2030)
    assert nxt.target("insured_persons").target == 2000000
    assert nxt.milestone_value("insured_persons", 2026) == 1990000
    assert nxt.target("accident_rate_reduction").baseline_year == 2025
    assert nxt.target("project_insurance_rate").ongoing
    assert nxt.tasks[0].deadline == date(2026, 12, 31)


def test_available_plans_empty_and_missing_dir(tmp_path: Path) -> None:
    assert available_plans(tmp_path) == []
    with pytest.raises(PlanFileError):
        available_plans(tmp_path / "missing")


# --------------------------------------------------------------------------- malformed files


def _mutated(mutate) -> dict:
    data = copy.deepcopy(SUCCESSOR)
    mutate(data)
    return data


def _set(path: tuple, value):
    def mutate(data: dict) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple):
    def mutate(data: dict) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _duplicate_target(data: dict) -> None:
    data["targets"].append(copy.deepcopy(data["targets"][0]))


def _duplicate_task(data: dict) -> None:
    data["tasks"].append(copy.deepcopy(data["tasks"][0]))


MALFORMED = {
    "missing_plan_id": (_delete(("plan_id",)), "plan_id"),
    "missing_target_id": (_delete(("targets", 0, "id")), "targets[0].id"),
    "unknown_direction": (_set(("targets", 1, "direction"), "up"), "targets[1].direction"),
    "duplicate_target_id": (_duplicate_target, "targets[3].id"),
    "unknown_task_target": (
        _set(("tasks", 0, "target_ids"), ["insured_persons", "nope"]),
        "tasks[0].target_ids[1]",
    ),
    "duplicate_task_id": (_duplicate_task, "tasks[1].id"),
    "ratio_as_percent": (_set(("targets", 2, "target"), 95), "targets[2].target"),
    "bad_date": (_set(("targets", 0, "deadline"), "2030-13-01"), "targets[0].deadline"),
    "null_deadline_not_ongoing": (_set(("targets", 0, "deadline"), None), "targets[0].deadline"),
    "missing_target_value": (_set(("targets", 0, "target"), None), "targets[0].target"),
    "milestone_outside_period": (
        _set(("targets", 0, "milestones", 0, "year"), 2031),
        "targets[0].milestones[0].year",
    ),
    "bad_period": (_set(("period",), [2030, 2026]), "period"),
    "unknown_key": (_set(("targets", 0, "dedline"), "2030-12-31"), "targets[0].dedline"),
    "string_group_no": (_set(("tasks", 0, "group_no"), "1"), "tasks[0].group_no"),
    "empty_departments": (_set(("tasks", 0, "departments"), []), "tasks[0].departments"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_raises(tmp_path: Path, case: str) -> None:
    mutate, field = MALFORMED[case]
    path = _write(tmp_path, _mutated(mutate), name="changzhou_2026-2030.json")
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.path == path
    assert err.field == field
    assert str(path) in str(err)
    assert field in str(err)
    # available_plans surfaces the same error
    with pytest.raises(PlanFileError, match="changzhou_2026-2030.json"):
        available_plans(tmp_path)


def test_plan_id_must_match_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, SUCCESSOR, name="other.json")
    with pytest.raises(PlanFileError, match="plan_id") as info:
        load_plan(path)
    assert "other.json" in str(info.value)


def test_invalid_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(PlanFileError, match="broken.json") as info:
        load_plan(path)
    assert "JSON" in str(info.value)
    with pytest.raises(PlanFileError, match="不存在"):
        load_plan(tmp_path / "absent.json")


# --------------------------------------------------------------------------- issue 11: the whole plan as data

import pandas as pd  # noqa: E402

from gsyf_geo.domain import KEY_INDUSTRIES, key_industry_for  # noqa: E402
from gsyf_geo.plan import (  # noqa: E402
    KeyIndustrySet,
    Rules,
    parse_deadline_text,
    split_departments,
)

NEXT_PLAN_FILE = REPO / "tests" / "data" / "plans" / "changzhou_2026-2030.json"


@pytest.fixture(scope="module")
def next_plan() -> Plan:
    return load_plan(NEXT_PLAN_FILE)


def test_rules_of_the_shipped_plan(plan: Plan) -> None:
    assert plan.rules == Rules(commuting_included=False, injury_date_basis="recognition", min_sample=20)


def test_rules_default_when_the_file_has_none(tmp_path: Path) -> None:
    nxt = load_plan(_write(tmp_path, SUCCESSOR))
    assert nxt.rules == Rules()
    assert (nxt.rules.commuting_included, nxt.rules.injury_date_basis, nxt.rules.min_sample) == (
        False, "recognition", 20)  # fmt: skip
    # No key_industries: the whole catalogue, grouped as in gsyf_geo.domain.
    assert nxt.key_industry_set.industries == KEY_INDUSTRIES
    assert set(nxt.key_industries) == {"accident_prone", "disease_prone"}
    assert nxt.recurring == ()


def test_bases_target_carries_wording_and_tolerance(plan: Plan) -> None:
    bases = plan.target_for_metric("training_bases")
    assert bases is plan.target("training_bases")
    assert bases.wording == "10家左右" and bases.tolerance == pytest.approx(0.1)
    assert bases.threshold() == pytest.approx(9.0)  # 10家左右: 9 is met, 8 is not
    assert bases.threshold(2) == pytest.approx(1.8)  # the same tolerance on a milestone
    project = plan.target_for_metric("project_insurance_rate")
    assert project.target == pytest.approx(0.90) and project.tolerance == 0.0
    assert project.threshold() == pytest.approx(0.90)
    assert plan.target_for_metric("no_such_metric") is None
    # Two targets share training_coverage: the first in file order is the plan's own.
    assert plan.target_for_metric("training_coverage").id == "training_coverage"
    assert plan.target("insured_persons").unit_targets == {}


def test_at_most_tolerance_widens_upwards(tmp_path: Path) -> None:
    data = copy.deepcopy(SUCCESSOR)
    data["targets"][0].update(direction="at_most", tolerance=0.05)
    t = load_plan(_write(tmp_path, data)).target("insured_persons")
    assert t.threshold() == pytest.approx(2_100_000)


def test_key_industry_enrollment_target(plan: Plan) -> None:
    t = plan.target("key_industry_enrollment")
    assert (t.metric, t.unit, t.direction, t.target) == ("enrollment_rate", "ratio", "at_least", 1.0)
    assert t.deadline == date(2025, 12, 31) and t.params["population"] == "key"
    assert "应保尽保" in t.clause and "三、（六）13" in t.clause


def test_recurring_items_of_the_shipped_plan(plan: Plan) -> None:
    ids = [r.id for r in plan.recurring]
    assert ids == ["publicity_month", "disease_law_week", "safety_month", "annual_meeting", "rate_review"]
    yearly = {"publicity_month", "disease_law_week", "safety_month", "annual_meeting"}
    for year in plan.years:
        due = {r.id for r in plan.recurring_due(year)}
        assert due == yearly | ({"rate_review"} if year in (2021, 2023, 2025) else set()), year
    assert plan.recurring_due(2020) == [] and plan.recurring_due(2026) == []
    by_id = {r.id: r for r in plan.recurring}
    assert by_id["rate_review"].every_years == 2 and "三、（七）14" in by_id["rate_review"].clause
    assert "四、（四）" in by_id["annual_meeting"].clause
    assert by_id["disease_law_week"].due_date(2022) == date(2022, 5, 31)
    assert by_id["publicity_month"].due_date(2022) == date(2022, 12, 31)
    assert {"安全生产月", "safety_month", "安全月"} <= by_id["safety_month"].labels
    assert by_id["rate_review"].task_ids == ("2021-20",)


def test_every_file_task_has_its_list_year(plan: Plan) -> None:
    assert {t.year for t in plan.tasks} == {2021}
    assert len(plan.tasks_of_year(2021)) == N_TASKS and plan.tasks_of_year(2022) == ()


# -- key industries


def test_shipped_key_industries_are_the_catalogue(plan: Plan) -> None:
    ks = plan.key_industry_set
    assert ks.ids == {k.id for k in KEY_INDUSTRIES}
    assert ks.groups["disease_prone"] == ("mining", "metallurgy", "building_materials", "shipbuilding")


def test_classify_longest_prefix_and_licence(plan: Plan) -> None:
    ks = plan.key_industry_set
    codes = pd.Series(["C3731", "C3411", "3731", "C2614", "G6020", None, "XYZ", "C1311", "C2614"],
                      index=[10, 11, 12, 13, 14, 15, 16, 17, 18])  # fmt: skip
    licence = pd.Series([False, False, False, False, False, True, True, False, None],
                        index=codes.index)  # fmt: skip
    got = ks.classify(codes, licence)
    assert got.index.equals(codes.index)
    assert got.tolist() == ["shipbuilding", "machinery", "shipbuilding", "chemical", "transport",
                            "hazchem", "hazchem", None, "chemical"]  # fmt: skip
    # Without the licence column nothing is 危险化学品.
    assert ks.classify(codes).tolist()[5:7] == [None, None]


def test_classify_matches_the_catalogue_rule(plan: Plan) -> None:
    codes = [f"{d:02d}{c}" for d in range(1, 97) for c in ("", "1", "31", "73")]
    licence = [i % 7 == 0 for i in range(len(codes))]
    got = plan.key_industry_set.classify(pd.Series(codes), pd.Series(licence)).tolist()
    assert got == [key_industry_for(c, h) for c, h in zip(codes, licence, strict=True)]


def test_licence_ignored_when_plan_has_no_hazchem(tmp_path: Path) -> None:
    data = copy.deepcopy(SUCCESSOR)
    data["key_industries"] = {"accident_prone": ["化工"]}
    ks = load_plan(_write(tmp_path, data)).key_industry_set
    assert ks.ids == {"chemical"}
    assert ks.classify(pd.Series(["C2614", "C3411"]), pd.Series([True, True])).tolist() == ["chemical", None]


# -- the 2026–2030 test plan


def test_next_plan_fixture_loads(next_plan: Plan) -> None:
    assert next_plan.plan_id == "changzhou_2026-2030" and next_plan.period == (2026, 2030)
    assert next_plan.baseline_year == 2025
    assert next_plan.target("accident_rate_reduction").baseline_year == 2025
    assert next_plan.rules.commuting_included is True
    assert any("示意" in n or "illustrative" in n for n in next_plan.notes)
    assert "测试" in next_plan.title
    # It is a test fixture, not a shipped plan.
    assert "changzhou_2026-2030" not in [p.plan_id for p in available_plans()]


def test_next_plan_instant_delivery(next_plan: Plan) -> None:
    ks = next_plan.key_industry_set
    assert "instant_delivery" in ks.ids and ks.by_id["instant_delivery"].name == "即时配送"
    assert ks.by_id["instant_delivery"].code_prefixes == ("602", "609")
    assert "即时配送" in next_plan.key_industries["accident_prone"]
    codes = pd.Series(["G6020", "6090", "G6010", "G5431", "C3731"])
    got = ks.classify(codes, pd.Series([False, False, False, False, False])).tolist()
    # 602/609 beat 交通运输's 60; 601 (邮政基本服务) stays 交通运输.
    assert got == ["instant_delivery", "instant_delivery", "transport", "transport", "shipbuilding"]
    # The shipped plan has no instant delivery: the same code is 交通运输 there.
    assert default_plan().key_industry_set.classify(codes[:1]).tolist() == ["transport"]


def test_next_plan_unit_targets_and_tolerance(next_plan: Plan) -> None:
    insured = next_plan.target_for_metric("insured_persons")
    assert insured.unit_targets["320413"] == 180000
    assert sum(insured.unit_targets.values()) == insured.target
    bases = next_plan.target_for_metric("training_bases")
    assert (bases.wording, bases.threshold()) == ("15家左右", pytest.approx(13.5))
    assert next_plan.target_for_metric("project_insurance_rate").target == pytest.approx(0.95)
    assert [r.id for r in next_plan.recurring_due(2026)] == ["publicity_month"]
    assert [r.id for r in next_plan.recurring_due(2027)] == ["publicity_month", "rate_review"]


# -- task-list text rules


def test_department_and_deadline_rules_reproduce_the_2021_list(plan: Plan) -> None:
    for t in plan.tasks:
        assert split_departments(t.departments_text) == t.departments, t.id
        assert parse_deadline_text(t.deadline_text) == (t.deadline, t.ongoing), t.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年7、11月", date(2022, 11, 30)),
        ("2022年1-6月", date(2022, 6, 30)),
        ("2024年2月", date(2024, 2, 29)),  # leap year
        ("2022年6月底", date(2022, 6, 30)),
        ("2022年9月15日", date(2022, 9, 15)),
        ("2022年", date(2022, 12, 31)),
        ("2022年底", date(2022, 12, 31)),
        ("第三季度", date(2022, 9, 30)),
        ("12月", date(2022, 12, 31)),
        ("2022年12月至2023年3月", date(2023, 3, 31)),
    ],
)
def test_deadline_text(text: str, expected: date) -> None:
    assert parse_deadline_text(text, year=2022) == (expected, False)


def test_deadline_text_ongoing_and_errors() -> None:
    assert parse_deadline_text("长期坚持") == (None, True)
    for bad in ("", "尽快", "2022年13月"):
        with pytest.raises(ValueError, match="完成时限"):
            parse_deadline_text(bad, year=2022)
    with pytest.raises(ValueError, match="没有年份"):
        parse_deadline_text("6月")


def test_split_departments_edges() -> None:
    assert split_departments("市人社局、市住建局，市交通局") == ("市人社局", "市住建局", "市交通局")
    assert split_departments("市人社局牵头，其他单位配合") == ("市人社局（牵头）", "其他单位（配合）")
    assert split_departments("市人社局等八部门") == ("市人社局等八部门",)
    assert split_departments(" 、 ") == ()


# -- malformed additions

NEW_MALFORMED = {
    "rules_unknown_key": (_set(("rules",), {"commuting": True}), "rules.commuting"),
    "rules_bad_basis": (_set(("rules",), {"injury_date_basis": "accident"}), "rules.injury_date_basis"),
    "rules_bad_min_sample": (_set(("rules",), {"min_sample": 0}), "rules.min_sample"),
    "rules_commuting_not_bool": (_set(("rules",), {"commuting_included": "yes"}), "rules.commuting_included"),
    "tolerance_too_big": (_set(("targets", 0, "tolerance"), 1.5), "targets[0].tolerance"),
    "tolerance_on_reduce_by": (_set(("targets", 1, "tolerance"), 0.1), "targets[1].tolerance"),
    "unit_target_unknown_unit": (_set(("targets", 0, "unit_targets"), {"320499": 1}), "targets[0].unit_targets.320499"),
    "unit_target_ratio_as_percent": (_set(("targets", 2, "unit_targets"), {"JKQ": 95}), "targets[2].unit_targets.JKQ"),
    "unknown_industry_name": (_set(("key_industries",), {"accident_prone": ["外卖"]}), "key_industries.accident_prone[0]"),
    "industry_without_prefixes": (
        _set(("key_industries",), {"x": [{"id": "delivery", "name": "配送", "risk_class": 4}]}),
        "key_industries.x[0].code_prefixes",
    ),
    "industry_bad_prefix": (
        _set(("key_industries",), {"x": [{"id": "delivery", "name": "配送", "code_prefixes": ["G602"], "risk_class": 4}]}),
        "key_industries.x[0].code_prefixes[0]",
    ),
    "industry_bad_risk_class": (
        _set(("key_industries",), {"x": [{"id": "delivery", "name": "配送", "code_prefixes": ["602"], "risk_class": 9}]}),
        "key_industries.x[0].risk_class",
    ),
    "industry_listed_twice": (
        _set(("key_industries",), {"a": ["化工"], "b": ["化工"]}), "key_industries.b[0]",
    ),
    "industry_prefix_clash": (
        _set(("key_industries",), {"a": ["建材", {"id": "glass", "name": "玻璃", "code_prefixes": ["30"], "risk_class": 5}]}),
        "key_industries.a[1]",
    ),
    "recurring_bad_kind": (
        _set(("recurring",), [{"id": "x", "name": "x", "kind": "party", "every_years": 1, "first_year": 2026}]),
        "recurring[0].kind",
    ),
    "recurring_outside_period": (
        _set(("recurring",), [{"id": "x", "name": "x", "kind": "meeting", "every_years": 1, "first_year": 2031}]),
        "recurring[0].first_year",
    ),
    "recurring_unknown_task": (
        _set(("recurring",), [{"id": "x", "name": "x", "kind": "meeting", "every_years": 1, "first_year": 2026,
                               "task_ids": ["2026-99"]}]),
        "recurring[0].task_ids[0]",
    ),
    "recurring_unknown_key": (
        _set(("recurring",), [{"id": "x", "name": "x", "kind": "meeting", "every_years": 1, "first_year": 2026,
                               "every": 2}]),
        "recurring[0].every",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(NEW_MALFORMED))
def test_malformed_new_fields_raise(tmp_path: Path, case: str) -> None:
    mutate, field = NEW_MALFORMED[case]
    path = _write(tmp_path, _mutated(mutate), name="changzhou_2026-2030.json")
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    assert info.value.field == field
    assert str(path) in str(info.value) and field in str(info.value)


def test_key_industry_set_default_is_the_catalogue() -> None:
    ks = KeyIndustrySet.default()
    assert ks.industries == KEY_INDUSTRIES and ks.ids == {k.id for k in KEY_INDUSTRIES}


def test_new_clauses_quote_the_plan_text(plan: Plan) -> None:
    if not PLAN_TEXT.is_file():
        pytest.skip(f"plan text not available at {PLAN_TEXT}")
    import re

    text = PLAN_TEXT.read_text(encoding="utf-8")
    clauses = [r.clause for r in plan.recurring] + [plan.target("key_industry_enrollment").clause]
    quotes = [q for c in clauses for q in re.findall(r"“([^”]+)”", c)]
    assert len(quotes) >= len(clauses)
    for q in quotes:
        assert q in text, q
    assert "10家左右" in text and plan.target("training_bases").wording == "10家左右"


def test_classify_accepts_a_plain_sequence_for_the_licence(plan: Plan) -> None:
    codes = pd.Series(["C3411", "C3411"], index=[7, 3])
    got = plan.key_industry_set.classify(codes, [True, False])
    assert got.to_dict() == {7: "hazchem", 3: "machinery"}
