"""Compact canvas layers: many circle markers or polygons from columnar data.

folium's per-object elements (one ``folium.Marker`` or ``GeoJson`` feature each) write a
block of JavaScript or a verbose GeoJSON feature per object. These elements send one
JSON object of arrays instead and build the Leaflet layers in a loop, on a shared
canvas renderer, so 100,000 enterprises aggregate to a few hundred KB.

Safety: the data is embedded with Jinja's ``tojson`` (which escapes ``<``, ``>``, ``&``
and ``'``), and tooltips and popups are built as DOM nodes with ``textContent``: text from
data can never become markup. Each marker carries a GeoJSON ``feature`` with ``kind`` and
``id`` so that streamlit-folium reports which object was clicked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import folium
import numpy as np
from folium.template import Template

COORD_DECIMALS = 5

SHARED_CANVAS = "(window.gsyfCanvas = window.gsyfCanvas || L.canvas({padding: 0.3}))"
"""One canvas for every vector layer of a map.

Layers on separate canvases (or SVG under a canvas) stack as separate elements, and the top
one swallows every mouse event: districts under an enterprise canvas could never be hovered
or clicked. On one shared canvas Leaflet hit-tests all of them and the topmost shape wins.
"""

# Shared JS helpers, defined once per page (idempotent).
_HELPERS = """
window.gsyfText = window.gsyfText || function (text) {
    var s = document.createElement("span");
    s.textContent = text == null ? "" : String(text);
    return s;
};
window.gsyfCard = window.gsyfCard || function (title, labels, values) {
    var box = document.createElement("div");
    box.className = "gsyf-card";
    var h = document.createElement("div");
    h.className = "gsyf-card-title";
    h.textContent = title == null ? "" : String(title);
    box.appendChild(h);
    var table = document.createElement("table");
    for (var k = 0; k < labels.length; k++) {
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        th.textContent = labels[k];
        var td = document.createElement("td");
        td.textContent = values[k] == null ? "" : String(values[k]);
        tr.appendChild(th); tr.appendChild(td); table.appendChild(tr);
    }
    box.appendChild(table);
    return box;
};
"""


def safe_json(obj: Any) -> str:
    """Compact JSON that is safe inside a ``<script>`` element.

    UTF-8 text stays as it is (half the size of ``\\uXXXX`` escapes for Chinese); the
    characters that could end the script or start markup are escaped.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                      ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, esc)
    return text


def _clean(values: Sequence[Any] | np.ndarray) -> list[Any]:
    """JSON-able list: numpy scalars to Python, NaN to None."""
    out = []
    for v in np.asarray(values, dtype=object).tolist():
        if isinstance(v, float) and np.isnan(v):
            v = None
        elif isinstance(v, np.generic):
            v = v.item()
        out.append(v)
    return out


def _palette_index(colors: Sequence[str]) -> tuple[list[str], list[int]]:
    palette = list(dict.fromkeys(colors))
    lookup = {c: i for i, c in enumerate(palette)}
    return palette, [lookup[c] for c in colors]


class _CanvasLayer(folium.MacroElement):
    """Base: adds itself (a Leaflet FeatureGroup) to its parent layer or map."""

    def __init__(self) -> None:
        super().__init__()
        self.helpers = _HELPERS
        self.renderer = SHARED_CANVAS

    def parent_name(self) -> str:
        return self._parent.get_name()

    def data_json(self) -> str:
        return safe_json(self.data)


class CircleLayer(_CanvasLayer):
    """Circle markers on a canvas.

    Parameters
    ----------
    lat, lon
        WGS-84 (or GCJ-02 for Amap) coordinates.
    colors
        Fill colour per point (CSS colours).
    radius
        Pixel radius, one for all or one per point.
    ids
        Identifier per point (reported on click as ``feature.properties.id``).
    kind
        What the points are (``feature.properties.kind``), e.g. ``"enterprise"``.
    tooltips
        Plain text per point (shown as text, never as HTML).
    card_title, card_labels, card_values
        A popup card per point: a title and a two-column table (plain text).
    stroke
        Outline colour.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.helpers }}
        var {{ this.get_name() }} = (function () {
            var d = {{ this.data_json() }};
            var renderer = {{ this.renderer }};
            var group = L.featureGroup();
            function add(i) {
                var m = L.circleMarker([d.lat[i], d.lon[i]], {
                    renderer: renderer,
                    radius: d.r.length ? d.r[i] : d.radius,
                    color: d.stroke, weight: 0.8, opacity: 0.9,
                    fillColor: d.palette[d.c[i]], fillOpacity: 0.85
                });
                m.feature = {type: "Feature", properties: {kind: d.kind, id: d.ids.length ? d.ids[i] : i}};
                if (d.tips.length) { m.bindTooltip(function () { return gsyfText(d.tips[i]); }); }
                if (d.cardValues.length) {
                    m.bindPopup(function () {
                        return gsyfCard(d.cardTitle[i], d.cardLabels, d.cardValues[i]);
                    }, {maxWidth: 360});
                }
                group.addLayer(m);
            }
            for (var i = 0; i < d.lat.length; i++) { add(i); }
            return group;
        })();
        {{ this.parent_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        lat: Sequence[float],
        lon: Sequence[float],
        colors: Sequence[str],
        *,
        radius: float | Sequence[float] = 4.0,
        ids: Sequence[Any] | None = None,
        kind: str = "point",
        tooltips: Sequence[str] | None = None,
        card_title: Sequence[str] | None = None,
        card_labels: Sequence[str] = (),
        card_values: Sequence[Sequence[Any]] | None = None,
        stroke: str = "#ffffff",
    ) -> None:
        super().__init__()
        self._name = "CircleLayer"
        palette, index = _palette_index(list(colors))
        per_point = not np.isscalar(radius)
        self.data = {
            "lat": np.round(np.asarray(lat, dtype=float), COORD_DECIMALS).tolist(),
            "lon": np.round(np.asarray(lon, dtype=float), COORD_DECIMALS).tolist(),
            "palette": palette,
            "c": index,
            "radius": float(radius) if not per_point else 4.0,
            "r": np.round(np.asarray(radius, dtype=float), 1).tolist() if per_point else [],
            "ids": _clean(ids) if ids is not None else [],
            "kind": kind,
            "tips": [str(t) for t in tooltips] if tooltips is not None else [],
            "cardTitle": [str(t) for t in card_title] if card_title is not None else [],
            "cardLabels": [str(t) for t in card_labels],
            "cardValues": [_clean(row) for row in card_values] if card_values is not None else [],
            "stroke": stroke,
        }


class PolygonLayer(_CanvasLayer):
    """Filled polygons (single rings, e.g. hexagons) on a canvas.

    Parameters
    ----------
    rings
        Array (n, k, 2) of lon/lat ring coordinates.
    colors
        Fill colour per polygon.
    tooltips
        Plain text per polygon.
    ids, kind
        As for :class:`CircleLayer`.
    fill_opacity
        Fill opacity.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.helpers }}
        var {{ this.get_name() }} = (function () {
            var d = {{ this.data_json() }};
            var renderer = {{ this.renderer }};
            var group = L.featureGroup();
            function add(i) {
                var ring = d.rings[i].map(function (p) { return [p[1], p[0]]; });
                var poly = L.polygon(ring, {
                    renderer: renderer, color: "#ffffff", weight: 0.6, opacity: 0.8,
                    fillColor: d.palette[d.c[i]], fillOpacity: d.opacity
                });
                poly.feature = {type: "Feature", properties: {kind: d.kind, id: d.ids.length ? d.ids[i] : i}};
                if (d.tips.length) { poly.bindTooltip(function () { return gsyfText(d.tips[i]); }); }
                group.addLayer(poly);
            }
            for (var i = 0; i < d.rings.length; i++) { add(i); }
            return group;
        })();
        {{ this.parent_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rings: np.ndarray,
        colors: Sequence[str],
        *,
        tooltips: Sequence[str] | None = None,
        ids: Sequence[Any] | None = None,
        kind: str = "polygon",
        fill_opacity: float = 0.75,
    ) -> None:
        super().__init__()
        self._name = "PolygonLayer"
        palette, index = _palette_index(list(colors))
        self.data = {
            "rings": np.round(np.asarray(rings, dtype=float), COORD_DECIMALS).tolist(),
            "palette": palette,
            "c": index,
            "tips": [str(t) for t in tooltips] if tooltips is not None else [],
            "ids": _clean(ids) if ids is not None else [],
            "kind": kind,
            "opacity": float(fill_opacity),
        }


class CardStyle(folium.MacroElement):
    """CSS for popup cards (header only; add once per map)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .gsyf-card { font-size: 12px; color: #1d2b3a; min-width: 220px; }
            .gsyf-card-title { font-weight: 700; font-size: 13px; margin-bottom: 4px; }
            .gsyf-card table { border-collapse: collapse; }
            .gsyf-card th { text-align: left; font-weight: 400; color: #5a6b7b; padding: 1px 8px 1px 0; white-space: nowrap; }
            .gsyf-card td { padding: 1px 0; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "CardStyle"


class RadiusCircles(_CanvasLayer):
    """Non-interactive circles of a radius in metres (e.g. service areas), on the shared canvas.

    Parameters
    ----------
    lat, lon
        Centres.
    radius_m
        Radius in metres.
    colors
        Outline colour per circle.
    dashed
        Dashed outline per circle.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var d = {{ this.data_json() }};
            var renderer = {{ this.renderer }};
            var group = L.featureGroup();
            for (var i = 0; i < d.lat.length; i++) {
                group.addLayer(L.circle([d.lat[i], d.lon[i]], {
                    renderer: renderer, radius: d.radius, interactive: false, weight: 1,
                    color: d.colors[i], fill: true, fillOpacity: 0.05,
                    dashArray: d.dashed[i] ? "4 4" : null
                }));
            }
            return group;
        })();
        {{ this.parent_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        lat: Sequence[float],
        lon: Sequence[float],
        radius_m: float,
        colors: Sequence[str],
        dashed: Sequence[bool] | None = None,
    ) -> None:
        super().__init__()
        self._name = "RadiusCircles"
        n = len(colors)
        self.data = {
            "lat": np.round(np.asarray(lat, dtype=float), COORD_DECIMALS).tolist(),
            "lon": np.round(np.asarray(lon, dtype=float), COORD_DECIMALS).tolist(),
            "radius": float(radius_m),
            "colors": list(colors),
            "dashed": [bool(x) for x in dashed] if dashed is not None else [False] * n,
        }
