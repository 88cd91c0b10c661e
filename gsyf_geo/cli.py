"""Command line: ``python -m gsyf_geo <command>``.

Commands register themselves with :func:`command`, so later features add a function here
(or in their own module imported below) without touching the parser.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence

_COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def command(name: str, configure: Callable[[argparse.ArgumentParser], None] | None = None):
    """Register ``func(args) -> exit status`` as the sub-command ``name``."""

    def wrap(func: Callable[[argparse.Namespace], int]):
        _COMMANDS[name] = (configure or (lambda p: None), func)
        return func

    return wrap


def _store():
    from gsyf_geo.store import Store

    store = Store()
    store.create_schema()
    return store


def _boundaries_args(p: argparse.ArgumentParser) -> None:
    from gsyf_geo.geography import BOUNDARY_DIR, DEFAULT_SOURCE_DIR

    p.add_argument("--source", default=str(DEFAULT_SOURCE_DIR), help="GCJ-02 源数据目录")
    p.add_argument("--out", default=str(BOUNDARY_DIR), help="WGS-84 输出目录")


@command("boundaries", _boundaries_args)
def boundaries(args: argparse.Namespace) -> int:
    """Convert the GCJ-02 reference boundaries to WGS-84 under data/boundaries/."""
    from gsyf_geo.geography import convert_boundaries

    for path in convert_boundaries(args.source, args.out):
        print(path)
    return 0


@command("init")
def init(args: argparse.Namespace) -> int:
    """Create the store's tables (SQLite file by default, or GSYF_DB_URL)."""
    store = _store()
    print(f"store ready: {store.engine.url.render_as_string(hide_password=True)}")
    return 0


def _db_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=["upgrade", "current"],
        help="upgrade：建表或升级到最新版本（Alembic 迁移）；current：显示数据库的当前版本",
    )


_UNKNOWN_REVISION = "数据库记录的迁移版本本程序不认识（可能已由更新版本的程序升级）；请使用更新版本的程序"


_NO_POSTGIS = (
    "数据库账号无权创建 PostGIS 扩展，未建表。请由数据库超级用户在该库中先执行"
    " CREATE EXTENSION postgis; 再运行 python -m gsyf_geo db upgrade（见 docs/deployment.md）"
)


def _revision_text(state) -> str:
    if state.current is not None:
        return state.current
    return "无（由早期版本建立，未记录迁移版本）" if state.has_tables else "无（尚未建表）"


@command("db", _db_args)
def db(args: argparse.Namespace) -> int:
    """Database schema: upgrade it to the newest migration, or show its current revision."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from gsyf_geo.importing.problems import BUSY_MESSAGE, is_store_busy
    from gsyf_geo.store import Store
    from gsyf_geo.store.migrations import schema_state

    store = Store()
    print(f"数据库：{store.engine.url.render_as_string(hide_password=True)}")
    try:
        before = schema_state(store.engine)
        if args.action == "current":
            print(f"当前版本：{_revision_text(before)}")
            if not before.known:
                print(_UNKNOWN_REVISION)
                return 1
            if before.up_to_date:
                print("已是最新版本。")
                return 0
            print(f"最新版本：{before.head}；请运行 python -m gsyf_geo db upgrade")
            return 1
        if not before.known:
            raise CommandError(before.current)
        if before.up_to_date:
            print(f"已是最新版本 {before.head}，无需升级。")
            return 0
        print(f"升级前版本：{_revision_text(before)}")
        store.create_schema()
        after = schema_state(store.engine)
    except CommandError:
        print(f"错误：{_UNKNOWN_REVISION}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        if "permission denied to create extension" in str(getattr(exc, "orig", exc)):
            print(f"错误：{_NO_POSTGIS}", file=sys.stderr)
            return 1
        reason = BUSY_MESSAGE if is_store_busy(exc) else "无法连接数据库，或建表/升级未能完成"
        print(f"错误：{reason}（{exc.__class__.__name__}）。请检查 GSYF_DB_URL 和数据库服务。", file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()
    print(f"已升级到最新版本：{after.current}")
    return 0


def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--enterprises", type=int, default=20_000, help="企业数（默认 20000）")
    p.add_argument("--seed", type=int, default=2021, help="随机种子（默认 2021）")
    p.add_argument("--clear", action="store_true", help="删除全部演示数据（保留导入的真实数据）")


@command("demo", _demo_args)
def demo(args: argparse.Namespace) -> int:
    """Generate the synthetic demo city and load it (replaces earlier demo rows only)."""
    from gsyf_geo.demo import load_demo
    from gsyf_geo.domain import DEMO_LABEL

    if args.clear:
        store = _store()
        with store.transaction() as conn:
            store.delete_all(conn=conn, demo_only=True)
            store.set_setting("demo_seed", None, conn=conn)
            batch = store.start_batch("demo-clear", conn, file_name="demo --clear")
            store.finish_batch(batch, conn)
        print(f"已删除{DEMO_LABEL}；导入的真实数据保持不变。")
        return 0
    if not 1 <= args.enterprises <= 500_000:
        print("错误：--enterprises 须在 1 到 500000 之间", file=sys.stderr)
        return 2
    store = _store()
    started = time.perf_counter()
    counts = load_demo(store, enterprises=args.enterprises, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"已载入{DEMO_LABEL}：")
    for kind, n in counts.items():
        print(f"  {kind:22s} {n:>9,d}")
    print(f"  用时 {elapsed:.1f} s")
    return 0


def _info_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scope", default="city", help="city | district:320412 | unit:JKQ")
    p.add_argument("--json", action="store_true")


@command("info", _info_args)
def info(args: argparse.Namespace) -> int:
    """Print how many rows of each kind the store holds in a scope."""
    from gsyf_geo.store import KINDS, Scope

    store = _store()
    scope = Scope.parse(args.scope)
    counts = {kind: store.count(kind, scope) for kind in KINDS}
    if args.json:
        print(json.dumps({"scope": str(scope), "demo": store.holds_demo_data, "counts": counts}))
    else:
        print(f"{scope.label}{'（演示数据）' if store.holds_demo_data else ''}")
        for kind, n in counts.items():
            print(f"  {kind:22s} {n:>9,d}")
    return 0


def _tasks_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["import"], help="import：导入一年的任务清单")
    p.add_argument("file", metavar="FILE", help="任务清单 CSV/XLSX（列：序号、重点任务、具体措施、责任部门、完成时限）")
    p.add_argument("--plan", help="计划 id（默认 changzhou_2021-2025）")
    p.add_argument("--year", type=int, required=True, help="清单所属年度，如 2022")


@command("tasks", _tasks_args)
def tasks(args: argparse.Namespace) -> int:
    """Import a year's task list (任务清单) of a plan; statuses are then edited on the tasks page."""
    from gsyf_geo.auth.audit import cli_actor
    from gsyf_geo.monitor.tasks import run_import_command

    # The operator is who runs the command (never a typed name), as for every CLI write.
    return run_import_command(_store(), args.file, args.plan, args.year, cli_actor())


# Feature packages that add commands with @command; imported when they exist.
PLUGIN_MODULES: tuple[str, ...] = (
    "gsyf_geo.importing.commands",
    "gsyf_geo.siting.commands",
    "gsyf_geo.monitor.commands",
    "gsyf_geo.auth.commands",
    # After importing.commands: it extends that module's ``export`` with map/brief/followup.
    "gsyf_geo.printing.commands",
)


def _load_plugins() -> None:
    for name in PLUGIN_MODULES:
        parent = name.rsplit(".", 1)[0]
        if importlib.util.find_spec(parent) and importlib.util.find_spec(name):
            importlib.import_module(name)


def main(argv: Sequence[str] | None = None) -> int:
    _load_plugins()
    parser = argparse.ArgumentParser(prog="python -m gsyf_geo", description="工伤预防风险地图")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (configure, func) in _COMMANDS.items():
        p = sub.add_parser(name, help=(func.__doc__ or "").strip().splitlines()[0])
        configure(p)
        p.set_defaults(func=func)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)
