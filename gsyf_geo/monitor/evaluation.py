"""All targets of a plan at once: the overview, the district drill-down, the final evaluation.

:func:`evaluate_plan` computes every target (:mod:`gsyf_geo.monitor.values`) and judges it
(:mod:`gsyf_geo.monitor.status`) in a scope (the city, a district or a reporting unit) and,
where meaningful, per reporting unit. Values use only records dated on or before the
evaluation date.

Scope rules (the same for the page, the map and ``targets --scope``):

- A target is judged per unit (and in a district scope) when its metric is a ratio or rate
  (coverage, accident rate, share, insurance rate): the city requirement applies to every
  unit alike, unless the plan gives the unit its own value (``Target.unit_targets``).
- Counts and stocks (insured persons, demonstration units, bases, experts …) are city
  totals. In a unit or district they are shown as that unit's *contribution* and its share
  of the city (“155,371人，占全市 8.1%”) with :data:`~gsyf_geo.monitor.status.NOT_SPLIT`,
  never judged against the city target. Where the plan's ``unit_targets`` give the unit
  (every unit of a district) its own share of the target, the unit is judged against it.

The tables here carry Chinese column names (they are what the page shows and what the
exports contain); :func:`to_excel` and :func:`to_csv` write them.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from gsyf_geo.domain import CITY_NAME, REPORTING_UNIT_BY_CODE
from gsyf_geo.monitor.status import (
    NO_DATA,
    NOT_SPLIT,
    STATUS_COLORS,
    Assessment,
    assess,
    baseline_year_of,
    deadline_of,
    expected_path,
    is_complete,
    judged_every_year,
    number_text,
    required_value,
    tolerance_text,
    ytd_label,
)
from gsyf_geo.monitor.values import (
    POPULATIONS,
    MetricInfo,
    MetricValues,
    format_value,
    metric_info,
    metric_values,
    units_in_scope,
)
from gsyf_geo.plan import RATIO_UNIT, Plan, Target
from gsyf_geo.store import CITY, Scope, Store

__all__ = [
    "CITY_TOTAL_RULE",
    "YTD_SERIES",
    "MilestoneCheck",
    "contribution_text",
    "threshold_text",
    "TargetResult",
    "evaluate_plan",
    "evaluate_target",
    "final_tables",
    "milestone_table",
    "overview_table",
    "plan_has_ended",
    "to_csv",
    "to_excel",
    "current_plan",
    "trend_frame",
    "unit_table",
    "unit_trend_frame",
]


@dataclass(frozen=True)
class MilestoneCheck:
    """One yearly milestone of a target, checked against the store.

    ``actual`` is computed on the milestone's own population when its scope is narrower
    (``training_coverage``: the 危化品、化工、尘肺病 industries); ``None`` = no data.
    """

    year: int
    required: float | None
    actual: float | None
    met: bool | None
    scope: str
    note: str
    judged: bool = True
    """False for a city total's milestone in a district or unit (not split: never judged)."""
    complete: bool = True
    """False while the milestone's year is not over (its value is year-to-date, not judged)."""


YTD_SERIES = "年内累计"
"""Trend series of the year not over on the evaluation date (shown, never judged)."""

CITY_TOTAL_RULE = "全市总量指标：区县（统计单元）只显示其数值及占全市比例，不对照全市目标评价"
"""The rule shown beside a city total in a unit or district."""


@dataclass(frozen=True)
class TargetResult:
    """A target with its values, the scope's status, per-unit statuses and milestones.

    ``city`` is the assessment of the whole scope (the city, or the district/unit asked
    for); ``city_values`` are the whole city's values (equal to ``values.city`` for the
    city scope), the denominator of a unit's share.
    """

    target: Target
    info: MetricInfo
    values: MetricValues
    baseline_year: int
    city: Assessment
    units: dict[str, Assessment | None]
    milestones: tuple[MilestoneCheck, ...]
    scope: Scope = CITY
    city_values: Mapping[int, float | None] | None = None
    as_of: date | None = None

    def year_label(self, year: int) -> str:
        """``"2024年"``, or ``"2024年（截至3月31日）"`` for the year not over on ``as_of``."""
        if self.as_of is not None and not is_complete(year, self.as_of) and year <= self.as_of.year:
            return f"{year}年（{ytd_label(self.as_of)}）"
        return f"{year}年"

    @property
    def split(self) -> bool:
        """Whether the target is judged per reporting unit (ratios and rates)."""
        return self.info.intensive and self.info.by_unit

    @property
    def baseline_value(self) -> float | None:
        return self.values.city.get(self.baseline_year)

    @property
    def whole_city(self) -> Mapping[int, float | None]:
        """The whole city's values (the scope's own when the scope is the city)."""
        return self.city_values if self.city_values is not None else self.values.city

    def contribution_year(self, unit_values: Mapping[int, float | None]) -> int | None:
        """The year a unit's contribution is shown for: the scope's judged year, else (no
        value then) the latest earlier complete year with a value."""
        year = self.city.year
        if year is not None and unit_values.get(year) is not None:
            return year
        last = year if year is not None else max(self.values.years)
        if self.as_of is not None:
            last = min(last, self.as_of.year - 1)
        years = [y for y, v in unit_values.items() if v is not None and y <= last]
        return max(years) if years else year

    def contribution(self, unit_values: Mapping[int, float | None], year: int | None) -> str:
        """A unit's (or the scope's) value in ``year`` and its share of the city."""
        if year is None:
            return NO_DATA
        return contribution_text(unit_values.get(year), self.whole_city.get(year), self.info.unit)


def contribution_text(value: float | None, city_value: float | None, unit: str) -> str:
    """``"155,371人，占全市 8.1%"``: a unit's part of a city total (exact count)."""
    if value is None:
        return NO_DATA
    shown = f"{value:,.0f}{unit}" if unit in ("人", "家", "名") else format_value(value, unit)
    if city_value is None or city_value <= 0:
        return shown
    return f"{shown}，占全市 {value / city_value * 100:.1f}%"


def _unit_target_for(target: Target, codes: list[str]) -> float | None:
    """The plan's own target for these reporting units (summed: for totals only), when it
    gives every one."""
    unit_targets = getattr(target, "unit_targets", None) or {}
    if not codes or not all(c in unit_targets for c in codes):
        return None
    return float(sum(unit_targets[c] for c in codes))


def current_plan(plans: Sequence[Plan], today: date) -> Plan | None:
    """The plan to show first: the one running ``today``, else the last one that has ended,
    else the first one."""
    if not plans:
        return None
    running = [p for p in plans if p.period[0] <= today.year <= p.period[1]]
    if running:
        return running[-1]
    ended = [p for p in plans if p.period[1] < today.year]
    return ended[-1] if ended else plans[0]


def plan_has_ended(plan: Plan, as_of: date) -> bool:
    """Whether ``as_of`` is after the plan period (31 December of its last year)."""
    return as_of > date(plan.period[1], 12, 31)


def _metric_values(
    store: Store,
    plan: Plan,
    target: Target,
    scope: Scope,
    cache: dict,
    as_of: date,
    **kw,
) -> MetricValues:
    """:func:`metric_values` with ``as_of`` where it takes one (records up to that day)."""
    if _TAKES_AS_OF:
        kw["as_of"] = as_of
    return metric_values(store, plan, target, scope, cache=cache, **kw)


_TAKES_AS_OF = "as_of" in inspect.signature(metric_values).parameters


def _milestone_checks(
    store: Store,
    plan: Plan,
    target: Target,
    values: MetricValues,
    scope: Scope,
    cache: dict,
    as_of: date,
    judged: bool = True,
) -> tuple[MilestoneCheck, ...]:
    base = values.city.get(baseline_year_of(plan, target))
    checks = []
    for m in target.milestones:
        actual: float | None
        scope_text = target.scope
        if m.scope:
            scope_text = m.scope
            if target.metric == "training_coverage":
                narrow = _metric_values(
                    store, plan, target, scope, cache, as_of, years=[m.year], population="priority"
                )
                actual = narrow.city[m.year]
                scope_text = POPULATIONS["priority"]
            else:
                actual = None  # the store cannot single out that population
        else:
            actual = values.city.get(m.year)
        required: float | None = m.value
        if target.direction == "reduce_by":
            required = None if base is None else base * (1.0 - m.value)
        met: bool | None = None
        if judged and actual is not None and required is not None and is_complete(m.year, as_of):
            met = (
                actual >= required - 1e-12
                if target.direction == "at_least"
                else actual <= required + 1e-12
            )
        checks.append(
            MilestoneCheck(
                m.year, required, actual, met, scope_text, m.note, judged, is_complete(m.year, as_of)
            )
        )
    return tuple(checks)


def evaluate_target(
    store: Store,
    plan: Plan,
    target: Target,
    as_of: date,
    scope: Scope = CITY,
    cache: dict | None = None,
) -> TargetResult:
    """Compute and judge one target in ``scope`` (see the module docstring)."""
    cache = {} if cache is None else cache
    info = metric_info(target)
    values = _metric_values(store, plan, target, scope, cache, as_of)
    city_values = (
        values.city
        if scope.kind == "city"
        else _metric_values(store, plan, target, CITY, cache, as_of).city
    )
    samples = getattr(values, "samples", None)
    unit_samples = getattr(values, "unit_samples", None) or {}
    split = info.intensive and info.by_unit

    def judged(vals, smp, own: float | None) -> Assessment:
        t = target if own is None else replace(target, target=own, milestones=())
        a = assess(t, vals, plan, as_of, smp)
        if own is not None:
            a = replace(a, rule=f"按计划分解到本单元的目标（{format_value(own, info.unit)}）；{a.rule}")
        return a

    def contribution(vals: Mapping[int, float | None], label: str) -> Assessment:
        a = assess(target, vals, plan, as_of)
        if not info.by_unit:
            text = "该指标仅有全市数据，不分区县统计"
            return replace(a, status=NOT_SPLIT, value=None, required=None, expected=None,
                           progress=None, met=None, missed_years=(), unjudged_years=(),
                           reason=text, rule=CITY_TOTAL_RULE)  # fmt: skip
        year = a.year
        if year is None or vals.get(year) is None:  # the latest complete year with a value
            year = _latest_complete(vals, plan, as_of, before=year) or year
        shown = contribution_text(vals.get(year), city_values.get(year), info.unit) if year else NO_DATA
        reason = f"{label}{shown}（{year}年），全市目标不分解到区县" if year else f"{label}无数据"
        return replace(a, status=NOT_SPLIT, year=year, value=vals.get(year) if year else None,
                       required=None, expected=None, progress=None, met=None, missed_years=(),
                       unjudged_years=(), reason=reason, rule=CITY_TOTAL_RULE)  # fmt: skip

    if scope.kind == "city":
        city = judged(values.city, samples, None)
    else:
        codes = units_in_scope(scope)
        # Shares of a total add up; a rate's unit targets do not (one unit only).
        own = _unit_target_for(target, codes) if not info.intensive or len(codes) == 1 else None
        if own is not None or info.intensive:
            city = judged(values.city, samples, own)
        else:
            city = contribution(values.city, f"{scope.label}：")
    units: dict[str, Assessment | None] = {}
    for u, vals in values.units.items():
        own = _unit_target_for(target, [u])
        if split or own is not None:
            units[u] = judged(vals, unit_samples.get(u), own)
        else:
            units[u] = None
    return TargetResult(
        target=target,
        info=info,
        values=values,
        baseline_year=baseline_year_of(plan, target),
        city=city,
        units=units,
        milestones=_milestone_checks(
            store, plan, target, values, scope, cache, as_of, judged=city.status != NOT_SPLIT
        ),
        scope=scope,
        city_values=city_values,
        as_of=as_of,
    )


def _latest_complete(
    vals: Mapping[int, float | None], plan: Plan, as_of: date, before: int | None = None
) -> int | None:
    """The latest complete plan year with a value (not after ``before``)."""
    last = as_of.year - 1 if before is None else min(before, as_of.year - 1)
    years = [y for y, v in vals.items() if v is not None and plan.period[0] <= y <= last]
    return max(years) if years else None


def evaluate_plan(
    store: Store, plan: Plan, as_of: date | None = None, scope: Scope = CITY
) -> list[TargetResult]:
    """Every target of ``plan``, in file order, judged on ``as_of`` (default today)."""
    day = as_of or date.today()
    cache: dict = {}
    return [evaluate_target(store, plan, t, day, scope, cache) for t in plan.targets]


# --------------------------------------------------------------------------- texts


def target_text(result: TargetResult, assessment: Assessment | None = None) -> str:
    """The requirement in words: ``"≥ 100.0%"``, ``"较2020年降低≥20%（≤ 38.2 起/万人）"``,
    ``"每年 ≥ 90.0%"`` (长期坚持), ``"≥ 10家（10家左右：≥ 9家即达标（容差10%））"``; a city
    total in a district reads ``"全市 ≥ 198.0万人（不分解到区县）"``."""
    t = result.target
    unit = result.info.unit
    a = assessment or result.city
    every = "每年 " if judged_every_year(t) else ""
    tol = tolerance_text(t, lambda v: threshold_text(v, unit))
    if t.direction in ("at_least", "at_most"):
        sign = "≥" if t.direction == "at_least" else "≤"
        text = f"{every}{sign} {format_value(t.target, unit)}" + (f"（{tol}）" if tol else "")
    elif t.direction == "reduce_by":
        text = f"较{result.baseline_year}年降低≥{(t.target or 0) * 100:.0f}%"
        required = required_value(t, result.baseline_value)
        text += f"（≤ {format_value(required, unit)}）" if required is not None else ""
    else:
        text = f"逐年降低（自{result.baseline_year}年起）"
    if a.status == NOT_SPLIT:
        return f"全市 {text}（不分解到区县）"
    return text


def threshold_text(value: float, unit: str) -> str:
    """A threshold as applied, unrounded for counts (“13.5家”: 14 bases are needed)."""
    if unit in ("人", "家", "名"):
        return f"{number_text(value)}{unit}"
    return format_value(value, unit)


def value_text(result: TargetResult, assessment: Assessment | None = None,
               baseline_value: float | None = None,
               unit_values: Mapping[int, float | None] | None = None) -> str:  # fmt: skip
    """The judged value with its year (and the change for ``reduce_by``), then the running
    year's year-to-date value (“；2024年截至3月31日 95.0%”), which is never judged.

    A city total in a unit or district reads as the unit's contribution: ``"155,371人，占全市
    8.1%（2025年）"`` (``unit_values``: the unit's values; default the scope's).
    """
    a = assessment or result.city
    base = result.baseline_value if assessment is None else baseline_value
    unit = result.info.unit
    if a.status == NOT_SPLIT:
        if not result.info.by_unit:
            text = "仅全市统计"
        elif a.year is None:
            text = NO_DATA
        else:
            own = result.values.city if unit_values is None else unit_values
            text = f"{result.contribution(own, a.year)}（{a.year}年）"
    elif a.value is None:
        text = NO_DATA
    else:
        text = f"{format_value(a.value, unit)}（{a.year}年）"
        if result.target.direction == "reduce_by" and base:
            text += f"，较{result.baseline_year}年{(a.value / base - 1) * 100:+.1f}%"
    if a.ytd_value is not None:
        text += f"；{a.ytd_year}年{a.ytd_label} {format_value(a.ytd_value, unit)}（未满一年，不作评价）"
    return text


def deadline_text(plan: Plan, target: Target) -> str:
    if target.ongoing:
        return f"长期坚持（期末 {deadline_of(plan, target).isoformat()}）"
    return target.deadline.isoformat() if target.deadline else ""


def definition_text(result: TargetResult) -> str:
    """The metric's definition with the target's scope."""
    scope = result.target.scope
    return f"{result.info.definition}。口径：{scope}" if scope else result.info.definition


# --------------------------------------------------------------------------- tables


def overview_table(results: Sequence[TargetResult], plan: Plan) -> pd.DataFrame:
    """One row per target: 指标, 定义, 当前值, 目标, 期限, 进度 (0..1), 状态, 说明, 判定规则,
    达到目标 (True/False/None: what the value and its change are coloured by), 指标代码."""
    rows = []
    for r in results:
        rows.append(
            {
                "指标": r.target.name,
                "定义": definition_text(r),
                "当前值": value_text(r),
                "目标": target_text(r),
                "期限": deadline_text(plan, r.target),
                "进度": r.city.progress,
                "状态": r.city.status,
                "说明": r.city.reason,
                "判定规则": r.city.rule,
                "达到目标": r.city.met,
                "指标代码": r.target.id,
            }
        )
    return pd.DataFrame(rows)


def _unit_name(code: str) -> str:
    unit = REPORTING_UNIT_BY_CODE.get(code)
    return unit.name if unit else CITY_NAME


def _scope_name(scope: Scope) -> str:
    return CITY_NAME if scope.kind == "city" else scope.label


def unit_table(result: TargetResult) -> pd.DataFrame:
    """The drill-down by reporting unit: one row per unit (the scope first), formatted values
    by year (the running year marked “截至M月D日”), the status and its reason.

    A city total is not judged per unit: its unit rows read :data:`NOT_SPLIT` with the unit's
    contribution and share of the city (“155,371人，占全市 8.1%（2025年）”).
    """
    unit = result.info.unit
    rows = []
    entries: list[tuple[str, Mapping[int, float | None], Assessment | None]] = [
        (_scope_name(result.scope), result.values.city, result.city)
    ]
    entries += [
        (_unit_name(u), vals, result.units.get(u)) for u, vals in result.values.units.items()
    ]
    for name, vals, a in entries:
        row: dict[str, object] = {"统计单元": name}
        for y in result.values.years:
            row[result.year_label(y)] = format_value(vals.get(y), unit)
        row["状态"] = a.status if a is not None else NOT_SPLIT
        year = result.contribution_year(vals)
        if a is not None:
            row["说明"] = a.reason
        elif year is None:
            row["说明"] = "全市总量指标，不分解到统计单元"
        else:
            row["说明"] = (
                f"全市总量指标，不分解：{result.contribution(vals, year)}（{year}年）"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def trend_frame(result: TargetResult, plan: Plan) -> pd.DataFrame:
    """Long table for the trend chart: 年份, 系列 (实际值/年内累计/应达进度/里程碑), 数值, 标注.

    Values are in display units: ratios as percent (0..100), others as computed. The year
    not over on the evaluation date is its own series, ``年内累计`` (labelled “截至M月D日”):
    year-to-date, never judged.
    """
    scale = 100.0 if result.info.unit == RATIO_UNIT else 1.0
    rows = []
    for y, v in result.values.city.items():
        running = result.as_of is not None and not is_complete(y, result.as_of)
        if running and v is None:
            continue
        rows.append(
            {"年份": y, "系列": YTD_SERIES if running else "实际值",
             "数值": None if v is None else v * scale,
             "标注": ytd_label(result.as_of) if running else ""}
        )  # fmt: skip
    if result.city.status == NOT_SPLIT:  # a city total in a unit: no city path to follow
        return pd.DataFrame(rows, columns=["年份", "系列", "数值", "标注"])
    deadline_year = deadline_of(plan, result.target).year
    first = next(
        ((y, v) for y, v in result.values.city.items() if y >= plan.period[0] and v is not None),
        None,
    )
    path = expected_path(
        result.target, result.baseline_year, result.baseline_value, deadline_year, start=first
    )
    for y, v in path.items():
        rows.append({"年份": y, "系列": "应达进度", "数值": v * scale, "标注": ""})
    for m in result.milestones:
        if m.required is None:
            continue
        label = f"{m.year}年里程碑" + (
            "（" + m.scope + "）" if m.scope != result.target.scope else ""
        )
        rows.append({"年份": m.year, "系列": "里程碑", "数值": m.required * scale, "标注": label})
    return pd.DataFrame(rows, columns=["年份", "系列", "数值", "标注"])


def unit_trend_frame(result: TargetResult) -> pd.DataFrame:
    """Long table for small multiples: 统计单元, 年份, 数值, 要求, 状态.

    Display units (ratios in percent); years without data are left out. ``要求`` is the
    unit's own final requirement for targets judged per unit (for ``reduce_by`` it depends
    on the unit's baseline), else empty.
    """
    scale = 100.0 if result.info.unit == RATIO_UNIT else 1.0
    rows = []
    for u, vals in result.values.units.items():
        a = result.units.get(u)
        required = a.required * scale if a is not None and a.required is not None else None
        status = a.status if a is not None else NOT_SPLIT
        rows += [
            {
                "统计单元": _unit_name(u),
                "年份": y,
                "数值": v * scale,
                "要求": required,
                "状态": status,
            }
            for y, v in vals.items()
            if v is not None
        ]
    return pd.DataFrame(rows, columns=["统计单元", "年份", "数值", "要求", "状态"])


def milestone_table(result: TargetResult) -> pd.DataFrame:
    """The target's milestones: 年份, 口径, 要求, 实际, 是否达到, 出处."""
    unit = result.info.unit
    return pd.DataFrame(
        [
            {
                "年份": m.year,
                "口径": m.scope,
                "要求": format_value(m.required, unit),
                "实际": format_value(m.actual, unit),
                "是否达到": NOT_SPLIT if not m.judged
                else "年度未结束" if not m.complete
                else NO_DATA if m.met is None else ("是" if m.met else "否"),
                "出处": m.note,
            }
            for m in result.milestones
        ],
        columns=["年份", "口径", "要求", "实际", "是否达到", "出处"],
    )


def final_tables(results: Sequence[TargetResult], plan: Plan) -> dict[str, pd.DataFrame]:
    """The final evaluation as three tables (keys are the Excel sheet names).

    ``全市评估``: one row per target (目标, 期限, 评价年份, 实际值, 评价, 说明, 判定规则) —
    for the evaluated scope (the city unless a scope was asked for).
    ``分区评估``: one row per target and unit (the scope first), long format; city totals
    show the unit's contribution and share of the city, 评价 :data:`NOT_SPLIT`.
    ``分区汇总``: targets × units (the scope first) matrix of statuses.
    """
    city_rows, long_rows = [], []
    for r in results:
        common = {
            "指标": r.target.name,
            "目标": target_text(r),
            "期限": deadline_text(plan, r.target),
        }
        city_rows.append(
            {
                **common,
                "评价年份": r.city.year,
                "实际值": value_text(r),
                "评价": r.city.status,
                "说明": r.city.reason,
                "判定规则": r.city.rule,
            }
        )
        long_rows.append(
            {**common, "统计单元": _scope_name(r.scope), "评价年份": r.city.year,
             "实际值": value_text(r), "评价": r.city.status, "说明": r.city.reason}
        )  # fmt: skip
        for u, vals in r.values.units.items():
            a = r.units.get(u)
            base = vals.get(r.baseline_year)
            if a is not None:
                shown = value_text(r, a, base)
                year, status, reason = a.year, a.status, a.reason
            else:
                year = r.contribution_year(vals)
                shown = f"{r.contribution(vals, year)}（{year}年）" if year else NO_DATA
                status, reason = NOT_SPLIT, CITY_TOTAL_RULE
            long_rows.append(
                {**common, "统计单元": _unit_name(u), "评价年份": year, "实际值": shown,
                 "评价": status, "说明": reason}
            )  # fmt: skip
    long = pd.DataFrame(long_rows)
    matrix = long.pivot_table(
        index="指标", columns="统计单元", values="评价", aggfunc="first", sort=False
    )
    matrix = matrix.reindex(
        index=[r.target.name for r in results], columns=list(dict.fromkeys(long["统计单元"]))
    ).fillna(NOT_SPLIT)
    matrix = matrix.reset_index()
    matrix.columns.name = None
    city = pd.DataFrame(city_rows)
    for df in (city, long):
        df["评价年份"] = df["评价年份"].astype("Int64")
    return {"全市评估": city, "分区评估": long, "分区汇总": matrix}


# --------------------------------------------------------------------------- exports


def to_excel(sheets: Mapping[str, pd.DataFrame], title: str | None = None) -> bytes:
    """An .xlsx workbook (openpyxl), one sheet per table; status cells coloured.

    Parameters
    ----------
    sheets
        ``{sheet name: table}``.
    title
        Optional first row above each table (e.g. the plan and evaluation date).
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    start = 2 if title else 0
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, df in sheets.items():
            df.to_excel(writer, sheet_name=name[:31], index=False, startrow=start)
            ws = writer.sheets[name[:31]]
            if title:
                ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
            header_row = start + 1
            for cell in ws[header_row]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(vertical="center", wrap_text=True)
            for i, col in enumerate(df.columns, start=1):
                longest = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)])
                ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * 1.8))
            for row in ws.iter_rows(min_row=header_row + 1):
                for cell in row:
                    colour = STATUS_COLORS.get(str(cell.value))
                    if colour:
                        cell.fill = PatternFill("solid", fgColor="FF" + colour.lstrip("#").upper())
                        cell.font = Font(color="FFFFFF", bold=True)
            ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
            from gsyf_geo.tabular import strings_as_text

            strings_as_text(ws)  # text stays text, never a formula
    return buf.getvalue()


def to_csv(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that Excel on Windows shows the Chinese."""
    from gsyf_geo.tabular import to_csv_bytes

    return to_csv_bytes(df)  # text that would run as a formula gets a leading '
