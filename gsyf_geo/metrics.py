"""Metric definitions, written down once and used everywhere.

Each metric has a Chinese name and definition for the UI and one function that computes it.
A metric whose denominator is zero or missing is ``None`` ("no data"), never zero.

The second half of the module holds the *enterprise-level* computations that both the
coverage monitor (:mod:`gsyf_geo.monitor.values`: targets page, ``targets`` command,
exports) and the risk map (:mod:`gsyf_geo.analysis.mapdata` and
:mod:`gsyf_geo.analysis.indicators`) call: frames in, one numerator or denominator per
enterprise and year out. A reporting unit's (or the city's, or a filtered view's) figure
is the sum of its enterprises' numerators over the sum of their denominators, so units
always add up to the city and the map and the targets page cannot disagree.

Rules (a reviewer can apply them by hand):

重点行业 (key industry)
    An enterprise's key industry is the plan's classification of its industry code and
    危险化学品 licence (``plan.key_industry_set.classify``); where the plan gives no
    classification, or the register has no industry code, the stored
    ``enterprise.key_industry`` decides (:func:`key_industries`).
重点企业 (key enterprise)
    A key-industry enterprise whose register flag ``key_enterprise`` (是否重点企业) is true;
    where the flag is empty, the default rule: at least
    :data:`KEY_ENTERPRISE_MIN_EMPLOYEES` (20) employees, or a 危险化学品 licence
    (:func:`is_key_enterprise`). The plan's wording is "重点行业重点企业", so an enterprise
    outside the key industries is never a 重点企业.
Accident rate (工伤事故发生率, 人/万人)
    Recognised work injuries (people) of the key-industry enterprises, excluding commuting
    (上下班途中) unless the plan's ``rules.commuting_included``, counted in the year of their
    recognition date (认定日期; a record without one falls back to its injury date), or of
    the injury date when the plan's ``rules.injury_date_basis`` is ``"injury"``; divided
    by the average insured persons of the same enterprises, times 10,000.
    Average insured of year Y = (year-end stock of Y−1 + year-end stock of Y) / 2, per
    enterprise, from ``insurance_snapshot``; the same in every year, the base year
    included. An enterprise without a snapshot in a year the store holds (any snapshot in
    the scope) counts 0 insured that year. When the store holds no snapshot at all for Y−1
    or for Y in the scope, year Y has no average and its rate is None (无数据).
    Injuries are attributed to the enterprise of their 统一社会信用代码; a record without a
    known enterprise has no denominator and is not counted.
Training coverage (重要岗位人员培训覆盖率)
    Over the 重点企业 of a population: trained key-position staff ÷ key-position staff
    (``enterprise.key_staff``). An enterprise's trained staff by the end of Y is the sum of
    ``key_staff_trained`` over its training records dated up to the end of Y, capped at its
    key staff. The register column ``key_staff_trained`` is not used.
Publicity coverage (宣传覆盖率)
    Key-industry enterprises reached by at least one publicity record dated up to the end
    of Y ÷ key-industry enterprises. The register column ``publicity_reached`` is not used.
Training and publicity coverage are None for the years before the first training or
publicity record in the scope (the records do not cover those years).
Enrollment rate (重点行业企业参保率)
    Insured ÷ employees of the key-industry enterprises at the end of Y
    (``insurance_snapshot`` of Y; an enterprise without one counts 0 and 0); None when the
    store holds no snapshot of Y in the scope.

Every computation takes ``as_of``: only records dated on or before it count. A year-end
stock (snapshot) of Y is dated 31 December of Y.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

ACCIDENT_RATE_PER = 10_000
ACCIDENT_RATE_UNIT = "人/万人"
"""Unit of the accident rate: the numerator counts injured people."""
KEY_ENTERPRISE_MIN_EMPLOYEES = 20
"""Default rule for 重点企业 where the register flag is empty (see the module docstring)."""
DATE_BASES = ("recognition", "injury")


@dataclass(frozen=True)
class Metric:
    """A named indicator with its definition."""

    id: str
    name: str
    unit: str
    definition: str
    higher_is_better: bool


def _ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    if numerator is None or denominator is None:
        return None
    if pd.isna(numerator) or pd.isna(denominator) or denominator <= 0:
        return None
    return float(numerator) / float(denominator) * scale


def accident_rate(injuries_excl_commuting: float | None, average_insured: float | None) -> float | None:
    """Work injuries per 10,000 insured.

    Recognised work injuries excluding commuting accidents, divided by the average insured
    headcount of the period, times 10,000.
    """
    return _ratio(injuries_excl_commuting, average_insured, ACCIDENT_RATE_PER)


def enrollment_rate(insured: float | None, employees: float | None) -> float | None:
    """Insured persons divided by employees (0..1)."""
    return _ratio(insured, employees)


def enrollment_gap(employees: np.ndarray | pd.Series | float, insured: np.ndarray | pd.Series | float):
    """Employees not insured (persons, never negative)."""
    return np.maximum(np.asarray(employees) - np.asarray(insured), 0)


def training_coverage(trained_key_staff: float | None, key_staff: float | None) -> float | None:
    """Trained key-position staff divided by key-position staff (0..1)."""
    return _ratio(trained_key_staff, key_staff)


def publicity_coverage(reached_enterprises: float | None, enterprises: float | None) -> float | None:
    """Key-industry enterprises reached by publicity divided by key-industry enterprises."""
    return _ratio(reached_enterprises, enterprises)


def project_insurance_rate(insured_projects: float | None, new_projects: float | None) -> float | None:
    """New construction projects insured by project (同舟计划) divided by new projects."""
    return _ratio(insured_projects, new_projects)


def short_exposure_share(short_exposure_cases: float | None, cases: float | None) -> float | None:
    """New pneumoconiosis cases with less than 5 years of dust exposure, as a share of all."""
    return _ratio(short_exposure_cases, cases)


def change_against(value: float | None, baseline: float | None) -> float | None:
    """Relative change of ``value`` against ``baseline`` (−0.2 means 20% lower)."""
    if value is None or baseline is None or baseline == 0:
        return None
    return value / baseline - 1.0


METRICS: dict[str, Metric] = {
    m.id: m
    for m in (
        Metric("accident_rate", "工伤事故发生率", ACCIDENT_RATE_UNIT,
               "重点行业企业当年认定工伤人数（按认定日期计；不含上下班途中，计划另有规定的除外）"
               "÷ 平均参保人数（上年末与当年末参保人数的平均）× 10000", False),
        Metric("enrollment_rate", "工伤保险参保率", "%",
               "重点行业企业年末参保人数 ÷ 年末职工人数", True),
        Metric("enrollment_gap", "参保缺口", "人", "职工人数 − 参保人数（不小于0）", False),
        Metric("training_coverage", "重要岗位培训覆盖率", "%",
               "重点企业已培训重要岗位人员（按培训记录累计，不超过该企业重要岗位人数）÷ 重点企业"
               "重要岗位人员（分管负责人、安全管理部门主要负责人、一线班组长）", True),
        Metric("publicity_coverage", "宣传覆盖率", "%",
               "截至当年末有宣传记录的重点行业企业 ÷ 重点行业企业", True),
        Metric("project_insurance_rate", "新开工项目按项目参保率", "%",
               "按项目参保的新开工工程项目 ÷ 新开工工程项目（同舟计划）", True),
        Metric("short_exposure_share", "接尘工龄不足5年新发尘肺病占比", "%",
               "接尘工龄不足5年的新发尘肺病例 ÷ 新发尘肺病例", False),
    )
}  # fmt: skip

METRIC_FUNCTIONS: dict[str, Callable[..., float | None]] = {
    "accident_rate": accident_rate,
    "enrollment_rate": enrollment_rate,
    "training_coverage": training_coverage,
    "publicity_coverage": publicity_coverage,
    "project_insurance_rate": project_insurance_rate,
    "short_exposure_share": short_exposure_share,
}


def compact_count(value: float | None, no_data: str = "无数据") -> str:
    """A count short enough for a figure tile: ``"374,871"``, ``"472.9万"`` from a million up.

    >>> compact_count(4_729_321), compact_count(374_871), compact_count(None)
    ('472.9万', '374,871', '无数据')
    """
    if value is None or pd.isna(value):
        return no_data
    if abs(value) >= 1_000_000:
        return f"{value / 10_000:,.1f}万"
    return f"{value:,.0f}"


# --------------------------------------------------------------------------- enterprise level


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].astype("boolean").fillna(False).astype(bool)


def key_industries(enterprises: pd.DataFrame, plan: Any = None) -> pd.Series:
    """Key industry id (or None) of each enterprise under ``plan``.

    Uses ``plan.key_industry_set.classify(industry_code, hazchem_licence)`` when the plan
    has one; an enterprise without an industry code (or a plan without a classification)
    keeps its stored ``key_industry``.
    """
    stored = enterprises["key_industry"] if "key_industry" in enterprises else pd.Series(
        None, index=enterprises.index, dtype=object
    )
    stored = stored.astype(object).where(stored.notna(), None)
    kis = getattr(plan, "key_industry_set", None) if plan is not None else None
    if kis is None or not hasattr(kis, "classify") or "industry_code" not in enterprises:
        return stored
    codes = enterprises["industry_code"]
    classified = pd.Series(
        kis.classify(codes, _flag(enterprises, "hazchem_licence")), index=enterprises.index
    ).astype(object)
    no_code = codes.isna() | (codes.astype(str).str.strip() == "")
    ids = getattr(kis, "ids", None)
    if ids is not None:
        stored = stored.where(stored.isin(list(ids)), None)
    out = classified.where(~no_code, stored)
    return out.where(out.notna(), None)


def is_key_enterprise(enterprises: pd.DataFrame, key_industry: pd.Series) -> pd.Series:
    """Whether each enterprise is a 重点企业 (see the module docstring).

    ``key_industry`` is the result of :func:`key_industries`.
    """
    employees = enterprises.get("employees", pd.Series(0, index=enterprises.index))
    default = (employees.fillna(0).astype(float) >= KEY_ENTERPRISE_MIN_EMPLOYEES) | _flag(
        enterprises, "hazchem_licence"
    )
    if "key_enterprise" in enterprises:
        flag = enterprises["key_enterprise"].astype("boolean")
        chosen = flag.fillna(default).astype(bool)
    else:
        chosen = default
    return key_industry.notna() & chosen


def _dates(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col, errors="coerce")


def _before(dates: pd.Series, as_of: date | None) -> pd.Series:
    if as_of is None:
        return pd.Series(True, index=dates.index)
    return (dates <= pd.Timestamp(as_of)).fillna(False)


def year_end_known(year: int, as_of: date | None) -> bool:
    """Whether the year-end stock of ``year`` (dated 31 December) exists at ``as_of``."""
    return as_of is None or date(year, 12, 31) <= as_of


def injury_counting_date(injuries: pd.DataFrame, basis: str = "recognition") -> pd.Series:
    """The date an injury counts on: recognition date (else injury date), or injury date."""
    if basis not in DATE_BASES:
        raise ValueError(f"injury_date_basis 应为 {' / '.join(DATE_BASES)} 之一，实际为 {basis!r}")
    injured = _dates(injuries["injury_date"])
    if basis == "injury" or "recognition_date" not in injuries:
        return injured
    return _dates(injuries["recognition_date"]).fillna(injured)


def counted_injuries(
    injuries: pd.DataFrame,
    commuting_included: bool = False,
    basis: str = "recognition",
    as_of: date | None = None,
) -> pd.DataFrame:
    """The injuries the accident rate counts, with the ``year`` they count in.

    Commuting injuries are left out unless ``commuting_included``. With ``as_of``, an
    injury counts when its counting date is on or before it and it had been recognised by
    then (recognition date, or injury date where unknown, on or before ``as_of``).
    """
    rows = injuries if commuting_included else injuries[~_flag(injuries, "commuting")]
    when = injury_counting_date(rows, basis)
    keep = _before(when, as_of)
    if as_of is not None:
        keep &= _before(injury_counting_date(rows, "recognition"), as_of)
    rows = rows[keep.to_numpy()]
    return rows.assign(year=when[keep.to_numpy()].dt.year.astype("Int64"))


def _member(values: pd.Series, codes: pd.Index) -> np.ndarray:
    """``values.isin(codes)`` by hash lookup on plain objects (fast for Arrow strings too)."""
    index = pd.Index(np.asarray(codes, dtype=object))
    return index.get_indexer(values.to_numpy(dtype=object)) >= 0


def per_enterprise(
    rows: pd.DataFrame, codes: pd.Index, years: Sequence[int], weight: str | None = None
) -> pd.DataFrame:
    """Rows (or the sum of ``weight``) per enterprise (``codes``) and year, zero-filled."""
    years = list(years)
    rows = rows.dropna(subset=["credit_code", "year"])
    rows = rows[_member(rows["credit_code"], codes)]
    if rows.empty:
        return pd.DataFrame(0.0, index=codes, columns=years)
    w = 1.0 if weight is None else rows[weight].astype(float).fillna(0.0)
    table = (
        rows.assign(_w=w, year=rows["year"].astype("int64"))
        .pivot_table(index="credit_code", columns="year", values="_w", aggfunc="sum")
    )
    return table.reindex(index=codes, columns=years).fillna(0.0).astype(float)


def snapshot_years(snapshots: pd.DataFrame, as_of: date | None = None) -> list[int]:
    """Years the store holds year-end snapshots of (known at ``as_of``), ascending."""
    years = sorted({int(y) for y in snapshots["year"].dropna()})
    return [y for y in years if year_end_known(y, as_of)]


def year_end_stock(
    snapshots: pd.DataFrame,
    codes: pd.Index,
    years: Sequence[int],
    column: str = "insured",
    as_of: date | None = None,
) -> pd.DataFrame:
    """``column`` of each enterprise's year-end snapshot per year.

    0 for an enterprise without a snapshot in a year the store holds; NaN (no data) for
    the whole column of a year without any snapshot (or not over at ``as_of``).
    """
    years = list(years)
    held = set(snapshot_years(snapshots, as_of))
    rows = snapshots[_member(snapshots["credit_code"], codes) & snapshots["year"].isin(held).to_numpy()]
    if rows.empty:
        table = pd.DataFrame(0.0, index=codes, columns=years)
    else:
        table = (
            rows.assign(year=rows["year"].astype("int64"), _v=rows[column].astype(float))
            .pivot_table(index="credit_code", columns="year", values="_v", aggfunc="sum")
            .reindex(index=codes, columns=years)
            .fillna(0.0)
        )
    for y in years:
        if y not in held:
            table[y] = np.nan
    return table.astype(float)


def average_insured(
    snapshots: pd.DataFrame, codes: pd.Index, years: Sequence[int], as_of: date | None = None
) -> pd.DataFrame:
    """Average insured persons of each enterprise per year: (end of Y−1 + end of Y) / 2.

    NaN for a year whose own or previous year-end the store does not hold (see
    :func:`year_end_stock`).
    """
    years = list(years)
    wide = year_end_stock(snapshots, codes, sorted({*years, *(y - 1 for y in years)}), as_of=as_of)
    out = pd.DataFrame(
        {y: (wide[y - 1] + wide[y]) / 2.0 for y in years}, index=codes, columns=years
    )
    return out.astype(float)


def accident_rate_parts(
    codes: pd.Index,
    snapshots: pd.DataFrame,
    injuries: pd.DataFrame,
    years: Sequence[int],
    commuting_included: bool = False,
    basis: str = "recognition",
    as_of: date | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numerator (injured people) and denominator (average insured) per enterprise and year.

    Parameters
    ----------
    codes
        Credit codes of the enterprises of the population (key-industry enterprises).
    snapshots
        ``credit_code``, ``year``, ``insured`` (year-end).
    injuries
        ``credit_code``, ``injury_date``, optional ``recognition_date`` and ``commuting``.
    years
        Years to compute.
    commuting_included, basis, as_of
        The plan's rules (see :func:`counted_injuries`).

    Returns
    -------
    (numerator, denominator)
        Frames indexed by credit code with one column per year; the denominator column of
        a year without an average is NaN.
    """
    counted = counted_injuries(injuries, commuting_included, basis, as_of)
    num = per_enterprise(counted, codes, years)
    den = average_insured(snapshots, codes, years, as_of)
    return num, den


def trained_key_staff(
    enterprises: pd.DataFrame,
    records: pd.DataFrame,
    years: Sequence[int],
    as_of: date | None = None,
) -> pd.DataFrame:
    """Trained key-position staff of each enterprise by the end of each year.

    ``enterprises``: ``credit_code``, ``key_staff``; ``records``: training records with
    ``credit_code``, ``activity_date``, ``key_staff_trained``. A running sum over the
    records dated up to the end of the year (records before the first year count in it),
    capped at the enterprise's key staff. Indexed like ``enterprises``.
    """
    years = list(years)
    recs = records.dropna(subset=["credit_code", "key_staff_trained"])
    when = _dates(recs["activity_date"])
    recs = recs[_before(when, as_of).to_numpy()].assign(year=when.dt.year)
    recs = recs.dropna(subset=["year"])
    recs = recs.assign(year=recs["year"].astype("int64").clip(lower=years[0]))
    codes = pd.Index(enterprises["credit_code"])
    by_year = per_enterprise(recs, codes, years, weight="key_staff_trained").cumsum(axis=1)
    capped = np.minimum(
        by_year.to_numpy(float), enterprises["key_staff"].fillna(0).to_numpy(float)[:, None]
    )
    return pd.DataFrame(capped, index=enterprises.index, columns=years)


def publicity_reached(
    enterprises: pd.DataFrame,
    records: pd.DataFrame,
    years: Sequence[int],
    as_of: date | None = None,
) -> pd.DataFrame:
    """Whether each enterprise had a publicity record dated up to the end of each year."""
    years = list(years)
    when = _dates(records["activity_date"])
    recs = records[_before(when, as_of).to_numpy()].assign(year=when.dt.year)
    first = recs.dropna(subset=["credit_code", "year"]).groupby("credit_code")["year"].min()
    reached = enterprises["credit_code"].map(first).to_numpy(dtype=float)
    return pd.DataFrame(
        {y: (reached <= y) for y in years}, index=enterprises.index, columns=years
    )


def records_first_year(dates: pd.Series, as_of: date | None = None) -> int | None:
    """Year of the first training or publicity record (on or before ``as_of``), or None."""
    when = _dates(dates)
    when = when[_before(when, as_of).to_numpy()].dropna()
    return int(when.dt.year.min()) if len(when) else None


def training_population(
    key_industry: pd.Series, key_enterprise: pd.Series, population: str, priority: Sequence[str]
) -> pd.Series:
    """The 重点企业 of a training-coverage population.

    ``key``: every 重点企业; ``priority``: those in the ``priority`` industries
    (危化品、化工、尘肺病); ``other``: those in the other key industries.
    """
    in_priority = key_industry.isin(list(priority))
    if population == "key":
        return key_enterprise
    if population == "priority":
        return key_enterprise & in_priority
    if population == "other":
        return key_enterprise & key_industry.notna() & ~in_priority
    raise ValueError(f"未知的培训覆盖人群：{population!r}")
