"""Benchmark: generate and load the demo city.

Usage::

    .venv/bin/python bench/bench_demo_load.py [--enterprises 20000 200000] [--pg URL]

Prints generation and load time per size and backend, rows per second, and the ratio of the
load time to the 30 s budget of the foundation issue (below 1.0 is within budget).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gsyf_geo.demo import generate_demo, load_demo  # noqa: E402
from gsyf_geo.store import Store  # noqa: E402

BUDGET_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, nargs="+", default=[20_000])
    parser.add_argument("--pg", help="PostgreSQL URL of an empty database to load into as well")
    args = parser.parse_args()
    print(
        f"{'backend':8s} {'N':>8s} {'generate s':>11s} {'gen+load s':>11s} {'rows':>9s}"
        f" {'rows/s':>9s} {'÷30s':>6s}"
    )
    for n in args.enterprises:
        t0 = time.perf_counter()
        generate_demo(enterprises=n, seed=2021)
        gen = time.perf_counter() - t0
        targets = [("sqlite", None)] + ([("postgis", args.pg)] if args.pg else [])
        for backend, url in targets:
            with tempfile.TemporaryDirectory() as tmp:
                store = Store(url or f"sqlite:///{tmp}/bench.sqlite")
                store.drop_schema()
                store.create_schema()
                t0 = time.perf_counter()
                counts = load_demo(store, enterprises=n, seed=2021)
                total = time.perf_counter() - t0
                rows = sum(counts.values())
                store.engine.dispose()
            print(
                f"{backend:8s} {n:8d} {gen:11.2f} {total:11.2f} {rows:9d}"
                f" {rows / total:9.0f} {total / BUDGET_S:6.2f}"
            )


if __name__ == "__main__":
    main()
