"""An empty Streamlit page: the baseline the risk map's drawing time is compared with."""

import streamlit as st

st.write("空白页面")
