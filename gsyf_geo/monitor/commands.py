"""Command ``python -m gsyf_geo targets``: the plan's targets and their status, as a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from gsyf_geo.cli import command


def _targets_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--plan", default=None, help="计划编号（默认 changzhou_2021-2025）")
    p.add_argument("--scope", default="city", help="city | district:320412 | unit:JKQ")
    p.add_argument("--as-of", default=None, help="评估日期 YYYY-MM-DD（默认今天）")
    p.add_argument(
        "--year", type=int, default=None, help="只看截至该年年末的情况（等同 --as-of Y-12-31）"
    )
    p.add_argument("--json", action="store_true", help="输出 JSON")


@command("targets", _targets_args)
def targets(args: argparse.Namespace) -> int:
    """Print the plan's targets: current value, target, progress and status."""
    from gsyf_geo.cli import _store
    from gsyf_geo.monitor.evaluation import evaluate_plan, overview_table
    from gsyf_geo.plan import PlanFileError, available_plans, default_plan
    from gsyf_geo.store import Scope

    try:
        if args.plan:
            plans = {p.plan_id: p for p in available_plans()}
            if args.plan not in plans:
                print(f"错误：没有计划 {args.plan}（可选：{'、'.join(plans)}）", file=sys.stderr)
                return 2
            plan = plans[args.plan]
        else:
            plan = default_plan()
    except PlanFileError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    try:
        scope = Scope.parse(args.scope)
        as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if args.year is not None:
        as_of = date(args.year, 12, 31)
    store = _store()
    results = evaluate_plan(store, plan, as_of, scope)
    table = overview_table(results, plan)
    if args.json:
        out = {
            "plan_id": plan.plan_id,
            "scope": str(scope),
            "as_of": as_of.isoformat(),
            "demo": store.holds_demo_data,
            "targets": [
                {
                    "id": r.target.id,
                    "name": r.target.name,
                    "metric": r.target.metric,
                    "status": r.city.status,
                    "year": r.city.year,
                    "value": r.city.value,
                    "required": r.city.required,
                    "progress": r.city.progress,
                    "values": {str(y): v for y, v in r.values.city.items()},
                }
                for r in results
            ],
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"{plan.title} · {scope.label} · 评估日期 {as_of.isoformat()}"
          f"{'（演示数据）' if store.holds_demo_data else ''}")  # fmt: skip
    for row in table.itertuples(index=False):
        progress = "" if row.进度 is None or row.进度 != row.进度 else f"{row.进度 * 100:5.1f}%"
        print(
            f"  [{row.状态}] {row.指标}\n      当前 {row.当前值}  目标 {row.目标}  进度 {progress}"
        )
    return 0
