"""任务清单 — the plan's task list with statuses (layout only; see gsyf_geo.monitor.tasks)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from gsyf_geo.monitor.tasks import (
    DONE,
    EDITORS_ENV,
    OVERDUE,
    STORED_STATUSES,
    TASK_STATUSES,
    TaskEditError,
    departments,
    filter_by_department,
    load_statuses,
    may_edit,
    set_task_status,
    task_editors,
    task_table,
    tasks_to_excel,
)
from views.common import demo_banner, get_store, plan_selector, plans_or_stop

TITLE = "任务清单"
SSO_HEADER = "X-Remote-User"
ALL = "全部部门"
ROW_COLORS = {
    OVERDUE: "background-color: #f8d7da; color: #721c24",
    DONE: "background-color: #d4edda",
}
TABLE_ROW_PX = 35
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

store = get_store()
st.title(TITLE)
demo_banner(store)

plans = plans_or_stop("规划任务")
plans = {k: p for k, p in plans.items() if p.tasks}
if not plans:
    st.error("没有带任务清单的计划文件（data/plan/*.json）。")
    st.stop()

today = date.today()
try:
    sso_user = (st.context.headers.get(SSO_HEADER) or "").strip()
except Exception:  # noqa: BLE001 - no request context (e.g. bare mode)
    sso_user = ""

with st.sidebar:
    plan = plan_selector(plans, today)
    st.header("经办人")
    if sso_user:
        user = sso_user
        st.markdown(f"当前用户：**{user}**（内网统一认证）")
    else:
        user = st.text_input("经办人姓名", key="task_user", help="修改任务状态时记录经办人").strip()

editors = task_editors()
can_edit = may_edit(user, editors)

table = task_table(store, plan, today)
dept = st.selectbox("按责任部门筛选", [ALL, *departments(plan)], key="task_dept")
statuses = st.multiselect(
    "按状态筛选", list(TASK_STATUSES), default=list(TASK_STATUSES), key="task_status"
)
shown = filter_by_department(table, None if dept == ALL else dept)
shown = shown[shown["状态"].isin(statuses)]

counts = table["状态"].value_counts()
st.markdown(
    f"{plan.title}　共 **{len(table)}** 项任务："
    + "　".join(f"{s} **{int(counts.get(s, 0))}**" for s in TASK_STATUSES)
    + f"　（评估日期 {today.isoformat()}；期限已过且未完成的任务自动标为“{OVERDUE}”）"
)


def _row_style(row: pd.Series) -> list[str]:
    return [ROW_COLORS.get(row["状态"], "")] * len(row)


# 状态 next to the task; 期限 (ISO) only repeats 完成时限 and goes to the export only.
view = shown[["任务编号", "状态", "具体措施", "责任部门", "完成时限", "备注", "佐证材料",
              "修改人", "修改时间", "序号", "重点任务"]]  # fmt: skip
st.dataframe(
    view.style.apply(_row_style, axis=1),
    hide_index=True,
    height=TABLE_ROW_PX * (len(view) + 1) + 3,
    column_config={
        "具体措施": st.column_config.TextColumn("具体措施", width="large"),
        "佐证材料": st.column_config.TextColumn("佐证材料", width="medium"),
    },
    key="task_table",
)
st.download_button(
    "导出 Excel",
    data=tasks_to_excel(shown, title=f"{plan.title} 任务清单（{today.isoformat()}）"),
    file_name=f"{plan.plan_id}_任务清单_{today.isoformat()}.xlsx",
    mime=XLSX,
)

st.subheader("更新任务状态")
if editors is None:
    st.info(f"未设置环境变量 {EDITORS_ENV}：所有用户均可编辑任务状态（需填写经办人姓名）。")
if not user:
    st.warning("请在左侧填写经办人姓名后再编辑任务状态。")
elif not can_edit:
    st.warning(f"用户“{user}”无权编辑任务状态。如需编辑，请联系管理员将其加入 {EDITORS_ENV}。")
else:
    options = shown["任务编号"].tolist() or table["任务编号"].tolist()
    measures = dict(zip(table["任务编号"], table["具体措施"], strict=True))
    task_id = st.selectbox(
        "任务",
        options,
        format_func=lambda i: f"{i}　{measures[i][:40]}{'…' if len(measures[i]) > 40 else ''}",
        key="task_edit_id",
    )
    stored = load_statuses(store, plan.plan_id).set_index("task_id")
    current = stored.loc[task_id] if task_id in stored.index else None

    def _stored(field: str) -> str:
        if current is None or pd.isna(current[field]):
            return ""
        return str(current[field])

    with st.form(f"task_form_{plan.plan_id}_{task_id}"):
        status_now = _stored("status") or STORED_STATUSES[0]
        status = st.selectbox(
            "状态",
            list(STORED_STATUSES),
            index=list(STORED_STATUSES).index(status_now) if status_now in STORED_STATUSES else 0,
            help=f"“{OVERDUE}”由完成时限自动判断，无需选择",
        )
        note = st.text_area("备注", value=_stored("note"))
        evidence = st.text_area("佐证材料链接（每行一个）", value=_stored("evidence"))
        submitted = st.form_submit_button("保存")
    if _stored("updated_by"):
        st.caption(f"上次修改：{_stored('updated_by')}，{_stored('updated_at')[:16]}")
    if submitted:
        try:
            set_task_status(
                store, plan, task_id, status, user, note=note, evidence=evidence, editors=editors
            )
        except TaskEditError as exc:
            st.error(str(exc))
        else:
            st.session_state["task_saved"] = (
                f"已保存任务 {task_id} 的状态：{status}（经办人 {user}）"
            )
            st.rerun()
if "task_saved" in st.session_state:
    st.success(st.session_state.pop("task_saved"))
