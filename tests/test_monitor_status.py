"""Status rules (gsyf_geo.monitor.status) at their boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gsyf_geo.monitor.status import (
    BEHIND,
    DEFAULT_MIN_SAMPLE,
    INSUFFICIENT,
    MET,
    MISSED,
    NO_DATA,
    ON_TRACK,
    STATUS_COLORS,
    assess,
    expected_path,
    min_sample_of,
    reduction_met,
    tolerance_text,
    verdict_color,
    verdict_color_name,
)
from gsyf_geo.plan import Milestone, Plan, Target

PLAN = Plan("p", "测试计划", (2021, 2025), 2020, "")
END = date(2025, 12, 31)


def target(direction="at_least", value=100.0, deadline=END, milestones=(), **kw) -> Target:
    return Target(
        id="t", name="指标", metric="m", unit=kw.pop("unit", "家"), direction=direction,
        target=value, deadline=deadline, milestones=tuple(milestones), **kw,
    )  # fmt: skip


def with_attrs(t: Target, **attrs) -> Target:
    """``t`` with plan attributes set (fields once gsyf_geo.plan has them)."""
    try:
        return replace(t, **attrs)
    except TypeError:  # the attribute is not a field (yet)
        for name, value in attrs.items():
            object.__setattr__(t, name, value)
        return t


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
    values = series(y2020=0.0, y2024=80.0, y2025=99.0)
    on_the_day = assess(t, values, PLAN, END)
    # 2025 is not over on 31 December: judged on 2024 (80 = the path's 80), 2025 shown as
    # year-to-date only.
    assert not on_the_day.final and on_the_day.status == ON_TRACK and on_the_day.year == 2024
    assert on_the_day.ytd_year == 2025 and on_the_day.ytd_value == 99.0
    assert on_the_day.ytd_label == "截至12月31日"
    after = assess(t, values, PLAN, date(2026, 1, 1))
    assert after.status == MISSED and after.final and after.ytd_value is None


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
    a = assess(target("at_most", 10.0), series(y2020=20.0, y2023=value), PLAN, date(2024, 1, 1))
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


def test_ongoing_target_before_the_end_of_the_plan():
    t = target("at_least", 0.9, deadline=None, ongoing=True, unit="ratio")
    so_far = series(y2021=0.9, y2022=0.95, y2023=0.9)
    assert assess(t, so_far, PLAN, date(2024, 5, 1)).status == MET  # every complete year so far
    behind = assess(t, {**so_far, 2022: 0.89}, PLAN, date(2024, 5, 1))
    assert behind.status == BEHIND and behind.missed_years == (2022,) and "2022年未达到" in behind.reason
    # A year without data is named; the others met: still running, not 达标.
    gap = assess(t, series(y2022=0.95, y2023=0.9), PLAN, date(2024, 5, 1))
    assert gap.status == ON_TRACK and gap.unjudged_years == (2021,) and "2021年无数据" in gap.reason


def test_ongoing_target_missed_in_one_year_is_missed_at_the_end():
    t = target("at_least", 0.9, deadline=None, ongoing=True, unit="ratio")
    values = series(y2020=0.5, y2021=0.885, y2022=0.894, y2023=0.91, y2024=0.93, y2025=0.96)
    final = assess(t, values, PLAN, date(2026, 11, 30))
    assert final.status == MISSED and final.final
    assert final.missed_years == (2021, 2022) and "2021、2022年未达到" in final.reason
    assert final.year == 2025 and final.progress == pytest.approx(3 / 5)
    assert "每个完整年度" in final.rule
    # Met in 2023–2025 but missed only 2021: still 未达标, naming 2021.
    once = assess(t, {**values, 2022: 0.9}, PLAN, date(2026, 1, 1))
    assert once.status == MISSED and once.missed_years == (2021,) and "2021年未达到" in once.reason
    # Exactly at the target every year: met (the baseline year 2020 is not judged).
    exact = assess(t, {y: 0.9 for y in range(2021, 2026)} | {2020: 0.1}, PLAN, date(2026, 1, 1))
    assert exact.status == MET and exact.missed_years == ()
    # The period is not over on 31 December 2025: 2025 is year-to-date, not judged.
    running = assess(t, {**values, 2021: 0.9, 2022: 0.9, 2025: 0.5}, PLAN, END)
    assert running.status == MET and not running.final and running.year == 2024
    assert running.ytd_value == 0.5


def test_ongoing_target_without_data_in_a_year_is_not_met_at_the_end():
    t = target("at_least", 10_000.0, deadline=None, ongoing=True, unit="人")
    values = series(y2021=None, y2022=12_000.0, y2023=12_000.0, y2024=12_000.0, y2025=12_000.0)
    a = assess(t, values, PLAN, date(2026, 3, 1))
    assert a.status == NO_DATA and a.final and "2021年无数据" in a.reason


def test_as_of_in_a_year_judges_the_last_complete_year():
    # as of 2024-03-31: 2024 is not over; judged on 2023, 2024 shown as 截至3月31日.
    t = target()
    values = series(y2020=0.0, y2022=40.0, y2023=59.0, y2024=95.0)
    a = assess(t, values, PLAN, date(2024, 3, 31))
    assert a.year == 2023 and a.value == 59.0 and a.status == BEHIND  # 60 expected in 2023
    assert (a.ytd_year, a.ytd_value, a.ytd_label) == (2024, 95.0, "截至3月31日")
    # The part-year 95 never makes the target 达标 early.
    assert assess(t, series(y2020=0.0, y2024=100.0), PLAN, date(2024, 3, 31)).status != MET
    # The first day of 2024 is the first day 2023 is complete.
    assert assess(t, values, PLAN, date(2023, 12, 31)).year == 2022
    assert assess(t, values, PLAN, date(2024, 1, 1)).year == 2023


def test_deadline_within_a_year_is_final_once_the_year_is_over():
    t = target("at_least", 30.0, deadline=date(2021, 11, 30))
    values = series(y2020=0.0, y2021=32.0)
    during = assess(t, values, PLAN, date(2021, 12, 15))
    assert not during.final and during.ytd_value == 32.0 and during.status != MET
    after = assess(t, values, PLAN, date(2022, 1, 1))
    assert after.final and after.status == MET and after.year == 2021


@pytest.mark.parametrize(
    ("value", "status"), [(9.0, MET), (9.0 - 1e-6, MISSED), (10.0, MET), (8.0, MISSED)]
)
def test_tolerance_edge(value, status):
    # “10家左右” carried as tolerance 0.1: ≥ 9 is met.
    t = with_attrs(target("at_least", 10.0), tolerance=0.1, wording="10家左右")
    a = assess(t, series(y2020=0.0, y2025=value), PLAN, date(2026, 1, 1))
    assert a.status == status and a.required == pytest.approx(9.0)
    assert tolerance_text(t) == "10家左右：≥ 9家即达标（容差10%）"
    assert "10家左右" in a.rule


def test_without_tolerance_the_target_is_exact():
    assert assess(target(), series(y2020=0.0, y2025=99.99), PLAN, date(2026, 1, 1)).status == MISSED
    assert tolerance_text(target()) == ""


@pytest.mark.parametrize(
    ("values", "status"),
    [((0.2, 0.1, 0.0, 0.0, 0.0, 0.0), MET),  # 0 → 0 is not a rise
     ((0.0, 0.0, 0.0, 0.0, 0.0, 0.0), MET),
     ((0.2, 0.1, 0.0, 0.0, 0.1, 0.0), MISSED),
     ((0.2, 0.1, 0.1, 0.05, 0.04, 0.03), MISSED)],  # flat above 0 is not a fall
)  # fmt: skip
def test_decreasing_yearly_zero_to_zero(values, status):
    t = target("decreasing_yearly", None, unit="ratio")
    data = dict(zip(range(2020, 2026), values, strict=True))
    assert assess(t, data, PLAN, date(2026, 11, 29)).status == status


@pytest.mark.parametrize(("n", "status"), [(19, INSUFFICIENT), (20, MISSED), (None, MISSED)])
def test_small_sample_share_is_not_judged(n, status):
    t = target("at_least", 0.9, unit="ratio")
    samples = {2025: n, 2024: 100}
    a = assess(t, series(y2020=0.5, y2024=0.95, y2025=0.5), PLAN, date(2026, 1, 1), samples)
    assert a.status == status
    if status == INSUFFICIENT:
        assert a.met is None and "样本不足" in a.reason


def test_plan_min_sample_is_used():
    t = target("at_least", 0.9, unit="ratio")
    rules = type("Rules", (), {"min_sample": 5})()
    plan = Plan("p", "测试计划", (2021, 2025), 2020, "")
    object.__setattr__(plan, "rules", rules)
    values = series(y2020=0.5, y2025=0.5)
    assert assess(t, values, plan, date(2026, 1, 1), {2025: 5}).status == MISSED
    assert assess(t, values, plan, date(2026, 1, 1), {2025: 4}).status == INSUFFICIENT
    assert min_sample_of(PLAN) == DEFAULT_MIN_SAMPLE == 20


def test_small_samples_are_skipped_in_decreasing_yearly():
    t = target("decreasing_yearly", None, unit="ratio")
    values = dict(zip(range(2020, 2026), (0.3, 0.25, 0.5, 0.2, 0.15, 0.1), strict=True))
    samples = dict.fromkeys(range(2020, 2026), 40) | {2022: 3}  # the 2022 rise is 3 cases
    assert assess(t, values, PLAN, date(2026, 1, 1), samples).status == MET
    assert assess(t, values, PLAN, date(2026, 1, 1)).status == MISSED
    samples[2025] = 3
    assert assess(t, values, PLAN, date(2026, 1, 1), samples).status == INSUFFICIENT


def test_changes_are_coloured_by_the_target_not_the_direction():
    t = target("reduce_by", 0.2, unit="ratio", baseline_year=2020)
    # −18.1 %: a fall (↓), but short of −20 %: red.
    a = assess(t, series(y2020=48.0, y2025=39.3), PLAN, date(2026, 11, 30))
    assert a.status == MISSED and a.met is False
    assert verdict_color(a.met) == STATUS_COLORS[MISSED] and verdict_color_name(a.met) == "red"
    assert reduction_met(39.3 / 48.0 - 1, 0.2) is False
    assert reduction_met(-0.2, 0.2) is True and reduction_met(-0.25, 0.2) is True
    assert reduction_met(None, 0.2) is None
    assert verdict_color(True) == STATUS_COLORS[MET] and verdict_color_name(None) == "gray"


def test_no_data_in_the_plan_period():
    a = assess(target(), series(y2020=5.0), PLAN, date(2023, 6, 1))
    assert a.status == NO_DATA and a.value is None


def test_future_years_are_not_judged_early():
    # A 2025 value present in the store does not count on a date in 2023; 2023 itself is
    # not over and is shown as year-to-date.
    values = series(y2020=0.0, y2022=40.0, y2023=60.0, y2025=100.0)
    a = assess(target(), values, PLAN, date(2023, 6, 1))
    assert a.year == 2022 and a.status == ON_TRACK and a.ytd_value == 60.0


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
