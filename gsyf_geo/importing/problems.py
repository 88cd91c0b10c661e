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
    """

    file: str
    row: int | None
    column: str | None
    message: str
    level: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"“{self.column}”列")
        return f"{'，'.join(where)}：{self.message}"


class ImportFileError(Exception):
    """A file that cannot be imported at all (unreadable, no header, missing columns).

    ``problems`` holds the :class:`Problem` records; the message is the first one's text.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
