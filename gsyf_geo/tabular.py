"""Tables as files officers open in Excel: XLSX (with a note row) and CSV (UTF-8 with BOM).

Every CSV and XLSX the app writes stores text as text, so that a value typed by anyone
(``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``, ``+1``, ``@SUM(…)``) never becomes a live formula
when an officer opens the file:

- CSV: a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
  leading single quote (OWASP's advice; :func:`neutralize_csv_cell`). Numbers stay numbers.
  The importer takes the quote off again (:func:`restore_csv_cell`), so that re-importing
  an export changes nothing.
- XLSX: text is written as a string cell, never as a formula (:func:`strings_as_text` for
  openpyxl sheets, :data:`XLSXWRITER_OPTIONS` for xlsxwriter); no prefix is needed.
"""

from __future__ import annotations

import io
import math
import numbers
from collections.abc import Iterable, Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

# Leading characters that make a spreadsheet treat a CSV cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_QUOTE = "'"
# xlsxwriter: strings are strings (no formulas, no URLs made from text).
XLSXWRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def neutralize_csv_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    Non-text values (numbers, dates, None) are returned unchanged: ``-3`` stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return CSV_QUOTE + value
    return value


def restore_csv_cell(value: object) -> object:
    """Undo :func:`neutralize_csv_cell`: drop a ``'`` that is followed by a formula trigger.

    Any other text (including a quote before something else) is returned as it is.
    """
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == CSV_QUOTE
        and value[1] in FORMULA_TRIGGERS
    ):
        return value[1:]
    return value


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are neutralised for CSV (headers too)."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(neutralize_csv_cell).astype(object)
    out.columns = [neutralize_csv_cell(c) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame, index: bool = False) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel on Chinese Windows reads it right.

    Text cells that would run as formulas are neutralised (see the module docstring).
    """
    return safe_csv_frame(df).to_csv(index=index).encode("utf-8-sig")


def strings_as_text(cells: Iterable) -> int:
    """Make every formula or error cell of an openpyxl sheet a string cell.

    openpyxl stores a ``str`` beginning with ``=`` as a formula (and ``"#N/A"`` and the
    like as an error value); the app never writes formulas, so every such cell holds text
    typed by someone. ``cells`` is a worksheet (or any iterable of rows of cells).

    Returns
    -------
    int
        How many cells were changed.
    """
    rows = cells.iter_rows() if hasattr(cells, "iter_rows") else cells
    changed = 0
    for row in rows:
        for cell in row:
            if getattr(cell, "data_type", None) in ("f", "e") and isinstance(cell.value, str):
                cell.data_type = "s"
                changed += 1
    return changed


PERCENT_FORMAT = "0.0%"
THOUSANDS_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"


def to_xlsx_bytes(
    df: pd.DataFrame,
    sheet_name: str = "数据",
    note: str | None = None,
    formats: Mapping[str, str] | None = None,
    title: str | None = None,
) -> bytes:
    """An XLSX workbook of ``df``: optional title and note above, bold frozen header, column
    widths fitted to the content (CJK characters count double). Text stays text.

    Parameters
    ----------
    df
        The table.
    sheet_name
        The sheet's name.
    note
        A line in the first row (italic), e.g. where the data come from.
    formats
        Excel number formats by column name (e.g. :data:`PERCENT_FORMAT` for a rate held as
        a fraction, :data:`THOUSANDS_FORMAT` for counts). Dates are always ``yyyy-mm-dd``.
    title
        A bold line above the note (e.g. the filters that made the table).
    """
    import xlsxwriter

    buffer = io.BytesIO()
    lines = [line for line in (title, note) if line]
    start = len(lines) + 1 if lines else 0
    formats = formats or {}
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSXWRITER_OPTIONS})
    sheet = book.add_worksheet(sheet_name[:31])
    row = 0
    if title:
        sheet.write_string(row, 0, title, book.add_format({"bold": True, "font_size": 13}))
        row += 1
    if note:
        sheet.write_string(row, 0, note, book.add_format({"italic": True, "font_color": "#9c5700"}))
    header = book.add_format({"bold": True, "bg_color": "#dce7f3", "border": 1})
    date_format = book.add_format({"num_format": DATE_FORMAT})
    number_formats = {f: book.add_format({"num_format": f}) for f in set(formats.values())}
    for col, name in enumerate(df.columns):
        sheet.write_string(start, col, str(name), header)
        sample = [str(name)] + [str(v) for v in df.iloc[:200, col]]
        width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in s) for s in sample)
        fmt = formats.get(name)
        # Cells written without a format of their own take the column's (xlsxwriter).
        sheet.set_column(col, col, min(max(width + 2, 6), 50), number_formats.get(fmt) if fmt else None)
    # Cell by cell with xlsxwriter's typed writers (about twice as fast as pandas' to_excel):
    # text as strings, never formulas; blanks left empty.
    columns = [df.iloc[:, i].tolist() for i in range(df.shape[1])]
    for r, values in enumerate(zip(*columns, strict=True), start=start + 1):
        for c, value in enumerate(values):
            _write_cell(sheet, r, c, value, date_format)
    sheet.freeze_panes(start + 1, 0)
    if len(df):
        sheet.autofilter(start, 0, start + len(df), len(df.columns) - 1)
    book.close()
    return buffer.getvalue()


def _write_cell(sheet, row: int, col: int, value: object, date_format) -> None:
    """One cell of :func:`to_xlsx_bytes`, by the value's type."""
    if value is None or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
    elif isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, col, bool(value))
    elif isinstance(value, numbers.Number):
        number = float(value)
        if math.isfinite(number):
            sheet.write_number(row, col, number)
    elif isinstance(value, datetime | date):  # pd.Timestamp is a datetime
        sheet.write_datetime(row, col, value, date_format)
    else:
        sheet.write_string(row, col, str(value))
