"""Benchmark: the officer's enterprise list — each order over every filtered row, and the export.

Usage::

    .venv/bin/python bench/bench_enterprise_list.py [--db sqlite:////tmp/demo.sqlite] [--unit 320412]

Prints, for the whole city and for one unit of a store (the 20,000-enterprise demo city by
default), the time to sort every filtered enterprise in each of the list's orders and keep the
page's first 1,000 rows (what the page computes on a change of order), and the time to write
the full Excel and CSV exports. Each figure is the best of three runs, with the machine's load
average beside it (the figures grow with the load of a shared machine).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gsyf_geo.analysis.enterprise_list import LIST_SORTS, PAGE_ROWS, list_export  # noqa: E402
from gsyf_geo.analysis.filters import MapState, apply_state  # noqa: E402
from gsyf_geo.analysis.indicators import enterprise_table  # noqa: E402
from gsyf_geo.analysis.mapdata import load_map_data  # noqa: E402
from gsyf_geo.store import Store  # noqa: E402


def best_of(fn, runs: int = 3) -> float:
    """The shortest of ``runs`` wall times of ``fn()``, in seconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:////tmp/demo.sqlite")
    parser.add_argument("--unit", default="320412", help="a reporting unit (default 武进)")
    args = parser.parse_args()
    store = Store(args.db)
    data = load_map_data(store)
    print(f"load average {os.getloadavg()[0]:.1f}")
    for label, state in (("全市", MapState()), (args.unit, MapState(unit=args.unit))):
        view = apply_state(data, state)
        n = len(view.enterprises)
        for sort, name in LIST_SORTS.items():
            s = best_of(lambda sort=sort, view=view: enterprise_table(view, limit=PAGE_ROWS, sort=sort))
            print(f"{label} ({n:,} 家) 按{name}排序并取前 {PAGE_ROWS:,} 家: {s * 1000:.0f} ms")
        export = list_export(view, state, label, "untrained")
        print(f"{label} 导出 Excel（{n:,} 行）: {best_of(export.xlsx, 1):.2f} s")
        print(f"{label} 导出 CSV（{n:,} 行）: {best_of(export.csv, 1):.2f} s")
    store.engine.dispose()


if __name__ == "__main__":
    main()
