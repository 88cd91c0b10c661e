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
import os
import re
import warnings
import zipfile
from array import array
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from pathlib import PurePath
from typing import BinaryIO

from gsyf_geo.importing.limits import MB, ImportLimits, import_limits
from gsyf_geo.importing.problems import ImportFileError, Problem
from gsyf_geo.tabular import restore_csv_cell

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SHEETS_TO_SKIP = ("说明", "填写说明", "字段说明")
# Invisible C0 controls (tab, newline and carriage return kept). Exports from some systems
# carry NUL padding; PostgreSQL refuses NUL in text, and none of them means anything in a cell.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHUNK = 1 << 20  # bytes decoded at a time when checking a CSV's encoding
HEAD_LINES = 50  # lines looked at for the first non-empty one (delimiter)
_MAX_RATIO = 200  # unpacked/packed size of a large shared-string part that is refused

# A file's content: its bytes (an upload), or the path of a file on disk (the command line),
# which is then read as a stream and never held in memory whole.
FileData = bytes | os.PathLike


def open_data(data: FileData) -> BinaryIO:
    """A binary stream of ``data`` (no copy of bytes; a path is opened)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(data)
    return open(data, "rb")  # noqa: SIM115 - the caller closes it


def data_size(data: FileData) -> int:
    """Size of ``data`` in bytes."""
    if isinstance(data, bytes | bytearray | memoryview):
        return len(data)
    return os.stat(data).st_size


def data_head(data: FileData, n: int) -> bytes:
    """The first ``n`` bytes of ``data``."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data[:n])
    with open(data, "rb") as f:
        return f.read(n)


def iter_chunks(data: FileData, start: int = 0, size: int = _CHUNK) -> Iterator[bytes | memoryview]:
    """``data`` from ``start`` in pieces of at most ``size`` bytes."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for pos in range(start, len(view), size):
            yield view[pos : pos + size]
        return
    with open(data, "rb") as f:
        f.seek(start)
        while chunk := f.read(size):
            yield chunk


def is_blank(data: FileData) -> bool:
    """True for an empty file or one of white space only."""
    return all(not bytes(chunk).strip() for chunk in iter_chunks(data))


class Table:
    """The cells of a file: rows of (spreadsheet row number, cell values), read as a stream.

    :meth:`head` gives the first rows (buffered), :meth:`iter_rows` every row once, from
    the first; the cells are never all in memory unless :attr:`rows` is asked for. Reading
    raises :class:`ImportFileError` when the file breaks a limit
    (:class:`~gsyf_geo.importing.limits.ImportLimits`).
    """

    def __init__(
        self,
        file_name: str,
        format: str,
        encoding: str | None = None,
        sheet: str | None = None,
        rows: Iterable[tuple[int, list[object]]] = (),
    ) -> None:
        self.file_name = file_name
        self.format = format  # "csv" | "xlsx" | "xls"
        self.encoding = encoding
        self.sheet = sheet
        self._source: Iterator[tuple[int, list[object]]] = iter(rows)
        self._buffer: list[tuple[int, list[object]]] = []
        self._started = False

    @property
    def description(self) -> str:
        """Chinese description of the format, e.g. ``"CSV 文件，GB18030/GBK编码"``."""
        if self.format == "csv":
            return f"CSV 文件，{self.encoding}编码"
        return f"{self.format.upper()} 文件，工作表“{self.sheet}”"

    def head(self, n: int) -> list[tuple[int, list[object]]]:
        """The first ``n`` rows (kept in memory; the stream goes on after them)."""
        if self._started:
            raise RuntimeError("head() after iter_rows()")
        while len(self._buffer) < n:
            nxt = next(self._source, None)
            if nxt is None:
                break
            self._buffer.append(nxt)
        return self._buffer[:n]

    def iter_rows(self) -> Iterator[tuple[int, list[object]]]:
        """Every row once, from the first (the buffered head, then the rest of the file)."""
        self._started = True
        head, self._buffer = self._buffer, []
        yield from head
        yield from self._source

    @property
    def rows(self) -> list[tuple[int, list[object]]]:
        """All rows as a list (reads the whole file into memory: small files and tests)."""
        if not self._started:
            self.head(0)
            self._buffer.extend(self._source)
            self._source = iter(())
        return self._buffer


def _fail(file_name: str, message: str) -> ImportFileError:
    return ImportFileError(message, [Problem(file_name, None, None, message)])


def detect_format(data: FileData, file_name: str) -> str:
    """Tell ``"xlsx"``, ``"xls"`` or ``"csv"`` from the first bytes.

    Raises
    ------
    ImportFileError
        For an HTML page saved as ``.xls`` or another binary file.
    """
    first = data_head(data, 2048)
    if first.startswith(_XLSX_MAGIC):
        return "xlsx"
    if first.startswith(_XLS_MAGIC):
        return "xls"
    head = first.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise _fail(
            file_name,
            "该文件实际是网页（HTML/XML）格式，并非 Excel 表格：请用 Excel 打开后“另存为” .xlsx 再导入",
        )
    return "csv"


def detect_encoding(data: FileData, file_name: str) -> tuple[str, int, str]:
    """The encoding of CSV bytes: (Python codec, length of the BOM, Chinese name).

    Tries UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030 (a superset of GBK).
    The bytes are checked in chunks, never decoded whole.
    """
    head = data_head(data, 4)
    if head.startswith(codecs.BOM_UTF8):
        if not _decodes(data, "utf-8", len(codecs.BOM_UTF8)):
            raise _fail(file_name, "文件以 UTF-8 BOM 开头，但内容不是有效的 UTF-8 编码")
        return "utf-8", len(codecs.BOM_UTF8), "UTF-8（带 BOM）"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _decodes(data, "utf-16", 0):
            raise _fail(file_name, "文件以 UTF-16 BOM 开头，但内容不是有效的 UTF-16 编码")
        return "utf-16", 0, "UTF-16"
    if any(b"\x00" in bytes(chunk) for chunk in iter_chunks(data)):
        raise _fail(file_name, "无法识别的文件：既不是 Excel 表格，也不是文本（CSV）文件")
    if _decodes(data, "utf-8", 0):
        return "utf-8", 0, "UTF-8"
    if _decodes(data, "gb18030", 0):
        return "gb18030", 0, "GB18030/GBK"
    raise _fail(
        file_name,
        "无法识别文件编码：支持 UTF-8、UTF-8（带 BOM）和 GBK/GB18030 编码的 CSV，"
        "或 Excel 的 .xlsx/.xls 文件",
    )


def _decodes(data: FileData, codec: str, start: int) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for chunk in iter_chunks(data, start):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """Decode CSV bytes whole; return (text, Chinese name of the encoding found)."""
    codec, bom, label = detect_encoding(data, file_name)
    return data[bom:].decode(codec), label


def _broken_workbook(file_name: str, suffix: str, what: str, exc: Exception) -> ImportFileError:
    return _fail(file_name, f"无法读取 Excel（{suffix}）文件：文件已损坏或不是有效的 {what}（{exc.__class__.__name__}）")


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _text_stream(data: FileData, codec: str, bom: int) -> io.TextIOWrapper:
    raw = open_data(data)
    raw.seek(bom)
    return io.TextIOWrapper(raw, encoding=codec, newline="")


class _Checker:
    """Applies the limits to each row as it is read; cleans the cells."""

    def __init__(self, file_name: str, limits: ImportLimits, csv_cells: bool) -> None:
        self.file_name = file_name
        self.limits = limits
        self.csv_cells = csv_cells

    def row(self, number: int, cells: list[object]) -> list[object]:
        lim = self.limits
        if number > lim.max_rows:
            raise _fail(self.file_name, f"文件超过 {lim.max_rows:,} 行的上限：请分成几个文件导入")
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if len(cells) > lim.max_columns:
            raise _fail(self.file_name, f"第 {number} 行超过 {lim.max_columns} 列的上限：请删去多余的列")
        for i, value in enumerate(cells):
            if isinstance(value, str):
                if len(value) > lim.max_cell_chars:
                    raise _fail(
                        self.file_name,
                        f"第 {number} 行第 {i + 1} 列的单元格超过 {lim.max_cell_chars:,} 个字符的上限"
                        f"（现为 {len(value):,} 个）：请检查该单元格",
                    )
                if self.csv_cells:
                    value = restore_csv_cell(value)
                if _CONTROL_CHARS.search(value):
                    value = _CONTROL_CHARS.sub("", value)
                cells[i] = value
        return cells


def read_csv_bytes(data: FileData, file_name: str, limits: ImportLimits | None = None) -> Table:
    """A CSV file as a stream of rows (record ``i`` is spreadsheet row ``i + 1``).

    A leading ``'`` that an export put before ``=``, ``+``, ``-``, ``@``, tab or CR is
    taken off (:func:`gsyf_geo.tabular.restore_csv_cell`).
    """
    limits = limits or import_limits()
    codec, bom, label = detect_encoding(data, file_name)
    first = ""
    with _text_stream(data, codec, bom) as probe:
        for _ in range(HEAD_LINES):
            line = probe.readline(limits.max_cell_chars * limits.max_columns)
            if not line or line.strip():
                first = line
                break
    delimiter = _sniff_delimiter(first)
    check = _Checker(file_name, limits, csv_cells=True)

    def rows() -> Iterator[tuple[int, list[object]]]:
        number = 0
        with _text_stream(data, codec, bom) as stream:
            reader = csv.reader(stream, delimiter=delimiter)
            try:
                for number, record in enumerate(reader, start=1):
                    yield number, check.row(number, list(record))
            except csv.Error as exc:
                raise _fail(file_name, _csv_error(number + 1, exc, limits)) from None

    return Table(file_name, "csv", encoding=label, rows=rows())


def _csv_error(number: int, exc: csv.Error, limits: ImportLimits) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        what = f"有单元格超过 {limits.max_cell_chars:,} 个字符的上限"
    elif "new-line character seen in unquoted field" in text:
        what = "单元格中的换行符未加引号"
    elif "NUL" in text:
        what = "含有空字符（NUL）"
    else:
        what = "引号不配对或分隔符有误"
    return f"CSV 格式错误（第 {number} 行附近）：{what}"


def read_csv_text(text: str, file_name: str, encoding: str) -> Table:
    """Rows of an already decoded CSV text (small texts and tests)."""
    table = read_csv_bytes(text.encode("utf-8"), file_name)
    table.encoding = encoding
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


def check_xlsx_parts(data: FileData, file_name: str, limits: ImportLimits | None = None) -> None:
    """Refuse a workbook whose parts would unpack too large, before any of it is parsed.

    The sizes are the zip's own record of each part (reading a part never yields more).
    """
    limits = limits or import_limits()
    try:
        with open_data(data) as f, zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
    except Exception as exc:  # noqa: BLE001 - any failure of a broken zip
        raise _broken_workbook(file_name, ".xlsx", "Excel 工作簿", exc) from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_bytes:
        raise _fail(file_name, f"工作簿解压后超过 {limits.max_unpacked_bytes // MB:,} MB 的上限：请分成几个文件导入")
    for info in infos:
        name = info.filename.lower()
        if name.endswith("sharedstrings.xml") and info.file_size > limits.max_shared_strings_bytes:
            raise _fail(
                file_name,
                f"工作簿中的文字内容解压后超过 {limits.max_shared_strings_bytes // MB:,} MB 的上限：请分成几个文件导入",
            )
        if (
            info.file_size > 1 * MB
            and info.file_size > _MAX_RATIO * max(info.compress_size, 1)
            and "sharedstrings" in name
        ):
            raise _fail(file_name, "工作簿中的文字内容压缩比异常（可能含有超长单元格）：请检查文件")


class CompactStrings:
    """A workbook's shared strings as one UTF-8 buffer and their end offsets.

    openpyxl keeps each shared string as a Python ``str`` (about 100 bytes for a 15-character
    Chinese name); here it costs its UTF-8 bytes and 8 (a 1,000,000-row register's 3,000,000
    distinct names, addresses and codes: ≈ 150 MB instead of ≈ 330 MB). A string is decoded
    when a cell asks for it.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._ends = array("q")

    def append(self, text: str) -> None:
        self._buffer += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._buffer))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:
        if not 0 <= i < len(self._ends):
            raise IndexError("shared string index out of range")
        start = self._ends[i - 1] if i else 0
        return self._buffer[start : self._ends[i]].decode("utf-8", "surrogatepass")


def _read_compact_strings(xml_source: BinaryIO) -> CompactStrings:
    """openpyxl's ``read_string_table``, into :class:`CompactStrings`."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    strings = CompactStrings()
    tag = "{%s}si" % SHEET_MAIN_NS  # noqa: UP031 - as openpyxl writes it
    for _, node in iterparse(xml_source):
        if node.tag == tag:
            strings.append(Text.from_tree(node).content.replace("x005F_", ""))
            node.clear()
    return strings


def _load_workbook(source: object) -> object:
    """``openpyxl.load_workbook(source, read_only=True, data_only=True)`` with the shared
    strings kept compact (:class:`CompactStrings`)."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    class _Reader(ExcelReader):
        def read_strings(self) -> None:
            ct = self.package.find(SHARED_STRINGS)
            if ct is not None:
                with self.archive.open(ct.PartName[1:]) as src:
                    self.shared_strings = _read_compact_strings(src)

    reader = _Reader(source, read_only=True, keep_vba=False, data_only=True, keep_links=True, rich_text=False)
    reader.read()
    return reader.wb


def read_xlsx(data: FileData, file_name: str, limits: ImportLimits | None = None) -> Table:
    """Rows of the first data sheet of an XLSX workbook (cached formula values), streamed."""
    limits = limits or import_limits()
    check_xlsx_parts(data, file_name, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else os.fspath(data)
            wb = _load_workbook(source)
        idx = _pick_sheet(wb.sheetnames)
        ws = wb.worksheets[idx]
        sheet = wb.sheetnames[idx]
        ws.reset_dimensions()  # the file's own dimension record may claim any size
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a broken workbook
        raise _broken_workbook(file_name, ".xlsx", "Excel 工作簿", exc) from None
    check = _Checker(file_name, limits, csv_cells=False)

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                source = ws.iter_rows(min_row=1, values_only=True)
                for number, row in enumerate(source, start=1):
                    yield number, check.row(number, [_plain(v) for v in row])
        except ImportFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a broken workbook
            raise _broken_workbook(file_name, ".xlsx", "Excel 工作簿", exc) from None
        finally:
            wb.close()

    return Table(file_name, "xlsx", sheet=sheet, rows=rows())


def read_xls(data: FileData, file_name: str, limits: ImportLimits | None = None) -> Table:
    """Rows of the first data sheet of an XLS (Excel 97–2003) workbook."""
    import xlrd

    limits = limits or import_limits()
    check = _Checker(file_name, limits, csv_cells=False)
    try:
        if not isinstance(data, bytes | bytearray | memoryview):
            with open(data, "rb") as f:
                data = f.read()  # XLS holds at most 65,536 rows: small enough to read whole
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), on_demand=True)
        idx = _pick_sheet(book.sheet_names())
        sheet = book.sheet_by_index(idx)
        name = book.sheet_names()[idx]
    except Exception as exc:  # noqa: BLE001 - any failure of a broken workbook
        raise _broken_workbook(file_name, ".xls", "Excel 97–2003 工作簿", exc) from None

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for r in range(sheet.nrows):
                cells: list[object] = []
                for c in range(min(sheet.ncols, limits.max_columns + 1)):
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
                yield r + 1, check.row(r + 1, cells)
        except ImportFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a broken workbook
            raise _broken_workbook(file_name, ".xls", "Excel 97–2003 工作簿", exc) from None

    return Table(file_name, "xls", sheet=name, rows=rows())


def read_table(data: FileData, file_name: str, limits: ImportLimits | None = None) -> Table:
    """Open any supported file as a :class:`Table` (rows read as they are asked for).

    Parameters
    ----------
    data
        The file's bytes, or the path of the file (read as a stream, never whole).
    file_name
        Its name (for messages; the format is detected from the content).
    limits
        The limits to apply (default: :func:`~gsyf_geo.importing.limits.import_limits`).

    Raises
    ------
    ImportFileError
        Empty, too large, unreadable or of an unknown encoding; reading the rows raises it
        too when a later row breaks a limit or the file is broken further on.
    """
    limits = limits or import_limits()
    name = PurePath(file_name).name or "上传文件"
    size = data_size(data)
    if size > limits.max_bytes:
        raise _fail(name, f"文件超过 {limits.max_bytes // MB:,} MB 的上限（现为 {size / MB:,.1f} MB）：请分成几个文件导入")
    if is_blank(data):
        raise _fail(name, "文件为空")
    fmt = detect_format(data, name)
    if fmt == "xlsx":
        return read_xlsx(data, name, limits)
    if fmt == "xls":
        return read_xls(data, name, limits)
    return read_csv_bytes(data, name, limits)


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
