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
