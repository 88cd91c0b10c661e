"""Start the Streamlit app on a free port and drive it with headless Debian Chromium.

Used by the browser tests and by the benchmarks: both need the real app, a real browser,
a record of every request, and no network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM = os.environ.get("GSYF_CHROMIUM", "/usr/bin/chromium")
# Flags that keep Chromium quiet with no network (no background calls home).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def streamlit_app(
    db_url: str,
    log_path: Path,
    script: str = "app.py",
    timeout_s: float = 120,
    env: dict | None = None,
    unset: Iterable[str] = (),
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``streamlit run script`` against ``db_url``; yield (base URL, process).

    ``env`` adds to this process's environment; the variables named in ``unset`` are removed.
    """
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    environ.update(GSYF_DB_URL=db_url, PYTHONUNBUFFERED="1", **(env or {}))
    for var in ("GSYF_TIANDITU_KEY", *unset):
        environ.pop(var, None)
    log = Path(log_path).open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError(f"streamlit did not start:\n{Path(log_path).read_text()}")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def streamlit_app_or_fail(
    db_url: str, log_path: Path, **kwargs
) -> Iterator[tuple[str, subprocess.Popen]]:
    """:func:`streamlit_app` for a pytest fixture: a server that does not start fails the
    test with its log instead of raising ``RuntimeError``."""
    import pytest

    with ExitStack() as stack:
        try:
            started = stack.enter_context(streamlit_app(db_url, log_path, **kwargs))
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield started


def outside_requests(urls: list[str]) -> list[str]:
    """The URLs that would leave the machine."""
    return [
        u for u in urls
        if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).hostname not in LOCAL_HOSTS
    ]  # fmt: skip


def folium_frame(page, timeout_s: float = 60, containing: str | None = None):
    """The streamlit-folium iframe of a page (with ``containing``: the first one in which
    that CSS selector matches)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url and (containing is None or _has(frame, containing)):
                return frame
        page.wait_for_timeout(100)
    what = "streamlit-folium iframe" + (f" containing {containing!r}" if containing else "")
    raise AssertionError(f"no {what}; frames: {[f.url for f in page.frames]}")


def _has(frame, selector: str) -> bool:
    try:
        return frame.locator(selector).count() > 0
    except Exception:  # noqa: BLE001 - the frame is still loading or was replaced
        return False


def wait_idle(page, timeout_ms: int = 90_000) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout_ms)
