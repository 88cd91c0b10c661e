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

Task lists of later years (2022, 2023, ...) are imported from a CSV/XLSX file with the
columns of the 2021 list (序号, 重点任务, 具体措施, 责任部门, 完成时限) into the table
``plan_task`` (:func:`import_task_list`) and are then listed and edited exactly like the
plan file's own rows (:func:`all_tasks`). Import rules:

- the header row is found in the first 20 rows; every one of the five columns is required;
- a blank 序号 / 重点任务 continues the row above (as in the printed list);
- 责任部门 is split by :func:`gsyf_geo.plan.split_departments`, 完成时限 read by
  :func:`gsyf_geo.plan.parse_deadline_text` (a cell without a year takes the list's year);
  a deadline before the list's year is an error;
- rows get the ids ``<year>-01``, ``<year>-02``, ... in file order; the list replaces the
  year's earlier import (rows no longer present are removed; their stored statuses stay
  but are not shown), and importing the same file again writes nothing;
- any error refuses the whole file, naming the file, the row and the column; nothing is
  written. A year whose list is in the plan file itself (2021) cannot be imported.

The year filter shows one year's list; a task's 逾期 depends on its own deadline only, so
a later year's list never changes how an earlier year's rows look.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, select

from gsyf_geo.auth.roles import shown_name
from gsyf_geo.plan import Plan, Task, parse_deadline_text, split_departments
from gsyf_geo.store import Store
from gsyf_geo.store.models import PlanTask, PlanTaskStatus

__all__ = [
    "DONE",
    "EDITORS_ENV",
    "IN_PROGRESS",
    "NOT_STARTED",
    "OVERDUE",
    "STORED_STATUSES",
    "TASK_STATUSES",
    "TASK_LIST_COLUMNS",
    "TaskEditError",
    "TaskImportResult",
    "TaskListError",
    "all_tasks",
    "departments",
    "import_task_list",
    "imported_tasks",
    "parse_task_list",
    "run_import_command",
    "task_years",
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
_TASKS = PlanTask.__table__

TASK_LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "group_no": ("序号", "编号"),
    "group": ("重点任务", "任务"),
    "measure": ("具体措施", "措施", "工作措施"),
    "departments_text": ("责任部门", "责任单位", "牵头部门"),
    "deadline_text": ("完成时限", "时限", "完成时间"),
}
"""Columns of an annual task list: field -> header, then accepted variants."""
HEADER_SEARCH_ROWS = 20


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
        raise TaskPermissionError(f"用户“{name}”无权修改任务状态，请联系管理员开通")
    if len(name) > MAX_USER_LEN:
        raise TaskEditError(f"经办人姓名不能超过 {MAX_USER_LEN} 个字符")
    if not any(t.id == task_id for t in plan.tasks) and not any(
        t.id == task_id for t in imported_tasks(store, plan)
    ):
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


def task_table(store: Store, plan: Plan, as_of: date, year: int | None = None) -> pd.DataFrame:
    """The task list with statuses: the plan file's rows, then imported years, in order.

    Parameters
    ----------
    store, plan
        Where statuses and imported lists are kept, and the plan.
    as_of
        The evaluation date (decides 逾期).
    year
        Only the list of this year (default: every year).

    Returns
    -------
    pandas.DataFrame
        Columns: 任务编号, 年度, 序号, 重点任务, 具体措施, 责任部门, 完成时限, 期限, 状态,
        已逾期, 备注, 佐证材料, 修改人, 修改时间, and ``departments`` (a tuple, for filtering).
    """
    stored = load_statuses(store, plan.plan_id).set_index("task_id")
    tasks = [t for t in all_tasks(store, plan) if year is None or t.year == year]
    rows = []
    for task in tasks:
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
                "年度": task.year,
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
                "修改人": shown_name(field("updated_by")),
                "修改时间": pd.Timestamp(updated).strftime("%Y-%m-%d %H:%M") if updated else "",
                "departments": task.departments,
            }
        )
    columns = ["任务编号", "年度", "序号", "重点任务", "具体措施", "责任部门", "完成时限", "期限",
               "状态", "已逾期", "备注", "佐证材料", "修改人", "修改时间", "departments"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _department_key(name: str) -> str:
    return _ROLE_SUFFIX.sub("", name.strip())


def departments(plan: Plan, tasks: Iterable[Task] | None = None) -> list[str]:
    """The departments named in a plan's tasks (role suffixes removed), in first-seen order.

    ``tasks`` defaults to the plan file's rows; pass :func:`all_tasks` to include imported
    lists.
    """
    seen: dict[str, None] = {}
    for task in plan.tasks if tasks is None else tasks:
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
        from gsyf_geo.tabular import strings_as_text

        strings_as_text(ws)  # typed 备注/佐证材料/修改人 stay text, never formulas
    return buf.getvalue()


# --------------------------------------------------------------------------- imported task lists


class TaskListError(ValueError):
    """A task-list file was refused; ``problems`` lists every problem (Chinese), one per line.

    Each problem names the file, and where it applies the row and the column.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = self.problems[:20]
        more = f"\n……共 {len(self.problems)} 处问题" if len(self.problems) > 20 else ""
        super().__init__("任务清单未导入（库中数据未改变）：\n" + "\n".join(shown) + more)


@dataclass
class TaskImportResult:
    """What importing a task list did."""

    plan_id: str
    year: int
    file_name: str
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.inserted or self.updated or self.removed)

    def summary(self) -> str:
        """One line in Chinese."""
        total = len(self.inserted) + len(self.updated) + len(self.unchanged)
        if not self.changed:
            return f"{self.year} 年任务清单（{self.file_name}）共 {total} 项，与库中一致，未作改动。"
        return (
            f"已导入 {self.year} 年任务清单（{self.file_name}）共 {total} 项：新增 {len(self.inserted)}、"
            f"更新 {len(self.updated)}、未变 {len(self.unchanged)}、移除 {len(self.removed)}。"
        )


def _norm_header(value: object) -> str:
    from gsyf_geo.importing.schema import normalize_header, strip_brackets

    return strip_brackets(normalize_header(value))


def _cell(value: object) -> str:
    from gsyf_geo.importing.readers import cell_text

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"[ \t\u3000]+", " ", cell_text(value)).strip()


def parse_task_list(data: bytes, file_name: str, year: int) -> list[Task]:
    """Read an annual task list (CSV/XLSX/XLS) into :class:`~gsyf_geo.plan.Task` rows.

    Parameters
    ----------
    data, file_name
        The file's bytes and name (the name is used in messages only).
    year
        The list's year: task ids are ``<year>-01``, ``<year>-02``, ... and a 完成时限 without
        a year takes it.

    Returns
    -------
    list of Task
        In file order, ``year`` set, ``target_ids`` empty.

    Raises
    ------
    TaskListError
        Listing every problem with file, row and column (see the module docstring).
    """
    from gsyf_geo.importing.problems import ImportFileError
    from gsyf_geo.importing.readers import read_table

    name = Path(file_name).name or "上传文件"
    try:
        rows = list(read_table(data, name).rows)
    except ImportFileError as exc:
        raise TaskListError([f"文件 {name}：{exc}"]) from None
    wanted = {f: {_norm_header(h) for h in names} for f, names in TASK_LIST_COLUMNS.items()}
    header_at: int | None = None
    columns: dict[str, int] = {}
    for i, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for j, cell in enumerate(cells):
            h = _norm_header(cell)
            for f, names in wanted.items():
                if h in names and f not in found:
                    found[f] = j
        if len(found) >= 3:
            header_at, columns = i, found
            break
    if header_at is None:
        headers = "、".join(n[0] for n in TASK_LIST_COLUMNS.values())
        raise TaskListError([f"文件 {name}：前 {HEADER_SEARCH_ROWS} 行中找不到表头（应有列：{headers}）"])
    header_row = rows[header_at][0]
    missing = [TASK_LIST_COLUMNS[f][0] for f in TASK_LIST_COLUMNS if f not in columns]
    if missing:
        raise TaskListError([f"文件 {name} 第 {header_row} 行（表头）：缺少列“{m}”" for m in missing])

    problems: list[str] = []
    tasks: list[Task] = []
    group_no: int | None = None
    group = ""
    for number, cells in rows[header_at + 1 :]:
        values = {f: _cell(cells[j]) if j < len(cells) else "" for f, j in columns.items()}
        if not any(values.values()):
            continue

        def bad(f: str, message: str, number: int = number) -> None:
            problems.append(f"文件 {name} 第 {number} 行“{TASK_LIST_COLUMNS[f][0]}”列：{message}")

        if values["group_no"]:
            try:
                n = int(float(values["group_no"]))
                if n < 1 or float(values["group_no"]) != n:
                    raise ValueError
            except ValueError:
                bad("group_no", f"应为正整数，现为“{values['group_no']}”")
                n = None
            if n is not None and n != group_no:
                group_no = n
                group = ""
        elif group_no is None:
            bad("group_no", "第一行任务须填写序号")
        if values["group"]:
            group = values["group"]
        elif not group:
            bad("group", "新的序号须填写重点任务")
        if not values["measure"]:
            bad("measure", "必填项为空")
        depts = split_departments(values["departments_text"])
        if not depts:
            bad("departments_text", "必填项为空")
        deadline: date | None = None
        ongoing = False
        if not values["deadline_text"]:
            bad("deadline_text", "必填项为空")
        else:
            try:
                deadline, ongoing = parse_deadline_text(values["deadline_text"], year=year)
            except ValueError as exc:
                bad("deadline_text", str(exc))
            else:
                if deadline is not None and deadline.year < year:
                    bad("deadline_text", f"期限 {deadline.isoformat()} 早于清单年度 {year} 年")
        if len(values["measure"]) > MAX_NOTE_LEN:
            bad("measure", f"超过 {MAX_NOTE_LEN} 个字")
        if len(values["deadline_text"]) > 100:
            bad("deadline_text", "超过 100 个字")
        tasks.append(
            Task(
                id=f"{year}-{len(tasks) + 1:02d}",
                group_no=group_no or 0,
                group=group,
                measure=values["measure"],
                departments=depts,
                departments_text=values["departments_text"],
                deadline_text=values["deadline_text"],
                deadline=deadline,
                ongoing=ongoing,
                target_ids=(),
                year=year,
            )
        )
    if not tasks and not problems:
        problems.append(f"文件 {name}：表头（第 {header_row} 行）下没有任务")
    if len(tasks) > 99:
        problems.append(f"文件 {name}：一年的任务清单最多 99 项（现为 {len(tasks)} 项）")
    if problems:
        raise TaskListError(problems)
    return tasks


_CONTENT = ("group_no", "group_name", "measure", "departments_text", "deadline_text", "deadline",
            "ongoing")  # fmt: skip


def _task_row(plan_id: str, task: Task) -> dict[str, object]:
    return {
        "plan_id": plan_id,
        "task_id": task.id,
        "year": task.year,
        "row_no": int(task.id.rsplit("-", 1)[1]),
        "group_no": task.group_no,
        "group_name": task.group,
        "measure": task.measure,
        "departments_text": task.departments_text,
        "deadline_text": task.deadline_text,
        "deadline": task.deadline,
        "ongoing": task.ongoing,
    }


def _stored_task_rows(store: Store, plan_id: str, year: int | None = None) -> pd.DataFrame:
    stmt = select(_TASKS).where(_TASKS.c.plan_id == plan_id)
    if year is not None:
        stmt = stmt.where(_TASKS.c.year == year)
    with store.transaction() as conn:
        rows = conn.execute(stmt.order_by(_TASKS.c.year, _TASKS.c.row_no)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in _TASKS.c])


def imported_tasks(store: Store, plan: Plan) -> tuple[Task, ...]:
    """The imported task rows of ``plan``, by year and row."""
    df = _stored_task_rows(store, plan.plan_id)
    out = []
    for r in df.to_dict("records"):
        deadline = r["deadline"]
        if isinstance(deadline, datetime):
            deadline = deadline.date()
        elif deadline is None or (isinstance(deadline, float) and pd.isna(deadline)):
            deadline = None
        out.append(
            Task(
                id=r["task_id"],
                group_no=int(r["group_no"]),
                group=r["group_name"],
                measure=r["measure"],
                departments=split_departments(r["departments_text"]),
                departments_text=r["departments_text"],
                deadline_text=r["deadline_text"],
                deadline=deadline,
                ongoing=bool(r["ongoing"]),
                target_ids=(),
                year=int(r["year"]),
            )
        )
    return tuple(out)


def all_tasks(store: Store, plan: Plan) -> tuple[Task, ...]:
    """The plan file's task rows, then the imported ones, ordered by year (stable)."""
    tasks = list(plan.tasks) + list(imported_tasks(store, plan))
    return tuple(sorted(tasks, key=lambda t: t.year or 0))


def task_years(store: Store, plan: Plan) -> list[int]:
    """Years that have a task list (in the plan file or imported), ascending."""
    return sorted({t.year for t in all_tasks(store, plan) if t.year is not None})


def import_task_list(
    store: Store,
    plan: Plan,
    data: bytes,
    file_name: str,
    year: int,
    user: str | None = None,
    now: datetime | None = None,
) -> TaskImportResult:
    """Import (or re-import) the task list of ``year`` for ``plan``; all or nothing.

    Parameters
    ----------
    store, plan
        Where to write and the plan the list belongs to.
    data, file_name
        The file (CSV/XLSX/XLS) and its name.
    year
        The list's year: within the plan period and not a year whose list is in the plan
        file.
    user
        Who imports (kept on the import batch).
    now
        Time of the import (default: now).

    Returns
    -------
    TaskImportResult
        Ids inserted, updated, unchanged and removed; nothing is written when nothing
        changed.

    Raises
    ------
    TaskListError
        When the year is not allowed or the file has problems (nothing is written).
    """
    name = Path(file_name).name or "上传文件"
    if not isinstance(year, int) or not plan.period[0] <= year <= plan.period[1]:
        raise TaskListError(
            [f"文件 {name}：年度 {year} 不在计划 {plan.plan_id} 的计划期 {plan.period[0]}–{plan.period[1]} 年内"]
        )
    if plan.tasks_of_year(year):
        raise TaskListError(
            [f"文件 {name}：{year} 年任务清单已在计划文件 {plan.plan_id} 中，不能再导入（请在计划文件中修改）"]
        )
    tasks = parse_task_list(data, name, year)
    result = TaskImportResult(plan.plan_id, year, name)
    old = _stored_task_rows(store, plan.plan_id, year).set_index("task_id")
    new_rows = [_task_row(plan.plan_id, t) for t in tasks]
    statuses = set(load_statuses(store, plan.plan_id)["task_id"])
    for row in new_rows:
        tid = row["task_id"]
        if tid not in old.index:
            result.inserted.append(tid)
            continue
        before = old.loc[tid]
        same = all(_same(before[c], row[c]) for c in _CONTENT)
        (result.unchanged if same else result.updated).append(tid)
        if not same and tid in statuses and before["measure"] != row["measure"]:
            result.warnings.append(
                f"任务 {tid} 的具体措施已改变，原有状态仍保留在该编号下：请核对"
            )
    result.removed = [tid for tid in old.index if tid not in {r["task_id"] for r in new_rows}]
    if not result.changed:
        return result
    stamp = (now or datetime.now()).replace(microsecond=0)
    keep = set(result.inserted) | set(result.updated)
    with store.transaction() as conn:
        batch = store.start_batch("plan_task", conn, file_name=name, user_name=user)
        if result.removed or result.updated:
            conn.execute(
                delete(_TASKS).where(
                    _TASKS.c.plan_id == plan.plan_id,
                    _TASKS.c.task_id.in_(result.removed + result.updated),
                )
            )
        rows = [{**r, "imported_at": stamp, "batch_id": batch} for r in new_rows if r["task_id"] in keep]
        if rows:
            conn.execute(_TASKS.insert(), rows)
        store.finish_batch(batch, conn, rows_read=len(new_rows), inserted=len(result.inserted),
                           updated=len(result.updated))  # fmt: skip
    result.batch_id = batch
    return result


def _same(a: object, b: object) -> bool:
    if isinstance(a, datetime):
        a = a.date()
    a_blank = a is None or (isinstance(a, float) and pd.isna(a))
    if a_blank or b is None:
        return a_blank and b is None
    if isinstance(b, bool):
        return bool(a) == b
    if isinstance(b, int):
        return int(a) == b
    return a == b


def run_import_command(
    store: Store, file: str, plan_id: str | None, year: int, user: str | None = None
) -> int:
    """``python -m gsyf_geo tasks import FILE --plan PLAN --year YEAR``: 0 done, 1 refused, 2 usage."""
    from gsyf_geo.plan import DEFAULT_PLAN_ID, PlanFileError, available_plans

    try:
        plans = {p.plan_id: p for p in available_plans()}
    except PlanFileError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    pid = plan_id or DEFAULT_PLAN_ID
    if pid not in plans:
        print(f"错误：没有计划“{pid}”；可选：{'、'.join(plans) or '（无）'}", file=sys.stderr)
        return 2
    path = Path(file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"错误：无法读取文件 {path}：{exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        result = import_task_list(store, plans[pid], data, path.name, year, user=user)
    except TaskListError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(result.summary())
    for w in result.warnings:
        print(f"  注意：{w}")
    from gsyf_geo.auth.audit import record

    record(store, user or "cli", "import", path.name, None, f"{pid} {year}年任务清单；{result.summary()}")
    return 0
