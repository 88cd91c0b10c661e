"""The risk map's layer builders: what they draw, in which colours, and what they escape."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from gsyf_geo.analysis.filters import LAYERS, MapState, apply_state
from gsyf_geo.analysis.indicators import unit_indicators
from gsyf_geo.analysis.mapdata import load_map_data
from gsyf_geo.analysis.risk import RISK_GRADE_BY_ID
from gsyf_geo.domain import KEY_INDUSTRY_BY_ID
from gsyf_geo.geography import reporting_units
from gsyf_geo.layers.accidents import accident_layer, injury_grid
from gsyf_geo.layers.bases import base_figure, base_layer, base_target
from gsyf_geo.layers.districts import (
    CLASS_COLORS,
    MEETS_COLOR,
    MISSES_COLORS,
    UNJUDGED_FILL,
    choropleth_classes,
    district_layer,
)
from gsyf_geo.layers.enterprises import HEX_COLORS, enterprise_layer
from gsyf_geo.layers.offline import make_offline_map
from gsyf_geo.layers.projects import project_figure, project_layer, project_target
from gsyf_geo.layers.riskmap import build_risk_map
from gsyf_geo.plan import default_plan

XSS = "<img src=x onerror=alert(1)>"


def _render(*groups) -> str:
    m = make_offline_map()
    for g in groups:
        g.add_to(m)
    return m.get_root().render()


def _legends(html: str) -> str:
    """The text of every legend of a rendered map (their HTML is embedded as JSON)."""
    return " ".join(json.loads(m) for m in re.findall(r"div\.innerHTML = (\".*?\");", html))


def _layer_data(html: str, kind: str) -> dict:
    """The JSON a canvas layer of ``kind`` embeds."""
    for match in re.finditer(r"var d = (\{.*?\});\n", html):
        data = json.loads(match.group(1))
        if data.get("kind") == kind:
            return data
    raise AssertionError(f"no canvas layer of kind {kind}")


@pytest.fixture(scope="module")
def demo_view(demo_sqlite_path):
    from gsyf_geo.store import Store

    store = Store(f"sqlite:///{demo_sqlite_path}")
    data = load_map_data(store)
    store.engine.dispose()
    return data, apply_state(data, MapState())


def _few_enterprises() -> pd.DataFrame:
    return pd.DataFrame({
        "credit_code": ["A", "B"], "name": [XSS, "乙机械"], "key_industry": ["chemical", "machinery"],
        "grade": ["red", "blue"], "lon": [119.985, 119.96], "lat": [31.955, 31.70],
        "x": [0.0, 1.0], "y": [0.0, 1.0], "employees": [100, 10], "insured": [90, 10], "gap": [10, 0],
        "key_staff": [5, 3], "key_staff_trained": [5, 0], "injuries_window": [2, 0],
        "address": ["<b>春江</b>", "湖塘"],
    })  # fmt: skip


def test_few_enterprises_are_points_coloured_by_industry_or_grade():
    ent = _few_enterprises()
    group, info = enterprise_layer(ent, color_by="industry")
    assert (info.mode, info.drawn) == ("points", 2)
    data = _layer_data(_render(group), "enterprise")
    colors = [data["palette"][i] for i in data["c"]]
    assert colors == [KEY_INDUSTRY_BY_ID["chemical"].color, KEY_INDUSTRY_BY_ID["machinery"].color]
    assert data["ids"] == ["A", "B"]
    card = dict(zip(data["cardLabels"], data["cardValues"][0], strict=True))
    assert card["参保缺口"] == 10 and card["重要岗位培训"] == "5/5" and card["重点行业"] == "化工"
    group, _ = enterprise_layer(ent, color_by="grade")
    data = _layer_data(_render(group), "enterprise")
    assert [data["palette"][i] for i in data["c"]] == [RISK_GRADE_BY_ID["red"].color, RISK_GRADE_BY_ID["blue"].color]


def test_names_and_addresses_never_become_markup():
    html = _render(enterprise_layer(_few_enterprises())[0])
    assert XSS not in html and "<b>春江" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    # Tooltips and popups are built with textContent, never innerHTML.
    assert "gsyfText(d.tips[i])" in html and "textContent" in html


def test_many_enterprises_far_out_are_hexagons(demo_view):
    _, view = demo_view
    group, info = enterprise_layer(view.enterprises, zoom=9)
    assert info.mode == "hexagons" and info.enterprises_in_view == len(view.enterprises)
    data = _layer_data(_render(group), "hexagon")
    assert len(data["rings"]) == info.drawn and all(len(r) == 7 for r in data["rings"])
    assert set(data["palette"]) <= set(HEX_COLORS)
    # Each tooltip names a count; together they hold every enterprise.
    counts = [int(re.search(r"企业 ([\d,]+) 家", t).group(1).replace(",", "")) for t in data["tips"]]
    assert sum(counts) == len(view.enterprises)


def test_bounds_decide_what_is_drawn(demo_view):
    _, view = demo_view
    ent = view.enterprises
    south, west, north, east = 31.93, 119.90, 32.0, 120.02  # around the 滨江 chemical park
    inside = ent[(ent.lat >= south) & (ent.lat <= north) & (ent.lon >= west) & (ent.lon <= east)]
    group, info = enterprise_layer(ent, bounds=(south, west, north, east), zoom=13)
    assert info.mode == "points" and info.drawn == len(inside) > 0
    assert sorted(_layer_data(_render(group), "enterprise")["ids"]) == sorted(inside["credit_code"])


def test_choropleth_classes_and_colours():
    units = reporting_units()
    values = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0], index=units["code"])
    html = _render(district_layer(units, values, key="code", value_label="事故率"))
    fills = dict(re.findall(r'"code": "(\w+)",.*?"fill": "(#\w+)"', html))
    assert fills["320402"] == CLASS_COLORS[0] and fills["JKQ"] == CLASS_COLORS[-1]
    html = _render(district_layer(units, values, key="code", higher_is_worse=False))
    fills = dict(re.findall(r'"code": "(\w+)",.*?"fill": "(#\w+)"', html))
    assert fills["320402"] == CLASS_COLORS[-1] and fills["JKQ"] == CLASS_COLORS[0]
    q = _render(district_layer(units, values, key="code", scheme="quantiles"))
    assert "gsyf-legend" in q


def test_projects_layer_colours_and_target_legend():
    projects = pd.DataFrame({
        "project_code": ["P1", "P2", "P3", "P4"], "name": ["一", "二", "三", "四"],
        "lon": [119.9, 119.91, 119.92, 119.93], "lat": [31.8] * 4,
        "start_date": pd.to_datetime(["2025-01-01"] * 4), "cost_wan_yuan": [1.0] * 4, "workers": [10] * 4,
        "insured_by_project": [True, True, True, False],
    })  # fmt: skip
    target = project_target(default_plan())  # the plan's “90%以上”, not a constant
    html = _render(project_layer(projects, target=target))
    data = _layer_data(html, "project")
    assert [data["palette"][i] for i in data["c"]] == ["#2ca02c"] * 3 + ["#d62728"]
    assert "75.0%（目标 ≥90%：未达到）" in _legends(html)
    assert "≥" not in _legends(_render(project_layer(projects)))  # no plan, no target
    assert project_figure(0.9, target).met is True and project_figure(0.8999, target).met is False


def test_bases_count_against_the_target_in_the_year():
    bases = pd.DataFrame({
        "site_code": ["B1", "B2", "B3"], "name": ["一", "二", "三"], "kind": ["技工院校"] * 3,
        "status": ["existing", "existing", "planned"], "year": [2021, 2024, 2025], "capacity": [1, 2, 3],
        "lon": [119.9, 119.95, 120.0], "lat": [31.8] * 3, "address": ["", "", ""],
    })  # fmt: skip
    target = base_target(default_plan())  # the plan's “10家左右”
    assert "已建 1 / 目标 10 家" in _legends(_render(base_layer(bases, year=2022, target=target)))
    html = _render(base_layer(bases, year=2025, target=target))
    assert "已建 2 / 目标 10 家" in _legends(html)
    # A district shows its part of the city, never the city target.
    district = _legends(_render(base_layer(bases, year=2025, target=target, city_existing=9)))
    assert "已建 2 家" in district and "占全市 22.2%" in district and "/ 目标" not in district
    circles = re.search(r'var d = (\{"lat".*?"dashed".*?\});', html)
    assert circles and len(json.loads(circles.group(1))["lat"]) == 3


def test_base_figure_applies_the_plans_tolerance():
    target = base_target(default_plan())
    assert (target.target, target.tolerance) == (10, 0.1)  # “10家左右”
    assert base_figure(9, target).met is True and "≥ 9家即达标" in base_figure(9, target).note
    assert base_figure(8, target).met is False and base_figure(8, target).value == "8 / 10"
    unit = base_figure(1, target, city_existing=9)
    assert unit.met is None and unit.value == "1" and unit.note.startswith("占全市 11.1%")
    # A user who may see one district only: not judged either, though the city is unknown.
    alone = base_figure(10, target, in_unit=True)
    assert alone.met is None and alone.value == "10" and "不分解" in alone.note


def test_accident_heat_is_aggregated_on_a_grid():
    inj = pd.DataFrame({"x": [10.0, 20.0, 300.0, np.nan], "y": [10.0, 30.0, 10.0, 0.0]})
    inj["x"] += 500_000
    inj["y"] += 3_500_000
    grid = injury_grid(inj, 250.0)
    assert sorted(grid["count"]) == [1, 2]
    assert "HeatLayer" in _render(accident_layer(inj)) or "heatLayer" in _render(accident_layer(inj))


def test_whole_city_map_is_small_and_offline(demo_view):
    data, view = demo_view
    state = MapState(layers=tuple(LAYERS))
    table = unit_indicators(view, data.years)
    m, gcj02 = build_risk_map(state, view, table)
    group, _ = enterprise_layer(view.enterprises, zoom=9)
    group.add_to(m)
    html = m.get_root().render()
    assert not gcj02
    assert len(html.encode()) < 1_500_000
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", html.split("<body>")[-1])
    for name in ("天宁区", "经开区", "武进区"):
        assert name in html


def test_map_opens_at_the_unit_without_animating_before_drawing_its_layers(demo_view):
    # An animated fitBounds after the layers would draw every path twice on page load.
    data, view = demo_view
    state = MapState(unit="320481", layers=("districts", "bases"))
    m, _ = build_risk_map(state, view, unit_indicators(view, data.years))
    script = m.get_root().render().split("<body>")[-1]
    fit = re.search(r"L\.latLngBounds\((\[\[.*?\]\])\);\s*var options = (\{.*?\});", script, re.S)
    assert fit and "animate: false" in fit.group(2) and "padding: [12, 12]" in fit.group(2)
    (south, west), (north, east) = json.loads(fit.group(1))
    assert 31.0 < south < north < 31.7 and 119.1 < west < east < 119.7  # 溧阳
    assert script.index("L.map(") < fit.start() < min(script.index(s) for s in ("L.featureGroup(", "L.geoJson("))
    # Fitted again when the frame changes width, in quarter zoom steps (the city fills the frame).
    assert 'map.on("resize", fit)' in script.replace(m.get_name(), "map") or '.on("resize", fit)' in script
    assert '"zoomSnap": 0.25' in script


# --- colours anchored to the plan's target (docs/map_colours.md) ---------------------------------


def test_anchored_colours_green_only_when_the_target_is_met():
    from gsyf_geo.analysis.ranking import indicator_target

    plan = default_plan()  # training coverage of 重点企业: ≥ 100%
    table = pd.DataFrame(
        {"training_coverage": [1.0, 0.999, 0.827, 0.5, 0.7, np.nan, 1.0]},
        index=["320402", "320404", "320411", "320412", "320413", "320481", "JKQ"],
    )
    anchor = indicator_target(table, "training_coverage", plan)
    assert anchor.text == "≥ 100.0%"
    # Exactly at the target meets it; just below does not; no value cannot be said.
    assert anchor.met["320402"] is True and anchor.met["320404"] is False and anchor.met["320481"] is None
    classes = choropleth_classes(table["training_coverage"], higher_is_worse=False, value_format="{:.1%}",
                                 met=anchor.met, target_text=anchor.text)  # fmt: skip
    assert classes.fill("320402") == classes.fill("JKQ") == MEETS_COLOR
    # 82.7% is not "good" though it is near the top of the values: a warm class.
    missed = {c: classes.fill(c) for c in ("320404", "320411", "320412", "320413")}
    assert MEETS_COLOR not in missed.values() and set(missed.values()) <= set(MISSES_COLORS)
    # Lower is worse: the lowest value takes the darkest class, the one nearest the target the lightest.
    assert MISSES_COLORS.index(missed["320412"]) > MISSES_COLORS.index(missed["320404"])
    assert classes.fill("320481") not in (MEETS_COLOR, *MISSES_COLORS)  # no data: grey
    rows = classes.legend_rows
    assert rows[0] == (MEETS_COLOR, "达到目标（≥ 100.0%）") and all(t.startswith("未达到") for _, t in rows[1:])
    # Relative classes (the old rule) would have made the best-missing unit the lightest "good" colour.
    relative = choropleth_classes(table["training_coverage"], higher_is_worse=False)
    assert relative.fill("320411") != MEETS_COLOR


def test_anchored_accident_fall_edges():
    from gsyf_geo.analysis.ranking import indicator_target

    plan = default_plan()  # accident rate: 20 % below 2020
    base = plan.baseline_year
    table = pd.DataFrame({
        "accident_rate": [40.0, 40.0, 41.0, 30.0],
        f"change_{base}": [-0.20, -0.1999, 0.05, None],
    }, index=["320402", "320404", "320411", "320412"])  # fmt: skip
    on_change = indicator_target(table, f"change_{base}", plan)
    assert on_change.met == {"320402": True, "320404": False, "320411": False, "320412": None}
    assert on_change.text == f"较{base}年降低≥20%"
    on_rate = indicator_target(table, "accident_rate", plan)  # each unit against its own baseline
    assert on_rate.met == on_change.met
    classes = choropleth_classes(table["accident_rate"], met=on_rate.met, target_text=on_rate.text)
    assert classes.fill("320402") == MEETS_COLOR and classes.fill("320412") == UNJUDGED_FILL
    assert indicator_target(table.rename(columns={"accident_rate": "gap"}), "gap", plan) is None  # no target


def test_district_tooltip_gives_the_units_own_figures_and_verdict():
    units = reporting_units()
    values = pd.Series([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4], index=units["code"])
    met = {c: v >= 1.0 for c, v in values.items()}
    html = _render(district_layer(units, values, key="code", value_label="重要岗位培训覆盖率（%）",
                                  value_format="{:.1%}", higher_is_worse=False, met=met, target_text="≥ 100.0%"))  # fmt: skip
    props = dict(re.findall(r'"code": "(\w+)",.*?"verdict": "(.*?)"', html.encode().decode("unicode_escape")))
    assert props["320402"] == "达到目标（目标 ≥ 100.0%）" and props["320404"] == "未达到目标（目标 ≥ 100.0%）"
    decoded = html.encode().decode("unicode_escape")
    assert "对照规划目标" in decoded and "重要岗位培训覆盖率（%）" in decoded


def test_every_layer_has_a_legend_in_one_folding_box():
    injuries = pd.DataFrame({"x": [500.0, 520.0, 9000.0] * 3, "y": [3500000.0, 3500010.0, 3501000.0] * 3})
    html = _render(accident_layer(injuries))
    legend = _legends(html)
    assert "事故热力图（认定工伤 9 人）" in legend and "较多" in legend and "较少" in legend
    # One box (a <details> that folds below 1000 px of map width), titled in Chinese.
    assert "gsyfLegendBox" in html and '"details"' in html and "图例" in html
    assert "details.open = width >= openWidth" in html


def test_leaflet_controls_speak_chinese():
    html = make_offline_map().get_root().render()
    decoded = html.encode().decode("unicode_escape")
    assert '"放大"' in decoded and '"缩小"' in decoded
    assert "setPrefix(false)" in html and 'setPrefix("Leaflet")' not in html


# --- the ranked panel: the 期末评估 matrix in small -------------------------------------------------


def test_ranked_panel_is_the_plan_evaluation_and_sorts_by_any_target(demo_sqlite_path):
    from datetime import date

    from gsyf_geo.analysis.ranking import BY_MISSES, ranked_panel
    from gsyf_geo.domain import REPORTING_UNIT_BY_CODE
    from gsyf_geo.monitor.evaluation import evaluate_plan, final_tables
    from gsyf_geo.monitor.status import BEHIND, MISSED
    from gsyf_geo.store import Store

    store = Store(f"sqlite:///{demo_sqlite_path}")
    plan = default_plan()
    day = date(2026, 3, 31)
    results = evaluate_plan(store, plan, day)
    store.engine.dispose()
    panel = ranked_panel(results)
    assert list(panel.status.index) == ["320402", "320404", "320411", "320412", "320413", "320481", "JKQ"]
    # Every column is a target judged per unit; the cells are the targets page's matrix.
    matrix = final_tables(results, plan)["分区汇总"].set_index("指标")
    names = {c.key: c.name for c in panel.columns}
    assert len(panel.columns) >= 4 and "工伤保险参保人数" not in " ".join(names.values())  # no city totals
    for key, name in names.items():
        for code in ("320412", "JKQ", "320481"):
            assert panel.status.at[code, key] == matrix.at[name, REPORTING_UNIT_BY_CODE[code].name], (key, code)
    # Sorted by a target: worst first. Coverage (≥): the lowest value first.
    coverage = next(c.key for c in panel.columns if c.direction == "at_least")
    order = panel.order(coverage)
    values = [float(str(panel.text.at[c, coverage]).rstrip("%")) for c in order if panel.text.at[c, coverage] != "无数据"]
    assert values == sorted(values)
    # The accident-rate fall (reduce_by): the smallest fall first.
    fall = next(c.key for c in panel.columns if c.direction == "reduce_by")
    scores = [panel.score.at[c, fall] for c in panel.order(fall)]
    known = [s for s in scores if not np.isnan(s)]
    assert known == sorted(known, reverse=True)
    # By the number of targets missed: most first.
    misses = panel.status.isin([MISSED, BEHIND]).sum(axis=1)
    assert [misses[c] for c in panel.order(BY_MISSES)] == sorted(misses, reverse=True)
    # As HTML: rows in the chosen order, each verdict a badge in the status colour, text escaped.
    from gsyf_geo.monitor.charts import ranked_panel_html
    from gsyf_geo.monitor.status import STATUS_COLORS

    out = ranked_panel_html(panel, BY_MISSES)
    assert re.findall(r'<tr data-unit="([^"]+)"', out) == panel.order(BY_MISSES)
    status = str(panel.status.at["320412", fall])
    assert f'data-unit="320412" data-target="{fall}" data-status="{status}"' in out
    assert f'background-color: {STATUS_COLORS[status]}' in out
    panel.names["320412"] = "<b>武进</b>"
    assert "<b>武进</b>" not in ranked_panel_html(panel, BY_MISSES)
