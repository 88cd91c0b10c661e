"""The ranked panel of the risk map: the seven reporting units against the plan's targets.

The 期末评估 matrix in small (:func:`gsyf_geo.monitor.evaluation.final_tables`, sheet
``分区汇总``): one row per reporting unit (the six districts and 经开区), one column per target
the plan breaks down by unit (ratios and rates: :attr:`TargetResult.split`), each cell the
unit's judged value and its verdict exactly as :func:`gsyf_geo.monitor.evaluation.evaluate_plan`
gives it (the targets page, the exports and ``targets --scope`` use the same results). City
totals (参保人数, 示范单位, 基地 …) are not broken down by unit and are left out.

The map's colours use :func:`indicator_target`: whether each unit meets the plan's target on the
indicator shown (docs/map_colours.md).

Ranking: by one target, worst first (the unit furthest from meeting it on top); or by the
number of targets a unit misses (未达标 or 落后), most first, then by the number it meets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from gsyf_geo.domain import REPORTING_UNITS
from gsyf_geo.monitor.evaluation import TargetResult, target_text
from gsyf_geo.monitor.status import BEHIND, MET, MISSED, NO_DATA
from gsyf_geo.monitor.values import format_value

BY_MISSES = "misses"
"""Rank key: the number of targets missed (未达标 or 落后)."""


@dataclass(frozen=True)
class RankColumn:
    """A target of the panel: ``key`` (the target id), its name, the requirement in words."""

    key: str
    name: str
    requirement: str
    direction: str


@dataclass(frozen=True)
class RankedPanel:
    """The panel's content.

    ``status``, ``text`` and ``score`` are frames indexed by unit code (domain order) with
    one column per :attr:`columns` key: the verdict (:data:`gsyf_geo.monitor.status.STATUSES`),
    the value shown (“79.6%”, “38.9 人/万人（较2020年 −21.3%）”) and a number that orders the
    units from best to worst on that target (higher is worse; NaN without a value).
    """

    columns: tuple[RankColumn, ...]
    names: dict[str, str]
    status: pd.DataFrame
    text: pd.DataFrame
    score: pd.DataFrame

    def misses(self) -> pd.Series:
        """Targets missed (未达标 or 落后) per unit."""
        return self.status.isin([MISSED, BEHIND]).sum(axis=1)

    def meets(self) -> pd.Series:
        """Targets met (达标) per unit."""
        return (self.status == MET).sum(axis=1)

    def order(self, by: str = BY_MISSES) -> list[str]:
        """Unit codes, worst first, by one target's key or by :data:`BY_MISSES`.

        On a target: by its score, worst first; units without a value last. Ties keep the
        domain order.
        """
        if by == BY_MISSES:
            frame = pd.DataFrame({"m": self.misses(), "g": self.meets()})
            return list(frame.sort_values(["m", "g"], ascending=[False, True], kind="stable").index)
        score = self.score[by]
        return list(score.sort_values(ascending=False, na_position="last", kind="stable").index)


def _score(result: TargetResult, value: float | None, base: float | None) -> float | None:
    """Higher is worse: the shortfall against the target's direction."""
    if value is None:
        return None
    direction = result.target.direction
    if direction == "at_least":
        return -value
    if direction == "reduce_by":
        return None if not base else value / base - 1.0  # the least fall is worst
    return value  # at_most, decreasing_yearly: a higher value is worse


def _text(result: TargetResult, value: float | None, year: int | None, base: float | None) -> str:
    if value is None:
        return NO_DATA
    text = format_value(value, result.info.unit)
    if result.target.direction == "reduce_by" and base:
        text += f"（较{result.baseline_year}年 {(value / base - 1) * 100:+.1f}%）"
    return text


def ranked_panel(results: Sequence[TargetResult]) -> RankedPanel:
    """The panel from the plan's evaluation (:func:`gsyf_geo.monitor.evaluation.evaluate_plan`
    in the city scope).

    Parameters
    ----------
    results
        Every target's result; those not judged per unit are left out.

    Returns
    -------
    RankedPanel
    """
    # The units the results hold (all seven for the city; an officer's own in a district scope).
    held = {c for r in results for c in r.units}
    codes = [u.code for u in REPORTING_UNITS if u.code in held]
    columns: list[RankColumn] = []
    status: dict[str, list[str]] = {}
    text: dict[str, list[str]] = {}
    score: dict[str, list[float | None]] = {}
    for r in results:
        if not r.split or not any(r.units.get(c) is not None for c in codes):
            continue
        key = r.target.id
        requirement = (
            f"较{r.baseline_year}年降低≥{(r.target.target or 0) * 100:.0f}%"  # each unit from its own baseline
            if r.target.direction == "reduce_by" else target_text(r, r.units.get(codes[0]))
        )  # fmt: skip
        columns.append(RankColumn(key, r.target.name, requirement, r.target.direction))
        status[key], text[key], score[key] = [], [], []
        for c in codes:
            a = r.units.get(c)
            base = (r.values.units.get(c) or {}).get(r.baseline_year)
            value = None if a is None else a.value
            status[key].append(NO_DATA if a is None else a.status)
            text[key].append(_text(r, value, None if a is None else a.year, base))
            score[key].append(_score(r, value, base))
    keys = [c.key for c in columns]
    return RankedPanel(
        columns=tuple(columns),
        names={u.code: u.short_name for u in REPORTING_UNITS if u.code in held},
        status=pd.DataFrame(status, index=codes, columns=keys),
        text=pd.DataFrame(text, index=codes, columns=keys),
        score=pd.DataFrame(score, index=codes, columns=keys, dtype=float),
    )


@dataclass(frozen=True)
class IndicatorTarget:
    """Whether each unit meets the plan's target on a map indicator.

    ``met`` maps a reporting-unit code to True (meets), False (misses) or None (cannot be
    said: no value, no baseline); ``text`` is the target in words (“≥ 100.0%”).
    """

    met: dict[str, bool | None]
    text: str


def indicator_target(table: pd.DataFrame, indicator: str, plan) -> IndicatorTarget | None:
    """The plan's target on a map indicator, held against each unit's value in ``table``.

    The same requirement the targets page applies (:func:`gsyf_geo.monitor.status.is_met`,
    :func:`~gsyf_geo.monitor.status.reduction_met`; a value exactly at the target meets it):

    - ``change_<baseline>`` (the plan's baseline year) against a ``reduce_by`` target on the
      accident rate: met when the change is at or below −(the fall);
    - ``accident_rate`` against the same target: each unit against its own baseline-year
      rate (its ``change_<baseline>``);
    - a ratio with an ``at_least``/``at_most`` target on the same metric (enrollment rate,
      training and publicity coverage, project insurance rate).

    Returns
    -------
    IndicatorTarget or None
        None when the plan has no such target (the map's colours are then relative).
    """
    from gsyf_geo.monitor.status import is_met, reduction_met, target_for_metric

    if plan is None or indicator not in table:
        return None

    def num(v) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    base = getattr(plan, "baseline_year", None)
    if indicator == "accident_rate" or indicator.startswith("change_"):
        accident = target_for_metric(plan, "accident_rate")
        column = f"change_{base}"
        if (
            accident is None or accident.direction != "reduce_by" or accident.target is None
            or column not in table or indicator not in ("accident_rate", column)
        ):  # fmt: skip
            return None
        met = {str(c): reduction_met(num(v), accident.target) for c, v in table[column].items()}
        # A unit without a value of its own has nothing to hold against the target.
        met = {c: (m if num(table.at[c, indicator]) is not None else None) for c, m in met.items()}
        return IndicatorTarget(met, f"较{base}年降低≥{accident.target:.0%}")
    target = target_for_metric(plan, indicator)
    if target is None or target.target is None or target.direction not in ("at_least", "at_most"):
        return None
    met = {str(c): is_met(target, num(v), None) for c, v in table[indicator].items()}
    sign = "≥" if target.direction == "at_least" else "≤"
    shown = f"{target.target:.1%}" if target.unit == "ratio" else f"{target.target:g}{target.unit}"
    return IndicatorTarget(met, f"{sign} {shown}")
