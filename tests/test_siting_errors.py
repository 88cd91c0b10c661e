"""Every infeasible or badly posed siting input is refused with a plain Chinese explanation."""

from __future__ import annotations

import numpy as np
import pytest
from siting_cases import demand_frame, sites_frame

from gsyf_geo.siting import MaximalCovering, PMedian, SetCovering, SitingError


def _basic():
    demand = demand_frame([0, 5, -5], [0, 0, 0], [10, 20, 30])
    sites = sites_frame(
        [0, 5, -5], [0.2, 0.2, 0.2], [True, False, False], capacity=[100.0, 100.0, 100.0]
    )
    return demand, sites


def test_fixed_base_outside_the_city():
    demand, sites = _basic()
    sites.loc[0, ["lon", "lat"]] = [121.47, 31.23]  # 上海
    with pytest.raises(SitingError, match="固定基地「站点0」位于常州市域外"):
        MaximalCovering.from_geodataframes(demand, sites)


def test_candidate_outside_the_city():
    demand, sites = _basic()
    sites.loc[1, ["lon", "lat"]] = [120.30, 31.57]  # 无锡
    with pytest.raises(SitingError, match="候选点「站点1」位于常州市域外"):
        MaximalCovering.from_geodataframes(demand, sites)


def test_clicked_point_outside_the_city():
    demand, sites = _basic()
    with pytest.raises(SitingError, match="新增候选点.*位于常州市域外"):
        MaximalCovering.from_geodataframes(demand, sites, extra_candidates=[(118.8, 32.06)])  # 南京


def test_fixed_base_without_coordinates():
    demand, sites = _basic()
    sites.loc[0, ["lon", "lat"]] = [np.nan, np.nan]
    with pytest.raises(SitingError, match="固定基地「站点0」缺少坐标"):
        MaximalCovering.from_geodataframes(demand, sites)


def test_no_candidate_reaches_a_district():
    """All demand in 溧阳, the only candidate in 天宁, 10 km reach."""
    demand = demand_frame([0], [0], [10])
    demand[["lon", "lat"]] = [[119.48, 31.42]]  # 溧阳市
    sites = sites_frame([0], [0], [False])
    sites[["lon", "lat"]] = [[119.97, 31.78]]  # 天宁区
    with pytest.raises(SitingError, match="没有候选点能覆盖溧阳市"):
        MaximalCovering.from_geodataframes(demand, sites, radius_km=10).solve(1)


@pytest.mark.parametrize(
    "p, message", [(3, "p=3 超过候选点数 2"), (0, "p 须至少为 1"), (1.5, "须为整数")]
)
def test_bad_p(p, message):
    demand, sites = _basic()
    with pytest.raises(SitingError, match=message):
        MaximalCovering.from_geodataframes(demand, sites).solve(p)
    if p != 1.5:
        with pytest.raises(SitingError, match=message):
            PMedian.from_geodataframes(demand, sites).solve(p)


@pytest.mark.parametrize("radius", [0, -3, float("nan")])
def test_radius_must_be_positive(radius):
    demand, sites = _basic()
    with pytest.raises(SitingError, match="服务半径须大于 0 公里"):
        MaximalCovering.from_geodataframes(demand, sites, radius_km=radius)


def test_detour_below_one():
    demand, sites = _basic()
    with pytest.raises(SitingError, match="道路绕行系数须不小于 1"):
        MaximalCovering.from_geodataframes(demand, sites, detour=0.8)


def test_set_covering_share_unreachable_names_the_districts():
    demand = demand_frame([0, 0], [0, 0], [10, 90])
    demand[["lon", "lat"]] = [[119.97, 31.78], [119.48, 31.42]]  # 天宁区, 溧阳市
    sites = sites_frame([0], [0], [False])
    sites[["lon", "lat"]] = [[119.97, 31.781]]
    with pytest.raises(SitingError, match=r"只能覆盖 10\.0% 的需求，达不到目标 90%.*溧阳市"):
        SetCovering.from_geodataframes(demand, sites, radius_km=5).solve(share=0.9)


@pytest.mark.parametrize("share", [0, 1.2, -0.1])
def test_set_covering_share_out_of_range(share):
    demand, sites = _basic()
    with pytest.raises(SitingError, match="覆盖比例须大于 0 且不超过 1"):
        SetCovering.from_geodataframes(demand, sites).solve(share=share)


def test_set_covering_already_met_needs_no_new_site():
    demand, sites = _basic()
    result = SetCovering.from_geodataframes(demand, sites, radius_km=30).solve(share=0.9)
    assert result.objective == 0 and result.chosen.empty
    assert "无需新增基地" in result.notes[0]


def test_everything_already_covered_by_existing_bases_is_an_answer_not_an_error():
    """spopt answers such an instance (all covered); so do we: no new site, a full result."""
    demand, sites = _basic()
    result = MaximalCovering.from_geodataframes(demand, sites, radius_km=30).solve(1)
    assert "无需新增站点" in result.notes[0]
    assert result.chosen.empty and result.objective == 60 == result.covered_weight
    assert result.optimal and result.gap == 0 and result.gap_cn == "已找到最优方案（可证明无更优）"
    assert result.by_district()["covered"].sum() == 60  # the tables are there
    assert result.summary()["chosen"] == [] and result.fixed_covered_weight == 60
    series = MaximalCovering.from_geodataframes(demand, sites, radius_km=30).marginal_gains(2)
    assert series["covered"].tolist() == [60.0]


def test_unknown_weight_and_industry():
    demand, sites = _basic()
    with pytest.raises(SitingError, match="未知的需求权重「salary」"):
        MaximalCovering.from_geodataframes(demand, sites, weight="salary")
    with pytest.raises(SitingError, match="未知的重点行业「纺织」"):
        MaximalCovering.from_geodataframes(demand, sites, industries=["纺织"])


def test_no_matching_enterprises():
    demand, sites = _basic()
    with pytest.raises(SitingError, match="没有符合条件的企业（冶金）"):
        MaximalCovering.from_geodataframes(demand, sites, industries=["metallurgy"])


def test_zero_total_demand():
    demand, sites = _basic()
    demand["key_staff_trained"] = demand["key_staff"]
    with pytest.raises(SitingError, match="需求量「重要岗位未培训人数」合计为 0"):
        MaximalCovering.from_geodataframes(demand, sites, weight="untrained")


def test_no_sites():
    demand, sites = _basic()
    with pytest.raises(SitingError, match="没有任何已建基地或候选点"):
        MaximalCovering.from_geodataframes(demand, sites.iloc[0:0])


def test_capacity_too_small_for_p_median():
    demand, sites = _basic()
    with pytest.raises(SitingError, match="无法为全部需求分配基地"):
        PMedian.from_geodataframes(demand, sites, capacity_scale=0.05).solve(1)


def test_bad_capacity_values():
    demand, sites = _basic()
    with pytest.raises(SitingError, match="每个座位可服务的需求量须大于 0"):
        MaximalCovering.from_geodataframes(demand, sites, capacity_scale=0)
    sites.loc[1, "capacity"] = -5
    with pytest.raises(SitingError, match="座位容量为负数"):
        MaximalCovering.from_geodataframes(demand, sites)


def test_time_limit_must_be_positive():
    demand, sites = _basic()
    with pytest.raises(SitingError, match="时间限制须大于 0 秒"):
        MaximalCovering.from_geodataframes(demand, sites, radius_km=3).solve(1, time_limit=0)


def test_error_messages_are_chinese():
    """A spot check that messages are for the planner, not a stack trace."""
    demand, sites = _basic()
    with pytest.raises(SitingError) as info:
        MaximalCovering.from_geodataframes(demand, sites).solve(9)
    text = str(info.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and "Traceback" not in text


def test_capacitated_p_median_too_large_is_refused_with_advice(monkeypatch):
    import gsyf_geo.siting.problems as problems

    monkeypatch.setattr(problems, "MAX_CAPACITATED_MEDIAN_ASSIGNMENTS", 4)
    demand, sites = _basic()
    with pytest.raises(SitingError, match="考虑座位容量的 p-中值模型过大.*请缩小范围"):
        PMedian.from_geodataframes(demand, sites, capacity_scale=10).solve(1)
