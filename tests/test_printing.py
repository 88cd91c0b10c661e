"""Print products: map images rendered from the demo city and read back.

PNG size and dpi (Pillow), SVG parsed, PDF rasterised with pdftoppm (poppler-utils), the
classes and colours equal to the interactive map's, verdict colours at the rule's edge,
CJK glyphs present (no matplotlib "Glyph … missing" warning), and a clear Chinese message
when no CJK font is installed.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from gsyf_geo.analysis.filters import MapState, apply_state
from gsyf_geo.analysis.indicators import unit_indicators
from gsyf_geo.analysis.mapdata import load_map_data
from gsyf_geo.monitor.status import MET, MISSED, STATUS_COLORS
from gsyf_geo.plan import default_plan
from gsyf_geo.store import Store
from tests.conftest import need

Image.MAX_IMAGE_PIXELS = None


@pytest.fixture(scope="module")
def demo_map(demo_sqlite_path):
    """The demo city's map data with the default plan."""
    store = Store(f"sqlite:///{demo_sqlite_path}")
    plan = default_plan()
    data = load_map_data(store, plan=plan)
    yield store, plan, data
    store.engine.dispose()


class GlyphWatch(logging.Handler):
    """Collects matplotlib's missing-glyph complaints from warnings and logging."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_checked(func, *args, **kwargs):
    """Call ``func`` and fail if matplotlib reports a missing glyph."""
    watch = GlyphWatch()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(watch)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = func(*args, **kwargs)
    finally:
        logger.removeHandler(watch)
    texts = [str(w.message) for w in caught] + watch.messages
    missing = [t for t in texts if "Glyph" in t or "missing from font" in t]
    assert not missing, missing
    return out


def _view(demo_map, **state):
    from gsyf_geo.printing.mapimage import data_date_of, map_view

    store, plan, data = demo_map
    return map_view(data, MapState(**state), plan, data_date=data_date_of(store))


def test_png_a4_landscape_is_300_dpi_and_a4(demo_map):
    from gsyf_geo.printing.mapimage import render_map

    mv = _view(demo_map, indicator="accident_rate", layers=("districts", "bases"))
    png = render_checked(render_map, mv, "a4-landscape", "png")
    im = Image.open(io.BytesIO(png))
    assert im.size == (3508, 2480)
    assert im.info["dpi"][0] == pytest.approx(300, abs=0.01)
    # Not a blank page: the choropleth's class colours are drawn.
    colors = {"#{:02x}{:02x}{:02x}".format(*px[:3]) for _, px in im.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert len(set(mv.classes.colors) & colors) >= 2


@pytest.mark.parametrize(("size", "shape"), [("a4-portrait", (2480, 3508)), ("slide-16x9", (4000, 2250))])
def test_png_sizes(demo_map, size, shape):
    from gsyf_geo.printing.mapimage import render_map

    mv = _view(demo_map, indicator="training_coverage", unit="320412")
    im = Image.open(io.BytesIO(render_checked(render_map, mv, size, "png")))
    assert im.size == shape


def test_svg_and_pdf(demo_map, tmp_path):
    from gsyf_geo.printing.mapimage import render_map

    mv = _view(demo_map, indicator="enrollment_rate")
    svg = render_checked(render_map, mv, "a4-landscape", "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert float(root.get("width", "0").removesuffix("pt")) == pytest.approx(842, abs=0.5)  # A4 in points
    pdf = render_checked(render_map, mv, "a4-landscape", "pdf")
    assert pdf.startswith(b"%PDF")
    pages = rasterise(pdf, tmp_path)
    assert len(pages) == 1
    w, h = pages[0].size
    assert w > h and w / h == pytest.approx(297 / 210, rel=0.01)


def rasterise(pdf: bytes, tmp_path: Path, dpi: int = 40) -> list[Image.Image]:
    """The pages of ``pdf`` as images (pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        need("pdftoppm not found (apt install poppler-utils)")
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(tmp_path / "page")], check=True)
    return [Image.open(p) for p in sorted(tmp_path.glob("page*.png"))]


def test_same_classes_and_colours_as_the_interactive_map(demo_map):
    """Each unit's fill in the printed map is the fill of the folium choropleth."""
    from gsyf_geo.layers.riskmap import build_risk_map

    _store, plan, data = demo_map
    for indicator, scheme in (("accident_rate", "natural_breaks"), ("training_coverage", "quantiles")):
        state = MapState(indicator=indicator, scheme=scheme, layers=("districts",))
        view = apply_state(data, state)
        table = unit_indicators(view, data.years)
        m, _ = build_risk_map(state, view, table, plan=plan)
        folium_fills = {}
        for child in _walk(m):
            features = getattr(child, "data", {}) if child.__class__.__name__ == "GeoJson" else {}
            for f in features.get("features", []) if isinstance(features, dict) else []:
                if f["properties"].get("kind") == "unit":
                    folium_fills[f["properties"]["code"]] = f["properties"]["fill"]
        mv = _view(demo_map, indicator=indicator, scheme=scheme, layers=("districts",))
        assert len(folium_fills) == 7
        assert {c: mv.classes.fill(c) for c in folium_fills} == folium_fills
        assert len(set(folium_fills.values())) >= 2


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def test_verdicts_at_the_rules_edge():
    """A fall of exactly 20 % meets “降低20%以上”; 19.9 % does not; no value: not judged."""
    from gsyf_geo.printing.mapimage import indicator_verdicts

    plan = default_plan()
    table = pd.DataFrame(
        {"change_2020": [-0.2, -0.199, None], "training_coverage": [1.0, 0.999, None]},
        index=["320402", "320404", "320411"],
    )
    verdicts, text = indicator_verdicts(table, f"change_{plan.baseline_year}", plan)
    assert verdicts == {"320402": True, "320404": False, "320411": None}
    assert "20%" in text
    verdicts, text = indicator_verdicts(table, "training_coverage", plan)
    assert verdicts == {"320402": True, "320404": False, "320411": None}
    assert indicator_verdicts(table, "training_coverage", None) == ({}, None)


def test_verdict_colours_drawn(demo_map):
    """The change map colours each unit's value green/red by the plan's fall."""
    from gsyf_geo.printing.fonts import use_cjk_font
    from gsyf_geo.printing.mapimage import draw_map

    mv = _view(demo_map, indicator="change_2020")
    assert mv.verdicts and any(v is not None for v in mv.verdicts.values())
    with use_cjk_font():
        fig = draw_map(mv, "a4-landscape")
    colours = {t.get_text(): t.get_color() for ax in fig.axes for t in ax.texts}
    for code, met in mv.verdicts.items():
        if met is None:
            continue
        value = mv.indicator.fmt.format(mv.table.loc[code, "change_2020"])
        assert colours[value] == STATUS_COLORS[MET if met else MISSED]


def test_title_subtitle_and_notes(demo_map):
    from gsyf_geo.printing.fonts import use_cjk_font
    from gsyf_geo.printing.mapimage import draw_map

    mv = _view(demo_map, indicator="accident_rate", unit="320412", industries=("chemical",), years=(2024, 2025))
    assert mv.title == "武进区（不含经开区） 工伤事故发生率（2024–2025年）"
    assert "重点行业：化工" in mv.subtitle and "不含上下班途中事故" in mv.subtitle
    assert mv.file_stem() == "工伤事故发生率_武进区（不含经开区）_2024-2025"
    with use_cjk_font():
        fig = draw_map(mv, "a4-landscape")
    texts = " ".join(t.get_text() for t in fig.texts) + " ".join(t.get_text() for a in fig.axes for t in a.texts)
    for needed in ("演示数据", "数据来源", "数据更新：", "EPSG:4549", "北", " km", "武进区"):
        assert needed in texts, needed


def test_scale_bar_length():
    from gsyf_geo.printing.mapimage import nice_scale_km

    assert nice_scale_km(100_000) == 20  # a fifth of 100 km
    assert nice_scale_km(30_000) == 5
    assert nice_scale_km(500) == 1


def test_no_cjk_font_gives_chinese_instructions(monkeypatch, demo_map):
    from gsyf_geo.printing.fonts import CjkFontMissing
    from gsyf_geo.printing.mapimage import render_map

    monkeypatch.setenv("GSYF_NO_CJK_FONT", "1")
    mv = _view(demo_map)
    with pytest.raises(CjkFontMissing) as err:
        render_map(mv, "a4-landscape", "png")
    assert "fonts-noto-cjk" in str(err.value) and "中文字体" in str(err.value)


def test_cli_export_map(demo_db_url, tmp_path, capsys):
    from gsyf_geo.cli import main

    out = tmp_path / "map.png"
    code = main(["export", "map", "--indicator", "accident_rate", "--unit", "320412", "--size", "a4-landscape",
                 "--format", "png", "--out", str(out), "--dpi", "100"])  # fmt: skip
    assert code == 0
    im = Image.open(out)
    assert im.size == (1169, 826)  # 2480 / 3 rounded down
    assert main(["export", "map", "--indicator", "nope", "--out", str(tmp_path / "x.png")]) == 2
    assert "未知的指标" in capsys.readouterr().err
    # The data export is unchanged.
    assert main(["export", "enterprise", "--out", str(tmp_path / "e.csv")]) == 0
    assert (tmp_path / "e.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["export", "enterprise", "--format", "png", "--out", str(tmp_path / "e.png")]) == 2


# --------------------------------------------------------------------------- charts and deck

AS_OF = "2026-11-30"


@pytest.fixture(scope="module")
def city_results(demo_sqlite_path):
    from datetime import date

    from gsyf_geo.monitor.evaluation import evaluate_plan

    store = Store(f"sqlite:///{demo_sqlite_path}")
    plan = default_plan()
    yield plan, evaluate_plan(store, plan, date.fromisoformat(AS_OF))
    store.engine.dispose()


def test_chart_file_names_are_chinese(city_results):
    from gsyf_geo.printing.charts import chart_file_name

    plan, results = city_results
    accident = next(r for r in results if r.info.id == "accident_rate")
    assert chart_file_name(accident) == "工伤事故发生率_全市_2020-2025.png"
    assert all("/" not in chart_file_name(r) and " " not in chart_file_name(r) for r in results)


def test_trend_chart_has_target_line_verdict_and_whole_title(city_results):
    from gsyf_geo.printing.charts import trend_figure
    from gsyf_geo.printing.fonts import use_cjk_font

    plan, results = city_results
    r = next(r for r in results if r.info.id == "accident_rate")
    with use_cjk_font():
        fig = render_checked(trend_figure, r, plan)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        texts = {t.get_text(): t for t in fig.texts}
        title = next(t for s, t in texts.items() if s.startswith(r.target.name))
        # The title lies wholly inside the figure (no clipped characters).
        box = title.get_window_extent(renderer)
        assert box.y1 <= fig.bbox.y1 and box.x0 >= 0 and box.x1 <= fig.bbox.x1
    verdict = f"评价：{r.city.status}"
    assert verdict in texts
    assert texts[verdict].get_bbox_patch().get_facecolor()[:3] == pytest.approx(
        tuple(int(STATUS_COLORS[r.city.status][i:i + 2], 16) / 255 for i in (1, 3, 5)), abs=0.01
    )
    ax = fig.axes[0]
    target_lines = [ln for ln in ax.get_lines() if ln.get_label() == "目标要求"]
    assert len(target_lines) == 1
    assert target_lines[0].get_ydata()[0] == pytest.approx(r.city.required)


def test_overview_and_matrix_images(city_results):
    from gsyf_geo.printing.charts import matrix_png, overview_png

    plan, results = city_results
    over = Image.open(io.BytesIO(render_checked(overview_png, results, plan, "全市 目标总览", dpi=60)))
    matrix = Image.open(io.BytesIO(render_checked(matrix_png, results, plan, "期末评估", dpi=60)))
    for im in (over, matrix):
        assert im.size[0] == 800  # 13.333 in at 60 dpi
        colours = {"#{:02x}{:02x}{:02x}".format(*px[:3]) for _, px in im.convert("RGB").getcolors(1 << 20)}
        statuses = {r.city.status for r in results}
        assert {STATUS_COLORS[s] for s in statuses} <= colours


@pytest.mark.parametrize(
    ("direction", "values", "expected"),
    [
        ("at_least", {2024: 0.5, 2025: 0.6}, ("↑", True)),
        ("reduce_by", {2024: 40.0, 2025: 38.0}, ("↓", True)),
        ("reduce_by", {2024: 38.0, 2025: 40.0}, ("↑", False)),
        ("at_least", {2024: 0.6, 2025: 0.6}, ("→", None)),
        ("at_least", {2024: None, 2025: 0.6}, ("—", None)),
    ],
)
def test_trend_text(city_results, direction, values, expected):
    """The trend compares the last two complete years; up is good only for at_least."""
    from dataclasses import replace
    from datetime import date

    from gsyf_geo.printing.deck import BAD, GOOD, trend_text

    _plan, results = city_results
    r = results[0]
    r = replace(r, target=replace(r.target, direction=direction),
                values=replace(r.values, city={**values, 2026: 99.0}), as_of=date(2026, 11, 30))  # fmt: skip
    text, colour = trend_text(r)
    assert text.startswith(expected[0])
    assert colour == (None if expected[1] is None else GOOD if expected[1] else BAD)


@pytest.fixture(scope="module")
def briefs(demo_sqlite_path):
    from datetime import date

    from gsyf_geo.printing.deck import build_brief
    from gsyf_geo.store import Scope

    store = Store(f"sqlite:///{demo_sqlite_path}")
    plan = default_plan()
    day = date.fromisoformat(AS_OF)
    city = render_checked(build_brief, store, plan, as_of=day, dpi=50)
    district = render_checked(build_brief, store, plan, scope=Scope.district("320402"), as_of=day, dpi=50,
                              map_indicators=["accident_rate"])  # fmt: skip
    yield city, district
    store.engine.dispose()


def test_deck_pptx_read_back(briefs, city_results):
    from pptx import Presentation
    from pptx.util import Inches

    city, _ = briefs
    _plan, results = city_results
    prs = Presentation(io.BytesIO(render_checked(city.pptx)))
    assert len(prs.slides) == city.slide_count >= 12
    assert prs.slide_height == Inches(7.5) and prs.slide_width * 9 == prs.slide_height * 16  # 16:9
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == "全市工伤预防工作推进会"
    assert any(t.startswith("规划目标完成情况") for t in titles)
    assert any("排名" in t for t in titles) and any("基地布局" in t for t in titles)
    # Every target is in the targets table, its status cell in the status colour.
    cells = {}
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_table:
                for row in list(shape.table.rows)[1:]:
                    cells[row.cells[0].text] = row.cells
    for r in results:
        row = cells[r.target.name]
        status = row[4]
        assert status.text == r.city.status
        assert str(status.fill.fore_color.rgb) == STATUS_COLORS[r.city.status].lstrip("#").upper()
    text = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert "演示数据" in text and "数据更新" in text
    notes = prs.slides[-1].notes_slide.notes_text_frame.text
    assert "工伤事故发生率" in notes


def test_deck_pdf_has_one_page_per_slide(briefs, tmp_path):
    city, _ = briefs
    pdf = render_checked(city.pdf)
    pages = rasterise(pdf, tmp_path, dpi=20)
    assert len(pages) == city.slide_count
    for page in pages:
        w, h = page.size
        assert w / h == pytest.approx(16 / 9, rel=0.02)
        assert len(page.convert("L").getcolors(1 << 16)) > 3  # not blank


def test_district_deck_holds_only_the_district(briefs):
    from pptx import Presentation

    _, district = briefs
    prs = Presentation(io.BytesIO(district.pptx()))
    assert prs.slides[0].shapes.title.text == "天宁区工伤预防工作推进会"
    ranking = next(s for s in district.slides if "排名" in s.title).table
    assert ranking["统计单元"].tolist() == ["天宁"]
    maps = [s for s in district.slides if s.kind == "full" and "天宁区" in s.title]
    assert maps


def test_cli_export_brief(demo_db_url, tmp_path):
    from pptx import Presentation

    from gsyf_geo.cli import main

    out = tmp_path / "brief.pptx"
    assert main(["export", "brief", "--out", str(out), "--scope", "district:320402", "--as-of", AS_OF]) == 0
    assert Presentation(out).slides[0].shapes.title.text == "天宁区工伤预防工作推进会"
    assert main(["export", "brief", "--out", str(tmp_path / "brief.docx")]) == 2


# --------------------------------------------------------------------------- follow-up workbooks

HOSTILE = "=HYPERLINK(\"http://x\",\"点我\")"


@pytest.fixture
def hostile_store(demo_db_url):
    """The demo copy plus one 天宁 chemical firm named like a formula, with an enrollment gap."""
    from gsyf_geo.credit_code import credit_code_check_char

    code = "91320402MA1XQQ000" + credit_code_check_char("91320402MA1XQQ000")
    store = Store(demo_db_url)
    store.upsert("enterprise", pd.DataFrame({
        "credit_code": [code], "name": [HOSTILE], "district": ["320402"], "town_code": ["320402002"],
        "lon": [119.98], "lat": [31.78], "key_industry": ["chemical"], "industry_code": ["C2614"],
        "risk_class": [6], "employees": [500], "insured": [1], "key_staff": [10], "key_staff_trained": [0],
        "address": ["+1 天宁"],
    }))  # fmt: skip
    with store.transaction() as conn:
        store.finish_batch(store.start_batch("test", conn), conn)
    yield store, code
    store.engine.dispose()


def test_followup_workbooks_read_back(hostile_store):
    import openpyxl

    from gsyf_geo.printing.workbooks import LISTS, followup_workbook

    store, code = hostile_store
    plan = default_plan()
    for kind in LISTS:
        wb = followup_workbook(store, plan, kind=kind, state=MapState(years=(2025, 2025)))
        book = openpyxl.load_workbook(io.BytesIO(wb.data))
        assert book.sheetnames == ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市"]
        total = 0
        for ws in book.worksheets:
            assert ws.freeze_panes == "A5"
            assert ws.auto_filter.ref.startswith("A4:")
            assert LISTS[kind] in ws["A1"].value and "筛选" in ws["A1"].value and ws.title in ws["A1"].value
            assert "演示数据" in ws["A2"].value
            headers = [c.value for c in ws[4]]
            for col, fmt in (("参保缺口（人）", "#,##0"), ("参保率", "0.0%"), ("培训覆盖率", "0.0%"),
                             ("开工日期", "yyyy-mm-dd"), ("施工人数", "#,##0")):  # fmt: skip
                if col in headers and ws.max_row > 4:
                    assert ws.cell(5, headers.index(col) + 1).number_format == fmt
            assert ws.column_dimensions["B"].width >= 10
            total += ws.max_row - 4
        assert total == wb.rows
    gaps = openpyxl.load_workbook(io.BytesIO(followup_workbook(store, plan, kind="gaps").data))["天宁区"]
    first = [c.value for c in gaps[5]]
    # The largest gap first: the hostile firm (gap 499), its name and address stored as text.
    assert first[0] == code and first[1] == HOSTILE and gaps.cell(5, 2).data_type == "s"
    assert first[6] == 499 and first[-1] == "+1 天宁"


def test_followup_filters_and_district_scope(hostile_store):
    import openpyxl

    from gsyf_geo.printing.workbooks import followup_workbook
    from gsyf_geo.store import Scope

    store, code = hostile_store
    plan = default_plan()
    wb = followup_workbook(store, plan, kind="gaps", scope=Scope.district("320402"),
                           state=MapState(industries=("chemical",)))  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(wb.data))
    assert book.sheetnames == ["天宁区"]
    ws = book["天宁区"]
    assert "重点行业：化工" in ws["A1"].value
    industries = {ws.cell(r, 4).value for r in range(5, ws.max_row + 1)}
    assert industries == {"化工"}


def test_cli_export_followup(hostile_store, tmp_path):
    import openpyxl

    from gsyf_geo.cli import main

    out = tmp_path / "untrained.xlsx"
    assert main(["export", "followup", "--list", "untrained", "--scope", "district:320412", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == ["武进区"]
