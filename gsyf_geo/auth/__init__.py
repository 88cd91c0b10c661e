"""Accounts, roles, data scopes, sessions and the audit log (pure: no streamlit).

See :mod:`gsyf_geo.auth.roles` for who may do what, :mod:`gsyf_geo.auth.accounts` for
the accounts and sign-in rules, :mod:`gsyf_geo.auth.session` for session expiry and the
trusted proxy header, :mod:`gsyf_geo.auth.audit` for the audit log; docs/deployment.md
for how to run it.
"""

from gsyf_geo.auth.roles import (
    ACTIONS,
    ADMIN,
    AUDIT,
    EXPORT,
    IMPORT,
    LEADER,
    OFFICER,
    OPEN_DEMO,
    PLANNER,
    READ,
    ROLE_NAMES,
    SCENARIO_SAVE,
    TASK_EDIT,
    USERS,
    User,
    can,
    scope_of,
    scope_options,
    scope_within,
    units_of,
)

__all__ = [
    "ACTIONS",
    "ADMIN",
    "AUDIT",
    "EXPORT",
    "IMPORT",
    "LEADER",
    "OFFICER",
    "OPEN_DEMO",
    "PLANNER",
    "READ",
    "ROLE_NAMES",
    "SCENARIO_SAVE",
    "TASK_EDIT",
    "USERS",
    "User",
    "can",
    "scope_of",
    "scope_options",
    "scope_within",
    "units_of",
]
