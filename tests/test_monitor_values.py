"""Each plan metric on the tiny hand-made city (tests/monitor_city.py), on SQLite and PostGIS.

The expected numbers are worked out by hand from the rows in monitor_city.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import monitor_city as city
import pytest

from gsyf_geo.monitor.values import (
    METRIC_INFO,
    PRIORITY_TRAINING_INDUSTRIES,
    format_value,
    metric_values,
)
from gsyf_geo.store import CITY, Scope

YEARS = (2020, 2021, 2022, 2023, 2024, 2025)
PLAN = city.plan()
OTHER_UNITS = ("320404", "320411", "320413", "320481")  # no rows there


def values(store, target_id, scope=CITY, years=YEARS, **changes):
    target = PLAN.target(target_id)
    if changes:
        target = replace(target, **changes)
    return metric_values(store, PLAN, target, scope, years=years)


def approx(expected: dict) -> dict:
    return {y: (None if v is None else pytest.approx(v)) for y, v in expected.items()}


@pytest.fixture
def loaded(store):
    city.load(store)
    return store


def test_every_metric_of_the_plan_is_known():
    assert {t.metric for t in PLAN.targets} <= set(METRIC_INFO)
    # 尘肺病 industries come from the domain's disease-prone group, plus 危化品 and 化工.
    assert set(PRIORITY_TRAINING_INDUSTRIES) == {
        "hazchem", "chemical", "mining", "metallurgy", "building_materials", "shipbuilding"
    }  # fmt: skip


def test_publicity_coverage(loaded):
    v = values(loaded, "publicity_coverage")
    # 5 key-industry enterprises (E5 is not one); first reached: E1 2021, E3 and E4 2022,
    # E2 2023 (and again 2024); E6 never.
    assert v.city == approx({2020: None, 2021: 0.2, 2022: 0.6, 2023: 0.8, 2024: 0.8, 2025: 0.8})
    assert v.units["320402"][2021] == pytest.approx(0.5)  # 天宁: E1 of E1, E2
    assert v.units["320402"][2023] == pytest.approx(1.0)
    assert v.units["JKQ"][2022] == pytest.approx(0.5)  # 经开区: E3 of E3, E6
    assert v.units["320412"][2021] == 0.0  # 武进: E4 not reached yet — a real zero
    assert v.units["320412"][2022] == 1.0
    for unit in OTHER_UNITS:  # no enterprises: no data, not zero
        assert set(v.units[unit].values()) == {None}


def test_training_coverage_by_population(loaded):
    # 重点企业 with key staff: E1 10 (flag empty, 100 employees: default rule), E2 10 (flag),
    # E3 4 (flag, though 19 employees) = 24. E4 is flagged not key, E5 is outside the key
    # industries (its flag does not make it one), E6 has no key staff.
    # Trained (records): E1 6 (2021) + 6 (2022, capped at 10), E3 4 (2021), E2 5 (2023).
    v = values(loaded, "training_coverage")
    assert v.city == approx({2020: None, 2021: 10 / 24, 2022: 14 / 24, 2023: 19 / 24,
                             2024: 19 / 24, 2025: 19 / 24})  # fmt: skip
    assert v.samples[2021] == 24.0 and v.unit_samples["JKQ"][2021] == 4.0
    # The 2021 "其他行业 ≥30%" target: 重点企业 of the other key industries — E2 (machinery)
    # only; E4 (construction) is not a 重点企业 and E5 is outside the key industries.
    other = values(loaded, "training_coverage_other_industries")
    assert other.city[2021] == 0.0
    assert other.city[2023] == pytest.approx(0.5)
    # Priority industries (E1 化工, E3 冶金): 14 key staff.
    target = PLAN.target("training_coverage")
    prio = metric_values(loaded, PLAN, target, years=YEARS, population="priority")
    assert prio.city[2021] == pytest.approx(10 / 14)
    assert prio.city[2022] == pytest.approx(1.0)


class _PlanWithRules:
    """The shipped plan with other accident-rate rules (as a plan file's ``rules`` would give)."""

    def __init__(self, plan, **rules):
        self._plan = plan
        self.rules = SimpleNamespace(
            commuting_included=rules.get("commuting_included", False),
            injury_date_basis=rules.get("injury_date_basis", "recognition"),
        )

    def __getattr__(self, name):
        return getattr(self._plan, name)


def test_accident_rate_uses_the_average_insured_in_every_year(loaded):
    v = values(loaded, "accident_rate_reduction")
    # 2020: W1 and W2 (no 认定日期: injury date) count; W3 was recognised in 2021, W4 is
    # commuting, W5 is outside the key industries. Average insured 2020 = mean of the 2019
    # and 2020 year ends: E1 950, E2 2,950, E3 0 (no snapshot in years the store holds).
    assert v.city[2020] == pytest.approx(2 / 3900 * 10_000)
    assert v.samples[2020] == pytest.approx(3900)
    # 2021 天宁: W3, W6–W9 = 5 / (1,100 + 3,100); 经开区: 1 / ((0 + 100) / 2).
    assert v.units["320402"][2021] == pytest.approx(5 / 4200 * 10_000)
    assert v.units["JKQ"][2021] == pytest.approx(200.0)
    assert v.units["JKQ"][2020] is None  # no insured at all: no rate
    assert v.city[2021] == pytest.approx(6 / 4250 * 10_000)  # the units' parts add up
    assert v.city[2022] is None  # no snapshot for 2022
    early = values(loaded, "accident_rate_reduction", years=(2019, 2020))
    assert early.city[2019] is None  # the store holds no 2018 year end


def test_accident_rate_follows_the_plan_rules(loaded):
    target = PLAN.target("accident_rate_reduction")
    by_injury = metric_values(
        loaded, _PlanWithRules(PLAN, injury_date_basis="injury"), target, years=YEARS
    )
    assert by_injury.city[2020] == pytest.approx(3 / 3900 * 10_000)  # W3 back in 2020
    assert by_injury.units["320402"][2021] == pytest.approx(4 / 4200 * 10_000)
    commuting = metric_values(
        loaded, _PlanWithRules(PLAN, commuting_included=True), target, years=YEARS
    )
    assert commuting.city[2020] == pytest.approx(3 / 3900 * 10_000)  # W1, W2 and W4


def test_as_of_counts_only_what_was_known(loaded):
    target = PLAN.target("accident_rate_reduction")
    v = metric_values(loaded, PLAN, target, years=YEARS, as_of=date(2021, 6, 30))
    assert v.city[2020] == pytest.approx(2 / 3900 * 10_000)
    assert v.city[2021] is None  # the 2021 year end is not there yet
    assert v.complete(2020) and not v.complete(2021) and v.as_of == date(2021, 6, 30)
    assert metric_values(loaded, PLAN, target, years=YEARS).complete(2025)
    # By injury date: W3 (injured 2020, recognised 2021-01-10) counts once recognised.
    rules = _PlanWithRules(PLAN, injury_date_basis="injury")
    before = metric_values(loaded, rules, target, years=YEARS, as_of=date(2021, 1, 9))
    after = metric_values(loaded, rules, target, years=YEARS, as_of=date(2021, 1, 10))
    assert before.city[2020] == pytest.approx(2 / 3900 * 10_000)
    assert after.city[2020] == pytest.approx(3 / 3900 * 10_000)
    # Records after the as-of date do not count; years after it are no data.
    pub = metric_values(
        loaded, PLAN, PLAN.target("publicity_coverage"), years=YEARS, as_of=date(2022, 4, 30)
    )
    assert pub.city[2021] == pytest.approx(0.2) and pub.city[2022] == pytest.approx(0.2)
    assert pub.city[2023] is None and not pub.complete(2022)
    assert pub.samples[2022] == 5.0  # key-industry enterprises
    ins = metric_values(
        loaded, PLAN, PLAN.target("insured_persons"), years=YEARS, as_of=date(2022, 12, 30)
    )
    assert ins.city[2021] == 1500.0 and ins.city[2022] is None  # 2022 not over
    assert ins.samples[2021] is None  # a count has no sample


def test_enrollment_rate_of_key_industry_enterprises(loaded):
    v = values(loaded, "accident_rate_reduction", metric="enrollment_rate", direction="at_least")
    # Key-industry snapshots: 2020 E1 1,000/1,050, E2 3,000/3,100; 2021 adds E3 100/110
    # (E5 is outside the key industries).
    assert v.city[2020] == pytest.approx(4000 / 4150)
    assert v.city[2021] == pytest.approx(4500 / 4660)
    assert v.units["JKQ"][2020] is None and v.units["JKQ"][2021] == pytest.approx(100 / 110)
    assert v.city[2022] is None and v.samples[2021] == 4660.0


def test_short_exposure_share(loaded):
    v = values(loaded, "pneumoconiosis_short_exposure_share")
    # 2021: 3.0 and 4.99 of 3.0, 4.99, 5.0, 12 (unknown exposure and 噪声聋 left out).
    assert v.city == approx(
        {2020: None, 2021: 0.5, 2022: 1 / 3, 2023: None, 2024: None, 2025: None}
    )
    assert v.units["JKQ"][2021] == pytest.approx(0.5)


def test_insured_and_flexible_persons(loaded):
    v = values(loaded, "insured_persons")
    assert v.city == {2020: None, 2021: 1500.0, 2022: 1100.0, 2023: None, 2024: None, 2025: None}
    assert v.units["JKQ"] == {
        2020: None,
        2021: 500.0,
        2022: None,
        2023: None,
        2024: None,
        2025: None,
    }
    f = values(loaded, "flexible_employment_insured")
    assert f.city[2021] == 10.0 and f.city[2022] == 20.0
    assert f.units["JKQ"][2021] is None  # reported without the flexible figure


def test_demonstration_units_cumulative_from_plan_start(loaded):
    v = values(loaded, "demonstration_units")
    # E1 2021, E2 2023; E4 (2019) belongs to before the plan; E6 has no year.
    assert v.city == {2020: 0.0, 2021: 1.0, 2022: 1.0, 2023: 2.0, 2024: 2.0, 2025: 2.0}
    assert v.units["320412"][2025] == 0.0
    per_year = values(loaded, "demonstration_units", years=range(2019, 2026), cumulative=False)
    assert per_year.city == {
        2019: 1.0,
        2020: 0.0,
        2021: 1.0,
        2022: 0.0,
        2023: 1.0,
        2024: 0.0,
        2025: 0.0,
    }


def test_training_demo_institutions(loaded):
    v = values(loaded, "training_demo_institutions")
    assert v.city == {2020: 0.0, 2021: 1.0, 2022: 2.0, 2023: 2.0, 2024: 2.0, 2025: 2.0}


def test_training_bases_existing_stock(loaded):
    v = values(loaded, "training_bases")
    # existing: 2021, 2023 and one without a year (counts every year); planned/candidate don't.
    assert v.city == {2020: 1.0, 2021: 2.0, 2022: 2.0, 2023: 3.0, 2024: 3.0, 2025: 3.0}


def test_project_insurance_rate(loaded):
    v = values(loaded, "project_insurance_rate")
    assert v.city == approx(
        {2020: None, 2021: 2 / 3, 2022: 0.0, 2023: None, 2024: None, 2025: None}
    )


def test_checkup_units_distinct_enterprises(loaded):
    v = values(loaded, "checkup_project_units")
    assert v.city == {2020: None, 2021: 2.0, 2022: 1.0, 2023: 0.0, 2024: 0.0, 2025: 0.0}
    cum = values(loaded, "checkup_project_units", cumulative=True)
    assert cum.city[2022] == 3.0


def test_construction_workers_trained_at_the_centre(loaded):
    v = values(loaded, "construction_workers_trained")
    # 30 (E4 建筑, by site code) + 20 (no enterprise, by provider); E2 is machinery, the 100
    # were trained elsewhere, and the centre's publicity is not training.
    assert v.city == {2020: None, 2021: 50.0, 2022: 0.0, 2023: 0.0, 2024: 0.0, 2025: 0.0}
    assert v.units["320412"][2021] == 30.0 and v.units["320402"][2021] == 20.0


def test_expert_pool(loaded):
    v = values(loaded, "expert_pool")
    assert v.city == {2020: 0.0, 2021: 2.0, 2022: 3.0, 2023: 2.0, 2024: 2.0, 2025: 2.0}
    assert v.units == {}  # the pool is city-wide


def test_units_add_up_to_the_scope(loaded):
    for target_id in ("insured_persons", "construction_workers_trained", "demonstration_units"):
        v = values(loaded, target_id)
        for y in YEARS:
            parts = [u[y] for u in v.units.values() if u[y] is not None]
            assert (v.city[y] is None) == (not parts)
            if parts:
                assert sum(parts) == pytest.approx(v.city[y])


def test_scope_restricts_every_read(loaded):
    jkq = values(loaded, "publicity_coverage", Scope.unit("JKQ"))
    assert list(jkq.units) == ["JKQ"]
    assert jkq.city[2022] == pytest.approx(0.5)
    wujin = values(loaded, "publicity_coverage", Scope.district("320412"))
    assert list(wujin.units) == ["320412", "JKQ"]
    assert wujin.city[2021] == 0.0 and wujin.city[2022] == pytest.approx(
        2 / 3
    )  # E3, E4 of E3, E4, E6
    assert values(loaded, "expert_pool", Scope.district("320402")).city[2021] is None


def test_empty_store_is_no_data_never_zero(store):
    for target in PLAN.targets:
        v = metric_values(store, PLAN, target, years=YEARS)
        assert set(v.city.values()) == {None}, target.id
        assert all(set(u.values()) == {None} for u in v.units.values()), target.id


def test_publicity_without_publicity_records_is_no_data(store):
    city.load(store, only=("enterprise",))
    assert set(values(store, "publicity_coverage").city.values()) == {None}
    assert set(values(store, "training_coverage").city.values()) == {None}
    assert set(values(store, "accident_rate_reduction").city.values()) == {None}
    assert values(store, "demonstration_units").city[2021] == 1.0  # enterprises are there


def test_format_value():
    assert format_value(None, "ratio") == "无数据"
    assert format_value(0.0, "ratio") == "0.0%"
    assert format_value(0.8766, "ratio") == "87.7%"
    assert format_value(1_968_000, "人") == "196.8万人"
    assert format_value(4_000, "人") == "4,000人"
    assert format_value(38.26, "人/万人") == "38.3 人/万人"
