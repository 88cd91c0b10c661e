"""The audit log (table ``audit_event``): who did what, when, on how many rows.

Who is always an account name taken from the signed-in session (never a name typed into a
form), ``open-demo`` while the store holds no account, or ``anonymous`` for a failed login.
Recorded actions (:data:`AUDIT_ACTIONS`): login, logout, failed login, lockout, session
expiry, import, export/download, task edit, scenario save/delete and every user change.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, select

from gsyf_geo.store import Store
from gsyf_geo.store.models import AuditEvent

ANONYMOUS = "anonymous"

AUDIT_ACTIONS: dict[str, str] = {
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "account_locked": "账号锁定",
    "session_expired": "会话超时",
    "import": "数据导入",
    "export": "导出/下载",
    "task_edit": "任务状态修改",
    "scenario_save": "保存选址方案",
    "scenario_delete": "删除选址方案",
    "user_add": "新增账号",
    "user_passwd": "修改密码",
    "user_disable": "停用账号",
    "user_enable": "启用账号",
    "denied": "越权操作被拒绝",
}
"""Action codes with their Chinese names (the audit page and CLI show both)."""

_TABLE = AuditEvent.__table__
_MAX_TARGET = 255


def record(
    store: Store,
    user: str,
    action: str,
    target: str | None = None,
    rows: int | None = None,
    detail: str | None = None,
    conn: Connection | None = None,
    now: datetime | None = None,
) -> None:
    """Append one event to the audit log.

    Parameters
    ----------
    store
        The store.
    user
        The account that acted (``open-demo``/``anonymous`` when nobody is signed in).
    action
        One of :data:`AUDIT_ACTIONS`.
    target
        What was acted on: a file name, an export's name, a task id, an account.
    rows
        How many rows were read, written or exported (None when it does not apply).
    detail
        Free text (scope, counts); must hold no personal data from records.
    conn
        Record inside this transaction (so the event commits with the change it records).
    now
        Time of the event (default: now, local time).
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"未知的审计操作：{action}")
    values = {
        "at": (now or datetime.now()).replace(microsecond=0),
        "user_name": (user or ANONYMOUS)[:64],
        "action": action,
        "target": None if target is None else str(target)[:_MAX_TARGET],
        "rows": None if rows is None else int(rows),
        "detail": detail,
    }
    if conn is not None:
        conn.execute(_TABLE.insert().values(**values))
        return
    with store.transaction() as c:
        c.execute(_TABLE.insert().values(**values))


def cli_actor() -> str:
    """Who runs a command: ``cli:<operating-system user>`` (the CLI has no sign-in; whoever
    has a shell on the server is trusted as that account)."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "cli"


def read_audit(
    store: Store,
    since: date | None = None,
    until: date | None = None,
    user: str | None = None,
    action: str | None = None,
    limit: int | None = 10_000,
) -> pd.DataFrame:
    """Audit events, newest first, filtered by day range, user and action.

    ``since`` and ``until`` are inclusive days. Columns: at, user_name, action,
    action_name, target, rows, detail.
    """
    stmt = select(_TABLE).order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc())
    if since is not None:
        stmt = stmt.where(_TABLE.c.at >= datetime.combine(since, datetime.min.time()))
    if until is not None:
        stmt = stmt.where(_TABLE.c.at < datetime.combine(until + timedelta(days=1), datetime.min.time()))
    if user:
        stmt = stmt.where(_TABLE.c.user_name == user)
    if action:
        stmt = stmt.where(_TABLE.c.action == action)
    if limit:
        stmt = stmt.limit(limit)
    with store.engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["action_name"] = df["action"].map(AUDIT_ACTIONS).fillna(df["action"])
    return df[["id", "at", "user_name", "action", "action_name", "target", "rows", "detail"]]


def audit_table(df: pd.DataFrame) -> pd.DataFrame:
    """The audit events with Chinese column names, for the page and the CLI."""
    return pd.DataFrame(
        {
            "时间": pd.to_datetime(df["at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "用户": df["user_name"],
            "操作": df["action_name"],
            "对象": df["target"].fillna(""),
            "行数": df["rows"].astype("Int64"),
            "说明": df["detail"].fillna(""),
        }
    )
