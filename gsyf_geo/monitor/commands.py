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
            "targets": [_target_json(r, row) for r, row in zip(results, table.itertuples(), strict=True)],
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"{plan.title} · {scope.label} · 评估日期 {as_of.isoformat()}"
          f"{'（演示数据）' if store.holds_demo_data else ''}")  # fmt: skip
    for row in table.itertuples(index=False):
        progress = "" if row.进度 is None or row.进度 != row.进度 else f"{row.进度 * 100:5.1f}%"
        print(
            f"  [{row.状态}] {row.指标}\n      当前 {row.当前值}  目标 {row.目标}  进度 {progress}"
            f"\n      说明 {row.说明}\n      规则 {row.判定规则}"
        )
    return 0


def _target_json(r, row) -> dict:
    """One target of ``targets --json``: the verdict, the rule applied and its inputs.

    ``status`` is the scope's verdict (``不分解`` for a city total in a district or unit);
    ``share_of_city`` is the scope's part of the city value in the judged year (city totals
    in a district or unit), ``ytd`` the running year's year-to-date value (never judged).
    """
    a = r.city
    city_value = r.whole_city.get(a.year) if a.year is not None else None
    share = None
    if r.scope.kind != "city" and a.value is not None and city_value:
        share = a.value / city_value
    return {
        "id": r.target.id,
        "name": r.target.name,
        "metric": r.target.metric,
        "status": a.status,
        "final": a.final,
        "year": a.year,
        "value": a.value,
        "value_text": row.当前值,
        "target_text": row.目标,
        "required": a.required,
        "progress": a.progress,
        "met": a.met,
        "reason": a.reason,
        "rule": a.rule,
        "missed_years": list(a.missed_years),
        "unjudged_years": list(a.unjudged_years),
        "sample": a.sample,
        "ytd": None
        if a.ytd_value is None
        else {"year": a.ytd_year, "value": a.ytd_value, "label": a.ytd_label},
        "city_value": city_value,
        "share_of_city": share,
        "values": {str(y): v for y, v in r.values.city.items()},
    }
