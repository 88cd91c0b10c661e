"""Commands ``import``, ``export`` and ``template`` of ``python -m gsyf_geo``.

Bad input never shows a traceback: unreadable files, bad headers and bad rows are
reported in Chinese; exit status 0 when the file was loaded, 1 when it was rejected,
2 for a usage error (unknown kind, missing file), 3 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from gsyf_geo.cli import command
from gsyf_geo.crs import SUPPORTED_SYSTEMS
from gsyf_geo.importing.schema import IMPORTABLE_KINDS, KIND_SPECS

EXIT_LOADED = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 3
_KIND_HELP = "；".join(f"{k}={s.title}" for k, s in KIND_SPECS.items())


def _err(message: str) -> None:
    print(f"错误：{message}", file=sys.stderr)


def _check_kind(kind: str) -> bool:
    if kind in IMPORTABLE_KINDS:
        return True
    _err(f"未知的数据类型“{kind}”。可选：{_KIND_HELP}")
    return False


def _store():
    from gsyf_geo.store import Store

    store = Store()
    store.create_schema()
    return store


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", metavar="KIND", help=_KIND_HELP)
    p.add_argument("file", metavar="FILE", help="CSV（UTF-8/GBK）、XLSX 或 XLS 文件")
    p.add_argument("--crs", default="wgs84", metavar="|".join(SUPPORTED_SYSTEMS),
                   help="文件中坐标的坐标系（默认 wgs84；高德/腾讯为 gcj02，百度为 bd09）")  # fmt: skip
    p.add_argument("--partial", action="store_true", help="只导入无误的行（默认：有错误则整个文件不导入）")
    p.add_argument("--report", metavar="OUT.csv", help="把问题清单写入 CSV（UTF-8 带 BOM）")
    p.add_argument("--user", help="操作人（默认：当前系统用户）")


@command("import", _import_args)
def import_command(args: argparse.Namespace) -> int:
    """Import a file of enterprises, projects, bases, injuries, diseases or training records."""
    from sqlalchemy.exc import SQLAlchemyError

    from gsyf_geo.importing.limits import MB, import_limits
    from gsyf_geo.importing.load import STORE_ERROR_MESSAGE, import_file_guarded
    from gsyf_geo.importing.problems import BUSY_MESSAGE, is_store_busy

    if not _check_kind(args.kind):
        return EXIT_USAGE
    if args.crs.strip().lower() not in SUPPORTED_SYSTEMS:
        _err(f"不支持的坐标系“{args.crs}”：可选 {'、'.join(SUPPORTED_SYSTEMS)}")
        return EXIT_USAGE
    path = Path(args.file)
    if not path.is_file():
        _err(f"找不到文件：{path}")
        return EXIT_USAGE
    limits = import_limits()
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:  # refused before it is read into memory
            _err(f"文件超过 {limits.max_bytes // MB:,} MB 的上限（现为 {size / MB:,.1f} MB）：请分成几个文件导入"
                 f"（上限可用环境变量 GSYF_IMPORT_MAX_MB 调整）")  # fmt: skip
            return EXIT_REJECTED
        with path.open("rb"):  # readable? (the import reads it as a stream, never whole)
            pass
    except OSError as exc:
        _err(f"无法读取文件 {path}：{exc.strerror or exc}")
        return EXIT_USAGE
    started = time.perf_counter()
    try:
        store = _store()
        result, failure = import_file_guarded(store, args.kind, path, path.name, crs=args.crs.strip().lower(),
                                              partial=args.partial, user=args.user)  # fmt: skip
    except KeyboardInterrupt:
        _err("导入已中断，库中数据未改变。")
        return EXIT_INTERRUPTED
    except SQLAlchemyError as exc:
        _err(BUSY_MESSAGE if is_store_busy(exc) else STORE_ERROR_MESSAGE)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a bug must not show users a traceback
        _err(f"导入失败（程序内部错误：{exc.__class__.__name__}），库中数据未改变。请将此信息告知管理员。")
        return EXIT_INTERRUPTED
    if failure is not None:
        _err(failure)
        return EXIT_INTERRUPTED
    for line in result.summary_lines():
        print(line)
    errors = [p for p in result.problems if p.is_error]
    total_errors = len(errors) + result.omitted.get("error", 0)
    for p in errors[:20]:
        print(f"  {p}")
    if total_errors > 20:
        print(f"  ……共 {total_errors:,} 条错误" + ("，清单见报告" if args.report else "；用 --report 写出清单"))
    if args.report:
        try:
            Path(args.report).write_bytes(result.report_csv())
            more = sum(result.omitted.values())
            print(f"问题清单：{args.report}（{len(result.problems):,} 条" + (f"，另有 {more:,} 条未列出）" if more else "）"))
        except OSError as exc:
            _err(f"无法写入报告 {args.report}：{exc.strerror or exc}")
    print(f"用时 {time.perf_counter() - started:.1f} s")
    from gsyf_geo.auth.audit import cli_actor, record

    record(store, cli_actor(), "import", path.name, result.inserted + result.updated,
           f"{args.kind}；{result.status}，读取 {result.rows_read} 行，拒绝 {result.rejected}")  # fmt: skip
    return EXIT_LOADED if result.loaded else EXIT_REJECTED


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", metavar="KIND", help=_KIND_HELP)
    p.add_argument("--format", choices=("csv", "xlsx"), default=None,
                   help="csv 或 xlsx（默认按 --out 的扩展名，否则 xlsx）")  # fmt: skip
    p.add_argument("--out", required=True, metavar="FILE", help="输出文件")


@command("export", _export_args)
def export_command(args: argparse.Namespace) -> int:
    """Export a stored kind with the template's headers (WGS-84, geocode source/precision)."""
    from gsyf_geo.importing.export import export_bytes

    if not _check_kind(args.kind):
        return EXIT_USAGE
    out = Path(args.out)
    fmt = args.format or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    store = _store()
    data = export_bytes(store, args.kind, fmt)
    try:
        out.write_bytes(data)
    except OSError as exc:
        _err(f"无法写入 {out}：{exc.strerror or exc}")
        return EXIT_USAGE
    rows = store.count(args.kind)
    print(f"已导出 {KIND_SPECS[args.kind].title} {rows:,} 行：{out}")
    from gsyf_geo.auth.audit import cli_actor, record

    record(store, cli_actor(), "export", out.name, rows, args.kind)
    return 0


def _template_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", metavar="KIND", help=_KIND_HELP)
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx", help="xlsx（默认）或 csv")
    p.add_argument("--out", metavar="FILE", help="输出文件（默认：导入模板_<类型>.<格式>）")


@command("template", _template_args)
def template_command(args: argparse.Namespace) -> int:
    """Write the import template of a kind (Chinese headers, one example row)."""
    from gsyf_geo.importing.templates import template_bytes, template_file_name

    if not _check_kind(args.kind):
        return EXIT_USAGE
    out = Path(args.out or template_file_name(args.kind, args.format))
    try:
        out.write_bytes(template_bytes(args.kind, args.format))
    except OSError as exc:
        _err(f"无法写入 {out}：{exc.strerror or exc}")
        return EXIT_USAGE
    print(f"已写出模板：{out}")
    return 0
