"""The plan's task list (重点工作任务清单) with a status per task, kept in the store.

Statuses: 未开始 / 进行中 / 已完成 are stored (table ``plan_task_status``, one row per plan
and task, with the note, the evidence links, who changed it and when); **逾期** is derived:
a task whose deadline has passed (the day after its deadline) and that is not 已完成 shows
as 逾期, whatever was stored. 长期坚持 tasks have no deadline and are never overdue. A task
without a stored row is 未开始.

Who may edit: the user names in the environment variable ``GSYF_TASK_EDITORS``
(comma-separated, Chinese comma also accepted). When it is unset or empty everyone may
edit; a user name is always required, because it is stored with the change.

Department filter: a task matches a department when one of its departments, with the
suffix （牵头）/（配合） removed, equals it, or is that department "等…部门" (so 市人社局
matches “市人社局（牵头）” and “市人社局等八部门”).

Every read and write goes through the :class:`~gsyf_geo.store.Store`'s connection
(:meth:`Store.transaction`); task status is city-wide plan data, not scoped by district.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Collection
from datetime import date, datetime

import pandas as pd
from sqlalchemy import delete, select

from gsyf_geo.plan import Plan, Task
from gsyf_geo.store import Store
from gsyf_geo.store.models import PlanTaskStatus

__all__ = [
    "DONE",
    "EDITORS_ENV",
    "IN_PROGRESS",
    "NOT_STARTED",
    "OVERDUE",
    "STORED_STATUSES",
    "TASK_STATUSES",
    "TaskEditError",
    "departments",
    "display_status",
    "filter_by_department",
    "load_statuses",
    "may_edit",
    "set_task_status",
    "task_editors",
    "task_table",
    "tasks_to_excel",
]

NOT_STARTED = "未开始"
IN_PROGRESS = "进行中"
DONE = "已完成"
OVERDUE = "逾期"
STORED_STATUSES: tuple[str, ...] = (NOT_STARTED, IN_PROGRESS, DONE)
"""Statuses a user can set; 逾期 is derived."""
TASK_STATUSES: tuple[str, ...] = (*STORED_STATUSES, OVERDUE)

EDITORS_ENV = "GSYF_TASK_EDITORS"
MAX_USER_LEN = 64  # plan_task_status.updated_by
MAX_NOTE_LEN = 2_000
MAX_EVIDENCE_LINKS = 20

_ROLE_SUFFIX = re.compile(r"（(牵头|配合)）$")
_TABLE = PlanTaskStatus.__table__


class TaskEditError(ValueError):
    """A task edit was refused (no permission, unknown task, bad input); message in Chinese."""


class TaskPermissionError(TaskEditError, PermissionError):
    """The user may not edit task statuses."""


# --------------------------------------------------------------------------- permission


def task_editors(env: dict[str, str] | None = None) -> frozenset[str] | None:
    """The permitted editors from ``GSYF_TASK_EDITORS``; ``None`` when everyone may edit."""
    raw = (os.environ if env is None else env).get(EDITORS_ENV, "")
    names = frozenset(n.strip() for n in re.split(r"[,，]", raw) if n.strip())
    return names or None


def may_edit(user: str | None, editors: Collection[str] | None) -> bool:
    """Whether ``user`` may edit: a non-empty name, in ``editors`` unless that is ``None``."""
    name = (user or "").strip()
    if not name:
        return False
    return editors is None or name in editors


# --------------------------------------------------------------------------- status


def display_status(stored: str | None, task: Task, as_of: date) -> str:
    """The status to show: 逾期 when the deadline has passed and the task is not 已完成."""
    status = stored if stored in STORED_STATUSES else NOT_STARTED
    if status != DONE and task.deadline is not None and as_of > task.deadline:
        return OVERDUE
    return status


def load_statuses(store: Store, plan_id: str) -> pd.DataFrame:
    """Stored rows of a plan: task_id, status, note, evidence, updated_by, updated_at."""
    cols = ["task_id", "status", "note", "evidence", "updated_by", "updated_at"]
    stmt = select(*(_TABLE.c[c] for c in cols)).where(_TABLE.c.plan_id == plan_id)
    with store.transaction() as conn:
        return pd.read_sql(stmt, conn)


def _evidence_lines(evidence: str | None) -> list[str]:
    return [line.strip() for line in (evidence or "").splitlines() if line.strip()]


def set_task_status(
    store: Store,
    plan: Plan,
    task_id: str,
    status: str,
    user: str | None,
    note: str | None = None,
    evidence: str | None = None,
    editors: Collection[str] | None = None,
    now: datetime | None = None,
) -> None:
    """Store a task's status, note and evidence links with who and when.

    Parameters
    ----------
    store, plan
        Where to write and the plan the task belongs to.
    task_id
        Id of a task of ``plan``.
    status
        One of :data:`STORED_STATUSES` (逾期 is derived, not set).
    user
        Who makes the change (stored as ``updated_by``).
    note
        Free text (up to 2,000 characters).
    evidence
        Evidence links, one per line (blank lines dropped; at most 20).
    editors
        Permitted users (:func:`task_editors`); ``None`` = everyone.
    now
        Time of the change (default: now, local time).

    Raises
    ------
    TaskPermissionError
        When ``user`` is empty or not permitted (nothing is written).
    TaskEditError
        When the task or status is unknown or the input is too long.
    """
    name = (user or "").strip()
    if not name:
        raise TaskPermissionError("请先填写经办人姓名，修改记录需注明经办人")
    if not may_edit(name, editors):
        raise TaskPermissionError(f"用户“{name}”无权修改任务状态（见环境变量 {EDITORS_ENV}）")
    if len(name) > MAX_USER_LEN:
        raise TaskEditError(f"经办人姓名不能超过 {MAX_USER_LEN} 个字符")
    if not any(t.id == task_id for t in plan.tasks):
        raise TaskEditError(f"计划 {plan.plan_id} 中没有任务 {task_id}")
    if status not in STORED_STATUSES:
        raise TaskEditError(
            f"状态应为 {' / '.join(STORED_STATUSES)} 之一（“{OVERDUE}”由期限自动判断），实际为 {status!r}"
        )
    if note and len(note) > MAX_NOTE_LEN:
        raise TaskEditError(f"备注不能超过 {MAX_NOTE_LEN} 个字符")
    links = _evidence_lines(evidence)
    if len(links) > MAX_EVIDENCE_LINKS:
        raise TaskEditError(f"佐证材料链接最多 {MAX_EVIDENCE_LINKS} 条")
    row = {
        "plan_id": plan.plan_id,
        "task_id": task_id,
        "status": status,
        "note": (note or "").strip() or None,
        "evidence": "\n".join(links) or None,
        "updated_by": name,
        "updated_at": (now or datetime.now()).replace(microsecond=0),
    }
    with store.transaction() as conn:
        conn.execute(
            delete(_TABLE).where(_TABLE.c.plan_id == plan.plan_id, _TABLE.c.task_id == task_id)
        )
        conn.execute(_TABLE.insert().values(**row))


# --------------------------------------------------------------------------- tables


def task_table(store: Store, plan: Plan, as_of: date) -> pd.DataFrame:
    """The whole task list with statuses, in plan order.

    Columns: 任务编号, 序号, 重点任务, 具体措施, 责任部门, 完成时限, 期限, 状态, 已逾期,
    备注, 佐证材料, 修改人, 修改时间, and ``departments`` (a tuple, for filtering).
    """
    stored = load_statuses(store, plan.plan_id).set_index("task_id")
    rows = []
    for task in plan.tasks:
        rec = stored.loc[task.id] if task.id in stored.index else None

        def field(name: str, rec=rec):
            if rec is None:
                return None
            value = rec[name]
            return None if pd.isna(value) else value

        status = display_status(field("status"), task, as_of)
        updated = field("updated_at")
        rows.append(
            {
                "任务编号": task.id,
                "序号": task.group_no,
                "重点任务": task.group,
                "具体措施": task.measure,
                "责任部门": task.departments_text,
                "完成时限": task.deadline_text,
                "期限": task.deadline,
                "状态": status,
                "已逾期": status == OVERDUE,
                "备注": field("note") or "",
                "佐证材料": field("evidence") or "",
                "修改人": field("updated_by") or "",
                "修改时间": pd.Timestamp(updated).strftime("%Y-%m-%d %H:%M") if updated else "",
                "departments": task.departments,
            }
        )
    return pd.DataFrame(rows)


def _department_key(name: str) -> str:
    return _ROLE_SUFFIX.sub("", name.strip())


def departments(plan: Plan) -> list[str]:
    """The departments named in a plan's tasks (role suffixes removed), in first-seen order."""
    seen: dict[str, None] = {}
    for task in plan.tasks:
        for d in task.departments:
            seen.setdefault(_department_key(d), None)
    return list(seen)


def _matches(task_departments: tuple[str, ...], department: str) -> bool:
    for d in task_departments:
        key = _department_key(d)
        if key == department or key.startswith(department + "等"):
            return True
    return False


def filter_by_department(table: pd.DataFrame, department: str | None) -> pd.DataFrame:
    """Rows of :func:`task_table` whose departments include ``department`` (all if empty)."""
    if not department:
        return table
    keep = table["departments"].map(lambda ds: _matches(tuple(ds), department))
    return table[keep.astype(bool)]


def tasks_to_excel(table: pd.DataFrame, title: str | None = None) -> bytes:
    """The task list as .xlsx (openpyxl); overdue rows in red, completed ones in green."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    out = table.drop(columns=["departments", "已逾期"], errors="ignore").copy()
    out["期限"] = out["期限"].map(lambda d: d.isoformat() if isinstance(d, date) else "长期坚持")
    widths = {"具体措施": 60, "重点任务": 24, "责任部门": 24, "备注": 30, "佐证材料": 40}
    fills = {OVERDUE: "FFF8D7DA", DONE: "FFD4EDDA"}
    buf = io.BytesIO()
    start = 2 if title else 0
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        out.to_excel(writer, sheet_name="任务清单", index=False, startrow=start)
        ws = writer.sheets["任务清单"]
        if title:
            ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
        for cell in ws[start + 1]:
            cell.font = Font(bold=True)
        status_col = list(out.columns).index("状态") + 1
        for i, col in enumerate(out.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = widths.get(col, 12)
        for row in ws.iter_rows(min_row=start + 2):
            colour = fills.get(str(row[status_col - 1].value))
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
                if colour:
                    cell.fill = PatternFill("solid", fgColor=colour)
        ws.freeze_panes = ws.cell(row=start + 2, column=1)
    return buf.getvalue()
