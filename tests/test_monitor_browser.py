"""The targets page in headless Chromium: tables and charts draw with Chinese text, offline.

Starts ``streamlit run app.py`` against a copy of the small demo store, opens 目标监测,
waits for the overview table, then for the trend chart and the small multiples of the
detail tab, and saves screenshots to ``artifacts/browser_targets.png`` (overview) and
``artifacts/browser_targets_detail.png``. Every request must stay on this machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.browser import CHROMIUM_ARGS, outside_requests, streamlit_app_or_fail, wait_idle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
SCREENSHOT = ARTIFACTS / "browser_targets.png"
SCREENSHOT_DETAIL = ARTIFACTS / "browser_targets_detail.png"
START_TIMEOUT_S = 90
DRAW_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def app_url(demo_sqlite_path, tmp_path_factory) -> Iterator[str]:
    """Base URL of ``streamlit run app.py`` serving a copy of the demo store."""
    tmp = tmp_path_factory.mktemp("browser_targets")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    with streamlit_app_or_fail(
        f"sqlite:///{db}", tmp / "streamlit.log", timeout_s=START_TIMEOUT_S,
        unset=("GSYF_PLAN_DIR", "GSYF_TASK_EDITORS"),
    ) as (url, _proc):  # fmt: skip
        yield url


def _settle(page) -> None:
    wait_idle(page, DRAW_TIMEOUT_MS)
    page.wait_for_timeout(1_000)  # let the grid canvas and Vega finish drawing


def test_targets_page_draws_offline_with_chinese_text(app_url, chromium_path):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    failed: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="zh-CN")
            context.on("request", lambda r: requests.append(r.url))
            context.on(
                "response",
                # The frontend probes <page path>/_stcore/* before the base path: ignore those.
                lambda r: (
                    failed.append(f"{r.status} {r.url}")
                    if r.status >= 400 and "/_stcore/" not in r.url
                    else None
                ),
            )
            page = context.new_page()
            page.on("websocket", lambda ws: requests.append(ws.url))
            page.goto(f"{app_url}/targets", wait_until="domcontentloaded")

            page.locator("h1", has_text="目标监测").wait_for(timeout=DRAW_TIMEOUT_MS)
            page.locator("table.gsyf-overview").wait_for(timeout=DRAW_TIMEOUT_MS)
            _settle(page)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            assert page.get_by_text("当前为演示数据（合成数据，非真实统计）").count() >= 1
            assert page.get_by_role("tab", name="目标总览").count() == 1
            assert page.get_by_text("状态判定规则").count() == 1

            page.get_by_role("tab", name="指标详情").click()
            charts = page.locator('[data-testid="stVegaLiteChart"]')
            charts.nth(1).wait_for(timeout=DRAW_TIMEOUT_MS)  # trend + small multiples
            _settle(page)
            assert page.get_by_text("分区县（统计单元）情况").count() == 1
            page.screenshot(path=str(SCREENSHOT_DETAIL), full_page=True)
        finally:
            browser.close()

    assert requests, "no requests recorded"
    outside = outside_requests(requests)
    assert outside == [], f"requests left the machine: {outside}"
    assert failed == [], failed
    assert SCREENSHOT.stat().st_size > 10_000
    assert SCREENSHOT_DETAIL.stat().st_size > 10_000
