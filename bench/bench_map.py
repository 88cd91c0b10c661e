"""Benchmark: the risk map at 100,000 (and 200,000) enterprises.

Usage::

    .venv/bin/python bench/bench_map.py [--enterprises 100000] [--memory-enterprises 200000]
                                        [--skip-plain] [--skip-browser]

Prints, against the targets of the risk-map issue and beside the plain folium ways
(one ``folium.Marker`` per enterprise in a ``MarkerCluster``, and ``FastMarkerCluster``)
measured in the same run:

- payload: the map data sent to the browser for the whole-city view (≤ 1.5 MB);
- drawn: headless Chromium, navigation until the map has drawn, minus the same for an
  empty Streamlit page on the same machine (≤ 1.5 s);
- filter: server time of a filter change (≤ 1 s), over several filter changes;
- pan: server time of the map fragment's rerun for a new view (≤ 0.3 s);
- memory: peak RSS of the Streamlit server with the page open at 200,000 enterprises
  (≤ 1.5 GB).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    folium_frame,
    outside_requests,
    streamlit_app,
    wait_idle,
)
from gsyf_geo.analysis.filters import MapState, apply_state  # noqa: E402
from gsyf_geo.analysis.indicators import enterprise_table, headline, unit_indicators  # noqa: E402
from gsyf_geo.analysis.mapdata import load_map_data  # noqa: E402
from gsyf_geo.demo import load_demo  # noqa: E402
from gsyf_geo.layers.enterprises import enterprise_layer  # noqa: E402
from gsyf_geo.layers.riskmap import build_risk_map  # noqa: E402
from gsyf_geo.store import Store  # noqa: E402

FILTERS = (
    MapState(),
    MapState(unit="320412"),
    MapState(industries=("chemical", "hazchem")),
    MapState(unit="JKQ", sizes=("large", "medium")),
    MapState(grades=("red", "orange"), years=(2023, 2025)),
    MapState(layers=("districts", "enterprises", "projects", "bases", "accidents", "disease")),
)
VIEWS = (  # (south, west, north, east), zoom: the pans and zooms of the fragment bench
    ((31.2, 119.1, 32.1, 120.3), 9),
    ((31.70, 119.85, 31.85, 120.10), 12),
    ((31.93, 119.90, 32.0, 120.02), 13),
    ((31.76, 119.93, 31.80, 119.99), 15),
    ((31.35, 119.25, 31.55, 119.55), 11),
)


def ensure_store(path: Path, n: int) -> str:
    url = f"sqlite:///{path}"
    store = Store(url)
    store.create_schema()
    if store.get_setting("demo_enterprises") != str(n):
        t0 = time.perf_counter()
        load_demo(store, enterprises=n, seed=2021)
        print(f"  (demo with {n:,} enterprises loaded in {time.perf_counter() - t0:.1f} s)")
    store.engine.dispose()
    return url


def payload_bytes(m, group=None) -> int:
    """What streamlit-folium sends for a map: script, html, header and the feature group."""
    import streamlit_folium as sf

    m.get_root().render()
    html, header = sf._get_html(m), sf._get_header(m)
    script = sf._get_map_string(m)
    extra = sf._get_feature_group_string(group, map=m) if group is not None else ""
    return len((script + html + header + extra).encode())


def server_side(url: str) -> dict[str, float]:
    store = Store(url)
    data = load_map_data(store)
    out: dict[str, float] = {}
    # Whole-city payload (default layers).
    state = MapState()
    view = apply_state(data, state)
    table = unit_indicators(view, data.years)
    m, _ = build_risk_map(state, view, table)
    group, info = enterprise_layer(view.enterprises, zoom=9)
    out["payload_mb"] = payload_bytes(m, group) / 1e6
    out["payload_mode"] = info.mode
    # Filter changes: everything the page computes before Streamlit serialises.
    times = []
    for state in FILTERS * 2:
        t0 = time.perf_counter()
        view = apply_state(data, state)
        table = unit_indicators(view, data.years)
        headline(view, data.years)
        enterprise_table(view, limit=5_000)
        m, _ = build_risk_map(state, view, table)
        group, _ = enterprise_layer(view.enterprises, zoom=9)
        payload_bytes(m, group)
        times.append(time.perf_counter() - t0)
    out["filter_s_median"], out["filter_s_max"] = statistics.median(times), max(times[1:])
    # Pans and zooms: the fragment rebuilds the map and the enterprise layer for the view.
    state = MapState()
    view = apply_state(data, state)
    table = unit_indicators(view, data.years)
    times = []
    for bounds, zoom in VIEWS * 2:
        t0 = time.perf_counter()
        m, _ = build_risk_map(state, view, table)
        group, _ = enterprise_layer(view.enterprises, bounds=bounds, zoom=zoom)
        payload_bytes(m, group)
        times.append(time.perf_counter() - t0)
    out["pan_s_median"], out["pan_s_max"] = statistics.median(times), max(times)
    store.engine.dispose()
    return out


def plain_payloads(url: str) -> dict[str, float]:
    import folium
    from folium.plugins import FastMarkerCluster, MarkerCluster

    from gsyf_geo.layers.offline import make_offline_map

    store = Store(url)
    ent = store.read("enterprise", columns=["name", "lon", "lat"])
    store.engine.dispose()
    out = {}
    t0 = time.perf_counter()
    m = make_offline_map()
    cluster = MarkerCluster().add_to(m)
    for lat, lon, name in zip(ent["lat"], ent["lon"], ent["name"], strict=True):
        folium.Marker([lat, lon], tooltip=name).add_to(cluster)
    out["markers_mb"] = payload_bytes(m) / 1e6
    out["markers_server_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = make_offline_map()
    FastMarkerCluster(
        list(zip(ent["lat"].round(5), ent["lon"].round(5), strict=True)),
        callback="function (row) { return L.marker(new L.LatLng(row[0], row[1])); }",
    ).add_to(m)
    out["fast_mb"] = payload_bytes(m) / 1e6
    out["fast_server_s"] = time.perf_counter() - t0
    return out


def draw_time(
    url: str, script: str, ready_js: str | None, env: dict | None = None, repeats: int = 3, timeout_s: float = 600,
    page_ready_js: str | None = None,
):
    """Median seconds from navigation until ``ready_js`` is true in the map frame and
    ``page_ready_js`` on the page around it (with no ``ready_js``: until the empty page's
    text shows); plus the server's peak RSS in MB."""
    from playwright.sync_api import sync_playwright

    times, outside = [], []
    with tempfile.TemporaryDirectory() as tmp, streamlit_app(url, Path(tmp) / "log", script=script, env=env) as (
        base,
        proc,
    ):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for i in range(repeats + 1):  # the first load warms the server's caches
                context = browser.new_context(viewport={"width": 1500, "height": 1100})
                requests: list[str] = []
                context.on("request", lambda r, requests=requests: requests.append(r.url))
                page = context.new_page()
                t0 = time.perf_counter()
                page.goto(base, wait_until="domcontentloaded")
                if ready_js:
                    folium_frame(page, timeout_s).wait_for_function(ready_js, timeout=timeout_s * 1000, polling=50)
                    if page_ready_js:  # the rest of the page, usually there before the map
                        page.wait_for_function(page_ready_js, timeout=timeout_s * 1000, polling=50)
                else:
                    page.get_by_text("空白页面").wait_for(timeout=120_000)
                elapsed = time.perf_counter() - t0
                wait_idle(page, 600_000)
                if i:
                    times.append(elapsed)
                outside += outside_requests(requests)
                context.close()
            browser.close()
        rss = peak_rss_mb(proc.pid)
    return statistics.median(times), rss, outside


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


RISK_READY = """() => window.map && Object.values(window.map._layers).some(
    l => l.feature && (l.feature.properties.kind === 'hexagon' || l.feature.properties.kind === 'enterprise'))"""
# The risk map page is drawn when, besides the map, its figures, list and filters are there.
RISK_PAGE_READY = """() => document.querySelectorAll('[data-testid="stMetric"]').length >= 11
    && document.querySelector('[data-testid="stDataFrame"] canvas')
    && document.querySelector('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')"""
PLAIN_READY = "() => window.map && document.querySelectorAll('.marker-cluster').length > 0"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--memory-enterprises", type=int, default=200_000)
    parser.add_argument("--skip-plain", action="store_true", help="skip the plain folium page loads")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--workdir", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    n = args.enterprises
    url = ensure_store(work / f"demo_{n}.sqlite", n)

    print(f"== risk map, {n:,} enterprises ==")
    s = server_side(url)
    p = plain_payloads(url)
    print(f"payload whole city   {s['payload_mb']:.2f} MB ({s['payload_mode']})  target ≤ 1.5 MB  ratio {s['payload_mb'] / 1.5:.2f}")
    print(f"  plain MarkerCluster {p['markers_mb']:.2f} MB (server {p['markers_server_s']:.1f} s)"
          f"  FastMarkerCluster {p['fast_mb']:.2f} MB (server {p['fast_server_s']:.1f} s)")
    print(f"  ours ÷ MarkerCluster {s['payload_mb'] / p['markers_mb']:.3f}  ours ÷ Fast {s['payload_mb'] / p['fast_mb']:.3f}")
    print(f"filter change server median {s['filter_s_median']:.3f} s  max {s['filter_s_max']:.3f} s  target ≤ 1 s  ratio {s['filter_s_max']:.2f}")
    print(f"pan/zoom fragment   median {s['pan_s_median']:.3f} s  max {s['pan_s_max']:.3f} s  target ≤ 0.3 s  ratio {s['pan_s_max'] / 0.3:.2f}")

    if not args.skip_browser:
        empty, _, out0 = draw_time(url, "bench/apps/empty_app.py", None)
        ours, rss, out1 = draw_time(url, "app.py", RISK_READY, page_ready_js=RISK_PAGE_READY)
        print(f"drawn: empty page {empty:.2f} s, risk map {ours:.2f} s, difference {ours - empty:.2f} s"
              f"  target ≤ 1.5 s  ratio {(ours - empty) / 1.5:.2f}  (server RSS {rss:.0f} MB)")
        if not args.skip_plain:
            for variant, label in (("fast", "FastMarkerCluster"), ("markers", "MarkerCluster")):
                try:
                    t, _, more = draw_time(url, "bench/apps/plain_folium_app.py", PLAIN_READY,
                                           {"GSYF_BENCH_VARIANT": variant}, 1, timeout_s=180)  # fmt: skip
                    print(f"  {label} page {t:.2f} s (difference {t - empty:.2f} s)")
                    out1 += more
                except Exception as exc:  # noqa: BLE001 - a baseline that never draws is a result too
                    print(f"  {label} page: not drawn within 180 s ({exc.__class__.__name__})")
        print(f"requests that left the machine: {len(out0 + out1)}")
        m = args.memory_enterprises
        if m:
            url2 = ensure_store(work / f"demo_{m}.sqlite", m)
            t, rss2, _ = draw_time(url2, "app.py", RISK_READY, repeats=1, page_ready_js=RISK_PAGE_READY)
            print(f"memory at {m:,} enterprises: server peak RSS {rss2:.0f} MB  target ≤ 1536 MB"
                  f"  ratio {rss2 / 1536:.2f}  (page drawn in {t:.2f} s)")


if __name__ == "__main__":
    main()
