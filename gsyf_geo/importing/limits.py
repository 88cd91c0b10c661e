"""Limits of an imported file, checked while it is read (never the whole workbook in memory).

Each limit has a default and an environment variable that overrides it (a positive whole
number; anything else keeps the default). ``docs/import_columns.md`` lists them (generated
from :data:`LIMIT_DOCS`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1024 * 1024
QUOTE_CHARS = 20  # a bad cell is quoted in messages by at most this many characters


@dataclass(frozen=True)
class ImportLimits:
    """What an import accepts.

    Attributes
    ----------
    max_bytes
        Size of the file as uploaded.
    max_rows
        Rows of the sheet (or CSV records), header and blank rows included.
    max_columns
        Columns of any row.
    max_cell_chars
        Characters of any one cell.
    max_unpacked_bytes
        XLSX: total size of the workbook's parts once unpacked (the zip's own record,
        read before anything is parsed).
    max_shared_strings_bytes
        XLSX: size of the shared-string part unpacked (it is read into memory whole).
    max_problems
        Problems kept in the list and the report; the rest are counted.
    """

    max_bytes: int = 300 * MB
    max_rows: int = 1_048_576
    max_columns: int = 200
    max_cell_chars: int = 2_000
    max_unpacked_bytes: int = 2_048 * MB
    max_shared_strings_bytes: int = 200 * MB
    max_problems: int = 1_000


# (attribute, environment variable, unit factor, Chinese description)
LIMIT_DOCS: tuple[tuple[str, str, int, str], ...] = (
    ("max_bytes", "GSYF_IMPORT_MAX_MB", MB, "文件大小（MB）"),
    ("max_rows", "GSYF_IMPORT_MAX_ROWS", 1, "行数（含表头和空行）"),
    ("max_columns", "GSYF_IMPORT_MAX_COLUMNS", 1, "列数"),
    ("max_cell_chars", "GSYF_IMPORT_MAX_CELL_CHARS", 1, "单个单元格的字符数"),
    ("max_unpacked_bytes", "GSYF_IMPORT_MAX_UNPACKED_MB", MB, "XLSX 解压后的总大小（MB）"),
    ("max_shared_strings_bytes", "GSYF_IMPORT_MAX_SHARED_STRINGS_MB", MB, "XLSX 共享字符串部分解压后的大小（MB）"),
    ("max_problems", "GSYF_IMPORT_MAX_PROBLEMS", 1, "问题清单列出的条数（其余只计数）"),
)


def import_limits() -> ImportLimits:
    """The limits in force: the defaults, overridden by the ``GSYF_IMPORT_*`` variables."""
    values = {}
    for attr, env, factor, _ in LIMIT_DOCS:
        raw = os.environ.get(env, "").strip()
        if raw.isdigit() and int(raw) > 0:
            values[attr] = int(raw) * factor
    return ImportLimits(**values)


def limits_markdown() -> list[str]:
    """The limits as Markdown lines (for ``docs/import_columns.md``)."""
    default = ImportLimits()
    lines = ["导入文件的上限（超过时整个文件不导入，并说明超出哪一项；可用环境变量调整）：", "",
             "| 项目 | 默认上限 | 环境变量 |", "|---|---|---|"]  # fmt: skip
    for attr, env, factor, label in LIMIT_DOCS:
        lines.append(f"| {label} | {getattr(default, attr) // factor:,} | `{env}` |")
    return lines


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """A cell for a message: at most ``limit`` characters, then "…", in Chinese quotes."""
    from gsyf_geo.importing.readers import cell_text

    text = cell_text(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return f"“{text}”"
