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
from collections.abc import Iterable

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


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "数据", note: str | None = None) -> bytes:
    """An XLSX workbook of ``df``: optional note in the first row, bold frozen header,
    column widths fitted to the content (CJK characters count double). Text stays text.
    """
    buffer = io.BytesIO()
    start = 2 if note else 0
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": XLSXWRITER_OPTIONS}) as writer:
        df.to_excel(writer, sheet_name=sheet_name, index=False, startrow=start)
        book, sheet = writer.book, writer.sheets[sheet_name]
        if note:
            sheet.write_string(0, 0, note, book.add_format({"italic": True, "font_color": "#9c5700"}))
        header = book.add_format({"bold": True, "bg_color": "#dce7f3", "border": 1})
        for col, name in enumerate(df.columns):
            sheet.write_string(start, col, str(name), header)
            sample = [str(name)] + df.iloc[:200, col].astype(str).tolist()
            width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in s) for s in sample)
            sheet.set_column(col, col, min(max(width + 2, 6), 50))
        sheet.freeze_panes(start + 1, 0)
        if len(df):
            sheet.autofilter(start, 0, start + len(df), len(df.columns) - 1)
    return buffer.getvalue()
