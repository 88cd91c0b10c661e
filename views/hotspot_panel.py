"""The risk map's rate, hot-spot and gap-index parts (page code only; computing lives in gsyf_geo).

Called from :mod:`views.risk_map`: :func:`hotspot_sidebar` (choices), :func:`hexagon_groups`
(the hexagon layers of the map, redrawn with the zoom) and :func:`render_hotspot_panel`
(hot-spot table, combined gap index, two years side by side). Every figure is computed on
the page's filtered view (the user's scope and the filters, the year slider's years).
"""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from gsyf_geo.analysis.filters import FilteredView, MapState
from gsyf_geo.analysis.gapindex import LEVELS, gap_index, gap_index_export, training_sites
from gsyf_geo.analysis.hotspots import CLASS_LABELS, MEASURES, HotSpots, hot_spot_table, hot_spots
from gsyf_geo.analysis.rates import (
    MIN_INSURED,
    RateTable,
    hexagon_rates,
    resolution_for_zoom,
    town_rates,
)
from gsyf_geo.layers.hotspots import hotspot_layer, rate_layer

MEASURE_KEY = "hotspot_measure"
SMOOTH_KEY = "rate_smooth"
HOTSPOT_MAX_RESOLUTION = 8  # finer hexagons hold too few insured for a test
METHOD_NOTE = (
    "方法：Getis-Ord Gi*（六边形及其相邻六边形），条件置换 9,999 次（固定随机种子 2021，结果可复现；"
    "极端单元追加至 49,999 次），Benjamini–Hochberg 错误发现率（FDR）校正后按 q ≤ 0.01 / 0.05 / 0.10 "
    "分为 99% / 95% / 90% 热点或冷点；事故率热点只检验平均参保人数不少于 "
    f"{MIN_INSURED:,.0f} 人的六边形，其余为{CLASS_LABELS['small']}。详见 docs/hotspots.md。"
)


def hotspot_sidebar(layers: tuple[str, ...] | list[str]) -> None:
    """The choices of the hexagon layers (shown while one of them is on)."""
    st.session_state.setdefault(MEASURE_KEY, "accident_rate")
    st.session_state.setdefault(SMOOTH_KEY, False)
    if not {"rates", "hotspots"} & set(layers):
        return
    if "hotspots" in layers:
        st.selectbox("热点指标", list(MEASURES), format_func=lambda k: MEASURES[k][0], key=MEASURE_KEY)
    st.checkbox(
        "事故率经验贝叶斯平滑", key=SMOOTH_KEY,
        help="小样本六边形的事故率向所在辖市区（统计单元）的事故率收缩（Marshall 全局经验贝叶斯）；"
        "平均参保人数不足时仍显示为样本不足。",
    )  # fmt: skip


@st.cache_resource(max_entries=16, show_spinner="正在计算六边形事故率…")
def hexagon_table(url: str, version: str, state: MapState, resolution: int, smooth: bool,
                  _view: FilteredView, _held: tuple[int, ...]) -> RateTable:  # fmt: skip
    """Rates per hexagon of a view, cached per data version, state and resolution."""
    return hexagon_rates(_view, _held, resolution, smooth=smooth)


@st.cache_resource(max_entries=16, show_spinner="正在计算热点（Gi*）…")
def hotspot_result(url: str, version: str, state: MapState, resolution: int, smooth: bool, measure: str,
                   _view: FilteredView, _held: tuple[int, ...]) -> HotSpots:  # fmt: skip
    """Hot spots of a view, cached like :func:`hexagon_table`."""
    rates = hexagon_table(url, version, state, resolution, smooth, _view, _held)
    return hot_spots(rates, measure, smoothed=smooth)


def _choices() -> tuple[str, bool]:
    measure = st.session_state.get(MEASURE_KEY, "accident_rate")
    return (measure if measure in MEASURES else "accident_rate"), bool(st.session_state.get(SMOOTH_KEY, False))


def hexagon_groups(
    url: str, version: str, state: MapState, view: FilteredView, held: tuple[int, ...], *,
    zoom: float | None, gcj02: bool,
) -> list[folium.FeatureGroup]:  # fmt: skip
    """The hexagon layers the state asks for, at the resolution of the zoom."""
    groups: list[folium.FeatureGroup] = []
    measure, smooth = _choices()
    resolution = resolution_for_zoom(zoom)
    if "rates" in state.layers:
        rates = hexagon_table(url, version, state, resolution, smooth, view, held)
        groups.append(rate_layer(rates, gcj02=gcj02, smoothed=smooth))
    if "hotspots" in state.layers:
        res = min(resolution, HOTSPOT_MAX_RESOLUTION)
        spots = hotspot_result(url, version, state, res, smooth, measure, view, held)
        groups.append(hotspot_layer(spots, years=view.years, gcj02=gcj02))
    return groups


def _download(label: str, frame: pd.DataFrame, stem: str, note: str, key: str) -> None:
    from gsyf_geo.auth.roles import can
    from gsyf_geo.tabular import to_csv_bytes, to_xlsx_bytes
    from views.common import audited, current_user

    if not can(current_user(), "export"):
        st.caption("导出需要导出权限（管理员、区级经办）。")
        return
    c1, c2, _ = st.columns([1, 1, 4])
    rows = len(frame)
    c1.download_button(
        f"{label} Excel", data=audited(f"{stem}.xlsx", rows, lambda: to_xlsx_bytes(frame, label, note)),
        file_name=f"{stem}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore", key=f"{key}_xlsx",
    )  # fmt: skip
    c2.download_button(f"{label} CSV", data=audited(f"{stem}.csv", rows, lambda: to_csv_bytes(frame)),
                       file_name=f"{stem}.csv", mime="text/csv", on_click="ignore", key=f"{key}_csv")  # fmt: skip


def _latest_scenario(store, scope) -> dict | None:
    """The newest saved siting scenario the user may see, or None."""
    from gsyf_geo.siting.scenarios import list_scenarios, load_scenario

    try:
        listed = list_scenarios(store, scope)
        return None if listed.empty else load_scenario(store, int(listed["id"].iloc[0]), scope)
    except Exception:  # noqa: BLE001 -- no scenario table yet: fall back to the bases
        return None


def render_hotspot_panel(
    url: str, version: str, state: MapState, view: FilteredView, held: tuple[int, ...], *,
    bases: pd.DataFrame, store, scope, scope_label: str, zoom: float | None = None, data=None,
) -> None:  # fmt: skip
    """Hot-spot table, combined gap index and the two-year comparison, below the list."""
    _render_hotspots_and_gap(url, version, state, view, held, bases=bases, store=store, scope=scope,
                             scope_label=scope_label, zoom=zoom)  # fmt: skip
    if data is not None:
        render_two_years(url, version, state, data, scope_label=scope_label)


def _render_hotspots_and_gap(
    url: str, version: str, state: MapState, view: FilteredView, held: tuple[int, ...], *,
    bases: pd.DataFrame, store, scope, scope_label: str, zoom: float | None,
) -> None:  # fmt: skip
    y0, y1 = view.years
    period = f"{y0}年" if y0 == y1 else f"{y0}–{y1}年"
    measure, smooth = _choices()
    if "hotspots" in state.layers:
        res = min(resolution_for_zoom(zoom), HOTSPOT_MAX_RESOLUTION)
        spots = hotspot_result(url, version, state, res, smooth, measure, view, held)
        name = MEASURES[measure][0]
        st.subheader(f"{name}热点（{scope_label} · {period}）")
        counts = spots.counts()
        st.caption(" · ".join(f"{CLASS_LABELS[c]} {n:,}" for c, n in counts.items() if n)
                   + f"（H3 第 {res} 级六边形个数；地图缩放后刷新页面，表随之换级）")  # fmt: skip
        table = hot_spot_table(spots)
        st.dataframe(table.head(500), hide_index=True, width="stretch", height=300)
        st.caption(METHOD_NOTE)
        _download("热点表", table, f"热点_{name}_{scope_label}_{y0}-{y1}", f"{scope_label} {period} {name}热点", "hot")

    st.subheader("行动优先排序：综合缺口指数")
    if not st.toggle("计算综合缺口指数（事故率 × 未参保职工 × 距最近培训基地）", key="gap_index_on"):
        st.caption("按辖市区、乡镇（街道）或六边形排序：事故率高、未参保职工多、离培训基地远的地方排在前面。")
        return
    level = st.radio("单元", list(LEVELS), format_func=LEVELS.get, horizontal=True, key="gap_index_level")
    sites = training_sites(bases, _latest_scenario(store, scope))
    rates = None
    if level == "town":
        rates = town_rates(view, held, smooth=smooth)
    elif level == "hexagon":
        rates = hexagon_table(url, version, state, 7, smooth, view, held)
    ranked = gap_index_export(gap_index(view, held, level, sites, rates=rates, smoothed=smooth), level, sites.source)
    st.dataframe(ranked.head(200), hide_index=True, width="stretch", height=320)
    st.caption(
        f"培训基地：{sites.source}。各部分在同一层级内做最小–最大归一化（(x − 最小) ÷ (最大 − 最小)），"
        "指数为三者之积（0–1），越大越优先；事故率按所选年份（" + period + "），未参保职工为末年年末职工 − 参保人数，"
        "距离为各企业到最近培训基地直线距离按职工人数加权平均。样本不足的单元不排名。详见 docs/hotspots.md。"
    )
    _download("综合缺口指数", ranked, f"综合缺口指数_{LEVELS[level]}_{scope_label}_{y0}-{y1}",
              f"{scope_label} {period} 综合缺口指数（{sites.source}）", "gap")  # fmt: skip


@st.cache_resource(max_entries=8, show_spinner="正在计算两年对比…")
def comparison(url: str, version: str, state: MapState, year_a: int, year_b: int, level: str,
               _data) -> pd.DataFrame:  # fmt: skip
    """Two years' figures and their change per area (cached per data version and state)."""
    from gsyf_geo.analysis.compare import compare_years

    return compare_years(_data, state, year_a, year_b, level)


def render_two_years(url: str, version: str, state: MapState, data, *, scope_label: str) -> None:
    """Two years side by side (two maps) and the change per unit and hexagon."""
    from streamlit_folium import st_folium

    from gsyf_geo.analysis.compare import COMPARE_MEASURES, change_table
    from gsyf_geo.domain import REPORTING_UNIT_BY_CODE
    from gsyf_geo.geography import reporting_units
    from gsyf_geo.layers.districts import class_breaks, district_layer
    from gsyf_geo.layers.hotspots import hex_value_layer
    from gsyf_geo.layers.offline import make_offline_map
    from gsyf_geo.layers.riskmap import unit_bounds

    st.subheader("两年对比")
    years = list(data.years)
    if len(years) < 2 or not st.toggle("并排比较两个年份（工伤、参保、培训）", key="two_years_on"):
        st.caption("选择两个年份，左右两幅地图并排显示同一指标（同一图例），并列出各统计单元和六边形的变化。")
        return
    c1, c2, c3 = st.columns([1, 1, 2])
    year_a = c1.selectbox("年份 A", years, index=0, key="cmp_year_a")
    year_b = c2.selectbox("年份 B", years, index=len(years) - 1, key="cmp_year_b")
    measure = c3.selectbox("指标", list(COMPARE_MEASURES), format_func=lambda k: COMPARE_MEASURES[k][0],
                           key="cmp_measure")  # fmt: skip
    name, unit, fmt = COMPARE_MEASURES[measure]
    hexes = comparison(url, version, state, int(year_a), int(year_b), "hexagon", data)
    units = comparison(url, version, state, int(year_a), int(year_b), "unit", data)
    values_a, values_b = hexes[f"{measure}_a"], hexes[f"{measure}_b"]
    breaks = class_breaks(pd.concat([values_a, values_b]), scheme="quantiles")
    note = f"样本不足（平均参保 < {MIN_INSURED:,.0f} 人）" if measure == "accident_rate" else "无数据"
    shapes = reporting_units()
    left, right = st.columns(2)
    for col, year, values, key in ((left, year_a, values_a, "cmp_map_a"), (right, year_b, values_b, "cmp_map_b")):
        m = make_offline_map()
        m.add_child(folium.FitBounds(unit_bounds(shapes, state.unit)))
        district_layer(shapes, None, key="code", fill_opacity=0.05, name="区县").add_to(m)
        hex_value_layer(hexes.index.to_numpy(), values.to_numpy(), breaks, title=f"{year}年 {name}（{unit}）",
                        value_format=fmt, higher_is_worse=measure in ("accident_rate", "injuries"),
                        note=note).add_to(m)  # fmt: skip
        with col:
            st.caption(f"{year}年 · {name}")
            st_folium(m, key=key, height=420, use_container_width=True, returned_objects=[])
    names = {k: v.short_name for k, v in REPORTING_UNIT_BY_CODE.items()}
    st.markdown(f"**各统计单元 {name}：{year_b}年 − {year_a}年**（{scope_label}）")
    st.table(change_table(units, measure, int(year_a), int(year_b), names).set_index("单元"))
    hex_table = change_table(hexes, measure, int(year_a), int(year_b))
    st.markdown(f"**六边形 {name} 变化**（升幅最大在前，共 {hex_table.iloc[:, 3].notna().sum():,} 个可比较）")
    st.dataframe(hex_table.head(300), hide_index=True, width="stretch", height=280)
    st.caption("每年按该年单独计算（筛选条件不变）；事故率按认定工伤 ÷ 平均参保 × 10000，平均参保不足 "
               f"{MIN_INSURED:,.0f} 人的六边形为样本不足；参保率为年末参保 ÷ 年末职工；培训覆盖率按培训记录累计。"
               "变化 = B − A（比率为百分点）。详见 docs/hotspots.md。")  # fmt: skip
    _download("两年对比", hex_table, f"两年对比_{name}_{scope_label}_{year_a}-{year_b}",
              f"{scope_label} {name} {year_a}年与{year_b}年对比（六边形）", "cmp")  # fmt: skip
