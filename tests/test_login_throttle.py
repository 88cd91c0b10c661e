"""Failed sign-ins counted per client address (gsyf_geo.auth.throttle) and the sign-in page."""

from __future__ import annotations

from pathlib import Path

from gsyf_geo.auth.throttle import MAX_ADDRESSES, SignInThrottle, client_address


def test_an_address_is_stopped_at_the_limit_and_released_by_the_window():
    t = SignInThrottle(max_failures=3, window_minutes=10)
    for i in range(2):
        t.failed("10.0.0.5", now=1000 + i)
    assert t.wait_seconds("10.0.0.5", now=1002) == 0  # 2 of 3: may still try
    t.failed("10.0.0.5", now=1002)
    wait = t.wait_seconds("10.0.0.5", now=1003)
    assert 0 < wait <= 600  # 3 of 3: stopped until the first failure leaves the window
    assert t.wait_seconds("10.0.0.5", now=1000 + 600) == 0
    assert t.wait_seconds("10.0.0.6", now=1003) == 0  # other machines are not affected


def test_memory_stays_bounded():
    t = SignInThrottle(max_failures=2, window_minutes=10)
    for i in range(50):
        t.failed("10.0.0.5", now=1000 + i / 100)
    assert len(t._failures["10.0.0.5"]) == 2
    for i in range(MAX_ADDRESSES + 10):
        t.failed(f"addr{i}", now=1000)
    assert len(t._failures) == MAX_ADDRESSES


def test_the_client_behind_a_trusted_proxy_is_counted_not_the_proxy():
    env = {"GSYF_TRUSTED_PROXIES": "10.9.9.9"}
    headers = {"X-Forwarded-For": "1.2.3.4, 192.168.1.20"}
    assert client_address(headers, "10.9.9.9", env) == "192.168.1.20"
    # A forged header straight from a client is not believed.
    assert client_address(headers, "192.168.7.7", env) == "192.168.7.7"
    assert client_address({"X-Forwarded-For": "junk"}, "10.9.9.9", env) == "10.9.9.9"
    assert client_address({}, None, env) == "unknown"


def test_requests_without_an_address_are_not_counted():
    t = SignInThrottle(max_failures=1, window_minutes=10)
    for _ in range(5):
        t.failed("unknown", now=1000)
    assert t.wait_seconds("unknown", now=1001) == 0


def test_sign_in_page_stops_after_too_many_failures(demo_db_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from gsyf_geo.auth import throttle
    from gsyf_geo.auth.accounts import add_user
    from gsyf_geo.auth.audit import read_audit
    from gsyf_geo.store import Store

    monkeypatch.setattr(throttle, "THROTTLE", SignInThrottle(max_failures=2, window_minutes=10))
    # AppTest has no peer address (not counted); as if every try came from one machine.
    monkeypatch.setattr(throttle, "client_address", lambda headers, peer, env=None: "10.1.1.1")
    store = Store(demo_db_url)
    add_user(store, "adm", "admin", "correct-horse-battery-9")
    app = Path(__file__).resolve().parent.parent / "app.py"
    at = AppTest.from_file(str(app), default_timeout=120).run()
    for _ in range(2):
        at.text_input(key="login_name").input("adm")
        at.text_input(key="login_password").input("wrong-password")
        at.button[0].click().run()
        assert "用户名或密码错误" in " ".join(e.value for e in at.error)
    # Third try, even with the right password: this machine must wait.
    at.text_input(key="login_name").input("adm")
    at.text_input(key="login_password").input("correct-horse-battery-9")
    at.button[0].click().run()
    assert "登录失败次数过多" in " ".join(e.value for e in at.error)
    events = read_audit(store)
    assert events["detail"].astype(str).str.contains("同一地址登录失败次数过多").any()
    store.engine.dispose()
