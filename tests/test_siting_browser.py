"""The siting page in headless Chromium: the map draws sites and reach, nothing leaves the machine.

Starts ``streamlit run app.py`` against a copy of the small demo store, opens the 基地选址
page, waits for the numbered chosen sites and the reach circles inside streamlit-folium's
iframe, clicks the map to add a candidate, and saves ``artifacts/browser_siting.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.browser import (
    CHROMIUM_ARGS,
    folium_frame,
    outside_requests,
    streamlit_app_or_fail,
    wait_idle,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "artifacts" / "browser_siting.png"
TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def app_url(demo_sqlite_path, tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("siting_browser")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    log = tmp / "streamlit.log"
    with streamlit_app_or_fail(f"sqlite:///{db}", log, timeout_s=90) as (url, _proc):
        yield url


def test_siting_page_draws_offline_and_takes_a_click(app_url, chromium_path):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    SCREENSHOT.parent.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="zh-CN")
            context.on("request", lambda r: requests.append(r.url))
            page = context.new_page()
            page.on("websocket", lambda ws: requests.append(ws.url))
            page.goto(f"{app_url}/siting", wait_until="domcontentloaded")
            frame = folium_frame(page, 90, containing=".gsyf-site-chosen")
            frame.wait_for_function("document.querySelectorAll('.gsyf-site-existing').length > 0",
                                    timeout=TIMEOUT_MS)  # fmt: skip
            wait_idle(page, TIMEOUT_MS)
            page.wait_for_timeout(1000)
            assert page.locator("h1", has_text="宣传培训基地选址").count() == 1
            n_chosen = frame.locator(".gsyf-site-chosen").count()
            assert n_chosen >= 1
            assert frame.locator(".gsyf-legend").count() >= 1
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            # A click on the map adds a candidate (WGS-84) to the list beside the map.
            box = frame.locator(".leaflet-container").bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.7)
            page.get_by_text("清除新增候选点").wait_for(timeout=TIMEOUT_MS)
        finally:
            browser.close()
    outside = outside_requests(requests)
    assert outside == [], f"requests left the machine: {outside}"
    assert SCREENSHOT.stat().st_size > 10_000
