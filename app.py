"""常州市工伤预防风险地图 — entry point (``streamlit run app.py``).

Only navigation lives here; each page is a thin module under ``views/``. A page appears in
the menu once its module exists, so features land page by page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="常州市工伤预防风险地图", layout="wide")

VIEWS = Path(__file__).resolve().parent / "views"
# (module file, menu title, url path) in menu order. No page icons: st.Page fetches
# Material icons from Google's font servers, which an intranet cannot reach.
PAGES = (
    ("risk_map.py", "风险地图", "map"),
    ("targets.py", "目标监测", "targets"),
    ("tasks.py", "任务清单", "tasks"),
    ("siting.py", "基地选址", "siting"),
    ("import_data.py", "数据导入", "import"),
)

pages = [
    st.Page(str(VIEWS / file), title=title, url_path=path, default=(path == "map"))
    for file, title, path in PAGES
    if (VIEWS / file).exists()
]
st.navigation(pages).run()
