"""Export what is stored of an importable kind, with the template's headers.

``python -m gsyf_geo export KIND --format csv|xlsx --out FILE`` writes every stored row of
the kind: the template's columns (WGS-84 coordinates, districts and towns by name, choices
by their Chinese labels) plus, for located kinds, 定位来源, 定位精度 and 超出所填区县.
Importing the export again changes nothing.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from functools import lru_cache

import pandas as pd

from gsyf_geo.domain import DISTRICT_BY_ADCODE, JKQ
from gsyf_geo.geography import towns
from gsyf_geo.importing import schema as S
from gsyf_geo.store import CITY, Scope, Store
from gsyf_geo.tabular import neutralize_csv_cell, strings_as_text

FORMATS = ("csv", "xlsx")
# Excel number formats by column type: counts with thousands separators, dates as dates.
# Display only: the cells hold the numbers, so importing the file again changes nothing.
_NUMBER_FORMATS = {S.INT: "#,##0", S.DATE: "yyyy-mm-dd"}
_REQUIRED_FILL = "FDE9D9"
_HEADER_FILL = "DDEBF7"


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def display_value(col: S.ColumnSpec, value: object, reporting_unit: object = None) -> object:
    """A stored value as written in a file (the inverse of the import's parsing)."""
    if _blank(value):
        return None
    t = col.type
    if t == S.BOOL:
        return "是" if bool(value) else "否"
    if t in (S.INT, S.YEAR, S.RISK_CLASS):
        return int(value)
    if t in (S.FLOAT, S.LON, S.LAT):
        return float(value)
    if t == S.DATE:
        if isinstance(value, str):
            return date.fromisoformat(value[:10])
        if isinstance(value, datetime | pd.Timestamp):
            return value.date()
        return value
    if t == S.DISTRICT:
        if reporting_unit == JKQ.code:
            return JKQ.short_name
        d = DISTRICT_BY_ADCODE.get(str(value))
        return d.name if d else str(value)
    if t == S.TOWN:
        return _town_names().get(str(value), "")
    if t == S.CHOICE:
        for c in col.choices:
            if c.value == value:
                return c.label
        return str(value)
    return str(value)


@lru_cache(maxsize=1)
def _town_names() -> dict[str, str]:
    t = towns()
    return dict(zip(t["code"].astype(str), t["name"], strict=True))


def export_columns(spec: S.KindSpec) -> tuple[S.ColumnSpec, ...]:
    """Columns of an export: the template's, then the bookkeeping ones."""
    return spec.template_columns + tuple(c for c in spec.columns if c.export_only)


def export_frame(store: Store, kind: str, scope: Scope = CITY) -> pd.DataFrame:
    """Stored rows of ``kind`` as a table with the template's Chinese headers.

    Cells hold Python values (str, int, float, ``date``; None for blanks), one row per
    stored row, ordered by the natural key.
    """
    spec = S.kind_spec(kind)
    df = pd.DataFrame(store.read(kind, scope)).drop(columns="geometry", errors="ignore")
    df = df.sort_values(list(spec.key), kind="stable").reset_index(drop=True)
    names: dict[str, str] = {}
    if any(c.field in ("unit_name", "contractor_name") for c in spec.columns):
        ent = store.read("enterprise", scope, columns=["credit_code", "name"])
        names = dict(zip(ent["credit_code"], ent["name"], strict=True))
    out: dict[str, list[object]] = {}
    unit = df["reporting_unit"] if "reporting_unit" in df and not spec.located else None
    for col in export_columns(spec):
        source = "town_code" if col.field == "town" else col.field
        if col.field == "unit_name":
            values = [names.get(c) if not _blank(c) else None for c in df.get("credit_code", [])]
        elif col.field == "contractor_name":
            values = [names.get(c) if not _blank(c) else None for c in df["contractor_credit_code"]]
        elif source in df and col.stored:
            units = unit if unit is not None and col.type == S.DISTRICT else [None] * len(df)
            values = [display_value(col, v, u) for v, u in zip(df[source], units, strict=True)]
        else:
            values = [None] * len(df)
        out[col.header] = values
    return pd.DataFrame(out, dtype=object)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (Excel opens it as UTF-8); dates as ``YYYY-MM-DD``.

    Text that a spreadsheet would run as a formula gets a leading ``'``
    (:func:`gsyf_geo.tabular.neutralize_csv_cell`); the importer takes it off again.
    """
    text = pd.DataFrame(
        {c: [_csv_text(v) for v in frame[c]] for c in frame.columns}, columns=frame.columns, dtype=object
    )
    buf = io.StringIO()
    text.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def _csv_text(value: object) -> str:
    if _blank(value):
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return neutralize_csv_cell(value)
    return str(value)


def to_xlsx_bytes(
    frame: pd.DataFrame,
    spec: S.KindSpec,
    sheet: str = "数据",
    notes: pd.DataFrame | None = None,
    format_rows: int = 0,
) -> bytes:
    """An XLSX workbook: the data sheet (codes as text, dates as dates, counts with thousands
    separators), optional notes sheet.

    Text is written as string cells, never as formulas (``=HYPERLINK(…)`` stays text).

    ``format_rows``: format this many rows below the header even if empty (templates, so
    that codes typed in later stay text).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    by_header = {c.header: c for c in spec.columns}
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if _blank(v) else v for v in row])
    for j, header in enumerate(frame.columns, start=1):
        col = by_header.get(header)
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=True)
        fill = _REQUIRED_FILL if col is not None and col.required else _HEADER_FILL
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(10, min(40, 2.2 * len(str(header)) + 2))
        if col is None:
            continue
        fmt = "@" if col.text_format else _NUMBER_FORMATS.get(col.type)
        if fmt:
            for r in range(2, max(ws.max_row, format_rows + 1) + 1):
                ws.cell(row=r, column=j).number_format = fmt
    strings_as_text(ws)
    ws.freeze_panes = "A2"
    if notes is not None:
        ns = wb.create_sheet("说明")
        ns.append(list(notes.columns))
        for row in notes.itertuples(index=False):
            ns.append(list(row))
        for j in range(1, len(notes.columns) + 1):
            ns.cell(row=1, column=j).font = Font(bold=True)
            ns.column_dimensions[get_column_letter(j)].width = 24 if j < len(notes.columns) else 60
        strings_as_text(ns)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_bytes(store: Store, kind: str, fmt: str, scope: Scope = CITY) -> bytes:
    """The export of ``kind`` as CSV or XLSX bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"不支持的格式“{fmt}”：可选 csv 或 xlsx")
    frame = export_frame(store, kind, scope)
    if fmt == "csv":
        return to_csv_bytes(frame)
    return to_xlsx_bytes(frame, S.kind_spec(kind))
