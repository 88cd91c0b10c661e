"""数据导入 — upload a file, preview its problems, load it, see the import history (layout only)."""

from __future__ import annotations

import streamlit as st

from gsyf_geo.crs import SUPPORTED_SYSTEMS
from gsyf_geo.importing.load import import_file, os_user, prepare_import, problems_frame
from gsyf_geo.importing.preview import (
    CRS_LABELS,
    PROBLEM_COLUMN,
    history_table,
    preview_table,
    problem_counts,
    styled,
)
from gsyf_geo.importing.schema import IMPORTABLE_KINDS, KIND_SPECS
from gsyf_geo.importing.templates import notes_frame, template_bytes, template_file_name
from views.common import demo_banner, get_store

TITLE = "数据导入"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

store = get_store()
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

uploaded = st.file_uploader(
    "上传文件（CSV、XLSX 或 XLS）", type=["csv", "txt", "xlsx", "xls"], key=f"upload_{kind}"
)
c1, c2, c3 = st.columns([3, 2, 1])
crs = "wgs84"
if spec.located:
    crs = c1.radio(
        "文件中坐标的坐标系", SUPPORTED_SYSTEMS, format_func=CRS_LABELS.get, horizontal=True,
        key="import_crs",
    )  # fmt: skip
partial = c2.checkbox("仅导入无误的行（其余行列入问题清单）", key="import_partial")
user = c3.text_input("操作人", value=os_user(), key="import_user")

if uploaded is not None:
    data = uploaded.getvalue()
    file_key = (kind, uploaded.name, len(data), hash(data))
    preview_key = (*file_key, crs)
    if st.session_state.get("preview_key") != preview_key:
        with st.spinner("正在检查文件…"):
            st.session_state["preview"] = prepare_import(
                store, kind, data, uploaded.name, crs=crs, online=False
            )
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
            with st.expander(f"问题清单（{len(prep.problems)} 条）", expanded=bad > 0):
                st.dataframe(problems_frame(prep.problems), hide_index=True, width="stretch")
        if bad and not partial:
            st.warning("文件中有错误：默认整个文件不导入。改正后重新上传，或勾选“仅导入无误的行”。")

        if st.button("导入", type="primary", key="import_go"):
            bar = st.progress(0.0, text="准备导入…")
            result = import_file(
                store, kind, data, uploaded.name, crs=crs, partial=partial,
                user=user.strip() or None, progress=lambda f, m: bar.progress(f, text=m),
            )  # fmt: skip
            st.session_state["import_result"] = (file_key, result)
            st.session_state["preview_key"] = None  # the store changed: check again next time

    shown = st.session_state.get("import_result")
    if shown is not None and shown[0] == file_key:
        result = shown[1]
        st.subheader("导入结果")
        show = st.success if result.loaded else st.error
        show("\n\n".join(result.summary_lines()))
        if result.problems:
            st.download_button(
                "下载问题清单（CSV）", result.report_csv(), f"问题清单_{result.file_name}.csv",
                "text/csv", key="report_download",
            )  # fmt: skip

st.subheader("导入记录")
st.dataframe(history_table(store), hide_index=True, width="stretch")
