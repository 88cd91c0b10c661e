"""Sign-in in headless Chromium: each role logs in and sees what it may; an officer's district
is fixed whatever the link asks; a forged ``X-Remote-User`` from a non-proxy address is ignored.

Starts ``streamlit run app.py`` against a copy of the small demo store with four accounts, in
the style of tests/test_browser.py; screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from importing_support import ENTERPRISE_HEADERS, csv_bytes

from devkit.browser import CHROMIUM_ARGS, streamlit_app_or_fail, wait_idle
from gsyf_geo.auth.accounts import add_user
from gsyf_geo.auth.audit import read_audit
from gsyf_geo.geography import towns
from gsyf_geo.store import Scope, Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
PASSWORD = "browser-pass-1"
TIMEOUT_MS = 90_000
ACCOUNTS = {  # name: (role, unit)
    "adm": ("admin", None),
    "boss": ("leader", None),
    "tn": ("officer", "320402"),
    "plan": ("planner", None),
}
# Menu entries each role sees (the pages every role has are not listed).
MENU = {"adm": {"数据导入", "审计日志"}, "boss": set(), "tn": {"数据导入"}, "plan": set()}


@pytest.fixture(scope="module")
def app(demo_sqlite_path, tmp_path_factory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("auth_browser")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    url = f"sqlite:///{db}"
    store = Store(url)
    store.create_schema()
    for name, (role, unit) in ACCOUNTS.items():
        add_user(store, name, role, PASSWORD, unit=unit)
    wujin = store.read("enterprise", Scope.district("320412"), columns=["credit_code", "name"]).iloc[0]
    store.engine.dispose()
    t = towns().set_index("code")
    lon, lat = float(t.at["320402002", "lon"]), float(t.at["320402002", "lat"])
    # A 武进 firm's code, moved to 天宁 under a new name: what a 天宁 officer must not do.
    (tmp / "moved.csv").write_bytes(csv_bytes(ENTERPRISE_HEADERS, [[
        wujin["credit_code"], "天宁某公司", "C3412", 10, 9, "天宁区", "青龙街道", "天宁区青龙街道", lon, lat]]))
    # The proxy header is switched on, but only for a proxy at another address: a header sent
    # straight to Streamlit (as an outsider would) must be ignored.
    env = {"GSYF_TRUSTED_PROXY_HEADER": "1", "GSYF_TRUSTED_PROXIES": "10.9.9.9"}
    with streamlit_app_or_fail(url, tmp / "streamlit.log", env=env) as (base, _proc):
        yield base, url, tmp / "moved.csv", wujin["credit_code"], wujin["name"]


def _login(page, base: str, name: str, path: str = "") -> None:
    page.goto(base + path, wait_until="domcontentloaded")
    page.get_by_label("用户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text(f"当前用户：{name}").wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)


def _menu(page) -> set[str]:
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return {t.strip() for t in links} & {"数据导入", "审计日志"}


def test_each_role_signs_in_and_an_officer_stays_in_their_district(app, chromium_path):
    from playwright.sync_api import sync_playwright

    base, url, moved, code, firm = app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            # 1. Nobody signed in, with a forged proxy header: every address shows the sign-in page only.
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN",
                                          extra_http_headers={"X-Remote-User": "adm"})  # fmt: skip
            page = context.new_page()
            for path in ("/", "/import", "/audit"):
                page.goto(base + path, wait_until="domcontentloaded")
                page.get_by_role("button", name="登录", exact=True).wait_for(timeout=TIMEOUT_MS)
                wait_idle(page)
                assert page.get_by_text("当前用户：").count() == 0
                assert page.locator('[data-testid="stDownloadButton"]').count() == 0
            page.get_by_label("用户名", exact=True).fill("tn")
            page.get_by_label("密码", exact=True).fill("wrong-password")
            page.get_by_role("button", name="登录", exact=True).click()
            page.get_by_text("用户名或密码错误").wait_for(timeout=TIMEOUT_MS)
            context.close()

            # 2. Each role: its menu and whether it may export the enterprise list.
            for name in ACCOUNTS:
                context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
                page = context.new_page()
                _login(page, base, name)
                page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=TIMEOUT_MS)
                wait_idle(page)
                assert _menu(page) == MENU[name], name
                exports = page.get_by_role("button", name="导出 CSV").count()
                assert (exports > 0) == (name in ("adm", "tn")), name
                page.screenshot(path=str(ARTIFACTS / f"browser_login_{name}.png"), full_page=True)
                page.get_by_role("button", name="退出登录", exact=True).click()
                page.get_by_role("button", name="登录", exact=True).wait_for(timeout=TIMEOUT_MS)
                context.close()

            # 3. The officer follows a link to 武进: told so, and shown 天宁 only.
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page = context.new_page()
            _login(page, base, "tn", "/?unit=320412")
            page.get_by_text("不在您的权限范围内").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            assert "unit=320412" not in page.url
            assert page.get_by_text("天宁区 · ").count() >= 1
            unit_box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
            unit_box.click()
            options = page.get_by_role("option").all_inner_texts()
            page.keyboard.press("Escape")
            assert [o.strip() for o in options] == ["天宁区"], options
            page.screenshot(path=str(ARTIFACTS / "browser_login_officer_link.png"), full_page=True)
            # The export holds 天宁's firms only, and the download is audited under tn.
            with page.expect_download(timeout=TIMEOUT_MS) as download:
                page.get_by_role("button", name="导出 CSV").click()
            exported = pd.read_csv(download.value.path(), dtype=str, encoding="utf-8-sig")
            assert len(exported) > 0 and set(exported["统计单元"]) == {"天宁"}
            exported_rows = len(exported)
            # Basing the siting page on another district is not offered either.
            page.get_by_role("link", name="基地选址").click()
            page.wait_for_url(re.compile(r"/siting"), timeout=TIMEOUT_MS)
            page.get_by_text("选址参数").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            scope_box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="范围")
            scope_box.click()
            options = page.get_by_role("option").all_inner_texts()
            page.keyboard.press("Escape")
            assert [o.strip() for o in options] == ["天宁区"], options

            # 4. The officer imports a file that would move a 武进 firm into 天宁: refused, and
            #    nothing of that firm is shown.
            page.get_by_role("link", name="数据导入").click()
            page.wait_for_url(re.compile(r"/import"), timeout=TIMEOUT_MS)
            page.get_by_role("heading", name="导入记录").wait_for(timeout=TIMEOUT_MS)
            assert page.get_by_text("操作人：tn").count() == 1  # not a field anyone can type into
            page.locator('input[type="file"]').set_input_files(str(moved))
            page.get_by_text("有错误的行 1 行").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            # Refused at the preview: 导入 is disabled, nothing to import instead.
            page.get_by_text("都有错误，无法导入").wait_for(timeout=TIMEOUT_MS)
            assert page.get_by_role("button", name="导入", exact=True).is_disabled()
            assert page.get_by_role("button", name="只导入无误的行").count() == 0
            body = page.locator("body").inner_text()
            assert firm not in body and "武进" not in body
            page.screenshot(path=str(ARTIFACTS / "browser_login_officer_import.png"), full_page=True)
            context.close()
        finally:
            browser.close()

    store = Store(url)
    events = read_audit(store)
    store.engine.dispose()
    logins = events[events["action"] == "login"]["user_name"].tolist()
    assert sorted(set(logins)) == sorted(ACCOUNTS)  # the proxy header signed nobody in
    assert (events["action"] == "logout").sum() == len(ACCOUNTS), events[["at", "user_name", "action", "detail"]].to_string()
    assert ((events["action"] == "login_failed") & (events["target"] == "tn")).sum() == 1
    exports = events[events["action"] == "export"]
    assert exports[["user_name", "rows"]].values.tolist() == [["tn", exported_rows]]
    assert exports["target"].iloc[0].endswith(".csv") and "天宁" in exports["target"].iloc[0]
    imports = events[events["action"] == "import"]
    assert imports.empty  # refused at the preview: the page offered no import
    store = Store(url)
    stored = store.read("enterprise", columns=["credit_code", "name", "district"]).set_index("credit_code")
    store.engine.dispose()
    assert (stored.at[code, "name"], stored.at[code, "district"]) == (firm, "320412")


def test_a_listed_proxy_signs_in_an_existing_account_only(demo_sqlite_path, tmp_path, chromium_path):
    from playwright.sync_api import sync_playwright

    db = tmp_path / "proxy.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    url = f"sqlite:///{db}"
    store = Store(url)
    store.create_schema()
    add_user(store, "boss", "leader", PASSWORD)
    store.engine.dispose()
    env = {"GSYF_TRUSTED_PROXY_HEADER": "1", "GSYF_TRUSTED_PROXIES": "127.0.0.1"}  # the test is the proxy
    with streamlit_app_or_fail(url, tmp_path / "streamlit.log", env=env) as (base, _proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            for name, signed_in in (("boss", True), ("nobody", False)):
                context = browser.new_context(locale="zh-CN", extra_http_headers={"X-Remote-User": name})
                page = context.new_page()
                page.goto(base, wait_until="domcontentloaded")
                if signed_in:
                    page.get_by_text("当前用户：boss").wait_for(timeout=TIMEOUT_MS)
                else:
                    page.get_by_text("尚未在本系统开通").wait_for(timeout=TIMEOUT_MS)
                    assert page.get_by_role("button", name="登录", exact=True).count() == 1
                context.close()
        finally:
            browser.close()
    store = Store(url)
    events = read_audit(store)
    store.engine.dispose()
    assert events[events["action"] == "login"][["user_name", "detail"]].values.tolist() == [["boss", "反向代理认证"]]
    assert ((events["action"] == "login_failed") & (events["target"] == "nobody")).sum() >= 1
