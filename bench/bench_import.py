"""Benchmark: import, re-import and export of an enterprise register.

Usage::

    .venv/bin/python bench/bench_import.py [--enterprises 20000] [--pg URL]

Builds the demo city's enterprise register (default 20,000 rows), exports it as CSV and
XLSX, then times on an empty store: the first import (all inserts), the re-import of the
same file (nothing changes), an import of the same rows without coordinates (placed
offline from the address text) and the export. Prints seconds, rows per second and each
time as a ratio to the first CSV import.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from gsyf_geo.demo import load_demo  # noqa: E402
from gsyf_geo.importing.export import export_bytes, to_csv_bytes  # noqa: E402
from gsyf_geo.importing.load import import_file  # noqa: E402
from gsyf_geo.store import Store  # noqa: E402


def _timed(label: str, n: int, func, base: float | None) -> float:
    t0 = time.perf_counter()
    out = func()
    s = time.perf_counter() - t0
    status = getattr(out, "status", "")
    ratio = f"{s / base:6.2f}" if base else "  1.00"
    print(f"  {label:34s} {s:8.2f} s {n / s:9.0f} rows/s  ×{ratio}  {status}")
    return s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--pg", help="PostgreSQL URL of an empty database to import into as well")
    args = parser.parse_args()
    n = args.enterprises
    with tempfile.TemporaryDirectory() as tmp:
        source = Store(f"sqlite:///{tmp}/source.sqlite")
        source.create_schema()
        load_demo(source, enterprises=n, seed=2021)
        csv_data = export_bytes(source, "enterprise", "csv")
        xlsx_data = export_bytes(source, "enterprise", "xlsx")
        no_xy = pd.read_csv(io.BytesIO(csv_data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        no_xy = no_xy.drop(columns=["经度", "纬度", "定位来源", "定位精度", "超出所填区县"])
        no_xy_data = to_csv_bytes(no_xy)
        source.engine.dispose()
        targets = [("sqlite", f"sqlite:///{tmp}/bench.sqlite")] + ([("postgis", args.pg)] if args.pg else [])
        for backend, url in targets:
            store = Store(url)
            store.drop_schema()
            store.create_schema()
            print(f"{backend}, {n:,} enterprises (CSV {len(csv_data) / 1e6:.1f} MB, XLSX {len(xlsx_data) / 1e6:.1f} MB)")
            base = _timed("import CSV (all new)", n, lambda s=store: import_file(s, "enterprise", csv_data, "e.csv"), None)
            _timed("re-import CSV (unchanged)", n, lambda s=store: import_file(s, "enterprise", csv_data, "e.csv"), base)
            _timed("re-import XLSX (unchanged)", n, lambda s=store: import_file(s, "enterprise", xlsx_data, "e.xlsx"), base)
            store.drop_schema()
            store.create_schema()
            _timed("import without coordinates (offline)", n,
                   lambda s=store: import_file(s, "enterprise", no_xy_data, "n.csv"), base)  # fmt: skip
            _timed("export CSV", n, lambda s=store: export_bytes(s, "enterprise", "csv"), base)
            _timed("export XLSX", n, lambda s=store: export_bytes(s, "enterprise", "xlsx"), base)
            store.engine.dispose()


if __name__ == "__main__":
    main()
