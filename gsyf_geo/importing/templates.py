"""Template files per importable kind: Chinese headers and one example row.

The XLSX template has the data sheet (required headers shaded red, code columns formatted
as text so that Excel keeps them as typed) and a 说明 sheet describing each column. The
CSV template is UTF-8 with BOM.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from gsyf_geo.importing import schema as S
from gsyf_geo.importing.export import to_csv_bytes, to_xlsx_bytes

FORMATS = ("xlsx", "csv")
TEMPLATE_ROWS = 2_000  # rows pre-formatted in the XLSX template (codes as text, dates as dates)


def _example(col: S.ColumnSpec) -> object:
    value = col.example
    if value in ("", None):
        return None
    if col.type == S.DATE:
        return date.fromisoformat(str(value))
    return value


def template_frame(kind: str) -> pd.DataFrame:
    """The template of ``kind``: its headers and one example row."""
    spec = S.kind_spec(kind)
    cols = spec.template_columns
    return pd.DataFrame([[_example(c) for c in cols]], columns=[c.header for c in cols], dtype=object)


def notes_frame(kind: str) -> pd.DataFrame:
    """One row per column: header, required, type, allowed values, aliases, note."""
    spec = S.kind_spec(kind)
    rows = []
    for c in spec.template_columns:
        rows.append({
            "列名": c.header,
            "必填": "是" if c.required else "",
            "类型": S.TYPE_NAMES[c.type],
            "可选值/范围": S.allowed_values(c),
            "也可写作": "、".join(c.aliases),
            "说明": c.note,
        })  # fmt: skip
    return pd.DataFrame(rows)


def template_bytes(kind: str, fmt: str = "xlsx") -> bytes:
    """The template file of ``kind`` in ``fmt`` (``xlsx`` or ``csv``)."""
    if fmt not in FORMATS:
        raise ValueError(f"不支持的格式“{fmt}”：可选 xlsx 或 csv")
    frame = template_frame(kind)
    if fmt == "csv":
        return to_csv_bytes(frame)
    return to_xlsx_bytes(frame, S.kind_spec(kind), notes=notes_frame(kind), format_rows=TEMPLATE_ROWS)


def template_file_name(kind: str, fmt: str = "xlsx") -> str:
    """``导入模板_企业名录.xlsx`` and the like."""
    return f"导入模板_{S.kind_spec(kind).title}.{fmt}"
