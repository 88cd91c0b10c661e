"""Enterprise risk grade (红/橙/黄/蓝), from a documented points rule.

Points add up from three facts the store holds:

====================================  ======
fact                                  points
====================================  ======
industry risk class 1–2 / 3–4 / 5–6 / 7–8   0 / 1 / 2 / 3
recognised work injuries (not commuting) in the window:
  a fatal one                          +3
  ≥ 2 per 100 insured                  +2
  at least one                         +1
enrollment gap ≥ 20 % of employees    +1
====================================  ======

Grade: ≥ 5 红 (重大风险), 4 橙 (较大风险), 2–3 黄 (一般风险), ≤ 1 蓝 (低风险). Only the largest
injury term counts. An enterprise without a declared risk class takes the default class of its
industry code (人社部发〔2015〕71号, :func:`gsyf_geo.domain.default_risk_class`); with neither it
gets no class points. The window is the three years ending with the last year chosen on the map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RiskGrade:
    id: str
    name: str
    color: str
    min_points: int


RISK_GRADES: tuple[RiskGrade, ...] = (
    RiskGrade("red", "红（重大风险）", "#d62728", 5),
    RiskGrade("orange", "橙（较大风险）", "#ff7f0e", 4),
    RiskGrade("yellow", "黄（一般风险）", "#e6c200", 2),
    RiskGrade("blue", "蓝（低风险）", "#1f77b4", 0),
)
RISK_GRADE_BY_ID: dict[str, RiskGrade] = {g.id: g for g in RISK_GRADES}
GAP_SHARE_POINT = 0.20
INJURIES_PER_100_FOR_TWO = 2.0


def risk_points(
    risk_class: np.ndarray,
    injuries: np.ndarray,
    fatal: np.ndarray,
    insured: np.ndarray,
    employees: np.ndarray,
) -> np.ndarray:
    """Points of the rule above, vectorised over enterprises."""
    rc = np.nan_to_num(np.asarray(risk_class, dtype=float), nan=1.0)
    base = np.select([rc >= 7, rc >= 5, rc >= 3], [3, 2, 1], default=0)
    inj = np.asarray(injuries, dtype=float)
    ins = np.asarray(insured, dtype=float)
    per100 = np.divide(inj * 100.0, ins, out=np.zeros_like(inj), where=ins > 0)
    injury_points = np.select(
        [np.asarray(fatal, dtype=float) > 0, (inj > 0) & (per100 >= INJURIES_PER_100_FOR_TWO), inj > 0],
        [3, 2, 1],
        default=0,
    )
    emp = np.asarray(employees, dtype=float)
    gap_share = np.divide(emp - ins, emp, out=np.zeros_like(emp), where=emp > 0)
    return base + injury_points + (gap_share >= GAP_SHARE_POINT).astype(int)


def risk_grade(points: np.ndarray) -> np.ndarray:
    """Grade id for each number of points."""
    p = np.asarray(points)
    out = np.full(p.shape, RISK_GRADES[-1].id, dtype=object)
    for grade in reversed(RISK_GRADES[:-1]):
        out[p >= grade.min_points] = grade.id
    return out
