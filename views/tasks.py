"""任务清单 — the plan's task list with statuses (layout only; see gsyf_geo.monitor.tasks)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from gsyf_geo.auth.roles import ADMIN, can
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
from gsyf_geo.monitor.tasks import (
    DONE,
    OVERDUE,
    STORED_STATUSES,
    TASK_LIST_COLUMNS,
    TASK_STATUSES,
    TaskEditError,
    TaskListError,
    all_tasks,
    departments,
    filter_by_department,
    import_task_list,
    load_statuses,
    may_edit,
    set_task_status,
    task_editors,
    task_table,
    task_years,
    tasks_to_excel,
)
from views.common import (
    audit_event,
    audited,
    current_user,
    demo_banner,
    escape_md,
    get_store,
    plan_selector,
    plans_or_stop,
)

TITLE = "任务清单"
ALL = "全部部门"
ROW_COLORS = {
    OVERDUE: "background-color: #f8d7da; color: #721c24",
    DONE: "background-color: #d4edda",
}
ALL_YEARS = "全部年度"
RECURRING_COLORS = {
    HELD: "background-color: #d4edda",
    NOT_HELD: "background-color: #f8d7da; color: #721c24",
    NOT_DUE: "background-color: #e2e3e5",
    NO_DATA: "color: #6c757d",
    NOT_SCHEDULED: "color: #adb5bd",
}
TABLE_ROW_PX = 35
TABLE_ROWS = 10  # rows shown before the task table scrolls
PICKED = "_task_picked"  # the task of the row last selected in the table
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

store = get_store()
st.title(TITLE)
demo_banner(store)

plans = plans_or_stop("规划任务")
if not plans:
    st.error("没有计划文件（data/plan/*.json）。")
    st.stop()

today = date.today()
# Edits are recorded under the signed-in account (or the trusted proxy's user; open-demo in
# the open demo), never a typed name; the deployment may further limit who edits
# (docs/deployment.md; administrators may always edit). Users read that in plain words.
signed_in = current_user()
user = signed_in.name
shown_user = signed_in.display_name
with st.sidebar:
    plan = plan_selector(plans, today)

editors = None if signed_in.role == ADMIN else task_editors()
can_edit = can(signed_in, "task_edit") and may_edit(user, editors)

years = task_years(store, plan)
filter_year, filter_dept = st.columns(2)
year_choice = filter_year.selectbox(
    "清单年度", [ALL_YEARS, *years], key="task_year",
    format_func=lambda y: y if y == ALL_YEARS else f"{y}年任务清单",
)  # fmt: skip
list_year = None if year_choice == ALL_YEARS else int(year_choice)
table = task_table(store, plan, today, year=list_year)
dept = filter_dept.selectbox("按责任部门筛选", [ALL, *departments(plan, all_tasks(store, plan))], key="task_dept")
statuses = st.multiselect(
    "按状态筛选", list(TASK_STATUSES), default=list(TASK_STATUSES), key="task_status"
)
shown = filter_by_department(table, None if dept == ALL else dept)
shown = shown[shown["状态"].isin(statuses)]

counts = table["状态"].value_counts()
st.markdown(
    f"{plan.title}{'' if list_year is None else f' {list_year}年'}　共 **{len(table)}** 项任务："
    + "　".join(f"{s} **{int(counts.get(s, 0))}**" for s in TASK_STATUSES)
    + f"　（评估日期 {today.isoformat()}；期限已过且未完成的任务自动标为“{OVERDUE}”）"
)


def _row_style(row: pd.Series) -> list[str]:
    return [ROW_COLORS.get(row["状态"], "")] * len(row)


# 状态 next to the task; 期限 (ISO) only repeats 完成时限 and goes to the export only.
view = shown[["任务编号", "状态", "具体措施", "责任部门", "完成时限", "备注", "佐证材料",
              "修改人", "修改时间", "年度", "序号", "重点任务"]]  # fmt: skip
if can_edit:
    st.caption("点选表格中的一行（行首方框），即可在表格下方修改该任务的状态。")
# At most TABLE_ROWS rows high (it scrolls): the edit form stays right below the selection.
picked_rows = st.dataframe(
    view.style.apply(_row_style, axis=1),
    hide_index=True,
    height=TABLE_ROW_PX * (min(len(view), TABLE_ROWS) + 1) + 3,
    column_config={
        "具体措施": st.column_config.TextColumn("具体措施", width="large"),
        "佐证材料": st.column_config.TextColumn("佐证材料", width="medium"),
    },
    # A selection is of a row of this filtered list: new filters, a new table (no stale row).
    key=f"task_table_{abs(hash((year_choice, dept, tuple(statuses))))}",
    on_select="rerun" if can_edit else "ignore",
    selection_mode="single-row",
)
ids = view["任务编号"].tolist()
rows = list(getattr(getattr(picked_rows, "selection", None), "rows", None) or [])
picked = ids[rows[0]] if rows and 0 <= rows[0] < len(ids) else None
if picked is not None and st.session_state.get(PICKED) != picked:
    st.session_state["task_edit_id"] = picked  # a newly selected row chooses the task below
st.session_state[PICKED] = picked


def _stored_of(task_id: str) -> dict[str, str]:
    stored = load_statuses(store, plan.plan_id).set_index("task_id")
    if task_id not in stored.index:
        return {}
    row = stored.loc[task_id]
    return {k: ("" if pd.isna(v) else str(v)) for k, v in row.items()}


if not can_edit:
    st.warning(f"用户“{escape_md(shown_user)}”无权修改任务状态，只能查看。如需修改，请联系管理员开通。")
elif ids or len(table):
    options = ids or table["任务编号"].tolist()
    if st.session_state.get("task_edit_id") not in options:
        st.session_state.pop("task_edit_id", None)
    measures = dict(zip(table["任务编号"], table["具体措施"], strict=True))
    info = table.set_index("任务编号")
    with st.container(border=True, key="task_edit_form"):
        st.markdown(
            f"**修改任务状态**　经办人：**{escape_md(shown_user)}**"
            + ("（开放演示模式）" if signed_in.is_open_demo else "（当前登录账号）")
        )
        task_id = st.selectbox(
            "任务（也可在上表中点选）",
            options,
            format_func=lambda i: f"{i}　{measures[i][:40]}{'…' if len(measures[i]) > 40 else ''}",
            key="task_edit_id",
        )
        st.caption(
            f"{escape_md(measures[task_id])}　（责任部门：{escape_md(info.at[task_id, '责任部门'])}；"
            f"完成时限：{escape_md(info.at[task_id, '完成时限'])}；当前状态：{info.at[task_id, '状态']}）"
        )
        current = _stored_of(task_id)
        with st.form(f"task_form_{plan.plan_id}_{task_id}", border=False):
            status_now = current.get("status") or STORED_STATUSES[0]
            status = st.selectbox(
                "状态",
                list(STORED_STATUSES),
                index=list(STORED_STATUSES).index(status_now) if status_now in STORED_STATUSES else 0,
                help=f"“{OVERDUE}”由完成时限自动判断，无需选择",
            )
            note = st.text_area("备注", value=current.get("note", ""))
            evidence = st.text_area("佐证材料链接（每行一个）", value=current.get("evidence", ""))
            submitted = st.form_submit_button("保存", type="primary")
        if current.get("updated_by"):
            st.caption(
                f"上次修改：{escape_md(current['updated_by'])}，{current.get('updated_at', '')[:16]}"
            )
    if submitted:
        try:
            set_task_status(
                store, plan, task_id, status, user, note=note, evidence=evidence, editors=editors
            )
        except TaskEditError as exc:
            st.error(str(exc))
        else:
            audit_event("task_edit", f"{plan.plan_id}/{task_id}", 1, f"状态 {status}")
            st.session_state["task_saved"] = (
                f"已保存任务 {task_id} 的状态：{status}（经办人 {escape_md(shown_user)}）"
            )
            st.rerun()
if "task_saved" in st.session_state:
    st.success(st.session_state.pop("task_saved"))

st.download_button(
    "导出 Excel",
    data=audited(f"{plan.plan_id}_任务清单", len(shown),
                 lambda: tasks_to_excel(shown, title=f"{plan.title} 任务清单（{today.isoformat()}）")),
    file_name=f"{plan.plan_id}_任务清单_{today.isoformat()}.xlsx",
    mime=XLSX, on_click="ignore",
)  # fmt: skip

# --- later years' task lists -------------------------------------------------------------
st.subheader("导入年度任务清单")
file_years = sorted({t.year for t in plan.tasks if t.year is not None})
open_years = [y for y in plan.years if y not in file_years]
columns_text = "、".join(names[0] for names in TASK_LIST_COLUMNS.values())
st.caption(
    f"上传某一年的任务清单（CSV 或 Excel，列：{columns_text}，与 2021 年附件相同；序号、重点任务为空的行"
    "沿用上一行）。同一年度再次导入时以新文件为准；与库中相同则不作改动。文件有任何错误时整份不导入。"
    + (f"计划文件中已有 {'、'.join(map(str, file_years))} 年清单，不在此导入。" if file_years else "")
)
if not open_years:
    st.info("本计划的各年度任务清单均已在计划文件中。")
elif can_edit:
    with st.form(f"task_import_{plan.plan_id}", clear_on_submit=True):
        import_year = st.selectbox("清单年度", open_years, key="task_import_year",
                                   format_func=lambda y: f"{y}年")  # fmt: skip
        upload = st.file_uploader("任务清单文件", type=["csv", "xlsx", "xls"], key="task_upload")
        do_import = st.form_submit_button("导入任务清单")
    if do_import:
        if upload is None:
            st.error("请先选择任务清单文件。")
        else:
            try:
                result = import_task_list(
                    store, plan, upload.getvalue(), upload.name, int(import_year), user=user
                )
            except TaskListError as exc:
                st.error("任务清单未导入（库中数据未改变）：")
                st.code("\n".join(exc.problems[:50]), language=None)
            else:
                audit_event("import", upload.name, None, f"{int(import_year)}年任务清单；{result.summary()}")
                st.success(result.summary())
                for w in result.warnings:
                    st.warning(w)
else:
    st.caption("导入任务清单需要修改任务状态的权限（请联系管理员）。")

# --- recurring work and yearly activity counts -------------------------------------------
st.subheader("年度常规工作")
if not plan.recurring:
    st.info("本计划文件未列出年度常规工作（recurring）。")
else:
    status = recurring_status(store, plan, today)
    matrix = recurring_matrix(status)
    st.dataframe(
        matrix.style.map(lambda v: RECURRING_COLORS.get(v, "")),
        hide_index=True,
        key="recurring_table",
    )
    st.caption(
        f"评估日期 {today.isoformat()}。“{HELD}”：当年有该项工作的宣传活动记录（活动类型为该项名称或别名，"
        f"日期不晚于评估日期），或对应任务清单行已完成；“{NOT_DUE}”：尚未到当年期限（宣传周 5 月底、"
        f"安全生产月 6 月底，其余 12 月 31 日，以计划文件为准）；“{NO_DATA}”：当年没有任何宣传活动记录，"
        f"无法判断；“{NOT_HELD}”：已过期限、当年有记录但没有该项；“{NOT_SCHEDULED}”：该年不须开展"
        "（如费率浮动每2年一次）。"
    )
    with st.expander("各项依据与出处"):
        st.dataframe(
            status[status["应开展"]][["常规工作", "年度", "状态", "期限", "开展次数", "首次日期",
                                     "依据", "责任部门", "出处"]],
            hide_index=True,
            key="recurring_detail",
        )  # fmt: skip

st.subheader("宣传活动与培训人次（按年度、统计单元）")
counts_all = activity_table(store, plan, today)
if counts_all.empty:
    st.info("评估日期前没有计划年度。")
else:
    shown_years = sorted(set(counts_all["年度"]), reverse=True)
    count_year = st.selectbox("年度", shown_years, key="activity_year", format_func=lambda y: f"{y}年")
    year_counts = counts_all[counts_all["年度"] == count_year].drop(columns=["年度", "代码"])
    st.dataframe(
        year_counts,
        hide_index=True,
        key="activity_table",
        column_config={  # counts with thousands separators (18,996)
            c: st.column_config.NumberColumn(c, format="localized")
            for c in year_counts.select_dtypes("number").columns
        },
    )
    st.caption(
        "宣传活动：宣传活动记录（不含推进会、会议、费率调整、培训活动）的场次和覆盖人次，"
        "未填人次的场次单列；培训：培训和宣传记录中“培训”的场次和参加人数之和（未填人数不计）。"
        "按活动日期计年度，只计评估日期前的记录；活动按举办地所在统计单元计。"
    )
