"""A district officer's path through the risk map, in headless Chromium (small demo city).

Filter 武进, a risk grade and a town in the sidebar, sort the list by 未培训人数, and check
what the officer checks: the list's sentence and first rows against a direct query of the
same data, the points coloured by risk grade with a legend, the town outlined, and the Excel
export (downloaded through the page) named by every filter, with number formats and Chinese
values. At 1024×768, 1280×800 and 1920×1080 nothing of the list is cut off and nothing of it
is in English; screenshots go to ``docs/screens/officer-<W>x<H>.png``.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from devkit.browser import CHROMIUM_ARGS, streamlit_app_or_fail, wait_idle
from devkit.uicheck import SIZES, english_texts, set_sidebar, truncated
from gsyf_geo.analysis.enterprise_list import PAGE_ROWS, list_file_stem, list_sentence
from gsyf_geo.analysis.filters import MapState, apply_state
from gsyf_geo.analysis.indicators import enterprise_table
from gsyf_geo.analysis.mapdata import load_map_data
from gsyf_geo.analysis.risk import RISK_GRADE_BY_ID
from gsyf_geo.geography import towns
from gsyf_geo.importing.schema import GEOCODE_PRECISION_LABELS
from gsyf_geo.monitor.evaluation import current_plan
from gsyf_geo.plan import available_plans
from gsyf_geo.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "docs" / "screens"
WUJIN = "320412"
TIMEOUT_MS = 120_000
FIRST_ROWS = 5
MAX_PNG_BYTES = 400_000
LIST_AREA = ".st-key-enterprise_list"

MY_TEXTS_JS = """(sel) => {
    const out = [];
    for (const root of document.querySelectorAll(sel)) {
        const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        while (w.nextNode()) { const t = w.currentNode.textContent.trim(); if (t) out.push(t.slice(0, 80)); }
        for (const el of root.querySelectorAll('[title], [aria-label], [placeholder]'))
            for (const a of ['title', 'aria-label', 'placeholder']) { const v = el.getAttribute(a); if (v) out.push(v.trim()); }
    }
    return out;
}"""


@pytest.fixture(scope="module")
def officer_app(demo_sqlite_path, tmp_path_factory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("officer")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    with streamlit_app_or_fail(f"sqlite:///{db}", tmp / "streamlit.log", unset=("GSYF_PLAN_DIR",)) as (url, _):
        yield url, f"sqlite:///{db}"


def _expected(db_url: str) -> tuple[MapState, str, str, object]:
    """The officer's filters, chosen from the data (the grade and the 武进 town with most
    enterprises of one grade), and the view a direct query gives for them."""
    store = Store(db_url)
    try:
        plan = current_plan(list(available_plans()), date.today())
        data = load_map_data(store, plan=plan)
    finally:
        store.engine.dispose()
    ent = apply_state(data, MapState(unit=WUJIN)).enterprises
    counts = ent.groupby(["grade", "town_code"]).size().sort_values(ascending=False)
    grade, town = counts.index[0]
    assert counts.iloc[0] >= FIRST_ROWS  # enough rows to compare
    state = MapState(unit=WUJIN, towns=(town,), grades=(grade,))
    return state, grade, town, apply_state(data, state)


def _settle(page) -> None:
    """Let a rerun start, then wait for it to end."""
    page.wait_for_timeout(700)
    wait_idle(page, TIMEOUT_MS)


def _choose(page, widget: str, label: str, text: str, shown: str) -> None:
    """Type ``text`` into the sidebar widget labelled ``label``, click the option ``shown``,
    and wait until the widget shows it and the page has rerun."""
    box = page.locator(f'[data-testid="stSidebar"] [data-testid="{widget}"]').filter(has_text=label).first
    box.locator("input").first.click()
    page.keyboard.type(text)
    # Click the option itself: Enter could take a "select all matches" entry.
    page.get_by_role("option", name=shown, exact=True).click(timeout=TIMEOUT_MS)
    page.keyboard.press("Escape")
    # A multiselect shows its choice as a chip, a selectbox as its input's value.
    box.element_handle().wait_for_element_state("stable")
    page.wait_for_function(
        """([el, shown]) => (el.textContent + [...el.querySelectorAll('input')].map(i => i.value).join(' '))
            .includes(shown)""",
        arg=[box.element_handle(), shown], timeout=TIMEOUT_MS,
    )
    _settle(page)


def _map_with(page, needles: tuple[str, ...]):
    """The map's frame once its text holds every one of ``needles`` (a rerun may replace
    the frame meanwhile), and that text."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    text = ""
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" not in frame.url:
                continue
            try:
                text = frame.evaluate("() => document.body ? document.body.textContent : ''")
            except Exception:  # noqa: BLE001 - replaced by a rerun meanwhile
                continue
            if all(n in text for n in needles):
                return frame, text
        page.wait_for_timeout(300)
    raise AssertionError(f"the map never showed {needles}; last text: {text[:300]!r}")


def _list_names(page, n: int) -> list[str]:
    grid = page.locator(f'{LIST_AREA} [data-testid="stDataFrame"]').first
    page.wait_for_function(
        f"""() => document.querySelectorAll('{LIST_AREA} [data-testid="stDataFrame"] td[aria-colindex="1"]')
            .length >= {n}""",
        timeout=TIMEOUT_MS,
    )
    cells = grid.locator('td[role="gridcell"][aria-colindex="1"]')
    return [cells.nth(i).inner_text() for i in range(n)]


def _mine(items: list, texts: set[str], key=lambda x: x) -> list:
    return [i for i in items if key(i)[:80] in texts]


def _screenshot(page, path: Path) -> None:
    """The page from the top to the end of the list (Streamlit scrolls inside its main box)."""
    from PIL import Image

    w, h = page.viewport_size["width"], page.viewport_size["height"]
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    bottom = page.evaluate(
        f"""() => {{ const m = document.querySelector('[data-testid="stMain"]');
            const l = document.querySelector('{LIST_AREA}');
            return Math.ceil(l.getBoundingClientRect().bottom + m.scrollTop + 24); }}"""
    )
    page.set_viewport_size({"width": w, "height": max(h, min(int(bottom), 6000))})
    page.wait_for_timeout(800)
    raw = page.screenshot(type="png")
    page.set_viewport_size({"width": w, "height": h})
    image = Image.open(io.BytesIO(raw))
    image.save(path, optimize=True)
    if path.stat().st_size > MAX_PNG_BYTES:
        image.convert("RGB").quantize(colors=128).save(path, optimize=True)
    assert path.stat().st_size <= MAX_PNG_BYTES


def test_officer_filters_sorts_and_exports(officer_app, chromium_path, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import expect, sync_playwright

    url, db_url = officer_app
    state, grade, town, view = _expected(db_url)
    town_name = dict(zip(towns()["code"], towns()["name"], strict=True))[town]
    grade_name = RISK_GRADE_BY_ID[grade].name
    expected = enterprise_table(view, sort="untrained")
    total = len(expected)
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                          accept_downloads=True)  # fmt: skip
            page = context.new_page()
            page.goto(url, wait_until="domcontentloaded")
            page.locator(f'{LIST_AREA} [data-testid="stDataFrame"]').first.wait_for(timeout=TIMEOUT_MS)
            wait_idle(page, TIMEOUT_MS)

            # 1. The officer's filters, in the sidebar, and the order.
            _choose(page, "stSelectbox", "辖市区", "武进", "武进")
            _choose(page, "stMultiSelect", "风险等级", grade_name[0], grade_name)
            _choose(page, "stMultiSelect", "乡镇", town_name, town_name)
            radio = page.locator(f'{LIST_AREA} [data-testid="stRadio"]').filter(has_text="排序")
            radio.get_by_text("未培训人数", exact=True).click()
            caption = page.locator(f'{LIST_AREA} [data-testid="stCaptionContainer"]').first
            expect(caption).to_contain_text("按未培训人数排序", timeout=TIMEOUT_MS)
            _settle(page)

            # 2. The list says how it is sorted and how many; its first rows are the query's.
            assert caption.inner_text() == list_sentence("untrained", total, min(total, PAGE_ROWS))
            assert _list_names(page, FIRST_ROWS) == expected["单位名称"].head(FIRST_ROWS).tolist()

            # 3. The map: points coloured by risk grade (legend), the chosen town outlined.
            frame, legend = _map_with(page, ("所选乡镇（街道）", "企业（按风险等级）"))
            assert grade_name in legend and "企业（按重点行业）" not in legend
            assert town_name in legend  # the outline's label

            # 4. The Excel export, downloaded through the page.
            stem = list_file_stem("武进", state, view.years, "untrained")
            with page.expect_download(timeout=TIMEOUT_MS) as download:
                page.locator(LIST_AREA).get_by_role("button", name="导出 Excel").click()
            name = download.value.suggested_filename
            assert name == f"{stem}.xlsx"
            for words in ("武进", town_name, grade_name, f"{view.years[1]}年", "按未培训人数排序"):
                assert words in name
            saved = tmp_path / name
            download.value.save_as(saved)
            ws = load_workbook(saved).active
            title = ws["A1"].value
            for words in ("武进", town_name, grade_name, f"{view.years[1]}年", "按未培训人数排序", f"共 {total:,} 家"):
                assert words in title
            header = [c.value for c in ws[4]]
            col = {h: i for i, h in enumerate(header)}
            assert f"工伤人数（{view.years[1]}年）" in col
            rows = list(ws.iter_rows(min_row=5, values_only=False))
            assert len(rows) == total
            assert [r[col["单位名称"]].value for r in rows[:FIRST_ROWS]] == expected["单位名称"].head(FIRST_ROWS).tolist()
            assert rows[0][col["参保率"]].number_format == "0.0%"
            assert rows[0][col["职工人数"]].number_format == "#,##0"
            assert {r[col["定位方式"]].value for r in rows} <= set(GEOCODE_PRECISION_LABELS.values())
            assert {r[col["风险等级"]].value for r in rows} == {grade_name}

            # 5. Three screen sizes: nothing of the list cut off, nothing in English.
            other: dict[str, list] = {}
            for size, (w, h) in SIZES.items():
                page.set_viewport_size({"width": w, "height": h})
                page.wait_for_timeout(1_000)
                frame, _ = _map_with(page, ("所选乡镇（街道）",))
                mine = set(page.evaluate(MY_TEXTS_JS, LIST_AREA)) | set(frame.evaluate(MY_TEXTS_JS, ".gsyf-legend"))
                cut = truncated(page)
                assert _mine(cut, mine, key=lambda i: i["text"]) == [], size
                other[size] = [i["text"] for i in cut if i["text"][:80] not in mine]
                # The list's own texts and Streamlit's around it (grid toolbar, help), in Chinese.
                assert _mine(english_texts(page), mine) == [], size
                _screenshot(page, SCREENS / f"officer-{size}.png")
            # The small screen with the sidebar closed.
            page.set_viewport_size({"width": 1024, "height": 768})
            set_sidebar(page, False, settle_ms=1_000)
            mine = set(page.evaluate(MY_TEXTS_JS, LIST_AREA))
            assert _mine(truncated(page), mine, key=lambda i: i["text"]) == []
            print("cut off elsewhere on the page (not the list):", other)
        except Exception:
            page.screenshot(path=str(tmp_path / "failed.png"))
            print("screenshot of the failure:", tmp_path / "failed.png")
            raise
        finally:
            browser.close()
