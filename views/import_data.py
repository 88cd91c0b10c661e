"""数据导入 — upload a file, preview its problems, load it, see the import history (layout only)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from gsyf_geo.crs import SUPPORTED_SYSTEMS
from gsyf_geo.import_history import fingerprints, operator_name, plain_history, plain_places
from gsyf_geo.importing.blocks import preview_blocks
from gsyf_geo.importing.limits import MB, import_limits
from gsyf_geo.importing.load import STORE_ERROR_MESSAGE, import_file_guarded, problems_frame
from gsyf_geo.importing.preview import (
    CRS_LABELS,
    PROBLEM_COLUMN,
    preview_table,
    problem_counts,
    styled,
)
from gsyf_geo.importing.problems import BUSY_MESSAGE, is_store_busy
from gsyf_geo.importing.schema import IMPORTABLE_KINDS, KIND_SPECS
from gsyf_geo.importing.templates import notes_frame, template_bytes, template_file_name
from gsyf_geo.store.scope import ScopeError
from views.common import audit_event, demo_banner, escape_md, get_store, require, user_scope

TITLE = "数据导入"
PARTIAL_LABEL = "只导入无误的行"
RECENT = 10  # import records shown as a table; the rest in an expander
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

store = get_store()
# Who imports and where: the signed-in account and its scope (never a typed name).
user = require("import")
scope = user_scope()
st.title(TITLE)
demo_banner(store, scope)

kind = st.selectbox(
    "数据类型", IMPORTABLE_KINDS, format_func=lambda k: KIND_SPECS[k].title, key="import_kind"
)
spec = KIND_SPECS[kind]
st.caption(spec.note)

templates = st.container(horizontal=True)
templates.download_button(
    "下载模板（XLSX）", template_bytes(kind, "xlsx"), template_file_name(kind, "xlsx"), XLSX_MIME,
    key=f"tpl_xlsx_{kind}",
)  # fmt: skip
templates.download_button(
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
crs = "wgs84"
if spec.located:
    crs = st.radio(
        "文件中坐标的坐标系", SUPPORTED_SYSTEMS, format_func=CRS_LABELS.get, horizontal=True,
        key="import_crs",
    )  # fmt: skip
operator = operator_name(user.name)
how = "" if user.is_open_demo else "（当前登录账号）"
st.markdown(f"操作人：**{escape_md(operator)}**{how}　导入范围：**{scope.label}**")


def _verdict(result) -> str:
    """What the import did, in plain words (and what to do about the rows it refused)."""
    if result.status == "rejected":
        if not result.rows_read:
            return "未导入，库中数据未改变：请按上面的提示改正文件后重新上传。"
        return (f"未导入，库中数据未改变：文件中有 {result.rejected:,} 行有错误。请按问题清单改正后重新上传；"
                f"或重新上传后点“{PARTIAL_LABEL}”。")  # fmt: skip
    return {
        "done": "已导入。",
        "unchanged": "与库中数据相同，未做任何改动。",
        "partial": f"已导入无误的行；有错误的 {result.rejected:,} 行未导入，见问题清单（改正后可再导入这些行）。",
    }.get(result.status, "")


def _summary(result) -> list[str]:
    """The import engine's summary, with its verdict line in the page's words."""
    lines = []
    for line in result.summary_lines():
        if line.startswith("结果："):
            continue
        if line.startswith("定位："):
            line = "定位：" + plain_places(line)
        lines.append(escape_md(line.replace("（--partial）", "")))  # names a file: literal text
    return [*lines, _verdict(result)]


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
                # Checked block by block, nothing written; the session keeps the counts, the
                # capped problem list and the preview rows only, never the file's rows.
                st.session_state["preview"] = preview_blocks(
                    store, kind, data, uploaded.name, crs=crs, scope=scope
                )
            except SQLAlchemyError as exc:
                st.error(BUSY_MESSAGE if is_store_busy(exc) else STORE_ERROR_MESSAGE)
                st.stop()
        st.session_state["preview_key"] = preview_key
    prep = st.session_state["preview"]

    st.subheader("预览")
    rows, bad, notes = problem_counts(prep) if prep.readable else (0, 0, 0)
    good = prep.good if prep.readable else 0
    if not prep.readable:
        for p in prep.problems:  # file names and cell prefixes are data: literal text
            st.error(escape_md(str(p)))
        st.warning("这个文件无法导入：请按上面的提示改正后重新上传（可先下载模板对照表头）。")
    else:
        st.caption(
            f"{escape_md(prep.file_format or '')}：共 {rows:,} 行，有错误的行 {bad:,} 行，提示 {notes:,} 条。"
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
        if not rows:
            st.warning("文件中没有数据行：请在表头下面填入数据后重新上传。")
        elif bad and good:
            st.warning(
                f"文件中有 {bad:,} 行有错误（预览中标红，见问题清单），整个文件不会导入。"
                f"请改正这些行后重新上传；或点“{PARTIAL_LABEL}”，导入其余 {good:,} 行，"
                "有错误的行列入问题清单，可下载后改正再导入。"
            )
        elif bad:
            st.warning(f"文件中的 {bad:,} 行都有错误，无法导入：请按问题清单改正后重新上传。")

    # The whole file is refused when the preview found any error: 导入 is then disabled.
    refused = not prep.readable or not rows or bool(bad)
    buttons = st.container(horizontal=True)
    go = buttons.button(
        "导入", type="primary", key="import_go", disabled=refused,
        help="文件有错误，整个文件不会导入" if refused else f"导入全部 {rows:,} 行",
    )  # fmt: skip
    go_partial = False
    if prep.readable and bad and good:
        go_partial = buttons.button(
            PARTIAL_LABEL, type="primary", key="import_partial",
            help=f"导入无误的 {good:,} 行；有错误的 {bad:,} 行不导入，列入问题清单",
        )  # fmt: skip

    if go or go_partial:
        partial = bool(go_partial)
        bar = st.progress(0.0, text="准备导入…")
        try:
            result, failure = import_file_guarded(
                store, kind, data, uploaded.name, crs=crs, partial=partial, scope=scope,
                user=user.name, progress=lambda f, m: bar.progress(f, text=m),
            )  # fmt: skip
        except ScopeError as exc:
            result, failure = None, str(exc)
        # The import is over, whatever came of it: the bar ends.
        bar.progress(1.0, text="导入结束" if failure is None else "导入未完成")
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
        bar.empty()
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
        st.error(escape_md(failure))
    else:
        if st.session_state.pop("import_audit_failed", False):
            st.warning("导入已完成，但数据库正忙，未能写入审计记录：请告知管理员。")
        show = st.success if result.loaded else st.error
        show("\n\n".join(_summary(result)))
        if result.problems:
            st.download_button(
                "下载问题清单（CSV）", result.report_csv(), f"问题清单_{result.file_name}.csv",
                "text/csv", key="report_download",
            )  # fmt: skip

st.subheader("导入记录")
mine = None if scope.kind == "city" else user.name  # an officer sees their own imports only
history = plain_history(store, user=mine)
if history.empty:
    st.caption("还没有导入记录。")
else:
    recent = history.head(RECENT)
    recent = recent.drop(columns=["读取", "新增", "更新", "拒绝"]).assign(行数=[
        f"读取 {r:,}：新增 {i:,}，更新 {u:,}，拒绝 {x:,}"
        for r, i, u, x in recent[["读取", "新增", "更新", "拒绝"]].itertuples(index=False)
    ])[["时间", "数据类型", "文件", "操作人", "行数", "结果", "说明"]]  # fmt: skip
    recent = recent.map(escape_md)  # st.table renders markdown: file and user names stay text
    st.caption(f"最近 {len(recent)} 次（共 {len(history):,} 次" + ("，只列您本人的导入）" if mine else "）"))
    st.table(recent.set_index("时间"))
    with st.expander("全部导入记录与文件指纹"):
        counts = st.column_config.NumberColumn(format="localized")
        st.dataframe(
            history, hide_index=True, width="stretch",
            column_config={c: counts for c in ("读取", "新增", "更新", "拒绝")},
        )  # fmt: skip
        st.caption("文件指纹：文件内容相同，指纹就相同，可用来核对两次导入是否为同一文件。")
        st.dataframe(fingerprints(store, user=mine), hide_index=True, width="stretch")
