"""目标监测 — the plan's targets computed from the store (layout only; see gsyf_geo.monitor)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from gsyf_geo.auth.roles import scope_options
from gsyf_geo.domain import DISTRICTS, JKQ
from gsyf_geo.monitor.charts import matrix_html, overview_html, trend_chart, unit_small_multiples
from gsyf_geo.monitor.evaluation import (
    evaluate_plan,
    final_tables,
    milestone_table,
    overview_table,
    plan_has_ended,
    threshold_text,
    to_csv,
    to_excel,
    unit_table,
)
from gsyf_geo.monitor.status import (
    MET,
    MISSED,
    NOT_SPLIT,
    STATUS_COLORS,
    STATUS_RULES,
    reduction_met,
    tolerance_text,
    verdict_color,
    verdict_color_name,
    wording_of,
)
from gsyf_geo.monitor.values import format_value
from gsyf_geo.store import CITY, Scope
from views.common import (
    STATUS_COLOR_NAMES,
    audited,
    current_user,
    demo_banner,
    get_store,
    plan_selector,
    plans_or_stop,
)

TITLE = "目标监测"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

store = get_store()
st.title(TITLE)
demo_banner(store)

plans = plans_or_stop("规划目标")
if not plans:
    st.error("规划目标目录中没有计划文件（data/plan/*.json）。")
    st.stop()

# The scopes offered: the city, each district, and 经开区 (a reporting unit inside 武进).
SCOPES: dict[str, str] = {
    str(CITY): "全市",
    **{str(Scope.district(d.adcode)): d.name for d in DISTRICTS},
    str(Scope.unit(JKQ.code)): JKQ.name,
}
# Only the scopes the signed-in user may see (an officer: their own).
_allowed = [str(s) for s in scope_options(current_user())]
SCOPES = {k: v for k, v in SCOPES.items() if k in _allowed} or {k: Scope.parse(k).label for k in _allowed}
if st.session_state.get("targets_scope") not in SCOPES:
    st.session_state.pop("targets_scope", None)

with st.sidebar:
    plan = plan_selector(plans, date.today())
    today = st.date_input("评估日期", value=date.today(), key="targets_as_of",
                          help="只计该日（含）以前的记录；当年未结束的数值显示为“截至某月某日”，不作评价。")  # fmt: skip
    scope_key = st.selectbox("评估范围", list(SCOPES), format_func=SCOPES.get, key="targets_scope")
scope = Scope.parse(scope_key)


@st.cache_resource(ttl=300, show_spinner="正在计算各项指标…", max_entries=16)
def _evaluate(url: str, plan_key: str, mtime: float, day: date, scope_text: str, signature: str):
    return evaluate_plan(store, plans[plan_key], day, Scope.parse(scope_text))


mtime = plan.path.stat().st_mtime if plan.path else 0.0
results = _evaluate(
    str(store.engine.url), plan.plan_id, mtime, today, str(scope), store.data_version()
)
by_id = {r.target.id: r for r in results}


def _status_style(value: object) -> str:
    colour = STATUS_COLORS.get(str(value))
    return f"background-color: {colour}; color: white; font-weight: bold" if colour else ""


def _styled(df: pd.DataFrame, columns: list[str]):
    styled = df.style.map(_status_style, subset=[c for c in columns if c in df.columns])
    if {"当前值", "达到目标"} <= set(df.columns):
        # The value and its change are coloured by the target (met / not met), not by direction.
        met = df["达到目标"].map(lambda m: None if m is None or m != m else bool(m))
        styled = styled.apply(
            lambda col: [f"color: {verdict_color(m)}" if m is not None else "" for m in met],
            subset=["当前值"],
        )
    return styled


st.caption(
    f"{plan.title}　计划期 {plan.period[0]}–{plan.period[1]} 年，基准年 {plan.baseline_year} 年"
    f"　评估范围：{scope.label}　评估日期：{today.isoformat()}"
)
if scope != CITY:
    st.info(
        f"{scope.label}：比率类指标按同一要求评价；参保人数、示范单位、基地、专家等全市总量指标"
        "只显示本区数值及占全市比例（“不分解”），不对照全市目标评价。"
    )



# --- print products: the meeting deck and the pictures (gsyf_geo.printing) ---------------------
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@st.cache_resource(ttl=600, show_spinner="正在生成汇报材料（约半分钟）…", max_entries=4)
def _brief(url: str, plan_key: str, mtime: float, day: date, scope_text: str, signature: str):
    from gsyf_geo.printing.deck import build_brief

    return build_brief(store, plans[plan_key], scope=Scope.parse(scope_text), as_of=day)


def _deck(kind: str) -> bytes:
    brief = _brief(str(store.engine.url), plan.plan_id, mtime, today, str(scope), store.data_version())
    return brief.pptx() if kind == "pptx" else brief.pdf()


def _picture(make) -> bytes:
    """The bytes of a print product (built when the browser fetches the download)."""
    return make()


def _font_problem() -> str | None:
    """Why pictures cannot be drawn (no CJK font: how to install one), else None."""
    from gsyf_geo.printing.fonts import CjkFontMissing, cjk_font

    try:
        cjk_font()
    except CjkFontMissing as exc:
        return str(exc)
    return None


NO_FONT = _font_problem()
if NO_FONT:
    st.warning(NO_FONT)
_deck_stem = f"推进会汇报_{scope.label if scope != CITY else '全市'}_{today.isoformat()}"
# One row that wraps (buttons as wide as their labels: never cut off on a narrow screen).
deck_row = st.container(horizontal=True)
deck_row.download_button(
    "推进会汇报材料（PPTX）", data=audited(f"{_deck_stem}.pptx", None, lambda: _picture(lambda: _deck("pptx"))),
    file_name=f"{_deck_stem}.pptx", mime=PPTX, on_click="ignore", disabled=bool(NO_FONT),
    help="16:9 幻灯片：主要数据、专题地图、目标完成情况与趋势、期末评估、各单元排名、基地布局、口径说明",
)  # fmt: skip
deck_row.download_button(
    "推进会汇报材料（PDF）", data=audited(f"{_deck_stem}.pdf", None, lambda: _picture(lambda: _deck("pdf"))),
    file_name=f"{_deck_stem}.pdf", mime="application/pdf", on_click="ignore", disabled=bool(NO_FONT),
)  # fmt: skip

tab_overview, tab_detail, tab_final = st.tabs(["目标总览", "指标详情", "期末评估"])

with tab_overview:
    overview = overview_table(results, plan)
    counts = overview["状态"].value_counts()
    st.markdown(
        "　".join(
            f":{STATUS_COLOR_NAMES.get(s, 'gray')}[**{s}** {int(counts.get(s, 0))} 项]"
            for s in STATUS_COLORS
            if s != NOT_SPLIT or counts.get(s, 0)
        )
    )
    # An HTML table that wraps: full names and definitions, progress coloured by the status,
    # a trend sparkline per target (gsyf_geo.monitor.charts.overview_html; text escaped).
    st.html(overview_html(results, plan))
    from gsyf_geo.printing.charts import overview_png

    _scope_name = scope.label if scope != CITY else "全市"
    st.download_button(
        "下载总览图片（PNG）",
        data=lambda: _picture(lambda: overview_png(results, plan, f"{_scope_name} 规划目标完成情况",
                                                   f"{plan.title} · 评估日期 {today.isoformat()}")),
        file_name=f"目标总览_{_scope_name}_{today.isoformat()}.png", mime="image/png", on_click="ignore",
        disabled=bool(NO_FONT),
    )  # fmt: skip
    with st.expander("状态判定规则"):
        st.markdown(STATUS_RULES)
    st.caption(
        "数值由数据库中的企业、参保、工伤、职业病、培训宣传等数据计算，不手工填报；“无数据”表示缺少所需数据，不按零计。"
    )

with tab_detail:
    target_id = st.selectbox(
        "选择指标", list(by_id), format_func=lambda i: by_id[i].target.name, key="target_detail"
    )
    r = by_id[target_id]
    t = r.target
    left, right = st.columns([2, 1])
    with left:
        st.subheader(t.name)
        st.markdown(f"**定义**：{r.info.definition}")
        if t.scope:
            st.markdown(f"**口径**：{t.scope}")
        st.markdown(f"**出处**：{t.clause}")
    with right:
        row = overview[overview["指标代码"] == target_id].iloc[0]
        a = r.city
        delta, delta_color, arrow = None, "off", "off"
        if t.direction == "reduce_by" and a.value is not None and r.baseline_value:
            change = a.value / r.baseline_value - 1
            met = reduction_met(change, t.target)
            # Coloured by the target (met / not met), the arrow by the direction.
            delta = f"{change * 100:+.1f}%（较{r.baseline_year}年；目标 −{(t.target or 0) * 100:g}%，{'已达到' if met else '未达到'}）"
            delta_color, arrow = verdict_color_name(met), "down" if change < 0 else "up"
        st.metric(
            f"当前值（{a.year}年）" if a.year else "当前值",
            row["当前值"].split("（")[0] if a.status == NOT_SPLIT else format_value(a.value, r.info.unit),
            delta=delta,
            delta_color=delta_color,
            delta_arrow=arrow,
        )
        if a.ytd_value is not None:
            st.caption(
                f"{a.ytd_year}年{a.ytd_label}：{format_value(a.ytd_value, r.info.unit)}（未满一年，不作评价）"
            )
        st.markdown(f"**目标**：{row['目标']}　**期限**：{row['期限']}")
        wording = wording_of(t)
        if wording:
            tol = tolerance_text(t, lambda v: threshold_text(v, r.info.unit))
            st.markdown(f"**计划原文**：{wording}" + (f"（按容差评价：{tol}）" if tol else ""))
        colour = STATUS_COLOR_NAMES.get(a.status, "gray")
        st.markdown(f"**状态**：:{colour}[{a.status}]　{a.reason}")
        st.caption(f"判定规则：{a.rule}")

    st.altair_chart(trend_chart(r, plan), width="stretch")
    from gsyf_geo.printing.charts import chart_file_name, trend_png

    st.download_button(
        "下载趋势图（含目标线和评价，PNG）", data=lambda: _picture(lambda: trend_png(r, plan)),
        file_name=chart_file_name(r), mime="image/png", on_click="ignore", key="trend_png", disabled=bool(NO_FONT),
    )  # fmt: skip
    if not r.milestones:
        st.caption(
            "计划未设年度里程碑；虚线为应达进度（基准值——缺基准值时为首个有数据年份——到期末目标的直线）。"
        )
    else:
        st.markdown("**年度里程碑**")
        st.dataframe(milestone_table(r), hide_index=True)

    st.markdown("**分区县（统计单元）情况**")
    if not r.values.units:
        st.info("该指标为全市统一口径（如专家库），不分区县统计。")
    else:
        table = unit_table(r)
        st.dataframe(
            _styled(table, ["状态"]), hide_index=True, key="unit_table",
            column_config={
                "统计单元": st.column_config.TextColumn("统计单元", width="medium", pinned=True),
                "说明": st.column_config.TextColumn("说明", width="large"),
            },
        )  # fmt: skip
        small = unit_small_multiples(r)
        if small is None:
            st.info("各统计单元均无数据。")
        else:
            st.altair_chart(small)
            st.caption(
                "红色虚线为各统计单元的期末要求（降幅类指标按各自基准值计算）。"
                if r.split
                else "全市总量指标：各统计单元只作构成参考，不单独评价。"
            )

with tab_final:
    ended = plan_has_ended(plan, today)
    if ended:
        st.success(
            f"计划期已于 {plan.period[1]}-12-31 结束，以下为期末评估（评估日期 {today.isoformat()}）。"
        )
    else:
        st.info(
            f"计划期尚未结束（至 {plan.period[1]}-12-31），以下为截至 {today.isoformat()} 的情况。"
        )
    sheets = final_tables(results, plan)
    city = sheets["全市评估"]
    met = int((city["评价"] == MET).sum())
    not_split = int((city["评价"] == NOT_SPLIT).sum())
    st.markdown(
        f"{scope.label} **{len(city)}** 项指标中 **{met}** 项达标，**{int((city['评价'] == MISSED).sum())}** 项未达标"
        + (f"，**{not_split}** 项为全市总量指标（不分解）。" if not_split else "。")
    )
    st.markdown(f"**{scope.label}**")
    st.dataframe(
        _styled(city, ["评价"]),
        hide_index=True,
        key="final_city",
        height=35 * (len(city) + 1) + 3,
        column_config={"指标": st.column_config.TextColumn("指标", width="large", pinned=True)},
    )
    st.markdown(
        "**分区县（统计单元）**　比率类指标按区县分别评价；总量类指标为全市目标，标“不分解”，"
        "只显示各区县数值及占全市比例（计划分解到区县的按分解目标评价）。"
    )
    matrix = sheets["分区汇总"]
    # Full target names wrap, verdicts stay on one line (sideways scrolling on a narrow screen
    # rather than cutting anything off).
    st.html(matrix_html(matrix))
    with st.expander("分区评估明细"):
        st.dataframe(_styled(sheets["分区评估"], ["评价"]), hide_index=True, key="final_long")
    title = f"{plan.title} 期末评估（评估日期 {today.isoformat()}）"
    c1 = c2 = c3 = st.container(horizontal=True)  # buttons as wide as their labels
    c1.download_button(
        "导出 Excel",
        data=audited(f"{plan.plan_id}_期末评估（{scope.label}）", None, lambda: to_excel(sheets, title=title)),
        file_name=f"{plan.plan_id}_期末评估_{today.isoformat()}.xlsx",
        mime=XLSX, on_click="ignore",
    )
    c2.download_button(
        "导出 CSV",
        data=audited(f"{plan.plan_id}_期末评估（{scope.label}）", None, lambda: to_csv(sheets["分区评估"])),
        file_name=f"{plan.plan_id}_期末评估_{today.isoformat()}.csv",
        mime="text/csv", on_click="ignore",
    )
    from gsyf_geo.printing.charts import matrix_png

    c3.download_button(
        "下载评估矩阵图片（PNG）",
        data=lambda: _picture(lambda: matrix_png(results, plan, f"{scope.label} 期末评估：各统计单元评价",
                                                 f"{plan.title} · 评估日期 {today.isoformat()}")),
        file_name=f"期末评估矩阵_{scope.label}_{today.isoformat()}.png", mime="image/png", on_click="ignore",
        disabled=bool(NO_FONT),
    )  # fmt: skip
