"""Settings, read from the environment (one place)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_DIR / "data" / "gsyf.sqlite"


def db_url() -> str:
    """The store's SQLAlchemy URL: ``GSYF_DB_URL``, else the embedded SQLite file."""
    return os.environ.get("GSYF_DB_URL") or f"sqlite:///{DEFAULT_DB_PATH}"


def tianditu_key() -> str | None:
    return os.environ.get("GSYF_TIANDITU_KEY") or None


def amap_key() -> str | None:
    return os.environ.get("GSYF_AMAP_KEY") or None
