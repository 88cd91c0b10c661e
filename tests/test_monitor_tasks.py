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
    # An edit in the open demo (no accounts) reads as such, not as the stand-in's code name.
    set_task_status(store, PLAN, "2021-14", DONE, "open-demo", now=WHEN)
    assert task_table(store, PLAN, TODAY).set_index("任务编号").loc["2021-14", "修改人"] == "开放演示（未登录）"


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
    assert header[:4] == ["任务编号", "年度", "序号", "重点任务"] and "departments" not in header
    rows = {r[0].value: r for r in ws.iter_rows(min_row=4)}
    assert len(rows) == 28
    status = header.index("状态")
    assert rows["2021-02"][status].value == DONE
    assert rows["2021-03"][status].value == OVERDUE
    assert rows["2021-03"][0].fill.fgColor.rgb == "FFF8D7DA"  # red
    assert rows["2021-02"][0].fill.fgColor.rgb == "FFD4EDDA"  # green
    assert rows["2021-04"][header.index("期限")].value == "长期坚持"


# --------------------------------------------------------------------------- imported task lists (issue 11)

from gsyf_geo.monitor.tasks import (  # noqa: E402
    TaskListError,
    all_tasks,
    import_task_list,
    imported_tasks,
    task_years,
)

LIST_2022 = (
    "序号,重点任务,具体措施,责任部门,完成时限\n"
    "1,健全工伤预防联防联控机制,定期召集工伤预防委员会办公室成员单位会议,市人社局,2022年7、11月\n"
    ",,每季度报送尘肺病重点行业企业信息,市卫健委,长期坚持\n"
    "2,全面加强工伤预防宣传,安全生产月宣传活动,市应急局,6月\n"
    ",,评选年度工伤预防示范单位8家,市人社局牵头，其他单位配合,2022年12月\n"
)


def _csv(text: str) -> bytes:
    return text.encode("utf-8-sig")


def _batches(store) -> int:
    return len(store.batches())


def test_import_a_later_year_list_and_edit_it(store):
    before_2021 = task_table(store, PLAN, date(2023, 1, 1))
    result = import_task_list(store, PLAN, _csv(LIST_2022), "2022清单.csv", 2022, user="张三")
    assert result.inserted == ["2022-01", "2022-02", "2022-03", "2022-04"] and result.changed
    tasks = {t.id: t for t in imported_tasks(store, PLAN)}
    assert tasks["2022-01"].deadline == date(2022, 11, 30) and tasks["2022-01"].group_no == 1
    # A blank 序号/重点任务 continues the row above.
    assert (tasks["2022-02"].group_no, tasks["2022-02"].group) == (1, "健全工伤预防联防联控机制")
    assert tasks["2022-02"].ongoing and tasks["2022-02"].deadline is None
    assert tasks["2022-03"].deadline == date(2022, 6, 30)  # no year: the list's year
    assert tasks["2022-04"].departments == ("市人社局（牵头）", "其他单位（配合）")
    assert task_years(store, PLAN) == [2021, 2022]
    assert len(all_tasks(store, PLAN)) == 28 + 4

    table = task_table(store, PLAN, date(2023, 1, 1), year=2022).set_index("任务编号")
    assert list(table.index) == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert set(table["年度"]) == {2022}
    # Deadline passed and not done: 逾期; 长期坚持: never.
    assert table.loc["2022-01", "状态"] == OVERDUE and table.loc["2022-02", "状态"] == NOT_STARTED
    assert task_table(store, PLAN, date(2022, 11, 30), year=2022).set_index("任务编号").loc[
        "2022-01", "状态"] == NOT_STARTED  # fmt: skip
    set_task_status(store, PLAN, "2022-01", DONE, "张三", now=WHEN)
    table = task_table(store, PLAN, date(2023, 1, 1), year=2022).set_index("任务编号")
    assert table.loc["2022-01", "状态"] == DONE
    # The 2021 list looks exactly as before: a later list changes none of its rows.
    after_2021 = task_table(store, PLAN, date(2023, 1, 1), year=2021)
    pd_cols = ["任务编号", "状态", "已逾期"]
    assert after_2021[pd_cols].equals(before_2021[pd_cols])
    assert "市应急局" in departments(PLAN, all_tasks(store, PLAN))


def test_reimporting_the_same_file_writes_nothing(store):
    import_task_list(store, PLAN, _csv(LIST_2022), "a.csv", 2022)
    rows = imported_tasks(store, PLAN)
    n = _batches(store)
    again = import_task_list(store, PLAN, _csv(LIST_2022), "a.csv", 2022)
    assert not again.changed and again.unchanged == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert _batches(store) == n and imported_tasks(store, PLAN) == rows
    # A corrected file: one row changed, the last one dropped.
    fixed = LIST_2022.replace("2022年7、11月", "2022年7月").rsplit("\n", 2)[0] + "\n"
    set_task_status(store, PLAN, "2022-04", IN_PROGRESS, "张三")
    changed = import_task_list(store, PLAN, _csv(fixed), "b.csv", 2022)
    assert changed.updated == ["2022-01"] and changed.removed == ["2022-04"]
    assert changed.unchanged == ["2022-02", "2022-03"] and _batches(store) == n + 1
    assert [t.id for t in imported_tasks(store, PLAN)] == ["2022-01", "2022-02", "2022-03"]
    assert imported_tasks(store, PLAN)[0].deadline == date(2022, 7, 31)
    assert "2022-04" not in set(task_table(store, PLAN, TODAY)["任务编号"])


def test_xlsx_list_with_title_row(store, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2023常州市工伤预防重点工作任务清单"])
    ws.append(["序号", "重点任务", "具体措施", "责任部门", "完成时限"])
    ws.append([1, "科学实施工伤费率浮动", "开展工伤保险费率浮动调整", "市人社局", "2023年1月"])
    buf = io.BytesIO()
    wb.save(buf)
    result = import_task_list(store, PLAN, buf.getvalue(), "2023.xlsx", 2023)
    assert result.inserted == ["2023-01"]
    assert imported_tasks(store, PLAN)[0].deadline == date(2023, 1, 31)


BAD_LISTS = {
    "missing column": (LIST_2022.replace(",完成时限", ",时间说明"), ["第 1 行", "完成时限"]),
    "bad deadline": (LIST_2022.replace("2022年12月", "尽快"), ["第 5 行", "“完成时限”列", "尽快"]),
    "deadline before the year": (LIST_2022.replace("2022年12月", "2021年12月"), ["第 5 行", "早于清单年度"]),
    "empty measure": (LIST_2022.replace("安全生产月宣传活动", ""), ["第 4 行", "“具体措施”列"]),
    "bad group number": (LIST_2022.replace("\n2,", "\n二,"), ["第 4 行", "“序号”列"]),
    "first row without number": (LIST_2022.replace("\n1,", "\n,"), ["第 2 行", "“序号”列"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_LISTS))
def test_bad_list_is_refused_with_file_row_and_column(store, case):
    text, expected = BAD_LISTS[case]
    n = _batches(store)
    with pytest.raises(TaskListError) as info:
        import_task_list(store, PLAN, _csv(text), "坏清单.csv", 2022)
    message = str(info.value)
    assert "坏清单.csv" in message and "未导入" in message
    for part in expected:
        assert part in message, (part, message)
    assert imported_tasks(store, PLAN) == () and _batches(store) == n


def test_years_that_cannot_be_imported(store):
    with pytest.raises(TaskListError, match="2021 年任务清单已在计划文件"):
        import_task_list(store, PLAN, _csv(LIST_2022), "a.csv", 2021)
    with pytest.raises(TaskListError, match="不在计划"):
        import_task_list(store, PLAN, _csv(LIST_2022), "a.csv", 2026)
    assert imported_tasks(store, PLAN) == ()


def test_cli_tasks_import(tmp_path, monkeypatch, capsys):
    from gsyf_geo.cli import main

    monkeypatch.setenv("GSYF_DB_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.delenv("GSYF_PLAN_DIR", raising=False)
    good = tmp_path / "2022.csv"
    good.write_bytes(_csv(LIST_2022))
    assert main(["tasks", "import", str(good), "--plan", PLAN.plan_id, "--year", "2022"]) == 0
    assert "新增 4" in capsys.readouterr().out
    assert main(["tasks", "import", str(good), "--year", "2022"]) == 0
    assert "未作改动" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(LIST_2022.replace("2022年12月", "尽快")))
    assert main(["tasks", "import", str(bad), "--year", "2022"]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and "第 5 行" in err and "完成时限" in err
    assert main(["tasks", "import", str(good), "--plan", "nope", "--year", "2022"]) == 2
    # Each completed import is audited under whoever runs the command, never a typed name.
    from gsyf_geo.auth.audit import cli_actor, read_audit
    from gsyf_geo.store import Store

    events = read_audit(Store(f"sqlite:///{tmp_path / 'cli.sqlite'}"), action="import")
    assert len(events) == 2
    assert set(events["user_name"]) == {cli_actor()}
    assert set(events["target"]) == {"2022.csv"}


# --------------------------------------------------------------------------- the page (AppTest)


def _page(url: str):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("views/tasks.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_picks_the_year_and_shows_recurring_work(demo_db_url):
    from gsyf_geo.store import Store

    s = Store(demo_db_url)
    import_task_list(s, PLAN, _csv(LIST_2022), "2022.csv", 2022)
    s.engine.dispose()
    at = _page(demo_db_url)
    assert len(at.dataframe[0].value) == 28 + 4  # every year by default
    year = at.selectbox(key="task_year")
    assert year.options[1:] == ["2021年任务清单", "2022年任务清单"]
    year.set_value(2022)
    at.run()
    assert at.dataframe[0].value["任务编号"].tolist() == ["2022-01", "2022-02", "2022-03", "2022-04"]
    at.selectbox(key="task_year").set_value(2021)
    at.run()
    table = at.dataframe[0].value
    assert len(table) == 28 and (table["状态"] == OVERDUE).sum() == 22  # unchanged by the 2022 list
    headers = [h.value for h in at.subheader]
    assert "年度常规工作" in headers and "宣传活动与培训人次（按年度、统计单元）" in headers
    recurring = next(d.value for d in at.dataframe if "常规工作" in d.value.columns)
    meeting = recurring.set_index("常规工作").loc["全市工伤预防工作推进会"]
    assert meeting["2022年"] == "未开展" and meeting["2021年"] == "已开展"
    counts = next(d.value for d in at.dataframe if "宣传活动（场次）" in d.value.columns)
    assert counts["统计单元"].iloc[-1] == "合计" and counts["宣传活动（场次）"].iloc[-1] > 0
