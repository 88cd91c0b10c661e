"""What every page shares: the store (opened once per process) and the demo banner."""

from __future__ import annotations

from datetime import date

import streamlit as st

from gsyf_geo.domain import DEMO_LABEL
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


def demo_banner(store: Store) -> None:
    """Mark demo data as demo, on every page that shows data."""
    if store.holds_demo_data:
        st.warning(f"当前为{DEMO_LABEL}")


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
