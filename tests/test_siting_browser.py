"""The siting page in headless Chromium: the map draws sites and reach, nothing leaves the machine.

Starts ``streamlit run app.py`` against a copy of the small demo store, opens the 基地选址
page, waits for the numbered chosen sites and the reach circles inside streamlit-folium's
iframe, clicks the map to add a candidate, and saves ``artifacts/browser_siting.png``.
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

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "artifacts" / "browser_siting.png"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
TIMEOUT_MS = 120_000


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
    tmp = tmp_path_factory.mktemp("siting_browser")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(GSYF_DB_URL=f"sqlite:///{db}", PYTHONUNBUFFERED="1")
    env.pop("GSYF_TIANDITU_KEY", None)
    log = (tmp / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
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


def _map_frame(page, timeout_s: float = 90):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                try:
                    if frame.locator(".gsyf-site-chosen").count():
                        return frame
                except Exception:  # noqa: BLE001 - frame still loading
                    pass
        page.wait_for_timeout(300)
    raise AssertionError("no siting map with chosen sites")


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
            frame = _map_frame(page)
            frame.wait_for_function("document.querySelectorAll('.gsyf-site-existing').length > 0",
                                    timeout=TIMEOUT_MS)  # fmt: skip
            page.wait_for_selector(
                '[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT_MS
            )
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
    outside = [u for u in requests if urlsplit(u).scheme not in ("data", "blob")
               and urlsplit(u).hostname not in LOCAL_HOSTS]  # fmt: skip
    assert outside == [], f"requests left the machine: {outside}"
    assert SCREENSHOT.stat().st_size > 10_000
