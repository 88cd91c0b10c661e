"""Chinese for the texts Streamlit's own widgets show in English.

Streamlit has no locale setting: its placeholders ("Choose an option"), tooltips, screen-reader
labels, dataframe toolbar, file-uploader texts and dialogs are English. ``views/zh_ui.js``
replaces those known strings (and nothing from the data) in the browser; app.py installs it
on every page, the sign-in page included.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

_SCRIPT = Path(__file__).with_name("zh_ui.js")


@cache
def _script() -> str:
    return _SCRIPT.read_text(encoding="utf-8")


def install_chinese_ui() -> None:
    """Run the translation script in the page (once per tab; it keeps watching)."""
    st.html(f"<script>{_script()}</script>", unsafe_allow_javascript=True)
