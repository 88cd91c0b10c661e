"""Work-injury prevention action plans (工伤预防行动计划) as data.

Each plan lives in one JSON file under ``data/plan/`` (schema: ``data/plan/README.md``).
The 2021–2025 plan of 常州市 ships as ``changzhou_2021-2025.json``; a successor plan
(e.g. 2026–2030) is added by dropping another JSON file next to it -- no code change.

The directory can be overridden with the environment variable ``GSYF_PLAN_DIR``.
Every file is validated on load; any problem raises :class:`PlanFileError` with a
Chinese message naming the file and the offending field.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "DEFAULT_PLAN_ID",
    "DIRECTIONS",
    "PLAN_DIR_ENV",
    "Milestone",
    "Plan",
    "PlanFileError",
    "Target",
    "Task",
    "available_plans",
    "default_plan",
    "load_plan",
    "plan_dir",
]

PLAN_DIR_ENV = "GSYF_PLAN_DIR"
"""Environment variable that overrides the plan directory."""

DEFAULT_PLAN_ID = "changzhou_2021-2025"
"""``plan_id`` (and file stem) of the plan returned by :func:`default_plan`."""

DIRECTIONS: tuple[str, ...] = ("at_least", "at_most", "reduce_by", "decreasing_yearly")
"""Allowed values of ``Target.direction``.

``at_least``
    the metric must be >= ``target``.
``at_most``
    the metric must be <= ``target``.
``reduce_by``
    the metric must fall by at least the fraction ``target`` relative to its value in
    the baseline year.
``decreasing_yearly``
    the metric must fall every year; ``target`` may be ``null``.
"""

RATIO_UNIT = "ratio"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PLAN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

_PLAN_KEYS = frozenset(
    {
        "plan_id",
        "title",
        "period",
        "baseline_year",
        "source",
        "notes",
        "key_industries",
        "targets",
        "tasks",
    }
)
_TARGET_KEYS = frozenset(
    {
        "id",
        "name",
        "metric",
        "unit",
        "direction",
        "target",
        "deadline",
        "ongoing",
        "cumulative",
        "baseline_year",
        "params",
        "scope",
        "clause",
        "milestones",
    }
)
_MILESTONE_KEYS = frozenset({"year", "value", "deadline", "ongoing", "note", "scope"})
_TASK_KEYS = frozenset(
    {
        "id",
        "group_no",
        "group",
        "measure",
        "departments",
        "departments_text",
        "deadline_text",
        "deadline",
        "ongoing",
        "target_ids",
    }
)


class PlanFileError(ValueError):
    """A plan file is missing, unreadable or violates the schema.

    Parameters
    ----------
    path
        The offending file (or directory).
    field
        Dotted/indexed path of the offending field, e.g. ``"targets[3].direction"``;
        ``None`` when the problem concerns the whole file.
    problem
        Chinese description of the problem.

    Attributes
    ----------
    path, field, problem
        As passed in; the message is ``计划文件 <path>：字段 <field> <problem>``.
    """

    def __init__(self, path: Path | str, field: str | None, problem: str) -> None:
        self.path = Path(path)
        self.field = field
        self.problem = problem
        where = f"：字段 {field} " if field else "："
        super().__init__(f"计划文件 {self.path}{where}{problem}")


@dataclass(frozen=True)
class Milestone:
    """An intermediate value of a target for one year.

    Attributes
    ----------
    year
        Calendar year the milestone belongs to.
    value
        Required value, in the unit of the owning target (ratios as fractions 0..1).
    deadline
        Date by which ``value`` must be reached, or ``None`` when ongoing/unspecified.
    note
        Where the value comes from (Chinese, quoting the plan).
    scope
        Population the milestone applies to when narrower than the target's scope.
    ongoing
        ``True`` for “长期坚持” milestones without a deadline.
    """

    year: int
    value: float
    deadline: date | None
    note: str = ""
    scope: str | None = None
    ongoing: bool = False


@dataclass(frozen=True)
class Target:
    """One numeric goal of a plan.

    Attributes
    ----------
    id
        English snake_case identifier, unique within the plan.
    name
        Chinese display name.
    metric
        English id of the metric the code computes to check this target.
    unit
        ``"ratio"`` (fraction 0..1), ``"人"``, ``"家"``, ``"名"`` ...
    direction
        One of :data:`DIRECTIONS`.
    target
        Target value; for ``reduce_by`` the reduction fraction (0.20 = −20 %) relative
        to :attr:`baseline_year`; ``None`` only for ``decreasing_yearly``.
    deadline
        Date by which the target must be met; ``None`` for ongoing (“长期坚持”) targets.
    ongoing
        ``True`` for targets that hold permanently (“长期坚持”).
    cumulative
        ``True`` when the value accumulates over the plan period (e.g. units selected
        each year); ``False`` for point-in-time values (ratios, year-end stocks).
    baseline_year
        Baseline year for ``reduce_by`` (the plan's ``baseline_year`` unless overridden).
    scope
        Population the target applies to (Chinese).
    clause
        Paragraph of the plan the target comes from, quoting it briefly.
    params
        Extra numeric parameters of the metric (e.g. ``{"exposure_years_below": 5}``).
    milestones
        Yearly intermediate values, sorted by year.
    """

    id: str
    name: str
    metric: str
    unit: str
    direction: str
    target: float | None
    deadline: date | None
    ongoing: bool = False
    cumulative: bool = False
    baseline_year: int | None = None
    scope: str = ""
    clause: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    milestones: tuple[Milestone, ...] = ()

    def milestone(self, year: int) -> Milestone | None:
        """Return the milestone for ``year``, or ``None`` if the plan gives none."""
        for m in self.milestones:
            if m.year == year:
                return m
        return None


@dataclass(frozen=True)
class Task:
    """One row of the plan's annual key-task list (重点工作任务清单).

    Attributes
    ----------
    id
        Unique id, e.g. ``"2021-01"``.
    group_no, group
        Number and text of the 重点任务 the row belongs to.
    measure
        具体措施, verbatim.
    departments
        Responsible departments, split from :attr:`departments_text` (see the plan's
        ``notes`` for the splitting rule).
    departments_text
        责任部门, verbatim.
    deadline_text
        完成时限, verbatim (e.g. ``"2021年7、11月"``, ``"长期坚持"``).
    deadline
        Last day of the last month in :attr:`deadline_text`; ``None`` when ongoing.
    ongoing
        ``True`` for “长期坚持”.
    target_ids
        Ids of the targets this row contributes to (possibly empty).
    """

    id: str
    group_no: int
    group: str
    measure: str
    departments: tuple[str, ...]
    departments_text: str
    deadline_text: str
    deadline: date | None
    ongoing: bool
    target_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A multi-year work-injury prevention plan with its targets and tasks.

    Attributes
    ----------
    plan_id
        Identifier; equals the JSON file's stem.
    title
        Chinese title.
    period
        ``(first_year, last_year)``, inclusive.
    baseline_year
        Default baseline year for ``reduce_by`` targets (``None`` if the plan has none).
    source
        Where the data was transcribed from.
    key_industries
        Named groups of key industries, e.g. ``{"accident_prone": (...), ...}``.
    targets
        Targets in file order.
    tasks
        Task rows in file order.
    notes
        Free-text transcription notes.
    path
        The file the plan was loaded from (``None`` if built in memory).
    """

    plan_id: str
    title: str
    period: tuple[int, int]
    baseline_year: int | None
    source: str
    key_industries: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    targets: tuple[Target, ...] = ()
    tasks: tuple[Task, ...] = ()
    notes: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)

    def target(self, target_id: str) -> Target:
        """Return the target with id ``target_id``.

        Raises
        ------
        KeyError
            If the plan has no such target.
        """
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"计划 {self.plan_id} 中没有指标 {target_id!r}")

    def milestone_value(self, target_id: str, year: int) -> float | None:
        """Return the milestone value of a target for ``year``.

        Parameters
        ----------
        target_id
            Id of the target.
        year
            Calendar year.

        Returns
        -------
        float or None
            The milestone value, or ``None`` if the plan sets no milestone that year
            (the final ``target`` is *not* substituted).

        Raises
        ------
        KeyError
            If the plan has no such target.
        """
        m = self.target(target_id).milestone(year)
        return None if m is None else m.value

    def tasks_for(self, target_id: str) -> tuple[Task, ...]:
        """Return the task rows that feed ``target_id`` (``KeyError`` if unknown)."""
        self.target(target_id)
        return tuple(t for t in self.tasks if target_id in t.target_ids)

    @property
    def years(self) -> range:
        """The calendar years covered by the plan."""
        return range(self.period[0], self.period[1] + 1)


# --------------------------------------------------------------------------- locating


def plan_dir() -> Path:
    """Return the plan directory: ``$GSYF_PLAN_DIR`` or ``<repo>/data/plan``."""
    override = os.environ.get(PLAN_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(__file__).resolve().parent.parent / "data" / "plan"


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Load and validate one plan file.

    Parameters
    ----------
    path
        Path of a UTF-8 JSON file following ``data/plan/README.md``.

    Returns
    -------
    Plan

    Raises
    ------
    PlanFileError
        If the file is missing, not valid JSON or violates the schema.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanFileError(p, None, "不存在") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(p, None, f"无法读取（需为 UTF-8 文本）：{exc}") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            p,
            None,
            f"不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）",
        ) from exc
    return _Parser(p).plan(raw)


def available_plans(directory: str | os.PathLike[str] | None = None) -> list[Plan]:
    """Load every ``*.json`` plan in ``directory``, sorted by period.

    Parameters
    ----------
    directory
        Directory to scan; defaults to :func:`plan_dir`.

    Returns
    -------
    list of Plan
        Sorted by ``(period, plan_id)``; empty if the directory holds no JSON file.

    Raises
    ------
    PlanFileError
        If the directory does not exist, a file is malformed, or two files share a
        ``plan_id``.
    """
    d = Path(directory) if directory is not None else plan_dir()
    if not d.is_dir():
        raise PlanFileError(d, None, "计划目录不存在")
    plans = [load_plan(f) for f in sorted(d.glob("*.json"))]
    seen: dict[str, Path | None] = {}
    for plan in plans:
        if plan.plan_id in seen:
            raise PlanFileError(
                plan.path or d,
                "plan_id",
                f"{plan.plan_id!r} 与 {seen[plan.plan_id]} 重复",
            )
        seen[plan.plan_id] = plan.path
    return sorted(plans, key=lambda pl: (pl.period, pl.plan_id))


def default_plan() -> Plan:
    """Return the 常州市 2021–2025 plan (``<plan dir>/changzhou_2021-2025.json``).

    Raises
    ------
    PlanFileError
        If the file is missing or malformed.
    """
    return load_plan(plan_dir() / f"{DEFAULT_PLAN_ID}.json")


# --------------------------------------------------------------------------- parsing


class _Parser:
    """Validating converter from decoded JSON to :class:`Plan` for one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str | None, problem: str) -> PlanFileError:
        return PlanFileError(self.path, where, problem)

    # -- primitives ------------------------------------------------------------------

    def obj(self, raw: Any, where: str | None, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, "应为 JSON 对象")
        for key in raw:
            if key not in allowed and not key.startswith("_"):
                sub = f"{where}.{key}" if where else key
                raise self.fail(sub, "是未知字段（拼写错误？以“_”开头的字段可作注释）")
        return raw

    def get(self, obj: dict[str, Any], key: str, where: str | None) -> Any:
        if key not in obj:
            raise self.fail(_join(where, key), "缺失")
        return obj[key]

    def text(
        self, obj: dict[str, Any], key: str, where: str | None, *, required: bool = True
    ) -> str:
        sub = _join(where, key)
        if key not in obj or obj[key] is None:
            if required:
                raise self.fail(sub, "缺失")
            return ""
        value = obj[key]
        if not isinstance(value, str):
            raise self.fail(sub, f"应为字符串，实际为 {value!r}")
        if required and not value.strip():
            raise self.fail(sub, "不能为空")
        return value

    def ident(self, obj: dict[str, Any], key: str, where: str | None) -> str:
        value = self.text(obj, key, where)
        if not _ID_RE.match(value):
            raise self.fail(_join(where, key), f"{value!r} 不是小写英文 snake_case 标识符")
        return value

    def integer(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"应为整数，实际为 {value!r}")
        return value

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, f"应为数值，实际为 {value!r}")
        if not math.isfinite(value):
            raise self.fail(where, f"应为有限数值，实际为 {value!r}")
        return value

    def flag(self, obj: dict[str, Any], key: str, where: str | None) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(_join(where, key), f"应为 true/false，实际为 {value!r}")
        return value

    def iso_date(self, obj: dict[str, Any], key: str, where: str | None) -> date | None:
        sub = _join(where, key)
        value = self.get(obj, key, where)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(sub, f"应为 ISO 日期字符串（如 2025-12-31）或 null，实际为 {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(sub, f"{value!r} 不是合法的 ISO 日期（YYYY-MM-DD）") from None

    def deadline(self, obj: dict[str, Any], where: str) -> tuple[date | None, bool]:
        deadline = self.iso_date(obj, "deadline", where)
        ongoing = self.flag(obj, "ongoing", where)
        if deadline is None and not ongoing:
            raise self.fail(f"{where}.deadline", '为 null 时须同时设置 "ongoing": true（长期坚持）')
        if deadline is not None and ongoing:
            raise self.fail(f"{where}.ongoing", "为 true（长期坚持）时 deadline 应为 null")
        return deadline, ongoing

    def str_list(self, value: Any, where: str, *, allow_empty: bool) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(where, "应为字符串列表")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{where}[{i}]", f"应为非空字符串，实际为 {item!r}")
        if not value and not allow_empty:
            raise self.fail(where, "不能为空列表")
        return tuple(value)

    # -- structure -------------------------------------------------------------------

    def plan(self, raw: Any) -> Plan:
        top = self.obj(raw, None, _PLAN_KEYS)
        plan_id = self.text(top, "plan_id", None)
        if not _PLAN_ID_RE.match(plan_id):
            raise self.fail("plan_id", f"{plan_id!r} 只能包含英文字母、数字、“_”“-”“.”")
        if plan_id != self.path.stem:
            raise self.fail(
                "plan_id",
                f"{plan_id!r} 与文件名 {self.path.stem!r} 不一致（文件应命名为 <plan_id>.json）",
            )
        title = self.text(top, "title", None)
        period = self.period(self.get(top, "period", None))
        baseline_year = top.get("baseline_year")
        if baseline_year is not None:
            baseline_year = self.integer(baseline_year, "baseline_year")
            if baseline_year >= period[1]:
                raise self.fail("baseline_year", f"{baseline_year} 应早于计划期末 {period[1]}")
        source = self.text(top, "source", None, required=False)
        notes = self.notes(top.get("notes"))
        key_industries = self.key_industries(top.get("key_industries", {}))

        raw_targets = self.get(top, "targets", None)
        if not isinstance(raw_targets, list):
            raise self.fail("targets", "应为列表")
        targets: list[Target] = []
        seen_targets: set[str] = set()
        for i, rt in enumerate(raw_targets):
            t = self.target(rt, f"targets[{i}]", period, baseline_year)
            if t.id in seen_targets:
                raise self.fail(f"targets[{i}].id", f"指标 id {t.id!r} 重复")
            seen_targets.add(t.id)
            targets.append(t)

        raw_tasks = top.get("tasks", [])
        if not isinstance(raw_tasks, list):
            raise self.fail("tasks", "应为列表")
        tasks: list[Task] = []
        seen_tasks: set[str] = set()
        for i, rt in enumerate(raw_tasks):
            task = self.task(rt, f"tasks[{i}]", seen_targets)
            if task.id in seen_tasks:
                raise self.fail(f"tasks[{i}].id", f"任务 id {task.id!r} 重复")
            seen_tasks.add(task.id)
            tasks.append(task)

        return Plan(
            plan_id=plan_id,
            title=title,
            period=period,
            baseline_year=baseline_year,
            source=source,
            key_industries=key_industries,
            targets=tuple(targets),
            tasks=tuple(tasks),
            notes=notes,
            path=self.path,
        )

    def period(self, value: Any) -> tuple[int, int]:
        if not isinstance(value, list) or len(value) != 2:
            raise self.fail("period", f"应为 [起始年, 结束年]，实际为 {value!r}")
        start = self.integer(value[0], "period[0]")
        end = self.integer(value[1], "period[1]")
        if not 1900 < start <= end < 2200:
            raise self.fail("period", f"{value!r} 不是合理的年份区间（起始年 ≤ 结束年）")
        return start, end

    def notes(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        return self.str_list(value, "notes", allow_empty=True)

    def key_industries(self, value: Any) -> Mapping[str, tuple[str, ...]]:
        if not isinstance(value, dict):
            raise self.fail("key_industries", "应为对象：{分组名: [行业, ...]}")
        out = {
            str(k): self.str_list(v, f"key_industries.{k}", allow_empty=False)
            for k, v in value.items()
        }
        return MappingProxyType(out)

    def target(
        self, raw: Any, where: str, period: tuple[int, int], plan_baseline: int | None
    ) -> Target:
        obj = self.obj(raw, where, _TARGET_KEYS)
        tid = self.ident(obj, "id", where)
        name = self.text(obj, "name", where)
        metric = self.ident(obj, "metric", where)
        unit = self.text(obj, "unit", where)
        direction = self.text(obj, "direction", where)
        if direction not in DIRECTIONS:
            raise self.fail(
                f"{where}.direction",
                f"{direction!r} 不是已知方向，应为 {' / '.join(DIRECTIONS)} 之一",
            )
        raw_value = self.get(obj, "target", where)
        value: float | None
        if raw_value is None:
            if direction != "decreasing_yearly":
                raise self.fail(f"{where}.target", "缺少目标数值（仅 decreasing_yearly 可为 null）")
            value = None
        else:
            value = self.number(raw_value, f"{where}.target")
            self.check_unit(value, unit, f"{where}.target")
            if direction == "reduce_by" and not 0 < value <= 1:
                raise self.fail(
                    f"{where}.target",
                    f"reduce_by 的目标应为 0~1 之间的降幅比例（如 0.20），实际为 {value!r}",
                )
        deadline, ongoing = self.deadline(obj, where)
        if deadline is not None and deadline.year > period[1]:
            raise self.fail(f"{where}.deadline", f"{deadline} 晚于计划期末 {period[1]} 年")
        cumulative = self.flag(obj, "cumulative", where)

        baseline_year = obj.get("baseline_year", plan_baseline)
        if baseline_year is not None:
            baseline_year = self.integer(baseline_year, f"{where}.baseline_year")
        if direction == "reduce_by" and baseline_year is None:
            raise self.fail(
                f"{where}.baseline_year",
                "reduce_by 指标需要基准年（在指标或计划顶层设置 baseline_year）",
            )

        params = obj.get("params", {})
        if not isinstance(params, dict):
            raise self.fail(f"{where}.params", "应为对象")

        raw_ms = obj.get("milestones", [])
        if not isinstance(raw_ms, list):
            raise self.fail(f"{where}.milestones", "应为列表")
        milestones: list[Milestone] = []
        years: set[int] = set()
        for j, rm in enumerate(raw_ms):
            m = self.milestone(rm, f"{where}.milestones[{j}]", unit, period)
            if m.year in years:
                raise self.fail(f"{where}.milestones[{j}].year", f"{m.year} 年的里程碑重复")
            years.add(m.year)
            milestones.append(m)

        return Target(
            id=tid,
            name=name,
            metric=metric,
            unit=unit,
            direction=direction,
            target=value,
            deadline=deadline,
            ongoing=ongoing,
            cumulative=cumulative,
            baseline_year=baseline_year,
            scope=self.text(obj, "scope", where, required=False),
            clause=self.text(obj, "clause", where, required=False),
            params=MappingProxyType(dict(params)),
            milestones=tuple(sorted(milestones, key=lambda m: m.year)),
        )

    def milestone(self, raw: Any, where: str, unit: str, period: tuple[int, int]) -> Milestone:
        obj = self.obj(raw, where, _MILESTONE_KEYS)
        year = self.integer(self.get(obj, "year", where), f"{where}.year")
        if not period[0] <= year <= period[1]:
            raise self.fail(f"{where}.year", f"{year} 不在计划期 {period[0]}–{period[1]} 内")
        value = self.number(self.get(obj, "value", where), f"{where}.value")
        self.check_unit(value, unit, f"{where}.value")
        deadline, ongoing = self.deadline(obj, where)
        if deadline is not None and deadline.year != year:
            raise self.fail(f"{where}.deadline", f"{deadline} 不在里程碑年份 {year} 内")
        scope = self.text(obj, "scope", where, required=False) or None
        return Milestone(
            year=year,
            value=value,
            deadline=deadline,
            note=self.text(obj, "note", where, required=False),
            scope=scope,
            ongoing=ongoing,
        )

    def check_unit(self, value: float, unit: str, where: str) -> None:
        if unit == RATIO_UNIT and not 0 <= value <= 1:
            raise self.fail(
                where,
                f"单位为 ratio 时应为 0~1 的小数（100% 记为 1.0），实际为 {value!r}",
            )
        if unit != RATIO_UNIT and value < 0:
            raise self.fail(where, f"不能为负数，实际为 {value!r}")

    def task(self, raw: Any, where: str, target_ids: set[str]) -> Task:
        obj = self.obj(raw, where, _TASK_KEYS)
        task_id = self.text(obj, "id", where)
        group_no = self.integer(self.get(obj, "group_no", where), f"{where}.group_no")
        if group_no < 1:
            raise self.fail(f"{where}.group_no", f"应为正整数，实际为 {group_no}")
        departments = self.str_list(
            self.get(obj, "departments", where),
            f"{where}.departments",
            allow_empty=False,
        )
        deadline, ongoing = self.deadline(obj, where)
        refs = self.str_list(obj.get("target_ids", []), f"{where}.target_ids", allow_empty=True)
        for k, ref in enumerate(refs):
            if ref not in target_ids:
                raise self.fail(f"{where}.target_ids[{k}]", f"引用了不存在的指标 {ref!r}")
        return Task(
            id=task_id,
            group_no=group_no,
            group=self.text(obj, "group", where),
            measure=self.text(obj, "measure", where),
            departments=departments,
            departments_text=self.text(obj, "departments_text", where),
            deadline_text=self.text(obj, "deadline_text", where),
            deadline=deadline,
            ongoing=ongoing,
            target_ids=refs,
        )


def _join(where: str | None, key: str) -> str:
    return f"{where}.{key}" if where else key
