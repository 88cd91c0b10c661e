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

from gsyf_geo.domain import size_class_for
from gsyf_geo.metrics import enrollment_gap
from gsyf_geo.store import CITY, Scope, Store

ENTERPRISE_COLUMNS = (
    "credit_code", "name", "industry_code", "key_industry", "hazchem_licence", "risk_class",
    "district", "town_code", "reporting_unit", "address", "lon", "lat", "x", "y",
    "geocode_source", "geocode_precision", "outside_named_district", "employees", "insured",
    "key_staff", "key_staff_trained", "publicity_reached", "demonstration_unit", "is_demo",
)  # fmt: skip
INJURY_COLUMNS = (
    "injury_date", "credit_code", "key_industry", "commuting", "fatal", "accident_type",
    "district", "town_code", "reporting_unit", "lon", "lat", "x", "y",
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


@dataclass
class MapData:
    """Everything the risk map shows, for one scope.

    ``enterprises`` has, besides the stored columns, ``size`` (size class id), ``gap``
    (enrollment gap, persons), and per year Y of ``years``: ``insured_Y`` (year-end
    insured; NaN without a snapshot), ``injuries_Y`` (recognised, not commuting),
    ``fatal_Y`` and ``commuting_Y``.
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


def load_map_data(store: Store, scope: Scope = CITY) -> MapData:
    """Read what the risk map needs from ``store`` inside ``scope``.

    Parameters
    ----------
    store
        The store.
    scope
        What the caller may see; every frame is restricted to it.

    Returns
    -------
    MapData
    """
    ent = _plain(store.read("enterprise", scope, columns=ENTERPRISE_COLUMNS))
    snaps = store.read("insurance_snapshot", scope, columns=["credit_code", "year", "insured"])
    inj = _plain(store.read("work_injury", scope, columns=INJURY_COLUMNS))
    projects = _plain(store.read("construction_project", scope, columns=PROJECT_COLUMNS))
    bases = _plain(store.read("training_base", scope, columns=BASE_COLUMNS))
    diseases = store.read("disease_case", scope, columns=DISEASE_COLUMNS)

    inj["year"] = _year(inj["injury_date"])
    projects["year"] = _year(projects["start_date"])
    diseases["year"] = _year(diseases["diagnosis_date"])
    years = sorted(
        set(snaps["year"].dropna().astype(int)) | set(inj["year"].dropna().astype(int))
    )

    ent = ent.set_index("credit_code", drop=False)
    ent["size"] = [size_class_for(int(n)) for n in ent["employees"].fillna(0)]
    ent["gap"] = enrollment_gap(ent["employees"].fillna(0), ent["insured"].fillna(0))
    if len(snaps):
        wide = snaps.pivot_table(index="credit_code", columns="year", values="insured", aggfunc="sum")
        for y in years:
            ent[f"insured_{y}"] = wide[y].reindex(ent.index) if y in wide else np.nan
    else:
        for y in years:
            ent[f"insured_{y}"] = np.nan
    linked = inj[inj["credit_code"].isin(ent.index)]
    for name, rows in (
        ("injuries", linked[~linked["commuting"].astype(bool)]),
        ("fatal", linked[linked["fatal"].astype(bool) & ~linked["commuting"].astype(bool)]),
        ("commuting", linked[linked["commuting"].astype(bool)]),
    ):
        counts = rows.groupby(["credit_code", "year"]).size().unstack(fill_value=0)
        for y in years:
            col = counts[y] if y in counts else pd.Series(dtype=float)
            ent[f"{name}_{y}"] = col.reindex(ent.index, fill_value=0).astype(np.int32)
    ent = ent.reset_index(drop=True)
    return MapData(
        enterprises=ent,
        injuries=inj.drop(columns=["injury_date"]),
        projects=projects,
        bases=bases,
        diseases=diseases.drop(columns=["diagnosis_date"]),
        years=tuple(years),
        is_demo=store.holds_demo_data,
        scope=scope,
    )
