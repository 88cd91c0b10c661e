"""Synthetic publicity activities (``publicity_activity``) for the demo city, 2021–2025.

Pure and reproducible: the same seed gives the same rows. Every row is ``is_demo=True``.

What is generated, per year 2021–2025:

- in each of the seven reporting units (six districts, 经开区 carved out of 武进): one
  工伤保险暨工伤预防宣传月 event (May–November), one 职业病防治法宣传周 event (25 April –
  1 May), one 安全生产月 event (June) and two to five other 宣传活动 (进企业、进工地、进社区);
  reach (人次) drawn per event;
- the city's 全市工伤预防工作推进会 (organised by 市人社局, held in 新北区 where the city
  administration sits) in every year **except 2022**, so the demo shows one year not held;
- the 工伤保险费率浮动调整 on 1 January of 2021, 2023 and 2025 (市人社局, 新北区, no reach).

``district`` is where the activity took place; city-level work carries the district of
the city administration (新北区).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gsyf_geo.domain import DISTRICT_BY_ADCODE, REPORTING_UNITS

__all__ = ["ACTIVITY_YEARS", "CITY_VENUE_DISTRICT", "publicity_activities"]

ACTIVITY_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025)
CITY_VENUE_DISTRICT = "320411"  # 新北区: seat of the city administration
MEETING_SKIPPED_YEAR = 2022  # the demo's one year without the city meeting
RATE_REVIEW_YEARS: tuple[int, ...] = (2021, 2023, 2025)

_VENUES = ("市民广场", "人社服务大厅", "工业园区", "建筑工地", "社区服务中心", "企业培训中心")
_OTHER = ("工伤预防进企业", "工伤预防进工地", "工伤预防进社区", "工伤预防政策宣讲")


def _day(rng: np.random.Generator, year: int, first: tuple[int, int], last: tuple[int, int]) -> pd.Timestamp:
    start = pd.Timestamp(year, *first)
    span = (pd.Timestamp(year, *last) - start).days
    return start + pd.Timedelta(days=int(rng.integers(0, span + 1)))


def publicity_activities(seed: int = 2021) -> pd.DataFrame:
    """The demo's publicity activities (see the module docstring for what and why).

    Parameters
    ----------
    seed
        Random seed (the demo's seed; the stream is independent of the other demo kinds).

    Returns
    -------
    pandas.DataFrame
        Columns of the ``publicity_activity`` table except ``batch_id``; ``activity_date``
        is ``datetime64``.
    """
    rng = np.random.default_rng([int(seed), 11])
    rows: list[dict[str, object]] = []

    def add(date: pd.Timestamp, kind: str, name: str, place: str, district: str, unit: str,
            reach: int | None, organiser: str) -> None:  # fmt: skip
        rows.append({
            "activity_id": f"PA{date.year}-{len(rows) + 1:04d}",
            "activity_date": date,
            "kind": kind,
            "name": name,
            "place": place,
            "district": district,
            "reporting_unit": unit,
            "reach": reach,
            "organiser": organiser,
            "is_demo": True,
        })  # fmt: skip

    for year in ACTIVITY_YEARS:
        if year in RATE_REVIEW_YEARS:
            add(pd.Timestamp(year, 1, 1), "费率调整", f"{year}年度用人单位工伤保险费率浮动调整",
                "市人社局", CITY_VENUE_DISTRICT, CITY_VENUE_DISTRICT, None, "市人社局")  # fmt: skip
        for unit in REPORTING_UNITS:
            short = unit.short_name
            district = unit.district_adcode
            venue = f"{short}{_VENUES[int(rng.integers(0, len(_VENUES)))]}"
            add(_day(rng, year, (4, 25), (5, 1)), "职业病防治法宣传周",
                f"{year}年{short}《职业病防治法》宣传周活动", venue, district, unit.code,
                int(rng.integers(500, 5_001)), f"{short}卫生健康部门")  # fmt: skip
            add(_day(rng, year, (6, 1), (6, 30)), "安全生产月",
                f"{year}年{short}安全生产月宣传咨询日", venue, district, unit.code,
                int(rng.integers(1_000, 10_001)), f"{short}应急管理部门")  # fmt: skip
            add(_day(rng, year, (5, 1), (11, 30)), "工伤保险暨工伤预防宣传月",
                f"{year}年{short}工伤保险暨工伤预防宣传月", venue, district, unit.code,
                int(rng.integers(2_000, 20_001)), f"{short}人社部门")  # fmt: skip
            for _ in range(int(rng.integers(2, 6))):
                what = _OTHER[int(rng.integers(0, len(_OTHER)))]
                add(_day(rng, year, (1, 5), (12, 20)), "宣传活动", f"{year}年{short}{what}活动",
                    f"{short}{_VENUES[int(rng.integers(0, len(_VENUES)))]}", district, unit.code,
                    int(rng.integers(100, 2_001)), f"{short}人社部门")  # fmt: skip
        if year != MEETING_SKIPPED_YEAR:
            add(_day(rng, year, (3, 1), (4, 30)), "全市工伤预防工作推进会",
                f"{year}年全市工伤预防工作推进会",
                f"{DISTRICT_BY_ADCODE[CITY_VENUE_DISTRICT].name}市行政中心", CITY_VENUE_DISTRICT,
                CITY_VENUE_DISTRICT, int(rng.integers(80, 201)), "市人社局")  # fmt: skip
    df = pd.DataFrame(rows)
    df = df.sort_values(["activity_date", "activity_id"], kind="stable").reset_index(drop=True)
    df["activity_date"] = df["activity_date"].astype("datetime64[s]")
    df["reach"] = df["reach"].astype("Int64")
    return df
