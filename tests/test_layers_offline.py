"""The offline map: no CDN link anywhere, every local asset present, the district layer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import folium
import folium.plugins
import pandas as pd
import pytest
from branca.colormap import LinearColormap

from gsyf_geo.domain import DISTRICTS
from gsyf_geo.geography import districts
from gsyf_geo.layers import basemaps
from gsyf_geo.layers.basemaps import BASEMAPS, BasemapUnavailable, add_basemap
from gsyf_geo.layers.districts import (
    district_counts,
    district_layer,
    district_table,
    escape_text,
)
from gsyf_geo.layers.offline import (
    ASSET_BASE,
    ASSET_URL,
    CDN_ASSETS,
    STATIC_DIR,
    VENDOR_DIR,
    OfflineAssetError,
    OfflineMap,
    asset_links,
    local_asset_file,
    localize,
    make_offline_map,
)

URL_RE = re.compile(r"""(?:https?:)?//[^\s"'<>()\\`]+""", re.IGNORECASE)
LINK_RE = re.compile(r"""(?:src|href)="([^"]+)\"""")
# Namespace URIs are identifiers, not requests.
NAMESPACES = ("http://www.w3.org/",)


def remote_urls(text: str) -> list[str]:
    """Absolute or protocol-relative URLs in ``text`` (JSON-escaped ``\\/`` undone)."""
    found = URL_RE.findall(text.replace("\\/", "/"))
    return [u for u in found if u.startswith(("http", "//")) and not u.startswith(NAMESPACES)]


def _features(html: str) -> list[dict]:
    """The district FeatureCollection embedded in the rendered map."""
    m = re.search(r"_add\((\{\"features\".*?\})\);\n", html, re.DOTALL)
    assert m, "district GeoJSON not found in the rendered map"
    return json.loads(m.group(1))["features"]


@pytest.fixture(scope="module")
def district_gdf():
    return districts()


@pytest.fixture(scope="module")
def district_map_html(district_gdf) -> str:
    m = make_offline_map()
    district_layer(district_gdf).add_to(m)
    return m.get_root().render()


def test_default_map_has_no_remote_url(district_map_html):
    assert remote_urls(district_map_html) == []
    assert "cdn" not in district_map_html.lower()


def test_rendered_payload_is_small(district_map_html):
    size = len(district_map_html.encode("utf-8"))
    assert size < 250_000, f"rendered district map is {size:,} bytes"


def test_every_linked_asset_exists(district_map_html):
    links = LINK_RE.findall(district_map_html)
    assert links, "the map links no assets at all"
    for url in links:
        path = local_asset_file(url)
        assert path is not None, f"{url} is not under {ASSET_URL}"
        assert path.is_file(), f"{url} -> {path} is missing"


def test_every_mapped_cdn_file_is_vendored_with_licence():
    for url, rel in CDN_ASSETS.items():
        path = VENDOR_DIR / rel
        assert path.is_file(), f"{url} maps to missing {path}"
        folder = VENDOR_DIR / Path(rel).parts[0]
        assert list(folder.glob("LICENSE*")), f"no licence in {folder}"
    readme = (VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    for package in ("leaflet", "leaflet.markercluster", "jquery", "leaflet.heat"):
        assert f"`{package}`" in readme


def test_leaflet_css_images_exist():
    css = (VENDOR_DIR / "leaflet-1.9.3" / "leaflet.css").read_text(encoding="utf-8")
    images = re.findall(r"url\(([^)]+)\)", css)
    assert images
    for rel in images:
        rel = rel.strip("'\"")
        if rel.startswith(("data:", "#")):  # inline data, IE behaviour ids
            continue
        assert not rel.startswith(("http", "//"))
        assert (VENDOR_DIR / "leaflet-1.9.3" / rel).is_file(), rel


def test_vendor_folder_stays_small():
    total = sum(p.stat().st_size for p in VENDOR_DIR.rglob("*") if p.is_file())
    assert total < 500_000, f"static/vendor is {total:,} bytes"


def test_asset_url_resolves_to_static_serving_from_component_iframe():
    # st_folium's iframe page; the links are relative to it, whatever the base URL path is.
    for base in ("http://127.0.0.1:8501/", "http://host/gsyf/"):
        page = urljoin(base, "component/streamlit_folium.st_folium/index.html")
        url = urljoin(page, f"{ASSET_URL}/leaflet-1.9.3/leaflet.js")
        assert urlsplit(url).path == urlsplit(base).path + f"{ASSET_BASE}/leaflet-1.9.3/leaflet.js"
    assert (STATIC_DIR / "vendor").is_dir()


def test_plugins_we_use_are_served_locally(district_gdf):
    m = make_offline_map()
    district_layer(district_gdf).add_to(m)
    cluster = folium.plugins.MarkerCluster().add_to(m)
    folium.CircleMarker([31.7, 119.9], radius=4, popup=folium.Popup("弹窗")).add_to(cluster)
    folium.plugins.FastMarkerCluster([[31.7, 119.9], [31.6, 119.8]]).add_to(m)
    folium.plugins.HeatMap([[31.7, 119.9, 1.0]]).add_to(m)
    folium.LayerControl().add_to(m)
    html = m.get_root().render()
    assert remote_urls(html) == []
    links = asset_links(m)  # what st_folium hands to its iframe
    assert links and all(local_asset_file(u) and local_asset_file(u).is_file() for u in links)
    names = {Path(u).name for u in links}
    assert {"leaflet.js", "leaflet.css", "jquery.min.js", "leaflet.markercluster.js",
            "MarkerCluster.css", "MarkerCluster.Default.css", "leaflet_heat.min.js"} <= names  # fmt: skip
    assert not any("bootstrap" in u or "awesome" in u or "fontawesome" in u for u in links)


def test_class_defaults_are_not_mutated():
    make_offline_map().get_root().render()
    assert folium.Map.default_js[0][1].startswith("https://")
    assert folium.plugins.MarkerCluster.default_js[0][1].startswith("https://")


def test_map_options():
    m = make_offline_map()
    assert isinstance(m, OfflineMap)
    assert m.options["max_zoom"] and m.options["min_zoom"]
    assert m.options["prefer_canvas"] is True
    lat, lon = m.location
    assert 31.4 < lat < 31.9 and 119.4 < lon < 119.9
    assert not any(isinstance(c, folium.TileLayer) for c in m._children.values())
    html = m.get_root().render()
    assert '"maxZoom": 18' in html and "L.tileLayer" not in html
    assert html.count("L.control.scale(") == 1 and "imperial: false" in html
    assert "setPrefix(false)" in html  # no English "Leaflet" credit, only the data sources'
    assert '"放大"' in html.encode().decode("unicode_escape")  # Chinese zoom buttons


def test_unknown_cdn_plugin_raises():
    m = make_offline_map()
    folium.plugins.Fullscreen().add_to(m)  # links its own CDN files, not vendored
    with pytest.raises(OfflineAssetError, match="static/vendor"):
        m.get_root().render()


@pytest.mark.parametrize(
    "add",
    [
        lambda m: folium.Marker([31.7, 119.9], icon=folium.Icon(color="red")).add_to(m),
        lambda m: LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(m),
    ],
    ids=["folium.Icon", "branca colormap"],
)
def test_elements_needing_dropped_assets_raise(add):
    m = make_offline_map()
    add(m)
    with pytest.raises(OfflineAssetError):
        localize(m)


def test_plain_folium_map_can_be_localized():
    m = folium.Map(tiles=None)
    localize(m)
    assert asset_links(m) and all(u.startswith(ASSET_URL) for u in asset_links(m))


def test_online_basemaps_only_add_their_tile_urls(monkeypatch, district_gdf):
    monkeypatch.setenv("GSYF_TIANDITU_KEY", "test-key")
    for name, bm in BASEMAPS.items():
        if not bm.online:
            continue
        m = make_offline_map()
        add_basemap(m, name)
        district_layer(district_gdf, gcj02=bm.gcj02).add_to(m)
        html = m.get_root().render()
        urls = remote_urls(html)
        assert urls, name
        hosts = {urlsplit(t.replace("{s}", "0")).hostname.split(".", 1)[1] for t in bm.tiles}
        for url in urls:
            host = urlsplit(url.replace("{s}", "0")).hostname
            assert host and host.split(".", 1)[1] in hosts, f"{name}: unexpected {url}"
        assert html.count("L.tileLayer(") == len(bm.tiles)


def test_basemap_attribution_and_keys(monkeypatch):
    monkeypatch.delenv("GSYF_TIANDITU_KEY", raising=False)
    assert basemaps.unavailable_reason("tianditu")
    with pytest.raises(BasemapUnavailable):
        add_basemap(make_offline_map(), "tianditu")
    monkeypatch.setenv("GSYF_TIANDITU_KEY", "k&y")
    m = make_offline_map()
    add_basemap(m, "tianditu")
    html = m.get_root().render().encode().decode("unicode_escape")
    assert "tk=k%26y" in html
    assert "审图号：GS(2024)0650号" in html
    assert "天地图" in BASEMAPS["tianditu"].attribution
    assert "审图号：GS(2024)1158号" in BASEMAPS["amap"].attribution
    assert BASEMAPS["amap"].gcj02 and not BASEMAPS["tianditu"].gcj02
    assert add_basemap(make_offline_map(), "none").id == "none"


def test_local_tiles(monkeypatch):
    monkeypatch.delenv(basemaps.LOCAL_TILES_ENV, raising=False)
    monkeypatch.setattr(basemaps, "LOCAL_TILES_DIR", Path("/nonexistent/tiles"))
    assert basemaps.unavailable_reason("local")
    monkeypatch.setenv(basemaps.LOCAL_TILES_ENV, "app/static/tiles/{z}/{x}/{y}.png")
    m = make_offline_map()
    add_basemap(m, "local")
    html = m.get_root().render()
    assert '"../../app/static/tiles/{z}/{x}/{y}.png"' in html
    assert remote_urls(html) == []
    monkeypatch.setenv(basemaps.LOCAL_TILES_ENV, "http://10.0.0.5/tiles/{z}/{x}/{y}.png")
    m = make_offline_map()
    add_basemap(m, "local")
    assert '"http://10.0.0.5/tiles/{z}/{x}/{y}.png"' in m.get_root().render()


def test_district_layer_has_six_named_features(district_map_html):
    features = _features(district_map_html)
    assert len(features) == 6
    assert [f["properties"]["name"] for f in features] == [d.name for d in DISTRICTS]
    assert [f["properties"]["adcode"] for f in features] == [d.adcode for d in DISTRICTS]
    # one label per district, written as a DivIcon
    labels = re.findall(r'"html": "\\u003cspan\\u003e(.*?)\\u003c/span\\u003e"', district_map_html)
    assert [json.loads(f'"{s}"') for s in labels] == [d.name for d in DISTRICTS]


def test_district_geometry_is_simplified_and_rounded(district_gdf, district_map_html):
    import shapely

    features = _features(district_map_html)
    n_out = sum(len(json.dumps(f["geometry"]["coordinates"]).split("],")) for f in features)
    n_in = int(shapely.get_num_coordinates(district_gdf.geometry.values).sum())
    assert n_out < n_in / 2
    coords = re.findall(r"\d+\.\d+", json.dumps(features[0]["geometry"]["coordinates"]))
    assert max(len(c.split(".")[1]) for c in coords) <= 5


def test_district_names_are_escaped(district_gdf):
    evil = district_gdf.copy()
    evil.loc[0, "name"] = "<img src=x onerror=alert(1)>"
    evil.loc[1, "name"] = "钟楼`${alert(2)}`\\"
    m = make_offline_map()
    district_layer(evil, pd.Series({"320402": 1, "320404": 2}), value_label="<b>数</b>").add_to(m)
    html = m.get_root().render()
    decoded = html.encode().decode("unicode_escape")  # undo JSON \\uXXXX escapes
    assert "<img" not in html and "<img" not in decoded
    assert "&lt;img src=x onerror=alert(1)&gt;" in decoded
    assert "${alert(2)}" not in decoded and "&#36;{alert(2)}" in decoded
    assert "<b>数</b>" not in decoded
    assert escape_text("a`b$c\\d<e>") == "a&#96;b&#36;c&#92;d&lt;e&gt;"


def test_district_values_colour_and_legend(district_gdf):
    values = pd.Series({"320402": 10, "320404": 20, "320411": 300, "320412": 4000, "320413": 50})
    m = make_offline_map()
    district_layer(district_gdf, values, value_label="企业数（家）").add_to(m)
    html = m.get_root().render()
    features = _features(html)
    fills = {f["properties"]["adcode"]: f["properties"]["fill"] for f in features}
    assert len(set(fills.values())) >= 4
    assert features[-1]["properties"]["value"] == "无数据"  # 溧阳 has no value
    assert features[3]["properties"]["value"] == "4,000"
    assert "gsyf-legend" in html and "gsyfLegendBox" in html  # one collapsible legend control
    assert "企业数（家）" in html.encode().decode("unicode_escape")
    assert remote_urls(html) == []


def test_district_layer_gcj02_shift(district_gdf):
    from gsyf_geo.crs import from_wgs84

    plain = _features(_render(district_layer(district_gdf)))
    shifted = _features(_render(district_layer(district_gdf, gcj02=True)))
    lon, lat = plain[0]["geometry"]["coordinates"][0][0][0]
    glon, glat = shifted[0]["geometry"]["coordinates"][0][0][0]
    elon, elat = from_wgs84(lon, lat, "gcj02")
    assert abs(glon - elon) < 2e-5 and abs(glat - elat) < 2e-5
    assert abs(glon - lon) > 1e-3


def _render(layer: folium.FeatureGroup) -> str:
    m = make_offline_map()
    layer.add_to(m)
    return m.get_root().render()


def test_district_counts_and_table():
    df = pd.DataFrame({"district": ["320402", "320402", "320481", "320412"]})
    counts = district_counts(df)
    assert list(counts.index) == [d.adcode for d in DISTRICTS]
    assert counts.tolist() == [2, 0, 0, 1, 0, 1]
    table = district_table(counts, "企业数（家）")
    assert list(table.columns) == ["区县", "企业数（家）"]
    assert table["区县"].tolist() == [d.name for d in DISTRICTS]
    assert district_counts(pd.DataFrame({"district": []})).sum() == 0


def test_jquery_is_served_only_to_maps_with_folium_popups():
    import folium

    from gsyf_geo.layers.offline import asset_links, make_offline_map

    plain = make_offline_map()
    plain.get_root().render()
    assert not any("jquery" in url for url in asset_links(plain))
    with_popup = make_offline_map()
    folium.Marker([31.7, 119.9], popup=folium.Popup("甲")).add_to(with_popup)
    with_popup.get_root().render()
    assert any("jquery" in url for url in asset_links(with_popup))
