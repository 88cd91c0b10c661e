"""Recurring plan work (年度常规工作) and yearly activity counts, from the records.

**Held or not** (:func:`recurring_status`), for each recurring item of the plan
(:attr:`gsyf_geo.plan.Plan.recurring`) and each year of the plan, at the date ``as_of``:

1. a year in which the item is not due (e.g. the two-yearly 费率浮动 in 2022) is
   ``非应开展年度``;
2. ``已开展`` (held) when there is evidence dated in that year and on or before ``as_of``:
   a ``publicity_activity`` record whose 活动类型 is the item's id, name or one of its
   aliases (compared without spaces, 《》 and quotes), or a row of that year's task list
   named in the item's ``task_ids`` whose stored status is 已完成 (changed on or before
   ``as_of``);
3. otherwise ``未到期`` (not yet due) while ``as_of`` is on or before the item's due date
   in that year (the end of ``due_month``, else 31 December);
4. otherwise ``无数据`` when no ``publicity_activity`` record at all is dated in that year
   (the year's records were not imported, so absence proves nothing);
5. otherwise ``未开展`` (not held).

Recurring work is judged for the city as a whole: a record anywhere in the city counts.

**Per year and reporting unit** (:func:`activity_table`), counting records dated on or
before ``as_of`` in the scope:

- 宣传活动（场次）: ``publicity_activity`` records that are publicity, i.e. all except those
  whose 活动类型 is a meeting or rate-review item of the plan or one of
  :data:`NON_PUBLICITY_KINDS` (推进会, 会议, 费率调整, 费率浮动, 培训活动);
- 覆盖人次: the sum of those records' 覆盖人次 where filled; 人次未填（场次）: how many left
  it blank (so a low sum can be read for what it is);
- 培训（场次） and 培训人次: ``training_record`` rows with 活动类型 培训 and the sum of their
  参加人数 (blank counts as unknown, not 0).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

import pandas as pd
from sqlalchemy import select

from gsyf_geo.domain import REPORTING_UNIT_BY_CODE, REPORTING_UNITS
from gsyf_geo.plan import Plan, RecurringItem
from gsyf_geo.store import CITY, Scope, Store
from gsyf_geo.store.models import PlanTaskStatus

__all__ = [
    "HELD",
    "NON_PUBLICITY_KINDS",
    "NOT_DUE",
    "NOT_HELD",
    "NOT_SCHEDULED",
    "NO_DATA",
    "RECURRING_STATUSES",
    "activity_table",
    "load_activities",
    "matches",
    "recurring_matrix",
    "recurring_status",
]

HELD = "已开展"
NOT_HELD = "未开展"
NOT_DUE = "未到期"
NO_DATA = "无数据"
NOT_SCHEDULED = "非应开展年度"
RECURRING_STATUSES: tuple[str, ...] = (HELD, NOT_HELD, NOT_DUE, NO_DATA, NOT_SCHEDULED)

NON_PUBLICITY_KINDS: tuple[str, ...] = ("推进会", "会议", "费率调整", "费率浮动", "培训活动")
"""Free 活动类型 values that are not publicity (not counted as 宣传活动)."""

CITY_LEVEL = "市级"
_DONE = "已完成"
_STRIP = re.compile(r"[\s《》“”\"'「」]+")


def _norm(text: object) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", str(text or "")))


def matches(kind: object, item: RecurringItem) -> bool:
    """Whether a record's 活动类型 means ``item`` (its id, name or an alias)."""
    return _norm(kind) in {_norm(label) for label in item.labels}


def load_activities(store: Store, as_of: date | None = None, scope: Scope = CITY) -> pd.DataFrame:
    """``publicity_activity`` rows in ``scope`` dated on or before ``as_of`` (all if None).

    ``activity_date`` is returned as ``datetime64``.
    """
    table = store.table("publicity_activity")
    where = [] if as_of is None else [table.c.activity_date <= as_of]
    df = store.read("publicity_activity", scope, where=where)
    df["activity_date"] = pd.to_datetime(df["activity_date"])
    return df


def _done_tasks(store: Store, plan: Plan, as_of: date) -> dict[str, int | None]:
    """Task id -> list year of the plan's tasks stored as 已完成 on or before ``as_of``."""
    from gsyf_geo.monitor.tasks import all_tasks

    t = PlanTaskStatus.__table__
    stmt = select(t.c.task_id, t.c.updated_at).where(t.c.plan_id == plan.plan_id, t.c.status == _DONE)
    with store.transaction() as conn:
        rows = conn.execute(stmt).all()
    done = set()
    for task_id, updated in rows:
        when = updated.date() if isinstance(updated, datetime) else updated
        if when is None or when <= as_of:
            done.add(task_id)
    return {task.id: task.year for task in all_tasks(store, plan) if task.id in done}


def recurring_status(store: Store, plan: Plan, as_of: date) -> pd.DataFrame:
    """Held / not held / not yet due / no data per recurring item and plan year.

    Parameters
    ----------
    store
        The store (``publicity_activity`` records and task statuses).
    plan
        The plan whose ``recurring`` items are judged.
    as_of
        The evaluation date: later records are ignored.

    Returns
    -------
    pandas.DataFrame
        One row per item and year of the plan, in plan order: 常规工作, item_id, 类别,
        年度, 应开展, 期限, 状态, 开展次数, 首次日期, 依据, 责任部门, 出处. The rule is in
        the module docstring.
    """
    acts = load_activities(store, as_of)
    years_with_records = set(acts["activity_date"].dt.year.dropna().astype(int))
    done = _done_tasks(store, plan, as_of) if any(r.task_ids for r in plan.recurring) else {}
    kinds = acts["kind"].map(_norm)
    rows = []
    for item in plan.recurring:
        labels = {_norm(label) for label in item.labels}
        mine = acts[kinds.isin(labels).to_numpy()]
        for year in plan.years:
            due = item.due_in(year)
            deadline = item.due_date(year) if due else None
            in_year = mine[mine["activity_date"].dt.year == year]
            tasks = [t for t in item.task_ids if t in done and done[t] == year]
            n = len(in_year)
            if not due:
                status = NOT_SCHEDULED
            elif n or tasks:
                status = HELD
            elif as_of <= deadline:
                status = NOT_DUE
            elif year not in years_with_records:
                status = NO_DATA
            else:
                status = NOT_HELD
            evidence = []
            if n:
                evidence.append(f"活动记录 {n} 条")
            if tasks:
                evidence.append("任务 " + "、".join(tasks) + " 已完成")
            rows.append(
                {
                    "常规工作": item.name,
                    "item_id": item.id,
                    "类别": item.kind,
                    "年度": year,
                    "应开展": due,
                    "期限": deadline,
                    "状态": status,
                    "开展次数": n,
                    "首次日期": in_year["activity_date"].min().date() if n else None,
                    "依据": "；".join(evidence),
                    "责任部门": "、".join(item.departments),
                    "出处": item.clause,
                }
            )
    columns = ["常规工作", "item_id", "类别", "年度", "应开展", "期限", "状态", "开展次数", "首次日期",
               "依据", "责任部门", "出处"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def recurring_matrix(status: pd.DataFrame) -> pd.DataFrame:
    """:func:`recurring_status` as a table: one row per item, one column per year (状态)."""
    if status.empty:
        return pd.DataFrame()
    wide = status.pivot(index="常规工作", columns="年度", values="状态")
    wide = wide.reindex(list(dict.fromkeys(status["常规工作"])))
    wide.columns = [f"{y}年" for y in wide.columns]
    return wide.reset_index()


def _unit_name(code: str) -> str:
    unit = REPORTING_UNIT_BY_CODE.get(code)
    return unit.name if unit else CITY_LEVEL


def activity_table(
    store: Store, plan: Plan, as_of: date, scope: Scope = CITY, years: list[int] | None = None
) -> pd.DataFrame:
    """Publicity activities, their reach and training participants per year and reporting unit.

    Parameters
    ----------
    store, plan
        The store and the plan (its meeting/rate-review items are not publicity).
    as_of
        Records dated after it are ignored.
    scope
        The part of the city to count.
    years
        Years to list (default: the plan's years up to ``as_of``).

    Returns
    -------
    pandas.DataFrame
        Columns 年度, 统计单元, 代码, 宣传活动（场次）, 覆盖人次, 人次未填（场次）,
        培训（场次）, 培训人次; one row per year and reporting unit of the scope (units
        without records show 0), then a 合计 row per year. Rules in the module docstring.
    """
    if years is None:
        years = [y for y in plan.years if y <= as_of.year]
    acts = load_activities(store, as_of, scope)
    not_publicity = {_norm(k) for k in NON_PUBLICITY_KINDS}
    for item in plan.recurring:
        if item.kind != "publicity":
            not_publicity |= {_norm(label) for label in item.labels}
    acts = acts[~acts["kind"].map(_norm).isin(not_publicity).to_numpy()]
    acts = acts.assign(year=acts["activity_date"].dt.year)

    rec_t = store.table("training_record")
    training = store.read(
        "training_record", scope, where=[rec_t.c.activity == "training", rec_t.c.activity_date <= as_of],
        columns=["activity_date", "reporting_unit", "participants"],
    )  # fmt: skip
    training = training.assign(year=pd.to_datetime(training["activity_date"]).dt.year)

    units = [u.code for u in REPORTING_UNITS if scope.kind == "city" or _in_scope(scope, u.code)]
    extra = sorted((set(acts["reporting_unit"]) | set(training["reporting_unit"])) - set(units))
    rows = []
    for year in years:
        a_year = acts[acts["year"] == year]
        t_year = training[training["year"] == year]
        block = []
        for code in [*units, *extra]:
            a = a_year[a_year["reporting_unit"] == code]
            t = t_year[t_year["reporting_unit"] == code]
            block.append(
                {
                    "年度": year,
                    "统计单元": _unit_name(code),
                    "代码": code,
                    "宣传活动（场次）": len(a),
                    "覆盖人次": int(pd.to_numeric(a["reach"]).sum(min_count=0)),
                    "人次未填（场次）": int(a["reach"].isna().sum()),
                    "培训（场次）": len(t),
                    "培训人次": int(pd.to_numeric(t["participants"]).sum(min_count=0)),
                }
            )
        total = {k: sum(r[k] for r in block) for k in block[0] if k not in ("年度", "统计单元", "代码")}
        rows += block + [{"年度": year, "统计单元": "合计", "代码": "", **total}]
    columns = ["年度", "统计单元", "代码", "宣传活动（场次）", "覆盖人次", "人次未填（场次）",
               "培训（场次）", "培训人次"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _in_scope(scope: Scope, code: str) -> bool:
    unit = REPORTING_UNIT_BY_CODE[code]
    return bool(scope.contains([unit.district_adcode], [unit.code])[0])
