"""The import path as a district officer walks it, in headless Chromium at the three office
screen sizes (issue 13, "Import").

A 武进 officer signs in, uploads an enterprise file with one bad row and sees, in plain words,
that the whole file would be refused and what to do; the 导入 button is disabled; they choose
只导入无误的行, the progress bar ends, the result and the history say what happened in plain
Chinese with the officer as 操作人; the demo banner then names what is still demo instead of
calling everything 演示数据. At every size nothing of the page is cut off and no English UI
word shows. Screenshots: ``docs/screens/import-preview-<WxH>.png`` (the refused preview) and
``docs/screens/import-<WxH>.png`` (after the import).
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from importing_support import ENTERPRISE_HEADERS, credit_code, enterprise_rows

from devkit.browser import CHROMIUM_ARGS, outside_requests, streamlit_app_or_fail, wait_idle
from devkit.uicheck import SIZES, english_texts, save_full_page, set_sidebar, truncated
from gsyf_geo.auth.accounts import add_user
from gsyf_geo.domain import DEMO_LABEL
from gsyf_geo.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "docs" / "screens"
TIMEOUT_MS = 90_000
OFFICER = "武进王科长"  # a 武进 district officer (names may be Chinese)
PASSWORD = "import-path-1"
FILE_NAME = "武进企业名单_*2024*_[第1批].xlsx"  # markdown characters: shown as written
MAX_PNG_BYTES = 400_000


@pytest.fixture(scope="module")
def app(demo_sqlite_path, tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    tmp = tmp_path_factory.mktemp("import_path")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    url = f"sqlite:///{db}"
    store = Store(url)
    add_user(store, OFFICER, "officer", PASSWORD, unit="320412")
    store.engine.dispose()
    with streamlit_app_or_fail(url, tmp / "streamlit.log", env={"GSYF_AMAP_KEY": ""}) as (base, _proc):
        yield base, url, tmp


def _xlsx(rows: list[list[object]]) -> bytes:
    """The officer's workbook: a sheet named in Chinese, as offices name them."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "企业名单"
    ws.append(ENTERPRISE_HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _settle(page) -> None:
    wait_idle(page)
    page.wait_for_timeout(700)


def _check_sizes(page, name: str) -> None:
    """At each office size (sidebar open; also closed at 1024x768): nothing cut off, no English
    of the page's own, and a full-page screenshot ``docs/screens/<name>-<WxH>.png``."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for label, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        set_sidebar(page, True)
        _settle(page)
        assert truncated(page) == [], (label, truncated(page))
        assert english_texts(page) == [], (label, english_texts(page))
        save_full_page(page, SCREENS / f"{name}-{label}.png", MAX_PNG_BYTES)
        if label == "1024x768":
            set_sidebar(page, False)
            _settle(page)
            assert truncated(page) == [], (label, "sidebar closed", truncated(page))
            set_sidebar(page, True)


def _banner(page) -> str:
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    demo = [a for a in alerts if "演示数据" in a and "开放演示模式" not in a]
    assert len(demo) <= 1, demo
    return demo[0] if demo else ""


def test_officer_imports_good_rows_and_the_banner_follows(app, chromium_path):
    from playwright.sync_api import sync_playwright

    base, db_url, tmp = app
    rows = enterprise_rows(6, start=700)
    rows[3][3] = "一百二十"  # row 5 of the sheet: 职工人数 not a number
    upload = tmp / FILE_NAME
    upload.write_bytes(_xlsx(rows))
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            context.on("request", lambda r: requests.append(r.url))
            page = context.new_page()
            page.goto(f"{base}/import", wait_until="domcontentloaded")
            page.get_by_label("用户名", exact=True).fill(OFFICER)
            page.get_by_label("密码", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="登录", exact=True).click()
            page.get_by_role("heading", name="导入记录").wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            if page.get_by_role("heading", name="数据导入").count() == 0:  # signed in elsewhere
                page.goto(f"{base}/import", wait_until="domcontentloaded")
                page.get_by_role("heading", name="导入记录").wait_for(timeout=TIMEOUT_MS)
                _settle(page)
            body = page.inner_text("body")
            assert f"操作人：{OFFICER}（当前登录账号）" in body
            assert "root" not in body
            assert _banner(page) == f"当前为{DEMO_LABEL}"  # the small demo city: everything demo

            # A file with one bad row: the plain message, 导入 disabled, 只导入无误的行 offered.
            page.locator('input[type="file"]').set_input_files(str(upload))
            page.get_by_text("有错误的行 1 行").wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            body = page.inner_text("body")
            assert "文件中有 1 行有错误" in body and "整个文件不会导入" in body
            assert "导入其余 5 行" in body
            assert "--partial" not in body and "partial" not in body
            go = page.get_by_role("button", name="导入", exact=True)
            assert go.is_disabled()
            partial = page.get_by_role("button", name="只导入无误的行", exact=True)
            assert partial.is_enabled()
            _check_sizes(page, "import-preview")

            page.set_viewport_size({"width": 1280, "height": 800})
            _settle(page)
            page.get_by_role("button", name="只导入无误的行", exact=True).click()
            page.get_by_role("heading", name="导入结果").wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            # The progress bar ended: none is left on the page, nor its last step.
            assert page.locator('[data-testid="stProgress"]').count() == 0
            body = page.inner_text("body")
            assert "比较库中已有记录" not in body
            assert "读取 6 行：新增 5，更新 0，未变 0，拒绝 1" in body
            assert f"文件：{FILE_NAME}（企业名录，XLSX 文件，工作表“企业名单”）" in body
            assert "定位：文件坐标定位 5 行" in body
            assert "已导入无误的行；有错误的 1 行未导入" in body
            assert page.get_by_role("button", name="下载问题清单（CSV）").count() == 1

            # The history, newest first, in plain Chinese, with the officer as 操作人.
            table = page.locator('[data-testid="stTable"] table')
            headers = [t.strip() for t in table.locator("thead th").all_inner_texts()]
            first = [t.strip() for t in table.locator("tbody tr").first.locator("th, td").all_inner_texts()]
            record = dict(zip(headers, first, strict=True))
            assert record["文件"] == FILE_NAME
            assert record["操作人"] == OFFICER
            assert record["结果"] == "已部分导入"
            assert record["行数"] == "读取 6：新增 5，更新 0，拒绝 1"
            assert "文件坐标定位 5 行" in record["说明"]
            text = table.inner_text()
            for raw in ("定位：文件坐标", "demo seed", "SHA-256", "open-demo", "root"):
                assert raw not in text, raw

            # The banner now says what is still demo: 武进's five real firms are not.
            banner = _banner(page)
            assert banner != f"当前为{DEMO_LABEL}"
            assert "工伤记录" in banner and "培训记录" in banner
            assert re.search(r"企业名录 [\d,]+ 条中 [\d,]+ 条为演示数据", banner), banner
            assert "导入的真实数据：企业名录 5 条（武进区）" in banner
            _check_sizes(page, "import")
        finally:
            browser.close()

    assert requests and outside_requests(requests) == [], "requests left the machine"
    store = Store(db_url)
    try:
        ent = store.read("enterprise").set_index("credit_code")
        assert credit_code(700) in ent.index and credit_code(703) not in ent.index
        assert not ent.loc[credit_code(700), "is_demo"]
        batch = store.batches().sort_values("id").iloc[-1]
        assert (batch["file_name"], batch["user_name"], batch["status"]) == (FILE_NAME, OFFICER, "partial")
    finally:
        store.engine.dispose()
