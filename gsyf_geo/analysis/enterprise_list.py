"""The officer's enterprise list: its orders, its page sentence, and its export.

The list is sorted over every filtered enterprise before the page keeps the first
:data:`PAGE_ROWS` (:func:`sort_enterprises`), and its export names every filter in its title
and file name (:func:`list_title`, :func:`list_file_stem`) and sets Excel number formats
(:func:`list_export`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from gsyf_geo.analysis.filters import FilteredView, MapState
from gsyf_geo.analysis.risk import RISK_GRADE_BY_ID
from gsyf_geo.domain import KEY_INDUSTRY_BY_ID, SIZE_CLASSES

PAGE_ROWS = 1_000  # rows the page shows; exports hold every row

LIST_SORTS: dict[str, str] = {
    "gap": "参保缺口",
    "untrained": "未培训人数",
    "insurance_rate": "参保率",
    "grade": "风险等级",
    "injuries": "工伤人数",
    "name": "单位名称",
}
"""Orders of the enterprise list (id → the Chinese name of the key)."""
LIST_SORT_NOTES: dict[str, str] = {
    "gap": "缺口大的在前",
    "untrained": "未培训多的在前",
    "insurance_rate": "参保率低的在前",
    "grade": "风险高的在前",
    "injuries": "工伤多的在前",
    "name": "按名称",
}
"""Which end of each order comes first, in words."""
_GRADE_RANK = {g: i for i, g in enumerate(RISK_GRADE_BY_ID)}  # red first
LONG_LIST = 3  # more than this many towns/industries: "湖塘镇等 5 个乡镇" in a file name


def untrained_staff(ent: pd.DataFrame, year: int) -> pd.Series:
    """Key-position staff not trained by the end of ``year`` (0 when an enterprise has none)."""
    trained = ent.get(f"trained_{year}")
    trained = trained.fillna(0) if trained is not None else 0
    return (ent["key_staff"].fillna(0) - trained).clip(lower=0)


def sort_enterprises(ent: pd.DataFrame, sort: str, year: int) -> pd.DataFrame:
    """All of ``ent`` in the list's order ``sort`` (:data:`LIST_SORTS`), with ``untrained``.

    The whole filtered frame is sorted, so the first rows of the result are the first of
    every row (a page limit comes after). Larger gaps, more untrained staff, lower insurance
    rates, higher risk grades and more injuries come first; names in code-point order. Ties
    fall to the larger gap, then more untrained staff, then the credit code, so the order is
    the same on every run. Rows without a value for the key (no employees: no rate) go last.

    Parameters
    ----------
    ent
        Enterprises of a :class:`FilteredView` (``gap``, ``key_staff``, ``grade``,
        ``risk_points``, ``injuries_window``, ``insured``, ``employees``, ``name``).
    sort
        A key of :data:`LIST_SORTS`; anything else sorts by gap.
    year
        The last chosen year (training counts by its end).
    """
    out = ent.assign(untrained=untrained_staff(ent, year))
    emp = out["employees"].astype(float)
    keys: list[tuple[str, bool]]
    if sort == "untrained":
        keys = [("untrained", False), ("gap", False)]
    elif sort == "insurance_rate":
        out["_key"] = out["insured"].astype(float) / emp.where(emp > 0)
        keys = [("_key", True), ("gap", False)]
    elif sort == "grade":
        out["_key"] = out["grade"].map(_GRADE_RANK).astype(float)
        keys = [("_key", True), ("risk_points", False), ("gap", False)]
    elif sort == "injuries":
        keys = [("injuries_window", False), ("gap", False)]
    elif sort == "name":
        out["_key"] = out["name"].fillna("").astype(str)
        keys = [("_key", True)]
    else:
        keys = [("gap", False)]
    keys += [("gap", False), ("untrained", False), ("credit_code", True)]
    seen: dict[str, bool] = {}
    for col, asc in keys:
        seen.setdefault(col, asc)
    out = out.sort_values(list(seen), ascending=list(seen.values()), na_position="last", kind="mergesort")
    return out.drop(columns="_key", errors="ignore")


def list_sentence(sort: str, total: int, shown: int) -> str:
    """What the on-page list holds, e.g. "按未培训人数排序，显示前 1,000 家，共 6,003 家；导出文件包含全部"."""
    order = f"按{LIST_SORTS.get(sort, LIST_SORTS['gap'])}排序"
    if shown < total:
        return f"{order}，显示前 {shown:,} 家，共 {total:,} 家；导出文件包含全部"
    return f"{order}，共 {total:,} 家"


def period_words(years: tuple[int, int]) -> str:
    """"2025年" for one year, "2023–2025年" for a range."""
    a, b = years
    return f"{a}年" if a == b else f"{a}–{b}年"


def filter_parts(state: MapState, years: tuple[int, int], sort: str | None = None) -> list[tuple[str, list[str]]]:
    """The filters of ``state`` as (what, values) in Chinese, in the sidebar's order.

    Only the filters that narrow the list appear (towns, industries, sizes, risk grades);
    the years, and the order when ``sort`` is given, always do.
    """
    from gsyf_geo.geography import towns

    parts: list[tuple[str, list[str]]] = []
    if state.towns:
        names = dict(zip(towns()["code"], towns()["name"], strict=True))
        parts.append(("乡镇", [names.get(t, t) for t in state.towns]))
    if state.industries:
        parts.append(("重点行业", [KEY_INDUSTRY_BY_ID[k].name for k in state.industries if k in KEY_INDUSTRY_BY_ID]))
    if state.sizes:
        size_names = {s.id: s.name for s in SIZE_CLASSES}
        parts.append(("规模", [size_names[s] for s in state.sizes if s in size_names]))
    if state.grades:
        parts.append(("风险等级", [RISK_GRADE_BY_ID[g].name for g in state.grades if g in RISK_GRADE_BY_ID]))
    parts.append(("年份", [period_words(years)]))
    if sort is not None:
        parts.append(("排序", [f"按{LIST_SORTS.get(sort, LIST_SORTS['gap'])}排序"]))
    return parts


def filter_words(state: MapState, years: tuple[int, int], sort: str | None = None) -> list[str]:
    """:func:`filter_parts` as phrases: "乡镇：湖塘镇、牛塘镇", "年份：2025年", …"""
    return [f"{what}：{'、'.join(values)}" for what, values in filter_parts(state, years, sort)]


def list_title(scope_label: str, state: MapState, years: tuple[int, int], sort: str, total: int) -> str:
    """The export's title: the unit, every filter and the order, and how many enterprises.

    E.g. "武进区 重点行业企业清单（乡镇：湖塘镇、牛塘镇；风险等级：红（重大风险）；年份：2025年；
    排序：按未培训人数排序；共 312 家）".
    """
    words = "；".join(filter_words(state, years, sort))
    return f"{scope_label} 重点行业企业清单（{words}；共 {total:,} 家）"


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def list_file_stem(
    scope_label: str, state: MapState, years: tuple[int, int], sort: str | None, *, prefix: str = "企业清单"
) -> str:
    """The export's file name without extension, carrying every filter and the order.

    E.g. "企业清单_武进区_湖塘镇+牛塘镇_红（重大风险）_2025年_按未培训人数排序". More than
    :data:`LONG_LIST` towns or industries read "湖塘镇等5个乡镇"; characters a file system
    refuses are dropped. ``sort`` None leaves the order out (lists in a fixed order);
    ``prefix`` names the list.
    """
    pieces = [prefix, scope_label]
    counters = {"乡镇": "个乡镇", "重点行业": "个行业", "规模": "种规模", "风险等级": "个风险等级"}
    for what, values in filter_parts(state, years, sort):
        if len(values) > LONG_LIST and what in counters:
            pieces.append(f"{values[0]}等{len(values)}{counters[what]}")
        else:
            pieces.append("+".join(values))
    stem = "_".join(_UNSAFE_NAME.sub("", p).strip() for p in pieces if p)
    return stem.replace(" ", "")


def list_formats(columns: pd.Index | list[str]) -> dict[str, str]:
    """Excel number formats of the list's columns: 参保率 as a percentage (0.0%), counts
    with thousands separators (#,##0), coordinates with six decimals."""
    from gsyf_geo.tabular import PERCENT_FORMAT, THOUSANDS_FORMAT

    counts = ("职工人数", "参保人数", "参保缺口（人）", "重要岗位人员", "未培训人数")
    out: dict[str, str] = {}
    for name in columns:
        if name == "参保率":
            out[name] = PERCENT_FORMAT
        elif name in counts or str(name).startswith("工伤人数"):
            out[name] = THOUSANDS_FORMAT
        elif name in ("经度", "纬度"):
            out[name] = "0.000000"
    return out


@dataclass(frozen=True)
class ListExport:
    """The export of a list: its table in the list's order, title and file name."""

    frame: pd.DataFrame
    title: str
    stem: str
    note: str

    def xlsx(self) -> bytes:
        """The workbook: title and note above the table, number formats set."""
        from gsyf_geo.tabular import to_xlsx_bytes

        return to_xlsx_bytes(self.frame, "企业清单", self.note, formats=list_formats(self.frame.columns),
                             title=self.title)  # fmt: skip

    def csv(self) -> bytes:
        """The table as CSV (UTF-8 with BOM); the file name carries the filters."""
        from gsyf_geo.tabular import to_csv_bytes

        return to_csv_bytes(self.frame)


def list_export(view: FilteredView, state: MapState, scope_label: str, sort: str, *, note: str = "") -> ListExport:
    """Every enterprise of ``view`` in the order ``sort``, named by ``state``'s filters.

    Parameters
    ----------
    view
        The filtered enterprises.
    state
        The filters that made ``view`` (named in the title and the file name).
    scope_label
        The unit shown, in words ("武进区", "全市").
    sort
        A key of :data:`LIST_SORTS`.
    note
        A line under the title (data source, demo label).
    """
    from gsyf_geo.analysis.indicators import enterprise_table

    frame = enterprise_table(view, sort=sort)
    return ListExport(
        frame=frame,
        title=list_title(scope_label, state, view.years, sort, len(frame)),
        stem=list_file_stem(scope_label, state, view.years, sort),
        note=note,
    )
