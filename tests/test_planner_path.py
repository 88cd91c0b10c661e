"""The planner's path in headless Chromium at the three office screen sizes (issue 13, "Planner").

A planner opens 基地选址 on the small demo city and runs the page's default problem (maximal
covering). They read, in plain Chinese, whether the answer is proven best; each new base as
"第 k 家：新增 X 人（站点名）" in the numbering of the map, adding up to the covered total the
page shows; figures with units and thousands separators, never "None"; district names above
the base markers. At every size nothing is cut off and no English of the page's own shows.
Last they click the map to add a candidate, which is listed by name. Screenshots:
``docs/screens/planner-<WxH>.png``.
"""

from __future__ import annotations

import re
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
from devkit.uicheck import SIZES, english_texts, save_full_page, set_sidebar, truncated

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "docs" / "screens"
TIMEOUT_MS = 180_000
MAX_PNG_BYTES = 400_000
VERDICT = re.compile(
    r"求解结论：(已找到最优方案（可证明无更优）|在时限（[\d.]+ 秒）内找到的方案，最多可能比最优差 [\d.]+%.*)"
)
STEP = re.compile(r"第 (\d+) 家：新增 ([\d,]+) 人（(.+)）")
TOTAL = re.compile(r"合计：新选址新增覆盖 ([\d,]+) 人；加上已建基地覆盖的 ([\d,]+) 人，共覆盖 ([\d,]+) 人")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def app_url(demo_sqlite_path, tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("planner_path")
    db = tmp / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, db)
    with streamlit_app_or_fail(f"sqlite:///{db}", tmp / "streamlit.log", timeout_s=90) as (url, _p):
        yield url


def _settle(page) -> None:
    wait_idle(page, TIMEOUT_MS)
    page.wait_for_timeout(700)


def _check_figures(page, frame) -> None:
    """What the planner checks: the verdict, each new base's gain, the totals, the map."""
    main = page.locator('[data-testid="stMain"]')
    text = main.inner_text()
    verdicts = [t for t in page.locator('[data-testid="stAlert"]').all_inner_texts() if "求解结论" in t]
    assert len(verdicts) == 1 and VERDICT.fullmatch(verdicts[0].strip()), verdicts
    for word in ("最优间隙", "Optimal", "HiGHS", "None", "nan", "序号"):
        assert word not in text, word
    cells = " ".join(main.locator('[data-testid="stDataFrame"] td').all_inner_texts())
    assert "None" not in cells and "nan" not in cells
    assert "—（已建）" in cells  # existing bases: no "new coverage" of their own

    metrics = dict(
        (t.split("\n")[0].strip(), t.split("\n")[-1].strip())
        for t in page.locator('[data-testid="stMetric"]').all_inner_texts()
    )
    p = int(page.locator('input[aria-label="新增基地数 p"]').input_value())
    assert metrics["新选址数"] == f"{p} 家"
    covered = re.fullmatch(r"([\d,]+) 人", metrics["覆盖需求"])
    assert covered and re.fullmatch(r"\d{1,3}(,\d{3})+ 人", metrics["覆盖需求"])  # separators

    lines = [t.strip() for t in main.locator("li").all_inner_texts() if t.strip().startswith("第 ")]
    steps = [STEP.fullmatch(t) for t in lines]
    assert all(steps) and [int(m.group(1)) for m in steps] == list(range(1, p + 1)), lines
    gains = [_int(m.group(2)) for m in steps]
    assert all(g > 0 for g in gains) and all(m.group(3).strip() for m in steps)
    total = TOTAL.search(text)
    assert total, "the total line under the gains"
    new, fixed, all_ = (_int(total.group(i)) for i in (1, 2, 3))
    assert abs(sum(gains) - new) <= p  # each line rounded to a person
    assert abs(fixed + new - all_) <= 1 and all_ == _int(covered.group(1))

    # The map numbers the new bases as the lines do; district names stay above the markers.
    numbers = sorted(int(t) for t in frame.locator(".gsyf-site-chosen").all_inner_texts())
    assert numbers == list(range(1, p + 1))
    z = frame.evaluate(
        """() => ({
            labels: [...document.querySelectorAll('.gsyf-district-label')].map(e => +getComputedStyle(e).zIndex),
            sites: [...document.querySelectorAll('.gsyf-site')].map(e => +getComputedStyle(e).zIndex)})"""
    )
    assert len(z["labels"]) >= 6 and z["sites"] and min(z["labels"]) > max(z["sites"]), z


def _city_in_frame(frame) -> bool:
    """The whole city (every district) lies inside the map's view."""
    return frame.evaluate(
        """() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            let city = null;
            map.eachLayer(l => { if (l.feature && l.getBounds && l.feature.properties
                                     && 'adcode' in l.feature.properties) {
                city = city ? city.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(),
                                                                         l.getBounds().getNorthEast()); } });
            return !!city && map.getBounds().contains(city);
        }"""
    )


def test_planner_reads_the_default_answer_at_every_size(app_url, chromium_path):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            w, h = SIZES["1280x800"]
            context = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
            context.on("request", lambda r: requests.append(r.url))
            page = context.new_page()
            page.goto(f"{app_url}/siting", wait_until="domcontentloaded")
            frame = folium_frame(page, TIMEOUT_MS / 1000, containing=".gsyf-site-chosen")
            _settle(page)
            assert page.locator("h1", has_text="宣传培训基地选址").count() == 1
            _check_figures(page, frame)

            for label, (w, h) in SIZES.items():
                page.set_viewport_size({"width": w, "height": h})
                set_sidebar(page, True)
                _settle(page)
                assert truncated(page) == [], (label, truncated(page))
                assert _city_in_frame(folium_frame(page, 60, containing=".gsyf-site-chosen")), label
                assert english_texts(page) == [], (label, english_texts(page))  # Streamlit's own too
                save_full_page(page, SCREENS / f"planner-{label}.png", MAX_PNG_BYTES)
                if label == "1024x768":
                    set_sidebar(page, False)
                    _settle(page)
                    assert truncated(page) == [], (label, "sidebar closed", truncated(page))
                    set_sidebar(page, True)

            # A click on the map adds a candidate, listed by its name (never "序号 0").
            page.set_viewport_size({"width": 1280, "height": 800})
            _settle(page)
            frame = folium_frame(page, TIMEOUT_MS / 1000, containing=".gsyf-site-chosen")
            leaflet = frame.locator(".leaflet-container")
            box = leaflet.bounding_box()
            leaflet.click(position={"x": box["width"] * 0.62, "y": box["height"] * 0.45})  # scrolls to it
            added = page.locator('[data-testid="stMain"] li', has_text="地图选点 1（")
            added.wait_for(timeout=TIMEOUT_MS)
            assert re.match(r"地图选点 1（.+）：经度 \d+\.\d{5}，纬度 \d+\.\d{5}", added.inner_text())
            _settle(page)
            assert "序号" not in page.locator('[data-testid="stMain"]').inner_text()
        finally:
            browser.close()
    outside = outside_requests(requests)
    assert outside == [], f"requests left the machine: {outside}"
