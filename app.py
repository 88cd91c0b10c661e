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
    ("audit.py", "审计日志", "audit"),
)
# The action a page needs (gsyf_geo.auth.roles); the others need "read".
PAGE_ACTIONS = {"import": "import", "audit": "audit"}

# Sign-in gate: once the store holds an account, nothing but the sign-in page runs until
# someone signs in (every page and every download); without accounts, the open demo.
from gsyf_geo.auth.roles import can  # noqa: E402
from views.common import account_sidebar, current_user  # noqa: E402

user = current_user()
if user is None:
    # The sign-in page answers at every page's address (a link to /import shows it, not
    # "page not found"); after signing in, the same address shows the page itself.
    login = [st.Page(str(VIEWS / "login.py"), title="登录", url_path=path, default=(path == "map"))
             for _, _, path in PAGES]  # fmt: skip
    st.navigation(login, position="hidden").run()
    st.stop()
account_sidebar(user)

pages = [
    st.Page(str(VIEWS / file), title=title, url_path=path, default=(path == "map"))
    for file, title, path in PAGES
    if (VIEWS / file).exists() and can(user, PAGE_ACTIONS.get(path, "read"))
]
st.navigation(pages).run()
