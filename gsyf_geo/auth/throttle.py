"""Failed sign-ins counted per client address (beside the per-account lockout).

The per-account lockout (:mod:`gsyf_geo.auth.accounts`) stops guessing one account's
password; it does not stop one machine trying a few passwords on every account. So failed
sign-ins are also counted per client address: after ``GSYF_LOGIN_MAX_PER_ADDRESS`` failures
(default 20) within ``GSYF_LOGIN_WINDOW_MINUTES`` (default 15) that address may not try
again until the oldest failure leaves the window.

The client address is the connection's peer, or — when the peer is a trusted reverse proxy
(:func:`gsyf_geo.auth.session.trusted_proxies`) — the last address the proxy put in
``X-Forwarded-For``, so that one user's mistakes behind the proxy do not lock out everyone.
Counts live in the server process (a restart clears them); memory is bounded by
``MAX_ADDRESSES``.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Mapping

from gsyf_geo.auth.session import trusted_proxies

UNKNOWN = "unknown"
"""The address of a request without a peer (bare mode, AppTest): not counted; the
per-account lockout still applies."""

MAX_ADDRESSES = 10_000
"""At most this many addresses are remembered (the least recently failing are dropped)."""


def _int_env(name: str, default: int, env: Mapping[str, str] | None = None) -> int:
    raw = (os.environ if env is None else env).get(name, "").strip()
    return max(1, int(raw)) if raw.isdigit() else default


def client_address(headers: Mapping[str, str] | None, peer: str | None,
                   env: Mapping[str, str] | None = None) -> str:
    """The address failed sign-ins are counted under (``"unknown"`` without one)."""
    if not peer:
        return UNKNOWN
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return UNKNOWN
    if headers and any(address in net for net in trusted_proxies(env)):
        forwarded = (headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return str(address)


class SignInThrottle:
    """Failures per address in a sliding window; thread-safe (one per server process)."""

    def __init__(self, max_failures: int | None = None, window_minutes: int | None = None) -> None:
        self._max = max_failures
        self._window = window_minutes
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def max_failures(self) -> int:
        """Failures allowed per address in the window (the settings are read when used)."""
        return self._max or _int_env("GSYF_LOGIN_MAX_PER_ADDRESS", 20)

    @property
    def window_s(self) -> int:
        return 60 * (self._window or _int_env("GSYF_LOGIN_WINDOW_MINUTES", 15))

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.get(address, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def wait_seconds(self, address: str, now: float | None = None) -> int:
        """Seconds until ``address`` may try again (0: it may try now)."""
        if address == UNKNOWN:
            return 0
        now = time.time() if now is None else now
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(times[-self.max_failures] + self.window_s - now) + 1)

    def failed(self, address: str, now: float | None = None) -> None:
        """Count one failed sign-in from ``address``."""
        if address == UNKNOWN:
            return
        now = time.time() if now is None else now
        with self._lock:
            # Only the newest max_failures times matter: memory per address stays bounded.
            times = deque(self._recent(address, now), maxlen=self.max_failures)
            times.append(now)
            self._failures[address] = times
            self._failures.move_to_end(address)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)


THROTTLE = SignInThrottle()
"""The server process's counter (the sign-in page uses this one)."""
