"""The real risk map in headless Chromium: it draws, drills down, escapes names, stays offline.

Starts ``streamlit run app.py`` against a copy of the small demo store (plus one enterprise
whose name is an HTML injection attempt), records every request the page makes, and saves
screenshots under ``artifacts/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from devkit.browser import CHROMIUM_ARGS, folium_frame, outside_requests, streamlit_app, wait_idle
from gsyf_geo.credit_code import credit_code_check_char
from gsyf_geo.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_CODE = "91320481MA1XQQ000" + credit_code_check_char("91320481MA1XQQ000")
SHEZHU = "320481116"  # 社渚镇, 溧阳
DRAW_TIMEOUT_MS = 90_000

MAP_READY = """() => {
    if (!window.map) return false;
    const kinds = Object.values(window.map._layers)
        .map(l => l.feature && l.feature.properties && l.feature.properties.kind).filter(Boolean);
    const units = kinds.filter(k => k === 'unit').length;
    const ents = kinds.filter(k => k === 'hexagon' || k === 'enterprise').length;
    return units === 7 ? {units: units, enterprises: ents,
        hexagons: kinds.filter(k => k === 'hexagon').length} : false;
}"""
# Drilled into a unit, the enterprises are drawn too (hexagons far out, points close in).
ENTERPRISES_DRAWN = """() => window.map && Object.values(window.map._layers).some(
    l => l.feature && ['hexagon', 'enterprise'].includes(l.feature.properties.kind))"""


@pytest.fixture(scope="module")
def app_url(demo_sqlite_path, tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    store = Store(f"sqlite:///{db}")
    store.upsert("enterprise", pd.DataFrame({
        "credit_code": [XSS_CODE], "name": [XSS_NAME], "district": ["320481"], "town_code": [SHEZHU],
        "lon": [119.18], "lat": [31.35], "key_industry": ["building_materials"], "industry_code": ["C3021"],
        "risk_class": [6], "employees": [50], "insured": [20], "key_staff": [4], "key_staff_trained": [1],
        "address": ["<script>alert(2)</script>社渚"],
    }))  # fmt: skip
    with store.transaction() as conn:  # a finished batch: the app's data cache sees new data
        store.finish_batch(store.start_batch("test", conn), conn)
    store.engine.dispose()
    with streamlit_app(f"sqlite:///{db}", tmp / "streamlit.log") as (url, _proc):
        yield url


def test_risk_map_draws_drills_down_and_stays_offline(app_url, chromium_path):
    from playwright.sync_api import expect, sync_playwright

    requests: list[str] = []
    dialogs: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
            context.on("request", lambda r: requests.append(r.url))
            page = context.new_page()
            page.on("websocket", lambda ws: requests.append(ws.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            # 1. The whole city: seven units, names, headline figures; no enterprises over the
            #    district choropleth at city zoom (they come from zoom 11 or in a district).
            page.goto(app_url, wait_until="domcontentloaded")
            frame = folium_frame(page)
            drawn = frame.wait_for_function(MAP_READY, timeout=DRAW_TIMEOUT_MS).json_value()
            assert drawn["units"] == 7 and drawn["enterprises"] == 0
            page.locator('[data-testid="stDataFrame"] canvas').first.wait_for(timeout=DRAW_TIMEOUT_MS)  # the list
            wait_idle(page)
            # The page opens on the latest year; the reruns below (a map click, a filter) keep it
            # (a range slider preset through the session state came back as its first year).
            years = re.search(r"years=([0-9-]+)", page.url).group(1)
            assert years == "2025-2025", page.url
            labels = frame.locator(".gsyf-district-label").all_inner_texts()
            assert sorted(labels) == sorted(["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市", "经开区"])
            # The demo banner (it names what is still demo: one enterprise here is not).
            assert page.locator('[data-testid="stAlert"]').filter(has_text="演示数据").count() >= 1
            assert frame.locator(".leaflet-tile").count() == 0  # no basemap by default
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "browser_risk_map.png"), full_page=True)

            # 2. Click 溧阳 on the map: the page drills into it, with a way back.
            point = frame.evaluate(
                "() => { const p = window.map.latLngToContainerPoint([31.40, 119.45]);"
                " return {x: p.x, y: p.y}; }"
            )
            frame.locator("#map_div").click(position=point)
            page.get_by_role("button", name="← 返回全市").wait_for(timeout=DRAW_TIMEOUT_MS)
            wait_idle(page)
            assert "unit=320481" in page.url and f"years={years}" in page.url
            assert page.get_by_text("溧阳 · ").count() >= 1
            folium_frame(page).wait_for_function(ENTERPRISES_DRAWN, timeout=DRAW_TIMEOUT_MS)

            # 3. A filter from the sidebar (化工 only): the figures follow, the years stay.
            count = page.locator('[data-testid="stMetric"]').first.locator('[data-testid="stMetricValue"]')
            before = count.inner_text()
            page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1).click()
            page.get_by_role("option", name="化工", exact=True).click()
            page.keyboard.press("Escape")
            page.wait_for_url(re.compile(r"industries=chemical"), timeout=DRAW_TIMEOUT_MS)
            expect(count).not_to_have_text(before, timeout=DRAW_TIMEOUT_MS)  # the figures follow
            wait_idle(page)
            assert f"years={years}" in page.url
            assert page.get_by_text("溧阳 · ").count() >= 1

            # 4. To another page and back: the filters are still there.
            page.get_by_role("link", name="任务清单").click()
            page.wait_for_url(re.compile(r"/tasks"), timeout=DRAW_TIMEOUT_MS)
            wait_idle(page)
            page.get_by_role("link", name="风险地图").click()
            folium_frame(page).wait_for_function(MAP_READY, timeout=DRAW_TIMEOUT_MS)
            wait_idle(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.get_by_text("溧阳 · ").count() >= 1 and count.inner_text() != before
            assert "industries=chemical" in page.url and f"years={years}" in page.url

            # 5. A filter (one town) brings individual enterprises; an injected name stays text.
            page.goto(f"{app_url}/?unit=320481&towns={SHEZHU}", wait_until="domcontentloaded")
            frame = folium_frame(page)
            frame.wait_for_function(
                "() => window.map && Object.values(window.map._layers).some("
                "l => l.feature && l.feature.properties.kind === 'enterprise')",
                timeout=DRAW_TIMEOUT_MS,
            )
            wait_idle(page)
            frame.evaluate(
                """code => Object.values(window.map._layers).find(
                    l => l.feature && l.feature.properties.id === code).openPopup()""",
                XSS_CODE,
            )
            popup = frame.locator(".leaflet-popup-content")
            popup.wait_for(timeout=10_000)
            text = popup.inner_text()
            assert XSS_NAME in text and "<script>alert(2)</script>社渚" in text
            assert popup.locator("img").count() == 0 and popup.locator("script").count() == 0
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / "browser_enterprise_card.png"), full_page=False)
        finally:
            browser.close()

    assert dialogs == [], f"injected script ran: {dialogs}"
    assert requests, "no requests recorded"
    assert outside_requests(requests) == [], "requests left the machine"
    assert any("/app/static/vendor/leaflet-1.9.3/leaflet.js" in u for u in requests)
