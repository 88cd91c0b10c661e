"""Streamlit's own widget texts in Chinese (views/zh_ui.js), on the sign-in page and the pages.

Streamlit has no locale setting; the app replaces its known English strings in the browser.
These tests open pages in headless Chromium and look for any English word a user would meet
(visible text, tooltips, screen-reader labels, placeholders), in every frame.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from devkit.browser import CHROMIUM_ARGS, folium_frame, streamlit_app_or_fail, wait_idle
from devkit.uicheck import english_texts
from gsyf_geo.auth.accounts import add_user, has_accounts
from gsyf_geo.store import Store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(demo_sqlite_path, tmp_path_factory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("zh_ui")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    with streamlit_app_or_fail(f"sqlite:///{db}", tmp / "streamlit.log") as (url, _proc):
        yield url, f"sqlite:///{db}"


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url)
    page.wait_for_timeout(1500)
    wait_idle(page)
    return page


def test_map_page_widgets_speak_chinese(app, chromium_path):
    from playwright.sync_api import sync_playwright

    url, _db = app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = _open(browser, url)
        folium_frame(page, containing=".leaflet-control-zoom-in")
        page.wait_for_timeout(1000)
        assert english_texts(page) == []
        # The Leaflet zoom buttons (inside the map's frame) and a select's placeholder.
        frame = folium_frame(page, containing=".leaflet-control-zoom-in")
        assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == "放大"
        # Text the app writes (markdown, HTML: where data is shown) is never translated; the
        # same word in Streamlit's own widget chrome is.
        kept, changed = page.evaluate("""async () => {
            const ours = document.createElement('div');
            ours.dataset.testid = 'stMarkdown';
            ours.innerHTML = '<p>Open</p>';
            const chrome = document.createElement('span');
            chrome.textContent = 'Open';
            document.body.append(ours, chrome);
            await new Promise(r => setTimeout(r, 300));
            return [ours.innerText, chrome.textContent];
        }""")
        assert (kept, changed) == ("Open", "展开")
        page.evaluate("() => document.querySelectorAll('body > div[data-testid=stMarkdown], body > span')"
                      ".forEach(e => e.remove())")
        # A multiselect's open list offers "全选", not "Select all".
        page.get_by_text("重点行业", exact=True).first.scroll_into_view_if_needed()
        box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
        box.click()
        page.wait_for_timeout(500)
        assert english_texts(page) == []
        browser.close()


def test_page_addresses_work_as_printed(app, chromium_path):
    """"/map?…" (as links and the README print it) opens the map itself, with no "page not
    found" dialog and the address kept; "/" opens the same page."""
    from playwright.sync_api import sync_playwright

    url, db = app
    store = Store(db)
    assert not has_accounts(store), "runs on the open demo (no account yet)"
    store.engine.dispose()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        for path in ("map?years=2024-2025", "", "audit"):
            page = _open(browser, f"{url}/{path}")
            title = "常州市工伤预防风险地图" if path != "audit" else "审计日志"
            page.locator('[data-testid="stMain"]').get_by_text(title).first.wait_for(timeout=60_000)
            wait_idle(page)
            assert page.locator('[role="dialog"]').count() == 0, path
            assert urlsplit(page.url).path.strip("/") == path.split("?")[0]
            if "years=" in path:
                assert "years=2024-2025" in page.url  # the link's filter was taken, not reset
            assert english_texts(page) == [], path
        browser.close()


def test_a_file_over_the_upload_limit_is_refused_in_chinese(demo_sqlite_path, tmp_path, chromium_path):
    """The browser refuses a file over ``server.maxUploadSize`` before sending it; that
    message is Streamlit's own ("File must be … or smaller.") and must read in Chinese."""
    from playwright.sync_api import sync_playwright

    db = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    big = tmp_path / "企业.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 600_000)  # 2.4 MB, over a 1 MB limit
    env = {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "1"}
    with streamlit_app_or_fail(f"sqlite:///{db}", tmp_path / "st.log", env=env) as (url, _proc):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            page = _open(browser, f"{url}/import")
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(big))
            page.get_by_text("文件不能超过").first.wait_for(timeout=30_000)
            assert english_texts(page) == []
            browser.close()


# Last in this module: it creates an account in the shared store, after which every page of
# that server shows the sign-in page (the tests above need the open demo).
def test_sign_in_and_upload_widgets_speak_chinese(app, chromium_path):
    from playwright.sync_api import sync_playwright

    url, db = app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = _open(browser, f"{url}/import")
        # The uploader's own texts ("Drag and drop file here", "Limit 300MB per file").
        page.wait_for_selector('[data-testid="stFileUploaderDropzone"]')
        assert english_texts(page) == []
        assert "单个文件不超过" in page.locator('[data-testid="stFileUploaderDropzone"]').inner_text()
        # Once an account exists, the sign-in page.
        store = Store(db)
        add_user(store, "zh_admin", "admin", "correct-horse-battery-9")
        store.engine.dispose()
        page = _open(browser, url)
        page.wait_for_selector("text=登录")
        assert english_texts(page) == []
        browser.close()
