"""数据导入 — upload a file, preview its problems, load it, see the import history (layout only)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from gsyf_geo.crs import SUPPORTED_SYSTEMS
from gsyf_geo.importing.limits import MB, import_limits
from gsyf_geo.importing.load import (
    STORE_ERROR_MESSAGE,
    import_file_guarded,
    prepare_import,
    problems_frame,
)
from gsyf_geo.importing.preview import (
    CRS_LABELS,
    PROBLEM_COLUMN,
    history_table,
    preview_table,
    problem_counts,
    styled,
)
from gsyf_geo.importing.problems import BUSY_MESSAGE, is_store_busy
from gsyf_geo.importing.schema import IMPORTABLE_KINDS, KIND_SPECS
from gsyf_geo.importing.templates import notes_frame, template_bytes, template_file_name
from gsyf_geo.store.scope import ScopeError
from views.common import audit_event, demo_banner, get_store, require, user_scope

TITLE = "数据导入"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

store = get_store()
# Who imports and where: the signed-in account and its scope (never a typed name).
user = require("import")
scope = user_scope()
st.title(TITLE)
demo_banner(store)

kind = st.selectbox(
    "数据类型", IMPORTABLE_KINDS, format_func=lambda k: KIND_SPECS[k].title, key="import_kind"
)
spec = KIND_SPECS[kind]
st.caption(spec.note)

t1, t2, _ = st.columns([1, 1, 3])
t1.download_button(
    "下载模板（XLSX）", template_bytes(kind, "xlsx"), template_file_name(kind, "xlsx"), XLSX_MIME,
    key=f"tpl_xlsx_{kind}",
)  # fmt: skip
t2.download_button(
    "下载模板（CSV）", template_bytes(kind, "csv"), template_file_name(kind, "csv"), "text/csv",
    key=f"tpl_csv_{kind}",
)  # fmt: skip
with st.expander("各列说明"):
    st.dataframe(notes_frame(kind), hide_index=True, width="stretch")

limits = import_limits()
round_ = st.session_state.setdefault("upload_round", 0)  # a new uploader after each import
uploaded = st.file_uploader(
    "上传文件（CSV、XLSX 或 XLS）", type=["csv", "txt", "xlsx", "xls"], key=f"upload_{kind}_{round_}",
    help=f"文件不超过 {limits.max_bytes // MB:,} MB、{limits.max_rows:,} 行、{limits.max_columns} 列",
)  # fmt: skip
c1, c2, c3 = st.columns([3, 2, 1])
crs = "wgs84"
if spec.located:
    crs = c1.radio(
        "文件中坐标的坐标系", SUPPORTED_SYSTEMS, format_func=CRS_LABELS.get, horizontal=True,
        key="import_crs",
    )  # fmt: skip
partial = c2.checkbox("仅导入无误的行（其余行列入问题清单）", key="import_partial")
c3.markdown(f"操作人：**{user.name}**", help=f"记录为当前登录账号；导入范围：{scope.label}")

if uploaded is None:
    # Nothing of a file is kept once it is gone from the page.
    st.session_state.pop("preview", None)
    st.session_state.pop("preview_key", None)
else:
    data = uploaded.getvalue()
    preview_key = (kind, uploaded.name, len(data), hash(data), crs, str(scope))
    if st.session_state.get("preview_key") != preview_key:
        st.session_state.pop("preview", None)
        with st.spinner("正在检查文件…"):
            try:
                st.session_state["preview"] = prepare_import(
                    store, kind, data, uploaded.name, crs=crs, scope=scope, online=False
                )
            except SQLAlchemyError as exc:
                st.error(BUSY_MESSAGE if is_store_busy(exc) else STORE_ERROR_MESSAGE)
                st.stop()
        st.session_state["preview_key"] = preview_key
    prep = st.session_state["preview"]

    st.subheader("预览")
    if not prep.readable:
        for p in prep.problems:
            st.error(str(p))
    else:
        rows, bad, notes = problem_counts(prep)
        st.caption(
            f"{prep.file_format}：共 {rows} 行，有错误的行 {bad} 行，提示 {notes} 条。"
            "红色为错误，黄色为提示；有错误的行排在预览的前面。"
        )
        table, css = preview_table(prep)
        st.dataframe(
            styled(table, css), width="stretch", height=min(420, 38 + 35 * len(table)),
            column_config={PROBLEM_COLUMN: st.column_config.TextColumn(width="large")},
        )  # fmt: skip
        if prep.problems:
            more = sum(prep.omitted.values())
            title = f"问题清单（{len(prep.problems) + more:,} 条" + (f"，列出前 {len(prep.problems):,} 条）" if more else "）")
            with st.expander(title, expanded=bad > 0):
                st.dataframe(problems_frame(prep.problems), hide_index=True, width="stretch")
        if bad and not partial:
            st.warning("文件中有错误：默认整个文件不导入。改正后重新上传，或勾选“仅导入无误的行”。")

        if st.button("导入", type="primary", key="import_go"):
            bar = st.progress(0.0, text="准备导入…")
            try:
                result, failure = import_file_guarded(
                    store, kind, data, uploaded.name, crs=crs, partial=partial, scope=scope,
                    user=user.name, progress=lambda f, m: bar.progress(f, text=m),
                )  # fmt: skip
            except ScopeError as exc:
                result, failure = None, str(exc)
            try:
                audit_event(
                    "import", uploaded.name, None if result is None else result.inserted + result.updated,
                    f"{KIND_SPECS[kind].title}；范围 {scope.label}；"
                    + (failure or f"{result.status}，读取 {result.rows_read} 行，新增 {result.inserted}，"
                       f"更新 {result.updated}，拒绝 {result.rejected}"),
                )  # fmt: skip
            except SQLAlchemyError as exc:  # the store is locked or down: say so, show no SQL
                if failure is None:
                    st.session_state["import_audit_failed"] = True
                else:
                    failure = BUSY_MESSAGE if is_store_busy(exc) else failure
            # The import is over: drop the file and its preview from the session.
            del data, prep
            st.session_state.pop("preview", None)
            st.session_state.pop("preview_key", None)
            st.session_state["import_result"] = (kind, result, failure)
            st.session_state["upload_round"] = round_ + 1
            st.rerun()

shown = st.session_state.get("import_result")
if shown is not None and shown[0] == kind:
    _, result, failure = shown
    st.subheader("导入结果")
    if failure:
        st.error(failure)
    else:
        if st.session_state.pop("import_audit_failed", False):
            st.warning("导入已完成，但数据库正忙，未能写入审计记录：请告知管理员。")
        show = st.success if result.loaded else st.error
        show("\n\n".join(result.summary_lines()))
        if result.problems:
            st.download_button(
                "下载问题清单（CSV）", result.report_csv(), f"问题清单_{result.file_name}.csv",
                "text/csv", key="report_download",
            )  # fmt: skip

st.subheader("导入记录")
history = history_table(store)
if scope.kind != "city":  # an officer sees their own imports only
    history = history[history["操作人"] == user.name]
st.dataframe(history, hide_index=True, width="stretch")
