"""登录 — the sign-in page, the only page shown until someone signs in (see app.py)."""

from __future__ import annotations

import streamlit as st

from gsyf_geo.auth import audit
from gsyf_geo.auth.accounts import LoginError, authenticate
from gsyf_geo.auth.session import session_minutes
from gsyf_geo.auth.throttle import THROTTLE, client_address
from views.common import (
    AUTH_NOTICE,
    client_request,
    get_store,
    oidc_configured,
    oidc_ready,
    start_session,
)

store = get_store()
st.title("常州市工伤预防风险地图")
st.subheader("用户登录")

notice = st.session_state.pop(AUTH_NOTICE, None)
if notice:
    st.info(notice)

with st.form("login_form"):
    name = st.text_input("用户名", key="login_name", max_chars=64)
    password = st.text_input("密码", type="password", key="login_password", max_chars=256)
    submitted = st.form_submit_button("登录", type="primary")

if submitted:
    headers, peer = client_request()
    address = client_address(headers, peer)
    wait = THROTTLE.wait_seconds(address)
    if wait:
        audit.record(store, audit.ANONYMOUS, "login_failed", target=(name or "")[:64],
                     detail="同一地址登录失败次数过多，暂停登录")  # fmt: skip
        st.error(f"本机登录失败次数过多，请约 {max(1, round(wait / 60))} 分钟后再试，或联系管理员。")
    else:
        try:
            user = authenticate(store, name, password)
        except LoginError as exc:
            THROTTLE.failed(address)
            st.error(str(exc))
        else:
            start_session(user, "password")
            st.rerun()

if oidc_ready():
    st.divider()
    if st.button("使用单位统一身份认证登录", key="oidc_login"):
        st.login()
elif oidc_configured():
    st.caption("已配置单位统一身份认证，但服务器缺少 Authlib 组件，暂不可用；请管理员安装（见 docs/deployment.md）。")

st.caption(
    f"连续 {session_minutes()} 分钟未操作将自动退出；连续多次输错密码账号将被临时锁定。"
    "忘记密码请联系管理员重置（`python -m gsyf_geo users passwd 用户名`）。"
)
