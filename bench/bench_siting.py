"""Benchmark: the siting planner against PySAL spopt and the greedy + swap reference.

Usage::

    .venv/bin/pip install -r requirements-bench.txt   # spopt and PuLP (CBC), bench only
    .venv/bin/python bench/bench_siting.py [--time-limit 60] [--spopt-cap 150] [--sizes 2000x300 ...]
        [--no-spopt] [--no-reference] [--no-demo] [--no-random] [--enterprises 20000] [--large 0]
        [--problems mclp pmedian]

Two parts, both in one run:

1. **Random planning-grid instances** (issue 16): demand and candidates uniform in a 60 km square,
   radius 10 km, p = 10, weights 1..500 (seed 16), sizes 2,000 × 300, 20,000 × 1,000 and
   100,000 × 2,000, MCLP and p-median. Each case runs in its own process (peak memory is that
   process's max RSS) with our time budget ``--time-limit`` (default 60 s). Printed: value, certified
   bound, gap, time, peak memory, the greedy + swap reference (value and time, computed apart), and
   spopt (CBC) on the 2,000 × 300 cases only, in a process killed after ``--spopt-cap`` seconds
   (CBC does not honour its own time limit on p-median); its real status is CBC's solution status
   (PuLP labels a run stopped by the time limit "Optimal"), and the value is recomputed from the
   sites it chose. spopt is not run on the larger cases (it did not finish 20,000 × 1,000 in 845 s,
   and was still building the 100,000 × 2,000 model at 600 s): the script says so.
2. **The demo city** (issue 6), below.

Instance (the issue's): the demo city with N enterprises (``generate_demo(N, seed=2021)``)
as demand weighted by workers, every candidate site (status candidate or planned) to choose
from, the existing bases fixed open, p = 10 new sites, 15 km.

Measured in the same run, on the same arrays:

* ours: ``MaximalCovering.from_geodataframes(...).solve(p)`` — building the instance, the
  cKDTree coverage matrix, the reduction and the model, and HiGHS;
* spopt: the dense distance matrix, ``spopt.locate.MCLP.from_cost_matrix`` with the
  existing bases as predefined facilities (spopt counts them in ``p_facilities``, so it gets
  p + the number of existing bases) and ``solve(pulp.PULP_CBC_CMD)``.

Prints both objectives (covered workers), both times, the time ratio (target ≤ 0.10) and
whether the objectives are equal; the same for a harder variant in which no base is fixed
(every site a candidate; ``--no-free`` skips it); then our time on the large demo.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gsyf_geo.crs import to_metric  # noqa: E402
from gsyf_geo.demo import generate_demo  # noqa: E402
from gsyf_geo.siting import MaximalCovering  # noqa: E402

TARGET_RATIO = 0.10


def ours(data, p: int, radius_km: float, time_limit: float, bases=None):
    t0 = time.perf_counter()
    problem = MaximalCovering.from_geodataframes(
        data.enterprise,
        data.training_base if bases is None else bases,
        weight="workers",
        radius_km=radius_km,
    )
    result = problem.solve(p, time_limit=time_limit, mip_rel_gap=0.0)
    total = time.perf_counter() - t0
    return result, total


def spopt_mclp(data, p: int, radius_km: float, time_limit: float, bases=None):
    import pulp
    from spopt.locate import MCLP

    t0 = time.perf_counter()
    ent = data.enterprise[data.enterprise["key_industry"].notna()]
    bases = data.training_base if bases is None else bases
    bases = bases[bases["status"].isin(["existing", "candidate", "planned"])]
    ex, ey = to_metric(ent["lon"].to_numpy(), ent["lat"].to_numpy())
    sx, sy = to_metric(bases["lon"].to_numpy(), bases["lat"].to_numpy())
    cost = np.hypot(
        np.asarray(ex)[:, None] - np.asarray(sx)[None, :],
        np.asarray(ey)[:, None] - np.asarray(sy)[None, :],
    )
    weights = ent["employees"].to_numpy(dtype=float)
    fixed = (bases["status"] == "existing").to_numpy().astype(int)
    t_build = time.perf_counter()
    model = MCLP.from_cost_matrix(
        cost,
        weights,
        service_radius=radius_km * 1000.0,
        p_facilities=p + int(fixed.sum()),
        predefined_facilities_arr=fixed if fixed.any() else None,
    )
    built = time.perf_counter() - t_build
    model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
    total = time.perf_counter() - t0
    objective = float(pulp.value(model.problem.objective))
    status = pulp.LpStatus[model.problem.status]
    return objective, total, built, status


SIZES = ("2000x300", "20000x1000", "100000x2000")
SQUARE_M, RADIUS_KM, P_NEW, SEED = 60_000.0, 10.0, 10, 16


def random_instance(n: int, m: int, seed: int = SEED):
    """Demand and candidates uniform in the 60 km square (metric x/y), weights 1..500."""
    import pandas as pd

    from gsyf_geo.siting.instance import make_instance

    rng = np.random.default_rng(seed)
    d = rng.uniform(0, SQUARE_M, (n, 2))
    s = rng.uniform(0, SQUARE_M, (m, 2))
    w = rng.integers(1, 501, n).astype(float)
    demand = pd.DataFrame({
        "demand_id": [f"D{i}" for i in range(n)], "name": "", "district": "320412", "reporting_unit": "",
        "key_industry": "machinery", "lon": np.nan, "lat": np.nan, "x": d[:, 0], "y": d[:, 1], "weight": w,
    })  # fmt: skip
    sites = pd.DataFrame({
        "site_code": [f"S{j}" for j in range(m)], "name": "", "kind": "", "status": "candidate",
        "district": "320412", "lon": np.nan, "lat": np.nan, "x": s[:, 0], "y": s[:, 1], "capacity": np.nan,
        "fixed": False, "added": False,
    })  # fmt: skip
    inst = make_instance(demand, sites, radius_km=RADIUS_KM, detour=1.0, weight="workers", industries=(),
                         capacity_scale=None, scope_label="随机实例")  # fmt: skip
    return inst, d, s, w


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_case(problem: str, n: int, m: int, time_limit: float) -> dict:
    """One case of ours (fresh process): value, bound, gap, time, peak memory."""
    from gsyf_geo.siting import MaximalCovering, PMedian

    inst, *_ = random_instance(n, m)
    cls = MaximalCovering if problem == "mclp" else PMedian
    t0 = time.perf_counter()
    r = cls(inst).solve(P_NEW, time_limit=time_limit)
    return {"value": r.objective, "bound": r.bound, "gap": r.gap, "seconds": time.perf_counter() - t0,
            "status": r.status, "source": r.bound_source, "incumbent": r.incumbent,
            "peak_mb": _peak_mb(), "k": r.parameters.get("nearest_sites"),
            "agg_error": r.aggregation_error, "gap_cn": r.gap_cn}  # fmt: skip


def run_reference(problem: str, n: int, m: int) -> dict:
    """Greedy, then greedy + swap (Teitz–Bart fast interchange), timed apart from ours."""
    from gsyf_geo.siting.coverage import coverage_matrix, nearest_open, nearest_sites
    from gsyf_geo.siting.heuristics import CoverSearch, MedianSearch, NearestSites

    _, d, s, w = random_instance(n, m)
    t0 = time.perf_counter()
    if problem == "mclp":
        search = CoverSearch(coverage_matrix(d, s, RADIUS_KM * 1000), w)
        g = search.greedy(P_NEW)
        t_g, v_g = time.perf_counter() - t0, search.value(g)
        sw = search.swap(g)
        return {"greedy": v_g, "greedy_s": t_g, "swap": search.value(sw), "swap_s": time.perf_counter() - t0,
                "peak_mb": _peak_mb()}  # fmt: skip
    k = min(m, 3 * m // P_NEW + 1)

    def exact(open_):
        dist, idx = nearest_open(d, s, open_, k=2)
        return dist[:, 0], idx[:, 0], dist[:, 1], idx[:, 1]

    search = MedianSearch(NearestSites(*nearest_sites(d, s, k), w), exact, np.arange(m), np.zeros(0, np.int64), m)
    g = search.greedy(P_NEW)
    t_g, v_g = time.perf_counter() - t0, search.cost(g) / 1000
    sw = search.swap(g)
    return {"greedy": v_g, "greedy_s": t_g, "swap": search.cost(sw) / 1000, "swap_s": time.perf_counter() - t0,
            "peak_mb": _peak_mb()}  # fmt: skip


def run_spopt(problem: str, n: int, m: int, cap: float) -> dict:
    """spopt with CBC (time limit = cap); value recomputed from its chosen sites."""
    import pulp
    from spopt.locate import MCLP
    from spopt.locate import PMedian as SpPMedian

    _, d, s, w = random_instance(n, m)
    cost = np.hypot(d[:, None, 0] - s[None, :, 0], d[:, None, 1] - s[None, :, 1])
    t0 = time.perf_counter()
    if problem == "mclp":
        model = MCLP.from_cost_matrix(cost, w, service_radius=RADIUS_KM * 1000, p_facilities=P_NEW)
    else:
        model = SpPMedian.from_cost_matrix(cost, w, p_facilities=P_NEW)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=cap))
    seconds = time.perf_counter() - t0
    chosen = [j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5]
    if problem == "mclp":
        value = float(w[(cost[:, chosen] <= RADIUS_KM * 1000).any(axis=1)].sum()) if chosen else 0.0
    else:
        value = float((w * cost[:, chosen].min(axis=1)).sum() / 1000) if chosen else float("nan")
    sol = {1: "optimal", 2: "integer feasible (stopped, not proven)", 0: "no solution found",
           -1: "infeasible", -2: "unbounded"}  # fmt: skip
    return {"value": value, "seconds": seconds, "pulp_status": pulp.LpStatus[model.problem.status],
            "cbc_status": sol.get(model.problem.sol_status, str(model.problem.sol_status)),
            "peak_mb": _peak_mb()}  # fmt: skip


def _in_process(kind: str, problem: str, size: str, time_limit: float, cap: float) -> dict:
    """Run one part in a fresh Python (own peak memory; killed at the cap)."""
    import json
    import subprocess

    cmd = [sys.executable, __file__, "--one", kind, problem, size, str(time_limit), str(cap)]
    limit = cap + 60 if kind == "spopt" else time_limit * 4 + 300
    t0 = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return {"killed": True, "seconds": time.perf_counter() - t0}
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else str(out.returncode)}
    return json.loads(out.stdout.strip().splitlines()[-1])


def random_section(args) -> None:
    print(f"random instances: 60 km square, radius {RADIUS_KM:g} km, p = {P_NEW}, weights 1..500, seed {SEED}; "
          f"our time budget {args.time_limit:g} s; spopt cap {args.spopt_cap:g} s")  # fmt: skip
    for size in args.sizes:
        n, m = (int(v) for v in size.split("x"))
        for problem in args.problems:
            unit = "covered" if problem == "mclp" else "demand·km"
            ours = _in_process("ours", problem, size, args.time_limit, args.spopt_cap)
            ref = {} if args.no_reference else _in_process("reference", problem, size, args.time_limit, args.spopt_cap)
            print(f"\n{problem:8s} {n:,} × {m:,}")
            if "value" in ours:
                extra = f", K = {ours['k']}" if ours.get("k") else ""
                extra += f", aggregation error {ours['agg_error']:,.0f}" if ours.get("agg_error") else ""
                print(f"  ours      value {ours['value']:16,.1f} {unit}  bound {ours['bound']:16,.1f} "
                      f"gap {ours['gap']:.3%}  time {ours['seconds']:6.1f} s  peak {ours['peak_mb']:,.0f} MB  "
                      f"({ours['status']}, bound from {ours['source']}{extra})")  # fmt: skip
                print(f"            {ours['gap_cn']}")
            else:
                print(f"  ours      {ours}")
            if "swap" in ref:
                print(f"  reference greedy {ref['greedy']:16,.1f} in {ref['greedy_s']:.2f} s; greedy + swap "
                      f"{ref['swap']:16,.1f} in {ref['swap_s']:.2f} s  peak {ref['peak_mb']:,.0f} MB")  # fmt: skip
            if args.no_spopt:
                continue
            if n * m > 2000 * 300:
                print("  spopt     not run at this size (20,000 × 1,000: CBC 'Not Solved' after 845 s; "
                      "100,000 × 2,000: still building the model at 600 s)")  # fmt: skip
                continue
            sp = _in_process("spopt", problem, size, args.time_limit, args.spopt_cap)
            if sp.get("killed"):
                print(f"  spopt     killed after {sp['seconds']:.0f} s (CBC ran past its {args.spopt_cap:g} s limit)")
            elif "value" in sp:
                print(f"  spopt     value {sp['value']:16,.1f} {unit}  time {sp['seconds']:6.1f} s  "
                      f"peak {sp['peak_mb']:,.0f} MB  (PuLP says {sp['pulp_status']}; CBC: {sp['cbc_status']})")  # fmt: skip
            else:
                print(f"  spopt     {sp}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        import json

        kind, problem, size, time_limit, cap = sys.argv[2:7]
        n, m = (int(v) for v in size.split("x"))
        if kind == "ours":
            out = run_case(problem, n, m, float(time_limit))
        elif kind == "reference":
            out = run_reference(problem, n, m)
        else:
            out = run_spopt(problem, n, m, float(cap))
        print(json.dumps(out, ensure_ascii=False))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=list(SIZES))
    parser.add_argument("--problems", nargs="+", choices=("mclp", "pmedian"), default=["mclp", "pmedian"])
    parser.add_argument("--spopt-cap", type=float, default=150.0)
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--no-random", action="store_true")
    parser.add_argument("--no-reference", action="store_true", help="skip the greedy + swap reference")
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=0)
    parser.add_argument("--p", type=int, default=10)
    parser.add_argument("--radius-km", type=float, default=15.0)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument(
        "--free",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also compare the variant with no base fixed (all sites candidates)",
    )
    args = parser.parse_args()
    if not args.no_random:
        random_section(args)
    if args.no_demo:
        return
    print("\ndemo city (issue 6)")
    data = generate_demo(args.enterprises, seed=2021)
    bases = data.training_base
    n_fixed = int((bases["status"] == "existing").sum())
    n_cand = int(bases["status"].isin(["candidate", "planned"]).sum())
    print(f"instance: {args.enterprises:,} enterprises (demo seed 2021), {n_cand} candidates, "
          f"{n_fixed} existing bases fixed, p = {args.p} new, {args.radius_km:g} km, weight workers")  # fmt: skip

    ours(data, args.p, args.radius_km, args.time_limit)  # warm-up: imports, HiGHS load
    result, ours_s = ours(data, args.p, args.radius_km, args.time_limit)
    print(f"ours   objective {result.objective:14,.1f}  time {ours_s:8.3f} s  "
          f"(HiGHS {result.solve_seconds:.3f} s, status {result.status}, gap {result.gap:.2g}, "
          f"rows {result.model_size['points']:,} -> {result.model_size['rows_after_merge']:,})")  # fmt: skip

    if not args.no_spopt:
        sp_obj, sp_s, sp_build, sp_status = spopt_mclp(
            data, args.p, args.radius_km, args.time_limit
        )
        print(f"spopt  objective {sp_obj:14,.1f}  time {sp_s:8.3f} s  "
              f"(model build {sp_build:.2f} s, PuLP status {sp_status})")  # fmt: skip
        ratio = ours_s / sp_s
        equal = abs(sp_obj - result.objective) <= 1e-6 * max(1.0, abs(sp_obj))
        print(f"ratio  ours/spopt time {ratio:.4f} (target <= {TARGET_RATIO:.2f}: "
              f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}); objectives equal: {equal}")  # fmt: skip

    if args.free and not args.no_spopt:
        free = bases.assign(status="candidate")
        result, ours_s = ours(data, args.p, args.radius_km, args.time_limit, free)
        sp_obj, sp_s, _, sp_status = spopt_mclp(data, args.p, args.radius_km, args.time_limit, free)
        equal = abs(sp_obj - result.objective) <= 1e-6 * max(1.0, abs(sp_obj))
        print(f"variant: no base fixed ({n_fixed + n_cand} candidates), p = {args.p}")
        print(f"ours   objective {result.objective:14,.1f}  time {ours_s:8.3f} s  (status {result.status}, "
              f"gap {result.gap:.2g}, rows -> {result.model_size['rows_after_merge']:,})")  # fmt: skip
        print(f"spopt  objective {sp_obj:14,.1f}  time {sp_s:8.3f} s  (PuLP status {sp_status})")
        print(f"ratio  ours/spopt time {ours_s / sp_s:.4f}; objectives equal: {equal}")

    if args.large:
        big = generate_demo(args.large, seed=2021)
        result, big_s = ours(big, args.p, args.radius_km, args.time_limit)
        print(f"large  {args.large:,} enterprises: objective {result.objective:14,.1f}  time {big_s:8.3f} s  "
              f"(HiGHS {result.solve_seconds:.3f} s, status {result.status}, gap {result.gap:.2g}, "
              f"rows {result.model_size['points']:,} -> {result.model_size['rows_after_merge']:,})")  # fmt: skip


if __name__ == "__main__":
    main()
