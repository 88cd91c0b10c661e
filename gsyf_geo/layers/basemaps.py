"""Optional tile basemaps. The default is none: the map then needs no network at all.

Online basemaps are for machines that may reach the provider; a local tile folder serves
fully offline sites. Maps published in mainland China must show the provider's map review
number (审图号), kept here as constants.

Amap tiles are in GCJ-02: a basemap with ``gcj02=True`` needs every overlay converted with
``gsyf_geo.crs.from_wgs84(lon, lat, "gcj02")`` (layers take a ``gcj02`` flag for that).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

import folium

from gsyf_geo.layers.offline import COMPONENT_ROOT, STATIC_DIR
from gsyf_geo.settings import tianditu_key

# Map review numbers (审图号) shown with the tiles. They change when the provider's map is
# re-reviewed: check them against the provider's current page before each release
# (天地图: https://www.tianditu.gov.cn/ footer; 高德: https://lbs.amap.com/ terms).
TIANDITU_REVIEW_NUMBER = "GS(2024)0650号"
AMAP_REVIEW_NUMBER = "GS(2024)1158号"

LOCAL_TILES_ENV = "GSYF_LOCAL_TILES_URL"
LOCAL_TILES_DIR = STATIC_DIR / "tiles"
LOCAL_TILES_DEFAULT = "app/static/tiles/{z}/{x}/{y}.png"
"""Used when ``GSYF_LOCAL_TILES_URL`` is unset and ``static/tiles/`` exists."""

_TIANDITU = (
    "http://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{key}}"
)


@dataclass(frozen=True)
class Basemap:
    """A basemap choice.

    Attributes
    ----------
    id
        Registry key.
    label
        Chinese name for the page.
    tiles
        Tile URL templates drawn bottom to top (Leaflet syntax; ``{key}`` is replaced by
        the provider key). Empty for "none".
    attribution
        Attribution text, including the review number where one applies.
    subdomains
        Values of ``{s}``.
    gcj02
        True when the tiles are in GCJ-02, so overlays must be shifted to match.
    online
        True when drawing the tiles needs a server outside this machine.
    max_native_zoom
        Highest zoom the provider has tiles for (Leaflet scales beyond it).
    note
        Shown next to the choice.
    """

    id: str
    label: str
    tiles: tuple[str, ...] = ()
    attribution: str = ""
    subdomains: str = "abc"
    gcj02: bool = False
    online: bool = False
    max_native_zoom: int = 18
    note: str = ""


BASEMAPS: dict[str, Basemap] = {
    "none": Basemap("none", "默认：无底图", note="不加载任何底图，无需联网。"),
    "tianditu": Basemap(
        "tianditu",
        "天地图（矢量）",
        tiles=(_TIANDITU.format(layer="vec"), _TIANDITU.format(layer="cva")),
        attribution=f"天地图 审图号：{TIANDITU_REVIEW_NUMBER}",
        subdomains="01234567",
        online=True,
        max_native_zoom=18,
        note="需联网及天地图密钥（GSYF_TIANDITU_KEY）。",
    ),
    "amap": Basemap(
        "amap",
        "高德地图",
        tiles=(
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}",
        ),
        attribution=f"高德地图 审图号：{AMAP_REVIEW_NUMBER}",
        subdomains="1234",
        gcj02=True,
        online=True,
        max_native_zoom=18,
        note="需联网；高德瓦片为 GCJ-02 坐标，叠加图层已相应偏移。",
    ),
    "osm": Basemap(
        "osm",
        "OpenStreetMap",
        tiles=("https://tile.openstreetmap.org/{z}/{x}/{y}.png",),
        attribution="&copy; OpenStreetMap 贡献者",
        subdomains="abc",
        online=True,
        max_native_zoom=19,
        note="需联网；境外服务，无审图号，仅供内部参考。",
    ),
    "local": Basemap(
        "local",
        "本地瓦片",
        tiles=(LOCAL_TILES_DEFAULT,),
        attribution="本地瓦片",
        note="读取本机瓦片目录（GSYF_LOCAL_TILES_URL，默认 static/tiles/{z}/{x}/{y}.png）。",
    ),
}
DEFAULT_BASEMAP = "none"


class BasemapUnavailable(ValueError):
    """The basemap cannot be drawn here (no key, no local tiles)."""


def local_tiles_url() -> str | None:
    """The local tile URL template: ``GSYF_LOCAL_TILES_URL``, else ``static/tiles`` if present.

    Returns
    -------
    str or None
        A URL template with ``{z}``, ``{x}``, ``{y}``; relative ones are relative to the
        Streamlit app root (``app/static/tiles/...``). None when no local tiles exist.
    """
    url = os.environ.get(LOCAL_TILES_ENV) or None
    if url:
        return url
    return LOCAL_TILES_DEFAULT if LOCAL_TILES_DIR.is_dir() else None


def unavailable_reason(name: str) -> str | None:
    """Why basemap ``name`` cannot be drawn, or None when it can.

    Raises
    ------
    KeyError
        For an unknown name.
    """
    basemap = BASEMAPS[name]
    if basemap.id == "tianditu" and not tianditu_key():
        return "未设置天地图密钥（环境变量 GSYF_TIANDITU_KEY）。"
    if basemap.id == "local" and not local_tiles_url():
        return "未找到本地瓦片：请设置 GSYF_LOCAL_TILES_URL 或放入 static/tiles/。"
    return None


def _resolve_url(template: str, basemap: Basemap) -> str:
    if "{key}" in template:
        key = tianditu_key() or ""
        template = template.replace("{key}", quote(key, safe=""))
    if basemap.id == "local":
        template = local_tiles_url() or template
        # Relative to the app root; the map runs in the st_folium iframe two levels down.
        if not template.startswith(("http://", "https://", "//", "/")):
            template = COMPONENT_ROOT + template
    return template


def add_basemap(m: folium.Map, name: str = DEFAULT_BASEMAP) -> Basemap:
    """Add the tile layers of basemap ``name`` to ``m`` (nothing for ``"none"``).

    Parameters
    ----------
    m
        The map (usually from :func:`gsyf_geo.layers.offline.make_offline_map`).
    name
        A key of :data:`BASEMAPS`.

    Returns
    -------
    Basemap
        The basemap drawn; check its ``gcj02`` flag before adding overlays.

    Raises
    ------
    KeyError
        For an unknown name.
    BasemapUnavailable
        When the basemap cannot be drawn here (see :func:`unavailable_reason`).
    """
    basemap = BASEMAPS[name]
    if basemap.id == "none":
        return basemap
    reason = unavailable_reason(name)
    if reason:
        raise BasemapUnavailable(reason)
    max_zoom = m.options.get("max_zoom", 18)
    for i, template in enumerate(basemap.tiles):
        folium.TileLayer(
            tiles=_resolve_url(template, basemap),
            attr=basemap.attribution,  # Leaflet shows equal texts once
            name=basemap.label if i == 0 else f"{basemap.label}（注记）",
            subdomains=basemap.subdomains,
            max_zoom=max_zoom,
            max_native_zoom=basemap.max_native_zoom,
            overlay=False,
            control=False,
        ).add_to(m)
    return basemap
