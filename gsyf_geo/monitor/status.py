"""Status of a plan target: 达标 / 进行中 / 落后 / 未达标 (and 无数据).

The rules, for a target with yearly values (``None`` = no data), judged on a date ``as_of``:

1. **Deadline.** A target's deadline is its ``deadline``; an ongoing (长期坚持) target has
   none during the plan and is judged for good at the end of the plan period (31 December
   of the plan's last year). The deadline has *passed* when ``as_of`` is after it (the
   deadline day itself is still in time). Values are yearly: a deadline in year D is judged
   on the value of year D.
2. **Requirement** (what "met" means), by ``direction``:

   - ``at_least``: value ≥ target;
   - ``at_most``: value ≤ target;
   - ``reduce_by``: value ≤ baseline value × (1 − target), i.e. a fall of at least
     ``target`` against the baseline year ("降低20%以上" includes exactly 20 %);
   - ``decreasing_yearly``: every year's value is below the previous year's, from the
     baseline year on (an equal value is not a fall; years without data are skipped).

   Comparisons allow for floating-point rounding (relative 1e-9), so 40/50 counts as a
   20 % fall.
3. **After the deadline**: the value of the deadline year meets the requirement → **达标**,
   else **未达标**; no value for that year → **无数据**.
4. **Before the deadline**, judged on the latest year (from the plan's first year up to the
   year of ``as_of``) that has a value; none → **无数据**:

   - the requirement is already met → **达标** (``decreasing_yearly`` is never 达标 before its
     deadline: it can only be met once all years are in);
   - otherwise the value is compared with the *expected* value for that year: the plan's
     milestone for that year if it has one, else a straight line through the baseline
     value, the milestones and the final target (piecewise linear; without milestones, the
     linear path from the baseline to the target at the deadline year). At or better than
     expected → **进行中**, worse → **落后**. Milestones whose ``scope`` is narrower than the
     target's are checked on their own population and are not part of the path. Without a
     baseline value the path starts at the first plan year that has a value; without any
     point before that year there is no path, and the status stays **进行中**.
   - ``decreasing_yearly``: every year so far fell → **进行中**, else **落后**.
   - an ongoing target not met → **落后** (it must hold at all times).

Progress (0..1, for the progress bar): ``at_least`` value ÷ target; ``at_most`` target ÷
value; ``reduce_by`` achieved fall ÷ required fall; ``decreasing_yearly`` years that fell ÷
years compared. Clipped to 0..1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from gsyf_geo.plan import Plan, Target

__all__ = [
    "BEHIND",
    "MET",
    "MISSED",
    "NO_DATA",
    "NOT_SPLIT",
    "ON_TRACK",
    "STATUSES",
    "STATUS_COLORS",
    "STATUS_RULES",
    "Assessment",
    "assess",
    "baseline_year_of",
    "deadline_of",
    "expected_path",
    "is_met",
    "required_value",
]

MET = "达标"
ON_TRACK = "进行中"
BEHIND = "落后"
MISSED = "未达标"
NO_DATA = "无数据"
NOT_SPLIT = "不分解"
"""Shown for a unit when the target is a city total (units only contribute to it)."""

STATUSES: tuple[str, ...] = (MET, ON_TRACK, BEHIND, MISSED, NO_DATA)

STATUS_COLORS: dict[str, str] = {
    MET: "#1a9850",
    ON_TRACK: "#4575b4",
    BEHIND: "#f46d43",
    MISSED: "#d73027",
    NO_DATA: "#969696",
    NOT_SPLIT: "#bdbdbd",
}
"""Colour per status (green, blue, orange, red, grey)."""

STATUS_RULES = """\
- **截止日期**：按指标的完成期限；“长期坚持”的指标在计划期内随时要求达到，计划期末（最后一年12月31日）作最终评价。截止当日仍在期限内；数值按年度统计，期限所在年份的数值即期限值。
- **达到要求**：不低于目标（≥）；不高于目标（≤）；较基准年降低至少目标比例（“降低20%以上”含恰好20%）；逐年降低（每年均低于上一年，持平不算降低）。
- **期限已过**：期限年份的数值达到要求为 **达标**，否则为 **未达标**；该年无数值为 **无数据**。
- **期限未到**：取计划期内截至当年最近一个有数值的年份。已达到要求为 **达标**（“逐年降低”须到期限才能判定达标）；否则与当年应达值比较：有当年里程碑的用里程碑，没有的按基准值（缺基准值时用计划期内第一个有数值的年份）、各里程碑和最终目标之间的直线插值。不差于应达值为 **进行中**，差于应达值为 **落后**；口径窄于指标的里程碑单独核对，不参与插值。“长期坚持”的指标未达到即为 **落后**。
- 无法计算（缺少所需数据）时显示 **无数据**，不按零处理。"""
"""The rules above in Chinese, for the page."""

_REL_TOL = 1e-9


def _ge(a: float, b: float) -> bool:
    return a >= b or math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=1e-12)


def _le(a: float, b: float) -> bool:
    return a <= b or math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=1e-12)


@dataclass(frozen=True)
class Assessment:
    """The status of one target (city-wide or in one unit) on a date.

    Attributes
    ----------
    status
        One of :data:`STATUSES`.
    year
        The year whose value was judged (``None`` when there is none).
    value
        That year's value.
    required
        The final requirement in the metric's unit (the target; for ``reduce_by`` the
        baseline value × (1 − target)); ``None`` for ``decreasing_yearly`` or without a
        baseline.
    expected
        The value the path requires in ``year`` (before the deadline), else ``None``.
    progress
        0..1 for the progress bar, ``None`` without data.
    final
        The deadline has passed (the status will not change any more).
    reason
        One Chinese sentence explaining the status.
    """

    status: str
    year: int | None
    value: float | None
    required: float | None
    expected: float | None
    progress: float | None
    final: bool
    reason: str


def baseline_year_of(plan: Plan, target: Target) -> int:
    """The target's baseline year: its own, the plan's, else the year before the plan."""
    return target.baseline_year or plan.baseline_year or plan.period[0] - 1


def deadline_of(plan: Plan, target: Target) -> date:
    """The date a target is finally judged on (plan end for ongoing targets)."""
    return target.deadline or date(plan.period[1], 12, 31)


def required_value(target: Target, baseline_value: float | None) -> float | None:
    """The final requirement in the metric's unit (see :class:`Assessment`)."""
    if target.direction in ("at_least", "at_most"):
        return target.target
    if target.direction == "reduce_by":
        if baseline_value is None or target.target is None:
            return None
        return baseline_value * (1.0 - target.target)
    return None


def is_met(target: Target, value: float | None, baseline_value: float | None) -> bool | None:
    """Whether one value meets an ``at_least``/``at_most``/``reduce_by`` requirement.

    ``None`` when it cannot be judged (no value, no baseline, or ``decreasing_yearly``).
    """
    if value is None:
        return None
    required = required_value(target, baseline_value)
    if required is None:
        return None
    if target.direction == "at_least":
        return _ge(value, required)
    if target.direction == "reduce_by" and baseline_value is not None and baseline_value <= 0:
        return None
    return _le(value, required)


def _falls(values: Mapping[int, float | None], first: int, last: int) -> tuple[int, int]:
    """(years that fell, years compared) over the available values in first..last."""
    seq = [values[y] for y in sorted(values) if first <= y <= last and values[y] is not None]
    pairs = list(zip(seq, seq[1:], strict=False))
    fell = sum(1 for a, b in pairs if b < a and not math.isclose(a, b, rel_tol=_REL_TOL))
    return fell, len(pairs)


def expected_path(
    target: Target,
    baseline_year: int,
    baseline_value: float | None,
    deadline_year: int,
    start: tuple[int, float] | None = None,
) -> dict[int, float]:
    """The piecewise-linear expected value per year, baseline to deadline.

    Points: the baseline value (or ``start``, the first plan year with a value, when the
    baseline value is missing), the milestones of the target's own scope (for ``reduce_by``
    a milestone value is a fall, converted with the baseline value) and the final
    requirement at the deadline year. Years outside the known points are left out. Empty
    for ``decreasing_yearly`` and ongoing targets.
    """
    if target.direction == "decreasing_yearly" or target.ongoing:
        return {}
    points: dict[int, float] = {}
    if baseline_value is not None:
        points[baseline_year] = baseline_value
    elif start is not None:
        points[start[0]] = start[1]
    for m in target.milestones:
        if m.scope:
            continue
        if target.direction == "reduce_by":
            if baseline_value is None:
                continue
            points[m.year] = baseline_value * (1.0 - m.value)
        else:
            points[m.year] = m.value
    final = required_value(target, baseline_value)
    if final is not None:
        points[deadline_year] = final
    if not points:
        return {}
    known = sorted(points)
    path: dict[int, float] = {}
    for year in range(known[0], known[-1] + 1):
        if year in points:
            path[year] = points[year]
            continue
        lo = max(y for y in known if y < year)
        hi = min(y for y in known if y > year)
        share = (year - lo) / (hi - lo)
        path[year] = points[lo] + (points[hi] - points[lo]) * share
    return path


def _progress(
    target: Target, value: float | None, baseline_value: float | None, falls: tuple[int, int]
) -> float | None:
    if target.direction == "decreasing_yearly":
        fell, compared = falls
        return fell / compared if compared else None
    if value is None:
        return None
    p: float | None = None
    if target.direction == "at_least" and target.target:
        p = value / target.target
    elif target.direction == "at_most":
        p = 1.0 if value <= (target.target or 0) else (target.target or 0) / value
    elif target.direction == "reduce_by" and baseline_value and target.target:
        p = (1.0 - value / baseline_value) / target.target
    if p is None:
        return None
    return min(max(p, 0.0), 1.0)


def assess(
    target: Target, values: Mapping[int, float | None], plan: Plan, as_of: date
) -> Assessment:
    """Judge a target on ``as_of`` from its yearly values (the module docstring's rules).

    Parameters
    ----------
    target
        The target.
    values
        ``{year: value or None}``, including the baseline year when there is one.
    plan
        The plan (period and baseline year).
    as_of
        The day of the judgement.

    Returns
    -------
    Assessment
    """
    base_year = baseline_year_of(plan, target)
    base = values.get(base_year)
    deadline = deadline_of(plan, target)
    final = as_of > deadline
    required = required_value(target, base)
    first = plan.period[0]

    def result(status: str, year: int | None, value: float | None, reason: str,
               expected: float | None = None, falls: tuple[int, int] = (0, 0)) -> Assessment:  # fmt: skip
        return Assessment(
            status=status,
            year=year,
            value=value,
            required=required,
            expected=expected,
            progress=_progress(target, value, base, falls),
            final=final,
            reason=reason,
        )

    if target.direction == "reduce_by" and (base is None or base <= 0):
        latest = _latest(values, first, min(as_of.year, deadline.year))
        return result(NO_DATA, latest, values.get(latest) if latest else None,
                      f"基准年 {base_year} 年无数据，无法计算降幅")  # fmt: skip

    if final:
        year = deadline.year
        value = values.get(year)
        if target.direction == "decreasing_yearly":
            falls = _falls(values, base_year, year)
            if value is None or falls[1] == 0:
                return result(NO_DATA, year, value, f"{year} 年或此前年份无数据", falls=falls)
            ok = falls[0] == falls[1]
            text = "逐年下降" if ok else f"{falls[1]} 个年度中只有 {falls[0]} 个下降"
            return result(MET if ok else MISSED, year, value, f"期限已过：{text}", falls=falls)
        if value is None:
            return result(NO_DATA, year, None, f"期限已过，{year} 年无数据")
        ok = bool(is_met(target, value, base))
        return result(MET if ok else MISSED, year, value,
                      f"期限已过：{year} 年{'达到' if ok else '未达到'}要求")  # fmt: skip

    latest = _latest(values, first, min(as_of.year, deadline.year))
    if latest is None:
        return result(NO_DATA, None, None, f"{first} 年以来无数据")
    value = values[latest]
    if target.direction == "decreasing_yearly":
        falls = _falls(values, base_year, latest)
        if falls[1] == 0:
            return result(ON_TRACK, latest, value, "数据不足两年，尚无法比较", falls=falls)
        ok = falls[0] == falls[1]
        text = "至今逐年下降" if ok else f"{falls[1]} 个年度中只有 {falls[0]} 个下降"
        return result(ON_TRACK if ok else BEHIND, latest, value, text, falls=falls)
    if is_met(target, value, base):
        return result(MET, latest, value, f"{latest} 年已达到要求")
    if target.ongoing:
        return result(BEHIND, latest, value, f"长期坚持的指标 {latest} 年未达到要求")
    expected = expected_path(
        target, base_year, base, deadline.year, start=_first(values, first)
    ).get(latest)
    if expected is None:
        return result(ON_TRACK, latest, value, "无基准值，无法判断进度")
    better = _le(value, expected) if target.direction != "at_least" else _ge(value, expected)
    if better:
        return result(ON_TRACK, latest, value, f"{latest} 年不差于应达进度", expected)
    return result(BEHIND, latest, value, f"{latest} 年差于应达进度", expected)


def _latest(values: Mapping[int, float | None], first: int, last: int) -> int | None:
    years = [y for y, v in values.items() if first <= y <= last and v is not None]
    return max(years) if years else None


def _first(values: Mapping[int, float | None], first: int) -> tuple[int, float] | None:
    years = sorted(y for y, v in values.items() if y >= first and v is not None)
    return (years[0], float(values[years[0]])) if years else None  # type: ignore[arg-type]
