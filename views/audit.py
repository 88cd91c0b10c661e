"""审计日志 — the audit log and the accounts, for administrators (layout only; see gsyf_geo.auth)."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from gsyf_geo.auth.accounts import list_users
from gsyf_geo.auth.audit import AUDIT_ACTIONS, audit_table, read_audit
from gsyf_geo.store import Scope
from gsyf_geo.tabular import to_csv_bytes
from views.common import audited, get_store, require

ALL = ""
SHOWN = 2_000

require("audit")
store = get_store()
st.title("审计日志")

today = date.today()
c1, c2, c3, c4 = st.columns([1, 1, 1, 1])
since = c1.date_input("起始日期", value=today - timedelta(days=30), key="audit_since")
until = c2.date_input("截止日期", value=today, key="audit_until")
users = list_users(store)
user = c3.selectbox("用户", [ALL, *users["name"].tolist(), "open-demo", "anonymous"],
                    format_func=lambda u: u or "全部", key="audit_user")  # fmt: skip
action = c4.selectbox("操作", [ALL, *AUDIT_ACTIONS], format_func=lambda a: AUDIT_ACTIONS.get(a, "全部"),
                      key="audit_action")  # fmt: skip

events = read_audit(store, since, until, user or None, action or None, limit=SHOWN + 1)
table = audit_table(events.head(SHOWN))
st.caption(
    f"共 {len(table):,} 条" + (f"（只显示最近 {SHOWN:,} 条，请缩小日期范围）" if len(events) > SHOWN else "")
    + "；命令行：`python -m gsyf_geo audit --since YYYY-MM-DD`"
)
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(
    "导出 CSV", data=audited("审计日志", len(table), lambda: to_csv_bytes(table)),
    file_name=f"审计日志_{since}_{until}.csv", mime="text/csv", on_click="ignore",
)  # fmt: skip

st.subheader("账号")
accounts = users.assign(
    范围=[Scope.parse(s).label if isinstance(s, str) else "全市" for s in users["unit_scope"]],
    状态=["已停用" if d else "正常" for d in users["disabled"]],
)
st.dataframe(
    accounts[["name", "role_name", "范围", "状态", "created_at", "locked_until"]].rename(
        columns={"name": "用户名", "role_name": "角色", "created_at": "创建时间", "locked_until": "锁定至"}
    ),
    hide_index=True,
    width="stretch",
)
st.caption("新增、停用账号和重置密码：`python -m gsyf_geo users add | disable | passwd`（见 `docs/deployment.md`）")
