"""A CJK font for matplotlib, found on the machine (nothing is downloaded).

:func:`cjk_font` returns the first installed family of :data:`CJK_FAMILIES`; without any it
raises :class:`CjkFontMissing` whose message says, in Chinese, how to install one — never
a figure of empty boxes. :func:`use_cjk_font` sets it as matplotlib's sans-serif font.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "Noto Sans CJK JP", "Source Han Sans", "Microsoft YaHei", "SimHei", "PingFang SC",
    "Hiragino Sans GB", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
)  # fmt: skip
"""Families tried in order (simplified-Chinese faces first)."""

INSTALL_HINT = (
    "未找到可显示中文的字体，无法生成图片（否则中文会显示为方框）。请安装中文字体后重试："
    "Debian/Ubuntu 运行 `sudo apt-get install fonts-noto-cjk`；CentOS/麒麟等运行 "
    "`sudo yum install google-noto-sans-cjk-ttc-fonts`；Windows 自带“微软雅黑”。"
    "安装后删除 matplotlib 字体缓存（~/.cache/matplotlib）再运行。"
)

# Tests set this to pretend no CJK font is installed.
_DISABLE_ENV = "GSYF_NO_CJK_FONT"


class CjkFontMissing(RuntimeError):
    """No CJK font is installed; the message says how to install one."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def cjk_font() -> str:
    """The family name of an installed CJK font.

    Raises
    ------
    CjkFontMissing
        When none of :data:`CJK_FAMILIES` is installed.
    """
    from matplotlib import font_manager

    if os.environ.get(_DISABLE_ENV):
        raise CjkFontMissing()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise CjkFontMissing()


def rc_params() -> dict[str, object]:
    """matplotlib settings for Chinese text: the CJK font, a real minus sign, embedded
    TrueType in PDF (text stays text), text as text in SVG."""
    family = cjk_font()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "svg.fonttype": "path",  # SVG draws the same without the font installed
    }


@contextmanager
def use_cjk_font() -> Iterator[str]:
    """Draw with the CJK font inside the block (matplotlib's settings restored after).

    Yields
    ------
    str
        The family used.
    """
    import matplotlib

    params = rc_params()
    with matplotlib.rc_context(params):
        yield str(params["font.sans-serif"][0])  # type: ignore[index]
