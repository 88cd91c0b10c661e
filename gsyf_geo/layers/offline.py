"""Folium maps that draw with no request leaving the machine.

Users sit on government intranets without internet. folium points every element at CDN
copies of Leaflet and its plugins (``default_js`` / ``default_css``); streamlit-folium loads
those links one after another inside its iframe, and the first one that fails leaves the
map blank. Here the same files are vendored under ``static/vendor/`` (see its README),
served by Streamlit's static serving (``[server] enableStaticServing = true`` serves
``./static`` at ``<baseUrlPath>/app/static/``), and :func:`localize` rewrites every
element's links to those local copies.

A CDN URL that is not in :data:`CDN_ASSETS` raises :class:`OfflineAssetError`, so a new
plugin cannot quietly make the map depend on the internet: vendor its files and add them
to the table.

Only a tile basemap chosen explicitly (:mod:`gsyf_geo.layers.basemaps`) ever uses the
network; the default map has none.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import branca.colormap
import folium
from branca.element import Element, MacroElement
from folium.template import Template

from gsyf_geo.settings import PROJECT_DIR

STATIC_DIR: Path = PROJECT_DIR / "static"
"""Streamlit serves this folder at ``<baseUrlPath>/app/static/``."""
VENDOR_DIR: Path = STATIC_DIR / "vendor"

ASSET_BASE = "app/static/vendor"
"""Where the vendored assets live, relative to the Streamlit app root."""

COMPONENT_ROOT = "../../"
"""The app root as seen from the streamlit-folium iframe.

streamlit-folium runs in an iframe at ``<baseUrlPath>/component/streamlit_folium.st_folium/
index.html`` and inserts the links relative to that page, so two levels up is the app root,
whatever ``server.baseUrlPath`` is.
"""

ASSET_URL = COMPONENT_ROOT + ASSET_BASE
"""Prefix of the asset links written into maps shown with ``st_folium``."""

# CDN URL used by folium 0.20 -> file under static/vendor.
CDN_ASSETS: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet-1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet-1.9.3/leaflet.css",
    # folium.Popup builds its content with jQuery.
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        "leaflet.markercluster-1.1.0/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        "leaflet.markercluster-1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        "leaflet.markercluster-1.1.0/MarkerCluster.Default.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js":
        "leaflet-heat/leaflet_heat.min.js",
}  # fmt: skip

# Links of folium.Map that the project does not need and therefore does not serve: Bootstrap
# (page styling), and Font Awesome / awesome-markers (only folium.Icon uses them, and
# :func:`localize` refuses maps holding a folium.Icon).
DROPPED_ASSETS: frozenset[str] = frozenset({
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
})  # fmt: skip

CHANGZHOU_CENTER: tuple[float, float] = (31.63, 119.65)
"""(lat, lon) of the map's initial centre, WGS-84."""
DEFAULT_ZOOM = 9
MIN_ZOOM = 7
MAX_ZOOM = 18
BACKGROUND = "#f4f6f8"
"""Plain map background shown where no basemap is drawn."""
MAP_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
"""Locally installed CJK fonts only: no web font is ever fetched."""
ATTRIBUTION_PREFIX = ""
"""Leaflet 1.9's own credit (an English link with a flag icon) is left out: the attribution
shows the data sources' credits only (the basemap's, in Chinese where the provider has it)."""
ZOOM_IN_TITLE = "放大"
ZOOM_OUT_TITLE = "缩小"
"""Titles (tooltips and screen-reader names) of Leaflet's zoom buttons."""


class OfflineAssetError(RuntimeError):
    """A map element needs a resource from the internet that is not served locally."""


def _is_remote(url: str) -> bool:
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://", "//", "ftp://"))


def iter_elements(element: Element) -> Iterator[Element]:
    """Yield ``element`` and all its descendants (depth first, through ``_children``)."""
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from iter_elements(child)


def _local_links(
    links: list[tuple[str, str]], asset_url: str, owner: Element
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in links:
        if url in DROPPED_ASSETS:
            continue
        if url in CDN_ASSETS:
            out.append((name, f"{asset_url}/{CDN_ASSETS[url]}"))
        elif _is_remote(url):
            raise OfflineAssetError(
                f"{type(owner).__name__} 需要联网资源 {url}，但该资源未在本地提供。"
                "请把文件放入 static/vendor/ 并登记到 gsyf_geo.layers.offline.CDN_ASSETS。"
            )
        else:
            out.append((name, url))
    return out


def _check_supported(element: Element) -> None:
    if isinstance(element, folium.Icon):
        raise OfflineAssetError(
            "folium.Icon 依赖 Font Awesome / awesome-markers（未在本地提供）；"
            "请改用 folium.DivIcon 或 CircleMarker。"
        )
    if isinstance(element, branca.colormap.ColorMap):
        raise OfflineAssetError(
            "branca 色带图例会让 streamlit-folium 从 CDN 加载 d3；请使用 gsyf_geo 图层自带的图例。"
        )
    embed_link = getattr(element, "embed_link", None)
    if isinstance(element, folium.GeoJson) and embed_link and _is_remote(str(embed_link)):
        raise OfflineAssetError(f"GeoJson 数据来自网络地址 {embed_link}；请嵌入数据（embed=True）。")


def localize(element: Element, asset_url: str = ASSET_URL) -> Element:
    """Point every asset link of ``element`` and its descendants at the local copies.

    Walks the element tree through ``_children``; for each element with ``default_js`` or
    ``default_css`` (folium's ``JSCSSMixin``) it sets instance-level lists in which every
    known CDN URL is replaced by ``{asset_url}/<file>`` and the unneeded
    :data:`DROPPED_ASSETS` are removed. Class attributes are left alone. Idempotent: run it
    again after adding layers (:class:`OfflineMap` does so on every render).

    Parameters
    ----------
    element
        A folium map, or any element of one.
    asset_url
        URL prefix of ``static/vendor``; the default suits ``st_folium``'s iframe.

    Returns
    -------
    Element
        ``element`` itself, changed in place.

    Raises
    ------
    OfflineAssetError
        If an element links to a CDN URL that is not vendored, or needs something that is
        deliberately not served (folium.Icon, branca colormaps, remote GeoJSON).
    """
    for el in iter_elements(element):
        _check_supported(el)
        for attr in ("default_js", "default_css"):
            links = getattr(el, attr, None)
            if links:
                setattr(el, attr, _local_links(list(links), asset_url, el))
    return element


def asset_links(element: Element) -> list[str]:
    """The JS and CSS URLs of ``element``'s tree, deduplicated, as ``st_folium`` collects them."""
    urls: list[str] = []
    for el in iter_elements(element):
        urls.extend(url for _, url in getattr(el, "default_js", None) or [])
        urls.extend(url for _, url in getattr(el, "default_css", None) or [])
    return list(dict.fromkeys(urls))


def local_asset_file(url: str, asset_url: str = ASSET_URL) -> Path | None:
    """The file under ``static/vendor`` that a local asset URL points at, or None.

    Parameters
    ----------
    url
        A link as written by :func:`localize`.
    asset_url
        The prefix :func:`localize` was called with.

    Returns
    -------
    Path or None
        None when ``url`` does not start with ``asset_url`` or would leave ``static/vendor``.
    """
    prefix = asset_url.rstrip("/") + "/"
    if not url.startswith(prefix):
        return None
    relative = posixpath.normpath(url[len(prefix) :])
    if relative.startswith("..") or relative.startswith("/"):
        return None
    return VENDOR_DIR / relative


class _MapStyle(MacroElement):
    """Map furniture: plain background, local fonts, metric scale bar, Chinese zoom buttons,
    no Leaflet credit (the attribution box is hidden while it has nothing to credit)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .leaflet-container { background: {{ this.background }}; font-family: {{ this.font }}; }
            .leaflet-control-attribution:empty { display: none; }
        </style>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            {%- if this.scale %}
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
            {%- endif %}
            if ({{ this._parent.get_name() }}.attributionControl) {
                {{ this._parent.get_name() }}.attributionControl.setPrefix({% if this.prefix %}{{ this.prefix|tojson }}{% else %}false{% endif %});
            }
            (function (map) {
                // Leaflet writes English titles on its zoom buttons ("Zoom in"/"Zoom out").
                var zoom = map.zoomControl;
                if (!zoom) { return; }
                var titles = [[zoom._zoomInButton, {{ this.zoom_in|tojson }}],
                              [zoom._zoomOutButton, {{ this.zoom_out|tojson }}]];
                zoom.options.zoomInTitle = titles[0][1];
                zoom.options.zoomOutTitle = titles[1][1];
                titles.forEach(function (t) {
                    if (t[0]) { t[0].title = t[1]; t[0].setAttribute("aria-label", t[1]); }
                });
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        background: str = BACKGROUND,
        font: str = MAP_FONT,
        scale: bool = True,
        prefix: str = ATTRIBUTION_PREFIX,
    ) -> None:
        super().__init__()
        self._name = "MapStyle"
        self.background = background
        self.font = font
        self.scale = scale
        self.prefix = prefix
        self.zoom_in = ZOOM_IN_TITLE
        self.zoom_out = ZOOM_OUT_TITLE


class OfflineMap(folium.Map):
    """A :class:`folium.Map` that localizes its whole tree each time it renders.

    Layers added after construction are therefore covered too; an unknown CDN link raises
    :class:`OfflineAssetError` at render time instead of reaching the browser.
    """

    def __init__(self, *args: Any, asset_url: str = ASSET_URL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asset_url = asset_url
        localize(self, asset_url)

    def render(self, **kwargs: Any) -> None:
        """Localize the tree, then render as folium does."""
        localize(self, self.asset_url)
        self._drop_unused_jquery()
        super().render(**kwargs)

    def _drop_unused_jquery(self) -> None:
        """Leave jQuery out unless a folium popup (which builds its content with it) is here.

        streamlit-folium loads the links one after another before drawing: 87 KB less on
        every page that does not need it.
        """
        if any(isinstance(el, folium.Popup | folium.GeoJsonPopup) for el in iter_elements(self)):
            return
        self.default_js = [(name, url) for name, url in self.default_js if "jquery" not in url]


def make_offline_map(
    location: tuple[float, float] = CHANGZHOU_CENTER,
    zoom_start: int = DEFAULT_ZOOM,
    min_zoom: int = MIN_ZOOM,
    max_zoom: int = MAX_ZOOM,
    background: str = BACKGROUND,
    control_scale: bool = True,
    asset_url: str = ASSET_URL,
    **kwargs: Any,
) -> OfflineMap:
    """Create a map of Changzhou that needs no network.

    No tiles (add one with :func:`gsyf_geo.layers.basemaps.add_basemap` if wanted), canvas
    rendering, a metric scale bar, a plain background, and ``minZoom``/``maxZoom`` on the
    map itself (MarkerCluster fails with "Map has no maxZoom specified" otherwise).

    Parameters
    ----------
    location
        Initial centre (lat, lon), WGS-84.
    zoom_start, min_zoom, max_zoom
        Initial, smallest and largest zoom level.
    background
        CSS colour shown behind the layers.
    control_scale
        Draw a scale bar (metric only; folium's own would add miles).
    asset_url
        URL prefix of ``static/vendor`` (default: as seen from the ``st_folium`` iframe).
    **kwargs
        Passed on to :class:`folium.Map` (Leaflet map options).

    Returns
    -------
    OfflineMap
    """
    kwargs.setdefault("prefer_canvas", True)
    m = OfflineMap(
        location=list(location),
        zoom_start=zoom_start,
        tiles=None,
        asset_url=asset_url,
        control_scale=False,  # folium's scale bar shows miles too; _MapStyle adds a metric one
        **kwargs,
    )
    # With tiles=None folium only hands min/max zoom to a tile layer; set them on the map.
    m.options["min_zoom"] = min_zoom
    m.options["max_zoom"] = max_zoom
    # Leaflet's keyboard handler focuses the map on mousedown; inside streamlit-folium's
    # iframe the page then scrolls the map into view between mousedown and mouseup, and the
    # click lands somewhere else (or nowhere). Panning with the mouse and +/- stays.
    m.options.setdefault("keyboard", False)
    _MapStyle(background, scale=control_scale).add_to(m)
    return m
