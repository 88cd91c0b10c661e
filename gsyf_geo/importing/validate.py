"""Header matching and row checks.

:func:`parse_table` turns a :class:`~gsyf_geo.importing.readers.Table` into typed values,
one row per data row, and lists every problem with the file name, the spreadsheet row
number (as the user sees it) and the column header as written in the file, in Chinese.
Checks that need the store or the map (duplicates against the store, enterprises that must
exist, coordinates) follow in :mod:`gsyf_geo.importing.load`.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import numpy as np
import pandas as pd

from gsyf_geo.credit_code import CHAR_VALUE, credit_code_check_char
from gsyf_geo.domain import DISTRICT_BY_ADCODE, normalize_industry_code
from gsyf_geo.importing import schema as S
from gsyf_geo.importing.geocode import parse_district, resolve_town
from gsyf_geo.importing.limits import import_limits, quote
from gsyf_geo.importing.problems import ERROR, WARNING, ImportFileError, Problem
from gsyf_geo.importing.readers import Table, cell_text
from gsyf_geo.store import KINDS

HEADER_SCAN_ROWS = 20
_EXCEL_ERRORS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#错误值")
_EMPTY_MARKS = ("-", "—", "－", "/", "／", "--")
_TRUE = {"是", "y", "yes", "1", "true", "t", "√", "✓", "✔", "有", "对"}
_FALSE = {"否", "n", "no", "0", "false", "f", "×", "✗", "✘", "无", "没有", "不是"}
_RISK_WORDS = {c: i + 1 for i, c in enumerate("一二三四五六七八")}
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d]")
_SCI_RE = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)


# --- headers ---------------------------------------------------------------------------------


def _lookup(spec: S.KindSpec) -> dict[str, str]:
    """Normalised header or alias → field (exact forms first, bracket-free forms second)."""
    return _lookup_kind(spec.kind)


@cache
def _lookup_kind(kind: str) -> dict[str, str]:
    spec = S.kind_spec(kind)
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for col in spec.columns:
        for name in (col.header, *col.aliases):
            n = S.normalize_header(name)
            exact.setdefault(n, col.field)
            loose.setdefault(S.strip_brackets(n), col.field)
    return {**loose, **exact}


def match_header(cell: object, spec: S.KindSpec) -> str | None:
    """The field a header cell names in ``spec``, or None."""
    if cell is None:
        return None
    names = _lookup(spec)
    n = S.normalize_header(cell_text(cell))
    if not n:
        return None
    return names.get(n) or names.get(S.strip_brackets(n))


@dataclass
class HeaderMatch:
    """Where the header is and which column holds which field."""

    row: int  # spreadsheet row number of the header
    position: int  # index of the header row among the rows of the table
    columns: dict[str, int]  # field → column index
    headers: dict[str, str]  # field → header text as written
    unknown: list[str]
    cells: list[object] = field(default_factory=list)  # the header row's cells


def find_header(table: Table, spec: S.KindSpec) -> HeaderMatch:
    """Find the header row among the first rows and map its columns to fields.

    Raises
    ------
    ImportFileError
        No header, a required column missing, two columns for one field, or a coordinate
        column without its partner.
    """
    best: tuple[int, int] | None = None  # (matches, position)
    head = table.head(HEADER_SCAN_ROWS)
    for pos, (_, cells) in enumerate(head):
        n = len({f for f in (match_header(c, spec) for c in cells) if f})
        if n and (best is None or n > best[0]):
            best = (n, pos)
    file = table.file_name
    required = [c.header for c in spec.columns if c.required]
    if best is None or (best[0] < 2 and len(spec.columns) > 2):
        hint = _other_kind_hint(table, spec)
        msg = (
            f"未找到表头：前 {HEADER_SCAN_ROWS} 行中没有可识别的{spec.title}列名"
            f"（至少应有：{'、'.join(required)}）{hint}"
        )
        raise ImportFileError(msg, [Problem(file, None, None, msg)])
    pos = best[1]
    row_number, cells = head[pos]
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    problems: list[Problem] = []
    for i, cell in enumerate(cells):
        text = cell_text(cell).strip()
        if not text:
            continue
        f = match_header(cell, spec)
        if f is None:
            unknown.append(text)
        elif f in columns:
            problems.append(Problem(file, row_number, text,
                                    f"与“{headers[f]}”列表示同一项（{spec.by_field[f].header}），请删除其中一列"))  # fmt: skip
        else:
            columns[f], headers[f] = i, text
    missing = [spec.by_field[f].header for f in spec.required_fields if f not in columns]
    if missing:
        hint = _other_kind_hint(table, spec)
        problems.append(Problem(file, row_number, None, f"缺少必填列：{'、'.join(missing)}{hint}"))
    for a, b in (("lon", "lat"), ("lat", "lon")):
        if a in columns and b not in columns and b in spec.by_field:
            problems.append(Problem(file, row_number, headers[a],
                                    f"有“{headers[a]}”列但没有“{spec.by_field[b].header}”列"))  # fmt: skip
    if problems:
        raise ImportFileError(problems[0].message, problems)
    return HeaderMatch(row_number, pos, columns, headers, unknown, list(cells))


def _other_kind_hint(table: Table, spec: S.KindSpec) -> str:
    """"这更像…文件" when another kind's headers match the file better."""
    scores: dict[str, int] = {}
    for other in S.KIND_SPECS.values():
        best = 0
        for _, cells in table.head(HEADER_SCAN_ROWS):
            fields = {match_header(c, other) for c in cells} - {None}
            best = max(best, len(fields & set(other.required_fields)))
        scores[other.kind] = best
    mine = scores.get(spec.kind, 0)
    top = max(scores, key=lambda k: (scores[k], k == spec.kind))
    if top != spec.kind and scores[top] > mine and scores[top] == len(S.KIND_SPECS[top].required_fields):
        return f"。该文件的表头更像“{S.KIND_SPECS[top].title}”（{top}），是否选错了数据类型？"
    return ""


# --- cells -----------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be parsed; the message is Chinese.

    The message may quote a short prefix of the cell (:func:`~gsyf_geo.importing.limits.quote`);
    ``fault`` says what is wrong without quoting the cell (for columns that may hold
    personal data, and for the import history).
    """

    def __init__(self, message: str, fault: str | None = None) -> None:
        super().__init__(message)
        self.fault = fault or message


def _clean(value: object) -> object:
    """None for empty cells; strings stripped; Excel error values refused."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        s = value.replace("\u00a0", " ").replace("\u3000", " ").replace("\ufeff", "")
        if s and "\u200b" <= max(s) and _ZERO_WIDTH.search(s):
            s = _ZERO_WIDTH.sub("", s)
        s = s.strip()
        if not s:
            return None
        if s.upper() in _EXCEL_ERRORS:
            raise CellError(f"单元格为 Excel 错误值 {s}")
        return s
    return value


def _nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _number_text(value: object, unit: str | None) -> str:
    s = _nfkc(value)
    if unit and s.endswith(unit):
        s = s[: -len(unit)].strip()
    return re.sub(r"[,\s']", "", s)


def parse_int(value: object, col: S.ColumnSpec) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise CellError(f"应为整数（现为 {value:g}）", "应为整数")
        n = int(value)
    else:
        s = _number_text(value, col.unit)
        if re.fullmatch(r"[+-]?\d+(\.0*)?", s):
            if len(s.split(".")[0].lstrip("+-0")) > 15:
                raise CellError("数值过大", "数值过大")
            n = int(float(s)) if "." in s else int(s)
        else:
            try:
                f = float(s)
            except ValueError:
                raise CellError(f"不是数字：{quote(value)}", "不是数字") from None
            raise CellError(f"应为整数（现为 {f:g}）", "应为整数")
    _check_range(n, col)
    return n


def parse_float(value: object, col: S.ColumnSpec) -> float:
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, int | float):
        f = float(value)
    else:
        s = _number_text(value, col.unit)
        try:
            f = float(s)
        except ValueError:
            raise CellError(f"不是数字：{quote(value)}", "不是数字") from None
    if not math.isfinite(f):
        raise CellError(f"不是有效数字：{quote(value)}", "不是有效数字")
    _check_range(f, col)
    return f


def _check_range(n: float, col: S.ColumnSpec) -> None:
    if col.lo is not None and n < col.lo:
        raise CellError("不能为负数" if col.lo == 0 else f"不能小于 {col.lo:g}（现为 {n:g}）")
    if col.hi is not None and n > col.hi:
        raise CellError(f"超出合理范围：不能大于 {col.hi:g}（现为 {n:g}）")


def parse_bool(value: object, col: S.ColumnSpec) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    s = _nfkc(value).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise CellError(f"应为“是”或“否”（现为{quote(value)}）", "应为“是”或“否”")


def parse_date(value: object, col: S.ColumnSpec) -> date:
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        v = int(value)
        if 19000101 <= v <= 21001231:
            d = _ymd(v // 10000, v // 100 % 100, v % 100, value)
        elif 1 <= v <= 80_000 and float(value).is_integer():  # an Excel date serial
            d = date(1899, 12, 30) + timedelta(days=v)
        else:
            raise CellError(f"不是有效日期：{quote(value)}", "不是有效日期")
    else:
        s = _nfkc(value)
        m = _DATE_RE.match(s)
        if m:
            d = _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
        elif re.fullmatch(r"\d{8}", s):
            d = _ymd(int(s[:4]), int(s[4:6]), int(s[6:]), value)
        else:
            raise CellError(f"不是有效日期：{quote(value)}（应如 2023-05-01）", "不是有效日期（应如 2023-05-01）")
    low = col.min_date or date(1990, 1, 1)
    high = date.today() + timedelta(days=col.future_days)
    if d < low:
        raise CellError(f"日期 {d.isoformat()} 早于 {low.isoformat()}，超出范围")
    if d > high:
        limit = "今天" if col.future_days == 0 else high.isoformat()
        raise CellError(f"日期 {d.isoformat()} 晚于{limit}，超出范围")
    return d


def _ymd(y: int, m: int, d: int, raw: object) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise CellError(f"不是有效日期：{quote(raw)}", "不是有效日期") from None


def parse_year(value: object, col: S.ColumnSpec) -> int:
    if isinstance(value, date | datetime):
        y = value.year
    else:
        s = _nfkc(value)
        s = s[:-1] if s.endswith("年") else s
        if re.fullmatch(r"\d{4}\.0*", s):
            s = s.split(".")[0]
        if isinstance(value, float) and value.is_integer():
            s = str(int(value))
        if not re.fullmatch(r"\d{4}", s):
            raise CellError(f"应为四位数年份（现为{quote(value)}）", "应为四位数年份")
        y = int(s)
    lo = int(col.lo) if col.lo is not None else 2000
    hi = int(col.hi) if col.hi is not None else date.today().year
    if not lo <= y <= hi:
        raise CellError(f"年份 {y} 超出范围（{lo}–{hi}）")
    return y


def parse_credit_code(value: object, col: S.ColumnSpec | None = None) -> str:
    """A 统一社会信用代码 in upper case, or :class:`CellError` saying what is wrong."""
    if isinstance(value, float):
        raise CellError("被存成了数字（可能已丢失位数）：请把该列设为文本格式后重新填写")
    s = re.sub(r"\s+", "", _nfkc(value)).upper()
    if _SCI_RE.match(s):
        raise CellError(f"显示为科学计数法{quote(value)}：请把该列设为文本格式后重新填写",
                        "显示为科学计数法：请把该列设为文本格式后重新填写")
    if len(s) != 18:
        raise CellError(f"应为 18 位（现为 {len(s)} 位）")
    bad = sorted({c for c in s if c not in CHAR_VALUE}, key=s.index)
    if bad:
        raise CellError(
            f"含有不允许的字符：{'、'.join(bad)}（只用数字和大写字母，不用 I、O、Z、S、V）"
        )
    if credit_code_check_char(s[:17]) != s[17]:
        raise CellError("校验位（第 18 位）不符，请核对代码是否抄错")
    return s


def parse_industry_code(value: object, col: S.ColumnSpec) -> str:
    s = re.sub(r"\s+", "", _nfkc(value)).upper()
    norm = normalize_industry_code(s)
    if norm is None:
        raise CellError(f"不是有效的 GB/T 4754-2017 行业代码：{quote(value)}", "不是有效的 GB/T 4754-2017 行业代码")
    return norm


def parse_risk_class(value: object, col: S.ColumnSpec) -> int:
    s = _nfkc(value)
    s = s.removeprefix("第").removesuffix("类")
    if s in _RISK_WORDS:
        return _RISK_WORDS[s]
    try:
        n = parse_int(s if isinstance(value, str) else value, col)
    except CellError:
        raise CellError(f"应为 1–8 或 一类…八类（现为{quote(value)}）", "应为 1–8 或 一类…八类") from None
    return n


def parse_choice(value: object, col: S.ColumnSpec) -> str:
    s = re.sub(r"\s+", "", _nfkc(value))
    low = s.lower()
    for c in col.choices:
        if s == c.label or low == c.value.lower() or s in c.aliases:
            return c.value
    allowed = "、".join(c.label for c in col.choices)
    raise CellError(f"应为以下之一：{allowed}（现为{quote(value)}）", f"应为以下之一：{allowed}")


def parse_district_cell(value: object, col: S.ColumnSpec) -> tuple[str, bool]:
    hit = parse_district(str(value))
    if hit is None:
        names = "、".join(d.name for d in DISTRICT_BY_ADCODE.values())
        raise CellError(f"未知的辖市区{quote(value)}（应为 {names} 或 经开区）", f"未知的辖市区（应为 {names} 或 经开区）")
    return hit


def parse_coordinate(value: object, col: S.ColumnSpec) -> float:
    f = parse_float(value, col)
    limit = 180 if col.type == S.LON else 90
    if abs(f) > limit:
        if abs(f) > 1_000:
            raise CellError(f"{quote(value)}像是投影坐标（米），请换算为经纬度（度）", "像是投影坐标（米），请换算为经纬度（度）")
        if col.type == S.LAT and 73 <= f <= 136:
            raise CellError(f"纬度 {f:g} 超出 ±90 度：经度、纬度可能填反了")
        raise CellError(f"{'经度' if col.type == S.LON else '纬度'}应在 ±{limit} 度之间（现为 {f:g}）")
    return f


def parse_text(value: object, col: S.ColumnSpec, max_len: int | None) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = cell_text(value).strip()
    s = re.sub(r"\s+", " ", s)
    if col.text_format:
        s = s.replace(" ", "")
    if max_len and len(s) > max_len:
        raise CellError(f"超过 {max_len} 个字（现为 {len(s)} 个）")
    return s


_PARSERS = {
    S.INT: parse_int,
    S.FLOAT: parse_float,
    S.BOOL: parse_bool,
    S.DATE: parse_date,
    S.YEAR: parse_year,
    S.CREDIT_CODE: parse_credit_code,
    S.INDUSTRY_CODE: parse_industry_code,
    S.RISK_CLASS: parse_risk_class,
    S.CHOICE: parse_choice,
    S.DISTRICT: parse_district_cell,
    S.LON: parse_coordinate,
    S.LAT: parse_coordinate,
}


def _max_len(kind: str, col: S.ColumnSpec) -> int | None:
    table = KINDS[kind].__table__
    if not col.stored or col.field not in table.c:
        return 300
    return getattr(table.c[col.field].type, "length", None)


def parse_cell(kind: str, col: S.ColumnSpec, value: object) -> object:
    """Parse one cell of ``col``; None for an empty cell; :class:`CellError` when invalid."""
    value = _clean(value)
    if value is None:
        return None
    if col.type not in (S.TEXT, S.TOWN) and isinstance(value, str) and value in _EMPTY_MARKS:
        return None
    if col.type in (S.TEXT, S.TOWN):
        return parse_text(value, col, _max_len(kind, col))
    return _PARSERS[col.type](value, col)


# --- rows ------------------------------------------------------------------------------------


_SHARED_VALUES = 20_000  # distinct values per column kept as one object each
_UNSHARED_TYPES = (S.TEXT, S.CREDIT_CODE, S.FLOAT, S.LON, S.LAT)
PREVIEW_KEEP = 100  # raw rows kept for the preview: the first ones, and as many with problems
DUPLICATE_ROWS_LISTED = 5  # rows named in a duplicate-key message


@dataclass
class Parsed:
    """The typed rows of a file and what is wrong with them.

    ``values`` has one row per data row (index: spreadsheet row number) and a column per
    field of the file, plus ``_jkq`` (the district cell said 经开区) and ``_town_text``.
    ``raw`` keeps the cells as written of a few rows only (for the preview): the first
    :data:`PREVIEW_KEEP` data rows and as many rows with problems. ``problems`` holds at
    most ``max_problems`` records; ``omitted`` counts the rest by level.
    """

    kind: str
    file_name: str
    table: Table
    header: HeaderMatch
    values: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    cells: set[tuple[int | None, str | None]] = field(default_factory=set)
    raw: dict[int, list[object]] = field(default_factory=dict)
    max_problems: int = 1_000
    omitted: Counter = field(default_factory=Counter)
    row_count: int = 0  # data rows read so far (``values`` may hold one block of them only)

    @property
    def present(self) -> set[str]:
        """Fields whose column is in the file."""
        return set(self.header.columns)

    def column_of(self, field_name: str) -> str:
        """The header of a field as written in the file (the template's if absent)."""
        return self.header.headers.get(field_name) or S.kind_spec(self.kind).by_field[field_name].header

    def add(
        self,
        row: int | None,
        field_name: str | None,
        message: str,
        level: str = ERROR,
        fault: str | None = None,
    ) -> None:
        """Record a problem (``fault``: the same without any cell content, see :class:`Problem`)."""
        column = self.column_of(field_name) if field_name else None
        self.cells.add((row, column))
        if level == ERROR and row is not None:
            self.bad_rows.add(row)
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(self.file_name, row, column, message, level, fault))
        else:
            self.omitted[level] += 1

    @property
    def rows_read(self) -> int:
        return max(self.row_count, len(self.values))


def _progress_fraction(rows: int) -> float:
    """A fraction that grows with the rows read (their number is not known in advance)."""
    return rows / (rows + 50_000)


def parse_table(
    table: Table, kind: str, progress: Callable[[float], None] | None = None
) -> Parsed:
    """Match the header and parse every data row of ``table`` as ``kind``, as it is read.

    ``progress(fraction)`` is called every 2,000 rows. All rows end in ``values`` (see
    :func:`parse_blocks` for a file too large for that).

    Raises
    ------
    ImportFileError
        When the header cannot be used (see :func:`find_header`), or the file breaks a
        limit or turns out broken further on.
    """
    parsed = start_parse(table, kind)
    blocks = list(parse_blocks(parsed, None, progress))
    parsed.values = blocks[0]
    return parsed


def start_parse(table: Table, kind: str) -> Parsed:
    """Find the header of ``table`` (see :func:`find_header`); no data row read yet."""
    spec = S.kind_spec(kind)
    header = find_header(table, spec)
    parsed = Parsed(kind, table.file_name, table, header, pd.DataFrame(), max_problems=import_limits().max_problems)
    for text in header.unknown:
        parsed.problems.append(
            Problem(table.file_name, header.row, _short(text), "未识别的列，已忽略", WARNING)
        )
    return parsed


def parse_blocks(
    parsed: Parsed, block_rows: int | None = None, progress: Callable[[float], None] | None = None
) -> Iterator[pd.DataFrame]:
    """The typed data rows of ``parsed``'s table, ``block_rows`` at a time (None: all at once).

    Each block is checked row by row as it is yielded; the whole-file check (a key that
    occurs twice) follows the last block and records its errors in ``parsed`` (rows of
    earlier blocks included), so read every block before acting on ``parsed.bad_rows``.
    Only the block, the key digests (:class:`KeyTracker`) and the problems stay in memory.
    """
    spec = S.kind_spec(parsed.kind)
    table = parsed.table
    header = parsed.header
    header_norm = [S.normalize_header(cell_text(c)) for c in header.cells]
    first_header = next((i for i, h in enumerate(header_norm) if h), 0)
    columns = [(f, idx, spec.by_field[f]) for f, idx in header.columns.items()]
    shared: dict[str, dict] = {f: {} for f, _, col in columns if col.type not in _UNSHARED_TYPES}
    keys = KeyTracker() if all(k in header.columns for k in spec.key) else None
    kind = parsed.kind

    def new_block() -> tuple[dict[str, list[object]], list[bool], array]:
        return {f: [] for f in header.columns}, [], array("q")

    values, jkq, numbers = new_block()
    kept_bad = 0
    for i, (number, cells) in enumerate(table.iter_rows()):
        if i <= header.position:
            continue
        if progress is not None and i % 2_000 == 0:
            progress(_progress_fraction(i))
        if all(_blank(c) for c in cells):
            continue
        if (
            len(cells) > first_header
            and S.normalize_header(cell_text(cells[first_header])) == header_norm[first_header]
            and [S.normalize_header(cell_text(c)) for c in cells] == header_norm
        ):
            parsed.add(number, None, "重复的表头行，已跳过", WARNING)
            continue
        problems_before = len(parsed.cells)
        row_jkq = False
        for f, idx, col in columns:
            raw = cells[idx] if idx < len(cells) else None
            try:
                value = parse_cell(kind, col, raw)
            except CellError as exc:
                parsed.add(number, f, exc.fault if col.personal else str(exc), fault=exc.fault)
                value = None
            if col.type == S.INDUSTRY_CODE and isinstance(raw, int) and len(str(raw)) == 3:
                parsed.add(number, f, f"行业代码存成了数字（{raw}），开头的 0 可能已丢失：请核对，"
                           "并把该列设为文本格式", WARNING)  # fmt: skip
            if col.type == S.DISTRICT:
                row_jkq = bool(value and value[1])
                value = value[0] if value else None
            if value is not None and f in shared:
                # One object for each repeated value (codes, counts, choices) of a big file.
                cache = shared[f]
                value = cache.setdefault(value, value) if len(cache) < _SHARED_VALUES else cache.get(value, value)
            values[f].append(value)
        numbers.append(number)
        jkq.append(row_jkq)
        parsed.row_count += 1
        if parsed.row_count <= PREVIEW_KEEP:
            parsed.raw[number] = cells
        elif len(parsed.cells) > problems_before and kept_bad < PREVIEW_KEEP:
            parsed.raw[number] = cells
            kept_bad += 1
        if block_rows is not None and len(numbers) >= block_rows:
            yield _block(parsed, spec, values, jkq, numbers, keys)
            values, jkq, numbers = new_block()
    if not parsed.row_count:
        msg = f"表头（第 {header.row} 行）下没有数据行"
        raise ImportFileError(msg, [Problem(table.file_name, None, None, msg)])
    if numbers:
        yield _block(parsed, spec, values, jkq, numbers, keys)
    if keys is not None:
        _duplicates(parsed, spec, keys)


def _block(
    parsed: Parsed,
    spec: S.KindSpec,
    values: dict[str, list[object]],
    jkq: list[bool],
    numbers: array,
    keys: KeyTracker | None,
) -> pd.DataFrame:
    """A block's rows as a frame (index: row number), checked row by row."""
    index = pd.Index(np.frombuffer(numbers, dtype=np.int64).copy(), name="row")
    frame = {}
    for f in list(values):
        frame[f] = pd.Series(values.pop(f), index=index, dtype=object)
    frame["_jkq"] = pd.Series(jkq, index=index, dtype=bool)
    df = pd.DataFrame(frame)
    _row_checks(parsed, spec, df)
    if keys is not None:
        keys.add(df.index, (df[k] for k in spec.key))
    return df


class KeyTracker:
    """Keys seen in a file, for the whole-file duplicate check in bounded memory.

    Each complete key is kept as a 16-byte BLAKE2b digest of its values with its row
    number (24 bytes a row; two different keys share a digest with odds of about
    n² / 2¹²⁹, nil for any file).
    """

    def __init__(self) -> None:
        self._digests: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []

    def add(self, rows: Iterable[int], columns: Iterable[Iterable[object]]) -> None:
        """Record the keys of ``rows`` (one iterable of values per key column); keys with
        an empty part are skipped."""
        digests: list[bytes] = []
        kept: list[int] = []
        for row, *key in zip(rows, *columns, strict=True):
            if any(_blank_value(k) for k in key):
                continue
            digests.append(key_digest(key))
            kept.append(row)
        if kept:
            self._digests.append(np.frombuffer(b"".join(digests), dtype="S16"))
            self._rows.append(np.asarray(kept, dtype=np.int64))

    def groups(self) -> list[list[int]]:
        """Row numbers of each key that occurs more than once, in file order (groups in
        the order of their first row)."""
        if not self._rows:
            return []
        digests = np.concatenate(self._digests)
        rows = np.concatenate(self._rows)
        order = np.argsort(digests, kind="stable")
        sorted_digests = digests[order]
        starts = np.flatnonzero(np.r_[True, sorted_digests[1:] != sorted_digests[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        out = [np.sort(rows[order[a : a + n]]).tolist() for a, n in zip(starts, sizes, strict=True) if n > 1]
        out.sort(key=lambda g: g[0])
        return out


def key_digest(values: Iterable[object]) -> bytes:
    """16-byte digest of a key's parsed values (equal values, equal digest)."""
    text = "\x1f".join(f"{type(v).__name__}:{v!r}" for v in values)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _blank_value(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _short(text: str) -> str:
    from gsyf_geo.importing.limits import QUOTE_CHARS

    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


def _blank(cell: object) -> bool:
    try:
        return _clean(cell) is None
    except CellError:
        return False


class _RowView:
    """Row ``i`` of column lists, read like the row's dict."""

    __slots__ = ("_lists", "_i")

    def __init__(self, lists: dict[str, list], i: int) -> None:
        self._lists, self._i = lists, i

    def __getitem__(self, f: str) -> object:
        return self._lists[f][self._i]

    def get(self, f: str, default: object = None) -> object:
        column = self._lists.get(f)
        return default if column is None else column[self._i]


def _row_checks(parsed: Parsed, spec: S.KindSpec, df: pd.DataFrame) -> None:
    cols = set(df.columns)
    towns_out: list[object] = []
    districts_out: list[object] = []
    pairs = [(b, s) for b, s in (("employees", "insured"), ("key_staff", "key_staff_trained"),
                                 ("participants", "key_staff_trained")) if b in cols and s in cols]  # fmt: skip
    required = [f for f in spec.required_fields if f in cols]
    lists = {c: df[c].tolist() for c in df.columns}  # no dict per row: a big file stays small
    for i, number in enumerate(df.index.tolist()):
        row = _RowView(lists, i)
        for f in required:
            if row[f] is None and not _has_problem(parsed, number, f):
                parsed.add(number, f, "必填项为空")
        for big, small in pairs:
            if _num(row[big]) is not None and _num(row[small]) is not None and row[small] > row[big]:
                parsed.add(
                    number, small,
                    f"{parsed.column_of(small)}（{row[small]}）大于{parsed.column_of(big)}（{row[big]}）",
                )  # fmt: skip
        if (
            "injury_date" in cols
            and "recognition_date" in cols
            and row["injury_date"] is not None
            and row["recognition_date"] is not None
            and row["recognition_date"] < row["injury_date"]
        ):
            parsed.add(
                number, "recognition_date",
                f"{parsed.column_of('recognition_date')}（{row['recognition_date']}）早于"
                f"{parsed.column_of('injury_date')}（{row['injury_date']}）",
            )  # fmt: skip
        if "lon" in cols and "lat" in cols:
            lon, lat = _num(row["lon"]), _num(row["lat"])
            if (lon is None) != (lat is None):
                missing = "lat" if lat is None else "lon"
                if not _has_problem(parsed, number, missing):
                    parsed.add(number, missing, "经度和纬度须同时填写")
            elif lon is not None and 18 <= lon <= 54 and 73 <= lat <= 136:
                parsed.add(number, "lon", f"经度 {lon:g}、纬度 {lat:g} 可能填反了")
        district = row.get("district")
        town = row.get("town")
        if town is not None:
            code, town_district, warning = resolve_town(town, district)
            if warning:
                parsed.add(number, "town", warning, WARNING)
            town = code
            if district is None and town_district is not None:
                district = town_district
        towns_out.append(town)
        districts_out.append(district)
    if "town" in cols:
        df["town"] = pd.Series(towns_out, index=df.index, dtype=object)
    if "district" in cols:
        df["district"] = pd.Series(districts_out, index=df.index, dtype=object)


def _num(v: object) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v  # type: ignore[return-value]


def _has_problem(parsed: Parsed, row: int, f: str) -> bool:
    return (row, parsed.column_of(f)) in parsed.cells


def _duplicates(parsed: Parsed, spec: S.KindSpec, keys: KeyTracker) -> None:
    label = "、".join(parsed.column_of(k) for k in spec.key)
    for rows in keys.groups():
        listed = "、".join(str(r) for r in rows[:DUPLICATE_ROWS_LISTED])
        more = f" 等 {len(rows):,} 行" if len(rows) > DUPLICATE_ROWS_LISTED else " 行"
        message = f"{label}在文件中重复出现（第 {listed}{more}）"
        for r in rows:
            parsed.add(r, spec.key[0], message)
