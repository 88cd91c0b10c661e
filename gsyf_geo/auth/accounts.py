"""Accounts in the store (table ``app_user``): add, change password, disable, list, sign in.

Passwords are hashed with Argon2id (argon2-cffi's defaults; a hash made with older
parameters is re-hashed at the next successful sign-in). Sign-in rules:

- a wrong password, an unknown name and a disabled account all get the same message
  (用户名或密码错误，或账号已停用), and cost the same hashing time;
- after :data:`MAX_FAILURES` wrong passwords in a row an account is locked for
  :data:`LOCK_MINUTES` minutes (env ``GSYF_LOGIN_MAX_FAILURES``, ``GSYF_LOGIN_LOCK_MINUTES``);
  while locked even the right password is refused; a successful sign-in resets the count;
- every success, failure and lockout is written to the audit log.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, update

from gsyf_geo.auth import audit
from gsyf_geo.auth.roles import OFFICER, ROLE_NAMES, User, parse_unit_scope
from gsyf_geo.store import Store
from gsyf_geo.store.models import AppUser

MIN_PASSWORD_LEN = 8
MAX_NAME_LEN = 64
MAX_FAILURES = 5
LOCK_MINUTES = 15
GENERIC_FAILURE = "用户名或密码错误，或账号已停用。"

_TABLE = AppUser.__table__
_hasher = PasswordHasher()
# Verified against for unknown names, so that they take as long as a wrong password.
_DUMMY_HASH = _hasher.hash("gsyf-geo-not-a-password")


class AccountError(ValueError):
    """A refused account change (message in Chinese, for the CLI and the page)."""


class LoginError(PermissionError):
    """A refused sign-in (message in Chinese, naming nothing but the cause)."""


def hash_password(password: str) -> str:
    """Argon2id hash of ``password`` (with its own random salt)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a malformed hash)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _limit(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def max_failures() -> int:
    """Wrong passwords in a row that lock an account (``GSYF_LOGIN_MAX_FAILURES``, default 5)."""
    return _limit("GSYF_LOGIN_MAX_FAILURES", MAX_FAILURES)


def lock_minutes() -> int:
    """Minutes an account stays locked (``GSYF_LOGIN_LOCK_MINUTES``, default 15)."""
    return _limit("GSYF_LOGIN_LOCK_MINUTES", LOCK_MINUTES)


def check_password_rules(password: str) -> None:
    """Raise :class:`AccountError` unless ``password`` has at least 8 characters and is not blank."""
    if len(password or "") < MIN_PASSWORD_LEN or not password.strip():
        raise AccountError(f"密码至少 {MIN_PASSWORD_LEN} 个字符")


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise AccountError("用户名不能为空")
    if len(name) > MAX_NAME_LEN:
        raise AccountError(f"用户名不能超过 {MAX_NAME_LEN} 个字符")
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise AccountError("用户名不能含空格或控制字符")
    if name in (audit.ANONYMOUS, "open-demo"):
        raise AccountError(f"用户名“{name}”为系统保留")
    return name


def _user(row) -> User:
    return User(
        name=row.name,
        role=row.role,
        unit_scope=row.unit_scope,
        disabled=bool(row.disabled),
        created_at=row.created_at,
        failed_count=int(row.failed_count or 0),
        locked_until=row.locked_until,
    )


def has_accounts(store: Store) -> bool:
    """Whether the store holds any account (then every page needs a sign-in)."""
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(_TABLE)).scalar_one() > 0


def get_user(store: Store, name: str) -> User | None:
    """The account called ``name`` (None when there is none)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(_TABLE).where(_TABLE.c.name == name)).one_or_none()
    return None if row is None else _user(row)


def list_users(store: Store) -> pd.DataFrame:
    """Every account (no hashes): name, role, role_name, unit_scope, disabled, created_at, locked_until."""
    cols = ["name", "role", "unit_scope", "disabled", "created_at", "failed_count", "locked_until"]
    with store.engine.connect() as conn:
        df = pd.read_sql(select(*(_TABLE.c[c] for c in cols)).order_by(_TABLE.c.name), conn)
    df.insert(2, "role_name", df["role"].map(ROLE_NAMES).fillna(df["role"]))
    return df


def add_user(
    store: Store,
    name: str,
    role: str,
    password: str,
    unit: str | None = None,
    by: str = "cli",
    now: datetime | None = None,
) -> User:
    """Create an account.

    Parameters
    ----------
    name
        The sign-in name (unique, up to 64 characters, no spaces).
    role
        One of :data:`gsyf_geo.auth.roles.ROLE_NAMES`.
    password
        At least 8 characters; stored only as its Argon2 hash.
    unit
        For an officer (required): the district or reporting unit (``320402``, ``JKQ``,
        ``district:320412``). Other roles see the whole city and take none.
    by
        Who makes the change (audit).

    Raises
    ------
    AccountError
        Bad name, role, unit or password, or the name is taken.
    """
    name = _check_name(name)
    if role not in ROLE_NAMES:
        raise AccountError(f"未知的角色：{role}（可选：{'、'.join(f'{k}={v}' for k, v in ROLE_NAMES.items())}）")
    scope_text = None
    if role == OFFICER:
        if not unit:
            raise AccountError("区级经办须用 --unit 指定所属辖市区或统计单元（如 320402、JKQ、district:320412）")
        try:
            scope_text = str(parse_unit_scope(unit))
        except ValueError as exc:
            raise AccountError(str(exc)) from None
    elif unit:
        raise AccountError(f"角色“{ROLE_NAMES[role]}”查看全市数据，不设所属单位（--unit 仅用于区级经办）")
    check_password_rules(password)
    now = (now or datetime.now()).replace(microsecond=0)
    with store.transaction() as conn:
        if conn.execute(select(_TABLE.c.name).where(_TABLE.c.name == name)).first() is not None:
            raise AccountError(f"用户“{name}”已存在")
        conn.execute(
            _TABLE.insert().values(
                name=name, role=role, unit_scope=scope_text, password_hash=hash_password(password),
                disabled=False, created_at=now, failed_count=0, locked_until=None,
            )
        )  # fmt: skip
        audit.record(store, by, "user_add", target=name,
                     detail=f"角色 {ROLE_NAMES[role]}" + (f"，范围 {scope_text}" if scope_text else ""), conn=conn)  # fmt: skip
    return User(name, role, scope_text, created_at=now)


def _require(store: Store, conn, name: str):
    row = conn.execute(select(_TABLE).where(_TABLE.c.name == name)).one_or_none()
    if row is None:
        raise AccountError(f"没有用户“{name}”")
    return row


def set_password(store: Store, name: str, password: str, by: str = "cli") -> None:
    """Set a new password (also clears a lockout)."""
    check_password_rules(password)
    with store.transaction() as conn:
        _require(store, conn, name)
        conn.execute(
            update(_TABLE).where(_TABLE.c.name == name)
            .values(password_hash=hash_password(password), failed_count=0, locked_until=None)
        )  # fmt: skip
        audit.record(store, by, "user_passwd", target=name, conn=conn)


def set_disabled(store: Store, name: str, disabled: bool = True, by: str = "cli") -> None:
    """Disable (or enable again) an account; a disabled account cannot sign in, and its open
    sessions end at their next page load."""
    with store.transaction() as conn:
        _require(store, conn, name)
        conn.execute(update(_TABLE).where(_TABLE.c.name == name).values(disabled=disabled))
        audit.record(store, by, "user_disable" if disabled else "user_enable", target=name, conn=conn)


def authenticate(store: Store, name: str, password: str, now: datetime | None = None) -> User:
    """Check a sign-in; return the account or raise :class:`LoginError`.

    Wrong passwords count towards a lockout (see the module docstring); every outcome is
    audited. The message never says whether the name exists, except that a locked
    account says it is locked.
    """
    now = (now or datetime.now()).replace(microsecond=0)
    name = (name or "").strip()[:MAX_NAME_LEN]
    failure: str | None = None
    # The refusal is raised only after the transaction commits: the failed attempt, the
    # count and the lockout must be stored, not rolled back with the exception.
    with store.transaction() as conn:
        row = conn.execute(select(_TABLE).where(_TABLE.c.name == name)).one_or_none() if name else None
        if row is None:
            verify_password(_DUMMY_HASH, password or "")
            audit.record(store, audit.ANONYMOUS, "login_failed", detail="未知用户名", conn=conn, now=now)
            failure = GENERIC_FAILURE
        elif row.locked_until is not None and row.locked_until > now:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            audit.record(store, audit.ANONYMOUS, "login_failed", target=name, detail="账号锁定期间尝试登录",
                         conn=conn, now=now)  # fmt: skip
            failure = f"连续输错密码次数过多，账号已临时锁定，请约 {minutes} 分钟后再试或联系管理员。"
        elif not verify_password(row.password_hash, password or ""):
            failures = int(row.failed_count or 0) + 1
            values: dict = {"failed_count": failures}
            audit.record(store, audit.ANONYMOUS, "login_failed", target=name,
                         detail=f"密码错误（连续第 {failures} 次）", conn=conn, now=now)  # fmt: skip
            failure = GENERIC_FAILURE
            if failures >= max_failures():
                values = {"failed_count": 0, "locked_until": now + timedelta(minutes=lock_minutes())}
                audit.record(store, audit.ANONYMOUS, "account_locked", target=name,
                             detail=f"连续 {failures} 次密码错误，锁定 {lock_minutes()} 分钟", conn=conn, now=now)  # fmt: skip
                failure = f"连续 {failures} 次密码错误，账号已锁定 {lock_minutes()} 分钟。"
            conn.execute(update(_TABLE).where(_TABLE.c.name == name).values(**values))
        elif row.disabled:
            audit.record(store, audit.ANONYMOUS, "login_failed", target=name, detail="账号已停用",
                         conn=conn, now=now)  # fmt: skip
            failure = GENERIC_FAILURE
        else:
            values = {"failed_count": 0, "locked_until": None}
            if _hasher.check_needs_rehash(row.password_hash):
                values["password_hash"] = hash_password(password)
            conn.execute(update(_TABLE).where(_TABLE.c.name == name).values(**values))
            audit.record(store, name, "login", detail="密码登录", conn=conn, now=now)
    if failure is not None:
        raise LoginError(failure)
    return User(row.name, row.role, row.unit_scope, False, row.created_at, 0, None)


def active_user(store: Store, name: str) -> User | None:
    """The account ``name`` if it exists and is not disabled (checked at every page load)."""
    user = get_user(store, name)
    return None if user is None or user.disabled else user
