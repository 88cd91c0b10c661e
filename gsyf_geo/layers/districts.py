"""The district layer: the six districts of Changzhou with name labels and tooltips.

A pure folium builder (no Streamlit). Polygons are simplified as a coverage in EPSG:4549,
so neighbouring districts keep identical shared edges, and coordinates are rounded to
1e-5 degree (about 1 m) to keep the page small. Every text that reaches the browser's
``innerHTML`` (tooltips, labels, legend) is HTML-escaped here.

With an optional ``values`` series (keyed by adcode) the districts are coloured in a few
classes with a legend. Where the plan has a target on the value, the colours are anchored to
it (``met``): a unit that meets the target is green, the others take warm classes, darker the
worse (docs/map_colours.md); without a target the classes are relative (light to dark red).

Legends of every layer go into one collapsible control (“图例”, bottom right): open on wide
maps, folded on narrow ones so that it never covers the map (:class:`Legend`).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template
from folium.utilities import JsCode
from shapely.geometry import mapping
from shapely.ops import polylabel

from gsyf_geo.crs import METRIC_CRS, WGS84, gdf_from_wgs84
from gsyf_geo.domain import DISTRICTS
from gsyf_geo.layers.canvas import SHARED_CANVAS

SIMPLIFY_TOLERANCE_M = 30.0
COORD_DECIMALS = 5  # 1e-5 degree is about 1 m here

PLAIN_FILL = "#dce7f3"
STROKE = "#35608f"
NO_DATA_FILL = "#e0e0e0"
# ColorBrewer "Reds" (sequential, colour-blind safe); fewer classes take a spread subset.
CLASS_COLORS: tuple[str, ...] = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
MAX_CLASSES = len(CLASS_COLORS)
MEETS_COLOR = "#41ab5d"
"""Fill of a unit that meets the plan's target (ColorBrewer "Greens")."""
MISSES_COLORS: tuple[str, ...] = ("#fed976", "#fd8d3c", "#e31a1c", "#800026")
"""Warm classes of units that miss the target (ColorBrewer "YlOrRd"), nearest the target first."""
UNJUDGED_FILL = "#bdbdbd"
"""A unit with a value that cannot be held against the target (no baseline, say)."""
LEGEND_OPEN_MIN_WIDTH = 1000
"""The legend control starts open on maps at least this wide (px), folded below."""


def escape_text(text: Any) -> str:
    """HTML-escape ``text`` so it can go into ``innerHTML`` and folium's JS template literals.

    Besides ``& < > " '`` this escapes the backtick, ``$`` and backslash, which would
    otherwise end or interpolate the template literals folium writes tooltips into.
    """
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def simplify_districts(
    districts_gdf: gpd.GeoDataFrame, tolerance_m: float = SIMPLIFY_TOLERANCE_M
) -> gpd.GeoDataFrame:
    """Simplify district polygons in EPSG:4549, keeping shared edges shared.

    Uses coverage simplification (Visvalingam-Whyatt on the shared edges) when the
    polygons form a valid coverage, else per-polygon topology-preserving Douglas-Peucker.

    Parameters
    ----------
    districts_gdf
        Polygons with a CRS (WGS-84 expected).
    tolerance_m
        Simplification tolerance in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in WGS-84 with simplified geometry.
    """
    wkb = tuple(shapely.to_wkb(districts_gdf.geometry.values))
    simple = _simplified_wgs84(wkb, districts_gdf.crs.to_string(), float(tolerance_m))
    return districts_gdf.set_geometry(gpd.GeoSeries(simple, index=districts_gdf.index, crs=WGS84))


@lru_cache(maxsize=16)
def _simplified_wgs84(wkb: tuple[bytes, ...], crs: str, tolerance_m: float) -> np.ndarray:
    """Simplified geometries in WGS-84, cached: the map is rebuilt on every pan."""
    metric = gpd.GeoSeries(shapely.from_wkb(np.array(wkb, dtype=object)), crs=crs).to_crs(METRIC_CRS)
    geoms = metric.values
    if tolerance_m > 0:
        if bool(shapely.coverage_is_valid(geoms)):
            geoms = shapely.coverage_simplify(geoms, tolerance_m)
        else:
            geoms = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    return gpd.GeoSeries(geoms, crs=METRIC_CRS).to_crs(WGS84).values


def _round_coords(geom: shapely.Geometry, decimals: int = COORD_DECIMALS) -> shapely.Geometry:
    rounded = shapely.transform(geom, lambda c: np.round(c, decimals))
    return rounded if rounded.is_valid else shapely.make_valid(rounded)


def label_points(districts_gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A point well inside each district for its label (pole of inaccessibility).

    Computed in EPSG:4549 on the district's largest part; returned in WGS-84.
    """
    wkb = tuple(shapely.to_wkb(districts_gdf.geometry.values))
    points = _label_points(wkb, districts_gdf.crs.to_string())
    return gpd.GeoSeries(points, index=districts_gdf.index, crs=WGS84)


@lru_cache(maxsize=16)
def _label_points(wkb: tuple[bytes, ...], crs: str) -> np.ndarray:
    metric = gpd.GeoSeries(shapely.from_wkb(np.array(wkb, dtype=object)), crs=crs).to_crs(METRIC_CRS)
    points = []
    for geom in metric.values:
        parts = list(getattr(geom, "geoms", [geom]))
        largest = max(parts, key=lambda p: p.area)
        points.append(polylabel(largest, tolerance=100.0))
    return gpd.GeoSeries(points, crs=METRIC_CRS).to_crs(WGS84).values


def class_breaks(values: pd.Series, k: int = MAX_CLASSES, scheme: str = "natural_breaks") -> list[float]:
    """Upper bounds of up to ``k`` classes of ``values`` (mapclassify).

    Parameters
    ----------
    values
        Numbers; NaN is ignored.
    k
        Largest number of classes (at most :data:`MAX_CLASSES`).
    scheme
        ``"natural_breaks"`` (Fisher-Jenks) or ``"quantiles"``.

    Returns
    -------
    list of float
        Ascending upper bounds; the last is the maximum. Empty when there are no values.
    """
    import mapclassify

    data = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if data.size == 0:
        return []
    k = max(1, min(k, MAX_CLASSES, len(np.unique(data))))
    if k == 1:
        return [float(data.max())]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        classifier = mapclassify.Quantiles if scheme == "quantiles" else mapclassify.FisherJenks
        return [float(b) for b in np.unique(classifier(data, k=k).bins)]


def class_colors(n: int) -> list[str]:
    """``n`` colours of :data:`CLASS_COLORS`, spread from light to dark."""
    if n <= 0:
        return []
    idx = np.linspace(0, len(CLASS_COLORS) - 1, n).round().astype(int)
    return [CLASS_COLORS[i] for i in idx]


def _legend_rows(breaks: Sequence[float], colors: Sequence[str], fmt: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    lower: float | None = None
    for upper, color in zip(breaks, colors, strict=True):
        if lower is None:
            text = fmt.format(upper) if len(breaks) == 1 else f"≤ {fmt.format(upper)}"
        else:
            text = f"{fmt.format(lower)} – {fmt.format(upper)}"
        rows.append((color, text))
        lower = upper
    return rows


@dataclass(frozen=True)
class ChoroplethClasses:
    """The classes of a choropleth: what the interactive map and the printed map share.

    ``values`` are the numbers keyed by text code; ``breaks`` the ascending upper bounds;
    ``colors`` one colour per class (light to dark for worse values).
    """

    values: pd.Series
    breaks: tuple[float, ...]
    colors: tuple[str, ...]
    value_format: str
    met: Mapping[str, bool | None] | None = None
    """Anchored to a target: whether each code meets it (None: no target, relative classes)."""
    target_text: str = ""

    def class_of(self, value: float) -> int | None:
        """Index of the class of ``value`` (None for NaN): the first upper bound ≥ value."""
        if value is None or pd.isna(value) or not self.breaks:
            return None
        return min(int(np.searchsorted(self.breaks, value, side="left")), len(self.colors) - 1)

    def fill(self, code: str) -> str:
        """Fill colour of the area ``code`` (:data:`NO_DATA_FILL` without a value).

        Anchored to a target: :data:`MEETS_COLOR` when the code meets it, a warm class when
        it does not, :data:`UNJUDGED_FILL` when it cannot be said.
        """
        value = self.values.get(str(code), np.nan)
        if self.met is not None and not pd.isna(value):
            verdict = self.met.get(str(code))
            if verdict is True:
                return MEETS_COLOR
            if verdict is None:
                return UNJUDGED_FILL
        cls = self.class_of(value)
        return NO_DATA_FILL if cls is None else self.colors[cls]

    @property
    def legend_rows(self) -> list[tuple[str, str]]:
        """(colour, text) per class, e.g. ``("#fee5d9", "≤ 12.0")``, ``"12.0 – 15.3"``;
        anchored: ``("#41ab5d", "达到目标（≥ 100.0%）")`` first, then ``"未达到：…"`` classes."""
        rows = _legend_rows(self.breaks, self.colors, self.value_format)
        if self.met is None:
            return rows
        codes = [c for c in self.values.index if not pd.isna(self.values[c])]
        out = [(MEETS_COLOR, f"达到目标（{self.target_text}）" if self.target_text else "达到目标")]
        out += [(color, f"未达到：{text}") for color, text in rows]
        if any(self.met.get(c) is None for c in codes):
            out.append((UNJUDGED_FILL, "无法对照目标"))
        return out


def choropleth_classes(
    values: pd.Series, *, scheme: str = "natural_breaks", higher_is_worse: bool = True,
    value_format: str = "{:,.0f}", met: Mapping[str, bool | None] | None = None, target_text: str = "",
) -> ChoroplethClasses:
    """Classify ``values`` (keyed by code) as the district choropleth does.

    Without ``met`` (no target): breaks from :func:`class_breaks`, colours from
    :func:`class_colors` (reversed when lower values are worse); a value goes in the first
    class whose upper bound is ≥ it. The colours are relative: the best unit is light,
    whether or not it is good enough.

    With ``met`` (whether each code meets the plan's target, e.g.
    :func:`gsyf_geo.analysis.indicators.indicator_target`): the rule of docs/map_colours.md —
    a code that meets the target is :data:`MEETS_COLOR` (green) whatever its class; the codes
    that miss it are classed among themselves (at most four classes of
    :data:`MISSES_COLORS`, the one nearest the target lightest, the worst darkest); a code
    whose verdict is None is :data:`UNJUDGED_FILL`. No unit can look good unless it meets the
    target, and a value exactly at the target meets it.
    """
    clean = pd.to_numeric(values.copy(), errors="coerce")
    clean.index = clean.index.astype(str)
    if met is None:
        breaks = class_breaks(clean, scheme=scheme)
        colors = class_colors(len(breaks))
        if not higher_is_worse:
            colors = colors[::-1]
        return ChoroplethClasses(clean, tuple(breaks), tuple(colors), value_format)
    verdicts = {str(k): (None if v is None else bool(v)) for k, v in met.items()}
    missing = clean[[verdicts.get(c) is False for c in clean.index]]
    breaks = class_breaks(missing, k=len(MISSES_COLORS), scheme=scheme)
    # Classes whose bounds read the same (“39.1 – 39.1”) are one class to the reader: merged.
    shown: list[float] = []
    for b in breaks:
        if shown and value_format.format(b) == value_format.format(shown[-1]):
            shown[-1] = b
        else:
            shown.append(b)
    breaks = shown
    idx = np.linspace(0, len(MISSES_COLORS) - 1, len(breaks)).round().astype(int) if breaks else []
    colors = [MISSES_COLORS[i] for i in idx]
    if not higher_is_worse:  # lower is worse: the lowest class is darkest
        colors = colors[::-1]
    return ChoroplethClasses(clean, tuple(breaks), tuple(colors), value_format, verdicts, target_text)


class DistrictStyle(folium.MacroElement):
    """CSS of district labels and legends (header only)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .gsyf-district-label { background: none; border: none; }
            .gsyf-district-label span {
                position: absolute; transform: translate(-50%, -50%);
                white-space: nowrap; font-size: 14px; font-weight: 700; color: #1d2b3a;
                text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff;
                pointer-events: none;
            }
            .gsyf-legend {
                background: rgba(255, 255, 255, 0.92); padding: 6px 9px; border-radius: 4px;
                box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); font-size: 12px; line-height: 18px;
                color: #1d2b3a;
            }
            .gsyf-legend .gsyf-legend-title { font-weight: 700; margin-bottom: 2px; }
            .gsyf-legend i {
                display: inline-block; width: 14px; height: 12px; margin-right: 6px;
                vertical-align: -1px; border: 1px solid #999;
            }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "DistrictStyle"


_LEGEND_BOX_JS = """
window.gsyfLegendBox = window.gsyfLegendBox || function (map, openWidth) {
    if (map._gsyfLegendBox) { return map._gsyfLegendBox; }
    if (!document.getElementById("gsyf-legend-css")) {
        var css = document.createElement("style");
        css.id = "gsyf-legend-css";
        css.textContent = ".gsyf-legends { background: rgba(255,255,255,0.94); border-radius: 4px;"
            + " box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 12px; line-height: 18px; color: #1d2b3a;"
            + " max-width: 300px; }"
            + " .gsyf-legends > summary { cursor: pointer; padding: 3px 9px; font-weight: 700; }"
            + " .gsyf-legends-body { overflow-y: auto; padding: 0 9px 6px 9px; }"
            + " .gsyf-legends .gsyf-legend { background: none; box-shadow: none; border-radius: 0;"
            + " padding: 4px 0 0 0; }"
            + " .gsyf-legends .gsyf-legend + .gsyf-legend { border-top: 1px solid #e3e7ec; margin-top: 4px; }"
            + " .gsyf-legend .gsyf-legend-title { font-weight: 700; margin-bottom: 2px; }"
            + " .gsyf-legend i { display: inline-block; width: 14px; height: 12px; margin-right: 6px;"
            + " vertical-align: -1px; border: 1px solid #999; }";
        document.head.appendChild(css);
    }
    var details, body, touched = false;
    var Box = L.Control.extend({
        options: {position: "bottomright"},
        onAdd: function () {
            details = L.DomUtil.create("details", "gsyf-legends");
            var summary = L.DomUtil.create("summary", "", details);
            summary.textContent = "图例";
            summary.title = "显示或收起图例";
            body = L.DomUtil.create("div", "gsyf-legends-body", details);
            L.DomEvent.disableClickPropagation(details);
            L.DomEvent.disableScrollPropagation(details);
            L.DomEvent.on(summary, "click", function () { touched = true; });
            return details;
        }
    });
    var control = new Box().addTo(map);
    function fit() {
        var size = map.getSize();
        var width = size.x || map.getContainer().clientWidth;
        if (!touched && width > 0) { details.open = width >= openWidth; }
        body.style.maxHeight = Math.max(120, (size.y || 400) - 110) + "px";
    }
    function shown() { details.style.display = body.children.length ? "" : "none"; }
    fit();
    shown();
    map.on("resize", fit);
    // Print (and full screen): the legend is part of the map, so it is shown open.
    var before = null;
    window.addEventListener("beforeprint", function () { before = details.open; details.open = true; });
    window.addEventListener("afterprint", function () { if (before !== null) { details.open = before; } });
    document.addEventListener("fullscreenchange", function () {
        if (document.fullscreenElement === map.getContainer()) { details.open = true; } else { fit(); }
    });
    map._gsyfLegendBox = {
        control: control,
        add: function (el) { body.appendChild(el); shown(); },
        remove: function (el) { if (el.parentNode) { el.parentNode.removeChild(el); } shown(); }
    };
    return map._gsyfLegendBox;
};
"""


class Legend(folium.MacroElement):
    """A legend section shown while its parent layer is on the map.

    Every legend of a map goes into one collapsible control (“图例”, bottom right, a
    ``<details>`` element): open on maps at least :data:`LEGEND_OPEN_MIN_WIDTH` px wide,
    folded below (at 1024 px the map is narrower than that: the legends then never cover
    it; one click opens them). Open in full screen and in print. The body scrolls when
    many layers are on.

    Add it to a FeatureGroup (or any layer); it finds the map above it when rendered.
    ``html`` must already be escaped. ``position`` is kept for callers and ignored: one box
    for all legends.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.box_js }}
        (function () {
            var layer = {{ this._parent.get_name() }};
            var map = {{ this.map_name() }};
            var div = document.createElement("div");
            div.className = "gsyf-legend";
            div.innerHTML = {{ this.html|tojson }};
            var box = window.gsyfLegendBox(map, {{ this.open_width }});
            layer.on("add", function () { box.add(div); });
            layer.on("remove", function () { box.remove(div); });
            if (map.hasLayer(layer)) { box.add(div); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.position = position
        self.box_js = _LEGEND_BOX_JS
        self.open_width = LEGEND_OPEN_MIN_WIDTH

    def map_name(self) -> str:
        """JS name of the map this legend's layer is on."""
        el = self._parent
        while el is not None and not isinstance(el, folium.Map):
            el = getattr(el, "_parent", None)
        if el is None:
            raise ValueError("Legend must be added to a layer that is on a folium.Map")
        return el.get_name()


def legend_html(title: str, rows: Sequence[tuple[str, str]], opacity: float = 1.0) -> str:
    """Legend markup; ``title`` and row texts are escaped here, colours must be CSS colours.

    ``opacity`` should match the layer's fill opacity so swatches look like the map.
    """
    parts = [f'<div class="gsyf-legend-title">{escape_text(title)}</div>']
    for color, text in rows:
        style = f"background:{escape_text(color)};opacity:{float(opacity):g}"
        parts.append(f'<div><i style="{style}"></i>{escape_text(text)}</div>')
    return "".join(parts)


def district_layer(
    districts_gdf: gpd.GeoDataFrame,
    values: pd.Series | None = None,
    *,
    value_label: str = "数值",
    value_format: str = "{:,.0f}",
    name: str = "区县",
    gcj02: bool = False,
    tolerance_m: float = SIMPLIFY_TOLERANCE_M,
    labels: bool = True,
    fill_opacity: float = 0.7,
    key: str = "adcode",
    scheme: str = "natural_breaks",
    higher_is_worse: bool = True,
    notes: dict[str, str] | None = None,
    met: Mapping[str, bool | None] | None = None,
    target_text: str = "",
) -> folium.FeatureGroup:
    """Build the district layer: polygons, tooltips, name labels and (with values) a legend.

    Parameters
    ----------
    districts_gdf
        Districts with ``adcode``, ``name`` and a polygon geometry, WGS-84
        (:func:`gsyf_geo.geography.districts`).
    values
        Optional numbers keyed by adcode; districts are then coloured by class and the
        value shows in the tooltip. Districts without a value are grey.
    value_label
        Name of the value (tooltip and legend title).
    value_format
        :meth:`str.format` pattern for values.
    name
        Layer name (layer control).
    gcj02
        Shift everything to GCJ-02, for a GCJ-02 basemap (Amap).
    tolerance_m
        Simplification tolerance in metres (0 keeps the full geometry).
    labels
        Draw each district's name at a point inside it.
    fill_opacity
        Polygon fill opacity.
    key
        Column of ``districts_gdf`` that ``values`` are keyed by (``"code"`` for the
        reporting units of :func:`gsyf_geo.geography.reporting_units`).
    scheme
        ``"natural_breaks"`` (Fisher-Jenks) or ``"quantiles"``.
    higher_is_worse
        Darker red for higher values when True, for lower values when False.
    notes
        Extra tooltip text per key (e.g. that a boundary is approximate).
    met
        Whether each key meets the plan's target on the value (None: the value has no
        target). The colours are then anchored to the target (:func:`choropleth_classes`)
        and the tooltip says whether the unit meets it.
    target_text
        The target in words (“≥ 100.0%”), for the tooltip and the legend.

    Returns
    -------
    folium.FeatureGroup
        Holding one GeoJson (a feature per district), the labels and the legend.
    """
    gdf = simplify_districts(districts_gdf, tolerance_m)
    points = label_points(gdf)
    if gcj02:
        gdf = gdf_from_wgs84(gdf, "gcj02")
        points = gdf_from_wgs84(gpd.GeoDataFrame(geometry=points), "gcj02").geometry

    fills = [PLAIN_FILL] * len(gdf)
    value_texts = [""] * len(gdf)
    verdict_texts = [""] * len(gdf)
    legend: Legend | None = None
    if values is not None:
        classes = choropleth_classes(values, scheme=scheme, higher_is_worse=higher_is_worse,
                                     value_format=value_format, met=met, target_text=target_text)  # fmt: skip
        goal = f"（目标 {target_text}）" if target_text else ""
        for i, adcode in enumerate(gdf[key].astype(str)):
            fills[i] = classes.fill(adcode)
            v = classes.values.get(adcode, np.nan)
            value_texts[i] = "无数据" if pd.isna(v) else value_format.format(v)
            if met is not None:
                verdict = None if pd.isna(v) else classes.met.get(adcode)
                verdict_texts[i] = escape_text(
                    ("达到目标" if verdict else "未达到目标" if verdict is False else "无法对照目标") + goal
                )
        rows = classes.legend_rows
        if any(t == "无数据" for t in value_texts):
            rows.append((NO_DATA_FILL, "无数据"))
        legend = Legend(legend_html(value_label, rows, fill_opacity))

    features = []
    for i, (adcode, dname, geom) in enumerate(
        zip(gdf[key].astype(str), gdf["name"], gdf.geometry.values, strict=True)
    ):
        features.append({
            "type": "Feature",
            "geometry": mapping(_round_coords(geom)),
            # Tooltip fields end up in innerHTML: everything here is escaped text.
            "properties": {
                "adcode": escape_text(adcode),
                "code": escape_text(adcode),
                "kind": "unit",
                "name": escape_text(dname),
                "value": value_texts[i],
                "note": escape_text((notes or {}).get(adcode, "")),
                "verdict": verdict_texts[i],
                "fill": fills[i],
            },
        })  # fmt: skip
    collection = {"type": "FeatureCollection", "features": features}

    group = folium.FeatureGroup(name=name, show=True)
    DistrictStyle().add_to(group)
    fields, aliases = ["name"], ["区县"]
    if values is not None:
        fields.append("value")
        aliases.append(escape_text(value_label))
        if met is not None:
            fields.append("verdict")
            aliases.append("对照规划目标")
    if notes:
        fields.append("note")
        aliases.append("说明")
    tooltip = folium.GeoJsonTooltip(fields=fields, aliases=aliases, labels=len(fields) > 1)

    def style(feature: dict) -> dict:
        return {
            "fillColor": feature["properties"]["fill"],
            "color": STROKE,
            "weight": 1.5,
            "fillOpacity": fill_opacity,
        }

    folium.GeoJson(
        collection,
        name=name,
        style_function=style,
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": min(1.0, fill_opacity + 0.2)},
        tooltip=tooltip,
        zoom_on_click=False,
        # The shared canvas, so districts stay hoverable and clickable under point layers.
        renderer=JsCode(SHARED_CANVAS),
    ).add_to(group)

    if labels:
        for dname, point in zip(gdf["name"], points.values, strict=True):
            folium.Marker(
                location=[round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)],
                icon=folium.DivIcon(
                    html=f"<span>{escape_text(dname)}</span>",
                    icon_size=(0, 0),
                    class_name="gsyf-district-label",
                ),
                interactive=False,
                keyboard=False,
            ).add_to(group)
    if legend is not None:
        legend.add_to(group)
    return group


def district_counts(df: pd.DataFrame, column: str = "district") -> pd.Series:
    """Rows per district adcode, for all six districts in the order of the domain (0 if none).

    Parameters
    ----------
    df
        Rows with a district adcode column.
    column
        Name of that column.

    Returns
    -------
    pandas.Series
        Counts indexed by adcode, named ``"count"``.
    """
    order = [d.adcode for d in DISTRICTS]
    counts = df[column].astype(str).value_counts() if len(df) else pd.Series(dtype=int)
    return counts.reindex(order, fill_value=0).astype(int).rename("count")


def district_table(values: pd.Series, value_label: str = "数值") -> pd.DataFrame:
    """A table of values by district with Chinese headers (区县, ``value_label``).

    Parameters
    ----------
    values
        Numbers keyed by adcode (e.g. from :func:`district_counts`).
    value_label
        Header of the value column.

    Returns
    -------
    pandas.DataFrame
        One row per district in the order of the domain, plus no index.
    """
    names = {d.adcode: d.name for d in DISTRICTS}
    out = pd.DataFrame({
        "区县": [names.get(str(a), str(a)) for a in values.index],
        value_label: values.to_numpy(),
    })  # fmt: skip
    return out.reset_index(drop=True)
