"""The real page in headless Chromium: the district map draws and no request leaves the machine.

Starts ``streamlit run app.py`` on a free port against a copy of the small demo store,
records every request the page makes, waits until Leaflet has drawn the districts inside
streamlit-folium's iframe and saves a screenshot to ``artifacts/browser_district_map.png``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gsyf_geo.domain import DISTRICTS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
SCREENSHOT = ARTIFACTS / "browser_district_map.png"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 90
DRAW_TIMEOUT_MS = 90_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def app_url(demo_sqlite_path, tmp_path_factory) -> Iterator[str]:
    """Base URL of ``streamlit run app.py`` serving a copy of the demo store."""
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(GSYF_DB_URL=f"sqlite:///{db}", PYTHONUNBUFFERED="1")
    env.pop("GSYF_TIANDITU_KEY", None)
    log = (tmp / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"streamlit did not start:\n{(tmp / 'streamlit.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _folium_frame(page, timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                return frame
        page.wait_for_timeout(250)
    raise AssertionError(f"no streamlit-folium iframe; frames: {[f.url for f in page.frames]}")


def test_district_map_draws_offline(app_url, chromium_path):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    bad_static: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            context.on("request", lambda r: requests.append(r.url))
            context.on(
                "response",
                lambda r: bad_static.append(f"{r.status} {r.url}")
                if "/app/static/" in r.url and r.status >= 400
                else None,
            )
            page = context.new_page()
            page.on("websocket", lambda ws: requests.append(ws.url))
            page.goto(app_url, wait_until="domcontentloaded")

            frame = _folium_frame(page)
            frame.wait_for_function(
                "document.querySelectorAll('path.leaflet-interactive').length >= 6"
                " && document.querySelectorAll('.gsyf-district-label').length === 6",
                timeout=DRAW_TIMEOUT_MS,
            )
            page.wait_for_selector(
                '[data-testid="stStatusWidget"]', state="detached", timeout=DRAW_TIMEOUT_MS
            )
            page.wait_for_timeout(800)  # let tiles-less canvas, labels and fonts settle
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            labels = frame.locator(".gsyf-district-label").all_inner_texts()
            assert sorted(labels) == sorted(d.name for d in DISTRICTS)
            assert frame.locator(".gsyf-legend").count() == 1
            assert frame.locator(".leaflet-tile").count() == 0  # no basemap by default
            assert page.get_by_text("当前为演示数据（合成数据，非真实统计）").count() >= 1
            assert page.locator("h1", has_text="常州市工伤预防风险地图").count() == 1

            # Hovering a district (at its label; labels let the pointer through) shows its tooltip.
            box = frame.locator(".gsyf-district-label", has_text="武进区").bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 12)
            tooltip = frame.locator(".leaflet-tooltip")
            tooltip.wait_for(timeout=10_000)
            assert "武进区" in tooltip.inner_text() and "企业数" in tooltip.inner_text()
        finally:
            browser.close()

    assert requests, "no requests recorded"
    outside = [u for u in requests if urlsplit(u).scheme not in ("data", "blob")
               and urlsplit(u).hostname not in LOCAL_HOSTS]  # fmt: skip
    assert outside == [], f"requests left the machine: {outside}"
    assert any("/app/static/vendor/leaflet-1.9.3/leaflet.js" in u for u in requests)
    assert bad_static == [], bad_static
    assert SCREENSHOT.stat().st_size > 10_000
