"""Siting from the store (the small demo city), saved scenarios on SQLite and PostGIS, the CLI."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from siting_cases import demand_frame, sites_frame

from gsyf_geo.siting import MaximalCovering, SitingError
from gsyf_geo.siting.scenarios import (
    compare_scenarios,
    count_scenarios,
    delete_scenario,
    list_scenarios,
    load_scenario,
    save_scenario,
)
from gsyf_geo.store import Scope

ROOT = Path(__file__).resolve().parents[1]


def test_mclp_on_the_demo_store_matches_enumeration(demo_store):
    problem = MaximalCovering.from_store(demo_store, radius_km=12)
    inst = problem.instance
    assert inst.sites["fixed"].sum() == (inst.sites["status"] == "existing").sum() > 0
    assert set(inst.sites.loc[~inst.sites["fixed"], "status"]) <= {"candidate", "planned"}
    result = problem.solve(2)
    a = problem.coverage.toarray()
    w = inst.demand["weight"].to_numpy()
    fixed = inst.fixed
    base = a[:, fixed].any(axis=1)
    best = max(
        float(w[base | a[:, i] | a[:, j]].sum())
        for i, j in itertools.combinations(np.flatnonzero(~fixed), 2)
    )
    assert result.optimal and result.objective == pytest.approx(best)
    assert result.total_weight == pytest.approx(
        demo_store.read("enterprise", columns=["employees"])["employees"].sum()
    )


def test_scope_limits_demand_and_sites(demo_store):
    scope = Scope.district("320481")
    problem = MaximalCovering.from_store(demo_store, scope, radius_km=15)
    inst = problem.instance
    assert set(inst.demand["district"]) == {"320481"} and set(inst.sites["district"]) == {"320481"}
    result = problem.solve(1)
    assert result.by_district()["name"].tolist() == ["溧阳市"]
    assert result.scope_label == "溧阳市"


def _small_result(p: int = 1, radius_km: float = 3.0):
    demand = demand_frame([0, 5, -5, 9], [0, 0, 0, 3], [10, 20, 30, 40],
                          names=["甲厂", "乙厂", "丙厂", "<b>丁厂</b>"])  # fmt: skip
    sites = sites_frame([0, 5, -5, 9], [0.2, 0.2, 0.2, 3.1], [True, False, False, False])
    return MaximalCovering.from_geodataframes(demand, sites, radius_km=radius_km).solve(p)


def test_scenarios_save_list_load_compare_delete(store):
    one = _small_result(1)
    two = _small_result(2)
    a = save_scenario(store, "方案一", one, created_by="张三")
    b = save_scenario(store, "方案二", two)
    listed = list_scenarios(store)
    assert listed["name"].tolist() == ["方案二", "方案一"]  # newest first
    assert listed["p"].tolist() == [2, 1] and listed["problem_name"].tolist() == ["最大覆盖"] * 2
    loaded = load_scenario(store, a)
    assert loaded["parameters"]["radius_km"] == 3.0 and loaded["created_by"] == "张三"
    assert [c["name"] for c in loaded["result"]["chosen"]] == one.chosen["name"].tolist()
    assert loaded["result"]["objective"] == pytest.approx(one.objective)

    cmp = compare_scenarios(store, a, b)
    # One new site covers the heaviest (丁厂, 40); two also cover 丙厂 (30).
    which = dict(zip(cmp.enterprises["name"], cmp.enterprises["which"], strict=True))
    assert which == {"<b>丁厂</b>": "两者", "丙厂": "仅方案B"}
    assert cmp.summary.set_index("指标").loc["新增基地数"].tolist() == ["1", "2"]

    with pytest.raises(SitingError, match="已有同名方案「方案一」"):
        save_scenario(store, "方案一", two)
    c = save_scenario(store, "方案一", two, overwrite=True)
    assert count_scenarios(store) == 2 and load_scenario(store, c)["parameters"]["p"] == 2
    with pytest.raises(SitingError, match="请为方案命名"):
        save_scenario(store, "  ", one)
    delete_scenario(store, b)
    with pytest.raises(SitingError, match="未找到编号"):
        load_scenario(store, b)


def test_scenarios_stay_in_their_scope(store):
    result = _small_result(1)
    sid = save_scenario(store, "全市方案", result)
    with pytest.raises(SitingError, match="不在权限范围"):
        save_scenario(store, "越权", result, scope=Scope.district("320481"))
    assert list_scenarios(store, Scope.district("320481")).empty
    with pytest.raises(SitingError, match="未找到编号"):
        load_scenario(store, sid, Scope.district("320481"))
    assert len(list_scenarios(store)) == 1


def _run(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GSYF_DB_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "gsyf_geo", "site", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture
def demo_copy(demo_sqlite_path, tmp_path) -> Path:
    import shutil

    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, path)
    return path


def test_site_command_json(demo_copy):
    out = _run(
        "--problem",
        "mclp",
        "--p",
        "3",
        "--radius-km",
        "15",
        "--weight",
        "workers",
        "--json",
        db=demo_copy,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["problem"] == "mclp" and data["status"] == "Optimal" and data["gap"] == 0
    assert len(data["chosen"]) == 3 and data["demo"] is True
    for site in data["chosen"]:
        assert site["district_name"] and 118.9 < site["lon"] < 120.3 and 31.1 < site["lat"] < 32.1
    assert 0 < data["covered_share"] <= 1
    assert data["covered_weight"] == pytest.approx(data["objective"])
    assert sum(r["demand"] for r in data["by_district"]) == pytest.approx(data["total_weight"])
    assert {r["name"] for r in data["by_industry"]} <= {"危险化学品", "化工", "建筑施工", "交通运输", "机械制造",
                                                       "非煤矿山", "冶金", "建材", "船舶制造"}  # fmt: skip


def test_site_command_text_and_options(demo_copy):
    out = _run("--problem", "lscp", "--share", "0.9", "--weight", "untrained", "--industry", "化工", "hazchem",
               "--scope", "district:320411", "--save", "新北化工", db=demo_copy)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "集合覆盖" in out.stdout and "新北区" in out.stdout and "与理论界的差距" in out.stdout
    # The plain verdict, as on the page; no solver status words.
    assert "结论：已找到最优方案" in out.stdout or "结论：在时限" in out.stdout
    assert "Optimal" not in out.stdout and "最优间隙" not in out.stdout
    assert "已保存方案" in out.stdout
    out = _run("--problem", "pmedian", "--p", "2", "--weight", "risk", "--json", db=demo_copy)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (
        data["problem"] == "pmedian" and data["mean_distance_km"] > 0 and len(data["chosen"]) == 2
    )


def test_site_command_explains_bad_input(demo_copy):
    out = _run("--p", "999", db=demo_copy)
    assert out.returncode == 2 and "超过候选点数" in out.stderr
    out = _run("--radius-km", "-1", db=demo_copy)
    assert out.returncode == 2 and "服务半径须大于 0 公里" in out.stderr
    out = _run("--industry", "纺织", db=demo_copy)
    assert out.returncode == 2 and "未知的重点行业" in out.stderr
