"""The risk map assembled from its layers (no Streamlit: the page and the bench share it).

The base map holds what depends only on the filters: the reporting-unit choropleth,
projects, bases, accident heat and pneumoconiosis. The enterprise layer depends on the
view too (bounds and zoom), so it is built separately by
:func:`gsyf_geo.layers.enterprises.enterprise_layer` and handed to streamlit-folium as a
``feature_group_to_add``: panning then redraws only that layer.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from gsyf_geo.analysis.filters import FilteredView, MapState
from gsyf_geo.analysis.indicators import INDICATORS
from gsyf_geo.analysis.ranking import indicator_target
from gsyf_geo.domain import DISTRICT_BY_ADCODE
from gsyf_geo.geography import reporting_units
from gsyf_geo.layers.accidents import accident_layer
from gsyf_geo.layers.basemaps import add_basemap
from gsyf_geo.layers.bases import base_layer, base_target
from gsyf_geo.layers.disease import disease_layer
from gsyf_geo.layers.districts import district_layer
from gsyf_geo.layers.fullscreen import FullscreenControl
from gsyf_geo.layers.offline import make_offline_map
from gsyf_geo.layers.projects import project_layer, project_target
from gsyf_geo.layers.towns import town_layer
from gsyf_geo.plan import Plan
from gsyf_geo.printing.printcss import PRINT_MAP_HEIGHT, PRINT_MAP_WIDTH

APPROXIMATE_NOTE = "经开区范围按乡镇中心近似划分（示意）"
FIT_PADDING_PX = 12
"""Margin (px) between the opening view (the city, a unit) and the map frame's edges."""
ZOOM_SNAP = 0.25
"""Zoom steps of a fit: a quarter level, so the city fills the frame instead of half of it."""


class FitView(MacroElement):
    """Open the map on ``bounds`` (with a margin) and fit it again whenever the frame changes
    size (the page's width, the sidebar opened or closed), until the user pans or zooms.

    The fit happens before any layer is drawn (no animation from a default view), so every
    width shows the whole city: at 1024 px 溧阳 in the south-west stays inside the frame.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var bounds = L.latLngBounds({{ this.bounds|tojson }});
            var options = {padding: [{{ this.padding }}, {{ this.padding }}], animate: false};
            var moved = false, fitting = false, lastRight = 0;
            function legendWidth() {
                var legend = map.getContainer().querySelector(".gsyf-legends");
                return legend && legend.open && legend.style.display !== "none" ? legend.offsetWidth + 20 : 0;
            }
            function fit() {
                if (moved) { return; }
                // An open legend (bottom right) is kept clear: the view ends left of it.
                var right = lastRight = legendWidth();
                options.paddingTopLeft = [{{ this.padding }}, {{ this.padding }}];
                options.paddingBottomRight = [Math.max({{ this.padding }}, right), {{ this.padding }}];
                fitting = true;
                try { map.fitBounds(bounds, options); } finally { fitting = false; }
            }
            map.on("dragstart", function () { moved = true; });
            map.on("zoomstart", function () { if (!fitting) { moved = true; } });
            map.on("resize", fit);
            fit();
            // Once the layers (and their legend) are on the map: again if an open legend needs room.
            setTimeout(function () { if (legendWidth() !== lastRight) { fit(); } }, 0);
            map.gsyfOpeningBounds = bounds;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]], padding: int = FIT_PADDING_PX) -> None:
        super().__init__()
        self._name = "FitView"
        self.bounds = bounds
        self.padding = int(padding)


def unit_bounds(units: gpd.GeoDataFrame, unit: str) -> list[list[float]]:
    """[[south, west], [north, east]] of a reporting unit, or of the whole city."""
    shown = units if unit == "city" else units[units["code"] == unit]
    west, south, east, north = shown.total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]


def build_risk_map(
    state: MapState, view: FilteredView, table: pd.DataFrame, *, plan: Plan | None = None,
    city_bases: int | None = None, whole_city: bool | None = None,
) -> tuple[folium.Map, bool]:
    """The base risk map for a state.

    Parameters
    ----------
    state
        Filters and view choices.
    view
        The filtered rows (:func:`gsyf_geo.analysis.filters.apply_state`).
    table
        Indicators per reporting unit (:func:`gsyf_geo.analysis.indicators.unit_indicators`).
    plan
        The plan whose targets the project and base legends show (none without it).
    city_bases
        Bases built in the whole city, for a district or unit view: its legend then gives
        the unit's share of the city instead of the city target.
    whole_city
        Whether the view is the whole city (default: ``state.unit == "city"``); a user who
        may see one district only sees a unit even at ``"city"``.

    Returns
    -------
    (folium.Map, gcj02)
        The map, and whether overlays are drawn in GCJ-02 (Amap basemap) — the
        enterprise layer must then be drawn in GCJ-02 too.
    """
    units = reporting_units().copy()
    # Map labels use the everyday names; 武进's polygon is drawn without 经开区.
    units["name"] = [DISTRICT_BY_ADCODE[c].name if c in DISTRICT_BY_ADCODE else s
                     for c, s in zip(units["code"], units["short_name"], strict=True)]  # fmt: skip
    m = make_offline_map()
    m.options["zoom_snap"] = ZOOM_SNAP
    # Open straight at the view, before any layer is drawn: a fitBounds after the layers
    # animates from the default view and draws every path again when the animation ends.
    FitView(view_bounds(units, state, view)).add_to(m)
    FullscreenControl(PRINT_MAP_WIDTH, PRINT_MAP_HEIGHT).add_to(m)
    basemap = add_basemap(m, state.basemap)
    gcj02 = basemap.gcj02
    if "districts" in state.layers:
        indicator = INDICATORS[state.indicator]
        values = table[state.indicator].astype(float)
        notes = {code: APPROXIMATE_NOTE for code in units.loc[units["approximate"], "code"]}
        # Colours anchored to the plan's target where there is one (docs/map_colours.md).
        anchor = indicator_target(table, state.indicator, plan)
        whole = state.unit == "city" if whole_city is None else whole_city
        district_layer(
            units, values, key="code", value_label=f"{indicator.name}（{indicator.unit}）",
            value_format=indicator.fmt, scheme=state.scheme, higher_is_worse=indicator.higher_is_worse,
            notes=notes, gcj02=gcj02, name="区县专题图",
            met=None if anchor is None else anchor.met, target_text="" if anchor is None else anchor.text,
            # The city view draws no enterprises at first (the page adds them from a zoom level):
            # the choropleth is the picture. Drilled in, points and hexagons lie on top of it.
            fill_opacity=0.45 if "enterprises" in state.layers and not whole else 0.7,
        ).add_to(m)  # fmt: skip
    else:
        district_layer(units, None, key="code", gcj02=gcj02, fill_opacity=0.15, name="区县").add_to(m)
    # The chosen towns, dashed, each holding its enterprises on the map.
    outlines = town_layer(state.towns, enterprises=view.enterprises, gcj02=gcj02) if state.towns else None
    if outlines is not None:
        outlines.add_to(m)
    if "accidents" in state.layers:
        accident_layer(view.injuries, gcj02=gcj02).add_to(m)
    if "projects" in state.layers:
        project_layer(view.projects, target=project_target(plan), gcj02=gcj02).add_to(m)
    if "disease" in state.layers:
        disease_layer(units, table, gcj02=gcj02).add_to(m)
    if "bases" in state.layers:
        whole = state.unit == "city" if whole_city is None else whole_city
        base_layer(
            view.bases, year=view.years[1], target=base_target(plan),
            city_existing=None if whole else city_bases, in_unit=not whole, gcj02=gcj02,
        ).add_to(m)  # fmt: skip
    return m, gcj02


def view_bounds(units: gpd.GeoDataFrame, state: MapState, view: FilteredView) -> list[list[float]]:
    """Where the map opens: the chosen towns' enterprises, else the unit (or the city)."""
    ent = view.enterprises
    if state.towns and ent["lat"].notna().any():
        pad = 0.01  # about 1 km
        return [[float(ent["lat"].min()) - pad, float(ent["lon"].min()) - pad],
                [float(ent["lat"].max()) + pad, float(ent["lon"].max()) + pad]]  # fmt: skip
    return unit_bounds(units, state.unit)
