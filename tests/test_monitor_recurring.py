"""Recurring plan work (宣传月, 推进会, 费率浮动 ...) and the yearly activity table, at rule edges."""

from __future__ import annotations

from datetime import date, datetime

import monitor_city as city
import pandas as pd
import pytest

from gsyf_geo.monitor.recurring import (
    HELD,
    NO_DATA,
    NOT_DUE,
    NOT_HELD,
    NOT_SCHEDULED,
    activity_table,
    recurring_matrix,
    recurring_status,
)
from gsyf_geo.monitor.tasks import DONE, set_task_status
from gsyf_geo.store import Scope

PLAN = city.plan()
TIANNING, WUJIN = "320402", "320412"


def _activities(store, rows: list[tuple]) -> None:
    """rows: (id, date, kind, district, reporting unit, reach or None)."""
    df = pd.DataFrame(
        [{"activity_id": r[0], "activity_date": r[1], "kind": r[2], "district": r[3],
          "reporting_unit": r[4], "reach": r[5], "is_demo": False} for r in rows]
    )  # fmt: skip
    df["reach"] = df["reach"].astype("Int64")
    store.insert("publicity_activity", df)


def _status(store, as_of: date) -> dict[tuple[str, int], str]:
    df = recurring_status(store, PLAN, as_of)
    return {(r.item_id, r.年度): r.状态 for r in df.itertuples()}


def test_no_records_at_all(store):
    st = _status(store, date(2026, 11, 30))
    assert st[("safety_month", 2022)] == NO_DATA  # nothing recorded in 2022: cannot tell
    assert st[("rate_review", 2022)] == NOT_SCHEDULED and st[("rate_review", 2023)] == NO_DATA
    early = _status(store, date(2021, 3, 1))
    assert early[("safety_month", 2021)] == NOT_DUE and early[("annual_meeting", 2025)] == NOT_DUE


def test_held_not_held_and_due_date_edges(store):
    _activities(store, [
        ("A1", date(2022, 6, 10), "安全生产月", TIANNING, TIANNING, 3000),
        ("A2", date(2022, 4, 26), "《职业病防治法》 宣传周", WUJIN, "JKQ", 800),
        ("A3", date(2022, 3, 1), "宣传活动", WUJIN, WUJIN, None),
    ])  # fmt: skip
    # Record after the as-of date does not count; on the due date (30 June) it is not yet due.
    assert _status(store, date(2022, 6, 9))[("safety_month", 2022)] == NOT_DUE
    assert _status(store, date(2022, 6, 10))[("safety_month", 2022)] == HELD
    st = _status(store, date(2022, 6, 30))
    assert st[("disease_law_week", 2022)] == HELD  # name written with 《》 and a space
    assert st[("annual_meeting", 2022)] == NOT_DUE  # due by 31 December
    # 2022 has records, so a missing item there is 未开展, not 无数据.
    late = _status(store, date(2023, 1, 1))
    assert late[("annual_meeting", 2022)] == NOT_HELD and late[("publicity_month", 2022)] == NOT_HELD
    assert late[("safety_month", 2021)] == NO_DATA
    row = recurring_status(store, PLAN, date(2023, 1, 1)).set_index(["item_id", "年度"]).loc[
        ("safety_month", 2022)]  # fmt: skip
    assert row["开展次数"] == 1 and row["首次日期"] == date(2022, 6, 10) and "活动记录 1 条" in row["依据"]


def test_disease_week_due_end_of_may(store):
    _activities(store, [("A1", date(2023, 1, 5), "宣传活动", TIANNING, TIANNING, 10)])
    assert _status(store, date(2023, 5, 31))[("disease_law_week", 2023)] == NOT_DUE
    assert _status(store, date(2023, 6, 1))[("disease_law_week", 2023)] == NOT_HELD


def test_a_completed_task_counts_in_its_own_year_only(store):
    _activities(store, [("A1", date(2023, 2, 1), "宣传活动", TIANNING, TIANNING, 10)])
    set_task_status(store, PLAN, "2021-20", DONE, "张三", now=datetime(2021, 2, 1, 9, 0))
    st = _status(store, date(2024, 1, 1))
    assert st[("rate_review", 2021)] == HELD
    assert st[("rate_review", 2023)] == NOT_HELD  # the 2021 task says nothing about 2023
    assert "2021-20" in recurring_status(store, PLAN, date(2024, 1, 1)).set_index(
        ["item_id", "年度"]).loc[("rate_review", 2021), "依据"]  # fmt: skip
    # Marked done after the as-of date: not yet evidence then.
    assert _status(store, date(2021, 1, 31))[("rate_review", 2021)] == NOT_DUE
    # A record of kind 费率调整 is evidence too.
    _activities(store, [("A2", date(2023, 1, 1), "费率调整", "320411", "320411", None)])
    assert _status(store, date(2024, 1, 1))[("rate_review", 2023)] == HELD


def test_matrix_has_one_row_per_item_and_a_column_per_year(store):
    m = recurring_matrix(recurring_status(store, PLAN, date(2026, 1, 1)))
    assert m["常规工作"].tolist() == [r.name for r in PLAN.recurring]
    assert list(m.columns[1:]) == [f"{y}年" for y in PLAN.years]


def _training(store, rows: list[tuple]) -> None:
    """rows: (id, activity, date, district, unit, participants or None)."""
    df = pd.DataFrame(
        [{"record_id": r[0], "activity": r[1], "activity_date": r[2], "district": r[3],
          "reporting_unit": r[4], "participants": r[5], "is_demo": False} for r in rows]
    )  # fmt: skip
    df["participants"] = df["participants"].astype("Int64")
    store.insert("training_record", df)


def test_activity_table_counts_by_year_and_unit(store):
    _activities(store, [
        ("A1", date(2022, 6, 10), "安全生产月", TIANNING, TIANNING, 3000),
        ("A2", date(2022, 7, 1), "宣传活动", TIANNING, TIANNING, None),
        ("A3", date(2022, 4, 26), "职业病防治法宣传周", WUJIN, "JKQ", 800),
        ("A4", date(2022, 3, 20), "全市工伤预防工作推进会", "320411", "320411", 150),  # a meeting
        ("A5", date(2022, 1, 1), "费率调整", "320411", "320411", None),  # not publicity
        ("A6", date(2022, 12, 31), "宣传活动", WUJIN, WUJIN, 50),  # after the as-of date
    ])  # fmt: skip
    _training(store, [
        ("T1", "training", date(2022, 5, 1), TIANNING, TIANNING, 40),
        ("T2", "training", date(2022, 5, 2), TIANNING, TIANNING, None),
        ("T3", "publicity", date(2022, 5, 3), TIANNING, TIANNING, 999),  # not training
        ("T4", "training", date(2021, 5, 3), WUJIN, "JKQ", 25),
    ])  # fmt: skip
    table = activity_table(store, PLAN, date(2022, 12, 30))
    assert sorted(set(table["年度"])) == [2021, 2022]
    y22 = table[table["年度"] == 2022].set_index("代码")
    assert y22.loc[TIANNING, ["宣传活动（场次）", "覆盖人次", "人次未填（场次）", "培训（场次）", "培训人次"]
                   ].tolist() == [2, 3000, 1, 2, 40]  # fmt: skip
    assert y22.loc["JKQ", ["宣传活动（场次）", "覆盖人次"]].tolist() == [1, 800]
    assert y22.loc["320411", "宣传活动（场次）"] == 0  # meeting and rate review are not publicity
    assert y22.loc[WUJIN, "宣传活动（场次）"] == 0  # A6 is after the as-of date
    total = table[(table["年度"] == 2022) & (table["统计单元"] == "合计")].iloc[0]
    assert (total["宣传活动（场次）"], total["覆盖人次"], total["培训人次"]) == (3, 3800, 40)
    y21 = table[table["年度"] == 2021].set_index("代码")
    assert y21.loc["JKQ", "培训人次"] == 25 and y21.loc[TIANNING, "培训（场次）"] == 0
    # A district scope lists its own units only: 武进 = 武进（不含经开区） + 经开区.
    wujin = activity_table(store, PLAN, date(2022, 12, 30), scope=Scope.district(WUJIN))
    assert set(wujin["代码"]) == {WUJIN, "JKQ", ""}
    assert wujin[(wujin["年度"] == 2022) & (wujin["统计单元"] == "合计")]["覆盖人次"].item() == 800


def test_demo_city_recurring_work(demo_store):
    """The demo records every yearly item except the 2022 city meeting."""
    st = recurring_status(demo_store, PLAN, date(2026, 11, 30))
    not_held = st[st["状态"] == NOT_HELD][["item_id", "年度"]].values.tolist()
    assert not_held == [["annual_meeting", 2022]]
    rate = st[st["item_id"] == "rate_review"].set_index("年度")["状态"]
    assert rate.to_dict() == {2021: HELD, 2022: NOT_SCHEDULED, 2023: HELD, 2024: NOT_SCHEDULED, 2025: HELD}
    table = activity_table(demo_store, PLAN, date(2026, 11, 30))
    assert (table.loc[table["统计单元"] == "合计", "宣传活动（场次）"] > 0).all()


@pytest.mark.parametrize("as_of", [date(2021, 12, 31), date(2022, 1, 1)])
def test_years_listed_up_to_as_of(store, as_of):
    years = sorted(set(activity_table(store, PLAN, as_of)["年度"]))
    assert years == list(range(2021, as_of.year + 1))
