"""风险地图 — the risk map page (layout only; computing lives in gsyf_geo)."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from gsyf_geo.geography import districts
from gsyf_geo.layers.basemaps import BASEMAPS, DEFAULT_BASEMAP, add_basemap, unavailable_reason
from gsyf_geo.layers.districts import district_counts, district_layer, district_table
from gsyf_geo.layers.offline import make_offline_map
from views.common import demo_banner, get_store

TITLE = "常州市工伤预防风险地图"
COUNT_LABEL = "企业数（家）"
MAP_HEIGHT = 600

store = get_store()

st.title(TITLE)
demo_banner(store)

with st.sidebar:
    st.header("地图设置")
    choice = st.selectbox(
        "底图",
        options=list(BASEMAPS),
        index=list(BASEMAPS).index(DEFAULT_BASEMAP),
        format_func=lambda key: BASEMAPS[key].label,
    )
    reason = unavailable_reason(choice)
    if reason:
        st.warning(f"{BASEMAPS[choice].label}不可用：{reason}已改用无底图。")
        choice = DEFAULT_BASEMAP
    st.caption(BASEMAPS[choice].note)

counts = district_counts(store.read("enterprise", columns=["district"]))

m = make_offline_map()
basemap = add_basemap(m, choice)
district_layer(districts(), counts, value_label=COUNT_LABEL, gcj02=basemap.gcj02).add_to(m)

map_col, table_col = st.columns([3, 1])
with map_col:
    st_folium(m, key="district_map", returned_objects=[], height=MAP_HEIGHT, use_container_width=True)
with table_col:
    st.subheader("各区县企业数")
    st.dataframe(district_table(counts, COUNT_LABEL), hide_index=True, width="stretch")
    st.caption(f"合计 {int(counts.sum()):,} 家")
