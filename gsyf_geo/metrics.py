"""Metric definitions, written down once and used everywhere.

Each metric has a Chinese name and definition for the UI and one function that computes it.
A metric whose denominator is zero or missing is ``None`` ("no data"), never zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

ACCIDENT_RATE_PER = 10_000


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
        Metric("accident_rate", "工伤事故发生率", "起/万人",
               "认定工伤人数（不含上下班途中）÷ 平均参保人数 × 10000", False),
        Metric("enrollment_rate", "工伤保险参保率", "%", "参保人数 ÷ 职工人数", True),
        Metric("enrollment_gap", "参保缺口", "人", "职工人数 − 参保人数（不小于0）", False),
        Metric("training_coverage", "重要岗位培训覆盖率", "%",
               "已培训重要岗位人员 ÷ 重要岗位人员（分管负责人、安全管理部门主要负责人、一线班组长）",
               True),
        Metric("publicity_coverage", "宣传覆盖率", "%", "宣传已覆盖的重点行业企业 ÷ 重点行业企业", True),
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
