"""A tiny hand-made city for the coverage-monitor tests, with answers worked out by hand.

Reporting units used: 天宁 (320402), 武进 without 经开区 (320412) and 经开区 (JKQ: town
横林镇 320412105 of 武进). Every other unit has no rows. The expected values are written
next to the rows in the tests (tests/test_monitor_values.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from gsyf_geo.plan import Plan, load_plan
from gsyf_geo.store import Store

REPO = Path(__file__).resolve().parents[1]
PLAN_FILE = REPO / "data" / "plan" / "changzhou_2021-2025.json"

TIANNING = "320402"
WUJIN = "320412"
JKQ_TOWN = "320412105"  # 横林镇, administered by 经开区
LON, LAT = 119.95, 31.78


def plan() -> Plan:
    """The shipped 2021–2025 plan (read directly, whatever GSYF_PLAN_DIR says)."""
    return load_plan(PLAN_FILE)


def _place(district: str, town: str | None = None) -> dict:
    return {"district": district, "town_code": town, "lon": LON, "lat": LAT}


ENTERPRISES = [
    # code, industry, key_staff, demonstration (unit, year), place, employees, 是否重点企业
    ("E1", "chemical", 10, (True, 2021), _place(TIANNING), 100, None),  # default rule: ≥20
    ("E2", "machinery", 10, (True, 2023), _place(TIANNING), 100, True),
    ("E3", "metallurgy", 4, (False, None), _place(WUJIN, JKQ_TOWN), 19, True),  # flag wins
    ("E4", "construction", 6, (True, 2019), _place(WUJIN), 100, False),  # not a 重点企业
    ("E5", None, 5, (False, None), _place(TIANNING), 100, True),  # not a key industry
    ("E6", "transport", 0, (True, None), _place(WUJIN, JKQ_TOWN), 100, None),  # year unknown
]
PLACE = {code: place for code, _, _, _, place, _, _ in ENTERPRISES}


def _unit_of(code: str) -> dict:
    p = PLACE[code]
    return {
        "district": p["district"],
        "reporting_unit": "JKQ" if p["town_code"] == JKQ_TOWN else p["district"],
    }


def enterprises() -> pd.DataFrame:
    rows = []
    for code, industry, key_staff, (demo, year), place, employees, key in ENTERPRISES:
        rows.append(
            {
                "credit_code": code,
                "name": f"企业{code}",
                "key_industry": industry,
                "key_staff": key_staff,
                "key_enterprise": key,
                "employees": employees,
                "insured": min(90, employees),
                "demonstration_unit": demo,
                "demonstration_year": year,
                **place,
            }
        )
    df = pd.DataFrame(rows)
    df["demonstration_year"] = df["demonstration_year"].astype("Int64")
    df["key_enterprise"] = df["key_enterprise"].astype("boolean")
    return df


def _record(rid, activity, day, code, **extra) -> dict:
    unit = _unit_of(code) if code else {"district": TIANNING, "reporting_unit": TIANNING}
    return {
        "record_id": rid,
        "activity": activity,
        "activity_date": day,
        "credit_code": code,
        "participants": extra.pop("participants", 10),
        "key_staff_trained": extra.pop("key_staff_trained", None),
        "provider": extra.pop("provider", "某培训机构"),
        "checkup_project": extra.pop("checkup_project", False),
        "base_site_code": extra.pop("base_site_code", None),
        **unit,
    }


CENTRE = "常州市建筑施工安全体验中心"


def training_records() -> pd.DataFrame:
    rows = [
        # publicity: E1 2021, E3 2022, E2 2023 (and again 2024), E5 (not key) 2021
        _record("P1", "publicity", date(2021, 3, 1), "E1"),
        _record("P2", "publicity", date(2022, 5, 1), "E3"),
        _record("P3", "publicity", date(2023, 7, 1), "E2"),
        _record("P4", "publicity", date(2024, 7, 1), "E2"),
        _record("P5", "publicity", date(2021, 7, 1), "E5"),
        # training of key staff
        _record(
            "T1", "training", date(2021, 4, 1), "E1", key_staff_trained=6, checkup_project=True
        ),
        _record("T2", "training", date(2022, 4, 1), "E1", key_staff_trained=6),
        _record("T3", "training", date(2023, 4, 1), "E2", key_staff_trained=5),
        _record("T4", "training", date(2021, 9, 1), "E3", key_staff_trained=4),
        _record("T5", "training", date(2021, 9, 2), "E5", key_staff_trained=5),
        # 体检式 project units: E1 twice in 2021, E2 2021, E3 2022
        _record("C1", "training", date(2021, 10, 1), "E1", checkup_project=True),
        _record("C2", "training", date(2021, 10, 2), "E2", checkup_project=True),
        _record("C3", "training", date(2022, 10, 1), "E3", checkup_project=True),
        # construction safety experience centre
        _record("B1", "training", date(2021, 5, 1), "E4", participants=30, base_site_code="BASE-X"),
        _record("B2", "training", date(2021, 6, 1), None, participants=20, provider=CENTRE),
        _record("B3", "training", date(2021, 6, 2), "E2", participants=50, provider=CENTRE),
        _record("B4", "training", date(2021, 6, 3), "E4", participants=100),
        _record("B5", "publicity", date(2022, 6, 3), "E4", participants=7, provider=CENTRE),
    ]
    return pd.DataFrame(rows)


def insurance_snapshots() -> pd.DataFrame:
    rows = [
        # enterprise, year, employees, insured
        ("E1", 2019, 950, 900), ("E2", 2019, 3000, 2900),
        ("E1", 2020, 1050, 1000), ("E1", 2021, 1250, 1200),
        ("E2", 2020, 3100, 3000), ("E2", 2021, 3300, 3200),
        ("E5", 2020, 500, 500), ("E5", 2021, 600, 500),  # not a key industry
        ("E3", 2021, 110, 100),  # 经开区 has no 2019/2020 snapshot: 0 insured then
    ]  # fmt: skip
    return pd.DataFrame(
        [
            {"credit_code": c, "year": y, "employees": e, "insured": n, **_unit_of(c)}
            for c, y, e, n in rows
        ]
    )


def work_injuries() -> pd.DataFrame:
    rows = [
        # id, injury date, recognition date, enterprise, key industry, commuting
        ("W1", date(2020, 2, 1), date(2020, 3, 1), "E1", "chemical", False),
        ("W2", date(2020, 3, 1), None, "E1", "chemical", False),  # no 认定日期: injury date
        ("W3", date(2020, 4, 1), date(2021, 1, 10), "E2", "machinery", False),  # recognised 2021
        ("W4", date(2020, 5, 1), date(2020, 6, 1), "E2", "machinery", True),  # commuting
        ("W5", date(2020, 6, 1), date(2020, 7, 1), "E5", None, False),  # not a key industry
        ("W6", date(2021, 2, 1), date(2021, 3, 1), "E1", "chemical", False),
        ("W7", date(2021, 3, 1), date(2021, 4, 1), "E1", "chemical", False),
        ("W8", date(2021, 4, 1), date(2021, 5, 1), "E2", "machinery", False),
        ("W9", date(2021, 5, 1), date(2021, 6, 1), "E2", "machinery", False),
        ("W10", date(2021, 6, 1), date(2021, 7, 1), "E3", "metallurgy", False),
    ]
    return pd.DataFrame(
        [
            {"record_id": r, "injury_date": d, "recognition_date": rd, "credit_code": c,
             "key_industry": k, "commuting": com, **PLACE[c]}
            for r, d, rd, c, k, com in rows
        ]
    )  # fmt: skip


def disease_cases() -> pd.DataFrame:
    rows = [
        ("D1", date(2021, 1, 5), "尘肺病", 3.0),
        ("D2", date(2021, 2, 5), "尘肺病", 4.99),
        ("D3", date(2021, 3, 5), "尘肺病", 5.0),  # exactly 5 years: not "less than 5"
        ("D4", date(2021, 4, 5), "尘肺病", 12.0),
        ("D5", date(2021, 5, 5), "尘肺病", None),  # exposure unknown: left out
        ("D6", date(2021, 6, 5), "职业性噪声聋", 1.0),  # not pneumoconiosis
        ("D7", date(2022, 1, 5), "尘肺病", 2.0),
        ("D8", date(2022, 2, 5), "尘肺病", 10.0),
        ("D9", date(2022, 3, 5), "尘肺病", 10.0),
    ]
    return pd.DataFrame(
        [{"case_id": i, "diagnosis_date": d, "credit_code": "E3", "disease": dis,
          "exposure_years": e, "key_industry": "metallurgy", **_unit_of("E3")}
         for i, d, dis, e in rows]
    )  # fmt: skip


def unit_year_totals() -> pd.DataFrame:
    df = pd.DataFrame(
        [
            {"reporting_unit": TIANNING, "district": TIANNING, "year": 2021, "insured_total": 1000, "flexible_insured": 10},
            {"reporting_unit": "JKQ", "district": WUJIN, "year": 2021, "insured_total": 500, "flexible_insured": None},
            {"reporting_unit": TIANNING, "district": TIANNING, "year": 2022, "insured_total": 1100, "flexible_insured": 20},
        ]
    )  # fmt: skip
    df["flexible_insured"] = df["flexible_insured"].astype("Int64")
    return df


def training_institutions() -> pd.DataFrame:
    df = pd.DataFrame(
        [
            {
                "institution_code": "I1",
                "name": "机构1",
                "district": TIANNING,
                "demonstration_year": 2021,
            },
            {
                "institution_code": "I2",
                "name": "机构2",
                "district": TIANNING,
                "demonstration_year": 2022,
            },
            {
                "institution_code": "I3",
                "name": "机构3",
                "district": WUJIN,
                "demonstration_year": None,
            },
        ]
    )
    df["demonstration_year"] = df["demonstration_year"].astype("Int64")
    return df


def training_bases() -> pd.DataFrame:
    rows = [
        ("BASE-X", CENTRE, "existing", 2021),
        ("B2", "基地2", "existing", 2023),
        ("B3", "基地3", "planned", 2022),
        ("B4", "基地4", "existing", None),  # existing, year unknown: counts every year
        ("B5", "基地5", "candidate", None),
    ]
    df = pd.DataFrame(
        [{"site_code": c, "name": n, "kind": "技工院校", "status": s, "year": y, **_place(TIANNING)}
         for c, n, s, y in rows]
    )  # fmt: skip
    df["year"] = df["year"].astype("Int64")
    return df


def construction_projects() -> pd.DataFrame:
    rows = [
        ("PJ1", date(2021, 3, 1), True),
        ("PJ2", date(2021, 4, 1), False),
        ("PJ3", date(2021, 5, 1), True),
        ("PJ4", date(2022, 5, 1), False),
        ("PJ5", None, True),  # start unknown: left out
    ]
    return pd.DataFrame(
        [{"project_code": c, "name": c, "start_date": d, "insured_by_project": i, **_place(TIANNING)}
         for c, d, i in rows]
    )  # fmt: skip


def experts() -> pd.DataFrame:
    df = pd.DataFrame(
        [
            {"expert_code": "X1", "joined_year": 2021, "left_year": None},
            {"expert_code": "X2", "joined_year": 2021, "left_year": 2023},
            {"expert_code": "X3", "joined_year": 2022, "left_year": None},
        ]
    )
    df["left_year"] = df["left_year"].astype("Int64")
    return df


KINDS = {
    "enterprise": enterprises,
    "insurance_snapshot": insurance_snapshots,
    "unit_year_total": unit_year_totals,
    "construction_project": construction_projects,
    "training_base": training_bases,
    "work_injury": work_injuries,
    "disease_case": disease_cases,
    "training_record": training_records,
    "training_institution": training_institutions,
    "expert": experts,
}


def load(store: Store, only: tuple[str, ...] | None = None) -> None:
    """Insert the tiny city (or only some kinds) into ``store``."""
    for kind, make in KINDS.items():
        if only is None or kind in only:
            store.insert(kind, make())
