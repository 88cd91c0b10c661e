"""Benchmark: the maximal-covering siting model against PySAL spopt's MCLP on one instance.

Usage::

    .venv/bin/pip install -r requirements-bench.txt   # spopt and PuLP (CBC), bench only
    .venv/bin/python bench/bench_siting.py [--enterprises 20000] [--large 200000] [--p 10]
        [--radius-km 15] [--time-limit 600] [--no-spopt]

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--p", type=int, default=10)
    parser.add_argument("--radius-km", type=float, default=15.0)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument(
        "--free",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also compare the variant with no base fixed (all sites candidates)",
    )
    args = parser.parse_args()

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
