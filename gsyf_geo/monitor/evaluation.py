"""All targets of a plan at once: the overview, the district drill-down, the final evaluation.

:func:`evaluate_plan` computes every target (:mod:`gsyf_geo.monitor.values`) and judges it
(:mod:`gsyf_geo.monitor.status`) city-wide and, where meaningful, per reporting unit. A
target is judged per unit when its metric is a ratio or rate (coverage, accident rate,
share, insurance rate): the city requirement applies to every unit alike. Counts and stocks
(insured persons, demonstration units, bases, experts …) are city totals; units only
contribute to them, so their unit rows show values and :data:`~gsyf_geo.monitor.status.NOT_SPLIT`.

The tables here carry Chinese column names (they are what the page shows and what the
exports contain); :func:`to_excel` and :func:`to_csv` write them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    required_value,
)
from gsyf_geo.monitor.values import (
    POPULATIONS,
    MetricInfo,
    MetricValues,
    format_value,
    metric_info,
    metric_values,
)
from gsyf_geo.plan import RATIO_UNIT, Plan, Target
from gsyf_geo.store import CITY, Scope, Store

__all__ = [
    "MilestoneCheck",
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


@dataclass(frozen=True)
class TargetResult:
    """A target with its values, city-wide status, per-unit statuses and milestones."""

    target: Target
    info: MetricInfo
    values: MetricValues
    baseline_year: int
    city: Assessment
    units: dict[str, Assessment | None]
    milestones: tuple[MilestoneCheck, ...]

    @property
    def split(self) -> bool:
        """Whether the target is judged per reporting unit (ratios and rates)."""
        return self.info.intensive and self.info.by_unit

    @property
    def baseline_value(self) -> float | None:
        return self.values.city.get(self.baseline_year)


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


def _milestone_checks(
    store: Store, plan: Plan, target: Target, values: MetricValues, scope: Scope, cache: dict
) -> tuple[MilestoneCheck, ...]:
    base = values.city.get(baseline_year_of(plan, target))
    checks = []
    for m in target.milestones:
        actual: float | None
        scope_text = target.scope
        if m.scope:
            scope_text = m.scope
            if target.metric == "training_coverage":
                narrow = metric_values(
                    store, plan, target, scope, years=[m.year], population="priority", cache=cache
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
        if actual is not None and required is not None:
            met = (
                actual >= required - 1e-12
                if target.direction == "at_least"
                else actual <= required + 1e-12
            )
        checks.append(MilestoneCheck(m.year, required, actual, met, scope_text, m.note))
    return tuple(checks)


def evaluate_target(
    store: Store,
    plan: Plan,
    target: Target,
    as_of: date,
    scope: Scope = CITY,
    cache: dict | None = None,
) -> TargetResult:
    """Compute and judge one target (see the module docstring)."""
    cache = {} if cache is None else cache
    info = metric_info(target)
    values = metric_values(store, plan, target, scope, cache=cache)
    city = assess(target, values.city, plan, as_of)
    split = info.intensive and info.by_unit
    units: dict[str, Assessment | None] = {
        u: (assess(target, vals, plan, as_of) if split else None)
        for u, vals in values.units.items()
    }
    return TargetResult(
        target=target,
        info=info,
        values=values,
        baseline_year=baseline_year_of(plan, target),
        city=city,
        units=units,
        milestones=_milestone_checks(store, plan, target, values, scope, cache),
    )


def evaluate_plan(
    store: Store, plan: Plan, as_of: date | None = None, scope: Scope = CITY
) -> list[TargetResult]:
    """Every target of ``plan``, in file order, judged on ``as_of`` (default today)."""
    day = as_of or date.today()
    cache: dict = {}
    return [evaluate_target(store, plan, t, day, scope, cache) for t in plan.targets]


# --------------------------------------------------------------------------- texts


def target_text(result: TargetResult) -> str:
    """The requirement in words: ``"≥ 100.0%"``, ``"较2020年降低≥20%（≤ 38.2 起/万人）"``."""
    t = result.target
    unit = result.info.unit
    if t.direction == "at_least":
        return f"≥ {format_value(t.target, unit)}"
    if t.direction == "at_most":
        return f"≤ {format_value(t.target, unit)}"
    if t.direction == "reduce_by":
        text = f"较{result.baseline_year}年降低≥{(t.target or 0) * 100:.0f}%"
        required = required_value(t, result.baseline_value)
        return text + (f"（≤ {format_value(required, unit)}）" if required is not None else "")
    return f"逐年降低（自{result.baseline_year}年起）"


def value_text(result: TargetResult, assessment: Assessment | None = None,
               baseline_value: float | None = None) -> str:  # fmt: skip
    """The judged value with its year (and the change for ``reduce_by``)."""
    a = assessment or result.city
    base = result.baseline_value if assessment is None else baseline_value
    if a.value is None:
        return NO_DATA
    text = f"{format_value(a.value, result.info.unit)}（{a.year}年）"
    if result.target.direction == "reduce_by" and base:
        text += f"，较{result.baseline_year}年{(a.value / base - 1) * 100:+.1f}%"
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
    """One row per target: 指标, 定义, 当前值, 目标, 期限, 进度 (0..1), 状态, 说明, 指标代码."""
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
                "指标代码": r.target.id,
            }
        )
    return pd.DataFrame(rows)


def _unit_name(code: str) -> str:
    unit = REPORTING_UNIT_BY_CODE.get(code)
    return unit.name if unit else CITY_NAME


def unit_table(result: TargetResult) -> pd.DataFrame:
    """The drill-down by reporting unit: one row per unit (and 全市), formatted values by year,
    the judged value and the status (:data:`NOT_SPLIT` for city totals)."""
    unit = result.info.unit
    rows = []
    entries: list[tuple[str, Mapping[int, float | None], Assessment | None]] = [
        (CITY_NAME, result.values.city, result.city)
    ]
    entries += [
        (_unit_name(u), vals, result.units.get(u)) for u, vals in result.values.units.items()
    ]
    for name, vals, a in entries:
        row: dict[str, object] = {"统计单元": name}
        for y in result.values.years:
            row[f"{y}年"] = format_value(vals.get(y), unit)
        row["状态"] = a.status if a is not None else NOT_SPLIT
        row["说明"] = a.reason if a is not None else "全市总量指标，不分解到统计单元"
        rows.append(row)
    return pd.DataFrame(rows)


def trend_frame(result: TargetResult, plan: Plan) -> pd.DataFrame:
    """Long table for the trend chart: 年份, 系列 (实际值/应达进度/里程碑), 数值, 标注.

    Values are in display units: ratios as percent (0..100), others as computed.
    """
    scale = 100.0 if result.info.unit == RATIO_UNIT else 1.0
    rows = []
    for y, v in result.values.city.items():
        rows.append(
            {"年份": y, "系列": "实际值", "数值": None if v is None else v * scale, "标注": ""}
        )
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
                "是否达到": NO_DATA if m.met is None else ("是" if m.met else "否"),
                "出处": m.note,
            }
            for m in result.milestones
        ],
        columns=["年份", "口径", "要求", "实际", "是否达到", "出处"],
    )


def final_tables(results: Sequence[TargetResult], plan: Plan) -> dict[str, pd.DataFrame]:
    """The final evaluation as three tables (keys are the Excel sheet names).

    ``全市评估``: one row per target (目标, 期限, 评价年份, 实际值, 评价, 说明).
    ``分区评估``: one row per target and unit (the city first), long format.
    ``分区汇总``: targets × units (the city first) matrix of statuses.
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
            }
        )
        long_rows.append(
            {**common, "统计单元": CITY_NAME, "评价年份": r.city.year, "实际值": value_text(r),
             "评价": r.city.status, "说明": r.city.reason}
        )  # fmt: skip
        for u, vals in r.values.units.items():
            a = r.units.get(u)
            base = vals.get(r.baseline_year)
            if a is not None:
                shown = value_text(r, a, base)
                year, status, reason = a.year, a.status, a.reason
            else:
                year = r.city.year
                shown = format_value(vals.get(year), r.info.unit) if year else NO_DATA
                status, reason = NOT_SPLIT, "全市总量指标，不分解到统计单元"
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
    return buf.getvalue()


def to_csv(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that Excel on Windows shows the Chinese."""
    return df.to_csv(index=False).encode("utf-8-sig")
