"""The import page in headless Chromium: upload a file with a mistake, see it highlighted,
load the good rows, see the summary and the history; nothing leaves the machine.

Screenshots: ``artifacts/browser_import_preview.png`` and ``artifacts/browser_import_done.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from importing_support import ENTERPRISE_HEADERS, credit_code, enterprise_rows, xlsx_bytes

from devkit.browser import CHROMIUM_ARGS, outside_requests, streamlit_app_or_fail, wait_idle
from gsyf_geo.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def app(demo_sqlite_path, tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    tmp = tmp_path_factory.mktemp("browser_import")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    url = f"sqlite:///{db}"
    log = tmp / "streamlit.log"
    with streamlit_app_or_fail(url, log, env={"GSYF_AMAP_KEY": ""}) as (base, _proc):
        yield base, url, tmp


def test_upload_preview_load_and_history(app, chromium_path):
    from playwright.sync_api import sync_playwright

    base, db_url, tmp = app
    rows = enterprise_rows(6)
    rows[3][3] = "一百二十"  # row 5 of the sheet: not a number
    upload = tmp / "企业名单.xlsx"
    upload.write_bytes(xlsx_bytes(ENTERPRISE_HEADERS, rows))
    requests: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1500}, locale="zh-CN")
            context.on("request", lambda r: requests.append(r.url))
            page = context.new_page()
            page.goto(f"{base}/import", wait_until="domcontentloaded")
            page.get_by_role("heading", name="数据导入").wait_for(timeout=TIMEOUT_MS)
            page.get_by_role("heading", name="导入记录").wait_for(timeout=TIMEOUT_MS)
            page.get_by_text("下载模板（XLSX）").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)

            page.locator('input[type="file"]').set_input_files(str(upload))
            page.get_by_text("有错误的行 1 行").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            page.get_by_text("整个文件不会导入").wait_for(timeout=TIMEOUT_MS)
            assert page.get_by_role("button", name="导入", exact=True).is_disabled()
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "browser_import_preview.png"), full_page=True)

            page.get_by_role("button", name="只导入无误的行", exact=True).click()
            page.get_by_text("导入结果").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            assert page.get_by_text("读取 6 行：新增 5，更新 0，未变 0，拒绝 1").count() >= 1
            assert page.get_by_role("button", name="下载问题清单（CSV）").count() == 1
            page.set_viewport_size({"width": 1440, "height": 2300})
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "browser_import_done.png"), full_page=True)
        finally:
            browser.close()

    assert requests and outside_requests(requests) == [], "requests left the machine"
    store = Store(db_url)
    try:
        ent = store.read("enterprise").set_index("credit_code")
        assert credit_code(0) in ent.index and credit_code(3) not in ent.index
        assert store.batches()["file_name"].tolist()[-1] == "企业名单.xlsx"
    finally:
        store.engine.dispose()


@pytest.fixture(scope="module")
def busy_app(demo_sqlite_path, tmp_path_factory) -> Iterator[tuple[str, Path, Path]]:
    """A server whose store waits 0.3 s for a lock and tries an import twice."""
    tmp = tmp_path_factory.mktemp("browser_import_busy")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    env = {"GSYF_AMAP_KEY": "", "GSYF_SQLITE_BUSY_MS": "300", "GSYF_IMPORT_ATTEMPTS": "2"}
    with streamlit_app_or_fail(f"sqlite:///{db}", tmp / "streamlit.log", env=env) as (base, _proc):
        yield base, db, tmp


def test_import_against_a_locked_store_says_busy_and_keeps_no_file(busy_app, chromium_path):
    """Another process holds a write transaction on the SQLite file while the page imports:
    the page says 数据库正忙，请稍后重试 (no SQL, no parameters, no traceback) and the uploader
    is emptied (the file is not kept in the session)."""
    import sqlite3

    from playwright.sync_api import sync_playwright

    base, db, tmp = busy_app
    upload = tmp / "锁定测试.xlsx"
    upload.write_bytes(xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(3, start=900)))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        holder = None
        try:
            page = browser.new_context(viewport={"width": 1440, "height": 1500}, locale="zh-CN").new_page()
            page.goto(f"{base}/import", wait_until="domcontentloaded")
            page.get_by_role("heading", name="导入记录").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            page.locator('input[type="file"]').set_input_files(str(upload))
            page.get_by_text("有错误的行 0 行").wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            holder = sqlite3.connect(db)
            holder.execute("BEGIN IMMEDIATE")  # the write lock, held until rolled back
            page.get_by_role("button", name="导入", exact=True).click()
            try:
                page.get_by_text("数据库正忙，请稍后重试").wait_for(timeout=TIMEOUT_MS)
            except Exception:
                print(page.inner_text("body"))
                raise
            wait_idle(page)
            text = page.inner_text("body")
            for leak in ("INSERT", "sqlite", "Traceback", "parameters", "OperationalError", str(db)):
                assert leak not in text, leak
            assert page.get_by_text("锁定测试.xlsx").count() == 0  # the uploader was emptied
        finally:
            if holder is not None:
                holder.rollback()
                holder.close()
            browser.close()
    store = Store(f"sqlite:///{db}")
    try:
        assert credit_code(900) not in set(store.read("enterprise")["credit_code"])
    finally:
        store.engine.dispose()
