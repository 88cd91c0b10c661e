"""基地选址 — the training-base siting planner (layout only; computing in gsyf_geo.siting)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from gsyf_geo.auth.roles import can, scope_options
from gsyf_geo.crs import to_wgs84
from gsyf_geo.domain import DISTRICTS, KEY_INDUSTRIES, KEY_INDUSTRY_BY_ID
from gsyf_geo.geography import districts
from gsyf_geo.layers.basemaps import BASEMAPS, DEFAULT_BASEMAP, add_basemap, unavailable_reason
from gsyf_geo.layers.districts import district_layer
from gsyf_geo.layers.offline import make_offline_map
from gsyf_geo.layers.riskmap import ZOOM_SNAP, FitView
from gsyf_geo.layers.siting import add_layers, scenario_layers, siting_layers
from gsyf_geo.settings import db_url
from gsyf_geo.siting import (
    PROBLEMS,
    WEIGHTS,
    SitingError,
    plan_base_target,
)
from gsyf_geo.siting import wording as wd
from gsyf_geo.siting.instance import district_name
from gsyf_geo.siting.result import PROBLEM_SHORT_NAMES, industry_name
from gsyf_geo.siting.scenarios import compare_scenarios, list_scenarios, save_scenario
from gsyf_geo.store import Scope, Store
from views.common import audit_event, current_user, demo_banner, escape_md, get_store

TITLE = "宣传培训基地选址"
MAP_HEIGHT = 580
EXTRA_KEY = "siting_extra_candidates"
CLICK_KEY = "siting_last_click"
SERIES_P_MAX = 10

store = get_store()
st.title(TITLE)
demo_banner(store)
st.session_state.setdefault(EXTRA_KEY, [])


def _added_points(extra: tuple) -> list[dict]:
    """Points added on the map as candidate rows, named "地图选点 1（湖塘镇附近）"."""
    return [{"lon": x, "lat": y, "name": wd.added_point_name(i, x, y, wd.nearest_town(x, y))}
            for i, (x, y) in enumerate(extra, start=1)]  # fmt: skip


def _data_token(s: Store) -> tuple:
    """Changes whenever the data change, so cached answers are never stale."""
    batches = s.batches()
    last = int(batches["id"].max()) if len(batches) else 0
    return (last, s.count("enterprise"), s.count("training_base"))


@st.cache_data(show_spinner="正在求解选址模型…", max_entries=32)
def _solve(url: str, token: tuple, problem: str, scope: str, weight: str, industries: tuple,
           radius_km: float, detour: float, p: int, share: float, capacity_scale: float | None,
           extra: tuple, time_limit: float = 60.0) -> tuple[object | None, str | None]:  # fmt: skip
    """(result, None) or (None, Chinese error)."""
    try:
        prob = PROBLEMS[problem].from_store(
            Store(url), Scope.parse(scope), weight=weight, industries=industries, radius_km=radius_km,
            detour=detour, extra_candidates=_added_points(extra),
            capacity_scale=capacity_scale,
        )  # fmt: skip
        if problem == "lscp":
            result = prob.solve(share=share, time_limit=time_limit)
        else:
            result = prob.solve(p, time_limit=time_limit)
        return result, None
    except SitingError as exc:
        return None, str(exc)


@st.cache_data(show_spinner="正在计算逐个新增基地的边际效益…", max_entries=16)
def _series(url: str, token: tuple, problem: str, scope: str, weight: str, industries: tuple,
            radius_km: float, detour: float, capacity_scale: float | None, extra: tuple,
            time_limit: float = 60.0) -> pd.DataFrame | str:  # fmt: skip
    try:
        kind = "pmedian" if problem == "pmedian" else "mclp"
        prob = PROBLEMS[kind].from_store(
            Store(url), Scope.parse(scope), weight=weight, industries=industries, radius_km=radius_km,
            detour=detour, extra_candidates=_added_points(extra),
            capacity_scale=capacity_scale,
        )  # fmt: skip
        # Each p gets its share of the budget (at least 5 s); the table shows each gap.
        return prob.marginal_gains(SERIES_P_MAX, time_limit=max(5.0, time_limit / SERIES_P_MAX))
    except SitingError as exc:
        return str(exc)


def _scope_bounds(sc: Scope) -> list[list[float]]:
    """[[south, west], [north, east]] of the district in scope, or of the city."""
    gdf = districts()
    if sc.kind == "district" and (gdf["adcode"] == sc.code).any():
        gdf = gdf[gdf["adcode"] == sc.code]
    west, south, east, north = gdf.total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]


def _district(adcode) -> str:
    """A district's name, "—" when unknown (never "None")."""
    return "—" if adcode is None or pd.isna(adcode) else district_name(adcode)


def _nums(values, decimals: int = 0) -> list[str]:
    """Display strings with thousands separators ("—" when missing)."""
    return [wd.number(v, "", decimals) for v in values]


def _coverage_table(df: pd.DataFrame, first: str, unit: str) -> pd.DataFrame:
    """Coverage per district or industry, every figure formatted, units in the headers."""
    return pd.DataFrame({
        first: df["name"], "企业数（家）": _nums(df["enterprises"]),
        f"需求（{unit}）": _nums(df["demand"]), f"已覆盖（{unit}）": _nums(df["covered"]),
        "覆盖率": df["share"].map(wd.share), f"未覆盖（{unit}）": _nums(df["uncovered"]),
        f"任何站点都够不到（{unit}）": _nums(df["unreachable"]),
        f"新选址新增覆盖（{unit}）": _nums(df["newly_covered"]),
    })  # fmt: skip


def _bar_chart(
    data: pd.DataFrame, x_title: str, y_title: str, tooltip_name: str | None, alt_text: str
):
    """Bars per step with Chinese axes (horizontal axis titles: never clipped), no ARIA in English."""
    tips = [
        alt.Tooltip("label:N", title=x_title),
        alt.Tooltip("value:Q", title=y_title, format=",.0f"),
    ]
    if tooltip_name:
        tips.append(alt.Tooltip("name:N", title=tooltip_name))
    chart = alt.Chart(data).mark_bar(color="#d7301f", size=36).encode(
        x=alt.X("label:N", title=x_title, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=",.0f", titleAngle=0, titleAlign="left",
                                                         titleAnchor="end", titleY=-10, titleX=0)),
        tooltip=tips,
    ).properties(height=240, padding={"top": 24, "left": 5, "right": 5, "bottom": 5},
                 description=alt_text)  # fmt: skip
    # The description is the chart's screen-reader name; Streamlit's alt= would also be appended
    # to its toolbar buttons ("Download as PNG: …"), which the page's Chinese UI patch cannot match.
    st.altair_chart(chart.configure(aria=False), width="stretch")


# --- parameters ----------------------------------------------------------------------------
with st.sidebar:
    st.header("选址参数")
    problem = st.selectbox(
        "选址问题",
        options=list(PROBLEMS),
        format_func=lambda k: PROBLEM_SHORT_NAMES[k],
        key="siting_problem",
    )
    # The scopes the signed-in user may see (an officer: their own only).
    allowed = [str(s) for s in scope_options(current_user())]
    choices = [
        s for s in ["city", *[f"district:{d.adcode}" for d in DISTRICTS]] if s in allowed
    ] or allowed
    if st.session_state.get("siting_scope") not in choices:
        st.session_state.pop("siting_scope", None)
    scope_text = st.selectbox(
        "范围", choices, format_func=lambda s: Scope.parse(s).label, key="siting_scope"
    )
    scope = Scope.parse(scope_text)
    weight = st.selectbox(
        "需求权重",
        options=list(WEIGHTS),
        format_func=lambda k: WEIGHTS[k].name,
        key="siting_weight",
    )
    st.caption(WEIGHTS[weight].definition)
    industries = st.multiselect(
        "重点行业（不选即全部）", options=[k.id for k in KEY_INDUSTRIES],
        format_func=lambda k: KEY_INDUSTRY_BY_ID[k].name, key="siting_industries", placeholder="全部重点行业",
    )  # fmt: skip
    radius_km = st.number_input("服务半径（公里）", min_value=1.0, max_value=100.0, value=15.0, step=1.0,
                                format="%.1f", key="siting_radius")  # fmt: skip
    detour = st.number_input("道路绕行系数", min_value=1.0, max_value=3.0, value=1.0, step=0.1,
                             help="道路距离约为直线距离的几倍；有效半径 = 服务半径 ÷ 绕行系数",
                             format="%.1f", key="siting_detour")  # fmt: skip
    bases = store.read("training_base", scope, columns=["site_code", "status"])
    n_existing = int((bases["status"] == "existing").sum())
    n_cand = int(bases["status"].isin(["candidate", "planned"]).sum()) + len(
        st.session_state[EXTRA_KEY]
    )
    target = plan_base_target()
    remaining = max(target - n_existing, 0)
    share, p = 0.9, 1
    if problem == "lscp":
        share = st.slider(
            "目标覆盖比例", min_value=0.5, max_value=1.0, value=0.9, step=0.01, key="siting_share"
        )
    else:
        p = int(st.number_input("新增基地数 p", min_value=1, max_value=max(1, n_cand),
                                value=min(max(1, remaining), max(1, n_cand)), step=1, key="siting_p"))  # fmt: skip
    st.caption(f"规划目标：全市建成宣传培训基地 {target} 家；{scope.label}已建 {n_existing} 家（固定开放，不计入 p），"
               f"候选点 {n_cand} 个。")  # fmt: skip
    use_capacity = st.checkbox("考虑座位容量", key="siting_use_capacity")
    capacity_scale = None
    if use_capacity:
        capacity_scale = float(st.number_input(
            "每个座位在规划期内可服务的需求量", min_value=0.1, value=20.0, step=1.0, key="siting_capacity_scale",
            help="例如每个座位每年培训 4 期、共 5 年，则为 20；基地可服务需求 = 座位数 × 此数",
        ))  # fmt: skip
    time_limit = float(st.number_input(
        "求解时间上限（秒）", min_value=1.0, max_value=3600.0, value=60.0, step=10.0, format="%.0f", key="siting_time_limit",
        help="在此时间内给出最好的方案，并说明它与理论最优相差多少；规模大时延长可缩小差距",
    ))  # fmt: skip
    st.header("地图")
    basemap_choice = st.selectbox("底图", options=list(BASEMAPS), index=list(BASEMAPS).index(DEFAULT_BASEMAP),
                                  format_func=lambda k: BASEMAPS[k].label, key="siting_basemap")  # fmt: skip
    reason = unavailable_reason(basemap_choice)
    if reason:
        st.warning(f"{BASEMAPS[basemap_choice].label}不可用：{reason}已改用无底图。")
        basemap_choice = DEFAULT_BASEMAP

extra = tuple((round(x, 6), round(y, 6)) for x, y in st.session_state[EXTRA_KEY])
url, token = db_url(), _data_token(store)
result, error = _solve(url, token, problem, str(scope), weight, tuple(industries), float(radius_km),
                       float(detour), p, float(share), capacity_scale, extra, time_limit)  # fmt: skip

st.caption(wd.PROBLEM_EXPLANATIONS[problem] + "点击地图可在该处添加候选点。")
if error:
    st.error(error)
else:
    unit = result.weight_unit
    with st.container(horizontal=True, gap="medium", key="siting_headline"):
        st.metric("新选址数", f"{len(result.chosen)} 家", width="content")
        if problem == "pmedian":
            st.metric("平均距离（到最近基地）", wd.km(result.mean_distance_km), width="content")
            st.metric(
                "总加权距离", wd.number(result.objective, wd.distance_unit(unit)), width="content"
            )
        else:
            st.metric("覆盖需求", wd.number(result.covered_weight, unit), width="content")
            st.metric("覆盖率", wd.share(result.covered_share), width="content")
    (st.success if result.proven_optimal else st.info)(f"求解结论：{wd.verdict(result)}")
    st.caption(f"需求权重：{result.weight_label}；已建基地覆盖 {wd.number(result.fixed_covered_weight, unit)}，"
               f"新选址新增覆盖 {wd.number(result.covered_weight - result.fixed_covered_weight, unit)}。"
               + wd.bound_note(result) + f"求解用时：{wd.seconds(result.solve_seconds)}。")  # fmt: skip
    for note in result.notes:
        st.info(note)

# --- map -----------------------------------------------------------------------------------
m = make_offline_map()
m.options["zoom_snap"] = ZOOM_SNAP
FitView(_scope_bounds(scope)).add_to(m)  # the whole city (or district) in the frame at every width
basemap = add_basemap(m, basemap_choice)
district_layer(districts(), gcj02=basemap.gcj02, fill_opacity=0.12).add_to(m)
if result is not None:
    add_layers(m, siting_layers(result, gcj02=basemap.gcj02))
# The map takes the full width (at 1024 px a side column would leave it too narrow).
out = st_folium(m, key="siting_map", returned_objects=["last_clicked"], height=MAP_HEIGHT,
                use_container_width=True)  # fmt: skip
clicked = (out or {}).get("last_clicked")
if clicked and clicked != st.session_state.get(CLICK_KEY):
    st.session_state[CLICK_KEY] = clicked
    lon, lat = float(clicked["lng"]), float(clicked["lat"])
    if basemap.gcj02:
        lon, lat = to_wgs84(lon, lat, "gcj02")
    st.session_state[EXTRA_KEY] = [*st.session_state[EXTRA_KEY], (round(lon, 6), round(lat, 6))]
    st.rerun()
with st.container(border=True, key="siting_added"):
    list_col, form_col = st.columns([3, 2])
    with list_col:
        st.markdown("**地图新增候选点**")
        if st.session_state[EXTRA_KEY]:
            added = _added_points(tuple(st.session_state[EXTRA_KEY]))
            rank = {}
            if result is not None:
                rank = {n: k for k, n in enumerate(result.chosen["name"], start=1)}
            items = []
            for a in added:
                chosen_as = f"，已选为第 {rank[a['name']]} 家新基地" if a["name"] in rank else ""
                items.append(f"- {escape_md(a['name'])}：经度 {a['lon']:.5f}，纬度 {a['lat']:.5f}{chosen_as}")
            st.markdown("\n".join(items))
            if st.button("清除新增候选点", key="siting_clear_extra"):
                st.session_state[EXTRA_KEY] = []
                st.rerun()
        else:
            st.caption("尚未添加。点击地图上的位置即可添加，或在右侧按坐标添加。")
    with form_col, st.form("siting_add_point", clear_on_submit=True, border=False):
        lon_in = st.number_input("经度（WGS-84）", value=119.95, format="%.5f", key="siting_add_lon")
        lat_in = st.number_input("纬度（WGS-84）", value=31.78, format="%.5f", key="siting_add_lat")
        if st.form_submit_button("添加候选点"):
            st.session_state[EXTRA_KEY] = [
                *st.session_state[EXTRA_KEY],
                (round(lon_in, 6), round(lat_in, 6)),
            ]
            st.rerun()

if result is None:
    st.stop()

# --- tables --------------------------------------------------------------------------------
st.subheader("选址结果")
sites = result.site_table()
st.dataframe(pd.DataFrame({
    "编号": [str(r) if r else "—" for r in sites["rank"]],
    "名称": sites["name"], "区县": sites["district"].map(_district), "角色": sites["role_name"],
    f"新增覆盖（{unit}）": [wd.number(v, "") if c else "—（已建）"
                           for v, c in zip(sites["new_weight"], sites["chosen"], strict=True)],
    f"独有覆盖（{unit}）": [wd.number(v, "") if c else "—（已建）"
                           for v, c in zip(sites["exclusive_weight"], sites["chosen"], strict=True)],
    "类型": sites["kind"], "座位（个）": _nums(sites["capacity"]),
    "经度": sites["lon"].round(5), "纬度": sites["lat"].round(5),
}), hide_index=True, width="stretch", key="siting_sites_table")  # fmt: skip
st.caption(
    "新增覆盖：该新选址服务半径内、已建基地够不到的需求；独有覆盖：其中其他新选址也够不到的部分。"
)

# --- what each new base brings -----------------------------------------------------------------
steps = result.steps
if len(steps):
    st.subheader("每家新基地带来的效益")
    lines = wd.step_lines(steps, unit)
    st.markdown("\n".join(f"- {escape_md(line)}" for line in lines))
    if problem == "pmedian":
        if steps["gain"].isna().any():  # no existing base: nothing to reduce from
            total_text = f"全部新基地建成后总加权距离 {wd.number(steps['total'].iloc[-1], wd.distance_unit(unit))}"
        else:
            total_text = f"合计：总加权距离比只有已建基地时减少 {wd.number(steps['gain'].sum(), wd.distance_unit(unit))}"
        y_title = f"总加权距离减少（{wd.distance_unit(unit)}）"
    elif steps["kind"].iloc[0] == "load":
        total_text = f"合计：新选址共承担 {wd.number(steps['gain'].sum(), unit)}"
        y_title = f"承担需求（{unit}）"
    else:
        total_text = (f"合计：新选址新增覆盖 {wd.number(steps['gain'].sum(), unit)}；加上已建基地覆盖的 "
                      f"{wd.number(result.fixed_covered_weight, unit)}，共覆盖 {wd.number(result.covered_weight, unit)}")  # fmt: skip
        y_title = f"新增覆盖（{unit}）"
    st.caption(
        total_text
        + "。顺序：先列带来效益最大的一家，再列在它基础上带来最多的一家，依此类推；编号与地图和上表一致。"
    )
    idle = steps[steps["gain"].fillna(1.0) <= 0]
    if len(idle):
        st.info(f"第 {int(idle['k'].min())} 家起不再带来效益（前面的基地已覆盖它们够得到的全部需求），"
                f"可考虑只新建 {int(idle['k'].min()) - 1} 家。")  # fmt: skip
    if steps["gain"].notna().any():
        _bar_chart(pd.DataFrame({"label": [f"第 {k} 家" for k in steps["k"]], "value": steps["gain"],
                                 "name": steps["name"]}),
                   "新基地", y_title, "站点", "每家新基地带来的效益柱状图")  # fmt: skip

st.subheader("覆盖情况")
by_district, by_industry = st.tabs(["各区县", "各行业"])
with by_district:
    st.dataframe(
        _coverage_table(result.by_district(), "区县", unit), hide_index=True, width="stretch"
    )
with by_industry:
    st.dataframe(
        _coverage_table(result.by_industry(), "行业", unit), hide_index=True, width="stretch"
    )

with st.expander("已覆盖与未覆盖的企业"):
    d = result.demand
    d_unc = d[d["covered"] < 1].assign(未覆盖=lambda x: x["weight"] * (1 - x["covered"]))
    d_unc = d_unc.sort_values("未覆盖", ascending=False).head(500)
    st.caption(f"已覆盖 {int((d['covered'] >= 1).sum()):,} 家，未（完全）覆盖 {int((d['covered'] < 1).sum()):,} 家；"
               "下表列出未覆盖需求最大的至多 500 家。")  # fmt: skip
    st.dataframe(pd.DataFrame({
        "企业": d_unc["name"], "区县": d_unc["district"].map(_district),
        "行业": d_unc["key_industry"].map(industry_name),
        f"未覆盖（{unit}）": _nums(d_unc["未覆盖"]),
        "到最近基地（公里）": _nums(d_unc["distance_km"], 1),
    }), hide_index=True, width="stretch")  # fmt: skip

# --- how many bases: the optimum for p = 1 … 10 --------------------------------------------------
with st.expander(f"新增基地数取 1–{SERIES_P_MAX} 家时的最优结果（帮助确定建几家）"):
    series = _series(url, token, problem, str(scope), weight, tuple(industries), float(radius_km),
                     float(detour), capacity_scale, extra, time_limit)  # fmt: skip
    if isinstance(series, str):
        st.warning(series)
    else:
        rows = series[series["p"] > 0]
        if problem == "pmedian":
            y_title = f"比少建一家减少的总加权距离（{wd.distance_unit(unit)}）"
            st.caption("每个家数都单独求最优方案；柱高为它比少建一家时的最优方案少走的总加权距离。")
        else:
            y_title = f"比少建一家多覆盖（{unit}）"
            st.caption(
                "每个家数都单独求最优方案；柱高为它比少建一家时的最优方案多覆盖的需求，柱越矮，多建一家越不划算。"
            )
        if len(rows):
            _bar_chart(pd.DataFrame({"label": [f"{k} 家" for k in rows["p"]], "value": rows["gain"]}),
                       "新增基地数", y_title, None, "新增基地数与效益的柱状图")  # fmt: skip

        def _short_verdict(r) -> str:
            if bool(r.optimal) and (r.gap is None or pd.isna(r.gap) or r.gap <= 1e-9):
                return "最优"
            if r.gap is None or pd.isna(r.gap):
                return "未能确定差距"
            return f"最多比最优差 {wd.pct_up(float(r.gap))}"

        table = {"新增基地数": [f"{int(k)} 家" if k else "0 家（仅已建）" for k in series["p"]]}
        if problem == "pmedian":
            table["平均距离（公里）"] = _nums(series["mean_distance_km"], 1)
            table[f"总加权距离（{wd.distance_unit(unit)}）"] = _nums(series["objective"])
            table[f"比少建一家减少（{wd.distance_unit(unit)}）"] = _nums(series["gain"])
        else:
            table[f"覆盖需求（{unit}）"] = _nums(series["covered"])
            table["覆盖率"] = series["share"].map(wd.share).tolist()
            table[f"比少建一家多覆盖（{unit}）"] = _nums(series["gain"])
        table["求解结论"] = [_short_verdict(r) for r in series.itertuples()]
        st.dataframe(
            pd.DataFrame(table), hide_index=True, width="stretch", key="siting_series_table"
        )

# --- scenarios -----------------------------------------------------------------------------
st.subheader("方案保存与比较")
with st.form("siting_save", clear_on_submit=False):
    name = st.text_input(
        "方案名称", key="siting_scenario_name", placeholder="例如：15公里·职工人数·新增3家"
    )
    overwrite = st.checkbox("同名时覆盖", key="siting_overwrite")
    if st.form_submit_button("保存当前方案"):
        if not can(current_user(), "scenario_save", scope):
            st.error("您的账号无权保存选址方案（仅规划人员和管理员可保存）。")
        else:
            try:
                sid = save_scenario(store, name, result, scope=scope, overwrite=overwrite)
                audit_event("scenario_save", name.strip(), None, f"编号 {sid}；范围 {scope.label}")
                st.success(f"已保存方案「{name.strip()}」（编号 {sid}）")
            except SitingError as exc:
                st.error(str(exc))

saved = list_scenarios(store, scope)
if saved.empty:
    st.caption("尚无已保存的方案。")
else:
    st.dataframe(pd.DataFrame({
        "编号": saved["id"], "名称": saved["name"], "问题": saved["problem_name"],
        "新增基地数": [f"{int(v)} 家" if pd.notna(v) else "—" for v in saved["p"]],
        "服务半径": saved["radius_km"].map(wd.km), "覆盖率": saved["covered_share"].map(wd.share),
        "保存时间": pd.to_datetime(saved["created_at"], errors="coerce").dt.strftime("%Y-%m-%d %H:%M").fillna("—"),
    }), hide_index=True, width="stretch", key="siting_saved_table")  # fmt: skip
    if len(saved) >= 2:
        labels = {
            int(i): f"{n}（编号 {i}）" for i, n in zip(saved["id"], saved["name"], strict=True)
        }
        ids = list(labels)
        ca, cb = st.columns(2)
        a_id = ca.selectbox(
            "方案A", ids, index=1 if len(ids) > 1 else 0, format_func=labels.get, key="siting_cmp_a"
        )
        b_id = cb.selectbox("方案B", ids, index=0, format_func=labels.get, key="siting_cmp_b")
        if a_id == b_id:
            st.info("请选择两个不同的方案进行比较。")
        else:
            cmp = compare_scenarios(store, a_id, b_id, scope)
            # A static table: long lists of sites wrap instead of being cut off in a grid cell.
            st.table(wd.scenario_summary(cmp.a, cmp.b).set_index("指标"))
            for col, sc, key in ((ca, cmp.a, "a"), (cb, cmp.b, "b")):
                with col:
                    mm = make_offline_map()
                    mm.options["zoom_snap"] = ZOOM_SNAP
                    FitView(_scope_bounds(scope)).add_to(mm)
                    district_layer(districts(), fill_opacity=0.12).add_to(mm)
                    add_layers(mm, scenario_layers(sc["result"]))
                    st_folium(mm, key=f"siting_cmp_map_{key}", returned_objects=[], height=420,
                              use_container_width=True)  # fmt: skip
            ents = cmp.enterprises
            counts = ents["which"].value_counts() if len(ents) else pd.Series(dtype=int)
            st.caption(f"新增覆盖的企业：仅方案A {int(counts.get('仅方案A', 0)):,} 家，"
                       f"仅方案B {int(counts.get('仅方案B', 0)):,} 家，两者都覆盖 {int(counts.get('两者', 0)):,} 家。")  # fmt: skip
            if len(ents):
                st.dataframe(pd.DataFrame({
                    "归属": ents["which"], "企业": ents["name"], "区县": ents["district_name"],
                    "行业": ents["industry_name"], f"需求（{unit}）": _nums(ents["weight"]),
                }), hide_index=True, width="stretch", key="siting_cmp_table")  # fmt: skip
