"""Scopes: the part of Changzhou a query may see (the city, a district, a reporting unit).

Every read and write of the store takes a scope, so that access control later restricts
every query, export and map layer in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from sqlalchemy import ColumnElement, Table, and_, true

from gsyf_geo.domain import (
    CITY_NAME,
    DISTRICT_BY_ADCODE,
    JKQ_CODE,
    REPORTING_UNIT_BY_CODE,
)


class ScopeError(PermissionError):
    """Raised when a write touches rows outside the caller's scope."""


@dataclass(frozen=True)
class Scope:
    """What part of the city a caller sees.

    ``district`` is the administrative district (武进 includes the 经开区 towns);
    ``unit`` is a reporting unit (武进 without 经开区, or 经开区 itself).
    """

    kind: Literal["city", "district", "unit"] = "city"
    code: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "city" and self.code is not None:
            raise ValueError("city scope takes no code")
        if self.kind == "district" and self.code not in DISTRICT_BY_ADCODE:
            raise ValueError(f"未知的区县代码：{self.code}")
        if self.kind == "unit" and self.code not in REPORTING_UNIT_BY_CODE:
            raise ValueError(f"未知的统计单元：{self.code}")

    @classmethod
    def city(cls) -> Scope:
        return cls("city")

    @classmethod
    def district(cls, adcode: str) -> Scope:
        return cls("district", adcode)

    @classmethod
    def unit(cls, code: str) -> Scope:
        return cls("unit", code)

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """Parse ``"city"``, ``"district:320412"`` or ``"unit:JKQ"`` (also a bare code)."""
        if not text or text == "city":
            return cls.city()
        if ":" in text:
            kind, code = text.split(":", 1)
            return cls(kind, code)  # type: ignore[arg-type]
        return cls.unit(text) if text in REPORTING_UNIT_BY_CODE else cls.district(text)

    def __str__(self) -> str:
        return "city" if self.kind == "city" else f"{self.kind}:{self.code}"

    @property
    def label(self) -> str:
        """Chinese name of the scope."""
        if self.kind == "city":
            return CITY_NAME
        if self.kind == "district":
            return DISTRICT_BY_ADCODE[self.code].name
        return REPORTING_UNIT_BY_CODE[self.code].name

    def clause(self, table: Table) -> ColumnElement[bool]:
        """SQL condition that keeps only the rows of ``table`` inside this scope."""
        if self.kind == "city":
            return true()
        if self.kind == "district":
            return table.c.district == self.code
        return and_(table.c.reporting_unit == self.code)

    def contains(self, district: np.ndarray, reporting_unit: np.ndarray) -> np.ndarray:
        """Vectorised membership test for rows given their district and reporting unit."""
        district = np.asarray(district, dtype=object)
        if self.kind == "city":
            return np.ones(district.shape, dtype=bool)
        if self.kind == "district":
            return district == self.code
        return np.asarray(reporting_unit, dtype=object) == self.code

    @property
    def is_jkq(self) -> bool:
        return self.kind == "unit" and self.code == JKQ_CODE


CITY = Scope.city()
