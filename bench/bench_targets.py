"""Benchmark: computing and judging every target of the plan (the 目标监测 page's work).

Loads the demo city with N enterprises into a temporary SQLite file (or uses ``--db``) and
times :func:`gsyf_geo.monitor.evaluation.evaluate_plan` city-wide and for one district,
and the final-evaluation export. Prints the figures; no pass/fail.

    .venv/bin/python bench/bench_targets.py [--enterprises 20000] [--db sqlite:///path]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gsyf_geo.demo import load_demo  # noqa: E402
from gsyf_geo.monitor.evaluation import evaluate_plan, final_tables, to_excel  # noqa: E402
from gsyf_geo.plan import default_plan  # noqa: E402
from gsyf_geo.store import Scope, Store  # noqa: E402


def _timed(label: str, fn, repeat: int = 3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"  {label:40s} {best:7.2f} s (best of {repeat})")
    return out, best


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--enterprises", type=int, default=20_000)
    p.add_argument("--db", default=None, help="existing store URL (skips loading the demo)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        store = Store(url)
        store.create_schema()
        if not args.db:
            t0 = time.perf_counter()
            load_demo(store, enterprises=args.enterprises)
            print(
                f"demo city with {args.enterprises:,} enterprises loaded in {time.perf_counter() - t0:.1f} s"
            )
        counts = {k: store.count(k) for k in ("enterprise", "training_record", "work_injury")}
        print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        plan = default_plan()
        day = date(2026, 11, 29)
        results, city_s = _timed(
            "evaluate_plan (city, 14 targets)", lambda: evaluate_plan(store, plan, day)
        )
        _, district_s = _timed(
            "evaluate_plan (district 武进)",
            lambda: evaluate_plan(store, plan, day, Scope.district("320412")),
        )
        _timed("final tables + Excel export", lambda: to_excel(final_tables(results, plan)))
        print(f"  district / city time ratio: {district_s / city_s:.2f}")
        store.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
