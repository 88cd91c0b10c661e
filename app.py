"""常州市工伤预防风险地图 — the Streamlit page (``streamlit run app.py``).

Thin on purpose: the store, the layers and every computation live in ``gsyf_geo``; this
file only lays out the page. The map draws with locally served assets
(:mod:`gsyf_geo.layers.offline`), so it works with no internet access.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from gsyf_geo.geography import districts
from gsyf_geo.layers.basemaps import BASEMAPS, DEFAULT_BASEMAP, add_basemap, unavailable_reason
from gsyf_geo.layers.districts import district_counts, district_layer, district_table
from gsyf_geo.layers.offline import make_offline_map
from gsyf_geo.settings import db_url
from gsyf_geo.store import Store

TITLE = "常州市工伤预防风险地图"
DEMO_BANNER = "当前为演示数据（合成数据，非真实统计）"
COUNT_LABEL = "企业数（家）"
MAP_HEIGHT = 600

st.set_page_config(page_title=TITLE, layout="wide")


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    """Open the store once per process; fill an empty one with the demo city."""
    store = Store(url)
    store.create_schema()
    if store.count("enterprise") == 0:
        from gsyf_geo.demo import load_demo

        with st.spinner("首次启动：正在生成演示数据…"):
            load_demo(store)
    return store


store = open_store(db_url())

st.title(TITLE)
if store.holds_demo_data:
    st.warning(DEMO_BANNER, icon=":material/warning:")

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
