"""Benchmark: the city hot-spot layer on the 200,000-enterprise demo.

Usage::

    .venv/bin/python bench/bench_hotspots.py [--enterprises 200000] [--db URL] [--keep PATH]

Without ``--db`` the demo city is generated with the command line
(``python -m gsyf_geo demo --enterprises N``) into a temporary SQLite file (or ``--keep PATH``,
reused when it already holds N enterprises). Prints, against the targets of issue 15:

- compute: the city hot-spot layer from the page's filtered view — rates per H3 hexagon
  (resolution 7), Gi* with 9,999 conditional permutations and FDR, the folium layer and its
  payload — for each measure, the latest year and 2020–2025 (≤ 10 s);
- cached redraw: the layer built again from the cached analysis, as the map fragment does on a
  pan (≤ 1 s);
- where the accident-rate hot spots lie against the demo's planted high-rate areas.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import streamlit_folium as sf  # imported once, as the page has it (its first import takes seconds)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gsyf_geo.analysis.filters import MapState, apply_state  # noqa: E402
from gsyf_geo.analysis.hotspots import hot_spots  # noqa: E402
from gsyf_geo.analysis.mapdata import load_map_data  # noqa: E402
from gsyf_geo.analysis.rates import CITY_RESOLUTION, hexagon_rates  # noqa: E402
from gsyf_geo.crs import to_metric  # noqa: E402
from gsyf_geo.demo import PLANTED_HIGH_RATE_AREAS  # noqa: E402
from gsyf_geo.layers.hotspots import hotspot_layer  # noqa: E402
from gsyf_geo.layers.offline import make_offline_map  # noqa: E402
from gsyf_geo.store import Store  # noqa: E402


def ensure_store(path: Path, n: int) -> str:
    url = f"sqlite:///{path}"
    store = Store(url)
    store.create_schema()
    held = store.get_setting("demo_enterprises")
    store.engine.dispose()
    if held != str(n):
        env = {**os.environ, "GSYF_DB_URL": url}
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gsyf_geo", "demo", "--enterprises", str(n)], cwd=ROOT, env=env,
                       check=True)  # fmt: skip
        print(f"  (demo with {n:,} enterprises generated and loaded in {time.perf_counter() - t0:.0f} s)")
    return url


def layer_payload(spots, years, m=None) -> int:
    """Build the layer and render it as streamlit-folium sends a ``feature_group_to_add``
    (the map fragment's work on a pan or zoom); bytes of what it sends."""
    m = m or make_offline_map()
    group = hotspot_layer(spots, years=years)
    return len(sf._get_feature_group_string(group, map=m).encode())


def planted_share(spots) -> tuple[int, int]:
    t = spots.table
    hot = t["cls"].isin(["hot_95", "hot_99"]).to_numpy()
    x, y = to_metric(t["lon"].to_numpy(), t["lat"].to_numpy())
    near = np.zeros(len(t), dtype=bool)
    for a in PLANTED_HIGH_RATE_AREAS:
        cx, cy = to_metric(a.lon, a.lat)
        near |= np.hypot(x - cx, y - cy) <= a.radius_m + 2_800.0  # one res-7 hexagon beyond
    return int(hot.sum()), int((hot & near).sum())


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--enterprises", type=int, default=200_000)
    p.add_argument("--db", default=None, help="existing store URL (skips generating the demo)")
    p.add_argument("--keep", default=None, help="SQLite file to generate into and reuse")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or ensure_store(Path(args.keep or Path(tmp) / "demo.sqlite"), args.enterprises)
        store = Store(url)
        t0 = time.perf_counter()
        data = load_map_data(store)
        print(f"map data read (shared by the whole page, not part of the layer): {time.perf_counter() - t0:.1f} s, "
              f"{len(data.enterprises):,} enterprises")  # fmt: skip
        runs = []
        for years in (None, (data.years[0], data.years[-1])):
            state = replace(MapState(layers=("districts", "hotspots")), years=years)
            view = apply_state(data, state)  # the page has this cached already (filters)
            for measure in ("accident_rate", "pneumoconiosis", "gap"):
                c0 = time.process_time()
                t0 = time.perf_counter()
                rates = hexagon_rates(view, data.years, CITY_RESOLUTION)
                t1 = time.perf_counter()
                spots = hot_spots(rates, measure)
                t2 = time.perf_counter()
                size = layer_payload(spots, view.years)
                t3 = time.perf_counter()
                cpu = time.process_time() - c0
                redraws, redraw_cpu = [], []
                base = make_offline_map()
                for _ in range(5):
                    r0, rc = time.perf_counter(), time.process_time()
                    layer_payload(spots, view.years, base)
                    redraws.append(time.perf_counter() - r0)
                    redraw_cpu.append(time.process_time() - rc)
                counts = {k: v for k, v in spots.counts().items() if v}
                label = f"{view.years[0]}–{view.years[1]}" if view.years[0] != view.years[1] else str(view.years[0])
                print(f"{label} {measure:15s} compute {t3 - t0:5.2f} s (rates {t1 - t0:.2f}, Gi* {t2 - t1:.2f}, "
                      f"layer {t3 - t2:.2f}; CPU {cpu:.2f} s); cached redraw median {statistics.median(redraws):.3f} s, "
                      f"max {max(redraws):.3f} s (CPU max {max(redraw_cpu):.3f} s); payload {size / 1e6:.2f} MB; {len(rates.table):,} hexagons; {counts}")  # fmt: skip
                if measure == "accident_rate":
                    hot, near = planted_share(spots)
                    print(f"    accident-rate hot spots at 95%+: {hot}, of them within a hexagon of a planted area: {near}")
                runs.append((t3 - t0, max(redraws), cpu, max(redraw_cpu)))
        worst_compute = max(r[0] for r in runs)
        worst_redraw = max(r[1] for r in runs)
        print(f"\nworst compute {worst_compute:.2f} s wall, {max(r[2] for r in runs):.2f} s CPU "
              f"(target ≤ 10 s: {'met' if worst_compute <= 10 else 'NOT met'}); worst cached redraw "
              f"{worst_redraw:.3f} s wall, {max(r[3] for r in runs):.3f} s CPU "
              f"(target ≤ 1 s: {'met' if worst_redraw <= 1 else 'NOT met'})")  # fmt: skip
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(wall times grow with other work on the machine; CPU time does not)")
        store.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
