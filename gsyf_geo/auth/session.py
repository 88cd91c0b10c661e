"""Session rules and the trusted-proxy sign-in (pure: the page passes headers, address, env).

- **Idle timeout**: a session with no page load for ``GSYF_SESSION_MINUTES`` minutes
  (default 30) is signed out at its next load and must sign in again.
- **Trusted proxy header**: a reverse proxy that has authenticated the user may pass the
  account name in ``X-Remote-User``. It is believed only when ``GSYF_TRUSTED_PROXY_HEADER=1``
  *and* the request comes straight from an address listed in ``GSYF_TRUSTED_PROXIES``
  (comma-separated addresses or networks, e.g. ``127.0.0.1,10.0.0.0/24``); nothing is
  trusted when the list is empty. The name must be an enabled account.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

SESSION_MINUTES = 30
PROXY_HEADER = "X-Remote-User"
PROXY_ENABLE_ENV = "GSYF_TRUSTED_PROXY_HEADER"
PROXIES_ENV = "GSYF_TRUSTED_PROXIES"


def session_minutes(env: Mapping[str, str] | None = None) -> int:
    """Idle minutes before a session ends (``GSYF_SESSION_MINUTES``, default 30, at least 1)."""
    raw = (os.environ if env is None else env).get("GSYF_SESSION_MINUTES", "")
    try:
        return max(1, int(raw)) if raw.strip() else SESSION_MINUTES
    except ValueError:
        return SESSION_MINUTES


def expired(last_seen: float | None, now: float, minutes: int) -> bool:
    """Whether a session last seen at ``last_seen`` (epoch seconds) has been idle too long."""
    return last_seen is None or now - last_seen > minutes * 60


def trusted_proxies(env: Mapping[str, str] | None = None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The networks of ``GSYF_TRUSTED_PROXIES`` (malformed entries are ignored)."""
    raw = (os.environ if env is None else env).get(PROXIES_ENV, "")
    out = []
    for part in raw.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            continue
    return out


def proxy_enabled(env: Mapping[str, str] | None = None) -> bool:
    return (os.environ if env is None else env).get(PROXY_ENABLE_ENV, "").strip() == "1"


def proxy_user(
    headers: Mapping[str, str] | None,
    remote_address: str | None,
    env: Mapping[str, str] | None = None,
) -> str | None:
    """The account name a trusted proxy vouches for, or None.

    Parameters
    ----------
    headers
        The request's headers (case-insensitive mapping, as ``st.context.headers``).
    remote_address
        The address the request came from (``st.context.ip_address``): the proxy's own.
    env
        Settings (default: the process environment).
    """
    if not proxy_enabled(env) or not headers or not remote_address:
        return None
    try:
        address = ipaddress.ip_address(remote_address)
    except ValueError:
        return None
    if not any(address in net for net in trusted_proxies(env)):
        return None
    value = headers.get(PROXY_HEADER) or ""
    value = value.strip()
    return value or None
