"""``python -m gsyf_geo export map|brief|followup``: print products from the command line.

``export KIND`` (data kinds, :mod:`gsyf_geo.importing.commands`) stays as it is; this module
wraps that command so that three more KINDs are accepted:

- ``export map --indicator accident_rate --unit 320412 --size a4-landscape --format png --out FILE``
- ``export brief --out FILE.pptx|FILE.pdf [--scope district:320412]``
- ``export followup --list gaps|untrained|uninsured_projects --out FILE.xlsx [--scope district:320412]
  [--industries chemical] [--years 2025]``
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from gsyf_geo import cli

PRINT_KINDS: dict[str, str] = {
    "map": "专题地图图片（png/svg/pdf）",
    "brief": "推进会汇报材料（pptx/pdf）",
    "followup": "跟进清单（xlsx，每区一张表）",
}
PRINT_FORMATS = ("png", "svg", "pdf", "pptx")
EXIT_USAGE = 2


def _err(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return EXIT_USAGE


def _wrap_export() -> None:
    """Wrap the registered ``export`` command (once) so that it also takes the print KINDs."""
    if "gsyf_geo.importing.commands" not in sys.modules:
        import gsyf_geo.importing.commands  # noqa: F401 - registers the data export
    configure, func = cli._COMMANDS["export"]
    if getattr(func, "_print_wrapped", False):
        return

    def configure_all(p: argparse.ArgumentParser) -> None:
        configure(p)
        for action in p._actions:
            if action.dest == "format" and action.choices is not None:
                action.choices = tuple(action.choices) + tuple(
                    f for f in PRINT_FORMATS if f not in action.choices
                )
                action.help = "数据：csv 或 xlsx；map：png、svg 或 pdf；brief：pptx 或 pdf（默认按 --out 的扩展名）"
            if action.dest == "kind":
                action.help = (action.help or "") + "；" + "；".join(f"{k}={v}" for k, v in PRINT_KINDS.items())
        g = p.add_argument_group("map / brief / followup")
        g.add_argument("--indicator", default="accident_rate", help="map：专题指标（默认 accident_rate）")
        g.add_argument("--unit", default="city", help="map：统计单元（city、320412、JKQ …）")
        g.add_argument("--size", default="a4-landscape", help="map：a4-landscape | a4-portrait | slide-16x9")
        g.add_argument("--years", default=None, help="map：年份或范围，如 2025 或 2023-2025（默认最近一年）")
        g.add_argument("--industries", default="", help="map：重点行业，逗号分隔（如 chemical,metallurgy）")
        g.add_argument("--layers", default="districts,bases", help="map：图层，逗号分隔（districts,bases）")
        g.add_argument("--scheme", default="natural_breaks", help="map：natural_breaks | quantiles")
        g.add_argument("--commuting", action="store_true", help="map：包含上下班途中事故")
        g.add_argument("--dpi", type=int, default=None, help="分辨率：map 的 PNG 默认 300，brief 的图片默认 200")
        g.add_argument("--scope", default="city", help="brief/followup：city | district:320412 | unit:JKQ")
        g.add_argument("--as-of", default=None, help="brief：评估日期 YYYY-MM-DD（默认今天）")
        g.add_argument("--list", default="gaps", choices=("gaps", "untrained", "uninsured_projects"),
                       help="followup：gaps 参保缺口企业；untrained 重要岗位未培训；uninsured_projects 未按项目参保的项目")

    def run(args: argparse.Namespace) -> int:
        if args.kind in PRINT_KINDS:
            return print_export(args)
        if args.format is not None and args.format not in ("csv", "xlsx"):
            return _err(f"数据导出只支持 csv 或 xlsx（不是 {args.format}）")
        return func(args)

    run._print_wrapped = True  # type: ignore[attr-defined]
    run.__doc__ = func.__doc__
    cli._COMMANDS["export"] = (configure_all, run)


def _state(args: argparse.Namespace):
    from gsyf_geo.analysis.filters import CLASS_SCHEMES, LAYERS, MapState
    from gsyf_geo.analysis.indicators import INDICATORS
    from gsyf_geo.domain import KEY_INDUSTRY_BY_ID, REPORTING_UNIT_BY_CODE

    if args.indicator not in INDICATORS:
        raise ValueError(f"未知的指标 {args.indicator}（可选：{'、'.join(INDICATORS)}）")
    if args.unit != "city" and args.unit not in REPORTING_UNIT_BY_CODE:
        raise ValueError(f"未知的统计单元 {args.unit}（可选：city、{'、'.join(REPORTING_UNIT_BY_CODE)}）")
    years = None
    if args.years:
        a, _, b = str(args.years).partition("-")
        if not a.isdigit() or (b and not b.isdigit()):
            raise ValueError(f"年份应为 2025 或 2023-2025，不是 {args.years}")
        years = (int(a), int(b or a))
    industries = tuple(i for i in args.industries.split(",") if i)
    bad = [i for i in industries if i not in KEY_INDUSTRY_BY_ID]
    if bad:
        raise ValueError(f"未知的重点行业 {'、'.join(bad)}（可选：{'、'.join(KEY_INDUSTRY_BY_ID)}）")
    layers = tuple(x for x in args.layers.split(",") if x in LAYERS)
    if args.scheme not in CLASS_SCHEMES:
        raise ValueError(f"未知的分级方法 {args.scheme}")
    return MapState(
        unit=args.unit, industries=industries, years=years, layers=layers, indicator=args.indicator,
        include_commuting=bool(args.commuting), scheme=args.scheme,
    )  # fmt: skip


def print_export(args: argparse.Namespace) -> int:
    """Run ``export map|brief|followup``."""
    from gsyf_geo.plan import PlanFileError, default_plan
    from gsyf_geo.printing.fonts import CjkFontMissing
    from gsyf_geo.store import Scope

    out = Path(args.out)
    fmt = (args.format or out.suffix.lower().lstrip(".") or "").lower()
    allowed = {"map": ("png", "svg", "pdf"), "brief": ("pptx", "pdf"), "followup": ("xlsx",)}[args.kind]
    if fmt not in allowed:
        return _err(f"export {args.kind} 的格式应为 {'、'.join(allowed)}（用 --format 或 --out 的扩展名指定）")
    try:
        plan = default_plan()
    except PlanFileError:
        plan = None
    store = cli._store()
    try:
        if args.kind == "map":
            from gsyf_geo.analysis.mapdata import load_map_data
            from gsyf_geo.printing.mapimage import PAGE_SIZES, data_date_of, map_view, render_map

            if args.size not in PAGE_SIZES:
                return _err(f"未知的图幅 {args.size}（可选：{'、'.join(PAGE_SIZES)}）")
            state = _state(args)
            data = load_map_data(store, plan=plan)
            mv = map_view(data, state, plan, data_date=data_date_of(store))
            payload, rows, note = render_map(mv, args.size, fmt, dpi=args.dpi or 300), len(mv.view.enterprises), mv.title
        elif args.kind == "brief":
            from gsyf_geo.printing.deck import build_brief

            scope = Scope.parse(args.scope)
            as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
            brief = build_brief(store, plan, scope=scope, as_of=as_of, dpi=args.dpi or 200)
            payload = brief.pptx() if fmt == "pptx" else brief.pdf()
            rows, note = brief.slide_count, brief.title
        else:
            from dataclasses import replace

            from gsyf_geo.printing.workbooks import followup_workbook

            scope = Scope.parse(args.scope)
            state = replace(_state(args), unit="city")  # the scope narrows the data
            book = followup_workbook(store, plan, kind=args.list, scope=scope, state=state)
            payload, rows, note = book.data, book.rows, book.title
    except CjkFontMissing as exc:
        return _err(str(exc))
    except ValueError as exc:
        return _err(str(exc))
    try:
        out.write_bytes(payload)
    except OSError as exc:
        return _err(f"无法写入 {out}：{exc.strerror or exc}")
    print(f"已导出 {PRINT_KINDS[args.kind]}：{note} → {out}")
    from gsyf_geo.auth.audit import cli_actor, record

    record(store, cli_actor(), "export", out.name, rows, f"{args.kind}：{note}")
    return 0


_wrap_export()
