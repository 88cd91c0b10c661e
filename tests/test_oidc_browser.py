"""Sign-in through the organisation's OIDC provider (``st.login``), end to end in Chromium.

A fake provider (tests/fake_oidc.py) runs a real authorization-code flow; Streamlit's own
``/oauth2callback`` completes it. The provider vouches for a name; only an existing, enabled
account of that name is signed in, with its own role and unit, and the sign-in is audited.
"""

from __future__ import annotations

import shutil

import pytest

from devkit.browser import CHROMIUM_ARGS, streamlit_app_or_fail, wait_idle
from gsyf_geo.auth.accounts import add_user
from gsyf_geo.auth.audit import read_audit
from gsyf_geo.store import Store

pytestmark = pytest.mark.browser
TIMEOUT_MS = 90_000


def test_oidc_signs_in_an_existing_account_only(demo_sqlite_path, tmp_path, chromium_path):
    pytest.importorskip("authlib", reason="Authlib (requirements.txt) is needed for st.login")
    from fake_oidc import FakeOIDC, secrets_toml
    from playwright.sync_api import sync_playwright

    db = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    url = f"sqlite:///{db}"
    store = Store(url)
    add_user(store, "wj_officer", "officer", "correct-horse-battery-9", unit="320412")
    with FakeOIDC() as provider:
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(secrets_toml(provider.issuer), encoding="utf-8")
        env = {"STREAMLIT_SECRETS_FILES": str(secrets_file)}
        with streamlit_app_or_fail(url, tmp_path / "streamlit.log", env=env) as (base, _proc), \
                sync_playwright() as pw:  # fmt: skip
            browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            # A person the provider knows and this system has an account for.
            provider.next_user = "wj_officer"
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(base, wait_until="domcontentloaded")
            page.get_by_role("button", name="使用单位统一身份认证登录").click(timeout=TIMEOUT_MS)
            page.get_by_text("当前用户：wj_officer").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
            assert "武进" in sidebar  # the account's own unit, from this system, not the provider
            page.context.close()

            # A person the provider knows but this system does not: not signed in.
            provider.next_user = "stranger"
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(base, wait_until="domcontentloaded")
            page.get_by_role("button", name="使用单位统一身份认证登录").click(timeout=TIMEOUT_MS)
            page.get_by_text("尚未在本系统开通").wait_for(timeout=TIMEOUT_MS)
            assert page.get_by_text("当前用户：").count() == 0
            browser.close()

    events = read_audit(store)
    logins = events[events["action"] == "login"]
    assert (logins["user_name"] == "wj_officer").any()
    assert logins["detail"].str.contains("OIDC").any()
    failed = events[events["action"] == "login_failed"]
    assert failed["target"].astype(str).str.contains("stranger").any()
    store.engine.dispose()
