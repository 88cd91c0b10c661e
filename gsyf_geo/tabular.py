"""Tables as files officers open in Excel: XLSX (with a note row) and CSV (UTF-8 with BOM)."""

from __future__ import annotations

import io

import pandas as pd


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel on Chinese Windows reads it right."""
    return df.to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "数据", note: str | None = None) -> bytes:
    """An XLSX workbook of ``df``: optional note in the first row, bold frozen header,
    column widths fitted to the content (CJK characters count double).
    """
    buffer = io.BytesIO()
    start = 2 if note else 0
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        df.to_excel(writer, sheet_name=sheet_name, index=False, startrow=start)
        book, sheet = writer.book, writer.sheets[sheet_name]
        if note:
            sheet.write(0, 0, note, book.add_format({"italic": True, "font_color": "#9c5700"}))
        header = book.add_format({"bold": True, "bg_color": "#dce7f3", "border": 1})
        for col, name in enumerate(df.columns):
            sheet.write(start, col, str(name), header)
            sample = [str(name)] + df.iloc[:200, col].astype(str).tolist()
            width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in s) for s in sample)
            sheet.set_column(col, col, min(max(width + 2, 6), 50))
        sheet.freeze_panes(start + 1, 0)
        if len(df):
            sheet.autofilter(start, 0, start + len(df), len(df.columns) - 1)
    return buffer.getvalue()
