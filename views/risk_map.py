"""风险地图 — the risk map page (layout only; computing lives in gsyf_geo).

The sidebar state lives in the URL (shareable links). The map sits in a fragment: panning
and zooming rerun only the fragment, which redraws just the enterprise layer for the new
view (streamlit-folium's ``feature_group_to_add``); a click on a district drills into it.

Leadership's view: at city zoom the district choropleth is the picture (colours anchored to
the plan's targets, docs/map_colours.md); enterprises appear from zoom
:data:`ENTERPRISE_MIN_ZOOM` or once drilled into a unit. Below the map, the seven units
against the plan's targets (the 期末评估 matrix in small), ranked by any target.

Browser history: every run that changes the query string makes Streamlit 1.67 push a
history entry (``pushState``; its ``handlePageInfoChanged``), and Back/Forward rerun the page
with that entry's query string (``is_history_navigation``). The page then takes its state
from the URL, so Back and Forward walk the drill-downs (city → district → town).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from gsyf_geo.analysis.filters import (
    CLASS_SCHEMES,
    COLOR_BY,
    LAYERS,
    MapState,
    apply_state,
)
from gsyf_geo.analysis.indicators import INDICATORS, headline, unit_indicators
from gsyf_geo.analysis.linkcheck import link_problems
from gsyf_geo.analysis.mapdata import MapData, load_map_data
from gsyf_geo.analysis.ranking import (
    BY_MISSES,
    RankedPanel,
    indicator_target,
    ranked_panel,
)
from gsyf_geo.analysis.risk import RISK_GRADES
from gsyf_geo.auth.roles import units_of
from gsyf_geo.crs import to_wgs84
from gsyf_geo.domain import (
    KEY_INDUSTRIES,
    REPORTING_UNIT_BY_CODE,
    REPORTING_UNITS,
    SIZE_CLASSES,
)
from gsyf_geo.geography import towns, unit_at
from gsyf_geo.layers.basemaps import BASEMAPS, DEFAULT_BASEMAP, unavailable_reason
from gsyf_geo.layers.bases import base_figure, base_target
from gsyf_geo.layers.enterprises import enterprise_layer
from gsyf_geo.layers.projects import project_figure, project_target
from gsyf_geo.layers.riskmap import build_risk_map
from gsyf_geo.metrics import compact_count
from gsyf_geo.monitor.charts import ranked_panel_html
from gsyf_geo.monitor.evaluation import current_plan, evaluate_plan
from gsyf_geo.monitor.status import (
    STATUS_COLORS,
    reduction_met,
    target_for_metric,
    verdict_color_name,
)
from gsyf_geo.plan import Plan, PlanFileError, available_plans
from gsyf_geo.printing.printcss import LIST_KEY, PRINT_CSS
from views.common import PLAN_KEY, audited, demo_banner, get_store, user_scope
from views.enterprise_list import render_list
from views.hotspot_panel import hexagon_groups, hotspot_sidebar, render_hotspot_panel

TITLE = "常州市工伤预防风险地图"
MAP_HEIGHT = 640
MAP_KEY = "risk_map"
LAST_STATE = "_risk_last_state"
PARAMS_KEY = "_risk_params"  # the query string this page last wrote
# The city view shows enterprises (hexagons, then points) from this zoom on. Drawn at city zoom,
# thousands of enterprises in purple hexagons covered the districts' colours and took their
# tooltips: the question there is "which district", so the choropleth stands alone (full
# opacity) until the user zooms in or drills into a unit. Drilled in, the enterprises are drawn
# at once over the unit's lighter fill (the layer toggle still hides them).
ENTERPRISE_MIN_ZOOM = 11

# Headline tiles wrap by width (fewer per row on a narrow page) and their texts wrap instead of
# being cut with an ellipsis: no figure, label or note is ever truncated at 1024 px.
FIGURES_CSS = """
@media screen {
  .st-key-risk_figures [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; row-gap: 0.75rem; }
  .st-key-risk_figures [data-testid="stColumn"] {
    flex: 1 1 10.5rem !important; min-width: 10.5rem !important; width: auto !important;
  }
  .st-key-risk_figures [data-testid="stMetric"] *,
  .st-key-risk_figures [data-testid="stMetricLabel"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  }
  .st-key-risk_figures [data-testid="stMetricValue"] { font-size: 1.7rem !important; line-height: 1.25; }
  .st-key-risk_figures [data-testid="stMetricValue"] * { overflow-wrap: anywhere; }
  .st-key-risk_head [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; row-gap: 0.5rem; }
  .st-key-risk_head [data-testid="stColumn"] { flex: 1 1 9rem !important; min-width: 9rem !important; }
  .st-key-risk_head [data-testid="stColumn"]:first-child { flex: 100 1 16rem !important; }
  .st-key-risk_head button p { white-space: nowrap; }
}
.gsyf-rank { overflow-x: auto; }
.gsyf-rank table { border-collapse: collapse; font-size: 13px; width: 100%; }
.gsyf-rank th, .gsyf-rank td { border: 1px solid #e3e7ec; padding: 4px 6px; vertical-align: top; text-align: left; }
.gsyf-rank th { background: #f4f6f8; font-weight: 600; }
.gsyf-rank th.t { min-width: 5.5rem; }
.gsyf-rank th small { display: block; font-weight: 400; color: #5a6b7b; }
.gsyf-rank td.name { font-weight: 600; white-space: nowrap; }
.gsyf-rank .name { position: sticky; left: 0; background: #fff; z-index: 1; }  /* stays while scrolled */
.gsyf-rank th.name { background: #f4f6f8; }
.gsyf-rank .st { display: inline-block; color: #fff; border-radius: 3px; padding: 0 5px;
                 font-size: 12px; white-space: nowrap; }
.gsyf-rank .v { display: block; }
@media print {
  .st-key-rank_by { display: none !important; }
  .gsyf-rank { zoom: 0.7; overflow: visible; }  /* the page's last lines: one A4 page in all */
  .st-key-risk_rank [data-testid="stHeading"] { display: none !important; }
  .st-key-risk_map_heading { display: none !important; }  /* the legend says it on paper */
  .gsyf-rank th small { display: none; }
  .gsyf-rank table { font-size: 7px; line-height: 1.2; }
  .gsyf-rank th, .gsyf-rank td { padding: 0 2px; min-width: 0 !important; }
  .gsyf-rank td { white-space: nowrap; }
  .gsyf-rank .v { display: inline; }
  .gsyf-rank .st { font-size: 7px; padding: 0 2px; margin-left: 2px; }
}
"""

store = get_store()
# The part of the city this user may see: an officer's data is read inside their scope only.
scope = user_scope()
st.title(TITLE)  # first, so the page shows its name while the data is read
st.html(f"<style>{PRINT_CSS}{FIGURES_CSS}</style>")  # print: one A4 landscape page (gsyf_geo.printing.printcss)
demo_banner(store)


def map_plan() -> Plan | None:
    """The plan whose targets the figures show: the one chosen on the targets page, else the
    current one (``None`` when no plan file can be read)."""
    try:
        plans = {p.plan_id: p for p in available_plans()}
    except PlanFileError:
        return None
    chosen = plans.get(st.session_state.get(PLAN_KEY, ""))
    return chosen or current_plan(list(plans.values()), date.today())


# The plan's rules (key industries, commuting, date basis) shape the figures: known first.
plan = map_plan()


@st.cache_resource(show_spinner="正在读取数据…", max_entries=4)
def map_data(url: str, version: str) -> MapData:
    """The map's data, read once per data version (a new import invalidates it)."""
    # The scope and the plan are part of ``version``.
    return load_map_data(store, scope, plan=plan)


# Read once per run: the key of every cache below (a new import or another plan changes it).
plan_key = plan.plan_id if plan is not None else "-"
db_url, data_version = str(store.engine.url), f"{store.data_version()}|{scope}|{plan_key}"
data = map_data(db_url, data_version)
years = data.years or (2025,)

# --- state: the URL on a session's first run, then the widgets --------------------------------
# Streamlit drops a widget's state on a run that does not draw it (a visit to another page), so
# the last state is also kept under its own key and brings the filters back on the way back.


def history_navigation() -> bool:
    """Whether this run comes from the browser's Back or Forward button.

    Streamlit 1.67 pushes a history entry for each query-string change a run makes and, on
    Back/Forward, reruns the page with the entry's query string, flagged on the run's context.
    """
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # another Streamlit: no walk through the history
        return False
    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


url_params = st.query_params.to_dict()
# Back or Forward to another entry: the URL says which view (unit, towns, filters) to show.
walked = "unit" in st.session_state and history_navigation() and url_params != st.session_state.get(PARAMS_KEY)
if "unit" not in st.session_state or walked:
    from_url = MapState.from_params(url_params, tuple(INDICATORS))
    first = from_url if walked else (st.session_state.get(LAST_STATE) or from_url)
    if first is from_url:  # a link opened the page: say what in it could not be used
        for problem in link_problems(url_params, tuple(INDICATORS), tuple(BASEMAPS), years):
            st.warning(problem)
    if walked:
        shown_years = st.session_state.get("years", st.session_state.get("_years_opened"))
        if tuple(shown_years or ()) != tuple(first.year_range(years)):
            st.session_state.pop("years", None)  # the slider opens again at the entry's years
        st.session_state.pop(MAP_KEY, None)  # the map opens at the entry's unit
        st.session_state.pop("_goto_unit", None)
    st.session_state.update(
        unit=first.unit, towns=list(first.towns), industries=list(first.industries),
        sizes=list(first.sizes), grades=list(first.grades), _years_opened=first.year_range(years),
        layers=list(first.layers), indicator=first.indicator, scheme=first.scheme,
        color_by=first.color_by, include_commuting=first.include_commuting,
        basemap=first.basemap if first.basemap in BASEMAPS else DEFAULT_BASEMAP,
    )  # fmt: skip

# A drill-down (map click) or the way back asks for a unit before the widgets exist.
if "_goto_unit" in st.session_state:
    st.session_state.unit = st.session_state.pop("_goto_unit")
    st.session_state.towns = []
    st.session_state.pop(MAP_KEY, None)

unit_names = {"city": "全市", **{u.code: u.short_name for u in REPORTING_UNITS}}
town_table = towns()
if scope.kind != "city":
    # An officer: "city" is their own scope; no other unit, whatever a link or a click asks.
    own = units_of(scope)
    unit_names = {"city": scope.label, **({u: unit_names[u] for u in own} if len(own) > 1 else {})}
    town_table = town_table[town_table["reporting_unit"].isin(own)]
    if st.session_state.unit not in unit_names:
        st.warning(f"所选范围不在您的权限范围内，已改为显示{scope.label}。")
        st.session_state.unit = "city"
        st.session_state.towns = []

unit_towns = town_table if st.session_state.unit == "city" else town_table[
    town_table["reporting_unit"] == st.session_state.unit
]
st.session_state.towns = [t for t in st.session_state.towns if t in set(unit_towns["code"])]
basemap = st.session_state.basemap
basemap_problem = unavailable_reason(basemap)
if basemap_problem:
    basemap = DEFAULT_BASEMAP

chosen_years = st.session_state.get("years", st.session_state._years_opened)
if not isinstance(chosen_years, tuple | list):
    chosen_years = (chosen_years, chosen_years)
state = MapState(
    unit=st.session_state.unit, towns=tuple(st.session_state.towns),
    industries=tuple(st.session_state.industries), sizes=tuple(st.session_state.sizes),
    grades=tuple(st.session_state.grades), years=(int(chosen_years[0]), int(chosen_years[-1])),
    layers=tuple(st.session_state.layers), indicator=st.session_state.indicator, basemap=basemap,
    include_commuting=st.session_state.include_commuting, scheme=st.session_state.scheme,
    color_by=st.session_state.color_by,
)  # fmt: skip
st.query_params.from_dict(state.to_params())  # a change pushes a browser history entry
st.session_state[PARAMS_KEY] = st.query_params.to_dict()
st.session_state[LAST_STATE] = state


@st.cache_resource(max_entries=32, show_spinner=False)
def filtered(url: str, version: str, state: MapState):
    """The rows, unit indicators and headline figures of a state; shared by everyone looking
    at the same view (and by a session's own reruns)."""
    view = apply_state(data, state)
    return view, unit_indicators(view, data.years), headline(view, data.years)


started = time.perf_counter()
view, table, totals = filtered(db_url, data_version, state)
# A district or unit shows city totals as its part of the city: the same filters, whole city.
# A user who may see one district only (scope) never sees the whole city: no share then.
whole_city = state.unit == "city" and scope.kind == "city"
city_totals = (
    totals if whole_city
    else filtered(db_url, data_version, replace(state, unit="city", towns=()))[2] if scope.kind == "city"
    else None
)  # fmt: skip
server_ms = (time.perf_counter() - started) * 1000


# Elements go out in the order they are written, and the browser draws them while the server
# builds the map: filters first, then the figures, the unit table and the list, then the map
# (measured in bench/bench_map.py; see the layout at the end).
def render_sidebar() -> None:
    """The filters (their values are in the session state already)."""
    with st.sidebar:
        st.header("筛选")
        st.selectbox("辖市区 / 统计单元", list(unit_names), format_func=unit_names.get, key="unit")
        st.multiselect(
            "乡镇（街道）", unit_towns["code"].tolist(), key="towns",
            format_func=dict(zip(town_table["code"], town_table["name"], strict=True)).get, placeholder="全部",
        )  # fmt: skip
        st.multiselect("重点行业", [k.id for k in KEY_INDUSTRIES], key="industries",
                       format_func=lambda k: next(i.name for i in KEY_INDUSTRIES if i.id == k), placeholder="全部")
        st.multiselect("企业规模", [s.id for s in SIZE_CLASSES], key="sizes",
                       format_func=lambda k: next(s.name for s in SIZE_CLASSES if s.id == k), placeholder="全部")
        st.multiselect("风险等级", [g.id for g in RISK_GRADES], key="grades",
                       format_func=lambda k: next(g.name for g in RISK_GRADES if g.id == k), placeholder="全部")
        if len(years) > 1:
            # The range goes in as the widget's value, not through the session state: a range
            # select_slider preset only through st.session_state comes back from the browser
            # as one value (its first option) on the next rerun.
            st.select_slider("年份", options=list(years), value=st.session_state._years_opened, key="years")
        st.checkbox("包含上下班途中事故", key="include_commuting")
        st.header("地图")
        st.multiselect("图层", list(LAYERS), format_func=LAYERS.get, key="layers")
        hotspot_sidebar(st.session_state.layers)  # hexagon rate / hot-spot choices (views/hotspot_panel.py)
        st.selectbox("专题指标", list(INDICATORS), format_func=lambda k: INDICATORS[k].name, key="indicator")
        st.radio("分级方法", list(CLASS_SCHEMES), format_func=CLASS_SCHEMES.get, key="scheme", horizontal=True)
        st.radio("企业着色", list(COLOR_BY), format_func=COLOR_BY.get, key="color_by", horizontal=True)
        st.selectbox("底图", list(BASEMAPS), format_func=lambda k: BASEMAPS[k].label, key="basemap")
        if basemap_problem:
            st.warning(f"{BASEMAPS[st.session_state.basemap].label}不可用：{basemap_problem}已改用无底图。")


render_sidebar()


# --- page -------------------------------------------------------------------------------------
scope_label = unit_names[state.unit]
y0, y1 = view.years
period = f"{y0}年" if y0 == y1 else f"{y0}–{y1}年"
with st.container(key="risk_head"):
    head_left, head_back, head_print = st.columns([4, 1, 1])
head_left.markdown(f"**{scope_label}** · {period} · 共 {len(view.enterprises):,} 家重点行业企业")
if state.unit != "city" and head_back.button("← 返回全市", width="stretch"):
    st.session_state["_goto_unit"] = "city"
    st.rerun()


def _num(value: float | None, fmt: str = "{:,.0f}") -> str:
    return "无数据" if value is None else fmt.format(value)


def _exact(value: float | None, unit: str) -> str | None:
    """The full number, as the tile's help, where the tile shows it in 万."""
    return None if value is None or compact_count(value) == _num(value) else f"{value:,.0f} {unit}"


def _pct_delta(value: float | None, label: str) -> str | None:
    return None if value is None else f"{value:+.1%} {label}"


def _goal(metric: str, fallback: str) -> str:
    """The plan's target on ``metric`` in words (its own wording where it has one)."""
    t = target_for_metric(plan, metric)
    if t is None or t.target is None:
        return fallback
    return getattr(t, "wording", None) or (f"{t.target:.0%}" if t.unit == "ratio" else f"{t.target:g}{t.unit}")


def _share(value: float | None, city: float | None, of: str = "全市") -> str | None:
    """“占全市 8.1%”: a unit's part of a city total (None for the city itself)."""
    if whole_city or value is None or not city:
        return None
    return f"占{of} {value / city:.1%}"


def render_figures() -> None:
    """The headline figures for what is shown, with the plan's targets.

    Changes are coloured by the plan's target (met: green, not met: red), the arrow gives
    the direction; city totals in a district read as its share of the city.
    """
    with st.container(key="risk_figures"):
        cols = st.columns(11)
    targets = cols[7:]
    cols[0].metric("企业", compact_count(totals["enterprises"]), help=_exact(totals["enterprises"], "家"))
    cols[1].metric("职工", compact_count(totals["employees"]), help=_exact(totals["employees"], "人"))
    insured_exact = _exact(totals["insured"], "人")
    cols[2].metric("参保人数", compact_count(totals["insured"]),
                   delta=_share(totals["insured"], city_totals and city_totals["insured"], "全市重点行业"),
                   delta_color="gray",
                   delta_arrow="off",
                   help="年末参保人数（重点行业企业申报）" + (f"：{insured_exact}" if insured_exact else "")
                   + ("；区县只显示占全市比例，不对照全市参保目标" if not whole_city else ""))  # fmt: skip
    cols[3].metric("参保缺口", compact_count(totals["gap"]), help="职工人数 − 参保人数")
    commuting = "含" if state.include_commuting else "不含"
    cols[4].metric(f"工伤（{period}）", compact_count(totals["injuries"]), help=f"认定工伤，{commuting}上下班途中")
    accident = target_for_metric(plan, "accident_rate")
    base_year = plan.baseline_year if plan is not None and plan.baseline_year else None
    change = totals.get(f"change_{base_year}") if base_year else None
    reduce_by = accident.target if accident is not None and accident.direction == "reduce_by" else None
    met = reduction_met(change, reduce_by)
    delta = None
    if change is not None:
        delta = f"{change:+.1%} 较{base_year}" + (
            f"（目标 −{reduce_by:.0%}：{'已达到' if met else '未达到'}）" if met is not None else ""
        )
    goal = f"目标：较{base_year}年降低{reduce_by:.0%}以上" if reduce_by is not None else "计划未设降幅目标"
    cols[5].metric(
        "万人事故率", _num(totals["accident_rate"], "{:.1f}"),
        delta=delta, delta_color=verdict_color_name(met),
        delta_arrow="off" if change is None else ("down" if change < 0 else "up"),
        help=f"认定工伤人数（{commuting}上下班途中）÷ 平均参保人数 × 10000；{goal}；颜色按是否达到目标",
    )  # fmt: skip
    cols[6].metric("培训覆盖率", _num(totals["training_coverage"], "{:.1%}"),
                   help=f"重要岗位人员培训覆盖率；目标：{_goal('training_coverage', '无')}")  # fmt: skip
    targets[0].metric("宣传覆盖率", _num(totals["publicity_coverage"], "{:.1%}"),
                      help=f"目标：重点行业{_goal('publicity_coverage', '无')}")  # fmt: skip
    project = project_figure(totals["project_insurance_rate"], project_target(plan))
    targets[1].metric(
        "新开工项目按项目参保率", _num(totals["project_insurance_rate"], "{:.1%}"),
        delta=project.delta, delta_color=verdict_color_name(project.met), help=project.note,
    )  # fmt: skip
    bases = base_figure(
        int(totals["bases_existing"]), base_target(plan),
        None if city_totals is None or whole_city else int(city_totals["bases_existing"]), in_unit=not whole_city,
    )  # fmt: skip
    targets[2].metric("宣传培训基地（已建）", bases.value, delta=bases.note,
                      delta_color=verdict_color_name(bases.met), delta_arrow="off")  # fmt: skip
    targets[3].metric(
        "新发尘肺病（接尘<5年占比）",
        f"{_num(totals['pneumoconiosis'])}（{_num(totals['short_exposure_share'], '{:.0%}')}）",
    )


render_figures()


@st.fragment
def map_panel() -> None:
    """The map. Its own reruns (pan, zoom, click) redraw only the enterprise layer."""
    t0 = time.perf_counter()
    previous = st.session_state.get(MAP_KEY) or {}
    bounds = previous.get("bounds") or {}
    sw, ne = bounds.get("_southWest") or {}, bounds.get("_northEast") or {}
    view_bounds = (
        (sw["lat"], sw["lng"], ne["lat"], ne["lng"])
        if sw.get("lat") is not None and ne.get("lat") is not None else None
    )  # fmt: skip
    m, gcj02 = build_risk_map(
        state, view, table, plan=plan, whole_city=whole_city,
        city_bases=None if city_totals is None else int(city_totals["bases_existing"]),
    )  # fmt: skip
    dynamic, info = None, None
    zoom = previous.get("zoom")
    near = zoom is not None and float(zoom) >= ENTERPRISE_MIN_ZOOM
    drilled = not whole_city or bool(state.towns)
    if "enterprises" in state.layers and (near or drilled):
        dynamic, info = enterprise_layer(
            view.enterprises, bounds=view_bounds, zoom=previous.get("zoom"), color_by=state.point_colors, gcj02=gcj02
        )
    # Hexagon rates and hot spots follow the zoom (H3 resolution), so they are redrawn like the enterprises.
    hexagons = hexagon_groups(db_url, data_version, state, view, data.years, zoom=previous.get("zoom"), gcj02=gcj02)
    out = st_folium(
        m, key=MAP_KEY, height=MAP_HEIGHT, use_container_width=True,
        feature_group_to_add=[g for g in (*hexagons, dynamic) if g is not None] or None,
        returned_objects=["bounds", "zoom", "last_active_drawing", "last_object_clicked"],
    )  # fmt: skip
    caption = [BASEMAPS[state.basemap].note]
    if "enterprises" in state.layers and info is None:
        caption.append(f"全市视图只显示区县专题图；放大到第 {ENTERPRISE_MIN_ZOOM} 级或点击区县后显示企业")
    if info is not None:
        caption.append(
            f"视野内企业 {info.enterprises_in_view:,} 家，"
            + (f"逐个显示 {info.drawn:,} 家" + ("（已按参保缺口取前若干家）" if info.capped else "")
               if info.mode == "points" else f"按约 {info.hex_size_m / 1000:.1f} km 六边形汇总（放大可看单个企业）")
        )  # fmt: skip
    caption.append(f"服务器用时 {server_ms + (time.perf_counter() - t0) * 1000:.0f} ms")
    st.caption(" · ".join(caption))
    # A click on a district, or on a hexagon inside one, drills into that district.
    out = out or {}
    clicked = out.get("last_active_drawing") or {}
    kind = (clicked.get("properties") or {}).get("kind")
    where = out.get("last_object_clicked") or {}
    target = None
    if kind == "unit":
        target = clicked["properties"].get("code")
    elif kind == "hexagon" and where.get("lat") is not None:
        lng, lat = (to_wgs84(where["lng"], where["lat"], "gcj02") if gcj02 else (where["lng"], where["lat"]))
        target = unit_at(lng, lat)
    click_id = (kind, where.get("lat"), where.get("lng"))
    if target in REPORTING_UNIT_BY_CODE and target != state.unit and st.session_state.get("_last_drill") != click_id:
        st.session_state["_last_drill"] = click_id
        st.session_state["_goto_unit"] = target
        st.rerun(scope="app")


def map_heading() -> None:
    """What the map shows and against which target, in a line above it."""
    indicator = INDICATORS[state.indicator]
    anchor = indicator_target(table, state.indicator, plan)
    goal = (f"颜色对照规划目标（{anchor.text}）：达到为绿色，未达到为暖色" if anchor is not None
            else "计划对该指标无数值目标：颜色按数值相对分级")  # fmt: skip
    st.markdown(f"**专题图：{indicator.name}（{indicator.unit}）** · {goal} · 图例在地图右下角“图例”中")


@st.cache_resource(max_entries=4, show_spinner=False)
def plan_panel(url: str, version: str, day: date) -> RankedPanel | None:
    """The units against the plan's targets on ``day`` (the targets page's evaluation), shared by
    every session of the same data, scope and plan (all three are in ``version``)."""
    if plan is None:
        return None
    return ranked_panel(evaluate_plan(store, plan, day, scope))


@st.fragment
def render_ranked_panel() -> None:
    """The seven units against the plan's targets, worst first by the chosen target."""
    st.subheader("各统计单元对照规划目标")
    day = date.today()
    with st.spinner("正在按规划目标评价各统计单元…"):
        panel = plan_panel(db_url, data_version, day)
    if panel is None or not panel.columns:
        st.info("未读取到规划目标，无法对照目标评价各统计单元。")
        return
    names = {BY_MISSES: "未达标项数（多的在前）", **{c.key: f"{c.name}（差的在前）" for c in panel.columns}}
    by = st.selectbox("排序", list(names), format_func=names.get, key="rank_by")
    st.html(ranked_panel_html(panel, by))
    legend = "、".join(f"{k}" for k in STATUS_COLORS)
    st.caption(
        f"评价日期 {day:%Y年%m月%d日}，评价规则与“目标监测”页的期末评估相同（{legend}）；用全部数据，不受左侧筛选影响。"
        "只列出计划分解到各统计单元的比率类目标；点击地图上的区县可进入该区县，经开区范围为示意。"
    )


# --- print: the map as an image for slides and paper (drawn on the server) -------------------------
PRINT_SIZES = {"a4-landscape": "A4 横向", "a4-portrait": "A4 纵向", "slide-16x9": "幻灯片 16:9"}
PRINT_FORMATS = {"png": "PNG（300 dpi）", "pdf": "PDF（矢量）", "svg": "SVG（矢量）"}


@st.cache_resource(max_entries=16, show_spinner=False)
def map_image(url: str, version: str, state: MapState, plan_id: str, size: str, fmt: str) -> bytes:
    """The printed map of a state (:mod:`gsyf_geo.printing.mapimage`), shared like :func:`filtered`."""
    from gsyf_geo.printing.mapimage import data_date_of, map_view, render_map

    view_, table_, _ = filtered(url, version, state)
    mv = map_view(data, state, plan, data_date=data_date_of(store), view=view_, table=table_)
    mv.unit_label = unit_names.get(state.unit, mv.unit_label) if scope.kind != "city" else mv.unit_label
    return render_map(mv, size, fmt)


def render_print_menu() -> None:
    """下载地图图片: the current view as PNG/PDF/SVG at A4 or slide size."""
    from gsyf_geo.printing.fonts import CjkFontMissing, cjk_font

    with st.popover("下载地图图片", width="stretch"):
        size = st.radio("图幅", list(PRINT_SIZES), format_func=PRINT_SIZES.get, key="print_size")
        fmt = st.radio("格式", list(PRINT_FORMATS), format_func=PRINT_FORMATS.get, key="print_format",
                       horizontal=True)  # fmt: skip
        try:
            cjk_font()
        except CjkFontMissing as exc:
            st.error(str(exc))
            return
        indicator = INDICATORS[state.indicator]
        name = f"{indicator.name}_{scope_label}_{y0}-{y1}_{PRINT_SIZES[size]}.{fmt}".replace(" ", "")
        mime = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml"}[fmt]
        plan_id = plan.plan_id if plan is not None else ""
        st.download_button(
            "下载", data=audited(name, len(view.enterprises),
                                lambda: map_image(db_url, data_version, state, plan_id, size, fmt), "地图图片"),
            file_name=name, mime=mime, on_click="ignore", type="primary", width="stretch",
        )  # fmt: skip
        st.caption("服务器按当前筛选和专题指标绘制：标题、图例（分级与单位）、比例尺、指北针、数据日期和来源；"
                   "与页面地图分级和配色相同。")  # fmt: skip


# --- layout -------------------------------------------------------------------------------------
# The map takes the page's width (at 1024 px a side column left it too narrow for the city), the
# ranked panel and the list follow below it. The list is written before the map (it still shows
# below it): the browser draws it while the server builds the map and the map's frame loads
# (bench/bench_map.py: this order draws the whole page soonest). The ranked panel is computed
# last: the plan's evaluation reads the store (cached per data version and day).
with head_print:
    render_print_menu()
map_area = st.container()
panel_area = st.container()
list_area = st.container(key=LIST_KEY)  # left out when the page is printed
with list_area:
    render_list(
        db_url, data_version, state, view, data=data, store=store, scope=scope, plan=plan,
        scope_label=scope_label, period=period,
    )  # fmt: skip
    render_hotspot_panel(
        db_url, data_version, state, view, data.years, bases=data.bases, store=store, scope=scope,
        scope_label=scope_label, zoom=(st.session_state.get(MAP_KEY) or {}).get("zoom"), data=data,
    )  # fmt: skip
with map_area:
    with st.container(key="risk_map_heading"):
        map_heading()
    map_panel()
with panel_area, st.container(key="risk_rank"):
    render_ranked_panel()
