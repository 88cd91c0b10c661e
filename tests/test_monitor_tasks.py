"""Task list status: stored with who/when, overdue derived, permission, filter, Excel export."""

from __future__ import annotations

import io
from datetime import date, datetime

import monitor_city as city
import openpyxl
import pytest

from gsyf_geo.monitor.tasks import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    TaskEditError,
    TaskPermissionError,
    departments,
    display_status,
    filter_by_department,
    load_statuses,
    may_edit,
    set_task_status,
    task_editors,
    task_table,
    tasks_to_excel,
)

PLAN = city.plan()
TODAY = date(2026, 11, 29)
WHEN = datetime(2026, 11, 29, 9, 30, 15)


def test_new_store_lists_all_28_tasks_not_started_or_overdue(store):
    table = task_table(store, PLAN, date(2021, 1, 15))
    assert len(table) == 28 and table["任务编号"].tolist() == [t.id for t in PLAN.tasks]
    assert set(table["状态"]) == {NOT_STARTED}
    later = task_table(store, PLAN, TODAY)
    ongoing = {t.id for t in PLAN.tasks if t.ongoing}
    assert set(later.loc[later["任务编号"].isin(ongoing), "状态"]) == {NOT_STARTED}  # never overdue
    assert set(later.loc[~later["任务编号"].isin(ongoing), "状态"]) == {OVERDUE}
    assert later["已逾期"].sum() == 28 - len(ongoing)


def test_edit_is_stored_with_who_and_when(store):
    set_task_status(store, PLAN, "2021-14", IN_PROGRESS, "张三", note="已完成 50 家",
                    evidence="http://oa.local/a\n\n  http://oa.local/b  ", now=WHEN)  # fmt: skip
    row = load_statuses(store, PLAN.plan_id).set_index("task_id").loc["2021-14"]
    assert row["status"] == IN_PROGRESS and row["updated_by"] == "张三"
    assert row["updated_at"] == WHEN.replace(microsecond=0)
    assert row["evidence"] == "http://oa.local/a\nhttp://oa.local/b"
    table = task_table(store, PLAN, date(2021, 12, 1)).set_index("任务编号")
    assert table.loc["2021-14", "状态"] == IN_PROGRESS
    assert (
        table.loc["2021-14", "修改人"] == "张三"
        and table.loc["2021-14", "修改时间"] == "2026-11-29 09:30"
    )
    # Past the deadline (2021-12-31) and not done: overdue; once done, never overdue.
    assert task_table(store, PLAN, TODAY).set_index("任务编号").loc["2021-14", "状态"] == OVERDUE
    set_task_status(store, PLAN, "2021-14", DONE, "李四", now=WHEN)
    rows = load_statuses(store, PLAN.plan_id)
    assert len(rows) == 1 and rows.iloc[0]["updated_by"] == "李四"
    assert rows.iloc[0]["note"] is None  # the note was cleared by the second edit
    assert task_table(store, PLAN, TODAY).set_index("任务编号").loc["2021-14", "状态"] == DONE


def test_non_permitted_user_is_refused_and_nothing_is_written(store):
    editors = task_editors({"GSYF_TASK_EDITORS": "张三， 王五,"})
    assert editors == {"张三", "王五"}
    with pytest.raises(TaskPermissionError, match="李四.*无权"):
        set_task_status(store, PLAN, "2021-01", DONE, "李四", editors=editors)
    with pytest.raises(TaskPermissionError, match="经办人"):
        set_task_status(store, PLAN, "2021-01", DONE, "  ", editors=None)
    assert load_statuses(store, PLAN.plan_id).empty
    set_task_status(store, PLAN, "2021-01", DONE, "王五", editors=editors)
    assert load_statuses(store, PLAN.plan_id).iloc[0]["updated_by"] == "王五"


def test_bad_edits_are_refused(store):
    with pytest.raises(TaskEditError, match="逾期"):
        set_task_status(store, PLAN, "2021-01", OVERDUE, "张三")
    with pytest.raises(TaskEditError, match="没有任务"):
        set_task_status(store, PLAN, "2099-01", DONE, "张三")
    with pytest.raises(TaskEditError, match="链接"):
        set_task_status(store, PLAN, "2021-01", DONE, "张三",
                        evidence="\n".join(f"http://x/{i}" for i in range(21)))  # fmt: skip
    assert load_statuses(store, PLAN.plan_id).empty


def test_permission_rules():
    assert task_editors({}) is None and task_editors({"GSYF_TASK_EDITORS": " , "}) is None
    assert may_edit("任何人", None) and not may_edit("", None)
    assert may_edit("张三", {"张三"}) and not may_edit("李四", {"张三"})


def test_display_status_boundary():
    task = next(t for t in PLAN.tasks if t.id == "2021-02")  # deadline 2021-06-30
    assert display_status(None, task, date(2021, 6, 30)) == NOT_STARTED
    assert display_status(None, task, date(2021, 7, 1)) == OVERDUE
    assert display_status(IN_PROGRESS, task, date(2021, 7, 1)) == OVERDUE
    assert display_status(DONE, task, date(2021, 7, 1)) == DONE


def test_department_filter(store):
    names = departments(PLAN)
    assert "市人社局" in names and "市卫健委" in names and "市人社局（牵头）" not in names
    table = task_table(store, PLAN, TODAY)
    health = filter_by_department(table, "市卫健委")
    assert health["任务编号"].tolist() == ["2021-04", "2021-05", "2021-09", "2021-12", "2021-16"]
    hrss = filter_by_department(table, "市人社局")
    # 市人社局（牵头） and 市人社局等八部门 count as 市人社局.
    assert {"2021-01", "2021-23", "2021-24"} <= set(hrss["任务编号"])
    assert "2021-10" not in set(hrss["任务编号"])  # 市应急局 only
    assert len(filter_by_department(table, None)) == 28


def test_excel_export_marks_overdue_rows(store):
    set_task_status(store, PLAN, "2021-02", DONE, "张三", now=WHEN)
    data = tasks_to_excel(task_table(store, PLAN, TODAY), title="任务清单")
    ws = openpyxl.load_workbook(io.BytesIO(data))["任务清单"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["任务编号", "序号", "重点任务"] and "departments" not in header
    rows = {r[0].value: r for r in ws.iter_rows(min_row=4)}
    assert len(rows) == 28
    status = header.index("状态")
    assert rows["2021-02"][status].value == DONE
    assert rows["2021-03"][status].value == OVERDUE
    assert rows["2021-03"][0].fill.fgColor.rgb == "FFF8D7DA"  # red
    assert rows["2021-02"][0].fill.fgColor.rgb == "FFD4EDDA"  # green
    assert rows["2021-04"][header.index("期限")].value == "长期坚持"
