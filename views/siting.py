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
from gsyf_geo.layers.siting import add_layers, scenario_layers, siting_layers
from gsyf_geo.settings import db_url
from gsyf_geo.siting import (
    PROBLEM_NAMES,
    PROBLEMS,
    WEIGHTS,
    SitingError,
    plan_base_target,
)
from gsyf_geo.siting.instance import district_name
from gsyf_geo.siting.result import TABLE_HEADERS, industry_name
from gsyf_geo.siting.scenarios import compare_scenarios, list_scenarios, save_scenario
from gsyf_geo.store import Scope, Store
from views.common import audit_event, current_user, demo_banner, get_store

TITLE = "宣传培训基地选址"
MAP_HEIGHT = 580
EXTRA_KEY = "siting_extra_candidates"
CLICK_KEY = "siting_last_click"
SERIES_P_MAX = 10

store = get_store()
st.title(TITLE)
demo_banner(store)
st.session_state.setdefault(EXTRA_KEY, [])


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
            detour=detour, extra_candidates=[{"lon": x, "lat": y} for x, y in extra],
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
            detour=detour, extra_candidates=[{"lon": x, "lat": y} for x, y in extra],
            capacity_scale=capacity_scale,
        )  # fmt: skip
        # Each p gets its share of the budget (at least 5 s); the table shows each gap.
        return prob.marginal_gains(SERIES_P_MAX, time_limit=max(5.0, time_limit / SERIES_P_MAX))
    except SitingError as exc:
        return str(exc)


def _share(v: float | None) -> str:
    return "—" if v is None or pd.isna(v) else f"{v:.1%}"


def _coverage_table(df: pd.DataFrame, first: str) -> pd.DataFrame:
    out = df.drop(columns=["code"]).rename(columns={**TABLE_HEADERS, "name": first})
    out["覆盖率"] = out["覆盖率"].map(_share)
    for col in ("需求量", "已覆盖需求", "未覆盖需求", "无基地可达需求", "新选址新增覆盖"):
        out[col] = out[col].round(0).astype(int)
    return out


# --- parameters ----------------------------------------------------------------------------
with st.sidebar:
    st.header("选址参数")
    problem = st.selectbox(
        "选址问题",
        options=list(PROBLEMS),
        format_func=lambda k: PROBLEM_NAMES[k],
        key="siting_problem",
    )
    # The scopes the signed-in user may see (an officer: their own only).
    allowed = [str(s) for s in scope_options(current_user())]
    choices = [s for s in ["city", *[f"district:{d.adcode}" for d in DISTRICTS]] if s in allowed] or allowed
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
                                key="siting_radius")  # fmt: skip
    detour = st.number_input("道路绕行系数", min_value=1.0, max_value=3.0, value=1.0, step=0.1,
                             help="道路距离约为直线距离的几倍；有效半径 = 服务半径 ÷ 绕行系数",
                             key="siting_detour")  # fmt: skip
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
        "求解时间上限（秒）", min_value=1.0, max_value=3600.0, value=60.0, step=10.0, key="siting_time_limit",
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

st.caption(PROBLEM_NAMES[problem] + "。点击地图可在该处添加候选点。")
if error:
    st.error(error)
else:
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric("新选址数", f"{len(result.chosen)}")
    c2.metric(f"覆盖需求（{result.weight_unit}）", f"{result.covered_weight:,.0f}")
    c3.metric("覆盖率", _share(result.covered_share))
    c4.metric("最优间隙", "—" if result.gap is None else f"{result.gap:.2%}")
    c5.metric("求解时间", f"{result.solve_seconds:.2f} 秒")
    (st.success if result.proven_optimal else st.info)(f"求解结论：{result.gap_cn}")
    st.caption(f"求解状态：{result.status_cn}（{result.status}；理论界来自{result.bound_source}）；需求权重：{result.weight_label}；"
               f"已建基地覆盖 {result.fixed_covered_weight:,.0f} {result.weight_unit}。"
               + (f"平均距离 {result.mean_distance_km:.2f} 公里。" if problem == "pmedian" else ""))  # fmt: skip
    for note in result.notes:
        st.info(note)

# --- map -----------------------------------------------------------------------------------
m = make_offline_map()
basemap = add_basemap(m, basemap_choice)
district_layer(districts(), gcj02=basemap.gcj02, fill_opacity=0.12).add_to(m)
if result is not None:
    add_layers(m, siting_layers(result, gcj02=basemap.gcj02))
map_col, side_col = st.columns([3, 1])
with map_col:
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
with side_col:
    st.subheader("地图新增候选点")
    if st.session_state[EXTRA_KEY]:
        st.dataframe(pd.DataFrame(st.session_state[EXTRA_KEY], columns=["经度", "纬度"]).rename_axis("序号"),
                     width="stretch")  # fmt: skip
        if st.button("清除新增候选点", key="siting_clear_extra"):
            st.session_state[EXTRA_KEY] = []
            st.rerun()
    else:
        st.caption("尚未添加。点击地图，或按坐标添加：")
    with st.form("siting_add_point", clear_on_submit=True):
        lon_in = st.number_input(
            "经度（WGS-84）", value=119.95, format="%.5f", key="siting_add_lon"
        )
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
    "名称": sites["name"], "区县": sites["district_name"], "类型": sites["kind"], "角色": sites["role_name"],
    "经度": sites["lon"].round(5), "纬度": sites["lat"].round(5),
    "座位": sites["capacity"],
    f"新增覆盖（{result.weight_unit}）": sites["new_weight"].round(0).where(sites["chosen"]),
    f"独有覆盖（{result.weight_unit}）": sites["exclusive_weight"].round(0).where(sites["chosen"]),
}), hide_index=True, width="stretch", key="siting_sites_table")  # fmt: skip

left, right = st.columns(2)
with left:
    st.subheader("各区县覆盖")
    st.dataframe(_coverage_table(result.by_district(), "区县"), hide_index=True, width="stretch")
with right:
    st.subheader("各行业覆盖")
    st.dataframe(_coverage_table(result.by_industry(), "行业"), hide_index=True, width="stretch")

with st.expander("已覆盖与未覆盖的企业"):
    d = result.demand
    d_unc = d[d["covered"] < 1].assign(未覆盖=lambda x: x["weight"] * (1 - x["covered"]))
    d_unc = d_unc.sort_values("未覆盖", ascending=False).head(500)
    st.caption(f"已覆盖 {int((d['covered'] >= 1).sum()):,} 家，未（完全）覆盖 {int((d['covered'] < 1).sum()):,} 家；"
               "下表列出未覆盖需求最大的至多 500 家。")  # fmt: skip
    st.dataframe(pd.DataFrame({
        "企业": d_unc["name"], "区县": d_unc["district"].map(district_name),
        "行业": d_unc["key_industry"].map(industry_name),
        f"未覆盖（{result.weight_unit}）": d_unc["未覆盖"].round(1),
        "最近开放基地距离（公里）": d_unc["distance_km"].round(1),
    }), hide_index=True, width="stretch")  # fmt: skip

# --- marginal gain -------------------------------------------------------------------------
st.subheader(f"逐个新增基地的边际效益（p = 1 … {SERIES_P_MAX}）")
series = _series(url, token, problem, str(scope), weight, tuple(industries), float(radius_km), float(detour),
                 capacity_scale, extra, time_limit)  # fmt: skip
if isinstance(series, str):
    st.warning(series)
else:
    chart_data = series[series["p"] > 0].copy()
    if problem == "pmedian":
        y_title, caption = "加权距离减少", "每增加一个基地，需求加权距离（需求×公里）的减少量"
    else:
        y_title, caption = (
            f"新增覆盖（{result.weight_unit}）",
            "每增加一个基地，覆盖需求的增加量（各 p 均为最优解）",
        )
    chart_data["label"] = chart_data["p"].astype(str)
    chart = alt.Chart(chart_data).mark_bar(color="#d7301f").encode(
        x=alt.X("label:O", title="新增基地数 p", sort=None),
        y=alt.Y("gain:Q", title=y_title),
        tooltip=[alt.Tooltip("p:O", title="p"), alt.Tooltip("gain:Q", title=y_title, format=",.0f"),
                 alt.Tooltip("sites:N", title="最优选址")],
    ).properties(height=260)  # fmt: skip
    st.altair_chart(chart, width="stretch")
    st.caption(caption)
    shown = pd.DataFrame({"p": series["p"], "增量": series["gain"].round(1),
                          "最优间隙": series["gap"].map(lambda g: "—" if g is None or pd.isna(g) else f"{g:.2%}"),
                          "最优选址": series["sites"]})  # fmt: skip
    if "share" in series:
        shown.insert(1, "覆盖率", series["share"].map(_share))
    else:
        shown.insert(1, "平均距离（公里）", series["mean_distance_km"].round(2))
    st.dataframe(shown, hide_index=True, width="stretch", key="siting_series_table")

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
        "新增基地数": saved["p"], "半径（公里）": saved["radius_km"],
        "覆盖率": saved["covered_share"].map(_share), "保存时间": saved["created_at"],
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
            st.dataframe(cmp.summary, hide_index=True, width="stretch", key="siting_cmp_summary")
            for col, sc, key in ((ca, cmp.a, "a"), (cb, cmp.b, "b")):
                with col:
                    mm = make_offline_map()
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
                    "行业": ents["industry_name"], f"需求（{result.weight_unit}）": ents["weight"].round(1),
                }), hide_index=True, width="stretch", key="siting_cmp_table")  # fmt: skip
