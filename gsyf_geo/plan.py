"""Work-injury prevention action plans (工伤预防行动计划) as data.

Each plan lives in one JSON file under ``data/plan/`` (schema: ``data/plan/README.md``).
The 2021–2025 plan of 常州市 ships as ``changzhou_2021-2025.json``; a successor plan
(e.g. 2026–2030) is added by dropping another JSON file next to it -- no code change.

The directory can be overridden with the environment variable ``GSYF_PLAN_DIR``.
Every file is validated on load; any problem raises :class:`PlanFileError` with a
Chinese message naming the file and the offending field.
"""

from __future__ import annotations

import calendar
import dataclasses
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

import pandas as pd

from gsyf_geo.domain import (
    KEY_INDUSTRIES,
    KEY_INDUSTRY_BY_ID,
    KEY_INDUSTRY_BY_NAME,
    REPORTING_UNIT_BY_CODE,
    IndustryGroup,
    KeyIndustry,
    normalize_industry_code,
)

__all__ = [
    "DEFAULT_PLAN_ID",
    "DIRECTIONS",
    "HAZCHEM_ID",
    "INJURY_DATE_BASES",
    "PLAN_DIR_ENV",
    "RECURRING_KINDS",
    "KeyIndustrySet",
    "Milestone",
    "Plan",
    "PlanFileError",
    "RecurringItem",
    "Rules",
    "Target",
    "Task",
    "available_plans",
    "default_plan",
    "load_plan",
    "parse_deadline_text",
    "plan_dir",
    "split_departments",
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

INJURY_DATE_BASES: tuple[str, ...] = ("recognition", "injury")
"""Allowed values of ``rules.injury_date_basis``: count injuries by 认定日期 or 受伤日期."""

RECURRING_KINDS: tuple[str, ...] = ("publicity", "meeting", "rate_review", "other")
"""Allowed values of ``recurring[].kind``: 宣传活动, 会议, 费率调整, 其他."""

HAZCHEM_ID = "hazchem"
"""Id of 危险化学品: counted by the enterprise's licence flag, not by industry code."""

DEFAULT_MIN_SAMPLE = 20

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
        "rules",
        "targets",
        "tasks",
        "recurring",
    }
)
_RULES_KEYS = frozenset({"commuting_included", "injury_date_basis", "min_sample"})
_INDUSTRY_KEYS = frozenset({"id", "name", "code_prefixes", "risk_class", "color", "source"})
_RECURRING_KEYS = frozenset(
    {
        "id",
        "name",
        "kind",
        "every_years",
        "first_year",
        "last_year",
        "due_month",
        "departments",
        "clause",
        "aliases",
        "task_ids",
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
        "tolerance",
        "wording",
        "unit_targets",
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
        "year",
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
    tolerance
        Relative tolerance the plan's wording allows (0.0 = none). An ``at_least`` target
        is met when the value is >= ``target * (1 - tolerance)``, an ``at_most`` one when it
        is <= ``target * (1 + tolerance)`` (see :meth:`threshold`). “10家左右” with
        tolerance 0.1 is met at 9 or more.
    wording
        The plan's own words for the target (e.g. ``"10家左右"``), shown beside the verdict;
        ``None`` when the file gives none.
    unit_targets
        Reporting-unit code (``"320413"``, ``"JKQ"``) -> that unit's share of the target;
        empty when the plan gives no district shares.
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
    tolerance: float = 0.0
    wording: str | None = None
    unit_targets: Mapping[str, float] = field(default_factory=dict, hash=False)

    def milestone(self, year: int) -> Milestone | None:
        """Return the milestone for ``year``, or ``None`` if the plan gives none."""
        for m in self.milestones:
            if m.year == year:
                return m
        return None

    def threshold(self, value: float | None = None) -> float | None:
        """The value a result is compared with, tolerance applied.

        Parameters
        ----------
        value
            The nominal target (default :attr:`target`; pass a milestone or a unit share
            to apply the same tolerance to it).

        Returns
        -------
        float or None
            ``value * (1 - tolerance)`` for ``at_least``, ``value * (1 + tolerance)`` for
            ``at_most``, ``value`` unchanged for the other directions; ``None`` when there
            is no value.
        """
        nominal = self.target if value is None else value
        if nominal is None:
            return None
        if self.direction == "at_least":
            return nominal * (1 - self.tolerance)
        if self.direction == "at_most":
            return nominal * (1 + self.tolerance)
        return nominal


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
    year
        Year of the task list the row belongs to (JSON ``year``; by default the year in
        the id ``"2021-01"``, else the deadline's year).
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
    year: int | None = None


@dataclass(frozen=True)
class Rules:
    """Counting rules a plan fixes (JSON object ``rules``; every key optional).

    Attributes
    ----------
    commuting_included
        Whether commuting injuries (上下班途中) count in the accident rate (default False).
    injury_date_basis
        ``"recognition"`` (count by 认定日期, default) or ``"injury"`` (by 受伤日期).
    min_sample
        Shares and ratios whose denominator (enterprises, key staff, cases, projects) is
        below this count are 样本不足 and not judged (default 20).
    """

    commuting_included: bool = False
    injury_date_basis: str = "recognition"
    min_sample: int = DEFAULT_MIN_SAMPLE


@dataclass(frozen=True)
class KeyIndustrySet:
    """The key industries of a plan and how an enterprise is assigned to one.

    Rule (:meth:`classify`): an enterprise holding a 危险化学品 licence is 危险化学品 when
    the plan names 危险化学品; otherwise its GB/T 4754-2017 code is matched against every
    code prefix of the plan's industries and the **longest** matching prefix decides (C373
    is 船舶制造 rather than 机械制造's 37, G602 is 即时配送 rather than 交通运输's 60);
    no match means no key industry (``None``).

    Attributes
    ----------
    industries
        The plan's key industries, in file order (catalogue entries from
        :data:`gsyf_geo.domain.KEY_INDUSTRIES`, or industries the plan defines itself).
    groups
        Group name (``accident_prone``, ``disease_prone``, ...) -> industry ids.
    """

    industries: tuple[KeyIndustry, ...]
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    @classmethod
    def default(cls) -> KeyIndustrySet:
        """All of :data:`gsyf_geo.domain.KEY_INDUSTRIES`, grouped as in the catalogue."""
        groups: dict[str, list[str]] = {}
        for ind in KEY_INDUSTRIES:
            groups.setdefault(str(ind.group), []).append(ind.id)
        return cls(KEY_INDUSTRIES, MappingProxyType({k: tuple(v) for k, v in groups.items()}))

    @property
    def ids(self) -> frozenset[str]:
        """The ids of the plan's key industries."""
        return frozenset(ind.id for ind in self.industries)

    @property
    def by_id(self) -> Mapping[str, KeyIndustry]:
        """Industries by id."""
        return {ind.id: ind for ind in self.industries}

    @property
    def by_name(self) -> Mapping[str, KeyIndustry]:
        """Industries by Chinese name."""
        return {ind.name: ind for ind in self.industries}

    def classify_code(self, industry_code: object) -> str | None:
        """Key industry id of one industry code by the longest prefix (licence ignored)."""
        if industry_code is None or (isinstance(industry_code, float) and math.isnan(industry_code)):
            return None
        norm = normalize_industry_code(str(industry_code))
        if norm is None:
            return None
        digits = norm[1:]
        best: tuple[int, str] | None = None
        for ind in self.industries:
            for prefix in ind.code_prefixes:
                if digits.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), ind.id)
        return best[1] if best else None

    def classify(self, industry_code: pd.Series, hazchem_licence: pd.Series | None = None) -> pd.Series:
        """Key industry id per enterprise (``None`` outside the plan's key industries).

        Parameters
        ----------
        industry_code
            GB/T 4754-2017 codes, with or without the section letter (missing: None/NaN).
        hazchem_licence
            The 危险化学品 licence flag: a Series aligned on the index of ``industry_code``,
            or any sequence in the same order (missing = False).

        Returns
        -------
        pandas.Series
            Object dtype, same index as ``industry_code``.
        """
        codes = pd.Series(industry_code, copy=False).astype(object)
        mapping = {c: self.classify_code(c) for c in pd.unique(codes.dropna())}
        out = pd.Series([mapping.get(c) if pd.notna(c) else None for c in codes],
                        index=codes.index, dtype=object)  # fmt: skip
        if hazchem_licence is not None and HAZCHEM_ID in self.ids:
            if isinstance(hazchem_licence, pd.Series):
                flag = hazchem_licence.reindex(codes.index)
            else:
                flag = pd.Series(list(hazchem_licence), index=codes.index, dtype=object)
            flag = flag.astype(object).where(flag.notna(), False).astype(bool)
            out[flag.to_numpy()] = HAZCHEM_ID
        return out


@dataclass(frozen=True)
class RecurringItem:
    """Work the plan repeats on a cycle (年度常规工作), e.g. the yearly 安全生产月.

    Attributes
    ----------
    id, name
        English id and Chinese name.
    kind
        One of :data:`RECURRING_KINDS`.
    every_years, first_year, last_year
        Due in ``first_year`` and every ``every_years`` years after, up to ``last_year``
        (the plan's last year unless given).
    due_month
        Month by the end of which it is due in a due year (``None``: by 31 December).
    departments
        Responsible departments.
    clause
        The plan's words.
    aliases
        Other names a record's 活动类型 may use for this item (its id and name always match).
    task_ids
        Task-list rows that record this item (a 已完成 row counts as held in its year).
    """

    id: str
    name: str
    kind: str
    every_years: int
    first_year: int
    last_year: int
    due_month: int | None = None
    departments: tuple[str, ...] = ()
    clause: str = ""
    aliases: tuple[str, ...] = ()
    task_ids: tuple[str, ...] = ()

    def due_in(self, year: int) -> bool:
        """Whether the item is due in ``year``."""
        return self.first_year <= year <= self.last_year and (
            (year - self.first_year) % self.every_years == 0
        )

    def due_date(self, year: int) -> date:
        """Last day by which the item must be done in ``year``."""
        month = self.due_month or 12
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def labels(self) -> frozenset[str]:
        """Values of a record's 活动类型 that mean this item: id, name and aliases."""
        return frozenset({self.id, self.name, *self.aliases})


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
    rules
        Counting rules (:class:`Rules`; defaults when the file has no ``rules``).
    key_industry_set
        The key industries as objects with :meth:`KeyIndustrySet.classify` (all of the
        catalogue when the file has no ``key_industries``).
    recurring
        Recurring work (:class:`RecurringItem`), in file order.
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
    rules: Rules = field(default_factory=Rules)
    key_industry_set: KeyIndustrySet = field(
        default_factory=KeyIndustrySet.default, compare=False, hash=False
    )
    recurring: tuple[RecurringItem, ...] = ()

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

    def target_for_metric(self, metric_id: str) -> Target | None:
        """The plan's target for a metric (the first in file order), or ``None``.

        E.g. ``target_for_metric("training_bases").target`` is the number of bases to
        build and ``target_for_metric("project_insurance_rate").target`` the insured share
        of new projects; code reads them here rather than from constants.
        """
        for t in self.targets:
            if t.metric == metric_id:
                return t
        return None

    def recurring_due(self, year: int) -> list[RecurringItem]:
        """The recurring items due in ``year`` (file order)."""
        return [r for r in self.recurring if r.due_in(year)]

    def tasks_of_year(self, year: int) -> tuple[Task, ...]:
        """The file's task rows of the ``year`` task list."""
        return tuple(t for t in self.tasks if t.year == year)

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
        if "key_industries" in top:
            key_industries, industry_set = self.key_industries(top["key_industries"])
        else:
            industry_set = KeyIndustrySet.default()
            names = {g: tuple(industry_set.by_id[i].name for i in ids)
                     for g, ids in industry_set.groups.items()}  # fmt: skip
            key_industries = MappingProxyType(names)
        rules = self.rules(top.get("rules", {}))

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

        raw_recurring = top.get("recurring", [])
        if not isinstance(raw_recurring, list):
            raise self.fail("recurring", "应为列表")
        recurring: list[RecurringItem] = []
        seen_recurring: set[str] = set()
        for i, rr in enumerate(raw_recurring):
            item = self.recurring(rr, f"recurring[{i}]", period, seen_tasks)
            if item.id in seen_recurring:
                raise self.fail(f"recurring[{i}].id", f"常规工作 id {item.id!r} 重复")
            seen_recurring.add(item.id)
            recurring.append(item)

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
            rules=rules,
            key_industry_set=industry_set,
            recurring=tuple(recurring),
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

    def rules(self, value: Any) -> Rules:
        obj = self.obj(value, "rules", _RULES_KEYS)
        commuting = self.flag(obj, "commuting_included", "rules")
        basis = obj.get("injury_date_basis", "recognition")
        if basis not in INJURY_DATE_BASES:
            raise self.fail(
                "rules.injury_date_basis",
                f"{basis!r} 不是已知口径，应为 recognition（认定日期）或 injury（受伤日期）",
            )
        min_sample = obj.get("min_sample", DEFAULT_MIN_SAMPLE)
        min_sample = self.integer(min_sample, "rules.min_sample")
        if min_sample < 1:
            raise self.fail("rules.min_sample", f"应为正整数，实际为 {min_sample}")
        return Rules(commuting_included=commuting, injury_date_basis=basis, min_sample=min_sample)

    def key_industries(
        self, value: Any
    ) -> tuple[Mapping[str, tuple[str, ...]], KeyIndustrySet]:
        if not isinstance(value, dict) or not value:
            raise self.fail("key_industries", "应为非空对象：{分组名: [行业, ...]}")
        names: dict[str, tuple[str, ...]] = {}
        groups: dict[str, tuple[str, ...]] = {}
        industries: list[KeyIndustry] = []
        where_of: dict[str, str] = {}
        prefixes: dict[str, tuple[str, str]] = {}  # prefix -> (industry id, where)
        for g, items in value.items():
            gw = f"key_industries.{g}"
            if not isinstance(items, list) or not items:
                raise self.fail(gw, "应为非空列表：行业名称或行业对象")
            group = IndustryGroup(g) if g in {x.value for x in IndustryGroup} else g
            ids: list[str] = []
            for j, item in enumerate(items):
                w = f"{gw}[{j}]"
                ind = self.industry(item, w, len(industries))
                if ind.group != group:
                    ind = dataclasses.replace(ind, group=group)
                if ind.id in where_of:
                    raise self.fail(w, f"行业 {ind.name!r} 已在 {where_of[ind.id]} 列出")
                for prefix in ind.code_prefixes:
                    if prefix in prefixes:
                        other, ow = prefixes[prefix]
                        raise self.fail(
                            w, f"代码前缀 {prefix!r} 与 {ow}（{other}）重复，无法判定归属"
                        )
                    prefixes[prefix] = (ind.id, w)
                where_of[ind.id] = w
                industries.append(ind)
                ids.append(ind.id)
            names[str(g)] = tuple(KEY_INDUSTRY_BY_ID[i].name if i in KEY_INDUSTRY_BY_ID
                                  else next(x.name for x in industries if x.id == i)
                                  for i in ids)  # fmt: skip
            groups[str(g)] = tuple(ids)
        industry_set = KeyIndustrySet(tuple(industries), MappingProxyType(groups))
        return MappingProxyType(names), industry_set

    def industry(self, item: Any, where: str, index: int) -> KeyIndustry:
        if isinstance(item, str):
            if item not in KEY_INDUSTRY_BY_NAME:
                known = "、".join(KEY_INDUSTRY_BY_NAME)
                raise self.fail(
                    where,
                    f"{item!r} 不是目录中的重点行业（{known}）；新行业请写成对象"
                    '{"id", "name", "code_prefixes", "risk_class"}',
                )
            return KEY_INDUSTRY_BY_NAME[item]
        obj = self.obj(item, where, _INDUSTRY_KEYS)
        iid = self.ident(obj, "id", where)
        name = self.text(obj, "name", where)
        if iid in KEY_INDUSTRY_BY_ID or name in KEY_INDUSTRY_BY_NAME:
            raise self.fail(f"{where}.id", f"{iid!r}/{name!r} 与目录中的行业重复：请直接写行业名称")
        raw_prefixes = self.str_list(
            self.get(obj, "code_prefixes", where), f"{where}.code_prefixes", allow_empty=False
        )
        for k, prefix in enumerate(raw_prefixes):
            if not re.fullmatch(r"\d{2,4}", prefix) or normalize_industry_code(prefix) is None:
                raise self.fail(
                    f"{where}.code_prefixes[{k}]",
                    f"{prefix!r} 不是 GB/T 4754-2017 的 2–4 位数字代码前缀（不带门类字母）",
                )
        risk = self.integer(self.get(obj, "risk_class", where), f"{where}.risk_class")
        if not 1 <= risk <= 8:
            raise self.fail(f"{where}.risk_class", f"应为 1–8 的行业风险类别，实际为 {risk}")
        color = obj.get("color") or _PALETTE[index % len(_PALETTE)]
        if not isinstance(color, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            raise self.fail(f"{where}.color", f"应为 #RRGGBB 颜色，实际为 {color!r}")
        return KeyIndustry(iid, name, IndustryGroup.ACCIDENT_PRONE, raw_prefixes, risk, color)

    def recurring(
        self, raw: Any, where: str, period: tuple[int, int], task_ids: set[str]
    ) -> RecurringItem:
        obj = self.obj(raw, where, _RECURRING_KEYS)
        rid = self.ident(obj, "id", where)
        name = self.text(obj, "name", where)
        kind = self.text(obj, "kind", where)
        if kind not in RECURRING_KINDS:
            raise self.fail(f"{where}.kind", f"{kind!r} 应为 {' / '.join(RECURRING_KINDS)} 之一")
        every = self.integer(self.get(obj, "every_years", where), f"{where}.every_years")
        if every < 1:
            raise self.fail(f"{where}.every_years", f"应为正整数，实际为 {every}")
        first = self.integer(self.get(obj, "first_year", where), f"{where}.first_year")
        if not period[0] <= first <= period[1]:
            raise self.fail(f"{where}.first_year", f"{first} 不在计划期 {period[0]}–{period[1]} 内")
        last = obj.get("last_year", period[1])
        last = self.integer(last, f"{where}.last_year")
        if not first <= last <= period[1]:
            raise self.fail(f"{where}.last_year", f"{last} 应在 {first}–{period[1]} 之间")
        month = obj.get("due_month")
        if month is not None:
            month = self.integer(month, f"{where}.due_month")
            if not 1 <= month <= 12:
                raise self.fail(f"{where}.due_month", f"应为 1–12 的月份，实际为 {month}")
        departments = self.str_list(obj.get("departments", []), f"{where}.departments",
                                    allow_empty=True)  # fmt: skip
        aliases = self.str_list(obj.get("aliases", []), f"{where}.aliases", allow_empty=True)
        refs = self.str_list(obj.get("task_ids", []), f"{where}.task_ids", allow_empty=True)
        for k, ref in enumerate(refs):
            if ref not in task_ids:
                raise self.fail(f"{where}.task_ids[{k}]", f"引用了不存在的任务 {ref!r}")
        return RecurringItem(
            id=rid,
            name=name,
            kind=kind,
            every_years=every,
            first_year=first,
            last_year=last,
            due_month=month,
            departments=departments,
            clause=self.text(obj, "clause", where, required=False),
            aliases=aliases,
            task_ids=refs,
        )

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

        tolerance = obj.get("tolerance", 0.0)
        tolerance = self.number(tolerance, f"{where}.tolerance")
        if not 0 <= tolerance < 1:
            raise self.fail(f"{where}.tolerance", f"应为 0~1 之间的相对容差（如 0.1），实际为 {tolerance!r}")
        if tolerance and direction not in ("at_least", "at_most"):
            raise self.fail(f"{where}.tolerance", f"仅 at_least / at_most 指标可设容差，本指标为 {direction}")
        wording = self.text(obj, "wording", where, required=False) or None
        raw_units = obj.get("unit_targets", {})
        if not isinstance(raw_units, dict):
            raise self.fail(f"{where}.unit_targets", "应为对象：{统计单元代码: 目标值}")
        unit_targets: dict[str, float] = {}
        for code, share in raw_units.items():
            uw = f"{where}.unit_targets.{code}"
            if code not in REPORTING_UNIT_BY_CODE:
                known = "、".join(REPORTING_UNIT_BY_CODE)
                raise self.fail(uw, f"{code!r} 不是统计单元代码（{known}）")
            share = self.number(share, uw)
            self.check_unit(share, unit, uw)
            unit_targets[code] = share

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
            tolerance=float(tolerance),
            wording=wording,
            unit_targets=MappingProxyType(unit_targets),
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
        year = obj.get("year")
        if year is not None:
            year = self.integer(year, f"{where}.year")
        else:
            m = re.match(r"^(\d{4})-", task_id)
            year = int(m.group(1)) if m else (deadline.year if deadline else None)
        if year is None:
            raise self.fail(f"{where}.year", "无法从 id 或 deadline 推出所属年度，请填写 year")
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
            year=year,
        )


_PALETTE = ("#e6ab02", "#66a61e", "#e41a1c", "#377eb8", "#984ea3", "#ff7f00")


# --------------------------------------------------------------------------- task-list text

_ROLE_END = re.compile(r"^(.+?)(牵头|配合)$")


def split_departments(text: str) -> tuple[str, ...]:
    """Split a 责任部门 cell into departments (the rule of the 2021 task list).

    Split on “、”, “，” and “,”; a piece ending in 牵头/配合 becomes “X（牵头）”/“X（配合）”;
    other pieces stay as written (“市人社局等八部门” is not expanded).

    Examples
    --------
    >>> split_departments("市人社局牵头，其他单位配合")
    ('市人社局（牵头）', '其他单位（配合）')
    """
    out: list[str] = []
    for piece in re.split(r"[、，,]", text or ""):
        piece = piece.strip()
        if not piece:
            continue
        m = _ROLE_END.match(piece)
        out.append(f"{m.group(1)}（{m.group(2)}）" if m else piece)
    return tuple(out)


_ONGOING_WORDS = ("长期坚持", "长期", "常态化", "持续推进")
_QUARTERS = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline_text(text: str, year: int | None = None) -> tuple[date | None, bool]:
    """Read a 完成时限 cell: ``(deadline, ongoing)``.

    Rule: “长期坚持” (also 长期, 常态化, 持续推进) is ongoing with no deadline. Otherwise the
    last year named (or ``year`` when the cell names none) and, after it, the last month
    named give the deadline: the last day of that month (“2021年7、11月” → 2021-11-30,
    “2022年1-6月” → 2022-06-30). An explicit day (“2022年9月15日”) is taken as is; a
    quarter (“第三季度”) ends with its last month, 上半年 with June; a year alone (“2022年”,
    “2022年底”, “年内”) means 31 December.

    Raises
    ------
    ValueError
        With a Chinese message when the text gives no usable date.
    """
    raw = str(text or "").strip()
    s = re.sub(r"\s+", "", raw).translate(str.maketrans("０１２３４５６７８９－～", "0123456789-~"))
    if not s:
        raise ValueError("完成时限为空")
    if any(w in s for w in _ONGOING_WORDS):
        return None, True
    years = list(re.finditer(r"(\d{4})年?", s))
    years = [m for m in years if 1900 < int(m.group(1)) < 2200]
    if years:
        y = int(years[-1].group(1))
        rest = s[years[-1].end():]
    elif year is not None:
        y, rest = year, s
    else:
        raise ValueError(f"完成时限“{raw}”中没有年份")
    days = re.findall(r"(\d{1,2})月(\d{1,2})日", rest)
    try:
        if days:
            m, d = (int(x) for x in days[-1])
            return date(y, m, d), False
        if "月" in rest:
            months = [int(x) for x in re.findall(r"\d{1,2}", rest[: rest.rfind("月")])]
            if not months:
                raise ValueError
            month = months[-1]
            if not 1 <= month <= 12:
                raise ValueError
            return _month_end(y, month), False
        q = re.search(r"第?([一二三四1234])季度", rest)
        if q:
            return _month_end(y, _QUARTERS[q.group(1)]), False
        if "上半年" in rest:
            return _month_end(y, 6), False
        if rest in ("", "底", "年底", "年末", "内", "年内", "全年", "下半年", "末"):
            return date(y, 12, 31), False
    except ValueError:
        pass
    raise ValueError(f"无法识别完成时限“{raw}”（应如“2022年6月”“2022年7、11月”“长期坚持”）")


def _join(where: str | None, key: str) -> str:
    return f"{where}.{key}" if where else key
