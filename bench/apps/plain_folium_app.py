"""The plain folium ways of drawing every enterprise, for the map benchmark.

``GSYF_BENCH_VARIANT=markers``: one ``folium.Marker`` per enterprise in a ``MarkerCluster``;
``fast``: ``FastMarkerCluster``. Both on the same offline map and store as the real page.
"""

import os
import time

import folium
import streamlit as st
from folium.plugins import FastMarkerCluster, MarkerCluster
from streamlit_folium import st_folium

from gsyf_geo.layers import literal
from gsyf_geo.layers.offline import make_offline_map
from gsyf_geo.store import Store

literal.uninstall()  # the plain way renders as folium and branca do by themselves

store = Store()
ent = store.read("enterprise", columns=["credit_code", "name", "lon", "lat"])
t0 = time.perf_counter()
m = make_offline_map()
if os.environ.get("GSYF_BENCH_VARIANT") == "fast":
    # folium's default callback uses Leaflet.awesome-markers, which is not served offline.
    FastMarkerCluster(
        list(zip(ent["lat"].round(5), ent["lon"].round(5), strict=True)),
        callback="function (row) { return L.marker(new L.LatLng(row[0], row[1])); }",
    ).add_to(m)
else:
    cluster = MarkerCluster().add_to(m)
    for lat, lon, name in zip(ent["lat"], ent["lon"], ent["name"], strict=True):
        folium.Marker([lat, lon], tooltip=name).add_to(cluster)
st_folium(m, key="bench", height=680, use_container_width=True, returned_objects=[])
st.caption(f"server {time.perf_counter() - t0:.2f} s")
