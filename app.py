"""常州市工伤预防风险地图 — entry point (``streamlit run app.py``).

Only navigation lives here; each page is a thin module under ``views/``. A page appears in
the menu once its module exists, so features land page by page.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import streamlit as st

st.set_page_config(page_title="常州市工伤预防风险地图", layout="wide")

from views.locale import install_chinese_ui  # noqa: E402

install_chinese_ui()  # Streamlit's own widget texts in Chinese, on every page

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

HOME = "map"  # the first page; served at "/" and, as printed in links, at "/map"


def nav_pages(specs: list[tuple[Path, str, str]]) -> list[st.Page]:
    """Pages from (script, menu title, url path), the home page served at "/" and "/map".

    Streamlit serves its default page at "/" only; "/map" would say "page not found". So the
    menu's home entry is the default page (at "/", under a reserved path), and the same
    script also answers, hidden from the menu, at "/map".
    """
    out = []
    for script, title, path in specs:
        if path == HOME:
            out.append(st.Page(script, title=title, url_path="home", default=True))
            out.append(st.Page(script, title=title, url_path=HOME, visibility="hidden"))
        else:
            out.append(st.Page(script, title=title, url_path=path))
    return out


# Sign-in gate: once the store holds an account, nothing but the sign-in page runs until
# someone signs in (every page and every download); without accounts, the open demo.
from gsyf_geo.auth.roles import can  # noqa: E402
from views.common import account_sidebar, current_user  # noqa: E402

user = current_user()
if user is None:
    # The sign-in page answers at every page's address (a link to /import shows it, not
    # "page not found"); after signing in, the same address shows the page itself.
    login = nav_pages([(VIEWS / "login.py", "登录", path) for _, _, path in PAGES])
    st.navigation(login, position="hidden").run()
    st.stop()
account_sidebar(user)

log = logging.getLogger("gsyf_geo.app")


def run_page(page) -> None:
    """Run a page; what it did not catch itself is said in Chinese, the details go to the log.

    Streamlit's own stop and rerun signals are not ``Exception`` and pass through.
    """
    try:
        page.run()
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
        log.exception("page %s failed", page.url_path)
        from gsyf_geo.importing.problems import BUSY_MESSAGE, StoreBusyError, is_store_busy

        stamp = datetime.now().strftime("%H:%M:%S")
        if isinstance(exc, StoreBusyError) or is_store_busy(exc):
            st.error(f"{BUSY_MESSAGE}（{stamp}）")
        else:
            st.error(
                "页面出错，未能显示全部内容。请刷新页面或稍后重试；如仍出错，请联系管理员"
                f"（出错时间 {stamp}，详情已记入服务器日志）。"
            )


pages = nav_pages([
    (VIEWS / file, title, path)
    for file, title, path in PAGES
    if (VIEWS / file).exists() and can(user, PAGE_ACTIONS.get(path, "read"))
])  # fmt: skip
run_page(st.navigation(pages))
