"""Demand weights of the siting planner: how much each key-industry enterprise counts.

Three weights (:data:`WEIGHTS`):

``workers``
    the enterprise's employees (职工人数).
``untrained``
    key-position staff not yet trained: ``key_staff − key_staff_trained``, never negative
    (重要岗位未培训人数).
``risk``
    risk-weighted workers (风险加权职工数)::

        employees × class factor × accident factor

    The class factor is the base premium rate of the enterprise's industry risk class
    (:data:`gsyf_geo.domain.RISK_CLASSES`) divided by the mean base rate of the eight
    classes, so a class-一 enterprise counts about a fifth of a worker per worker and a
    class-八 one almost two. An enterprise without a risk class takes the default class of
    its industry code (人社部发〔2015〕71号, :func:`gsyf_geo.domain.default_risk_class`), and
    class 四 when the code has none. The accident factor compares the enterprise's recognised work injuries
    (excluding commuting accidents) in the last :data:`ACCIDENT_YEARS` years of data with
    what the city's injury rate per worker would predict for its size, smoothed so that
    small enterprises are not swung by one case::

        (injuries + 1) / (expected + 1),  expected = city rate × employees × years

    so an enterprise with an average record has a factor of about 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gsyf_geo.domain import RISK_CLASS_BY_NUMBER, RISK_CLASSES, default_risk_class
from gsyf_geo.siting.errors import SitingError

ACCIDENT_YEARS = 3
"""Years of accident history (the latest years in the data) the risk weight looks at."""
ACCIDENT_PRIOR = 1.0
"""Pseudo-count that smooths the accident factor (see the module docstring)."""
MEAN_BASE_RATE = float(np.mean([r.base_rate for r in RISK_CLASSES]))


@dataclass(frozen=True)
class Weight:
    """A demand weight: its id, Chinese name, unit and definition (for the page and reports)."""

    id: str
    name: str
    unit: str
    definition: str


WEIGHTS: dict[str, Weight] = {
    w.id: w
    for w in (
        Weight("workers", "职工人数", "人", "重点行业企业的职工人数"),
        Weight("untrained", "重要岗位未培训人数", "人",
               "重要岗位人员数 − 已培训重要岗位人员数（不小于0）"),
        Weight("risk", "风险加权职工数", "人",
               "职工人数 × 行业风险类别基准费率系数（相对八类平均费率）× 事故史系数"
               f"（近{ACCIDENT_YEARS}年认定工伤（不含上下班途中）与全市平均水平之比，经平滑）"),
    )
}  # fmt: skip


def weight_of(weight_id: str) -> Weight:
    """The :class:`Weight` named ``weight_id``, or a :class:`SitingError` in Chinese."""
    try:
        return WEIGHTS[weight_id]
    except KeyError:
        names = "、".join(f"{w.id}（{w.name}）" for w in WEIGHTS.values())
        raise SitingError(f"未知的需求权重「{weight_id}」，可选：{names}") from None


def class_factor(risk_class: pd.Series, industry_code: pd.Series) -> np.ndarray:
    """Base rate of each enterprise's risk class over the mean base rate of the 8 classes.

    A missing or unknown class falls back to the default class of the enterprise's industry
    code (:func:`gsyf_geo.domain.default_risk_class`), and to class 四 when the code has no
    default class either.
    """
    default = industry_code.map(lambda c: default_risk_class(c if isinstance(c, str) else None))
    default = pd.to_numeric(default, errors="coerce").fillna(4)
    cls = pd.to_numeric(risk_class, errors="coerce")
    cls = cls.where(cls.isin(list(RISK_CLASS_BY_NUMBER)), default).astype(int)
    rates = cls.map(lambda c: RISK_CLASS_BY_NUMBER[c].base_rate).to_numpy(dtype=float)
    return rates / MEAN_BASE_RATE


def accident_factor(
    enterprises: pd.DataFrame, injuries: pd.DataFrame | None, years: int = ACCIDENT_YEARS
) -> np.ndarray:
    """Smoothed ratio of each enterprise's recent injuries to what its size predicts.

    Parameters
    ----------
    enterprises
        With ``credit_code`` and ``employees``.
    injuries
        Work injuries with ``credit_code``, ``injury_date`` and ``commuting`` (commuting
        accidents are left out); None or empty gives a factor of 1 everywhere.
    years
        How many of the latest years of injury data count.

    Returns
    -------
    numpy.ndarray
        One factor per enterprise (1 for an average record).
    """
    n = len(enterprises)
    if injuries is None or injuries.empty or n == 0:
        return np.ones(n)
    inj = injuries
    if "commuting" in inj:
        inj = inj[~inj["commuting"].fillna(False).astype(bool)]
    year = pd.to_datetime(inj["injury_date"]).dt.year
    if year.empty:
        return np.ones(n)
    recent = inj[year > year.max() - years]
    counts = recent["credit_code"].value_counts()
    cases = enterprises["credit_code"].map(counts).fillna(0).to_numpy(dtype=float)
    employees = np.maximum(enterprises["employees"].fillna(0).to_numpy(dtype=float), 0)
    total_workers = employees.sum()
    if total_workers <= 0:
        return np.ones(n)
    rate = cases.sum() / total_workers  # per worker over the window
    expected = rate * employees
    return (cases + ACCIDENT_PRIOR) / (expected + ACCIDENT_PRIOR)


def demand_weights(
    enterprises: pd.DataFrame, weight: str, injuries: pd.DataFrame | None = None
) -> np.ndarray:
    """The demand weight of each enterprise.

    Parameters
    ----------
    enterprises
        Enterprise rows (store columns): ``employees`` for ``workers``; ``key_staff`` and
        ``key_staff_trained`` for ``untrained``; ``employees``, ``risk_class``,
        ``industry_code`` and ``credit_code`` for ``risk``.
    weight
        A key of :data:`WEIGHTS`.
    injuries
        Work injuries for the ``risk`` weight's accident history (optional).

    Returns
    -------
    numpy.ndarray
        Non-negative floats, one per enterprise.
    """
    weight_of(weight)
    if weight == "workers":
        w = enterprises["employees"].fillna(0).to_numpy(dtype=float)
    elif weight == "untrained":
        w = enterprises["key_staff"].fillna(0).to_numpy(dtype=float) - enterprises[
            "key_staff_trained"
        ].fillna(0).to_numpy(dtype=float)
    else:
        employees = enterprises["employees"].fillna(0).to_numpy(dtype=float)
        code = (
            enterprises["industry_code"]
            if "industry_code" in enterprises
            else pd.Series([None] * len(enterprises), index=enterprises.index)
        )
        risk = (
            enterprises["risk_class"]
            if "risk_class" in enterprises
            else pd.Series([None] * len(enterprises), index=enterprises.index)
        )
        w = employees * class_factor(risk, code) * accident_factor(enterprises, injuries)
    return np.maximum(w, 0.0)
