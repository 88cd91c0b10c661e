"""Accounts and roles (gsyf_geo.auth): hashing, permissions, lockout, session expiry, the
trusted proxy header, the audit log, the ``users``/``audit`` commands and the sign-in gate."""

from __future__ import annotations

import importlib.util
import io
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gsyf_geo.auth import audit
from gsyf_geo.auth.accounts import (
    GENERIC_FAILURE,
    AccountError,
    LoginError,
    add_user,
    authenticate,
    get_user,
    has_accounts,
    hash_password,
    list_users,
    set_disabled,
    set_password,
    verify_password,
)
from gsyf_geo.auth.roles import (
    ADMIN,
    LEADER,
    OFFICER,
    OPEN_DEMO,
    PLANNER,
    User,
    can,
    scope_of,
    scope_options,
    scope_within,
)
from gsyf_geo.auth.session import expired, proxy_user, session_minutes
from gsyf_geo.cli import main
from gsyf_geo.store import CITY, Scope, Store

APP = Path(__file__).resolve().parent.parent / "app.py"
PASSWORD = "correct-horse-1"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Store:
    url = f"sqlite:///{tmp_path / 'auth.sqlite'}"
    monkeypatch.setenv("GSYF_DB_URL", url)
    for var in ("GSYF_LOGIN_MAX_FAILURES", "GSYF_LOGIN_LOCK_MINUTES", "GSYF_SESSION_MINUTES",
                "GSYF_TRUSTED_PROXY_HEADER", "GSYF_TRUSTED_PROXIES"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    s = Store(url)
    s.create_schema()
    yield s
    s.engine.dispose()


# --- hashing ----------------------------------------------------------------------------------


def test_password_is_stored_as_a_salted_argon2_hash(db):
    h1, h2 = hash_password(PASSWORD), hash_password(PASSWORD)
    assert h1.startswith("$argon2id$") and h1 != h2  # salted
    assert verify_password(h1, PASSWORD) and not verify_password(h1, PASSWORD + "x")
    assert not verify_password("not-a-hash", PASSWORD)
    add_user(db, "alice", ADMIN, PASSWORD)
    with db.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM app_user").scalar_one()
    assert PASSWORD not in stored and verify_password(stored, PASSWORD)


def test_account_rules(db):
    with pytest.raises(AccountError, match="至少 8"):
        add_user(db, "a", ADMIN, "short")
    with pytest.raises(AccountError, match="--unit"):
        add_user(db, "o", OFFICER, PASSWORD)  # an officer needs a unit
    with pytest.raises(AccountError, match="不设所属单位"):
        add_user(db, "l", LEADER, PASSWORD, unit="320402")
    with pytest.raises(AccountError, match="未知的角色"):
        add_user(db, "x", "root", PASSWORD)
    with pytest.raises(AccountError, match="未知"):
        add_user(db, "o", OFFICER, PASSWORD, unit="999999")
    with pytest.raises(AccountError, match="全市"):
        add_user(db, "o", OFFICER, PASSWORD, unit="city")
    with pytest.raises(AccountError, match="保留"):
        add_user(db, "open-demo", ADMIN, PASSWORD)
    assert not has_accounts(db)
    add_user(db, "o", OFFICER, PASSWORD, unit="320402")
    with pytest.raises(AccountError, match="已存在"):
        add_user(db, "o", ADMIN, PASSWORD)
    assert get_user(db, "o").unit_scope == "unit:320402"
    assert add_user(db, "w", OFFICER, PASSWORD, unit="district:320412").unit_scope == "district:320412"


# --- roles and scopes -------------------------------------------------------------------------

TIANNING = Scope.unit("320402")
WUJIN = Scope.district("320412")


def test_what_each_role_may_do():
    admin, leader = User("a", ADMIN), User("l", LEADER)
    officer, planner = User("o", OFFICER, "unit:320402"), User("p", PLANNER)
    assert all(can(admin, a) for a in ("read", "import", "export", "task_edit", "scenario_save", "users", "audit"))
    assert can(leader, "read") and not any(can(leader, a) for a in ("import", "export", "scenario_save", "users"))
    assert can(planner, "scenario_save") and not can(planner, "import") and not can(planner, "export")
    assert can(officer, "import") and can(officer, "export") and not can(officer, "audit")
    assert not can(officer, "scenario_save") and not can(officer, "users")
    assert not can(None, "read") and not can(User("d", ADMIN, disabled=True), "read")
    with pytest.raises(ValueError):
        can(admin, "drop_everything")


def test_officer_acts_only_inside_their_scope():
    officer = User("o", OFFICER, "unit:320402")
    assert scope_of(officer) == TIANNING and scope_of(User("l", LEADER)) == CITY
    assert can(officer, "import", TIANNING) and can(officer, "import", Scope.district("320402"))
    assert not can(officer, "import", CITY) and not can(officer, "export", Scope.unit("320404"))
    wujin = User("w", OFFICER, "district:320412")
    assert can(wujin, "export", Scope.unit("JKQ")) and can(wujin, "export", Scope.unit("320412"))
    jkq = User("j", OFFICER, "unit:JKQ")
    assert not can(jkq, "export", WUJIN)  # 经开区 may not act on the whole of 武进
    assert scope_within(Scope.unit("JKQ"), WUJIN) and not scope_within(WUJIN, Scope.unit("JKQ"))
    assert scope_options(officer) == [TIANNING]
    assert scope_options(wujin) == [WUJIN, Scope.unit("320412"), Scope.unit("JKQ")]
    assert len(scope_options(User("p", PLANNER))) == 8  # city, six districts, 经开区


# --- sign-in, lockout ---------------------------------------------------------------------------


def test_sign_in_and_the_same_message_for_every_refusal(db):
    add_user(db, "alice", OFFICER, PASSWORD, unit="320402")
    user = authenticate(db, "alice", PASSWORD)
    assert user.name == "alice" and scope_of(user) == TIANNING
    for name, pw in (("alice", "wrong-password"), ("nobody", PASSWORD), ("", "")):
        with pytest.raises(LoginError) as err:
            authenticate(db, name, pw)
        assert str(err.value) == GENERIC_FAILURE
    set_disabled(db, "alice")
    with pytest.raises(LoginError, match=GENERIC_FAILURE):
        authenticate(db, "alice", PASSWORD)  # right password, disabled account
    set_disabled(db, "alice", False)
    assert authenticate(db, "alice", PASSWORD).name == "alice"


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(db):
    add_user(db, "bob", ADMIN, PASSWORD)
    t0 = datetime(2026, 3, 2, 9, 0, 0)
    for i in range(4):
        with pytest.raises(LoginError, match="用户名或密码错误"):
            authenticate(db, "bob", "wrong", now=t0 + timedelta(seconds=i))
    with pytest.raises(LoginError, match="已锁定 15 分钟"):
        authenticate(db, "bob", "wrong", now=t0 + timedelta(seconds=5))
    # Locked: even the right password is refused until the 15 minutes are over.
    with pytest.raises(LoginError, match="临时锁定"):
        authenticate(db, "bob", PASSWORD, now=t0 + timedelta(minutes=14, seconds=59))
    assert authenticate(db, "bob", PASSWORD, now=t0 + timedelta(minutes=15, seconds=6)).name == "bob"
    # A success resets the count: four more failures do not lock.
    for i in range(4):
        with pytest.raises(LoginError, match="用户名或密码错误"):
            authenticate(db, "bob", "wrong", now=t0 + timedelta(minutes=20, seconds=i))
    assert authenticate(db, "bob", PASSWORD, now=t0 + timedelta(minutes=21)).name == "bob"
    events = audit.read_audit(db, action="account_locked")
    assert len(events) == 1 and events["target"].iloc[0] == "bob"
    failed = audit.read_audit(db, action="login_failed")  # 5 + 1 while locked + 4
    assert len(failed) == 10 and set(failed["user_name"]) == {audit.ANONYMOUS}


def test_a_new_password_clears_the_lock(db):
    add_user(db, "bob", ADMIN, PASSWORD)
    for _ in range(5):
        with pytest.raises(LoginError):
            authenticate(db, "bob", "wrong")
    set_password(db, "bob", "another-password")
    assert authenticate(db, "bob", "another-password").name == "bob"
    with pytest.raises(AccountError, match="没有用户"):
        set_password(db, "ghost", "another-password")


# --- sessions and the proxy header ----------------------------------------------------------------


def test_session_expiry_rule():
    assert session_minutes({}) == 30 and session_minutes({"GSYF_SESSION_MINUTES": "5"}) == 5
    assert session_minutes({"GSYF_SESSION_MINUTES": "x"}) == 30
    now = 1_000_000.0
    assert not expired(now - 30 * 60, now, 30)  # exactly 30 minutes idle: still on
    assert expired(now - 30 * 60 - 1, now, 30)
    assert expired(None, now, 30)


def test_proxy_header_only_when_enabled_and_only_from_the_proxy():
    headers = {"X-Remote-User": "admin"}
    on = {"GSYF_TRUSTED_PROXY_HEADER": "1", "GSYF_TRUSTED_PROXIES": "127.0.0.1, 10.1.0.0/24"}
    assert proxy_user(headers, "127.0.0.1", {}) is None  # not enabled
    assert proxy_user(headers, "127.0.0.1", {"GSYF_TRUSTED_PROXY_HEADER": "1"}) is None  # no proxy listed
    assert proxy_user(headers, "192.168.5.9", on) is None  # sent straight to Streamlit
    assert proxy_user(headers, "127.0.0.1", on) == "admin"
    assert proxy_user(headers, "10.1.0.7", on) == "admin"
    assert proxy_user({"X-Remote-User": "  "}, "127.0.0.1", on) is None
    assert proxy_user(headers, "not-an-ip", on) is None


# --- audit log ---------------------------------------------------------------------------------


def test_audit_filters_by_day_user_and_action(db):
    audit.record(db, "alice", "export", "企业清单.csv", 120, now=datetime(2026, 1, 5, 10))
    audit.record(db, "bob", "import", "a.xlsx", 30, now=datetime(2026, 1, 6, 23, 59))
    audit.record(db, "alice", "task_edit", "p/2021-03", 1, now=datetime(2026, 1, 7, 0, 0))
    assert audit.read_audit(db)["user_name"].tolist() == ["alice", "bob", "alice"]  # newest first
    assert audit.read_audit(db, since=date(2026, 1, 6))["action"].tolist() == ["task_edit", "import"]
    assert audit.read_audit(db, until=date(2026, 1, 6))["action"].tolist() == ["import", "export"]
    assert audit.read_audit(db, user="alice", action="export")["rows"].tolist() == [120]
    with pytest.raises(ValueError):
        audit.record(db, "alice", "format_disk")


# --- commands -----------------------------------------------------------------------------------


def _cli(monkeypatch, capsys, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_users_and_audit(db, monkeypatch, capsys):
    code, out, _ = _cli(monkeypatch, capsys, ["users", "list"])
    assert code == 0 and "开放演示模式" in out
    code, out, _ = _cli(monkeypatch, capsys, ["users", "add", "tn", "--role", "officer", "--unit", "320402",
                                              "--password-stdin"], PASSWORD + "\n")  # fmt: skip
    assert code == 0 and "区级经办（天宁区）" in out
    code, _, err = _cli(monkeypatch, capsys, ["users", "add", "x", "--role", "admin", "--password-stdin"], "short\n")
    assert code == 2 and "至少 8" in err
    code, _, err = _cli(monkeypatch, capsys, ["users", "add", "y", "--role", "officer", "--password-stdin"],
                        PASSWORD + "\n")  # fmt: skip
    assert code == 2 and "--unit" in err
    code, _, _ = _cli(monkeypatch, capsys, ["users", "passwd", "tn", "--password-stdin"], "new-password-2\n")
    assert code == 0 and authenticate(db, "tn", "new-password-2").name == "tn"
    code, _, _ = _cli(monkeypatch, capsys, ["users", "disable", "tn"])
    assert code == 0 and get_user(db, "tn").disabled
    code, out, _ = _cli(monkeypatch, capsys, ["users", "list"])
    assert "tn\tofficer\t区级经办\t天宁区\t已停用" in out
    assert list_users(db)["name"].tolist() == ["tn"]

    code, out, _ = _cli(monkeypatch, capsys, ["audit", "--action", "user_add"])
    assert code == 0 and "新增账号\ttn" in out and "共 1 条" in out
    code, out, _ = _cli(monkeypatch, capsys, ["audit", "--user", "tn", "--action", "login"])
    assert "共 1 条" in out
    code, out, _ = _cli(monkeypatch, capsys, ["audit", "--since", "2999-01-01"])
    assert code == 0 and "没有符合条件" in out
    with pytest.raises(SystemExit):
        _cli(monkeypatch, capsys, ["audit", "--since", "2026-13-01"])


# --- the sign-in gate (AppTest) -----------------------------------------------------------------


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=180)


def _login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click()
    return at.run()


def test_without_accounts_the_app_is_the_open_demo_with_a_banner(demo_db_url):
    at = _app().run()
    assert not at.exception
    assert any("开放演示模式" in w.value for w in at.warning)
    assert not at.text_input  # no sign-in form on the map


@pytest.mark.parametrize(
    ("role", "unit", "sees_import", "sees_audit", "sees_export"),
    [
        (ADMIN, None, True, True, True),
        (LEADER, None, False, False, False),
        (OFFICER, "320402", True, False, True),
        (PLANNER, None, False, False, False),
    ],
)
def test_each_role_signs_in_and_sees_its_pages(demo_db_url, role, unit, sees_import, sees_audit, sees_export):
    store = Store(demo_db_url)
    store.create_schema()
    add_user(store, "user1", role, PASSWORD, unit=unit)
    at = _app().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]  # every page needs a sign-in
    assert not at.dataframe and not at.get("download_button")
    _login(at, "user1", "wrong-password")
    assert any(GENERIC_FAILURE in e.value for e in at.error)
    at = _login(at, "user1", PASSWORD)
    assert not at.exception, [e.value for e in at.exception]
    assert any("当前用户：**user1**" in c.value for c in at.sidebar.caption)
    downloads = [b.label for b in at.get("download_button")]
    assert ("导出 CSV" in downloads) == sees_export
    if unit:
        assert at.sidebar.selectbox(key="unit").options == ["天宁区"]
    events = audit.read_audit(store)
    assert events["action"].tolist()[:2] == ["login", "login_failed"]
    assert events["user_name"].tolist()[:2] == ["user1", audit.ANONYMOUS]
    # The import page refuses roles without the import right, even when opened directly.
    page = AppTest.from_file(str(APP.parent / "views" / "import_data.py"), default_timeout=120)
    page.session_state["_auth_user"] = "user1"
    page.session_state["_auth_seen"] = time.time()
    page.run()
    refused = any("无权" in e.value for e in page.error)
    assert refused == (not sees_import)
    store.engine.dispose()


def test_session_expires_after_idle_minutes(demo_db_url, monkeypatch):
    store = Store(demo_db_url)
    store.create_schema()
    add_user(store, "boss", LEADER, PASSWORD)
    at = _login(_app().run(), "boss", PASSWORD)
    assert not at.text_input or "用户名" not in [t.label for t in at.text_input]
    at.session_state["_auth_seen"] = time.time() - 31 * 60
    at.session_state["import_result"] = "the previous user's result"
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert "import_result" not in at.session_state  # nothing of the session is kept
    assert any("已自动退出" in i.value for i in at.info)
    assert "session_expired" in audit.read_audit(store)["action"].tolist()
    store.engine.dispose()


def test_open_demo_is_not_a_signed_in_user():
    assert OPEN_DEMO.is_open_demo and not User("open-demo", ADMIN, created_at=datetime.now()).is_open_demo


def test_oidc_button_only_where_configured(db):
    add_user(db, "boss", LEADER, PASSWORD)
    at = _app().run()
    assert "使用单位统一身份认证登录" not in [b.label for b in at.button]
    at = _app()
    at.secrets["auth"] = {"client_id": "gsyf", "client_secret": "s", "redirect_uri": "https://x/oauth2callback",
                          "cookie_secret": "c", "server_metadata_url": "https://sso/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    if importlib.util.find_spec("authlib"):
        assert "使用单位统一身份认证登录" in [b.label for b in at.button]
    else:  # st.login needs Authlib: the page says so instead of offering a button that fails
        assert any("缺少 Authlib" in c.value for c in at.caption)


def test_cli_import_and_export_are_audited(db, tmp_path, monkeypatch, capsys):
    from importing_support import ENTERPRISE_HEADERS, csv_bytes, enterprise_rows

    src = tmp_path / "ent.csv"
    src.write_bytes(csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(4)))
    assert _cli(monkeypatch, capsys, ["import", "enterprise", str(src)])[0] == 0
    assert _cli(monkeypatch, capsys, ["export", "enterprise", "--out", str(tmp_path / "out.csv")])[0] == 0
    events = audit.read_audit(db)
    assert events[["action", "target", "rows"]].values.tolist() == [["export", "out.csv", 4], ["import", "ent.csv", 4]]
    assert all(u.startswith("cli") for u in events["user_name"])


def _signed_in(page: str | None, name: str) -> AppTest:
    at = _app()
    at.session_state["_auth_user"] = name
    at.session_state["_auth_seen"] = time.time()
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_audit_page_lists_and_filters_for_administrators_only(demo_db_url):
    store = Store(demo_db_url)
    store.create_schema()
    add_user(store, "adm", ADMIN, PASSWORD)
    add_user(store, "tn", OFFICER, PASSWORD, unit="320402")
    audit.record(store, "tn", "export", "企业清单_天宁.csv", 321)
    at = _signed_in("views/audit.py", "adm")
    table = at.dataframe[0].value
    assert {"时间", "用户", "操作", "对象", "行数"} <= set(table.columns)
    row = table[table["操作"] == "导出/下载"].iloc[0]
    assert (row["用户"], row["对象"], row["行数"]) == ("tn", "企业清单_天宁.csv", 321)
    at.selectbox(key="audit_action").set_value("user_add")
    at.run()
    assert set(at.dataframe[0].value["操作"]) == {"新增账号"}
    assert set(at.dataframe[1].value["用户名"]) == {"adm", "tn"}  # the accounts, no hashes
    assert not any("argon2" in str(v) for v in at.dataframe[1].value.to_numpy().ravel())
    # Not in an officer's menu; an officer who runs the page anyway is refused, and recorded.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        _signed_in("views/audit.py", "tn")
    at = AppTest.from_file(str(APP.parent / "views" / "audit.py"), default_timeout=120)
    at.session_state["_auth_user"] = "tn"
    at.session_state["_auth_seen"] = time.time()
    at.run()
    assert any("无权" in e.value for e in at.error) and not at.dataframe
    assert audit.read_audit(store, user="tn", action="denied")["target"].tolist() == ["audit"]
    store.engine.dispose()


def test_a_disabled_account_is_signed_out_at_its_next_page_load(demo_db_url):
    store = Store(demo_db_url)
    store.create_schema()
    add_user(store, "boss", LEADER, PASSWORD)
    at = _signed_in(None, "boss")
    assert any("当前用户：**boss**" in c.value for c in at.sidebar.caption)
    set_disabled(store, "boss")
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert any("已停用" in i.value for i in at.info)
    store.engine.dispose()
