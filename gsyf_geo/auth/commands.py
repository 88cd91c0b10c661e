"""Commands ``users`` and ``audit``.

::

    python -m gsyf_geo users add NAME --role ROLE [--unit CODE] [--password-stdin]
    python -m gsyf_geo users passwd NAME [--password-stdin]
    python -m gsyf_geo users disable NAME      (users enable NAME undoes it)
    python -m gsyf_geo users list
    python -m gsyf_geo audit [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--user NAME] [--action A]

The password is read from a prompt (twice, not echoed) or, with ``--password-stdin``, from
the first line of standard input; it never appears on the command line. The audit log
records the change as made by ``cli:<operating-system user>``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date

from gsyf_geo.cli import _store, command


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "cli"


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("密码：")
    again = getpass.getpass("再次输入密码：")
    if first != again:
        print("错误：两次输入的密码不一致", file=sys.stderr)
        return None
    return first


def _users_args(p: argparse.ArgumentParser) -> None:
    from gsyf_geo.auth.roles import ROLE_NAMES

    sub = p.add_subparsers(dest="users_command", required=True)
    add = sub.add_parser("add", help="新增账号")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLE_NAMES),
                     help="admin=管理员 leader=市领导 officer=区级经办 planner=规划人员")  # fmt: skip
    add.add_argument("--unit", help="区级经办所属单位：320402、JKQ 或 district:320412（含经开区的武进区）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入第一行读取密码")
    passwd = sub.add_parser("passwd", help="修改密码（同时解除锁定）")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入第一行读取密码")
    for verb, text in (("disable", "停用账号"), ("enable", "重新启用账号")):
        sp = sub.add_parser(verb, help=text)
        sp.add_argument("name")
    sub.add_parser("list", help="列出账号")


@command("users", _users_args)
def users(args: argparse.Namespace) -> int:
    """Manage accounts: add, passwd, disable, enable, list."""
    from gsyf_geo.auth.accounts import (
        AccountError,
        add_user,
        list_users,
        set_disabled,
        set_password,
    )
    from gsyf_geo.store.scope import Scope

    store = _store()
    try:
        if args.users_command == "list":
            df = list_users(store)
            if df.empty:
                print("尚无账号：应用以开放演示模式运行（无需登录）。")
                return 0
            for row in df.itertuples():
                scope = Scope.parse(row.unit_scope).label if isinstance(row.unit_scope, str) else "全市"
                state = "已停用" if row.disabled else "正常"
                print(f"{row.name}\t{row.role}\t{row.role_name}\t{scope}\t{state}\t{row.created_at:%Y-%m-%d}")
            return 0
        if args.users_command in ("disable", "enable"):
            set_disabled(store, args.name, args.users_command == "disable", by=_actor())
            print(f"已{'停用' if args.users_command == 'disable' else '启用'}账号 {args.name}")
            return 0
        password = _read_password(args)
        if password is None:
            return 2
        if args.users_command == "add":
            user = add_user(store, args.name, args.role, password, unit=args.unit, by=_actor())
            scope = f"（{Scope.parse(user.unit_scope).label}）" if user.unit_scope else ""
            print(f"已新增账号 {user.name}：{user.role_name}{scope}")
        else:
            set_password(store, args.name, password, by=_actor())
            print(f"已修改账号 {args.name} 的密码")
        return 0
    except AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text!r}") from None


def _audit_args(p: argparse.ArgumentParser) -> None:
    from gsyf_geo.auth.audit import AUDIT_ACTIONS

    p.add_argument("--since", type=_day, help="起始日期（含），YYYY-MM-DD")
    p.add_argument("--until", type=_day, help="截止日期（含），YYYY-MM-DD")
    p.add_argument("--user", help="只看该用户")
    p.add_argument("--action", choices=list(AUDIT_ACTIONS), help="只看该操作")
    p.add_argument("--limit", type=int, default=1000, help="最多显示条数（默认 1000）")
    p.add_argument("--csv", action="store_true", help="以 CSV 输出")


@command("audit", _audit_args)
def audit_log(args: argparse.Namespace) -> int:
    """Print the audit log (newest first), filtered by date, user and action."""
    from gsyf_geo.auth.audit import audit_table, read_audit

    store = _store()
    df = audit_table(read_audit(store, args.since, args.until, args.user, args.action, args.limit))
    if args.csv:
        from gsyf_geo.tabular import safe_csv_frame

        safe_csv_frame(df).to_csv(sys.stdout, index=False)  # typed names stay text in Excel
        return 0
    if df.empty:
        print("没有符合条件的审计记录。")
        return 0
    for row in df.itertuples(index=False):
        rows = "" if row[4] is None or str(row[4]) == "<NA>" else f"{row[4]} 行"
        print("\t".join(str(v) for v in (row[0], row[1], row[2], row[3], rows, row[5])))
    print(f"共 {len(df)} 条")
    return 0
