"""Rendered map pieces stay literal: text from data is never evaluated as a Jinja template."""

from __future__ import annotations

import re

import folium
import pytest
from test_risk_layers import _few_enterprises, _layer_data

from gsyf_geo.analysis.filters import LAYERS, MapState, apply_state
from gsyf_geo.analysis.indicators import unit_indicators
from gsyf_geo.analysis.mapdata import load_map_data
from gsyf_geo.layers import literal
from gsyf_geo.layers.enterprises import enterprise_layer
from gsyf_geo.layers.offline import make_offline_map
from gsyf_geo.layers.riskmap import build_risk_map
from gsyf_geo.layers.siting import _marker

NAMES = ["甲{{ 7*7 }}化工", "{% for i in range(3) %}x{% endfor %}乙", "丙{{", "丁{# 注 #}"]


def test_names_with_template_syntax_reach_the_map_as_written():
    ent = _few_enterprises()
    ent = ent.loc[[0, 1, 0, 1]].reset_index(drop=True)
    ent["credit_code"] = list("ABCD")
    ent["name"] = NAMES
    ent["address"] = ["{{ cycler.__init__.__globals__.os.getcwd() }}", "b", "c", "d"]
    m = make_offline_map()
    enterprise_layer(ent)[0].add_to(m)
    html = m.get_root().render()  # "丙{{" alone would stop branca's own rendering
    data = _layer_data(html, "enterprise")
    assert sorted(data["tips"]) == sorted(NAMES) and sorted(data["cardTitle"]) == sorted(NAMES)
    assert data["cardValues"][data["ids"].index("A")][-1] == "{{ cycler.__init__.__globals__.os.getcwd() }}"
    assert "甲49化工" not in html and "xxx乙" not in html


def test_folium_tooltips_and_popups_are_literal_too():
    m = make_offline_map()
    _marker(31.8, 119.9, "gsyf-site", "1", "候选点 {{ 6*7 }}").add_to(m)
    folium.CircleMarker([31.7, 119.9], popup=folium.Popup("弹窗 {{ 6*7 }} {%", parse_html=True)).add_to(m)
    html = m.get_root().render()
    assert "候选点 {{ 6*7 }}" in html and "弹窗 {{ 6*7 }} {%" in html
    assert "候选点 42" not in html and "弹窗 42" not in html


def _ids_in_order(html: str) -> str:
    """Element ids are random; number them by first appearance so two renders compare."""
    ids: dict[str, str] = {}
    return re.sub(r"[0-9a-f]{32}", lambda m: ids.setdefault(m.group(0), f"id{len(ids)}"), html)


@pytest.fixture(scope="module")
def demo_view(demo_sqlite_path):
    from gsyf_geo.store import Store

    store = Store(f"sqlite:///{demo_sqlite_path}")
    data = load_map_data(store)
    store.engine.dispose()
    return data


def test_a_map_without_braces_in_its_data_renders_as_branca_renders_it(demo_view):
    state = MapState(layers=tuple(LAYERS))
    view = apply_state(demo_view, state)
    table = unit_indicators(view, demo_view.years)

    def page() -> str:
        m, _ = build_risk_map(state, view, table)
        enterprise_layer(view.enterprises, zoom=12)[0].add_to(m)
        m.get_root().render()
        return m.get_root().render()

    ours = page()
    literal.uninstall()
    try:
        theirs = page()
    finally:
        literal.install()
    assert '"kind":"enterprise"' in ours and len(ours) > 50_000
    assert _ids_in_order(ours) == _ids_in_order(theirs)
