"""What the risk map works on, read from the store once per data version.

:func:`load_map_data` reads every kind the map needs through the scoped query layer and
shapes it for fast filtering: one row per enterprise with its insured headcount and its
injuries per year as columns, and compact frames of injuries, projects, bases and disease
cases. A filter change is then boolean masks and group-bys in memory, not SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gsyf_geo import metrics
from gsyf_geo.domain import size_class_for
from gsyf_geo.metrics import enrollment_gap
from gsyf_geo.store import CITY, Scope, Store
from gsyf_geo.store.demo_status import any_demo_rows

MAP_KINDS = (
    "enterprise", "insurance_snapshot", "work_injury", "construction_project", "training_base",
    "disease_case", "training_record",
)  # fmt: skip
"""The stored kinds :func:`load_map_data` reads."""
ENTERPRISE_COLUMNS = (
    "credit_code", "name", "industry_code", "key_industry", "hazchem_licence", "risk_class",
    "district", "town_code", "reporting_unit", "address", "lon", "lat", "x", "y",
    "geocode_source", "geocode_precision", "outside_named_district", "employees", "insured",
    "key_staff", "key_staff_trained", "publicity_reached", "key_enterprise",
    "demonstration_unit", "is_demo",
)  # fmt: skip
INJURY_COLUMNS = (
    "injury_date", "recognition_date", "credit_code", "key_industry", "commuting", "fatal",
    "accident_type", "district", "town_code", "reporting_unit", "lon", "lat", "x", "y",
)  # fmt: skip
PROJECT_COLUMNS = (
    "project_code", "name", "district", "town_code", "reporting_unit", "lon", "lat", "x", "y",
    "start_date", "cost_wan_yuan", "workers", "insured_by_project", "outside_named_district",
)  # fmt: skip
BASE_COLUMNS = (
    "site_code", "name", "kind", "status", "year", "capacity", "district", "town_code",
    "reporting_unit", "lon", "lat", "x", "y", "address",
)  # fmt: skip
DISEASE_COLUMNS = (
    "diagnosis_date", "credit_code", "district", "reporting_unit", "key_industry", "disease",
    "exposure_years",
)  # fmt: skip
RECORD_COLUMNS = ("credit_code", "activity", "activity_date", "key_staff_trained")


@dataclass
class MapData:
    """Everything the risk map shows, for one scope.

    ``enterprises`` has, besides the stored columns, ``key_industry`` (the plan's
    classification, :func:`gsyf_geo.metrics.key_industries`), ``key_enterprise`` (重点企业,
    :func:`gsyf_geo.metrics.is_key_enterprise`), ``size`` (size class id), ``gap``
    (enrollment gap, persons), and per year Y of ``years`` (all from
    :mod:`gsyf_geo.metrics`, the definitions the targets page uses):

    - ``injuries_Y``: injured people counted by the accident rate in Y (the plan's date
      basis and commuting rule); ``fatal_Y`` (of them) and ``commuting_Y`` (commuting
      injuries, by the same date basis);
    - ``avg_insured_Y``: average insured (mean of the year ends of Y−1 and Y; NaN when the
      store lacks either year end); ``insured_Y`` and ``employees_Y``: year-end stocks
      (0 without a snapshot in a year held, NaN for a year not held);
    - ``trained_Y``: key staff trained by the end of Y (training records, capped at key
      staff) and ``reached_Y``: a publicity record by the end of Y (1.0/0.0); NaN before
      the first training or publicity record, or without any record of that activity.

    ``injuries`` carries ``year``: the year the injury counts in (the plan's date basis).
    """

    enterprises: pd.DataFrame
    injuries: pd.DataFrame
    projects: pd.DataFrame
    bases: pd.DataFrame
    diseases: pd.DataFrame
    years: tuple[int, ...]
    is_demo: bool
    scope: Scope

    @property
    def latest_year(self) -> int:
        return self.years[-1] if self.years else pd.Timestamp.today().year


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Drop the geometry of a GeoDataFrame: the map works on lon/lat and x/y arrays."""
    return pd.DataFrame(df.drop(columns="geometry", errors="ignore"))


def _year(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.year.astype("Int64")


def _rules(plan) -> tuple[bool, str]:
    rules = getattr(plan, "rules", None)
    return (
        bool(getattr(rules, "commuting_included", False)),
        str(getattr(rules, "injury_date_basis", "recognition")),
    )


def map_years(snapshot_years: list[int], injury_years: set[int]) -> list[int]:
    """The years the map offers: those with an average insured (year ends of Y−1 and Y
    held); without any, every year with a snapshot or an injury."""
    held = set(snapshot_years)
    rate_years = sorted(y for y in held if y - 1 in held)
    return rate_years or sorted(held | injury_years)


def load_map_data(store: Store, scope: Scope = CITY, plan=None) -> MapData:
    """Read what the risk map needs from ``store`` inside ``scope``.

    Parameters
    ----------
    store
        The store.
    scope
        What the caller may see; every frame is restricted to it.
    plan
        The plan whose rules apply (key industries, commuting, injury date basis); ``None``:
        the stored key industries and the default rules (commuting excluded, recognition
        date).

    Returns
    -------
    MapData
    """
    commuting_included, basis = _rules(plan)
    ent = _plain(store.read("enterprise", scope, columns=ENTERPRISE_COLUMNS))
    snaps = store.read("insurance_snapshot", scope, columns=["credit_code", "year", "insured", "employees"])
    inj = _plain(store.read("work_injury", scope, columns=INJURY_COLUMNS))
    projects = _plain(store.read("construction_project", scope, columns=PROJECT_COLUMNS))
    bases = _plain(store.read("training_base", scope, columns=BASE_COLUMNS))
    diseases = store.read("disease_case", scope, columns=DISEASE_COLUMNS)
    records = store.read("training_record", scope, columns=RECORD_COLUMNS)

    inj["year"] = metrics.injury_counting_date(inj, basis).dt.year.astype("Int64")
    projects["year"] = _year(projects["start_date"])
    diseases["year"] = _year(diseases["diagnosis_date"])
    years = map_years(metrics.snapshot_years(snaps), set(inj["year"].dropna().astype(int)))

    ent["key_industry"] = metrics.key_industries(ent, plan)
    ent["key_enterprise"] = metrics.is_key_enterprise(ent, ent["key_industry"])
    ent = ent.set_index("credit_code", drop=False)
    ent["size"] = [size_class_for(int(n)) for n in ent["employees"].fillna(0)]
    ent["gap"] = enrollment_gap(ent["employees"].fillna(0), ent["insured"].fillna(0))
    codes = ent.index
    columns: dict[str, pd.Series | np.ndarray] = {}
    num, den = metrics.accident_rate_parts(
        codes, snaps, inj, years, commuting_included=commuting_included, basis=basis
    )
    counted = metrics.counted_injuries(inj, commuting_included, basis)
    fatal = metrics.per_enterprise(counted[counted["fatal"].astype(bool)], codes, years)
    commuting = inj[inj["commuting"].astype(bool)]
    commuting = metrics.per_enterprise(commuting, codes, years)
    insured = metrics.year_end_stock(snaps, codes, years, "insured")
    employees = metrics.year_end_stock(snaps, codes, years, "employees")
    first = metrics.records_first_year(records["activity_date"])
    training = records[records["activity"] == "training"]
    publicity = records[records["activity"] == "publicity"]
    trained = (
        metrics.trained_key_staff(ent, training, years).to_numpy(float)
        if len(training) and years
        else None
    )
    reached = (
        metrics.publicity_reached(ent, publicity, years).to_numpy(float)
        if len(publicity) and years
        else None
    )
    for i, y in enumerate(years):
        columns[f"injuries_{y}"] = num[y].to_numpy().astype(np.int32)
        columns[f"fatal_{y}"] = fatal[y].to_numpy().astype(np.int32)
        columns[f"commuting_{y}"] = commuting[y].to_numpy().astype(np.int32)
        columns[f"avg_insured_{y}"] = den[y].to_numpy()
        columns[f"insured_{y}"] = insured[y].to_numpy()
        columns[f"employees_{y}"] = employees[y].to_numpy()
        covered = first is not None and y >= first
        columns[f"trained_{y}"] = (
            trained[:, i] if trained is not None and covered else np.full(len(ent), np.nan)
        )
        columns[f"reached_{y}"] = (
            reached[:, i] if reached is not None and covered else np.full(len(ent), np.nan)
        )
    ent = pd.concat([ent, pd.DataFrame(columns, index=ent.index)], axis=1).reset_index(drop=True)
    return MapData(
        enterprises=ent,
        injuries=inj.drop(columns=["injury_date", "recognition_date"]),
        projects=projects,
        bases=bases,
        diseases=diseases.drop(columns=["diagnosis_date"]),
        years=tuple(years),
        # Labelled 演示数据 while any row the map draws on (inside the scope) is demo.
        is_demo=any_demo_rows(store, MAP_KINDS, scope),
        scope=scope,
    )
