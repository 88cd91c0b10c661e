"""Roles, actions and data scopes: who may do what, and on which part of the city.

Roles (stored in ``app_user.role``):

============  ==========  ===========================================================
role          中文         may
============  ==========  ===========================================================
admin         管理员       everything: users, audit, all data (read, import, export, edit)
leader        市领导       read all data (pages, maps, figures); no import, export or edit
officer       区级经办     read, import, export and edit only their district or reporting unit
planner       规划人员     read all data; run and save siting scenarios
============  ==========  ===========================================================

Actions are plain strings (:data:`ACTIONS`). :func:`can` answers whether a user may do an
action, optionally on a scope: an officer may act only on scopes inside their own.
In the open demo (no account in the store) the caller is :data:`OPEN_DEMO`, which may do
everything on the whole city, as the app did before accounts existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gsyf_geo.domain import DISTRICT_BY_ADCODE, JKQ, REPORTING_UNIT_BY_CODE, REPORTING_UNITS
from gsyf_geo.store.scope import CITY, Scope

ADMIN = "admin"
LEADER = "leader"
OFFICER = "officer"
PLANNER = "planner"

ROLE_NAMES: dict[str, str] = {
    ADMIN: "管理员",
    LEADER: "市领导",
    OFFICER: "区级经办",
    PLANNER: "规划人员",
}
"""Roles in menu order with their Chinese names."""

# Actions.
READ = "read"  # see pages, maps, figures, lists
IMPORT = "import"  # load files into the store
EXPORT = "export"  # download lists (CSV/XLSX) of records
TASK_EDIT = "task_edit"  # change a plan task's status
SCENARIO_SAVE = "scenario_save"  # save or delete a siting scenario
USERS = "users"  # manage accounts
AUDIT = "audit"  # read the audit log

ACTIONS: tuple[str, ...] = (READ, IMPORT, EXPORT, TASK_EDIT, SCENARIO_SAVE, USERS, AUDIT)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    ADMIN: frozenset(ACTIONS),
    LEADER: frozenset({READ}),
    OFFICER: frozenset({READ, IMPORT, EXPORT, TASK_EDIT}),
    PLANNER: frozenset({READ, SCENARIO_SAVE}),
}

OPEN_DEMO_NAME = "open-demo"
OPEN_DEMO_DISPLAY = "开放演示（未登录）"


@dataclass(frozen=True)
class User:
    """A signed-in account (or the open demo's stand-in :data:`OPEN_DEMO`).

    ``unit_scope`` is the text of the officer's :class:`Scope`; None for the other roles.
    """

    name: str
    role: str
    unit_scope: str | None = None
    disabled: bool = False
    created_at: datetime | None = None
    failed_count: int = 0
    locked_until: datetime | None = None

    @property
    def role_name(self) -> str:
        """Chinese name of the role."""
        return ROLE_NAMES.get(self.role, self.role)

    @property
    def is_open_demo(self) -> bool:
        return self.name == OPEN_DEMO_NAME and self.role == ADMIN and self.created_at is None

    @property
    def display_name(self) -> str:
        """The name shown to people: the account name, or 开放演示（未登录） in the open demo."""
        return shown_name(self.name) if self.is_open_demo else self.name


OPEN_DEMO = User(OPEN_DEMO_NAME, ADMIN)
"""The caller when the store holds no account: the open demo, allowed everything."""


def shown_name(name: str | None) -> str:
    """A stored actor name as people read it (the open demo's stand-in in Chinese)."""
    return OPEN_DEMO_DISPLAY if name == OPEN_DEMO_NAME else (name or "")


def parse_unit_scope(text: str) -> Scope:
    """The scope an officer's ``--unit`` names: ``320402``, ``JKQ``, ``district:320412``, ``unit:JKQ``.

    A bare district code is the reporting unit of that code (for 武进 ``320412`` that is
    武进 without 经开区; ``district:320412`` is the whole district with 经开区).

    Raises
    ------
    ValueError
        For the city or an unknown code.
    """
    scope = Scope.parse((text or "").strip())
    if scope.kind == "city":
        raise ValueError("区级经办须指定所属辖市区或统计单元（--unit），不能为全市")
    return scope


def scope_of(user: User) -> Scope:
    """The part of the city ``user`` may see: the officer's unit, the whole city for the others."""
    if user.role == OFFICER:
        if not user.unit_scope:
            raise ValueError(f"区级经办账号“{user.name}”未设置所属单位")
        return Scope.parse(user.unit_scope)
    return CITY


def units_of(scope: Scope) -> tuple[str, ...]:
    """Reporting-unit codes inside ``scope`` (all seven for the city)."""
    if scope.kind == "city":
        return tuple(u.code for u in REPORTING_UNITS)
    if scope.kind == "unit":
        return (scope.code,)
    return tuple(u.code for u in REPORTING_UNITS if _district_of_unit(u.code) == scope.code)


def _district_of_unit(code: str) -> str:
    return REPORTING_UNIT_BY_CODE[code].district_adcode


def scope_within(inner: Scope, outer: Scope) -> bool:
    """Whether every row of ``inner`` lies inside ``outer``.

    A reporting unit equal to its district (every district but 武进) counts as the district.
    """
    if outer.kind == "city":
        return True
    if inner.kind == "city":
        return False
    return set(units_of(inner)) <= set(units_of(outer))


def can(user: User | None, action: str, scope: Scope | None = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``scope``, when given).

    Parameters
    ----------
    user
        The caller; None (nobody signed in) may do nothing.
    action
        One of :data:`ACTIONS`.
    scope
        The part of the city the action touches; None: the user's own scope.
    """
    if action not in ACTIONS:
        raise ValueError(f"未知的操作：{action}")
    if user is None or user.disabled:
        return False
    if action not in ROLE_ACTIONS.get(user.role, frozenset()):
        return False
    return scope is None or scope_within(scope, scope_of(user))


def scope_options(user: User) -> list[Scope]:
    """The scopes a user may choose in a page's scope filter: the city, every district and
    经开区 for city-wide roles; the officer's own scope (and the units inside it) otherwise."""
    own = scope_of(user)
    if own.kind == "city":
        return [CITY, *(Scope.district(d) for d in DISTRICT_BY_ADCODE), Scope.unit(JKQ.code)]
    out = [own]
    if own.kind == "district":
        out += [Scope.unit(u) for u in units_of(own) if u != own.code or len(units_of(own)) > 1]
    return out


def describe_scope(user: User) -> str:
    """“区级经办 · 天宁区” for the header of every page."""
    scope = scope_of(user)
    return user.role_name if scope.kind == "city" else f"{user.role_name} · {scope.label}"


__all__ = [
    "ACTIONS",
    "ADMIN",
    "AUDIT",
    "EXPORT",
    "IMPORT",
    "LEADER",
    "OFFICER",
    "OPEN_DEMO",
    "OPEN_DEMO_DISPLAY",
    "OPEN_DEMO_NAME",
    "PLANNER",
    "READ",
    "ROLE_ACTIONS",
    "ROLE_NAMES",
    "SCENARIO_SAVE",
    "TASK_EDIT",
    "USERS",
    "User",
    "can",
    "describe_scope",
    "parse_unit_scope",
    "scope_of",
    "scope_options",
    "scope_within",
    "shown_name",
    "units_of",
]
