"""The 目标监测 and 任务清单 pages, run headless with AppTest on a copy of the small demo store.

``app.py`` uses ``st.navigation``: run it once, then ``switch_page`` to the page file.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from gsyf_geo.monitor.status import STATUSES
from gsyf_geo.monitor.tasks import load_statuses
from gsyf_geo.plan import DEFAULT_PLAN_ID, PLAN_DIR_ENV, default_plan
from gsyf_geo.store import Store

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
PLAN_FILE = ROOT / "data" / "plan" / f"{DEFAULT_PLAN_ID}.json"
DEMO_BANNER = "当前为演示数据（合成数据，非真实统计）"



def _open(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.switch_page(page)
    return _run(at)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, *columns: str):
    """The first table on the page with these columns."""
    return next(df.value for df in at.dataframe if set(columns) <= set(df.value.columns))


# --------------------------------------------------------------------------- targets page


def test_targets_page_lists_every_target_with_status(demo_db_url):
    at = _open("views/targets.py")
    assert [t.value for t in at.title] == ["目标监测"]
    assert any(DEMO_BANNER in w.value for w in at.warning)
    overview = at.dataframe[0].value
    plan = default_plan()
    assert overview["指标"].tolist() == [t.name for t in plan.targets]
    assert set(overview["状态"]) <= set(STATUSES)
    row = overview.set_index("指标代码").loc["insured_persons"]
    assert row["目标"] == "≥ 198.0万人" and row["当前值"].endswith("（2025年）")
    assert 0.9 < row["进度"] <= 1.0
    assert any("状态判定规则" in e.label for e in at.expander)
    # Final evaluation with both exports.
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["导出 Excel", "导出 CSV"]
    assert any("计划期已于 2025-12-31 结束" in s.value for s in at.success)


def test_targets_page_drill_down_by_district(demo_db_url):
    at = _open("views/targets.py")
    at.selectbox(key="target_detail").set_value("accident_rate_reduction")
    _run(at)
    units = _frame(at, "统计单元", "2020年")
    assert units["统计单元"].tolist()[0] == "常州市" and len(units) == 8
    assert {"2020年", "2025年", "状态"} <= set(units.columns)
    assert set(units["状态"]) <= set(STATUSES)
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(charts) == 2  # the trend and the small multiples by unit
    assert "facet" in charts[1] and "facet" not in charts[0]
    # The trend's x axis runs from the 2020 baseline to 2025 (2020 shown even without data).
    domain = charts[0]["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert domain == [2020, 2021, 2022, 2023, 2024, 2025]


def test_targets_page_shows_no_data_not_zero(demo_db_url):
    store = Store(demo_db_url)
    with store.transaction() as conn:
        conn.execute(text("DELETE FROM training_record WHERE activity = 'publicity'"))
    store.engine.dispose()
    at = _open("views/targets.py")
    row = at.dataframe[0].value.set_index("指标代码").loc["publicity_coverage"]
    assert row["当前值"] == "无数据" and row["状态"] == "无数据"


def test_a_successor_plan_can_be_chosen(demo_db_url, tmp_path, monkeypatch):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copyfile(PLAN_FILE, plans / PLAN_FILE.name)
    successor = {
        "plan_id": "changzhou_2026-2030",
        "title": "测试用后续计划（2026-2030年）",
        "period": [2026, 2030],
        "baseline_year": 2025,
        "targets": [
            {"id": "insured_persons", "name": "全市工伤保险参保人数", "metric": "insured_persons",
             "unit": "人", "direction": "at_least", "target": 2100000, "deadline": "2030-12-31"},
        ],
        "tasks": [
            {"id": "2026-01", "group_no": 1, "group": "测试", "measure": "测试任务",
             "departments": ["市人社局"], "departments_text": "市人社局", "deadline_text": "2026年6月",
             "deadline": "2026-06-30"},
        ],
    }  # fmt: skip
    (plans / "changzhou_2026-2030.json").write_text(
        json.dumps(successor, ensure_ascii=False), "utf-8"
    )
    monkeypatch.setenv(PLAN_DIR_ENV, str(plans))

    at = _open("views/targets.py")
    select = at.sidebar.selectbox[0]
    assert select.options == [default_plan().title, successor["title"]]
    if date.today().year <= 2030:  # the running plan is shown first
        assert select.value == "changzhou_2026-2030"
    select.set_value("changzhou_2026-2030")
    _run(at)
    overview = at.dataframe[0].value
    assert overview["指标"].tolist() == ["全市工伤保险参保人数"]
    assert overview["目标"].iloc[0] == "≥ 210.0万人"
    select = at.sidebar.selectbox[0].set_value(DEFAULT_PLAN_ID)
    _run(at)
    assert len(at.dataframe[0].value) == len(default_plan().targets)

    # The task list page offers the same plans and remembers the choice.
    at.switch_page("views/tasks.py")
    _run(at)
    assert at.sidebar.selectbox[0].value == DEFAULT_PLAN_ID


# --------------------------------------------------------------------------- task list page


def test_task_page_lists_tasks_and_filters_by_department(demo_db_url):
    at = _open("views/tasks.py")
    assert [t.value for t in at.title] == ["任务清单"]
    table = at.dataframe[0].value
    assert len(table) == 28
    assert {"责任部门", "完成时限", "状态"} <= set(table.columns)
    assert (table["状态"] == "逾期").sum() == 22  # every dated 2021 task, none done yet
    assert any("所有用户均可编辑" in i.value for i in at.info)
    at.selectbox(key="task_dept").set_value("市卫健委")
    _run(at)
    assert at.dataframe[0].value["任务编号"].tolist() == [
        "2021-04", "2021-05", "2021-09", "2021-12", "2021-16"
    ]  # fmt: skip
    assert [b.label for b in at.get("download_button")] == ["导出 Excel"]


def _edit(at: AppTest, task_id: str, status: str, note: str) -> AppTest:
    at.selectbox(key="task_edit_id").set_value(task_id)
    _run(at)
    next(s for s in at.selectbox if s.label == "状态").set_value(status)
    next(t for t in at.text_area if t.label == "备注").set_value(note)
    next(t for t in at.text_area if t.label.startswith("佐证材料")).set_value("http://oa.local/1")
    at.button[0].click()
    return _run(at)


def test_task_edit_is_stored_with_who_and_when(demo_db_url, monkeypatch):
    monkeypatch.setenv("GSYF_TASK_EDITORS", "张三,王五")
    at = _open("views/tasks.py")
    assert any("填写经办人" in w.value for w in at.warning)
    at.sidebar.text_input(key="task_user").set_value("李四")
    _run(at)
    assert any("李四" in w.value and "无权" in w.value for w in at.warning)
    assert not at.button  # no edit form for a non-permitted user

    before = datetime.now().replace(microsecond=0)
    at.sidebar.text_input(key="task_user").set_value("张三")
    _run(at)
    _edit(at, "2021-03", "已完成", "已召开两次会议")
    assert any("已保存任务 2021-03" in s.value for s in at.success)
    table = at.dataframe[0].value.set_index("任务编号")
    assert table.loc["2021-03", "状态"] == "已完成" and table.loc["2021-03", "修改人"] == "张三"

    store = Store(demo_db_url)
    row = load_statuses(store, DEFAULT_PLAN_ID).set_index("task_id").loc["2021-03"]
    store.engine.dispose()
    assert row["updated_by"] == "张三" and row["note"] == "已召开两次会议"
    assert row["evidence"] == "http://oa.local/1"
    assert before <= row["updated_at"] <= datetime.now()
