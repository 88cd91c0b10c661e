"""The risk map's enterprise list (page code only; computing lives in gsyf_geo).

Called from :mod:`views.risk_map`: :func:`render_list` draws the filtered enterprises and
their exports (XLSX, CSV, follow-up workbooks) below the map.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from gsyf_geo.analysis.enterprise_list import (
    LIST_SORT_NOTES,
    LIST_SORTS,
    PAGE_ROWS,
    ListExport,
    list_export,
    list_file_stem,
    list_sentence,
)
from gsyf_geo.analysis.filters import FilteredView, MapState
from gsyf_geo.analysis.indicators import enterprise_table
from gsyf_geo.analysis.mapdata import MapData
from gsyf_geo.auth.roles import can
from gsyf_geo.domain import DEMO_LABEL
from gsyf_geo.plan import Plan
from views.common import audited, current_user

LIST_ROWS = PAGE_ROWS  # rows shown on the page (first of the chosen order); exports hold every row
SORT_KEY = "list_sort"
AREA_KEY = "enterprise_list"  # the list's container: class st-key-enterprise_list in the page

# Fixed widths (px): the grid need not measure 1,000 rows of text before it draws, and the
# name stays readable. Numbers keep their thousands separators; 参保率 reads as a percentage.
LIST_WIDTHS = {
    "统一社会信用代码": 170, "单位名称": 250, "统计单元": 72, "乡镇（街道）": 120, "重点行业": 96,
    "行业代码": 72, "规模": 56, "风险等级": 112, "风险类别": 72, "职工人数": 80, "参保人数": 80,
    "参保缺口（人）": 104, "参保率": 72, "重要岗位人员": 96, "未培训人数": 84, "宣传覆盖": 72,
    "地址": 260, "经度": 96, "纬度": 88, "定位方式": 72, "位置存疑": 72,
}  # fmt: skip


# On the page the follow-up columns come first, next to the name (exports keep the register's order).
LIST_FIRST = ("单位名称", "参保缺口（人）", "职工人数", "参保人数", "参保率", "未培训人数", "风险等级", "统计单元",
              "乡镇（街道）", "重点行业")  # fmt: skip


@st.cache_resource(max_entries=32, show_spinner=False)
def list_rows(url: str, version: str, state: MapState, sort: str, _view: FilteredView) -> pd.DataFrame:
    """The on-page rows for a state and an order: every filtered row sorted, then the first
    :data:`LIST_ROWS`. Cached per data version, state and order (``_view`` is the state's
    filtered view, not part of the key)."""
    return enterprise_table(_view, limit=LIST_ROWS, sort=sort)


def list_order(columns: pd.Index) -> list[str]:
    """The on-page column order: :data:`LIST_FIRST`, then the rest as exported."""
    first = [c for c in LIST_FIRST if c in columns]
    return first + [c for c in columns if c not in first]


def list_columns(columns: pd.Index) -> dict[str, st.column_config.Column]:
    """Column settings for the enterprise list (the injuries column is named by its years)."""
    config: dict[str, st.column_config.Column] = {}
    for name in columns:
        width = LIST_WIDTHS.get(name, 120)
        if name == "参保率":
            config[name] = st.column_config.NumberColumn(width=width, format="percent")
        elif name in ("经度", "纬度"):
            config[name] = st.column_config.NumberColumn(width=width, format="%.6f")
        elif name in ("职工人数", "参保人数", "参保缺口（人）", "重要岗位人员", "未培训人数") or name.startswith("工伤人数"):
            config[name] = st.column_config.NumberColumn(width=width, format="localized")
        else:
            config[name] = st.column_config.TextColumn(width=width, pinned=name == "单位名称" or None)
    return config


def render_list(
    db_url: str, data_version: str, state: MapState, view: FilteredView, *, data: MapData, store, scope,
    plan: Plan | None, scope_label: str, period: str,
) -> None:  # fmt: skip
    """The filtered enterprises in the chosen order, and their exports.

    Parameters
    ----------
    db_url, data_version, state
        The cache key of the page's view.
    view
        The filtered enterprises (the user's scope and the filters).
    data, store, scope, plan
        The page's data, store, the user's scope and the plan in force.
    scope_label, period
        The unit shown and the years, in words (used in titles and file names).
    """
    with st.container(key=AREA_KEY):
        _render_list(db_url, data_version, state, view, data=data, store=store, scope=scope, plan=plan,
                     scope_label=scope_label)  # fmt: skip


def _render_list(
    db_url: str, data_version: str, state: MapState, view: FilteredView, *, data: MapData, store, scope,
    plan: Plan | None, scope_label: str,
) -> None:  # fmt: skip
    y0, y1 = view.years
    st.subheader("企业清单")
    sort = st.radio(
        "排序", list(LIST_SORTS), format_func=LIST_SORTS.get, key=SORT_KEY, horizontal=True,
        help=f"在全部筛选结果中排序后再显示前 {LIST_ROWS:,} 家：" + "；".join(
            f"{LIST_SORTS[k]}：{LIST_SORT_NOTES[k]}" for k in LIST_SORTS),
    )  # fmt: skip
    total = len(view.enterprises)
    shown = list_rows(db_url, data_version, state, sort, view)
    st.caption(list_sentence(sort, total, len(shown)))
    st.dataframe(
        shown, hide_index=True, width="stretch", height=420, column_config=list_columns(shown.columns),
        column_order=list_order(shown.columns),
    )
    if not can(current_user(), "export"):
        st.caption("导出企业清单需要导出权限（管理员、区级经办）。")
        return
    note = "　".join(filter(None, [DEMO_LABEL if data.is_demo else "", f"导出日期：{date.today().isoformat()}"]))

    def export() -> ListExport:
        return list_export(view, state, scope_label, sort, note=note)

    stem = list_file_stem(scope_label, state, view.years, sort)
    # A wrapping row of buttons, each as wide as its label: nothing is cut off at 1,024 px.
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "导出 Excel", data=audited(f"{stem}.xlsx", total, lambda: export().xlsx()),
        file_name=f"{stem}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )  # fmt: skip
    row.download_button("导出 CSV", data=audited(f"{stem}.csv", total, lambda: export().csv()),
                        file_name=f"{stem}.csv", mime="text/csv", on_click="ignore")  # fmt: skip
    with row.popover("跟进清单（每区一张表）"):
        render_followup_menu(store, plan, state, scope=scope, scope_label=scope_label, years=(y0, y1))


def render_followup_menu(
    store, plan: Plan | None, state: MapState, *, scope, scope_label: str, years: tuple[int, int]
) -> None:
    """Follow-up workbooks for the current filters (gsyf_geo.printing.workbooks)."""
    from gsyf_geo.printing.workbooks import LISTS, followup_workbook
    from gsyf_geo.store import Scope

    y0, y1 = years
    kind = st.radio("清单", list(LISTS), format_func=LISTS.get, key="followup_kind")
    where = scope if state.unit == "city" else Scope.unit(state.unit)
    name = f"{list_file_stem(scope_label, state, (y0, y1), None, prefix=LISTS[kind])}.xlsx"
    st.download_button(
        "下载 Excel", data=audited(name, None, lambda: followup_workbook(store, plan, kind=kind, scope=where,
                                                                        state=state).data, "跟进清单"),
        file_name=name, mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore", type="primary", width="stretch",
    )  # fmt: skip
    st.caption("按当前筛选列出；标题写明筛选条件，表头冻结、可筛选。")
