"""Indicators of the risk map: per reporting unit (the choropleth) and for the whole view.

Every figure is a sum over the view's enterprises of the per-enterprise numerators and
denominators of :mod:`gsyf_geo.metrics` (loaded by :mod:`gsyf_geo.analysis.mapdata`), the
same definitions the targets page uses, so a unit's figure for one year is the targets
page's figure of that unit and year:

- accident rate (人/万人): injured people of the view's key-industry enterprises counted in
  the chosen years ÷ the sum over those years of their average insured (mean of the
  previous and the current year end; the same in every year), × 10,000; a year without an
  average (the store lacks a year end) takes no part. ``rate_Y`` and ``change_Y`` give the
  same enterprises' rate in every year Y held and the change against it (a plan's baseline
  year picks its column; 2020 and 2021 are always present);
- enrollment rate: year-end insured ÷ employees of the key-industry enterprises at the end
  of the last chosen year (``insurance_snapshot``);
- training coverage: key staff of the view's 重点企业 trained by the end of the last chosen
  year (training records) ÷ their key staff;
- publicity coverage: key-industry enterprises with a publicity record by the end of the
  last chosen year ÷ key-industry enterprises.

A figure the data cannot give is None.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gsyf_geo.analysis.filters import FilteredView
from gsyf_geo.domain import PNEUMOCONIOSIS, REPORTING_UNITS, SHORT_DUST_EXPOSURE_YEARS
from gsyf_geo.metrics import (
    ACCIDENT_RATE_UNIT,
    accident_rate,
    change_against,
    enrollment_rate,
    project_insurance_rate,
    publicity_coverage,
    short_exposure_share,
    training_coverage,
)

BASELINE_YEARS: tuple[int, ...] = (2020, 2021)


@dataclass(frozen=True)
class Indicator:
    """A choropleth indicator: a column of :func:`unit_indicators`."""

    id: str
    name: str
    unit: str
    fmt: str
    higher_is_worse: bool


INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in (
        Indicator("accident_rate", "工伤事故发生率", ACCIDENT_RATE_UNIT, "{:.1f}", True),
        Indicator("change_2020", "事故率较2020年变化", "%", "{:+.1%}", True),
        Indicator("change_2021", "事故率较2021年变化", "%", "{:+.1%}", True),
        Indicator("enrollment_rate", "工伤保险参保率", "%", "{:.1%}", False),
        Indicator("gap", "参保缺口", "人", "{:,.0f}", True),
        Indicator("training_coverage", "重要岗位培训覆盖率", "%", "{:.1%}", False),
        Indicator("publicity_coverage", "宣传覆盖率", "%", "{:.1%}", False),
        Indicator("project_insurance_rate", "新开工项目按项目参保率", "%", "{:.1%}", False),
        Indicator("short_exposure_share", "接尘工龄不足5年新发尘肺病占比", "%", "{:.1%}", True),
        Indicator("enterprises", "企业数", "家", "{:,.0f}", True),
    )
}


def _col(ent: pd.DataFrame, name: str) -> np.ndarray:
    if name not in ent:
        return np.full(len(ent), np.nan)
    return ent[name].to_numpy(dtype=float)


def _defined(ent: pd.DataFrame, name: str) -> bool:
    """Whether a per-year column exists with data (a year without data is NaN throughout)."""
    return name in ent and bool(ent[name].notna().any())


def _rate_columns(ent: pd.DataFrame, years: tuple[int, int], held: tuple[int, ...]) -> pd.DataFrame:
    """Per-enterprise numerators and denominators of the indicators (0 outside the population)."""
    cols: dict[str, np.ndarray] = {}
    key = ent["key_industry"].notna().to_numpy() if len(ent) else np.zeros(0, dtype=bool)
    window = [
        y for y in range(years[0], years[1] + 1) if y in held and _defined(ent, f"avg_insured_{y}")
    ]
    inj = np.zeros(len(ent))
    den = np.zeros(len(ent))
    for y in window:
        inj += np.where(key, _col(ent, f"injuries_{y}"), 0.0)
        den += np.where(key, np.nan_to_num(_col(ent, f"avg_insured_{y}")), 0.0)
    cols["inj_w"], cols["den_w"] = inj, den
    cols["rate_known"] = np.full(len(ent), 1.0 if window else 0.0)
    for base in held:  # any held year can be a plan's baseline
        if _defined(ent, f"avg_insured_{base}"):
            cols[f"inj_{base}"] = np.where(key, _col(ent, f"injuries_{base}"), 0.0)
            cols[f"den_{base}"] = np.where(key, np.nan_to_num(_col(ent, f"avg_insured_{base}")), 0.0)
    end = years[1]
    for name, source in (("ins_end", f"insured_{end}"), ("emp_end", f"employees_{end}")):
        known = _defined(ent, source)
        cols[name] = np.where(key, np.nan_to_num(_col(ent, source)), 0.0)
        cols[f"{name}_known"] = np.full(len(ent), 1.0 if known else 0.0)
    staff = ent["key_staff"].fillna(0).to_numpy(dtype=float) if len(ent) else np.zeros(0)
    trained = _col(ent, f"trained_{end}")
    is_key_ent = ent["key_enterprise"].fillna(False).to_numpy(dtype=bool) if len(ent) else key
    cols["key_staff_pop"] = np.where(is_key_ent, staff, 0.0)
    cols["trained_pop"] = np.where(is_key_ent, np.nan_to_num(trained), 0.0)
    cols["trained_known"] = (~np.isnan(trained)).astype(float)
    reached = _col(ent, f"reached_{end}")
    cols["publicity_pop"] = key.astype(float)
    cols["publicity_yes"] = np.where(key, np.nan_to_num(reached), 0.0)
    cols["publicity_known"] = (~np.isnan(reached)).astype(float)
    return pd.DataFrame(cols, index=ent.index)


def _known(s: dict, name: str) -> bool:
    return float(s.get(name, 0) or 0) > 0


def _measures(sums: pd.Series | dict, held: tuple[int, ...]) -> dict[str, float | None]:
    """Indicators from summed enterprise columns."""
    s = dict(sums)
    rate = accident_rate(s.get("inj_w"), s.get("den_w")) if _known(s, "rate_known") else None
    out: dict[str, float | None] = {
        "enterprises": float(s.get("enterprises", 0)),
        "employees": float(s.get("employees", 0)),
        "insured": float(s.get("insured", 0)),
        "gap": float(s.get("gap", 0)),
        "injuries": float(s.get("inj_w", 0)),
        "accident_rate": rate,
        "enrollment_rate": enrollment_rate(s.get("ins_end"), s.get("emp_end"))
        if _known(s, "ins_end_known") and _known(s, "emp_end_known")
        else None,
        "training_coverage": training_coverage(s.get("trained_pop"), s.get("key_staff_pop"))
        if _known(s, "trained_known")
        else None,
        "publicity_coverage": publicity_coverage(s.get("publicity_yes"), s.get("publicity_pop"))
        if _known(s, "publicity_known")
        else None,
    }
    for base in sorted({*BASELINE_YEARS, *held}):
        base_rate = accident_rate(s.get(f"inj_{base}"), s.get(f"den_{base}")) if base in held else None
        out[f"rate_{base}"] = base_rate
        out[f"change_{base}"] = change_against(rate, base_rate)
    return out


def _enterprise_sums(view: FilteredView, held: tuple[int, ...]) -> pd.DataFrame:
    ent = view.enterprises
    frame = _rate_columns(ent, view.years, held)
    frame["reporting_unit"] = ent["reporting_unit"].to_numpy()
    frame["enterprises"] = 1
    for col in ("employees", "insured", "gap"):
        frame[col] = ent[col].fillna(0).to_numpy(dtype=float)
    return frame


def unit_indicators(view: FilteredView, held_years: tuple[int, ...]) -> pd.DataFrame:
    """One row per reporting unit (all seven, in domain order) with every indicator.

    Columns: the :data:`INDICATORS` ids plus ``employees``, ``insured``, ``injuries``,
    ``rate_Y`` and ``change_Y`` for 2020, 2021 and every held year, ``projects``,
    ``project_insurance_rate``, ``bases_existing``, ``pneumoconiosis``,
    ``short_exposure_share`` and ``name``.
    """
    sums = _enterprise_sums(view, held_years).groupby("reporting_unit").sum(numeric_only=True)
    rows = {}
    for unit in REPORTING_UNITS:
        s = sums.loc[unit.code] if unit.code in sums.index else {}
        rows[unit.code] = _measures(s, held_years)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["name"] = [u.short_name for u in REPORTING_UNITS]
    table = table.join(_project_measures(view.projects), how="left")
    table = table.join(_base_measures(view.bases, view.years[1]), how="left")
    table = table.join(_disease_measures(view.diseases), how="left")
    table["projects"] = table["projects"].fillna(0)
    table["bases_existing"] = table["bases_existing"].fillna(0)
    table["pneumoconiosis"] = table["pneumoconiosis"].fillna(0)
    return table.astype({"name": str})


def headline(view: FilteredView, held_years: tuple[int, ...]) -> dict[str, float | None]:
    """The view's totals: the figures above the map."""
    sums = _enterprise_sums(view, held_years).drop(columns="reporting_unit").sum(numeric_only=True)
    out = _measures(sums, held_years)
    p = _project_measures(view.projects, by_unit=False)
    out.update({k: (None if pd.isna(v) else float(v)) for k, v in p.items()})
    b = _base_measures(view.bases, view.years[1], by_unit=False)
    out["bases_existing"] = float(b["bases_existing"])
    d = _disease_measures(view.diseases, by_unit=False)
    out.update({k: (None if pd.isna(v) else float(v)) for k, v in d.items()})
    return out


def _project_measures(projects: pd.DataFrame, by_unit: bool = True):
    insured = projects["insured_by_project"].astype(bool)
    if not by_unit:
        n = len(projects)
        return {"projects": n, "project_insurance_rate": project_insurance_rate(insured.sum(), n)}
    g = pd.DataFrame({"u": projects["reporting_unit"], "ins": insured}).groupby("u")["ins"]
    out = pd.DataFrame({"projects": g.size(), "insured_projects": g.sum()})
    out["project_insurance_rate"] = [
        project_insurance_rate(a, b) for a, b in zip(out["insured_projects"], out["projects"], strict=True)
    ]
    return out[["projects", "project_insurance_rate"]]


def _base_measures(bases: pd.DataFrame, year: int, by_unit: bool = True):
    existing = (bases["status"] == "existing") & (bases["year"].fillna(0) <= year)
    if not by_unit:
        return {"bases_existing": int(existing.sum())}
    return existing.groupby(bases["reporting_unit"]).sum().rename("bases_existing").to_frame()


def _disease_measures(diseases: pd.DataFrame, by_unit: bool = True):
    pn = diseases[diseases["disease"] == PNEUMOCONIOSIS]
    short = pn["exposure_years"] < SHORT_DUST_EXPOSURE_YEARS
    if not by_unit:
        return {"pneumoconiosis": len(pn), "short_exposure_share": short_exposure_share(short.sum(), len(pn))}
    g = pd.DataFrame({"u": pn["reporting_unit"], "short": short}).groupby("u")["short"]
    out = pd.DataFrame({"pneumoconiosis": g.size(), "short": g.sum()})
    out["short_exposure_share"] = [
        short_exposure_share(a, b) for a, b in zip(out["short"], out["pneumoconiosis"], strict=True)
    ]
    return out[["pneumoconiosis", "short_exposure_share"]]


def enterprise_table(view: FilteredView, limit: int | None = None, sort: str = "gap") -> pd.DataFrame:
    """The filtered enterprise list with Chinese headers and values, in the order ``sort``.

    Every row of the view is sorted (:func:`gsyf_geo.analysis.filters.sort_enterprises`;
    the default puts the largest enrollment gap first, ties by key-position staff not yet
    trained) before ``limit`` keeps the first rows (the page shows 1,000; exports take all).
    """
    from gsyf_geo.analysis.enterprise_list import period_words, sort_enterprises
    from gsyf_geo.analysis.risk import RISK_GRADE_BY_ID
    from gsyf_geo.domain import KEY_INDUSTRY_BY_ID, REPORTING_UNIT_BY_CODE, SIZE_CLASSES
    from gsyf_geo.geography import towns
    from gsyf_geo.importing.schema import GEOCODE_PRECISION_LABELS

    end = view.years[1]
    ent = sort_enterprises(view.enterprises, sort, end)
    if limit is not None:
        ent = ent.head(limit)
    reached = ent.get(f"reached_{end}", pd.Series(np.nan, index=ent.index))
    town_names = dict(zip(towns()["code"], towns()["name"], strict=True))
    emp = ent["employees"].astype(float)
    return pd.DataFrame(
        {
            "统一社会信用代码": ent["credit_code"],
            "单位名称": ent["name"],
            "统计单元": ent["reporting_unit"].map({u: r.short_name for u, r in REPORTING_UNIT_BY_CODE.items()}),
            "乡镇（街道）": ent["town_code"].map(town_names),
            "重点行业": ent["key_industry"].map({k: v.name for k, v in KEY_INDUSTRY_BY_ID.items()}),
            "行业代码": ent["industry_code"],
            "规模": ent["size"].map({s.id: s.name for s in SIZE_CLASSES}),
            "风险等级": ent["grade"].map({g: r.name for g, r in RISK_GRADE_BY_ID.items()}),
            "风险类别": ent["risk_class"],
            "职工人数": ent["employees"],
            "参保人数": ent["insured"],
            "参保缺口（人）": ent["gap"],
            "参保率": (ent["insured"] / emp.where(emp > 0)).round(4),
            "重要岗位人员": ent["key_staff"],
            "未培训人数": ent["untrained"],
            "重点企业": ent.get("key_enterprise", pd.Series(None, index=ent.index)).map({True: "是", False: "否"}),
            "宣传覆盖": reached.map({1.0: "是", 0.0: "否"}),
            f"工伤人数（{period_words(view.years)}）": ent["injuries_window"],
            "地址": ent["address"],
            "经度": ent["lon"].round(6),
            "纬度": ent["lat"].round(6),
            "定位方式": ent["geocode_precision"].map(lambda p: GEOCODE_PRECISION_LABELS.get(p, p)),
            "位置存疑": ent["outside_named_district"].map({True: "是", False: ""}),
        }
    ).reset_index(drop=True)
