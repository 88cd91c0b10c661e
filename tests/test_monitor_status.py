"""Status rules (gsyf_geo.monitor.status) at their boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from gsyf_geo.monitor.status import (
    BEHIND,
    MET,
    MISSED,
    NO_DATA,
    ON_TRACK,
    assess,
    expected_path,
)
from gsyf_geo.plan import Milestone, Plan, Target

PLAN = Plan("p", "测试计划", (2021, 2025), 2020, "")
END = date(2025, 12, 31)


def target(direction="at_least", value=100.0, deadline=END, milestones=(), **kw) -> Target:
    return Target(
        id="t", name="指标", metric="m", unit=kw.pop("unit", "家"), direction=direction,
        target=value, deadline=deadline, milestones=tuple(milestones), **kw,
    )  # fmt: skip


def series(**by_year) -> dict[int, float | None]:
    return {int(k[1:]): v for k, v in by_year.items()}


# --------------------------------------------------------------------------- deadline passed


@pytest.mark.parametrize(
    ("value", "status"), [(100.0, MET), (100.0 - 1e-6, MISSED), (130.0, MET), (None, NO_DATA)]
)
def test_at_least_after_deadline(value, status):
    a = assess(target(), series(y2020=0.0, y2025=value), PLAN, date(2026, 1, 1))
    assert a.status == status and a.final and a.year == 2025


def test_deadline_day_is_still_in_time():
    t = target()
    values = series(y2020=0.0, y2025=99.0)
    on_the_day = assess(t, values, PLAN, END)
    assert not on_the_day.final and on_the_day.status == BEHIND  # 99 < 100 expected in 2025
    assert assess(t, values, PLAN, date(2026, 1, 1)).status == MISSED


@pytest.mark.parametrize(("value", "status"), [(10.0, MET), (10.0 + 1e-6, MISSED), (9.0, MET)])
def test_at_most_after_deadline(value, status):
    a = assess(target("at_most", 10.0), series(y2020=20.0, y2025=value), PLAN, date(2026, 6, 1))
    assert a.status == status


@pytest.mark.parametrize(
    ("value", "status"),
    [(40.0, MET),  # exactly 20 % lower: "降低20%以上" includes 20 % (40/50 is not exact in binary)
     (40.01, MISSED), (30.0, MET), (None, NO_DATA)],
)  # fmt: skip
def test_reduce_by_after_deadline(value, status):
    t = target("reduce_by", 0.2, unit="ratio", baseline_year=2020)
    a = assess(t, series(y2020=50.0, y2025=value), PLAN, date(2026, 11, 29))
    assert a.status == status
    assert a.required == pytest.approx(40.0)


def test_reduce_by_without_baseline_is_no_data():
    t = target("reduce_by", 0.2, unit="ratio", baseline_year=2020)
    a = assess(t, series(y2020=None, y2025=30.0), PLAN, date(2026, 11, 29))
    assert a.status == NO_DATA and "基准年" in a.reason


@pytest.mark.parametrize(
    ("values", "status"),
    [((18, 16, 14, 12, 10, 9), MET),
     ((18, 16, 16, 12, 10, 9), MISSED),  # flat in 2022: not a fall
     ((18, 16, 14, 15, 10, 9), MISSED),
     ((18, 16, None, 12, 10, 9), MET),  # a year without data is skipped
     ((18, 16, 14, 12, 10, None), NO_DATA)],
)  # fmt: skip
def test_decreasing_yearly_after_deadline(values, status):
    t = target("decreasing_yearly", None, unit="ratio")
    data = dict(zip(range(2020, 2026), values, strict=True))
    assert assess(t, data, PLAN, date(2026, 11, 29)).status == status


# --------------------------------------------------------------------------- before the deadline


@pytest.mark.parametrize(("value", "status"), [(60.0, ON_TRACK), (59.9, BEHIND), (100.0, MET)])
def test_linear_path_from_baseline(value, status):
    # 0 in 2020 → 100 in 2025: 60 expected at the end of 2023.
    a = assess(target(), series(y2020=0.0, y2021=20.0, y2023=value), PLAN, date(2024, 3, 1))
    assert a.status == status and a.year == 2023 and not a.final
    if status != MET:
        assert a.expected == pytest.approx(60.0)


@pytest.mark.parametrize(("value", "status"), [(14.0, ON_TRACK), (14.1, BEHIND), (10.0, MET)])
def test_at_most_path(value, status):
    # 20 in 2020 → 10 in 2025: 14 expected in 2023.
    a = assess(target("at_most", 10.0), series(y2020=20.0, y2023=value), PLAN, date(2023, 12, 31))
    assert a.status == status


def test_milestone_year_uses_the_milestone_and_later_years_interpolate():
    t = target("at_least", 198.0, milestones=[Milestone(2021, 155.0, date(2021, 12, 31))])
    base = {2020: 148.0}
    assert assess(t, {**base, 2021: 155.0}, PLAN, date(2022, 1, 15)).status == ON_TRACK
    assert assess(t, {**base, 2021: 154.9}, PLAN, date(2022, 1, 15)).status == BEHIND
    # 2023: halfway from the 2021 milestone (155) to 198 in 2025 = 176.5.
    assert assess(t, {**base, 2023: 176.5}, PLAN, date(2024, 1, 15)).status == ON_TRACK
    behind = assess(t, {**base, 2023: 176.4}, PLAN, date(2024, 1, 15))
    assert behind.status == BEHIND and behind.expected == pytest.approx(176.5)


def test_narrow_scope_milestone_is_not_part_of_the_path():
    narrow = Milestone(2021, 1.0, date(2021, 11, 30), scope="危化品、化工、尘肺病重点行业企业")
    t = target("at_least", 1.0, unit="ratio", milestones=[narrow])
    path = expected_path(t, 2020, 0.2, 2025)
    assert path[2021] == pytest.approx(0.36)  # straight line 0.2 → 1.0, not the milestone


def test_without_baseline_path_starts_at_first_plan_year():
    values = series(y2020=None, y2021=0.2, y2023=0.55)
    a = assess(target("at_least", 1.0, unit="ratio"), values, PLAN, date(2024, 2, 1))
    assert a.expected == pytest.approx(0.6)  # 0.2 (2021) → 1.0 (2025)
    assert a.status == BEHIND


def test_reduce_by_path():
    t = target("reduce_by", 0.2, unit="ratio", baseline_year=2020)
    # 50 → 40 over 2020–2025: 44 expected in 2023.
    assert assess(t, series(y2020=50.0, y2023=44.0), PLAN, date(2024, 1, 1)).status == ON_TRACK
    assert assess(t, series(y2020=50.0, y2023=44.5), PLAN, date(2024, 1, 1)).status == BEHIND
    assert assess(t, series(y2020=50.0, y2023=39.0), PLAN, date(2024, 1, 1)).status == MET


def test_decreasing_yearly_before_deadline_is_never_met():
    t = target("decreasing_yearly", None, unit="ratio")
    assert (
        assess(t, series(y2020=18, y2021=16, y2022=14), PLAN, date(2023, 1, 1)).status == ON_TRACK
    )
    assert assess(t, series(y2020=18, y2021=16, y2022=17), PLAN, date(2023, 1, 1)).status == BEHIND


def test_ongoing_target():
    t = target("at_least", 0.9, deadline=None, ongoing=True, unit="ratio")
    assert assess(t, series(y2023=0.9), PLAN, date(2024, 5, 1)).status == MET
    assert assess(t, series(y2023=0.89), PLAN, date(2024, 5, 1)).status == BEHIND
    # Judged for good at the end of the plan period on the last year.
    assert assess(t, series(y2025=0.89), PLAN, END).status == BEHIND
    final = assess(t, series(y2024=0.95, y2025=0.89), PLAN, date(2026, 1, 1))
    assert final.status == MISSED and final.final


def test_no_data_in_the_plan_period():
    a = assess(target(), series(y2020=5.0), PLAN, date(2023, 6, 1))
    assert a.status == NO_DATA and a.value is None


def test_future_years_are_not_judged_early():
    # A 2025 value present in the store does not count on a date in 2023.
    a = assess(target(), series(y2020=0.0, y2023=60.0, y2025=100.0), PLAN, date(2023, 6, 1))
    assert a.year == 2023 and a.status == ON_TRACK


@pytest.mark.parametrize(
    ("direction", "goal", "values", "progress"),
    [("at_least", 200.0, {2020: 0.0, 2025: 50.0}, 0.25),
     ("at_least", 200.0, {2020: 0.0, 2025: 300.0}, 1.0),
     ("at_most", 10.0, {2020: 20.0, 2025: 20.0}, 0.5),
     ("reduce_by", 0.2, {2020: 50.0, 2025: 45.0}, 0.5),
     ("reduce_by", 0.2, {2020: 50.0, 2025: 60.0}, 0.0),
     ("decreasing_yearly", None, {2020: 5, 2021: 4, 2022: 4, 2023: 3, 2024: 2, 2025: 1}, 0.8)],
)  # fmt: skip
def test_progress(direction, goal, values, progress):
    t = target(
        direction, goal, unit="ratio" if goal is None or goal < 1 else "家", baseline_year=2020
    )
    assert assess(t, values, PLAN, date(2026, 1, 1)).progress == pytest.approx(progress)
