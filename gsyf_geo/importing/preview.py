"""What the import page shows, computed here so the page stays thin (and testable).

:func:`preview_table` gives the first rows of a file as the user wrote them with a 问题
column, and a pandas Styler that shades cells with errors red and with notes yellow (the
page keeps a :class:`FilePreview`, made block by block in bounded memory by
:func:`gsyf_geo.importing.blocks.preview_blocks`);
:func:`history_table` the import records, newest first, with Chinese headers.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Container, Sequence
from dataclasses import dataclass, field

import pandas as pd

from gsyf_geo.crs import SUPPORTED_SYSTEMS
from gsyf_geo.importing import schema as S
from gsyf_geo.importing.load import STATUS_NAMES, Prepared
from gsyf_geo.importing.problems import ERROR, Problem
from gsyf_geo.importing.readers import cell_text
from gsyf_geo.store import Store

PREVIEW_ROWS = 100
PREVIEW_CHARS = 200  # characters of a cell shown in the preview
ERROR_STYLE = "background-color: #f8d7da; color: #842029"
WARNING_STYLE = "background-color: #fff3cd"
ROW_COLUMN = "行号"
PROBLEM_COLUMN = "问题"

CRS_LABELS: dict[str, str] = {
    "wgs84": "WGS-84（GPS、天地图）",
    "gcj02": "GCJ-02（高德、腾讯）",
    "bd09": "BD-09（百度）",
}
assert set(CRS_LABELS) == set(SUPPORTED_SYSTEMS)


def kind_title(kind: str) -> str:
    """Chinese name of a kind (``"demo"`` → 演示数据)."""
    if kind == "demo":
        return "演示数据"
    spec = S.KIND_SPECS.get(kind)
    return spec.title if spec else kind


def _unique_headers(cells: list[object]) -> list[str]:
    out: list[str] = []
    for i, c in enumerate(cells):
        name = cell_text(c).strip() or f"（第 {i + 1} 列）"
        while name in out:
            name += "′"
        out.append(name)
    return out


@dataclass
class FilePreview:
    """What the import page shows of a file before it is imported, small whatever the file.

    Made by :func:`gsyf_geo.importing.blocks.preview_blocks`, which checks the file block by
    block as the import does, without writing: the counts, the problem list (capped at
    ``max_problems``, ``omitted`` counting the rest by level) and the preview rows
    (:func:`preview_table`'s ``table`` and ``css``, at most ``PREVIEW_ROWS`` rows).
    ``inserted``, ``updated`` and ``unchanged`` count the rows without errors.
    """

    kind: str
    file_name: str
    sha256: str
    crs: str
    readable: bool
    table: pd.DataFrame
    css: pd.DataFrame
    file_format: str | None = None
    problems: list[Problem] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    bad: int = 0
    good: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def preview_table(prep: Prepared | FilePreview, limit: int = PREVIEW_ROWS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first ``limit`` data rows as written, with their problems, and their cell styles.

    Rows with errors come first when there are more rows than ``limit``, so that the
    problems are on screen. A :class:`FilePreview` carries its table already (its rows
    were chosen when it was made, ``limit`` does not apply).

    Returns
    -------
    (table, css)
        ``table`` is indexed by spreadsheet row number (``行号``) with a ``问题`` column
        first, then the file's columns; ``css`` (same shape) holds :data:`ERROR_STYLE` or
        :data:`WARNING_STYLE` for cells with problems. See :func:`styled`.
    """
    if isinstance(prep, FilePreview):
        return prep.table, prep.css
    parsed = prep.parsed
    if parsed is None:
        return unreadable_table(prep.problems)
    field_of = {i: f for f, i in parsed.header.columns.items()}
    width = len(parsed.header.cells)

    def cells_of(n: int) -> list[object]:
        cells = parsed.raw.get(n)
        if cells is None:  # not kept as written: the values as read
            values = parsed.values.loc[n]
            cells = [values.get(field_of[i]) if i in field_of else None for i in range(width)]
        return cells

    numbers = choose_rows(parsed.values.index[:limit].tolist(), len(parsed.values), parsed.bad_rows,
                          parsed.raw, limit)  # fmt: skip
    return rows_table(parsed.header.cells, numbers, cells_of, prep.problems, parsed.bad_rows)


def unreadable_table(problems: list[Problem]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The preview of a file that cannot be read: its problems, one a row."""
    empty = pd.DataFrame({PROBLEM_COLUMN: [str(p) for p in problems]})
    return empty, pd.DataFrame("", index=empty.index, columns=empty.columns)


def choose_rows(
    first: Sequence[int], total: int, bad_rows: Collection[int], as_written: Container[int], limit: int
) -> list[int]:
    """The row numbers a preview shows: every row when there are no more than ``limit``;
    otherwise the rows with errors first (those kept as written before the others, each in
    row order), then the first rows of the file, ``limit`` in all, in row order.

    ``first``: the first ``limit`` row numbers of the file (all of them when ``total`` is
    not more); ``total``: its data rows.
    """
    if total <= limit:
        return list(first)
    chosen = set(heapq.nsmallest(limit, bad_rows, key=lambda n: (n not in as_written, n)))
    for n in first:
        if len(chosen) >= limit:
            break
        chosen.add(n)
    return sorted(chosen)


def rows_table(
    header_cells: list[object],
    numbers: list[int],
    cells_of: Callable[[int], list[object]],
    problems: list[Problem],
    bad_rows: Container[int],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The preview table of rows ``numbers`` (``cells_of(n)``: a row's cells) and its styles
    (see :func:`preview_table`)."""
    headers = _unique_headers(header_cells)
    by_row: dict[int, list[str]] = {}
    levels: dict[tuple[int, str], str] = {}
    for p in problems:
        if p.row is None:
            continue
        by_row.setdefault(p.row, []).append((f"{p.column}：" if p.column else "") + p.message)
        if p.column:
            key = (p.row, p.column)
            if levels.get(key) != ERROR:
                levels[key] = p.level
    records = []
    for n in numbers:
        cells = cells_of(n)
        rec = {h: _shown(cells[i]) if i < len(cells) else "" for i, h in enumerate(headers)}
        rec[PROBLEM_COLUMN] = "；".join(by_row.get(n, []))
        records.append(rec)
    frame = pd.DataFrame.from_records(records, index=pd.Index(numbers, name=ROW_COLUMN),
                                      columns=[PROBLEM_COLUMN, *headers])  # fmt: skip
    header_text = [cell_text(c).strip() for c in header_cells]
    css = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for (row, column), level in levels.items():
        if row in css.index and column in header_text:
            target = headers[header_text.index(column)]
            css.at[row, target] = ERROR_STYLE if level == ERROR else WARNING_STYLE
    for row in css.index:
        if row in bad_rows:
            css.at[row, PROBLEM_COLUMN] = ERROR_STYLE
        elif by_row.get(row):
            css.at[row, PROBLEM_COLUMN] = WARNING_STYLE
    return frame, css


def _shown(value: object) -> str:
    text = cell_text(value)
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


def styled(table: pd.DataFrame, css: pd.DataFrame) -> pd.io.formats.style.Styler:
    """The preview with its problem cells shaded (a pandas Styler for ``st.dataframe``)."""
    return table.style.apply(lambda _: css, axis=None)


def history_table(store: Store, limit: int = 200) -> pd.DataFrame:
    """The import records (``import_batch``), newest first, with Chinese headers."""
    batches = store.batches()
    columns = ["开始时间", "数据类型", "文件", "操作人", "读取", "新增", "更新", "拒绝", "结果", "说明", "SHA-256"]
    if batches.empty:
        return pd.DataFrame(columns=columns)
    b = batches.sort_values(["started_at", "id"], ascending=False).head(limit)
    return pd.DataFrame(
        {
            "开始时间": pd.to_datetime(b["started_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "数据类型": [kind_title(k) for k in b["kind"]],
            "文件": b["file_name"].fillna(""),
            "操作人": b["user_name"].fillna(""),
            "读取": b["rows_read"].astype(int),
            "新增": b["inserted"].astype(int),
            "更新": b["updated"].astype(int),
            "拒绝": b["rejected"].astype(int),
            "结果": [STATUS_NAMES.get(s, s) for s in b["status"]],
            "说明": b["note"].fillna(""),
            "SHA-256": b["file_sha256"].fillna("").str[:12],
        }
    ).reset_index(drop=True)


def problem_counts(prep: Prepared | FilePreview) -> tuple[int, int, int]:
    """(rows read, rows with errors, notes listed) of a prepared or previewed file."""
    warnings_ = sum(1 for p in prep.problems if p.level != ERROR)
    bad = prep.bad if isinstance(prep, FilePreview) else len(prep.bad_rows)
    return prep.rows_read, bad, warnings_
