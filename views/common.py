"""What every page shares: the store (opened once per process) and the demo banner."""

from __future__ import annotations

from datetime import date

import streamlit as st

from gsyf_geo.plan import Plan, PlanFileError, available_plans
from gsyf_geo.settings import db_url
from gsyf_geo.store import Store


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> Store:
    """Open the store once per process; fill a never-used one with the demo city.

    A store that has seen any load (an import, or ``demo --clear``) is left as it is.
    """
    store = Store(url)
    store.create_schema()
    if store.count("enterprise") == 0 and store.batches().empty:
        from gsyf_geo.demo import load_demo

        with st.spinner("首次启动：正在生成演示数据…"):
            load_demo(store)
    return store


def get_store() -> Store:
    """The store named by ``GSYF_DB_URL`` (default: the embedded SQLite file)."""
    return _open_store(db_url())


@st.cache_data(show_spinner=False, max_entries=8)
def _demo_status(url: str, version: str, _store: Store):
    """Which stored rows are demo, recounted whenever a load finishes (``version``)."""
    from gsyf_geo.store.demo_status import demo_status

    return demo_status(_store)


def demo_status(store: Store | None = None):
    """The :class:`~gsyf_geo.store.demo_status.DemoStatus` of the store (cached per data version)."""
    store = store if store is not None else get_store()
    return _demo_status(str(store.engine.url), store.data_version(), store)


def demo_banner(store: Store, scope=None) -> None:
    """Mark what is demo as demo, on every page that shows data.

    The banner names the kinds that are still synthetic inside ``scope`` (default: the
    signed-in user's part of the city) once real data have been imported, says 当前为演示数据
    while everything is demo, and is absent when no demo row is left.
    """
    text = demo_status(store).banner(scope if scope is not None else user_scope())
    if text:
        st.warning(text)


def demo_label(kinds, scope=None, store: Store | None = None) -> str:
    """The demo label of one figure drawn from ``kinds`` (store kinds such as ``"work_injury"``):
    "（演示数据）" when all its rows inside ``scope`` are demo, "（含演示数据）" when some are,
    "" when none is. Append it to the figure's title or caption."""
    label = demo_status(store).label([kinds] if isinstance(kinds, str) else kinds,
                                     scope if scope is not None else user_scope())  # fmt: skip
    return f"（{label}）" if label else ""


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def escape_md(text: object) -> str:
    """``text`` from data made literal in Streamlit markdown (no emphasis, links or HTML):
    file, sheet, user and site names and problem texts are shown as written."""
    return "".join(f"\\{c}" if c in _MD_SPECIAL else c for c in str(text))


def plans_or_stop(what: str = "规划目标") -> dict[str, Plan]:
    """The plan files by id; a clear Chinese error (and the page stops) when unreadable."""
    try:
        plans = {p.plan_id: p for p in available_plans()}
    except PlanFileError as exc:
        st.error(f"无法读取{what}数据：{exc}")
        st.stop()
    return plans


STATUS_COLOR_NAMES: dict[str, str] = {
    "达标": "green",
    "进行中": "blue",
    "落后": "orange",
    "未达标": "red",
    "样本不足": "violet",
    "无数据": "gray",
    "不分解": "gray",
}
"""Streamlit colour names of the statuses (markdown ``:green[...]``), as gsyf_geo.monitor.status."""

PLAN_KEY = "monitor_plan_id"  # the chosen plan, shared by the targets and task pages


def plan_selector(plans: dict[str, Plan], today: date) -> Plan:
    """Sidebar choice of plan; remembers it across pages, defaults to the current one."""
    from gsyf_geo.monitor.evaluation import current_plan

    st.header("计划")
    ids = list(plans)
    remembered = st.session_state.get(PLAN_KEY)
    default_id = remembered if remembered in plans else current_plan(list(plans.values()), today).plan_id
    plan_id = st.selectbox("选择计划", ids, index=ids.index(default_id), format_func=lambda i: plans[i].title)
    st.session_state[PLAN_KEY] = plan_id
    return plans[plan_id]


# --- accounts, sign-in and audit (rules in gsyf_geo.auth; deployment in docs/deployment.md) ----
AUTH_USER = "_auth_user"  # the signed-in account's name
AUTH_SEEN = "_auth_seen"  # epoch seconds of the session's last page load
AUTH_VIA = "_auth_via"  # password | proxy | oidc
AUTH_NOTICE = "_auth_notice"  # a message for the sign-in page (e.g. the session expired)
OPEN_DEMO_BANNER = (
    "开放演示模式：尚未创建用户账号，任何能打开本页面的人都可以查看、导入和导出全部数据。"
    "正式使用前请由管理员创建账号（`python -m gsyf_geo users add 用户名 --role admin`），此后每个页面均须登录。"
)


def client_request() -> tuple[dict, str | None]:
    """The request's headers and the address of the connection's peer (empty outside a
    browser session).

    ``st.context.ip_address`` hides a loopback peer (None), which is exactly the reverse
    proxy on the same machine, so the session's client context is asked for the raw peer.
    scripts/run.sh sets ``FORWARDED_ALLOW_IPS`` empty, so that no X-Forwarded-For header
    replaces the peer's address on the way in.
    """
    try:
        headers = dict(st.context.headers or {})
    except Exception:  # noqa: BLE001 - no request context (bare mode, AppTest)
        return {}, None
    try:
        from streamlit.runtime import get_instance
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        client = get_instance().get_client(ctx.session_id) if ctx is not None else None
        context = getattr(client, "client_context", None)
        return headers, getattr(context, "remote_ip", None)
    except Exception:  # noqa: BLE001 - Streamlit internals moved: the public, loopback-less value
        return headers, st.context.ip_address


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section for ``st.login``."""
    if not hasattr(st, "login"):
        return False
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file
        return False


def oidc_ready() -> bool:
    """Whether OIDC is configured and ``st.login`` can run (it needs Authlib: pip install Authlib)."""
    import importlib.util

    return oidc_configured() and importlib.util.find_spec("authlib") is not None


def _oidc_name() -> str | None:
    """The account name the OIDC provider vouches for (claim GSYF_OIDC_NAME_CLAIM, default
    preferred_username, else email), when signed in through st.login."""
    import os

    if not oidc_ready():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        claim = os.environ.get("GSYF_OIDC_NAME_CLAIM", "preferred_username")
        return str(st.user.get(claim) or st.user.get("email") or "").strip() or None
    except Exception:  # noqa: BLE001 - st.user unavailable
        return None


def _end_session(notice: str | None = None, wipe: bool = False) -> None:
    """Sign out; with ``wipe``, also forget everything the session held (filters, previews,
    import results), so that the next person at this browser sees nothing of it."""
    for key in list(st.session_state.keys()) if wipe else (AUTH_USER, AUTH_SEEN, AUTH_VIA):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[AUTH_NOTICE] = notice


def start_session(user, via: str) -> None:
    """Mark ``user`` as signed in for this browser session."""
    import time

    st.session_state[AUTH_USER] = user.name
    st.session_state[AUTH_SEEN] = time.time()
    st.session_state[AUTH_VIA] = via


def current_user():
    """The caller: the signed-in :class:`~gsyf_geo.auth.roles.User`, ``OPEN_DEMO`` while the store
    holds no account, or None when a sign-in is needed.

    A session idle for longer than ``GSYF_SESSION_MINUTES`` (default 30) ends here, as does
    one whose account was disabled meanwhile. A trusted proxy's ``X-Remote-User`` or an OIDC
    sign-in (``st.login``) signs in an existing, enabled account of the same name.
    """
    import time

    from gsyf_geo.auth import audit
    from gsyf_geo.auth.accounts import active_user, has_accounts
    from gsyf_geo.auth.roles import OPEN_DEMO
    from gsyf_geo.auth.session import expired, proxy_user, session_minutes

    store = get_store()
    if not has_accounts(store):
        _end_session()
        return OPEN_DEMO
    now = time.time()
    name = st.session_state.get(AUTH_USER)
    if name is not None:
        if expired(st.session_state.get(AUTH_SEEN), now, session_minutes()):
            audit.record(store, name, "session_expired", detail=f"闲置超过 {session_minutes()} 分钟")
            _end_session(f"超过 {session_minutes()} 分钟未操作，已自动退出，请重新登录。", wipe=True)
            return None
        user = active_user(store, name)
        if user is None:
            _end_session("账号已停用或不存在，请联系管理员。", wipe=True)
            return None
        st.session_state[AUTH_SEEN] = now
        return user
    headers, address = client_request()
    for via, vouched in (("proxy", proxy_user(headers, address)), ("oidc", _oidc_name())):
        if not vouched:
            continue
        user = active_user(store, vouched)
        if user is None:
            audit.record(store, audit.ANONYMOUS, "login_failed", target=vouched[:64],
                         detail=f"{'反向代理' if via == 'proxy' else '统一身份认证'}：本系统无此账号或已停用")  # fmt: skip
            st.session_state[AUTH_NOTICE] = "该统一认证账号尚未在本系统开通或已停用，请联系管理员。"
            return None
        audit.record(store, user.name, "login", detail="反向代理认证" if via == "proxy" else "统一身份认证（OIDC）")
        start_session(user, via)
        return user
    return None


def logout() -> None:
    """Sign out (audited); OIDC sessions also end at the provider's cookie."""
    from gsyf_geo.auth import audit

    name = st.session_state.get(AUTH_USER)
    via = st.session_state.get(AUTH_VIA)
    if name:
        audit.record(get_store(), name, "logout")
    _end_session("已退出登录。", wipe=True)
    if via == "oidc" and hasattr(st, "logout"):
        st.logout()


def audit_event(action: str, target: str | None = None, rows: int | None = None, detail: str | None = None) -> None:
    """Record an action of the signed-in user (``open-demo`` in the open demo) in the audit log."""
    from gsyf_geo.auth import audit

    user = current_user()
    audit.record(get_store(), user.name if user else audit.ANONYMOUS, action, target, rows, detail)


def audited(target: str, rows: int | None, make, detail: str | None = None):
    """A download's deferred data: records the export (who, what, how many rows) when the
    browser fetches it, then builds the bytes with ``make()``."""
    from gsyf_geo.auth import audit

    user = current_user()
    name = user.name if user else audit.ANONYMOUS
    store = get_store()

    def data():
        audit.record(store, name, "export", target, rows, detail)
        return make()

    return data


def require(action: str, scope=None):
    """The caller, if they may do ``action`` (on ``scope``); else a Chinese refusal and the page stops."""
    from gsyf_geo.auth import audit
    from gsyf_geo.auth.roles import can

    user = current_user()
    if not can(user, action, scope):
        if user is not None:
            audit.record(get_store(), user.name, "denied", target=action, detail=str(scope) if scope else None)
        st.error("您的账号无权进行此操作。如需权限，请联系管理员。")
        st.stop()
    return user


def user_scope():
    """The part of the city the caller may see (the whole city in the open demo)."""
    from gsyf_geo.auth.roles import scope_of
    from gsyf_geo.store import CITY

    user = current_user()
    return CITY if user is None else scope_of(user)


def account_sidebar(user) -> None:
    """Who is signed in, and the sign-out button (or the open-demo banner)."""
    from gsyf_geo.auth.roles import describe_scope

    if user.is_open_demo:
        st.warning(OPEN_DEMO_BANNER)
        return
    with st.sidebar:
        st.caption(f"当前用户：**{user.name}**（{describe_scope(user)}）")
        if st.button("退出登录", key="_logout"):
            logout()
            st.rerun()
