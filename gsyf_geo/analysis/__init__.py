"""Analysis: pure functions on (Geo)DataFrames, no Streamlit, no folium."""
