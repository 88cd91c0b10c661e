"""Status of a plan target: 达标 / 进行中 / 落后 / 未达标 / 样本不足 (and 无数据).

The rules, for a target with yearly values (``None`` = no data), judged on a date ``as_of``.
They are written out in Chinese in :data:`STATUS_RULES` (shown on the page) and, with a
worked example, in ``docs/verdicts.md``.

1. **Complete years only.** Values are yearly (calendar years). A year Y is *complete* on
   ``as_of`` when ``as_of`` is after 31 December of Y, so the last complete year is
   ``as_of.year − 1``. A year that is not over is never judged on its part-year value: its
   value is shown as year-to-date (“截至 M月D日”, :attr:`Assessment.ytd_value`) and the
   verdict rests on the complete years. The values themselves are computed only from
   records dated on or before ``as_of`` (:func:`gsyf_geo.monitor.values.metric_values`).
   The baseline year counts only when it is complete.
2. **Deadline.** A target's deadline is its ``deadline``; an ongoing (长期坚持) target is
   judged for good at the end of the plan period (31 December of its last year). The
   verdict is *final* when ``as_of`` is after the deadline **and** the deadline's year is
   complete (a deadline of 2021-11-30 is judged on the 2021 value, final from 2022-01-01).
3. **Requirement** (what "met" means), by ``direction``, with the target's relative
   ``tolerance`` *t* (default 0; the plan's wording, e.g. “10家左右”, carries it):

   - ``at_least``: value ≥ target × (1 − t) (“10家左右”, t = 0.1: ≥ 9);
   - ``at_most``: value ≤ target × (1 + t);
   - ``reduce_by``: value ≤ baseline value × (1 − target), i.e. a fall of at least
     ``target`` against the baseline year (“降低20%以上” includes exactly 20 %);
   - ``decreasing_yearly``: every year's value is below the previous year's, from the
     baseline year on. An equal value is not a fall, except 0 → 0 (nothing to fall from:
     not rising, counted as met). Years without data are skipped.

   Comparisons allow for floating-point rounding (relative 1e-9), so 40/50 counts as a
   20 % fall.
4. **Sample size.** A share or rate whose denominator in a year (``MetricValues.samples``:
   enterprises, key staff, cases, projects, insured) is below ``plan.rules.min_sample``
   (default :data:`DEFAULT_MIN_SAMPLE` = 20) is **样本不足** in that year and is not judged:
   the judged year with too small a sample gives 样本不足; for ``decreasing_yearly``
   such years are skipped like years without data. Counts have no sample.
5. **Ongoing targets** (长期坚持, or ``every_year``) must hold in **every complete year of
   the plan period**. Each complete year is judged on its own value. Any year missed →
   **未达标** once the period is over (the reason names the years, e.g. “2021、2022年未
   达到”), **落后** before. Every complete year met → **达标**. Years without data (or with
   too small a sample) are named; when no year was missed but some could not be judged
   the verdict is **无数据** (or **样本不足**) at the end of the period, **进行中** before it.
6. **Final verdict** (other targets): the value of the deadline year meets the requirement →
   **达标**, else **未达标**; no value → **无数据**.
7. **Before the deadline** (other targets), judged on the latest complete year from the
   plan's first year up to the deadline year that has a value; none → **无数据** (or
   **进行中** when only the running year has a value: nothing complete to judge yet):

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
   - ``decreasing_yearly``: every year so far fell (or stayed at 0) → **进行中**, else **落后**.

Progress (0..1, for the progress bar): ``at_least`` value ÷ target; ``at_most`` target ÷
value; ``reduce_by`` achieved fall ÷ required fall; ``decreasing_yearly`` years that fell ÷
years compared; ongoing targets complete years met ÷ complete years judged. Clipped to 0..1.

Colours: a status has its colour (:data:`STATUS_COLORS`); a *change* or an arrow shown
beside a target (e.g. “↓ −18.1% 较2020”) is coloured by whether the value meets the target,
never by its direction alone (:func:`verdict_color`, :func:`verdict_color_name`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from gsyf_geo.plan import Plan, Target

__all__ = [
    "BEHIND",
    "DEFAULT_MIN_SAMPLE",
    "INSUFFICIENT",
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
    "is_complete",
    "is_met",
    "judged_every_year",
    "last_complete_year",
    "min_sample_of",
    "number_text",
    "reduction_met",
    "required_value",
    "target_for_metric",
    "tolerance_of",
    "tolerance_text",
    "verdict_color",
    "verdict_color_name",
    "wording_of",
    "years_text",
    "ytd_label",
]

MET = "达标"
ON_TRACK = "进行中"
BEHIND = "落后"
MISSED = "未达标"
INSUFFICIENT = "样本不足"
NO_DATA = "无数据"
NOT_SPLIT = "不分解"
"""Shown for a unit when the target is a city total (units only contribute to it)."""

STATUSES: tuple[str, ...] = (MET, ON_TRACK, BEHIND, MISSED, INSUFFICIENT, NO_DATA)

STATUS_COLORS: dict[str, str] = {
    MET: "#1a9850",
    ON_TRACK: "#4575b4",
    BEHIND: "#f46d43",
    MISSED: "#d73027",
    INSUFFICIENT: "#8073ac",
    NO_DATA: "#969696",
    NOT_SPLIT: "#bdbdbd",
}
"""Colour per status (green, blue, orange, red, purple, grey, light grey)."""

DEFAULT_MIN_SAMPLE = 20
"""Smallest denominator (a count of enterprises, key staff, cases, projects) of a share that
is judged, unless the plan's ``rules.min_sample`` says otherwise."""

STATUS_RULES = """\
- **只评价完整年度**：数值按自然年度统计。评估日期在某年12月31日（含）之前，该年尚未结束，不按其不完整的数值评价：该年数值显示为“截至M月D日”的年内累计，评价以最近一个完整年度为准；所有数值只计评估日期（含）以前的记录。基准年同样须为完整年度。
- **截止日期**：按指标的完成期限；“长期坚持”的指标在计划期末（最后一年12月31日）作最终评价。评估日期晚于期限、且期限所在年度已结束时为最终评价（如期限2021-11-30的指标按2021年数值评价，2022年1月1日起为最终评价）。
- **达到要求**：不低于目标（≥）；不高于目标（≤）；较基准年降低至少目标比例（“降低20%以上”含恰好20%）；逐年降低（每年均低于上一年，持平不算降低，但0→0视为未上升、算达到）。计划原文带“左右”等措辞的，按计划数据中的容差评价（如“10家左右”容差10%：≥9家即达标），页面同时显示原文与容差。
- **样本不足**：比率类指标某年的分母（企业数、重要岗位人数、病例数、项目数）少于计划规定的最小样本（默认20）时，该年为 **样本不足**，不作评价；“逐年降低”比较时跳过样本不足的年份。
- **长期坚持**：计划期内每个完整年度都须达到要求，逐年评价。任一年未达到：计划期结束后为 **未达标**，期内为 **落后**，并列出未达到的年份（如“2021、2022年未达到”）；每个完整年度均达到为 **达标**；有年份无数据（或样本不足）而其余年份均达到时，期末为 **无数据**（或 **样本不足**），期内为 **进行中**。
- **期限已过**（最终评价）：期限年份的数值达到要求为 **达标**，否则为 **未达标**；该年无数值为 **无数据**。
- **期限未到**：取计划期内截至期限年份、最近一个有数值的完整年度。已达到要求为 **达标**（“逐年降低”须到期限才能判定达标）；否则与当年应达值比较：有当年里程碑的用里程碑，没有的按基准值（缺基准值时用计划期内第一个有数值的年份）、各里程碑和最终目标之间的直线插值。不差于应达值为 **进行中**，差于应达值为 **落后**；口径窄于指标的里程碑单独核对，不参与插值；年度未结束的里程碑不作评价。计划期内尚无完整年度、只有当年累计数时为 **进行中**（暂不评价）。
- **区县（统计单元）范围**：比率类指标对各区县按同一要求评价；全市总量指标（参保人数、示范单位、基地、专家等）只显示该区县的数值及占全市的比例（如“155,371人，占全市 7.9%”），标 **不分解**，不对照全市目标和全市里程碑；计划数据为该区县分解了目标的，按分解目标评价。
- **颜色**：变化幅度和箭头按是否达到目标着色（达到为绿色、未达到为红色），不按升降方向着色。
- 无法计算（缺少所需数据）时显示 **无数据**，不按零处理。"""
"""The rules above in Chinese, for the page."""

_REL_TOL = 1e-9
_ABS_TOL = 1e-12


def _ge(a: float, b: float) -> bool:
    return a >= b or math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=_ABS_TOL)


def _le(a: float, b: float) -> bool:
    return a <= b or math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=_ABS_TOL)


def _zero(a: float) -> bool:
    return math.isclose(a, 0.0, abs_tol=_ABS_TOL)


@dataclass(frozen=True)
class Assessment:
    """The status of one target (city-wide or in one unit) on a date.

    Attributes
    ----------
    status
        One of :data:`STATUSES` (or :data:`NOT_SPLIT` for a city total in a unit).
    year
        The (complete) year whose value was judged (``None`` when there is none).
    value
        That year's value.
    required
        The final requirement in the metric's unit as applied (the target with its
        tolerance; for ``reduce_by`` the baseline value × (1 − target)); ``None`` for
        ``decreasing_yearly`` or without a baseline.
    expected
        The value the path requires in ``year`` (before the deadline), else ``None``.
    progress
        0..1 for the progress bar, ``None`` without data.
    final
        The verdict will not change any more (deadline passed, its year complete).
    reason
        One Chinese sentence explaining the status.
    rule
        The rule applied, in short Chinese (shown beside the verdict).
    missed_years
        Complete years whose value missed the requirement (ongoing targets).
    unjudged_years
        Complete years without data or with too small a sample (ongoing targets).
    ytd_year, ytd_value
        The running (incomplete) year and its year-to-date value, when it is in the
        plan period and has a value; never judged.
    ytd_label
        ``"截至M月D日"`` of ``as_of`` (empty without a year-to-date value).
    sample
        The judged year's sample (denominator count), when the metric has one.
    met
        Whether the judged value meets the requirement (``None`` when it cannot be
        said): what changes and arrows beside the target are coloured by.
    """

    status: str
    year: int | None
    value: float | None
    required: float | None
    expected: float | None
    progress: float | None
    final: bool
    reason: str
    rule: str = ""
    missed_years: tuple[int, ...] = ()
    unjudged_years: tuple[int, ...] = ()
    ytd_year: int | None = None
    ytd_value: float | None = None
    ytd_label: str = ""
    sample: float | None = None
    met: bool | None = None


# --------------------------------------------------------------------------- plan facts


def baseline_year_of(plan: Plan, target: Target) -> int:
    """The target's baseline year: its own, the plan's, else the year before the plan."""
    return target.baseline_year or plan.baseline_year or plan.period[0] - 1


def deadline_of(plan: Plan, target: Target) -> date:
    """The date a target is finally judged on (plan end for ongoing targets)."""
    return target.deadline or date(plan.period[1], 12, 31)


def judged_every_year(target: Target) -> bool:
    """Whether the target must hold in every complete year (长期坚持, or ``every_year``)."""
    return bool(target.ongoing or getattr(target, "every_year", False))


def tolerance_of(target: Target) -> float:
    """The target's relative tolerance (``Target.tolerance``, default 0)."""
    return float(getattr(target, "tolerance", 0.0) or 0.0)


def wording_of(target: Target) -> str | None:
    """The plan's own words for the target (``Target.wording``), e.g. ``"10家左右"``."""
    return getattr(target, "wording", None) or None


def min_sample_of(plan: Plan) -> int:
    """The plan's minimum sample of a judged share (``plan.rules.min_sample``, default 20)."""
    value = getattr(getattr(plan, "rules", None), "min_sample", None)
    return DEFAULT_MIN_SAMPLE if value is None else int(value)


def target_for_metric(plan: Plan | None, metric: str) -> Target | None:
    """The plan's (first) target on ``metric``, or ``None`` (also without a plan)."""
    if plan is None:
        return None
    finder = getattr(plan, "target_for_metric", None)
    if callable(finder):
        return finder(metric)
    return next((t for t in plan.targets if t.metric == metric), None)


def last_complete_year(as_of: date) -> int:
    """The last calendar year that is over on ``as_of`` (``as_of.year − 1``)."""
    return as_of.year - 1


def is_complete(year: int, as_of: date) -> bool:
    """Whether ``year`` is over on ``as_of`` (``as_of`` after 31 December of ``year``)."""
    return as_of > date(year, 12, 31)


def ytd_label(as_of: date) -> str:
    """``"截至3月31日"``: how a year-to-date value is labelled."""
    return f"截至{as_of.month}月{as_of.day}日"


def number_text(value: float) -> str:
    """A count or threshold without rounding it away: ``"9"``, ``"13.5"``, ``"1,980,000"``."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def years_text(years: Sequence[int]) -> str:
    """``"2021、2022年"``."""
    return "、".join(str(y) for y in years) + "年" if years else ""


# --------------------------------------------------------------------------- colours


def verdict_color(met: bool | None) -> str:
    """Colour of a change or arrow shown beside a target: green when the value meets the
    target, red when it does not, grey when it cannot be said -- never by direction."""
    if met is None:
        return STATUS_COLORS[NO_DATA]
    return STATUS_COLORS[MET] if met else STATUS_COLORS[MISSED]


def verdict_color_name(met: bool | None) -> str:
    """The same as :func:`verdict_color` as a Streamlit colour name (``st.metric``'s
    ``delta_color``): ``"green"``, ``"red"`` or ``"gray"``."""
    if met is None:
        return "gray"
    return "green" if met else "red"


# --------------------------------------------------------------------------- requirement


def _nominal(target: Target, baseline_value: float | None) -> float | None:
    """The requirement without tolerance (the path's end point)."""
    if target.direction in ("at_least", "at_most"):
        return target.target
    if target.direction == "reduce_by":
        if baseline_value is None or target.target is None:
            return None
        return baseline_value * (1.0 - target.target)
    return None


def required_value(target: Target, baseline_value: float | None) -> float | None:
    """The final requirement in the metric's unit as applied (see :class:`Assessment`).

    ``at_least``: target × (1 − tolerance); ``at_most``: target × (1 + tolerance);
    ``reduce_by``: baseline × (1 − target); else ``None``.
    """
    nominal = _nominal(target, baseline_value)
    if nominal is None:
        return None
    tol = tolerance_of(target)
    if target.direction == "at_least":
        return nominal * (1.0 - tol)
    if target.direction == "at_most":
        return nominal * (1.0 + tol)
    return nominal


def tolerance_text(target: Target, fmt=None) -> str:
    """The plan's wording and the tolerance applied, e.g. ``"10家左右：≥ 9家即达标（容差10%）"``;
    empty for a target without a tolerance (its wording is then the target itself).

    ``fmt`` formats a value in the target's unit (default: ``:g`` and the unit).
    """
    wording, tol = wording_of(target), tolerance_of(target)
    if not tol:
        return ""
    required = required_value(target, None)
    show = fmt or (
        lambda v: f"{v * 100:g}%" if target.unit == "ratio" else f"{number_text(v)}{target.unit}"
    )
    parts = []
    if wording:
        parts.append(wording)
    if required is not None and target.direction in ("at_least", "at_most"):
        sign = "≥" if target.direction == "at_least" else "≤"
        rule = f"{sign} {show(required)}即达标"
        if tol:
            rule += f"（容差{tol * 100:g}%）"
        parts.append(rule)
    return "：".join(parts)


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


def reduction_met(change: float | None, reduce_by: float | None) -> bool | None:
    """Whether a relative change (−0.181 = 18.1 % lower) meets a ``reduce_by`` target
    (0.20 = lower by at least 20 %); ``None`` when either is missing."""
    if change is None or reduce_by is None:
        return None
    return _le(change, -reduce_by)


def _falls(
    values: Mapping[int, float | None], first: int, last: int, skip: frozenset[int] = frozenset()
) -> tuple[int, int]:
    """(pairs that did not rise as required, pairs compared) over the usable values.

    A pair counts when the later value is below the earlier one, or both are 0.
    """
    seq = [
        values[y]
        for y in sorted(values)
        if first <= y <= last and values[y] is not None and y not in skip
    ]
    pairs = list(zip(seq, seq[1:], strict=False))
    fell = sum(
        1
        for a, b in pairs
        if (b < a and not math.isclose(a, b, rel_tol=_REL_TOL)) or (_zero(a) and _zero(b))
    )
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
    requirement (without tolerance) at the deadline year. Years outside the known points
    are left out. Empty for ``decreasing_yearly`` and ongoing targets.
    """
    if target.direction == "decreasing_yearly" or judged_every_year(target):
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
    final = _nominal(target, baseline_value)
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


def _rule_text(target: Target, plan: Plan, every_year: bool) -> str:
    """The rule applied to a target, in short Chinese (shown beside the verdict)."""
    base = baseline_year_of(plan, target)
    if every_year:
        what = "长期坚持：计划期内每个完整年度均须达到"
    elif target.direction == "decreasing_yearly":
        what = f"逐年降低：自{base}年起每年低于上一年（0→0算未上升）"
    elif target.direction == "reduce_by":
        what = f"较{base}年降低≥{(target.target or 0) * 100:g}%（含恰好）"
    else:
        deadline = deadline_of(plan, target)
        what = (
            f"期限{deadline.isoformat()}：按{deadline.year}年数值最终评价，"
            "此前按最近完整年度对照应达进度"
        )
    tol = tolerance_text(target)
    return what + (f"；{tol}" if tol else "")


# --------------------------------------------------------------------------- assess


def assess(
    target: Target,
    values: Mapping[int, float | None],
    plan: Plan,
    as_of: date,
    samples: Mapping[int, float | None] | None = None,
) -> Assessment:
    """Judge a target on ``as_of`` from its yearly values (the module docstring's rules).

    Parameters
    ----------
    target
        The target.
    values
        ``{year: value or None}``, including the baseline year when there is one.
        The running year's value (if any) is year-to-date and never judged.
    plan
        The plan (period, baseline year, ``rules.min_sample``).
    as_of
        The day of the judgement.
    samples
        ``{year: denominator count or None}`` of a share (``MetricValues.samples``);
        ``None`` for counts.

    Returns
    -------
    Assessment
    """
    samples = samples or {}
    min_n = min_sample_of(plan)
    last_full = last_complete_year(as_of)
    every_year = judged_every_year(target)
    base_year = baseline_year_of(plan, target)
    base = values.get(base_year) if base_year <= last_full else None
    deadline = deadline_of(plan, target)
    final = as_of > deadline and deadline.year <= last_full
    required = required_value(target, base)
    first = plan.period[0]
    rule = _rule_text(target, plan, every_year)

    def small(year: int | None) -> bool:
        n = samples.get(year) if year is not None else None
        return n is not None and n < min_n

    running = as_of.year
    ytd = values.get(running) if first <= running <= deadline.year else None
    ytd_fields = (
        {"ytd_year": running, "ytd_value": ytd, "ytd_label": ytd_label(as_of)}
        if ytd is not None
        else {}
    )

    def result(status: str, year: int | None, value: float | None, reason: str,
               expected: float | None = None, falls: tuple[int, int] = (0, 0),
               progress: float | None | str = "auto", **extra) -> Assessment:  # fmt: skip
        met = extra.pop("met", "auto")
        if met == "auto":
            met = None if status in (NO_DATA, INSUFFICIENT) else is_met(target, value, base)
        return Assessment(
            status=status,
            year=year,
            value=value,
            required=required,
            expected=expected,
            progress=_progress(target, value, base, falls) if progress == "auto" else progress,
            final=final,
            reason=reason,
            rule=rule,
            sample=samples.get(year) if year is not None else None,
            met=met,
            **ytd_fields,
            **extra,
        )

    if target.direction == "reduce_by":
        if base_year > last_full:
            return result(NO_DATA, None, None, f"基准年 {base_year} 年尚未结束，无法计算降幅")
        if base is None or base <= 0:
            latest = _latest(values, first, min(last_full, deadline.year))
            return result(NO_DATA, latest, values.get(latest) if latest else None,
                          f"基准年 {base_year} 年无数据，无法计算降幅")  # fmt: skip
        if small(base_year):
            return result(INSUFFICIENT, base_year, base,
                          f"基准年 {base_year} 年样本不足（少于 {min_n}），无法计算降幅")  # fmt: skip

    if every_year:
        return _assess_every_year(target, values, plan, as_of, base, small, result)

    if final:
        year = deadline.year
        value = values.get(year)
        if value is not None and small(year):
            return result(INSUFFICIENT, year, value,
                          f"期限已过：{year} 年样本不足（少于 {min_n}），不作评价")  # fmt: skip
        if target.direction == "decreasing_yearly":
            skip = frozenset(y for y in values if small(y))
            falls = _falls(values, base_year, year, skip)
            if value is None or falls[1] == 0:
                return result(NO_DATA, year, value, f"{year} 年或此前年份无数据", falls=falls)
            ok = falls[0] == falls[1]
            text = "逐年未上升" if ok else f"{falls[1]} 个年度中只有 {falls[0]} 个下降"
            return result(MET if ok else MISSED, year, value, f"期限已过：{text}", falls=falls,
                          met=ok)  # fmt: skip
        if value is None:
            return result(NO_DATA, year, None, f"期限已过，{year} 年无数据")
        ok = bool(is_met(target, value, base))
        return result(MET if ok else MISSED, year, value,
                      f"期限已过：{year} 年{'达到' if ok else '未达到'}要求")  # fmt: skip

    latest = _latest(values, first, min(last_full, deadline.year))
    if latest is None:
        if ytd is not None:
            return result(ON_TRACK, None, None,
                          f"计划期内尚无完整年度，{running}年{ytd_label(as_of)}的数值不作评价",
                          progress=None)  # fmt: skip
        return result(NO_DATA, None, None, f"{first} 年以来无完整年度数据")
    value = values[latest]
    if small(latest):
        return result(INSUFFICIENT, latest, value, f"{latest} 年样本不足（少于 {min_n}），不作评价")
    if target.direction == "decreasing_yearly":
        skip = frozenset(y for y in values if small(y))
        falls = _falls(values, base_year, latest, skip)
        if falls[1] == 0:
            return result(ON_TRACK, latest, value, "数据不足两年，尚无法比较", falls=falls)
        ok = falls[0] == falls[1]
        text = "至今逐年未上升" if ok else f"{falls[1]} 个年度中只有 {falls[0]} 个下降"
        return result(ON_TRACK if ok else BEHIND, latest, value, text, falls=falls, met=ok)
    if is_met(target, value, base):
        return result(MET, latest, value, f"{latest} 年已达到要求")
    expected = expected_path(
        target, base_year, base, deadline.year, start=_first(values, first, last_full)
    ).get(latest)
    if expected is None:
        return result(ON_TRACK, latest, value, "无基准值，无法判断进度")
    better = _le(value, expected) if target.direction != "at_least" else _ge(value, expected)
    if better:
        return result(ON_TRACK, latest, value, f"{latest} 年不差于应达进度", expected)
    return result(BEHIND, latest, value, f"{latest} 年差于应达进度", expected)


def _assess_every_year(target, values, plan, as_of, base, small, result) -> Assessment:
    """Rule 5: an ongoing target judged in every complete year of the plan period."""
    last = min(plan.period[1], last_complete_year(as_of))
    if target.deadline is not None:
        last = min(last, target.deadline.year)
    years = list(range(plan.period[0], last + 1))
    met_years, missed, no_data, too_small = [], [], [], []
    for y in years:
        v = values.get(y)
        if v is None:
            no_data.append(y)
        elif small(y):
            too_small.append(y)
        elif is_met(target, v, base):
            met_years.append(y)
        else:
            missed.append(y)
    judged = len(met_years) + len(missed)
    progress = len(met_years) / judged if judged else None
    shown = _latest(values, plan.period[0], last)
    value = values.get(shown) if shown is not None else None
    extra = {
        "missed_years": tuple(missed),
        "unjudged_years": tuple(no_data + too_small),
        "progress": progress,
    }
    ended = as_of > date(plan.period[1], 12, 31)
    notes = []
    if no_data:
        notes.append(f"{years_text(no_data)}无数据")
    if too_small:
        notes.append(f"{years_text(too_small)}样本不足")
    note = "；" + "，".join(notes) if notes else ""
    if not years:
        if plan.period[0] <= as_of.year <= plan.period[1] and values.get(as_of.year) is not None:
            return result(ON_TRACK, None, None, "计划期内尚无完整年度，当年累计数不作评价", **extra)
        return result(NO_DATA, None, None, "计划期内尚无完整年度", **extra)
    if missed:
        status = MISSED if ended else BEHIND
        return result(status, shown, value,
                      f"长期坚持，每年均须达到：{years_text(missed)}未达到{note}",
                      met=False, **extra)  # fmt: skip
    span = f"{years[0]}—{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
    if not notes:
        text = f"{span}每年均达到" if ended else f"{span}每年均已达到"
        return result(MET, shown, value, text, met=True, **extra)
    if not met_years:
        status = INSUFFICIENT if too_small and not no_data else NO_DATA
        return result(status, shown, value, f"{span}均无法评价{note}", met=None, **extra)
    if ended:
        status = INSUFFICIENT if too_small and not no_data else NO_DATA
        return result(status, shown, value,
                      f"其余年份均达到，但{'，'.join(notes)}，无法确认每年均达到",
                      met=None, **extra)  # fmt: skip
    return result(ON_TRACK, shown, value, f"已评价的年份均达到{note}", met=None, **extra)


def _latest(values: Mapping[int, float | None], first: int, last: int) -> int | None:
    years = [y for y, v in values.items() if first <= y <= last and v is not None]
    return max(years) if years else None


def _first(
    values: Mapping[int, float | None], first: int, last: int
) -> tuple[int, float] | None:
    years = sorted(y for y, v in values.items() if first <= y <= last and v is not None)
    return (years[0], float(values[years[0]])) if years else None  # type: ignore[arg-type]
