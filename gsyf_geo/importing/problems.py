"""Problems found in an imported file, and the exception for a file that cannot be read."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
LEVEL_NAMES = {ERROR: "错误", WARNING: "提示"}


@dataclass(frozen=True)
class Problem:
    """One problem, located as the user sees it.

    Attributes
    ----------
    file
        The file's name.
    row
        Spreadsheet row number (the header row keeps its own number; ``None``: the whole file).
    column
        The column header as written in the file (``None``: the whole row or file).
    message
        What is wrong, in Chinese.
    level
        ``"error"`` (the row, or the file, is rejected) or ``"warning"`` (kept, noted).
    fault
        The kind of fault without any cell content (``None``: ``message`` quotes none).
        What is kept after the import (the import history) uses it: see :attr:`safe_text`.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    level: str = ERROR
    fault: str | None = None

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def _where(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"“{self.column}”列")
        return "，".join(where)

    def __str__(self) -> str:
        return f"{self._where()}：{self.message}"

    @property
    def safe_text(self) -> str:
        """Row, column and the kind of fault, quoting no cell (for records kept and shown to all)."""
        return f"{self._where()}：{self.fault or self.message}"


class ImportFileError(Exception):
    """A file that cannot be imported at all (unreadable, no header, missing columns).

    ``problems`` holds the :class:`Problem` records; the message is the first one's text.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


BUSY_MESSAGE = "数据库正忙，请稍后重试"


class StoreBusyError(Exception):
    """The store stayed locked by another writer through every retry (message in Chinese)."""

    def __init__(self, message: str = BUSY_MESSAGE) -> None:
        super().__init__(message)


def is_store_busy(exc: BaseException) -> bool:
    """True for the error of a database locked by another writer (SQLite's "database is
    locked"/"busy", PostgreSQL's lock timeouts), wrapped by SQLAlchemy or not."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return any(s in text for s in ("database is locked", "database table is locked", "database is busy",
                                   "lock timeout", "could not obtain lock"))  # fmt: skip
