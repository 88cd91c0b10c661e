"""The risk map page in headless Chromium: the full-screen button and the print layout.

Printing the page (Chromium's PDF output, as Ctrl+P gives it) must give one A4 landscape
page with the title, the figures, the map and its legend, and no sidebar, buttons, menus or
enterprise list.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devkit.browser import CHROMIUM_ARGS, folium_frame, streamlit_app, wait_idle
from tests.conftest import need

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
DRAW_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def app_url(demo_sqlite_path, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("print_browser")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    with streamlit_app(f"sqlite:///{db}", tmp / "streamlit.log") as (url, _proc):
        yield url


def _pdf_text(path: Path) -> tuple[int, str]:
    if shutil.which("pdfinfo") is None:
        need("pdfinfo not found (apt install poppler-utils)")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, size + "\n" + text


def test_fullscreen_button_and_one_page_print(app_url, chromium_path, tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN").new_page()
            page.goto(app_url, wait_until="domcontentloaded")
            frame = folium_frame(page)
            frame.wait_for_function(
                "() => window.map && Object.values(window.map._layers).some(l => l.feature)",
                timeout=DRAW_TIMEOUT_MS,
            )
            wait_idle(page)

            # Full screen: the map's container, with its legends inside; and back.
            button = frame.locator(".gsyf-fullscreen a")
            assert button.get_attribute("title") == "全屏显示"
            button.click()
            frame.wait_for_function("() => document.fullscreenElement === window.map.getContainer()")
            assert button.get_attribute("title").startswith("退出全屏")
            assert frame.evaluate("() => document.fullscreenElement.querySelectorAll('.gsyf-legend').length") >= 1
            button.click()
            frame.wait_for_function("() => document.fullscreenElement === null")

            # The download menu: the server-drawn map of this view, PNG at 300 dpi, Chinese name.
            page.get_by_role("button", name="下载地图图片").click()
            with page.expect_download(timeout=DRAW_TIMEOUT_MS) as info:
                page.get_by_role("button", name="下载", exact=True).click()
            download = info.value
            assert download.suggested_filename == "工伤事故发生率_全市_2025-2025_A4横向.png"
            saved = tmp_path / "map.png"
            download.save_as(saved)
            from PIL import Image

            with Image.open(saved) as im:
                assert im.size == (3508, 2480) and round(im.info["dpi"][0]) == 300
            page.keyboard.press("Escape")
            wait_idle(page)

            # Print: Chromium's PDF output of the page as it prints it (print media, CSS page size).
            pdf = ARTIFACTS / "risk_map_print.pdf"
            pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
            assert frame.evaluate("() => window.gsyfPrinted") >= 1  # the map laid out for paper
        finally:
            browser.close()
    pages, text = _pdf_text(pdf)
    assert pages == 1, text
    assert "841.92 x 594.96 pts" in text  # A4 landscape
    for shown in ("常州市工伤预防风险地图", "万人事故率", "工伤事故发生率", "天宁"):
        assert shown in text, shown
    # No sidebar, no buttons or menus, no enterprise list.
    for hidden in ("筛选", "专题指标", "下载地图图片", "企业清单", "导出 Excel", "返回全市"):
        assert hidden not in text, hidden
