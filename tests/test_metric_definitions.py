"""One definition per metric: the enterprise-level rules of gsyf_geo.metrics at their edges,
the map and the targets page agreeing on imported data, and the schema upgrade."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from importing_support import HENGLIN, HUTANG, credit_code, csv_bytes, town_point
from monitor_city import plan as shipped_plan
from sqlalchemy import text

from gsyf_geo import metrics
from gsyf_geo.analysis.filters import MapState, apply_state
from gsyf_geo.analysis.indicators import headline, unit_indicators
from gsyf_geo.analysis.mapdata import load_map_data
from gsyf_geo.importing.load import import_file
from gsyf_geo.monitor.values import metric_values
from gsyf_geo.plan import load_plan
from gsyf_geo.store import Store

PLAN = shipped_plan()

# --------------------------------------------------------------------------- pure rules


def test_key_enterprise_default_rule_and_flag():
    ent = pd.DataFrame(
        {
            "employees": [19, 20, 5, 5, 500, 500],
            "hazchem_licence": [False, False, True, False, False, False],
            "key_enterprise": pd.array([None, None, None, True, False, True], dtype="boolean"),
        }
    )
    industry = pd.Series(["machinery", "machinery", "hazchem", "chemical", "chemical", None])
    got = metrics.is_key_enterprise(ent, industry).tolist()
    # 19 employees: no; 20: yes; a licence: yes; the flag wins both ways; never outside the
    # key industries.
    assert got == [False, True, True, True, False, False]


def test_average_insured_edges():
    snaps = pd.DataFrame(
        {"credit_code": ["A", "A", "B"], "year": [2020, 2021, 2021], "insured": [100, 200, 50]}
    )
    codes = pd.Index(["A", "B", "C"])
    avg = metrics.average_insured(snaps, codes, [2020, 2021, 2022])
    assert avg[2020].isna().all()  # no 2019 year end held: no average, not the 2020 end alone
    assert avg[2021].tolist() == [150.0, 25.0, 0.0]  # B had no 2020 row: 0 then; C never
    assert avg[2022].isna().all()
    # A year not over at the as-of date has no year-end stock.
    known = metrics.average_insured(snaps, codes, [2021], as_of=pd.Timestamp("2021-12-30").date())
    assert known[2021].isna().all()


def test_counted_injuries_by_recognition_date_with_fallback():
    inj = pd.DataFrame(
        {
            "credit_code": ["A"] * 4,
            "injury_date": pd.to_datetime(["2020-12-20", "2020-12-21", "2021-03-01", "2021-04-01"]),
            "recognition_date": pd.to_datetime(["2021-01-15", None, "2021-03-20", "2021-05-01"]),
            "commuting": [False, False, True, False],
        }
    )
    years = metrics.counted_injuries(inj)["year"].tolist()
    assert years == [2021, 2020, 2021]  # commuting left out; no 认定日期: the injury date
    assert metrics.counted_injuries(inj, basis="injury")["year"].tolist() == [2020, 2020, 2021]
    assert len(metrics.counted_injuries(inj, commuting_included=True)) == 4
    with pytest.raises(ValueError):
        metrics.counted_injuries(inj, basis="reported")


# --------------------------------------------------------------------------- map = targets page

SNAPSHOT_SHARES = {2021: 0.7, 2022: 0.8, 2023: 0.9}  # insured share of employees at year end
KEY_INDUSTRY_EMPLOYEES = (120, 60, 12, 300)  # E0–E3; E4 is outside the key industries
ENT_HEADERS = ["统一社会信用代码", "单位名称", "行业代码", "职工人数", "参保人数", "辖市区", "乡镇（街道）",
               "经度", "纬度", "重要岗位人数", "重要岗位已培训人数", "已开展宣传", "是否重点企业"]  # fmt: skip


def _import(store, kind, headers, rows):
    result = import_file(store, kind, csv_bytes(headers, rows), f"{kind}.csv", user="测试员")
    assert result.status == "done", [p.message for p in result.problems]
    return result


def _load_disagreeing_city(store) -> None:
    """Five enterprises whose register columns say otherwise than their records."""
    hutang, henglin = town_point(HUTANG), town_point(HENGLIN)
    ents = [
        # i, industry code, employees, town, key staff, register trained, register reached, 重点企业
        (0, "C2614", 120, ("武进区", "湖塘镇", hutang), 10, 10, "是", ""),  # chemical, default key
        (1, "C3412", 60, ("武进区", "湖塘镇", hutang), 8, 8, "是", "否"),  # flagged not key
        (2, "C3412", 12, ("武进区", "横林镇", henglin), 4, 0, "否", "是"),  # small, flagged key
        (3, "E4811", 300, ("武进区", "横林镇", henglin), 6, 6, "是", ""),  # construction
        (4, "C1311", 80, ("武进区", "湖塘镇", hutang), 5, 5, "是", "是"),  # food: not key industry
    ]
    rows = [
        [credit_code(i), f"常州市测试{i}号有限公司", code, emp, emp - 5, d, t, p[0], p[1], ks, kt, pr, ke]
        for i, code, emp, (d, t, p), ks, kt, pr, ke in ents
    ]
    _import(store, "enterprise", ENT_HEADERS, rows)
    snap_rows = []
    for i, _, emp, *_ in ents:
        for year, share in SNAPSHOT_SHARES.items():
            snap_rows.append([credit_code(i), year, emp, round(emp * share)])
    _import(store, "insurance_snapshot", ["统一社会信用代码", "年度", "职工人数", "参保人数"], snap_rows)
    rec_headers = ["记录编号", "活动类型", "活动日期", "统一社会信用代码", "参加人数", "重要岗位培训人数"]
    _import(store, "training_record", rec_headers, [
        ["T1", "培训", "2022-04-01", credit_code(0), 20, 4],
        ["T2", "培训", "2023-04-01", credit_code(0), 20, 3],
        ["T3", "培训", "2023-05-01", credit_code(2), 4, 4],
        ["T4", "培训", "2023-05-01", credit_code(1), 8, 8],  # not a 重点企业
        ["P1", "宣传", "2022-06-01", credit_code(2), 30, ""],
        ["P2", "宣传", "2023-06-01", credit_code(3), 30, ""],
    ])  # fmt: skip
    inj_headers = ["工伤认定编号", "受伤日期", "认定日期", "统一社会信用代码", "上下班途中"]
    _import(store, "work_injury", inj_headers, [
        ["W1", "2022-03-01", "2022-04-01", credit_code(0), "否"],
        ["W2", "2022-12-20", "2023-01-20", credit_code(0), "否"],  # counts in 2023
        ["W3", "2023-02-01", "", credit_code(3), "否"],  # no 认定日期: its injury date
        ["W4", "2023-03-01", "2023-04-01", credit_code(3), "是"],  # commuting
        ["W5", "2023-03-01", "2023-04-01", credit_code(4), "否"],  # not a key industry
    ])  # fmt: skip


def test_map_and_targets_page_show_the_same_figures(store):
    _load_disagreeing_city(store)
    data = load_map_data(store, plan=PLAN)
    assert data.years == (2022, 2023)
    pairs = {
        "training_coverage": "training_coverage",
        "publicity_coverage": "publicity_coverage",
        "accident_rate": "accident_rate_reduction",
    }
    for year in (2022, 2023):
        view = apply_state(data, MapState(years=(year, year)))
        figures = headline(view, data.years)
        units = unit_indicators(view, data.years)
        for indicator, target_id in pairs.items():
            page = metric_values(store, PLAN, PLAN.target(target_id), years=(2021, 2022, 2023))
            assert figures[indicator] == pytest.approx(page.city[year]), (indicator, year)
            for unit, by_year in page.units.items():
                value, shown = by_year[year], units.at[unit, indicator]
                if value is None:
                    assert pd.isna(shown), (indicator, year, unit)
                else:
                    assert shown == pytest.approx(value), (indicator, year, unit)
    # The figures follow the records, not the register columns: 重点企业 E0 (10 key staff,
    # 4 + 3 trained), E2 (4, all trained in 2023) and E3 (6, none); E1 is flagged not key,
    # E4 is outside the key industries.
    page = metric_values(store, PLAN, PLAN.target("training_coverage"), years=(2022, 2023))
    assert page.city == {2022: pytest.approx(4 / 20), 2023: pytest.approx(11 / 20)}
    # Publicity: E2 (2022) and E3 (2023) of the four key-industry enterprises.
    pub = metric_values(store, PLAN, PLAN.target("publicity_coverage"), years=(2022, 2023))
    assert pub.city == {2022: pytest.approx(1 / 4), 2023: pytest.approx(2 / 4)}
    # 2023: W2 (recognised 2023) and W3 (no 认定日期, injured 2023) over the average of the
    # 2022 and 2023 year ends of the key-industry enterprises.
    avg = sum(
        (round(e * SNAPSHOT_SHARES[2022]) + round(e * SNAPSHOT_SHARES[2023])) / 2
        for e in KEY_INDUSTRY_EMPLOYEES
    )
    rate = metric_values(store, PLAN, PLAN.target("accident_rate_reduction"), years=(2023,))
    assert rate.city[2023] == pytest.approx(2 / avg * 10_000)


def test_a_successor_plan_changes_both_figures_alike(store):
    # The 2026–2030 test plan counts commuting injuries: W4 joins W2 and W3 in 2023.
    successor = load_plan(Path(__file__).parent / "data" / "plans" / "changzhou_2026-2030.json")
    _load_disagreeing_city(store)
    target = successor.target("accident_rate_reduction")
    page = metric_values(store, successor, target, years=(2023,))
    shipped = metric_values(store, PLAN, PLAN.target("accident_rate_reduction"), years=(2023,))
    assert page.city[2023] == pytest.approx(shipped.city[2023] * 3 / 2)
    data = load_map_data(store, plan=successor)
    shown = headline(apply_state(data, MapState(years=(2023, 2023))), data.years)
    assert shown["accident_rate"] == pytest.approx(page.city[2023])
    # The plan's enrollment target: key-industry insured ÷ employees at the 2023 year end.
    enrol = metric_values(store, successor, successor.target("key_industry_enrollment"), years=(2023,))
    insured = sum(round(e * SNAPSHOT_SHARES[2023]) for e in KEY_INDUSTRY_EMPLOYEES)
    assert enrol.city[2023] == pytest.approx(insured / sum(KEY_INDUSTRY_EMPLOYEES))
    assert shown["enrollment_rate"] == pytest.approx(enrol.city[2023])


def test_recognition_before_injury_is_an_error_naming_row_and_column(store):
    _import(store, "enterprise", ENT_HEADERS[:9], [
        [credit_code(0), "常州市测试0号有限公司", "C2614", 120, 115, "武进区", "湖塘镇", *town_point(HUTANG)],
    ])  # fmt: skip
    headers = ["工伤认定编号", "受伤日期", "认定日期", "统一社会信用代码"]
    rows = [["W1", "2023-03-01", "2023-03-01", credit_code(0)],  # same day: fine
            ["W2", "2023-03-01", "2023-02-27", credit_code(0)]]  # fmt: skip
    result = import_file(store, "work_injury", csv_bytes(headers, rows), "工伤.csv", user="测试员")
    assert result.status == "rejected"
    problem = next(p for p in result.problems if p.column == "认定日期")
    assert problem.row == 3 and "早于" in problem.message
    assert store.count("work_injury") == 0


# --------------------------------------------------------------------------- schema upgrade


def test_existing_database_gets_the_new_columns(backend_url):
    old = Store(backend_url)
    old.drop_schema()
    old.create_schema()
    with old.engine.begin() as conn:  # the schema as an earlier version left it
        conn.execute(text("DROP TABLE alembic_version"))  # made before migrations
        conn.execute(text("DROP INDEX IF EXISTS ix_work_injury_recognition_date"))
        conn.execute(text("ALTER TABLE work_injury DROP COLUMN recognition_date"))
        conn.execute(text("ALTER TABLE enterprise DROP COLUMN key_enterprise"))
        conn.execute(
            text(
                "INSERT INTO enterprise (credit_code, name, district, reporting_unit, employees,"
                " insured, key_staff, key_staff_trained, hazchem_licence, outside_named_district,"
                " demonstration_unit, is_demo)"
                " VALUES ('X1', '老数据', '320412', '320412', 50, 40, 3, 0, false, false, false, false)"
            )
        )
    assert old.missing_columns() == {
        "enterprise": ["key_enterprise"],
        "work_injury": ["recognition_date"],
    }
    Store(backend_url).create_schema()  # what the app does on start
    upgraded = Store(backend_url)
    assert upgraded.missing_columns() == {}
    ent = upgraded.read("enterprise")
    assert ent["credit_code"].tolist() == ["X1"] and ent["key_enterprise"].isna().all()
    assert "recognition_date" in upgraded.read("work_injury").columns
    upgraded.create_schema()  # idempotent
    upgraded.drop_schema()
