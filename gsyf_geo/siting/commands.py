"""``python -m gsyf_geo site``: solve a siting problem on the store and print the answer."""

from __future__ import annotations

import argparse
import json
import sys

from gsyf_geo.cli import command
from gsyf_geo.siting.highs import DEFAULT_TIME_LIMIT_S
from gsyf_geo.siting.instance import DEFAULT_RADIUS_KM, district_name
from gsyf_geo.siting.result import PROBLEM_NAMES
from gsyf_geo.siting.weights import WEIGHTS
from gsyf_geo.siting.wording import bound_note, verdict


def _site_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--problem",
        choices=["mclp", "lscp", "pmedian"],
        default="mclp",
        help="mclp 最大覆盖 | lscp 集合覆盖 | pmedian p-中值（默认 mclp）",
    )
    p.add_argument(
        "--p", type=int, default=10, help="新增基地数（已建基地固定开放，不计入；默认 10）"
    )
    p.add_argument(
        "--radius-km", type=float, default=DEFAULT_RADIUS_KM, help="服务半径（公里，默认 15）"
    )
    p.add_argument(
        "--detour", type=float, default=1.0, help="道路绕行系数（≥1，有效半径 = 半径 ÷ 系数）"
    )
    p.add_argument(
        "--weight",
        choices=list(WEIGHTS),
        default="workers",
        help="需求权重：workers 职工人数 | untrained 重要岗位未培训人数 | risk 风险加权职工数",
    )
    p.add_argument(
        "--share", type=float, default=0.9, help="集合覆盖的目标覆盖比例（0–1，默认 0.9）"
    )
    p.add_argument("--industry", nargs="+", default=None, help="只计这些重点行业（编号或中文名）")
    p.add_argument("--scope", default="city", help="city | district:320412 | unit:JKQ")
    p.add_argument(
        "--capacity-scale",
        type=float,
        default=None,
        help="考虑座位容量：每个座位在规划期内可服务的需求量（不填则不考虑容量）",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT_S,
        help="求解时间预算（秒，默认 60）：在此时间内给出最好的方案及其与理论界的差距",
    )
    p.add_argument("--save", metavar="NAME", default=None, help="以此名称保存方案")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")  # fmt: skip


@command("site", _site_args)
def site(args: argparse.Namespace) -> int:
    """Choose training-base sites (最大覆盖 / 集合覆盖 / p-中值) and print them."""
    from gsyf_geo.cli import _store
    from gsyf_geo.siting.errors import SitingError
    from gsyf_geo.siting.problems import PROBLEMS
    from gsyf_geo.store import Scope

    try:
        scope = Scope.parse(args.scope)
    except (ValueError, TypeError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    store = _store()
    try:
        problem = PROBLEMS[args.problem].from_store(
            store, scope, weight=args.weight, industries=args.industry, radius_km=args.radius_km,
            detour=args.detour, capacity_scale=args.capacity_scale,
        )  # fmt: skip
        if args.problem == "lscp":
            result = problem.solve(share=args.share, time_limit=args.time_limit)
        else:
            result = problem.solve(args.p, time_limit=args.time_limit)
        saved = None
        if args.save:
            from gsyf_geo.siting.scenarios import save_scenario

            saved = save_scenario(store, args.save, result, scope=scope, overwrite=True)
    except SitingError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    summary = result.summary()
    if args.json:
        summary.pop("newly_covered_ids", None)
        summary["by_district"] = result.by_district().to_dict("records")
        summary["by_industry"] = result.by_industry().to_dict("records")
        summary["demo"] = store.holds_demo_data
        summary["scenario_id"] = saved
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return 0
    _print_text(result, store.holds_demo_data, saved)
    return 0


def _print_text(result, demo: bool, saved: int | None) -> None:
    from gsyf_geo.domain import DEMO_LABEL

    s = result.summary()
    unit = result.weight_unit
    print(
        f"{PROBLEM_NAMES[result.problem]} — {result.scope_label}{'（' + DEMO_LABEL + '）' if demo else ''}"
    )
    prm = result.parameters
    print(
        f"  半径 {prm['radius_km']:g} 公里，绕行系数 {prm['detour']:g}，需求权重：{result.weight_label}"
    )
    if result.problem == "lscp":
        print(f"  目标覆盖比例 {prm['share']:.0%}：最少需新增 {int(result.objective)} 个基地")
    print(f"已建基地（固定开放）{len(result.existing)} 个；新选址 {len(result.chosen)} 个：")
    for i, r in enumerate(result.chosen.itertuples(), start=1):
        print(f"  {i:2d}. {r.name}  {district_name(r.district)}  {r.kind}  "
              f"({r.lon:.5f}, {r.lat:.5f})  新增覆盖 {r.new_weight:,.0f} {unit}")  # fmt: skip
    share = s["covered_share"]
    print(f"覆盖需求 {s['covered_weight']:,.0f} / {s['total_weight']:,.0f} {unit}"
          f"（{share:.1%}），其中已建基地覆盖 {s['fixed_covered_weight']:,.0f} {unit}")  # fmt: skip
    if result.problem == "pmedian":
        print(
            f"加权距离 {result.objective:,.1f} {unit}·公里，平均距离 {result.mean_distance_km:.2f} 公里"
        )
    gap = "—" if result.gap is None else f"{result.gap:.4%}"
    bound = "—" if result.bound is None else f"{result.bound:,.1f}"
    # The same plain words as the page (gsyf_geo.siting.wording); the figures after them.
    print(f"结论：{verdict(result)}")
    print(f"目标值 {result.objective:,.1f}，理论界 {bound}，与理论界的差距 {gap}；{bound_note(result)}"
          f"求解 {result.solve_seconds:.3f} 秒（建模 {result.build_seconds:.3f} 秒）")  # fmt: skip
    for note in result.notes:
        print(f"注：{note}")
    if saved is not None:
        print(f"已保存方案，编号 {saved}")
