"""Benchmark: bounded imports — a very large file and a hostile small one, on the CLI.

Usage::

    .venv/bin/python bench/bench_import_bounded.py [--rows 1000000] [--xlsx-rows 1000000] [--keep DIR]
        [--only bomb,csv,xlsx] [--block-rows N] [--page-preview]

Writes, in a temporary folder (or ``--keep DIR``, where files already written are reused):

1. an enterprise register CSV of ``--rows`` rows (valid credit codes, names, districts,
   addresses, coordinates inside 常州), imported into an empty SQLite store with
   ``python -m gsyf_geo import enterprise FILE``;
2. the same register's first ``--xlsx-rows`` rows as XLSX (0 skips it), imported likewise;
3. a 6 KB XLSX whose one shared string (in the 职工人数 column) is 2 MB, which must be
   refused within seconds.

Each import runs in its own process (``/usr/bin/time -v``): prints the wall time, the CPU
time, the peak resident memory (RSS) of that process, the exit status and the CLI's last
lines. ``--block-rows`` sets ``GSYF_IMPORT_BLOCK_ROWS`` (rows checked at a time).

``--page-preview``: instead of importing, each file (CSV, XLSX) gets the import page's
preview step (:func:`gsyf_geo.importing.blocks.preview_blocks`), its bytes held in memory as
the page holds an upload, into an empty SQLite store: peak RSS, time, the counts shown and
the size (pickled) of what the page keeps in its session. ``--page-preview-before`` runs
the page's former preview (``prepare_import`` of the whole file) the same way.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gsyf_geo.credit_code import CHARSET, credit_code_check_char  # noqa: E402

HEADERS = ["统一社会信用代码", "单位名称", "行业代码", "职工人数", "参保人数", "辖市区", "单位地址", "经度", "纬度"]
DISTRICTS = [("天宁区", "320402", 119.99, 31.79), ("钟楼区", "320404", 119.92, 31.78),
             ("新北区", "320411", 119.95, 31.86), ("武进区", "320412", 119.94, 31.70)]  # fmt: skip
INDUSTRIES = ["C3412", "C2614", "E4710", "C3311", "C1713", "C3130", "C3671"]


def credit_code(i: int, district: str) -> str:
    digits = []
    n = i
    for _ in range(8):
        digits.append(CHARSET[n % 31])
        n //= 31
    body = "91" + district + "M" + "".join(reversed(digits))
    return body + credit_code_check_char(body)


def rows(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    d = rng.integers(0, len(DISTRICTS), n)
    jitter = rng.uniform(-0.01, 0.01, (n, 2))
    emp = rng.integers(5, 800, n)
    ins = (emp * rng.uniform(0.6, 1.0, n)).astype(int)
    ind = rng.integers(0, len(INDUSTRIES), n)
    for i in range(n):
        name, code, lon, lat = DISTRICTS[d[i]]
        yield [credit_code(i, code), f"常州市测试{i}号机械有限公司", INDUSTRIES[ind[i]], int(emp[i]), int(ins[i]),
               name, f"常州市{name}测试路{i % 997 + 1}号", round(lon + jitter[i, 0], 6), round(lat + jitter[i, 1], 6)]


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows(rows(n))


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(HEADERS)
    for r in rows(n):
        ws.append(r)
    wb.save(path)


def write_shared_string_bomb(path: Path, size: int = 2_000_000) -> None:
    """A ~4 KB XLSX whose one shared string (a 职工人数 cell) is ``size`` characters long."""
    sys.path.insert(0, str(ROOT / "tests"))
    from importing_support import shared_string_xlsx

    row = [credit_code(1, "320412"), "常州市甲公司", "C3412", None, 10, "武进区", "", 119.94, 31.70]
    path.write_bytes(shared_string_xlsx(HEADERS, row, HEADERS.index("职工人数"), size))


def run_import(path: Path, db: Path, block_rows: int | None = None) -> dict:
    db.unlink(missing_ok=True)  # an empty store each time
    env = {**os.environ, "GSYF_DB_URL": f"sqlite:///{db}", "PYTHONPATH": str(ROOT)}
    if block_rows:
        env["GSYF_IMPORT_BLOCK_ROWS"] = str(block_rows)
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "gsyf_geo", "import", "enterprise", str(path)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    out = [line for line in (proc.stdout + proc.stderr).splitlines() if not line.startswith("\t")]
    return {"wall": wall, "cpu": cpu, "rss_mb": int(rss.group(1)) / 1024 if rss else float("nan"),
            "rc": proc.returncode, "tail": out[-4:]}  # fmt: skip


def preview_child(path: Path, url: str, how: str) -> None:
    """The page's preview of ``path`` (run in a child process, see :func:`run_preview`)."""
    import pickle

    from gsyf_geo.store import Store

    store = Store(url)
    store.create_schema()
    data = path.read_bytes()  # the page holds the upload's bytes
    t0 = time.perf_counter()
    if how == "blocks":
        from gsyf_geo.importing.blocks import preview_blocks

        kept = preview_blocks(store, "enterprise", data, path.name)
        counts = f"rows {kept.rows_read:,}, errors {kept.bad:,}, new {kept.inserted:,}, preview rows {len(kept.table)}"
        size = f"kept in the session: {len(pickle.dumps(kept)) / 1e6:,.2f} MB pickled"
    else:
        from gsyf_geo.importing.load import prepare_import

        kept = prepare_import(store, "enterprise", data, path.name, online=False)
        counts = f"rows {kept.rows_read:,}, errors {len(kept.bad_rows):,}"
        held = kept.frame.memory_usage(deep=True).sum() + kept.parsed.values.memory_usage(deep=True).sum()
        size = f"kept in the session: rows of {held / 1e6:,.0f} MB (pandas, deep) and more"
    print(f"preview {time.perf_counter() - t0:.1f} s; {counts}; {size}")


def run_preview(path: Path, db: Path, block_rows: int | None = None, how: str = "blocks") -> dict:
    """The page's preview of ``path`` in its own process (``how``: blocks, or prepare for the former one)."""
    db.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if block_rows:
        env["GSYF_IMPORT_BLOCK_ROWS"] = str(block_rows)
    cmd = ["/usr/bin/time", "-v", sys.executable, __file__, "--preview-child", str(path), f"sqlite:///{db}", how]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    out = [line for line in (proc.stdout + proc.stderr).splitlines() if not line.startswith("\t")]
    return {"wall": wall, "cpu": cpu, "rss_mb": int(rss.group(1)) / 1024 if rss else float("nan"),
            "rc": proc.returncode, "tail": out[-4:]}  # fmt: skip


def report(label: str, path: Path, res: dict) -> None:
    size = path.stat().st_size
    print(f"{label}: {size / 1e6:,.2f} MB file, {res['wall']:.1f} s ({res['cpu']:.1f} s CPU), peak RSS {res['rss_mb']:,.0f} MB, exit {res['rc']}")
    for line in res["tail"]:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="write the files into this folder and keep them (reused when there)")
    parser.add_argument("--only", default="bomb,csv,xlsx", help="which imports to run (comma-separated)")
    parser.add_argument("--block-rows", type=int, help="GSYF_IMPORT_BLOCK_ROWS of the imports")
    parser.add_argument("--page-preview", action="store_true", help="run the page's preview, not the import")
    parser.add_argument("--page-preview-before", action="store_true", help="the page's former preview (prepare_import)")
    parser.add_argument("--preview-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.preview_child:
        path, url, how = args.preview_child
        preview_child(Path(path), url, how)
        return
    only = {w.strip() for w in args.only.split(",")}
    preview = "prepare" if args.page_preview_before else ("blocks" if args.page_preview else None)

    def run(path: Path, db: Path) -> dict:
        if preview:
            return run_preview(path, db, args.block_rows, preview)
        return run_import(path, db, args.block_rows)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if "bomb" in only:
            bomb = folder / "shared_string_2mb.xlsx"
            write_shared_string_bomb(bomb)
            report("6 KB XLSX with a 2 MB shared string", bomb, run(bomb, folder / "bomb.sqlite"))
        if "csv" in only:
            big = folder / f"enterprise_{args.rows}.csv"
            if not big.exists():
                t0 = time.perf_counter()
                write_csv(big, args.rows)
                print(f"(wrote {args.rows:,} CSV rows in {time.perf_counter() - t0:.0f} s)")
            report(f"CSV, {args.rows:,} rows", big, run(big, folder / "csv.sqlite"))
        if "xlsx" in only and args.xlsx_rows:
            x = folder / f"enterprise_{args.xlsx_rows}.xlsx"
            if not x.exists():
                t0 = time.perf_counter()
                write_xlsx(x, args.xlsx_rows)
                print(f"(wrote {args.xlsx_rows:,} XLSX rows in {time.perf_counter() - t0:.0f} s)")
            report(f"XLSX, {args.xlsx_rows:,} rows", x, run(x, folder / "xlsx.sqlite"))


if __name__ == "__main__":
    main()
