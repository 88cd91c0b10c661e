"""Chart and table images for meetings (matplotlib, CJK font; no Streamlit).

- :func:`trend_figure` — one target's values by year with the target line (the final
  requirement as applied, :attr:`Assessment.required`), the expected path, the milestones,
  the year-to-date point and the verdict in the title (in its status colour);
- :func:`overview_figure` — the targets overview (指标, 当前值, 目标, 期限, 状态) as a
  table picture, status cells coloured;
- :func:`matrix_figure` — the final-evaluation matrix (targets × units) as a picture;
- :func:`chart_file_name` — Chinese file names: ``工伤事故发生率_全市_2020-2025.png``.

Titles sit in reserved space at the top of the figure (``fig.text`` at a fixed offset in
inches), so their characters are never clipped. Numbers on charts follow the same
definitions as the targets page (:mod:`gsyf_geo.monitor.evaluation`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import pandas as pd

from gsyf_geo.monitor.evaluation import (
    YTD_SERIES,
    TargetResult,
    final_tables,
    overview_table,
    trend_frame,
)
from gsyf_geo.monitor.status import NOT_SPLIT, STATUS_COLORS
from gsyf_geo.plan import RATIO_UNIT, Plan
from gsyf_geo.printing.fonts import use_cjk_font
from gsyf_geo.printing.mapimage import figure_bytes

SLIDE_W = 4000 / 300  # a 16:9 slide's width in inches (13.333)
TEXT = "#1d2b3a"
ACTUAL = "#1f77b4"
PATH = "#999999"
MILESTONE = "#d62728"
TARGET_LINE = "#1a9850"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def scope_name(result: TargetResult) -> str:
    """``"全市"`` or the scope's label (``"武进区"``)."""
    return "全市" if result.scope.kind == "city" else result.scope.label


def chart_file_name(result: TargetResult, ext: str = "png", title: str | None = None) -> str:
    """``"工伤事故发生率_全市_2020-2025.png"``: metric (or ``title``), scope and years; characters
    Windows refuses in file names are replaced by ``_``."""
    years = result.values.years
    name = title or result.info.name
    stem = f"{name}_{scope_name(result)}_{years[0]}-{years[-1]}"
    return f"{_UNSAFE.sub('_', stem)}.{ext}"


def _scale(result: TargetResult) -> float:
    return 100.0 if result.info.unit == RATIO_UNIT else 1.0


def _y_title(result: TargetResult) -> str:
    return "%" if result.info.unit == RATIO_UNIT else result.info.unit


def trend_figure(result: TargetResult, plan: Plan, size: tuple[float, float] = (8.0, 4.5)):
    """The trend of one target with its target line and verdict (see the module docstring).

    Call inside :func:`gsyf_geo.printing.fonts.use_cjk_font`.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    top_in = 0.85  # reserved for the title and subtitle, in inches
    ax = fig.add_axes([0.09, 0.12, 0.68, 1 - 0.12 - top_in / size[1]])
    frame = trend_frame(result, plan)
    scale = _scale(result)
    actual = frame[(frame["系列"] == "实际值") & frame["数值"].notna()]
    path = frame[frame["系列"] == "应达进度"]
    marks = frame[frame["系列"] == "里程碑"]
    ytd = frame[frame["系列"] == YTD_SERIES]
    if len(path):
        ax.plot(path["年份"], path["数值"], ls="--", color=PATH, lw=1.4, label="应达进度")
    if len(actual):
        ax.plot(actual["年份"], actual["数值"], marker="o", color=ACTUAL, lw=2.2, label="实际值")
        for x, y in zip(actual["年份"], actual["数值"], strict=True):
            ax.annotate(f"{y:,.1f}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center",
                        fontsize=8, color=ACTUAL)  # fmt: skip
    if len(marks):
        ax.scatter(marks["年份"], marks["数值"], marker="D", s=50, color=MILESTONE, zorder=5, label="里程碑")
    if len(ytd):
        ax.scatter(ytd["年份"], ytd["数值"], s=60, facecolor="white", edgecolor=ACTUAL, lw=2, zorder=5,
                   label=f"年内累计（{ytd['标注'].iloc[0]}，不作评价）")  # fmt: skip
    required = result.city.required
    if required is not None and result.city.status != NOT_SPLIT:
        ax.axhline(required * scale, color=TARGET_LINE, lw=1.6, ls="-", label="目标要求")
        ax.annotate(f"目标 {required * scale:,.1f}{_y_title(result) if scale != 1 else ''}",
                    (1.0, required * scale), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8.5, color=TARGET_LINE)  # fmt: skip
    years = list(result.values.years)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    ax.set_xlim(years[0] - 0.4, years[-1] + 0.4)
    ax.set_ylabel(_y_title(result))
    ax.grid(axis="y", color="#e4e7eb", lw=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.1, 1.0), frameon=False, fontsize=8.5)
    status = result.city.status
    title = f"{result.target.name}（{scope_name(result)} {years[0]}–{years[-1]}年）"
    fig.text(0.02, 1 - 0.12 / size[1], title, fontsize=13, fontweight="bold", va="top", color=TEXT)
    fig.text(0.02, 1 - 0.5 / size[1], f"评价：{status}", fontsize=10.5, fontweight="bold", va="top",
             color="white", bbox={"boxstyle": "round,pad=0.3", "fc": STATUS_COLORS.get(status, "#969696"),
                                  "ec": "none"})  # fmt: skip
    reason = textwrap.shorten(result.city.reason or "", width=60, placeholder="…")
    fig.text(0.18, 1 - 0.5 / size[1], reason, fontsize=8.5, va="top", color="#52606d")
    return fig


def trend_png(result: TargetResult, plan: Plan, dpi: int = 200) -> bytes:
    """:func:`trend_figure` as PNG bytes."""
    with use_cjk_font():
        return figure_bytes(trend_figure(result, plan), "png", dpi)


def _wrap(text: object, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width=width)) or ""


LINE_IN = 0.2
"""Height of one text line in a table cell (inches, at about 9 pt)."""
TITLE_BAND_IN = 0.85


def table_figure(
    df: pd.DataFrame, title: str, *, status_columns: Sequence[str] = (), widths: Sequence[float] | None = None,
    wrap: Sequence[int] | None = None, size: tuple[float, float] | None = (SLIDE_W, 7.5), font_size: float = 9.5,
    subtitle: str = "",
):
    """A table as a figure: header row shaded, cells of ``status_columns`` in their status
    colour (white bold text). ``widths`` are relative column widths, ``wrap`` characters per
    line for each column (CJK counts one each). With ``size=None`` the figure is 13.333 in
    wide and as tall as the table needs."""
    from matplotlib.figure import Figure

    cols = list(df.columns)
    wrap = list(wrap) if wrap else [24] * len(cols)
    cells = [[_wrap(v, w) for v, w in zip(row, wrap, strict=True)] for row in df.itertuples(index=False)]
    lines = [max(c.count("\n") + 1 for c in row) for row in cells]
    heights = [1.3] + [n + 0.5 for n in lines]
    need_in = sum(heights) * LINE_IN
    if size is None:
        size = (SLIDE_W, TITLE_BAND_IN + need_in + 0.25)
    fig = Figure(figsize=size)
    fig.text(0.02, 1 - 0.15 / size[1], title, fontsize=16, fontweight="bold", va="top", color=TEXT)
    if subtitle:
        fig.text(0.02, 1 - 0.55 / size[1], subtitle, fontsize=9.5, va="top", color="#52606d")
    top = 1 - TITLE_BAND_IN / size[1]
    height = min(top - 0.02, need_in / size[1])
    ax = fig.add_axes([0.02, top - height, 0.96, height])
    ax.set_axis_off()
    widths = list(widths) if widths else [1.0] * len(cols)
    norm = [w / sum(widths) for w in widths]
    table = ax.table(cellText=cells or None, colLabels=cols, colWidths=norm, cellLoc="left", bbox=[0, 0, 1, 1])
    table.auto_set_font_size(False)
    table.set_fontsize(font_size)
    status_idx = {cols.index(c) for c in status_columns if c in cols}
    unit = 1 / sum(heights)
    for (r, c), cell in table.get_celld().items():
        cell.set_height(heights[r] * unit)
        cell.set_edgecolor("#c8ced6")
        cell.set_linewidth(0.5)
        if r == 0:
            cell.set_facecolor("#dce7f3")
            cell.get_text().set_fontweight("bold")
        elif c in status_idx:
            status = cells[r - 1][c]
            cell.set_facecolor(STATUS_COLORS.get(status, "white"))
            cell.get_text().set_color("white" if status in STATUS_COLORS else TEXT)
            cell.get_text().set_fontweight("bold")
            cell.get_text().set_ha("center")
    return fig


def overview_frame(results: Sequence[TargetResult], plan: Plan) -> pd.DataFrame:
    """The overview's columns for a picture: 指标, 当前值, 目标, 期限, 状态."""
    table = overview_table(results, plan)
    return table[["指标", "当前值", "目标", "期限", "状态"]]


OVERVIEW_LAYOUT = {"widths": [3.2, 2.6, 2.6, 1.4, 0.9], "wrap": [26, 22, 22, 12, 6]}


def overview_figure(
    results: Sequence[TargetResult], plan: Plan, title: str, rows: slice | None = None,
    size: tuple[float, float] | None = (SLIDE_W, 7.5), subtitle: str = "",
):
    """The targets overview as a table picture (``rows`` selects part of it)."""
    df = overview_frame(results, plan)
    if rows is not None:
        df = df.iloc[rows]
    return table_figure(df, title, status_columns=["状态"], size=size, subtitle=subtitle, **OVERVIEW_LAYOUT)


def matrix_figure(
    results: Sequence[TargetResult], plan: Plan, title: str, size: tuple[float, float] | None = None,
    subtitle: str = "",
):
    """The final-evaluation matrix (targets × units, statuses) as a table picture."""
    matrix = final_tables(results, plan)["分区汇总"]
    units = [c for c in matrix.columns if c != "指标"]
    return table_figure(matrix, title, status_columns=units, widths=[3.0] + [1.0] * len(units),
                        wrap=[26] + [6] * len(units), font_size=8.5, size=size, subtitle=subtitle)  # fmt: skip


def overview_png(results: Sequence[TargetResult], plan: Plan, title: str, subtitle: str = "", dpi: int = 200) -> bytes:
    """The whole targets overview as one PNG (as tall as its rows need)."""
    with use_cjk_font():
        return figure_bytes(overview_figure(results, plan, title, size=None, subtitle=subtitle), "png", dpi)


def matrix_png(results: Sequence[TargetResult], plan: Plan, title: str, subtitle: str = "", dpi: int = 200) -> bytes:
    """The final-evaluation matrix as one PNG."""
    with use_cjk_font():
        return figure_bytes(matrix_figure(results, plan, title, subtitle=subtitle), "png", dpi)
