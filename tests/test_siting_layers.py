"""The siting map layers: styles by role, reach circles, escaped text, nothing fetched online."""

from __future__ import annotations

import json
import re

import pytest
from siting_cases import demand_frame, sites_frame

from gsyf_geo.layers.offline import make_offline_map
from gsyf_geo.layers.siting import add_layers, aggregate_demand, scenario_layers, siting_layers
from gsyf_geo.siting import MaximalCovering


@pytest.fixture
def result():
    demand = demand_frame([0, 5, -5, 9, 9.2], [0, 0, 0, 3, 3], [10, 20, 30, 40, 5],
                          names=["甲厂", "乙厂", "丙厂", "<script>alert(1)</script>", "戊厂"])  # fmt: skip
    sites = sites_frame([0, 5, -5, 9, -10], [0.2, 0.2, 0.2, 3.1, 10], [True, False, False, False, False],
                        names=["已建<基地>", "候选乙", "候选丙", "候选`丁`${x}", "候选戊"])  # fmt: skip
    return MaximalCovering.from_geodataframes(demand, sites, radius_km=3).solve(2)


def _html(layers) -> str:
    m = make_offline_map()
    add_layers(m, layers)
    return m.get_root().render()


def test_sites_are_styled_by_role_and_numbered(result):
    html = _html(siting_layers(result))
    chosen = re.findall(r'"className": "gsyf-site gsyf-site-chosen"', html)
    existing = re.findall(r'"className": "gsyf-site gsyf-site-existing"', html)
    assert len(chosen) == 2 and len(existing) == 1
    assert "\\u003cspan\\u003e1\\u003c/span\\u003e" in html  # the number, JSON-encoded
    assert "\\u003cspan\\u003e2\\u003c/span\\u003e" in html
    assert html.count("L.circle(") == 3  # reach of the 3 open sites
    assert html.count("L.circleMarker(") >= 2  # the unchosen candidates
    legend = json.dumps("覆盖半径 3 公里")[1:-1]  # the legend is written as a JSON string
    assert legend in html and json.dumps("已建基地（固定开放）")[1:-1] in html


def test_text_from_data_is_escaped(result):
    html = _html(siting_layers(result))
    # Site names reach tooltips (innerHTML): only their escaped forms may appear.
    assert "已建&lt;基地&gt;" in html
    assert "已建<基地>" not in html and "已建\\u003c基地" not in html
    assert "候选&#96;丁&#96;&#36;{x}" in html and "${x}" not in html


def test_nothing_is_fetched_online(result):
    html = _html(siting_layers(result))
    remote = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert remote == []


def test_demand_is_aggregated_into_covered_and_uncovered_cells(result):
    cells = aggregate_demand(result.demand, cell_km=1.5)
    assert cells["weight"].sum() == pytest.approx(result.total_weight)
    assert cells.loc[cells["covered"], "weight"].sum() == pytest.approx(result.covered_weight)
    assert len(cells) < len(result.demand)  # 丁厂 and 戊厂 share a cell


def test_scenario_layers_draw_from_a_saved_summary(result):
    summary = result.summary()
    from gsyf_geo.siting.scenarios import _newly_rows

    summary["newly_covered"] = _newly_rows(result)
    html = _html(scenario_layers(summary))
    assert len(re.findall(r'"className": "gsyf-site gsyf-site-chosen"', html)) == 2
    assert "新增覆盖" in html and "<script>alert(1)</script>" not in html
