"""The plan's metrics computed from the store, by year and by reporting unit.

Every target of a plan names a ``metric`` id; :data:`METRIC_INFO` holds one entry per id
with its Chinese name and definition and one function that reads what it needs through
:meth:`Store.read <gsyf_geo.store.Store.read>` with the caller's :class:`Scope` and returns,
per reporting unit and year, a numerator and (for ratios and rates) a denominator. The
city-wide value is computed from the summed parts, so it equals what a city-scope read
gives and the units add up to the city.

"No data" is ``None`` -- never zero:

- the kind a metric needs holds no rows in the scope (e.g. no publicity records are
  loaded): every year is ``None``;
- a ratio whose denominator is zero or missing in a year is ``None`` for that year
  (:mod:`gsyf_geo.metrics`);
- yearly stocks (insured persons) are ``None`` in a year without a row;
- metrics built from training/publicity records are ``None`` for the years before the
  first training or publicity record in the scope (the records do not cover those years).

Definitions (years are calendar years; "year Y" means 1 January to 31 December of Y). The
enterprise-level rules (重点行业, 重点企业, average insured, injury counting) are written
once in :mod:`gsyf_geo.metrics` and shared with the risk map:

``publicity_coverage``
    Key-industry enterprises (the plan's key-industry classification, see
    :func:`gsyf_geo.metrics.key_industries`) reached by at least one publicity record
    (``training_record.activity == "publicity"``) dated up to the end of Y, divided by the
    key-industry enterprises in the store.
``training_coverage``
    Trained key-position staff divided by key-position staff (``enterprise.key_staff``) of
    the 重点企业 of the target's population. 重点企业: a key-industry enterprise whose
    register flag ``key_enterprise`` (是否重点企业) is true; where the flag is empty, one
    with at least 20 employees or a 危险化学品 licence
    (:func:`gsyf_geo.metrics.is_key_enterprise`). An enterprise's trained staff by the end
    of Y is the sum of ``key_staff_trained`` over its training records up to Y, capped at
    its ``key_staff`` (the register column ``key_staff_trained`` is not used).
    Populations: ``key`` (every 重点企业; the 2025 target), ``priority`` (重点企业 of
    危化品、化工 and the disease-prone 尘肺病 industries of :mod:`gsyf_geo.domain`; the 2021
    milestone) and ``other`` (重点企业 of the other key industries; the 2021 "其他行业
    ≥30%" target). A target picks its population with ``params: {"population": ...}``;
    without it the target id decides (:data:`DEFAULT_POPULATION`), else ``key``.
``accident_rate``
    Recognised work injuries (people, 人) of key-industry enterprises in Y, excluding
    commuting unless the plan's ``rules.commuting_included``, divided by the average
    insured persons of the same enterprises in Y, times 10,000; unit 人/万人
    (:func:`gsyf_geo.metrics.accident_rate_parts`). Injuries count in the year of their
    recognition date (认定日期; a record without one falls back to its injury date), or of
    the injury date when the plan's ``rules.injury_date_basis`` is ``"injury"``. Average
    insured = mean of the year-start stock (the year-end ``insurance_snapshot`` of Y−1)
    and the year-end stock of Y, per enterprise, in every year including the base year;
    an enterprise without a snapshot in a year the store holds counts 0 that year. When
    the store holds no snapshot of Y−1 (or of Y) in the scope, the year is ``None``
    (无数据). ``None`` in every year when no work injuries at all are loaded.
``enrollment_rate``
    Insured divided by employees of the key-industry enterprises at the end of Y, from
    their ``insurance_snapshot`` of Y (an enterprise without one counts 0 and 0); ``None``
    when the scope holds no snapshot of Y.
``short_exposure_share``
    New pneumoconiosis cases (``disease_case.disease == 尘肺病``) diagnosed in Y with less than
    ``params.exposure_years_below`` (default 5) years of dust exposure, divided by all such
    cases in Y with a known exposure (cases without ``exposure_years`` are left out).
``insured_persons`` / ``flexible_insured``
    ``unit_year_total.insured_total`` / ``flexible_insured`` of Y summed over units.
``demonstration_units``
    Enterprises with ``demonstration_unit`` and a ``demonstration_year`` in Y; for a
    cumulative target, summed from the plan's first year to Y (earlier selections belong to
    an earlier plan).
``training_demo_institutions``
    Same, from ``training_institution.demonstration_year``.
``training_bases``
    Training bases with status ``existing`` built in Y or earlier (a stock; an existing
    base without a year counts in every year).
``project_insurance_rate``
    Construction projects started in Y that are insured by project, divided by the
    projects started in Y.
``checkup_units``
    Distinct enterprises with a 体检式 (``checkup_project``) training record in Y; for a
    cumulative target, distinct enterprises from the plan's first year to Y.
``construction_workers_trained``
    Participants of training records at the construction safety experience centre
    (常州市建筑施工安全体验中心) in Y (summed from the plan's first year for a cumulative
    target). A record is at the centre when its ``base_site_code`` is the site code of a
    training base of that name, or its ``provider`` is that name (the base registry is a
    city-wide lookup). Records of enterprises outside the construction key industry are
    left out (the target counts 建筑业从业人员); records without a known enterprise count.
    ``params`` may set ``base_name`` or ``base_site_code``.
``expert_pool``
    Experts who joined in Y or earlier and had not left by the end of Y
    (``left_year`` empty or after Y). City-wide only (the pool is the city's).

With an ``as_of`` date, only records dated on or before it count: injuries (by the date
they count on, and recognised by then), training and publicity records, diagnoses,
project starts; year-end stocks (snapshots, unit totals) of a year that is not over;
selections, bases and experts of a later year. Years after ``as_of.year`` are ``None``.
A year Y is *complete* at ``as_of`` when ``as_of`` is after 31 December of Y
(:meth:`MetricValues.complete`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from gsyf_geo import metrics
from gsyf_geo.domain import (
    CITY_ADCODE,
    KEY_INDUSTRIES,
    PNEUMOCONIOSIS,
    REPORTING_UNITS,
    SHORT_DUST_EXPOSURE_YEARS,
    BaseStatus,
    IndustryGroup,
)
from gsyf_geo.plan import RATIO_UNIT, Plan, Target
from gsyf_geo.store import CITY, Scope, Store

__all__ = [
    "CITY_UNIT",
    "CONSTRUCTION_CENTRE_NAME",
    "DEFAULT_POPULATION",
    "METRIC_INFO",
    "POPULATIONS",
    "PRIORITY_TRAINING_INDUSTRIES",
    "MetricInfo",
    "MetricValues",
    "UnknownMetricError",
    "format_value",
    "metric_info",
    "metric_values",
    "plan_years",
    "population_of",
    "units_in_scope",
]

CITY_UNIT = CITY_ADCODE
"""Pseudo reporting unit of metrics kept city-wide only (the expert pool)."""

CONSTRUCTION_CENTRE_NAME = "常州市建筑施工安全体验中心"
"""The base the 2021 task list names for training 4,000 construction workers."""

PRIORITY_TRAINING_INDUSTRIES: tuple[str, ...] = (
    "hazchem",
    "chemical",
    *(k.id for k in KEY_INDUSTRIES if k.group is IndustryGroup.DISEASE_PRONE),
)
"""危化品、化工 and the 尘肺病 (disease-prone) key industries: full training due in 2021."""

POPULATIONS: dict[str, str] = {
    "key": "重点行业重点企业",
    "priority": "危化品、化工、尘肺病重点行业的重点企业",
    "other": "其他重点行业的重点企业（危化品、化工、尘肺病以外的重点行业）",
}
"""重点企业 populations of ``training_coverage`` and their Chinese names."""

DEFAULT_POPULATION: dict[str, str] = {"training_coverage_other_industries": "other"}
"""Population by target id for targets whose file sets no ``params.population``."""


class UnknownMetricError(KeyError):
    """A plan target names a metric this module cannot compute."""


@dataclass(frozen=True)
class MetricInfo:
    """A metric the monitor can compute.

    Attributes
    ----------
    id
        Metric id used by the plan files.
    name, definition
        Chinese name and definition shown on the page.
    unit
        Unit of the computed value: ``"ratio"`` (0..1), ``"人/万人"``, ``"人"``, ``"家"``, ``"名"``.
    by_unit
        Whether the value can be computed per reporting unit.
    intensive
        A ratio or rate: a city-wide requirement applies to every unit alike (counts and
        stocks are city totals; units only contribute to them).
    """

    id: str
    name: str
    unit: str
    definition: str
    by_unit: bool
    intensive: bool
    parts: Callable[[_Ctx], pd.DataFrame | None] = field(repr=False, compare=False)
    combine: Callable[[float | None, float | None], float | None] = field(repr=False, compare=False)


@dataclass(frozen=True)
class MetricValues:
    """Values of one target's metric by year, city-wide (in the scope) and per unit.

    Attributes
    ----------
    years
        The years computed, ascending.
    city
        ``{year: value or None}`` for the whole scope.
    units
        ``{unit code: {year: value or None}}`` for each reporting unit in the scope, in
        :data:`gsyf_geo.domain.REPORTING_UNITS` order; empty for city-only metrics.
    samples
        ``{year: denominator}`` for the whole scope, as a count of things (enterprises,
        key staff, insured persons, employees, cases, projects); ``None`` for count
        metrics and where there is no denominator.
    unit_samples
        The same per reporting unit.
    as_of
        The date the values were computed as of (``None``: everything stored).
    """

    years: tuple[int, ...]
    city: dict[int, float | None]
    units: dict[str, dict[int, float | None]]
    samples: dict[int, float | None] = field(default_factory=dict)
    unit_samples: dict[str, dict[int, float | None]] = field(default_factory=dict)
    as_of: date | None = None

    def complete(self, year: int) -> bool:
        """Whether ``year`` is over at :attr:`as_of` (always, without an as-of date)."""
        return self.as_of is None or self.as_of > date(year, 12, 31)

    def city_series(self) -> pd.Series:
        """City values as a float Series indexed by year (NaN = no data)."""
        return pd.Series(
            [np.nan if v is None else v for v in self.city.values()],
            index=list(self.city),
            dtype=float,
        )

    def unit_frame(self) -> pd.DataFrame:
        """Unit values as a float DataFrame (rows: unit codes, columns: years; NaN = no data)."""
        return pd.DataFrame(
            {
                y: [np.nan if vals[y] is None else vals[y] for vals in self.units.values()]
                for y in self.years
            },
            index=list(self.units),
            dtype=float,
        )


@dataclass(frozen=True)
class _Ctx:
    store: Store
    target: Target
    scope: Scope
    years: tuple[int, ...]
    plan_start: int
    population: str
    cache: dict = field(default_factory=dict, compare=False)
    plan: Plan | None = None
    as_of: date | None = None

    @property
    def cumulative(self) -> bool:
        return self.target.cumulative

    @property
    def commuting_included(self) -> bool:
        return bool(getattr(getattr(self.plan, "rules", None), "commuting_included", False))

    @property
    def date_basis(self) -> str:
        return str(getattr(getattr(self.plan, "rules", None), "injury_date_basis", "recognition"))


# --------------------------------------------------------------------------- helpers


def units_in_scope(scope: Scope) -> list[str]:
    """Reporting-unit codes inside ``scope``, in :data:`REPORTING_UNITS` order."""
    if scope.kind == "city":
        return [u.code for u in REPORTING_UNITS]
    if scope.kind == "district":
        return [u.code for u in REPORTING_UNITS if u.district_adcode == scope.code]
    return [scope.code]


def plan_years(plan: Plan, target: Target | None = None) -> tuple[int, ...]:
    """Baseline year (the target's or the plan's; else the year before the plan) to plan end."""
    base = (target.baseline_year if target is not None else None) or plan.baseline_year
    first = base if base is not None else plan.period[0] - 1
    return tuple(range(min(first, plan.period[0]), plan.period[1] + 1))


def population_of(target: Target) -> str:
    """The ``training_coverage`` population of a target (see module docstring)."""
    pop = target.params.get("population") or DEFAULT_POPULATION.get(target.id, "key")
    if pop not in POPULATIONS:
        raise ValueError(
            f"指标 {target.id} 的 params.population 应为 {' / '.join(POPULATIONS)} 之一，实际为 {pop!r}"
        )
    return pop


def _grid(units: Sequence[str], years: Sequence[int]) -> pd.MultiIndex:
    return pd.MultiIndex.from_product([list(units), list(years)], names=["unit", "year"])


def _count(
    frame: pd.DataFrame, units: Sequence[str], years: Sequence[int], weight: str | None = None
) -> pd.Series:
    """Rows (or the sum of ``weight``) per (unit, year) over the full grid, zero-filled."""
    grid = _grid(units, years)
    frame = frame.dropna(subset=["year"])
    if frame.empty:
        return pd.Series(0.0, index=grid)
    keyed = frame.assign(
        year=frame["year"].astype("int64"),
        _w=1.0 if weight is None else frame[weight].astype(float).fillna(0.0),
    )
    summed = keyed.groupby(["unit", "year"])["_w"].sum()
    return summed.reindex(grid, fill_value=0.0).astype(float)


def _cumulate(series: pd.Series, plan_start: int) -> pd.Series:
    """Running sum per unit over the years from ``plan_start`` (earlier years: zero)."""
    years = series.index.get_level_values("year")
    counted = series.where(years >= plan_start, 0.0)
    return counted.groupby(level="unit").cumsum()


def _parts(num: pd.Series, den: pd.Series | None = None) -> pd.DataFrame:
    out = pd.DataFrame({"num": num.astype(float)})
    out["den"] = np.nan if den is None else den.reindex(out.index).astype(float)
    return out


def _blank_before(parts: pd.DataFrame, first_year: int | None) -> pd.DataFrame:
    """Set the years before ``first_year`` to no data."""
    if first_year is None:
        return parts
    early = parts.index.get_level_values("year") < first_year
    parts = parts.copy()
    parts.loc[early, ["num", "den"]] = np.nan
    return parts


def _year(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col).dt.year.astype("Int64")


def _in_units(df: pd.DataFrame, units: Sequence[str], col: str = "reporting_unit") -> pd.DataFrame:
    return df[df[col].isin(units)].rename(columns={col: "unit"})


def _read(ctx: _Ctx, kind: str, columns: Sequence[str], where: Sequence = ()) -> pd.DataFrame:
    """A plain DataFrame (geometry dropped) of ``kind`` in the context's scope."""
    df = ctx.store.read(kind, ctx.scope, where=where, columns=columns)
    return pd.DataFrame(df[list(columns)])


def _has_rows(ctx: _Ctx, kind: str) -> bool:
    return ctx.store.count(kind, ctx.scope) > 0


def _records_first_year(ctx: _Ctx) -> int | None:
    """Year of the first training or publicity record in the scope (cached per evaluation)."""
    key = ("records_first_year", str(ctx.scope), ctx.as_of)
    if key not in ctx.cache:
        dates = _read(ctx, "training_record", ["activity_date"])["activity_date"]
        ctx.cache[key] = metrics.records_first_year(dates, ctx.as_of)
    return ctx.cache[key]


def _dated(ctx: _Ctx, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows dated on or before the context's as-of date."""
    if ctx.as_of is None or frame.empty:
        return frame
    return frame[(pd.to_datetime(frame[column]) <= pd.Timestamp(ctx.as_of)).to_numpy()]


ENTERPRISE_FACTS = (
    "credit_code", "reporting_unit", "industry_code", "hazchem_licence", "key_industry",
    "key_enterprise", "employees", "key_staff",
)  # fmt: skip


def _enterprises(ctx: _Ctx) -> pd.DataFrame:
    """The register in the scope with the plan's ``key_industry`` and ``key_enterprise``.

    Read once per evaluation (cached); ``unit`` is the enterprise's reporting unit.
    """
    key = ("enterprises", str(ctx.scope), id(ctx.plan))
    if key not in ctx.cache:
        units = units_in_scope(ctx.scope)
        ents = _in_units(_read(ctx, "enterprise", ENTERPRISE_FACTS), units)
        ents["key_industry"] = metrics.key_industries(ents, ctx.plan)
        ents["key_enterprise"] = metrics.is_key_enterprise(ents, ents["key_industry"])
        ctx.cache[key] = ents.reset_index(drop=True)
    return ctx.cache[key]


def _by_unit(per_ent: pd.DataFrame, unit: pd.Series, units: Sequence[str]) -> pd.Series:
    """Sum an enterprise × year frame per (unit, year); NaN where a year has no data."""
    summed = per_ent.groupby(unit.to_numpy()).sum(min_count=1)
    summed = summed.reindex(list(units))
    for y in summed.columns:  # a year without data (NaN column) stays NaN in every unit
        if per_ent[y].isna().all():
            summed[y] = np.nan
    out = summed.stack(future_stack=True)
    out.index = out.index.set_names(["unit", "year"])
    return out.reindex(_grid(units, list(per_ent.columns)))


# --------------------------------------------------------------------------- metrics


def _publicity_coverage(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    ents = _enterprises(ctx)
    ents = ents[ents["key_industry"].notna()]
    rec_t = ctx.store.table("training_record")
    recs = _read(
        ctx, "training_record", ["credit_code", "activity_date"], [rec_t.c.activity == "publicity"]
    )
    if ents.empty or recs.empty:
        return None
    reached = metrics.publicity_reached(ents, recs, ctx.years, ctx.as_of).astype(float)
    num = _by_unit(reached, ents["unit"], units).fillna(0.0)
    den = _by_unit(pd.DataFrame(1.0, index=ents.index, columns=list(ctx.years)), ents["unit"], units)
    return _blank_before(_parts(num, den), _records_first_year(ctx))


def _training_coverage(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    ents = _enterprises(ctx)
    ents = ents[
        metrics.training_population(
            ents["key_industry"], ents["key_enterprise"], ctx.population, PRIORITY_TRAINING_INDUSTRIES
        )
        & (ents["key_staff"].fillna(0) > 0)
    ]
    rec_t = ctx.store.table("training_record")
    recs = _read(
        ctx,
        "training_record",
        ["credit_code", "activity_date", "key_staff_trained"],
        [rec_t.c.activity == "training"],
    )
    if ents.empty or recs.empty:
        return None
    trained = metrics.trained_key_staff(ents, recs, ctx.years, ctx.as_of)
    num = _by_unit(trained, ents["unit"], units).fillna(0.0)
    staff = pd.DataFrame(
        np.repeat(ents["key_staff"].to_numpy(float)[:, None], len(ctx.years), axis=1),
        index=ents.index,
        columns=list(ctx.years),
    )
    den = _by_unit(staff, ents["unit"], units)
    return _blank_before(_parts(num, den), _records_first_year(ctx))


def _snapshots(ctx: _Ctx, columns: Sequence[str]) -> pd.DataFrame:
    return _read(ctx, "insurance_snapshot", ["credit_code", "year", *columns])


def _accident_rate(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    if not _has_rows(ctx, "work_injury"):
        return None
    snaps = _snapshots(ctx, ["insured"])
    if snaps.empty:
        return None
    ents = _enterprises(ctx)
    ents = ents[ents["key_industry"].notna()].set_index("credit_code", drop=False)
    injuries = _read(
        ctx, "work_injury", ["credit_code", "injury_date", "recognition_date", "commuting"]
    )
    num, den = metrics.accident_rate_parts(
        pd.Index(ents["credit_code"]),
        snaps,
        injuries,
        ctx.years,
        commuting_included=ctx.commuting_included,
        basis=ctx.date_basis,
        as_of=ctx.as_of,
    )
    unit = ents["unit"]
    return _parts(_by_unit(num, unit, units).fillna(0.0), _by_unit(den, unit, units))


def _enrollment_rate(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    snaps = _snapshots(ctx, ["insured", "employees"])
    if snaps.empty:
        return None
    ents = _enterprises(ctx)
    ents = ents[ents["key_industry"].notna()].set_index("credit_code", drop=False)
    codes = pd.Index(ents["credit_code"])
    insured = metrics.year_end_stock(snaps, codes, ctx.years, "insured", ctx.as_of)
    employees = metrics.year_end_stock(snaps, codes, ctx.years, "employees", ctx.as_of)
    unit = ents["unit"]
    return _parts(_by_unit(insured, unit, units), _by_unit(employees, unit, units))


def _short_exposure_share(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    below = float(ctx.target.params.get("exposure_years_below", SHORT_DUST_EXPOSURE_YEARS))
    if not _has_rows(ctx, "disease_case"):
        return None
    case_t = ctx.store.table("disease_case")
    cases = _in_units(
        _read(
            ctx,
            "disease_case",
            ["diagnosis_date", "exposure_years", "reporting_unit"],
            [case_t.c.disease == PNEUMOCONIOSIS, case_t.c.exposure_years.is_not(None)],
        ),
        units,
    )
    cases = _dated(ctx, cases, "diagnosis_date")
    cases["year"] = _year(cases["diagnosis_date"])
    short = cases[cases["exposure_years"].astype(float) < below]
    return _parts(_count(short, units, ctx.years), _count(cases, units, ctx.years))


def _unit_total(column: str) -> Callable[[_Ctx], pd.DataFrame | None]:
    def parts(ctx: _Ctx) -> pd.DataFrame | None:
        units = units_in_scope(ctx.scope)
        rows = _in_units(_read(ctx, "unit_year_total", ["reporting_unit", "year", column]), units)
        rows = rows.dropna(subset=[column])
        rows = rows[[metrics.year_end_known(int(y), ctx.as_of) for y in rows["year"]]]
        if rows.empty:
            return None
        summed = rows.groupby(["unit", "year"])[column].sum().astype(float)
        return _parts(summed.reindex(_grid(units, ctx.years)))

    return parts


def _selected_per_year(ctx: _Ctx, kind: str, flag: str | None) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    if not _has_rows(ctx, kind):
        return None
    table = ctx.store.table(kind)
    where = [table.c.demonstration_year.is_not(None)]
    if flag:
        where.append(table.c[flag].is_(True))
    rows = _in_units(_read(ctx, kind, ["reporting_unit", "demonstration_year"], where), units)
    per_year = _count(rows.rename(columns={"demonstration_year": "year"}), units, ctx.years)
    return _parts(_cumulate(per_year, ctx.plan_start) if ctx.cumulative else per_year)


def _demonstration_units(ctx: _Ctx) -> pd.DataFrame | None:
    return _selected_per_year(ctx, "enterprise", "demonstration_unit")


def _training_demo_institutions(ctx: _Ctx) -> pd.DataFrame | None:
    return _selected_per_year(ctx, "training_institution", None)


def _training_bases(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    if not _has_rows(ctx, "training_base"):
        return None
    table = ctx.store.table("training_base")
    bases = _in_units(
        _read(
            ctx,
            "training_base",
            ["reporting_unit", "year"],
            [table.c.status == BaseStatus.EXISTING.value],
        ),
        units,
    )
    first = min(ctx.years)
    bases["year"] = bases["year"].astype("Float64").fillna(first).clip(lower=first).astype("int64")
    return _parts(_cumulate(_count(bases, units, ctx.years), first))


def _project_insurance_rate(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    table = ctx.store.table("construction_project")
    projects = _in_units(
        _read(
            ctx,
            "construction_project",
            ["start_date", "insured_by_project", "reporting_unit"],
            [table.c.start_date.is_not(None)],
        ),
        units,
    )
    if projects.empty:
        return None
    projects = _dated(ctx, projects, "start_date")
    projects["year"] = _year(projects["start_date"])
    insured = projects[projects["insured_by_project"].astype(bool)]
    return _parts(_count(insured, units, ctx.years), _count(projects, units, ctx.years))


def _training_records(ctx: _Ctx, columns: Sequence[str], where: Sequence) -> pd.DataFrame:
    units = units_in_scope(ctx.scope)
    recs = _in_units(_read(ctx, "training_record", [*columns, "reporting_unit"], where), units)
    recs = _dated(ctx, recs, "activity_date")
    recs["year"] = _year(recs["activity_date"])
    return recs


def _checkup_units(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    if not _has_rows(ctx, "training_record"):
        return None
    table = ctx.store.table("training_record")
    recs = _training_records(
        ctx, ["credit_code", "activity_date"], [table.c.checkup_project.is_(True)]
    ).dropna(subset=["credit_code"])
    num = pd.Series(0.0, index=_grid(units, ctx.years))
    for year in ctx.years:
        if ctx.cumulative:
            sel = recs[(recs["year"] >= ctx.plan_start) & (recs["year"] <= year)]
        else:
            sel = recs[recs["year"] == year]
        for unit, n in sel.groupby("unit")["credit_code"].nunique().items():
            num[(unit, year)] = float(n)
    return _blank_before(_parts(num), _records_first_year(ctx))


def _construction_workers_trained(ctx: _Ctx) -> pd.DataFrame | None:
    units = units_in_scope(ctx.scope)
    if not _has_rows(ctx, "training_record"):
        return None
    name = ctx.target.params.get("base_name", CONSTRUCTION_CENTRE_NAME)
    codes = (
        {ctx.target.params["base_site_code"]} if "base_site_code" in ctx.target.params else set()
    )
    base_t = ctx.store.table("training_base")
    # The base registry is city-wide reference data: look the centre's site code up there.
    codes |= set(
        ctx.store.read("training_base", CITY, where=[base_t.c.name == name], columns=["site_code"])[
            "site_code"
        ]
    )
    rec_t = ctx.store.table("training_record")
    at_centre = rec_t.c.provider == name
    if codes:
        at_centre = at_centre | rec_t.c.base_site_code.in_(sorted(codes))
    recs = _training_records(
        ctx,
        ["credit_code", "activity_date", "participants"],
        [rec_t.c.activity == "training", at_centre],
    )
    ent_t = ctx.store.table("enterprise")
    linked = recs["credit_code"].dropna().unique().tolist()
    if linked:
        known = _read(
            ctx, "enterprise", ["credit_code", "key_industry"], [ent_t.c.credit_code.in_(linked)]
        ).set_index("credit_code")["key_industry"]
        industry = recs["credit_code"].map(known)
        outside = recs["credit_code"].isin(known.index) & (industry != "construction")
        recs = recs[~outside]
    per_year = _count(recs, units, ctx.years, weight="participants")
    num = _cumulate(per_year, ctx.plan_start) if ctx.cumulative else per_year
    return _blank_before(_parts(num), _records_first_year(ctx))


def _expert_pool(ctx: _Ctx) -> pd.DataFrame | None:
    experts = _read(ctx, "expert", ["joined_year", "left_year"])
    if experts.empty:
        return None
    left = experts["left_year"].astype("Float64")
    num = pd.Series(
        [
            float(((experts["joined_year"] <= y) & (left.isna() | (left > y)).fillna(True)).sum())
            for y in ctx.years
        ],
        index=_grid([CITY_UNIT], ctx.years),
    )
    return _parts(num)


# --------------------------------------------------------------------------- registry


def _count_value(num: float | None, _den: float | None) -> float | None:
    return num


def _from_metrics(metric_id: str, **kw) -> MetricInfo:
    m = metrics.METRICS[metric_id]
    fn = metrics.METRIC_FUNCTIONS[metric_id]
    return MetricInfo(
        id=m.id,
        name=m.name,
        definition=m.definition,
        combine=fn,
        intensive=True,
        by_unit=True,
        **kw,
    )


METRIC_INFO: dict[str, MetricInfo] = {
    m.id: m
    for m in (
        _from_metrics("publicity_coverage", unit=RATIO_UNIT, parts=_publicity_coverage),
        _from_metrics("training_coverage", unit=RATIO_UNIT, parts=_training_coverage),
        _from_metrics("accident_rate", unit=metrics.ACCIDENT_RATE_UNIT, parts=_accident_rate),
        _from_metrics("enrollment_rate", unit=RATIO_UNIT, parts=_enrollment_rate),
        _from_metrics("short_exposure_share", unit=RATIO_UNIT, parts=_short_exposure_share),
        _from_metrics("project_insurance_rate", unit=RATIO_UNIT, parts=_project_insurance_rate),
        MetricInfo("insured_persons", "工伤保险参保人数", "人",
                   "各统计单元年末工伤保险参保人数（全部行业，人社统计）之和",
                   True, False, _unit_total("insured_total"), _count_value),
        MetricInfo("flexible_insured", "灵活就业等人员参保人数", "人",
                   "非全日制、多重劳动关系劳动者、超龄人员和实习生年末参保人数之和",
                   True, False, _unit_total("flexible_insured"), _count_value),
        MetricInfo("demonstration_units", "工伤预防示范单位", "家",
                   "当年评选的工伤预防示范单位数；累计指标为计划期首年至当年累计",
                   True, False, _demonstration_units, _count_value),
        MetricInfo("training_demo_institutions", "工伤预防培训示范机构", "家",
                   "当年评选的工伤预防培训示范机构数；累计指标为计划期首年至当年累计",
                   True, False, _training_demo_institutions, _count_value),
        MetricInfo("training_bases", "工伤预防宣传培训基地", "家",
                   "当年末已建成的宣传培训基地数（状态为已建、建成年份不晚于当年）",
                   True, False, _training_bases, _count_value),
        MetricInfo("checkup_units", "“体检式”项目完成单位", "家",
                   "当年完成“体检式”工伤预防培训项目的企业数（按企业去重）",
                   True, False, _checkup_units, _count_value),
        MetricInfo("construction_workers_trained", "建筑施工安全体验中心培训人数", "人",
                   f"当年在{CONSTRUCTION_CENTRE_NAME}参加工伤预防培训的建筑业从业人员人次",
                   True, False, _construction_workers_trained, _count_value),
        MetricInfo("expert_pool", "工伤预防专家库专家数", "名",
                   "当年末在库专家数（入库年份不晚于当年且未出库），仅全市",
                   False, False, _expert_pool, _count_value),
    )
}  # fmt: skip
"""Every metric id the plan files may name."""


# --------------------------------------------------------------------------- public API


def _value(info: MetricInfo, num: float, den: float) -> float | None:
    n = None if pd.isna(num) else float(num)
    d = None if pd.isna(den) else float(den)
    if n is None:
        return None
    if info.intensive:
        return info.combine(n, d)
    return n


def metric_info(target: Target, strict: bool = False) -> MetricInfo:
    """The :class:`MetricInfo` of a target's metric.

    A metric this module does not know (e.g. a new one in a successor plan) raises
    :class:`UnknownMetricError` when ``strict``; otherwise it gets a stand-in whose values
    are all "no data" and whose definition says so.
    """
    info = METRIC_INFO.get(target.metric)
    if info is not None:
        return info
    if strict:
        raise UnknownMetricError(f"指标 {target.id} 的 metric {target.metric!r} 无法计算")
    return MetricInfo(
        id=target.metric,
        name=target.name,
        unit=target.unit,
        definition=f"本系统尚不能计算该指标（metric：{target.metric}），显示为无数据",
        by_unit=False,
        intensive=False,
        parts=lambda ctx: None,
        combine=_count_value,
    )


def metric_values(
    store: Store,
    plan: Plan,
    target: Target,
    scope: Scope = CITY,
    years: Sequence[int] | None = None,
    population: str | None = None,
    cache: dict | None = None,
    as_of: date | None = None,
) -> MetricValues:
    """Compute a target's metric by year, for the scope and for each reporting unit in it.

    Parameters
    ----------
    store
        The store.
    plan
        The plan the target belongs to (its first year starts cumulative counts).
    target
        The target; its ``metric`` selects the computation, ``cumulative`` and ``params``
        refine it.
    scope
        The part of the city to read (every read uses it).
    years
        Years to compute; default :func:`plan_years` (baseline year to plan end).
    population
        Override of the ``training_coverage`` population (``key``/``priority``/``other``).
    cache
        A dict shared by the calls of one evaluation (facts read once per scope); pass a
        new one after the store changes.
    as_of
        Only records dated on or before this date count, and years after its year are
        ``None`` (see the module docstring). The plan's ``rules`` (commuting, injury date
        basis) always apply.

    Returns
    -------
    MetricValues
        ``None`` wherever the store cannot compute the value (see the module docstring).
    """
    info = metric_info(target)
    yrs = tuple(sorted(years)) if years is not None else plan_years(plan, target)
    ctx = _Ctx(
        store=store,
        target=target,
        scope=scope,
        years=yrs,
        plan_start=plan.period[0],
        population=population
        or (population_of(target) if target.metric == "training_coverage" else "key"),
        cache={} if cache is None else cache,
        plan=plan,
        as_of=as_of,
    )
    parts = info.parts(ctx)
    unit_codes = units_in_scope(scope) if info.by_unit else []
    none_years = {y: None for y in yrs}
    if parts is None:
        return MetricValues(
            yrs,
            dict(none_years),
            {u: dict(none_years) for u in unit_codes},
            dict(none_years),
            {u: dict(none_years) for u in unit_codes},
            as_of,
        )
    if as_of is not None:  # a year after the as-of date has nothing yet
        later = parts.index.get_level_values("year") > as_of.year
        parts = parts.copy()
        parts.loc[later, ["num", "den"]] = np.nan
    if info.intensive:  # a unit without a denominator that year takes no part in the sum
        parts = parts.assign(num=parts["num"].where(parts["den"].notna()))
    summed = parts.groupby(level="year").sum(min_count=1).reindex(list(yrs))
    city = {y: _value(info, summed.at[y, "num"], summed.at[y, "den"]) for y in yrs}
    samples = {y: _sample(info, summed.at[y, "den"]) for y in yrs}
    units: dict[str, dict[int, float | None]] = {}
    unit_samples: dict[str, dict[int, float | None]] = {}
    for u in unit_codes:
        units[u] = {
            y: _value(info, parts.at[(u, y), "num"], parts.at[(u, y), "den"])
            if (u, y) in parts.index
            else None
            for y in yrs
        }
        unit_samples[u] = {
            y: _sample(info, parts.at[(u, y), "den"]) if (u, y) in parts.index else None
            for y in yrs
        }
    return MetricValues(yrs, city, units, samples, unit_samples, as_of)


def _sample(info: MetricInfo, den: float) -> float | None:
    if not info.intensive or pd.isna(den):
        return None
    return float(den)


def format_value(value: float | None, unit: str, digits: int = 1) -> str:
    """A value for display: ``"87.3%"``, ``"196.8万人"``, ``"38.2 人/万人"``, ``"无数据"``."""
    if value is None or pd.isna(value):
        return "无数据"
    if unit == RATIO_UNIT:
        return f"{value * 100:.{digits}f}%"
    if unit == "人" and abs(value) >= 100_000:
        return f"{value / 10_000:.{digits}f}万人"
    if unit in ("人", "家", "名"):
        return f"{value:,.0f}{unit}"
    return f"{value:.{digits}f} {unit}"


def value_unit(target: Target) -> str:
    """Unit of the computed value of a target (the metric's, not the target number's)."""
    return metric_info(target).unit


def as_float_map(values: Mapping[int, float | None]) -> dict[int, float]:
    """``{year: value}`` without the years that have no data."""
    return {y: float(v) for y, v in values.items() if v is not None}
