"""The 目标监测 and 任务清单 pages, run headless with AppTest on a copy of the small demo store.

``app.py`` uses ``st.navigation``: run it once, then ``switch_page`` to the page file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from gsyf_geo.monitor.status import NOT_SPLIT, STATUS_COLORS, STATUSES
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


class _OverviewParser(HTMLParser):
    """Rows of the targets overview (``st.html``): what each cell says, by target id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, object]] = {}
        self._row: dict[str, object] | None = None
        self._cols: list[tuple[str, int]] = []  # (column, tag depth) being read
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("img", "col", "br"):  # void elements
            if tag == "img" and self._row is not None and "gsyf-spark" in (a.get("class") or ""):
                self._row["points"] = int(a["data-points"])
                self._row["sparkline"] = a["src"]
            return
        self._depth += 1
        if tag == "tr" and "data-target" in a:
            self._row = self.rows.setdefault(a["data-target"], {"data-status": a["data-status"]})
        elif tag == "tr" and "data-detail" in a:
            self._row = self.rows[a["data-detail"]]
        if self._row is None:
            return
        if "data-col" in a:
            self._cols.append((a["data-col"], self._depth))
            self._row.setdefault(a["data-col"], "")
        if "gsyf-progress" in (a.get("class") or ""):
            self._row["进度"] = float(a["aria-valuenow"]) / 100
            self._row["进度颜色"] = a["data-color"]
        if "gsyf-badge" in (a.get("class") or ""):
            self._row["状态样式"] = a["style"]

    def handle_endtag(self, tag):
        if self._cols and self._cols[-1][1] == self._depth:
            self._cols.pop()
        self._depth -= 1

    def handle_data(self, data):
        if self._row is not None and self._cols:
            col = self._cols[-1][0]
            if col != "进度":
                self._row[col] = f"{self._row[col]}{data}"


def _overview(at: AppTest) -> pd.DataFrame:
    """The targets overview as a table indexed by target id (指标, 当前值, 目标, 状态, 进度,
    进度颜色, points, 定义, 说明, 判定规则), in page order."""
    parser = _OverviewParser()
    parser.feed(next(h.value for h in at.html if "gsyf-overview" in h.value))
    frame = pd.DataFrame.from_dict(parser.rows, orient="index")
    for col in ("定义", "说明", "判定规则"):  # the details row repeats its label
        frame[col] = frame[col].str.replace(rf"^{col}：", "", regex=True)
    return frame


# --------------------------------------------------------------------------- targets page


def test_targets_page_lists_every_target_with_status(demo_db_url):
    at = _open("views/targets.py")
    assert [t.value for t in at.title] == ["目标监测"]
    assert any(DEMO_BANNER in w.value for w in at.warning)
    overview = _overview(at)
    plan = default_plan()
    assert overview["指标"].tolist() == [t.name for t in plan.targets]  # full names
    assert set(overview["状态"]) <= set(STATUSES) and (overview["状态"] == overview["data-status"]).all()
    row = overview.loc["insured_persons"]
    assert row["目标"] == "≥ 198.0万人" and row["当前值"].endswith("（2025年）")
    assert 0.9 < row["进度"] <= 1.0
    # The bar is in the colour of the target's own status (a met one green, a missed one red).
    assert (overview["进度颜色"] == overview["状态"].map(STATUS_COLORS)).all()
    assert {"#1a9850", "#d73027"} <= set(overview["进度颜色"])  # the demo has both
    # A trend sparkline per target, one point per complete year with a value.
    assert overview["points"].gt(1).all()
    assert overview["定义"].str.len().gt(10).all() and overview["判定规则"].str.len().gt(0).all()
    assert any("状态判定规则" in e.label for e in at.expander)
    # Final evaluation with both exports, and the print products (deck, pictures).
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["推进会汇报材料（PPTX）", "推进会汇报材料（PDF）", "下载总览图片（PNG）",
                      "下载趋势图（含目标线和评价，PNG）", "导出 Excel", "导出 CSV", "下载评估矩阵图片（PNG）"]
    assert any("计划期已于 2025-12-31 结束" in s.value for s in at.success)
    # The final matrix: every target by its full name, a coloured verdict per unit.
    matrix = next(h.value for h in at.html if "gsyf-matrix" in h.value)
    assert all(f'<td data-col="指标">{t.name}</td>' in matrix for t in plan.targets)
    verdicts = re.findall(r'data-status="([^"]*)"><span class="gsyf-badge" style="background-color: (#\w+);', matrix)
    assert len(verdicts) == len(plan.targets) * 8  # the city and its seven units
    assert all(STATUS_COLORS[s] == colour for s, colour in verdicts)


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
    assert "concat" in charts[1] and "concat" not in charts[0]
    panels = [c["title"]["text"] for c in charts[1]["concat"]]
    assert panels == units["统计单元"].tolist()[1:]  # one panel per unit, named like the table
    # The trend's x axis runs from the 2020 baseline to 2025 (2020 shown even without data).
    domain = charts[0]["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert domain == [2020, 2021, 2022, 2023, 2024, 2025]
    # The legend names only what is drawn: no 里程碑 where the plan sets none for the target.
    assert "里程碑" not in _legend(charts[0]) and "实际值" in _legend(charts[0])
    at.selectbox(key="target_detail").set_value("insured_persons")
    _run(at)
    trend = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "里程碑" in _legend(trend)  # the plan's 2021 milestone (155万人)


def _legend(spec: dict) -> list[str]:
    """The series a trend chart's colour legend lists."""
    return next(
        layer["encoding"]["color"]["scale"]["domain"]
        for layer in spec["layer"]
        if "color" in layer.get("encoding", {})
    )


def test_overview_html_keeps_text_from_the_plan_as_text(demo_store):
    """A target name or scope with markup is shown as written, never run as HTML."""
    from dataclasses import replace

    from gsyf_geo.monitor.charts import overview_html
    from gsyf_geo.monitor.evaluation import evaluate_target

    plan = default_plan()
    hostile = '<img src=x onerror="alert(1)">参保人数</td><script>alert(2)</script>'
    target = replace(plan.targets[0], name=hostile, scope="口径<i>斜体</i>")
    result = evaluate_target(demo_store, plan, target, date(2026, 11, 30))
    page = overview_html([result], replace(plan, targets=(target,)))
    assert "<img src=x" not in page and "<script>" not in page and "<i>" not in page
    parser = _OverviewParser()
    parser.feed(page)
    row = parser.rows[target.id]
    assert row["指标"] == hostile and row["定义"].endswith("口径：口径<i>斜体</i>")


def test_targets_page_shows_no_data_not_zero(demo_db_url):
    store = Store(demo_db_url)
    with store.transaction() as conn:
        conn.execute(text("DELETE FROM training_record WHERE activity = 'publicity'"))
    store.engine.dispose()
    at = _open("views/targets.py")
    row = _overview(at).loc["publicity_coverage"]
    assert row["当前值"] == "无数据" and row["状态"] == "无数据"
    assert row["points"] == 0  # nothing drawn, not a line at zero


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
    overview = _overview(at)
    assert overview["指标"].tolist() == ["全市工伤保险参保人数"]
    assert overview["目标"].iloc[0] == "≥ 210.0万人"
    select = at.sidebar.selectbox[0].set_value(DEFAULT_PLAN_ID)
    _run(at)
    assert len(_overview(at)) == len(default_plan().targets)

    # The task list page offers the same plans and remembers the choice.
    at.switch_page("views/tasks.py")
    _run(at)
    assert at.sidebar.selectbox[0].value == DEFAULT_PLAN_ID


AS_OF = date(2026, 11, 30)
JINTAN = "320413"


def _targets_cli(url: str, *args: str) -> dict:
    env = {**os.environ, "GSYF_DB_URL": url}
    env.pop("GSYF_PLAN_DIR", None)
    out = subprocess.run(
        [sys.executable, "-m", "gsyf_geo", "targets", "--json", "--as-of", AS_OF.isoformat(), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return {t["id"]: t for t in json.loads(out.stdout)["targets"]}


def _tile(at: AppTest, label: str):
    return next(m for m in at.metric if m.label.startswith(label))


def test_district_scope_agrees_on_the_page_the_map_and_the_cli(demo_db_url):
    """金坛's bases and insured persons: a share of the city, never judged against the
    city's target -- the same figures on the targets page, the map tiles and the CLI."""
    cli = _targets_cli(demo_db_url, "--scope", f"district:{JINTAN}")
    bases, insured = cli["training_bases"], cli["insured_persons"]
    assert bases["status"] == insured["status"] == NOT_SPLIT
    share = bases["share_of_city"]
    assert 0 < share < 1 and bases["value_text"].startswith(f"{bases['value']:.0f}家，占全市 {share:.1%}")

    at = _open("views/targets.py")
    at.date_input(key="targets_as_of").set_value(AS_OF)
    at.selectbox(key="targets_scope").set_value(f"district:{JINTAN}")
    _run(at)
    overview = _overview(at)
    for tid in ("training_bases", "insured_persons"):
        assert overview.loc[tid, "状态"] == NOT_SPLIT
        assert overview.loc[tid, "当前值"] == cli[tid]["value_text"]
        assert overview.loc[tid, "目标"].startswith("全市 ")
    assert "未达标" not in set(overview.loc[["training_bases", "insured_persons", "demonstration_units"], "状态"])

    at = _run(AppTest.from_file(str(APP), default_timeout=180))
    at.sidebar.selectbox(key="unit").set_value(JINTAN)
    _run(at)
    tile = _tile(at, "宣传培训基地")
    assert tile.value == f"{bases['value']:.0f}"  # no “/ 10”: the city target is not split
    assert f"占全市 {share:.1%}" in tile.proto.delta and "不分解" in tile.proto.delta
    assert "占全市" in _tile(at, "参保人数").proto.delta


def test_map_change_is_coloured_by_the_plans_target(demo_db_url):
    """The accident-rate change on the map is red when it misses the plan's −20 %, whatever
    its direction, and agrees with the targets page's verdict on the same data."""
    cli = _targets_cli(demo_db_url)["accident_rate_reduction"]
    at = _run(AppTest.from_file(str(APP), default_timeout=180))
    tile = _tile(at, "万人事故率")
    delta = tile.proto.delta
    assert "较2020" in delta and "目标 −20%" in delta
    met = "已达到" in delta
    assert met == cli["met"]  # the page's verdict on the same data (2025 against 2020)
    assert tile.proto.color == (Metric.MetricColor.GREEN if met else Metric.MetricColor.RED)
    falling = delta.startswith("-")
    assert tile.proto.direction == (Metric.MetricDirection.DOWN if falling else Metric.MetricDirection.UP)
    # The city's bases against the plan's “10家左右” (≥ 9 met), coloured by the verdict.
    bases = _tile(at, "宣传培训基地")
    assert bases.value.endswith("/ 10") and "10家左右" in bases.proto.delta
    count = int(bases.value.split(" / ")[0])
    assert bases.proto.color == (Metric.MetricColor.GREEN if count >= 9 else Metric.MetricColor.RED)
    # Each unit's verdict on the same fall (the map's colours and tooltips; the unit table that
    # stood beside the map became the ranked panel) is held at its edges in
    # tests/test_risk_layers.py::test_anchored_accident_fall_edges.
    # The targets page colours the same value by the same verdict.
    page = _open("views/targets.py")
    page.date_input(key="targets_as_of").set_value(AS_OF)
    _run(page)
    row = _overview(page).loc["accident_rate_reduction"]
    assert (row["状态"] == "达标") == met and ("较2020年" in row["当前值"])


def test_targets_page_shows_the_rule_beside_each_verdict(demo_db_url):
    at = _open("views/targets.py")
    at.date_input(key="targets_as_of").set_value(date(2024, 3, 31))
    _run(at)
    overview = _overview(at)
    assert overview["判定规则"].str.len().gt(0).all()
    row = overview.loc["project_insurance_rate"]
    assert row["目标"] == "每年 ≥ 90.0%" and "每个完整年度" in row["判定规则"]
    assert re.search(r"（2023年）；2024年截至3月31日 ", overview.loc["publicity_coverage", "当前值"])
    assert "10家左右" in overview.loc["training_bases", "目标"]


# --------------------------------------------------------------------------- task list page


def test_task_page_lists_tasks_and_filters_by_department(demo_db_url):
    at = _open("views/tasks.py")
    assert [t.value for t in at.title] == ["任务清单"]
    table = at.dataframe[0].value
    assert len(table) == 28
    assert {"责任部门", "完成时限", "状态"} <= set(table.columns)
    assert (table["状态"] == "逾期").sum() == 22  # every dated 2021 task, none done yet
    assert not _texts_with(at, "GSYF_")  # no setting names shown to users
    assert any("经办人：**开放演示（未登录）**" in m.value.replace("\\", "") for m in at.markdown)  # who edits: the session's user
    at.selectbox(key="task_dept").set_value("市卫健委")
    _run(at)
    assert at.dataframe[0].value["任务编号"].tolist() == [
        "2021-04", "2021-05", "2021-09", "2021-12", "2021-16"
    ]  # fmt: skip
    assert [b.label for b in at.get("download_button")] == ["导出 Excel"]


def _texts_with(at: AppTest, needle: str) -> list[str]:
    """Texts on the page (markdown, captions, alerts, labels, help) that contain ``needle``."""
    texts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
             for e in at.get(kind)]  # fmt: skip
    texts += [w.label for w in [*at.selectbox, *at.text_area, *at.button]]
    texts += [w.help or "" for w in [*at.selectbox, *at.text_area]]
    return [t for t in texts if needle in str(t)]


def _edit(at: AppTest, task_id: str, status: str, note: str) -> AppTest:
    at.selectbox(key="task_edit_id").set_value(task_id)
    _run(at)
    next(s for s in at.selectbox if s.label == "状态").set_value(status)
    next(t for t in at.text_area if t.label == "备注").set_value(note)
    next(t for t in at.text_area if t.label.startswith("佐证材料")).set_value("http://oa.local/1")
    next(b for b in at.button if b.label == "保存").click()
    return _run(at)


def _open_as(page: str, name: str) -> AppTest:
    """``page`` for a signed-in account (as the sign-in page leaves the session)."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["_auth_user"] = name
    at.session_state["_auth_seen"] = time.time()
    at.run()
    at.switch_page(page)
    return _run(at)


def test_task_edit_is_stored_with_who_and_when(demo_db_url, monkeypatch):
    from gsyf_geo.auth.accounts import add_user

    store = Store(demo_db_url)
    store.create_schema()
    for name in ("张三", "李四"):
        add_user(store, name, "officer", "password-123", unit="320402")
    store.engine.dispose()
    monkeypatch.setenv("GSYF_TASK_EDITORS", "张三,王五")
    at = _open_as("views/tasks.py", "李四")
    assert not at.sidebar.text_input  # who edits is the signed-in account, never a typed name
    assert any("李四" in w.value and "无权" in w.value for w in at.warning)
    assert "保存" not in [b.label for b in at.button]  # no edit form for a non-permitted user
    assert not _texts_with(at, "GSYF_") and not _texts_with(at, "环境变量")

    before = datetime.now().replace(microsecond=0)
    at = _open_as("views/tasks.py", "张三")
    assert any("经办人：**张三**" in m.value for m in at.markdown)  # filled in, not typed
    _edit(at, "2021-03", "已完成", "已召开两次会议")
    assert any("已保存任务 2021-03" in s.value for s in at.success)
    table = at.dataframe[0].value.set_index("任务编号")
    assert table.loc["2021-03", "状态"] == "已完成" and table.loc["2021-03", "修改人"] == "张三"

    store = Store(demo_db_url)
    row = load_statuses(store, DEFAULT_PLAN_ID).set_index("task_id").loc["2021-03"]
    from gsyf_geo.auth.audit import read_audit

    edits = read_audit(store, action="task_edit")
    store.engine.dispose()
    assert edits[["user_name", "target", "rows"]].values.tolist() == [["张三", f"{DEFAULT_PLAN_ID}/2021-03", 1]]
    assert row["updated_by"] == "张三" and row["note"] == "已召开两次会议"
    assert row["evidence"] == "http://oa.local/1"
    assert before <= row["updated_at"] <= datetime.now()
