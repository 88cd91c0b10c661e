"""A title and an empty offline map: the floor of any streamlit-folium page."""

import streamlit as st
from streamlit_folium import st_folium

from gsyf_geo.layers.offline import make_offline_map

st.title("空白地图")
st_folium(make_offline_map(), key="tiny", height=680, use_container_width=True, returned_objects=[])
