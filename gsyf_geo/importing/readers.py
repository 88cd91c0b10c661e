"""Read an uploaded file into rows of cells, whatever its format and encoding.

CSV (and tab-separated text) in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK/GB18030;
XLSX (openpyxl) and XLS (xlrd). The format is told by the file's first bytes, not its
name. Anything unreadable raises :class:`ImportFileError` with a Chinese message; no other
exception leaves :func:`read_table` for bad input.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath

from gsyf_geo.importing.problems import ImportFileError, Problem

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SHEETS_TO_SKIP = ("说明", "填写说明", "字段说明")
# Invisible C0 controls (tab, newline and carriage return kept). Exports from some systems
# carry NUL padding; PostgreSQL refuses NUL in text, and none of them means anything in a cell.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Table:
    """The cells of a file: ``rows`` are (spreadsheet row number, cell values)."""

    file_name: str
    format: str  # "csv" | "xlsx" | "xls"
    encoding: str | None = None
    sheet: str | None = None
    rows: list[tuple[int, list[object]]] = field(default_factory=list)

    @property
    def description(self) -> str:
        """Chinese description of the format, e.g. ``"CSV 文件，GB18030/GBK编码"``."""
        if self.format == "csv":
            return f"CSV 文件，{self.encoding}编码"
        return f"{self.format.upper()} 文件，工作表“{self.sheet}”"


def _fail(file_name: str, message: str) -> ImportFileError:
    return ImportFileError(message, [Problem(file_name, None, None, message)])


def detect_format(data: bytes, file_name: str) -> str:
    """Tell ``"xlsx"``, ``"xls"`` or ``"csv"`` from the first bytes.

    Raises
    ------
    ImportFileError
        For an HTML page saved as ``.xls`` or another binary file.
    """
    if data.startswith(_XLSX_MAGIC):
        return "xlsx"
    if data.startswith(_XLS_MAGIC):
        return "xls"
    head = data[:2048].lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise _fail(
            file_name,
            "该文件实际是网页（HTML/XML）格式，并非 Excel 表格：请用 Excel 打开后“另存为” .xlsx 再导入",
        )
    return "csv"


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """Decode CSV bytes; return (text, Chinese name of the encoding found).

    Tries UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030 (a superset of GBK).
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError:
            raise _fail(file_name, "文件以 UTF-8 BOM 开头，但内容不是有效的 UTF-8 编码") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise _fail(file_name, "文件以 UTF-16 BOM 开头，但内容不是有效的 UTF-16 编码") from None
    if b"\x00" in data:
        raise _fail(file_name, "无法识别的文件：既不是 Excel 表格，也不是文本（CSV）文件")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030/GBK"
    except UnicodeDecodeError:
        raise _fail(
            file_name,
            "无法识别文件编码：支持 UTF-8、UTF-8（带 BOM）和 GBK/GB18030 编码的 CSV，"
            "或 Excel 的 .xlsx/.xls 文件",
        ) from None


def _broken_workbook(file_name: str, suffix: str, what: str, exc: Exception) -> ImportFileError:
    return _fail(file_name, f"无法读取 Excel（{suffix}）文件：文件已损坏或不是有效的 {what}（{exc.__class__.__name__}）")


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv_text(text: str, file_name: str, encoding: str) -> Table:
    """Rows of a decoded CSV text (record ``i`` is spreadsheet row ``i + 1``)."""
    delimiter = _sniff_delimiter(text)
    table = Table(file_name, "csv", encoding=encoding)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, record in enumerate(reader, start=1):
            table.rows.append((number, list(record)))
    except csv.Error as exc:
        raise _fail(file_name, f"CSV 格式错误（第 {len(table.rows) + 1} 行）：{exc}") from None
    return table


def _pick_sheet(names: list[str]) -> int:
    for i, name in enumerate(names):
        if name.strip() not in _SHEETS_TO_SKIP:
            return i
    return 0


def _plain(value: object) -> object:
    """Spreadsheet value as str/int/float/bool/date/datetime/None."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, datetime) and value.time() == time(0, 0):
        return value.date()
    if isinstance(value, time):
        return value.isoformat()
    return value


def read_xlsx(data: bytes, file_name: str) -> Table:
    """Rows of the first data sheet of an XLSX workbook (cached formula values)."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                idx = _pick_sheet(wb.sheetnames)
                ws = wb.worksheets[idx]
                table = Table(file_name, "xlsx", sheet=wb.sheetnames[idx])
                for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
                    table.rows.append((number, [_plain(v) for v in row]))
            finally:
                wb.close()
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a broken workbook
        raise _broken_workbook(file_name, ".xlsx", "Excel 工作簿", exc) from None
    return table


def read_xls(data: bytes, file_name: str) -> Table:
    """Rows of the first data sheet of an XLS (Excel 97–2003) workbook."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO())
        idx = _pick_sheet(book.sheet_names())
        sheet = book.sheet_by_index(idx)
        table = Table(file_name, "xls", sheet=book.sheet_names()[idx])
        for r in range(sheet.nrows):
            cells: list[object] = []
            for c in range(sheet.ncols):
                ctype, value = sheet.cell_type(r, c), sheet.cell_value(r, c)
                if ctype == xlrd.XL_CELL_DATE:
                    try:
                        value = xlrd.xldate_as_datetime(value, book.datemode)
                    except Exception:  # noqa: BLE001 - an impossible date serial
                        value = str(value)
                elif ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif ctype == xlrd.XL_CELL_ERROR:
                    value = "#错误值"
                elif ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                cells.append(_plain(value))
            table.rows.append((r + 1, cells))
    except Exception as exc:  # noqa: BLE001 - any failure of a broken workbook
        raise _broken_workbook(file_name, ".xls", "Excel 97–2003 工作簿", exc) from None
    return table


def read_table(data: bytes, file_name: str) -> Table:
    """Read any supported file into a :class:`Table`.

    Parameters
    ----------
    data
        The file's bytes.
    file_name
        Its name (for messages; the format is detected from the content).

    Raises
    ------
    ImportFileError
        Empty, unreadable or of an unknown encoding.
    """
    name = PurePath(file_name).name or "上传文件"
    if not data or not data.strip():
        raise _fail(name, "文件为空")
    fmt = detect_format(data, name)
    if fmt == "xlsx":
        table = read_xlsx(data, name)
    elif fmt == "xls":
        table = read_xls(data, name)
    else:
        text, encoding = decode_text(data, name)
        table = read_csv_text(text, name, encoding)
    return _without_control_chars(table)


def _without_control_chars(table: Table) -> Table:
    for _, cells in table.rows:
        for i, value in enumerate(cells):
            if isinstance(value, str) and _CONTROL_CHARS.search(value):
                cells[i] = _CONTROL_CHARS.sub("", value)
    return table


def cell_text(value: object) -> str:
    """A cell as the user sees it (for previews and messages)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
