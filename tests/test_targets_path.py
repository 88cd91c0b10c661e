"""Leadership's targets and the officer's task list in headless Chromium (issue 13, "Targets and
tasks"), at the three office screen sizes.

A city leader signs in and opens 目标监测 on the small demo city: every target's full name and
definition can be read (nothing cut off), each progress bar has the colour of the status
gsyf_geo.monitor computes for that target, and each target has a trend sparkline with one point
per complete year with data. A district officer opens 任务清单, selects a task's row in the
table, finds the edit form right below it with their own account as the editor, and saves a
status change, which the store then holds under their name. At every size (sidebar open, and
closed at 1024x768) nothing is cut off and no English shows (Streamlit's own texts included:
the locale patch translates them). Screenshots:
``docs/screens/targets-<WxH>.png`` and ``docs/screens/tasks-<WxH>.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from devkit.browser import CHROMIUM_ARGS, streamlit_app_or_fail, wait_idle
from devkit.uicheck import SIZES, english_texts, save_full_page, set_sidebar, truncated
from gsyf_geo.auth.accounts import add_user
from gsyf_geo.auth.audit import read_audit
from gsyf_geo.monitor.evaluation import evaluate_plan
from gsyf_geo.monitor.status import STATUS_COLORS, is_complete
from gsyf_geo.monitor.tasks import load_statuses, task_table
from gsyf_geo.plan import default_plan
from gsyf_geo.store import CITY, Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "docs" / "screens"
TIMEOUT_MS = 180_000
MAX_PNG_BYTES = 400_000
PASSWORD = "targets-pass-1"
LEADER, OFFICER = "王局长", "天宁经办"  # Chinese account names, as in an office
ROW_PX = 35  # Streamlit's dataframe row (and header) height
TASK = "2021-03"
# Labels inside an aria-hidden subtree (Vega's chart titles with aria=False) are never read out
# nor shown: not UI text.
HIDDEN_LABELS_JS = """() => [...document.querySelectorAll('[aria-hidden="true"] [aria-label]')]
    .map(e => e.getAttribute('aria-label').trim())"""


def _own_english(page) -> list[str]:
    hidden: set[str] = set()
    for frame in page.frames:
        try:
            hidden.update(t[:80] for t in frame.evaluate(HIDDEN_LABELS_JS))
        except Exception:  # noqa: BLE001 - a frame that navigated away meanwhile
            continue
    return [t for t in english_texts(page) if t not in hidden]


@pytest.fixture(scope="module")
def app(demo_sqlite_path, tmp_path_factory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("targets_path")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    url = f"sqlite:///{db}"
    store = Store(url)
    store.create_schema()
    add_user(store, LEADER, "leader", PASSWORD)
    add_user(store, OFFICER, "officer", PASSWORD, unit="320402")
    store.engine.dispose()
    with streamlit_app_or_fail(
        url, tmp / "streamlit.log", timeout_s=90, unset=("GSYF_PLAN_DIR", "GSYF_TASK_EDITORS")
    ) as (base, _proc):
        yield base, url


@pytest.fixture(scope="module")
def expected(app) -> dict[str, dict]:
    """What gsyf_geo.monitor says of every target today (the page's default date and scope)."""
    store = Store(app[1])
    plan = default_plan()
    today = date.today()
    results = evaluate_plan(store, plan, today, CITY)
    store.engine.dispose()
    return {
        r.target.id: {
            "name": r.target.name,
            "status": r.city.status,
            "progress": r.city.progress,
            "points": sum(1 for y, v in r.values.city.items() if v is not None and is_complete(y, today)),
        }
        for r in results
    }


def _settle(page) -> None:
    wait_idle(page, TIMEOUT_MS)
    page.wait_for_timeout(800)


def _login(page, base: str, name: str, path: str) -> None:
    page.goto(base + path, wait_until="domcontentloaded")
    page.get_by_label("用户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text(f"当前用户：{name}").wait_for(timeout=TIMEOUT_MS)
    _settle(page)


def _screenshot(page, name: str) -> None:
    save_full_page(page, SCREENS / name, MAX_PNG_BYTES)


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


OVERVIEW_JS = """() => [...document.querySelectorAll('table.gsyf-overview tr.gsyf-main')].map(tr => {
    const cell = c => tr.querySelector(`td[data-col="${c}"]`);
    const name = cell('指标'), fill = tr.querySelector('.gsyf-fill'), bar = tr.querySelector('.gsyf-progress');
    const spark = tr.querySelector('img.gsyf-spark');
    const detail = document.querySelector(`tr[data-detail="${tr.dataset.target}"]`);
    const table = tr.closest('table').getBoundingClientRect(), nb = name.getBoundingClientRect();
    return {
        id: tr.dataset.target, name: name.innerText.trim(), status: cell('状态').innerText.trim(),
        name_overflows: name.scrollWidth > name.clientWidth + 1 || nb.right > table.right + 1,
        table_fits: table.right <= document.documentElement.clientWidth,
        fill: fill ? getComputedStyle(fill).backgroundColor : null,
        progress: bar ? Number(bar.getAttribute('aria-valuenow')) : null,
        spark_drawn: !!spark && spark.complete && spark.naturalWidth > 0 && spark.getBoundingClientRect().width > 40,
        points: spark ? Number(spark.dataset.points) : null,
        definition: detail ? detail.querySelector('[data-col="定义"]').innerText : '',
    };
})"""


def _check_targets(page, expected: dict[str, dict], label: str) -> None:
    rows = page.evaluate(OVERVIEW_JS)
    assert [r["id"] for r in rows] == list(expected), label
    for r in rows:
        want = expected[r["id"]]
        assert r["name"] == want["name"], (label, r)  # the full name, as the plan writes it
        assert not r["name_overflows"] and r["table_fits"], (label, r)
        assert r["definition"].startswith("定义：") and len(r["definition"]) > 10, (label, r)
        assert r["status"] == want["status"], (label, r)
        if want["progress"] is None:
            assert r["fill"] is None, (label, r)
        else:  # the bar in the colour of the computed status, as long as the progress
            assert r["fill"] == _rgb(STATUS_COLORS[want["status"]]), (label, r)
            assert r["progress"] == round(min(max(want["progress"], 0.0), 1.0) * 100), (label, r)
        assert r["spark_drawn"] and r["points"] == want["points"], (label, r)
    statuses = {r["status"] for r in rows}
    assert {"达标", "未达标"} <= statuses  # the demo city has both: two colours seen
    assert truncated(page) == [], (label, truncated(page))
    assert _own_english(page) == [], (label, _own_english(page))


def test_leadership_reads_every_target_at_three_sizes(app, expected, chromium_path):
    from playwright.sync_api import sync_playwright

    base, _url = app
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            w, h = SIZES["1280x800"]
            page = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN").new_page()
            _login(page, base, LEADER, "/targets")
            page.locator("table.gsyf-overview").wait_for(timeout=TIMEOUT_MS)
            for label, (w, h) in SIZES.items():
                page.set_viewport_size({"width": w, "height": h})
                _settle(page)
                _check_targets(page, expected, label)
                _screenshot(page, f"targets-{label}.png")
            page.set_viewport_size({"width": 1024, "height": 768})
            set_sidebar(page, False)
            _check_targets(page, expected, "1024x768, sidebar closed")
            _screenshot(page, "targets-1024x768-sidebar-closed.png")
            # The other tabs at the narrowest layout: nothing cut off, no English either.
            set_sidebar(page, True)
            for tab in ("指标详情", "期末评估"):
                page.get_by_role("tab", name=tab).click()
                _settle(page)
                page.wait_for_timeout(1_500)  # Vega draws after the rerun
                assert truncated(page) == [], (tab, truncated(page))
                assert _own_english(page) == [], (tab, _own_english(page))
                if tab == "指标详情":  # the first target's trend: the plan sets it no milestone
                    legend = page.locator('[data-testid="stVegaLiteChart"]').first.inner_text()
                    assert "实际值" in legend and "里程碑" not in legend, legend
        finally:
            browser.close()


def _task_form_value(page) -> str:
    """The task the edit form is for (the choice shown in its 任务 box)."""
    return page.get_by_role("combobox", name="任务（也可在上表中点选）").input_value()


def _select_row(page, box: dict, row: int) -> None:
    """Click the row's check box (the grid's first column) until the form shows its task: the
    grid's canvas may take a first click as focus only."""
    x, y = box["x"] + 18, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2
    for _ in range(3):
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        _settle(page)
        if _task_form_value(page).startswith(TASK):
            return
    raise AssertionError(f"selecting row {row} did not choose {TASK}: {_task_form_value(page)}")


def test_officer_edits_a_selected_task_in_place(app, chromium_path):
    from playwright.sync_api import sync_playwright

    base, url = app
    store = Store(url)
    plan = default_plan()
    order = task_table(store, plan, date.today())["任务编号"].tolist()
    store.engine.dispose()
    row = order.index(TASK)
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            w, h = SIZES["1280x800"]
            page = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN").new_page()
            _login(page, base, OFFICER, "/tasks")
            grid = page.locator('[data-testid="stDataFrame"]').first
            grid.wait_for(timeout=TIMEOUT_MS)
            main_text = page.locator('[data-testid="stMain"]').inner_text()
            assert "GSYF_" not in main_text and "环境变量" not in main_text  # no setting names
            assert "经办人" not in page.locator('[data-testid="stSidebar"]').inner_text()  # not typed there
            assert TASK not in _task_form_value(page)  # the first task until a row is chosen

            # Select the task's row with the row's own check box (the grid's first column).
            grid.scroll_into_view_if_needed()
            page.wait_for_timeout(1_000)  # the grid's canvas takes clicks once drawn
            box = grid.bounding_box()
            _select_row(page, box, row)
            form = page.locator(".st-key-task_edit_form")
            assert f"经办人：{OFFICER}（当前登录账号）" in form.inner_text()
            # The form sits right below the table: its top within a screen of the table's bottom.
            gap = form.bounding_box()["y"] - (box["y"] + box["height"])
            assert 0 <= gap < 150, gap

            for label, (w, h) in SIZES.items():
                page.set_viewport_size({"width": w, "height": h})
                _settle(page)
                assert truncated(page) == [], (label, truncated(page))
                assert _own_english(page) == [], (label, _own_english(page))
                _screenshot(page, f"tasks-{label}.png")
            set_sidebar(page, False)
            _settle(page)
            assert truncated(page) == [] and _own_english(page) == []
            set_sidebar(page, True)

            # Save a status change from the form below the selection.
            page.set_viewport_size({"width": 1280, "height": 800})
            _settle(page)
            form.get_by_role("combobox", name="状态", exact=True).click()
            page.keyboard.type("已完成")
            page.get_by_role("option", name="已完成", exact=True).click(timeout=TIMEOUT_MS)
            assert form.get_by_role("combobox", name="状态", exact=True).input_value() == "已完成"
            form.get_by_label("备注").fill("已召开两次会议")
            form.get_by_role("button", name="保存").click()
            page.get_by_text(f"已保存任务 {TASK} 的状态：已完成（经办人 {OFFICER}）").wait_for(timeout=TIMEOUT_MS)
            _settle(page)
        finally:
            browser.close()

    store = Store(url)
    saved = load_statuses(store, plan.plan_id).set_index("task_id").loc[TASK]
    edits = read_audit(store, action="task_edit")
    store.engine.dispose()
    assert saved["status"] == "已完成" and saved["updated_by"] == OFFICER
    assert saved["note"] == "已召开两次会议"
    assert edits[["user_name", "target"]].values.tolist() == [[OFFICER, f"{plan.plan_id}/{TASK}"]]
