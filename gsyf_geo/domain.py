"""Domain constants of gsyf_geo, in one place.

Districts and the 经开区 reporting unit, the nine key industries of the plan and their
GB/T 4754-2017 code ranges, the eight work-injury risk classes, enterprise sizes, accident
types and training-base kinds. Pages, layers and analysis import these; nothing else
repeats them. Towns come from data (see :mod:`gsyf_geo.geography`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

CITY_ADCODE = "320400"
CITY_NAME = "常州市"

DEMO_LABEL = "演示数据（合成数据，非真实统计）"


@dataclass(frozen=True)
class District:
    """A county-level division of 常州市."""

    adcode: str
    name: str
    short_name: str


DISTRICTS: tuple[District, ...] = (
    District("320402", "天宁区", "天宁"),
    District("320404", "钟楼区", "钟楼"),
    District("320411", "新北区", "新北"),
    District("320412", "武进区", "武进"),
    District("320413", "金坛区", "金坛"),
    District("320481", "溧阳市", "溧阳"),
)
DISTRICT_BY_ADCODE: dict[str, District] = {d.adcode: d for d in DISTRICTS}
DISTRICT_BY_NAME: dict[str, District] = {
    **{d.name: d for d in DISTRICTS},
    **{d.short_name: d for d in DISTRICTS},
}


@dataclass(frozen=True)
class ReportingUnit:
    """A unit the city reports by: a district, or 经开区 carved out of 武进.

    ``town_codes`` is empty for a plain district (all its towns except those claimed by
    another unit); for 经开区 it lists the towns it administers.
    """

    code: str
    name: str
    short_name: str
    district_adcode: str
    town_codes: tuple[str, ...] = ()


# 常州经济开发区 has administered these 武进 towns since 2020 (shared/data/README.md).
JKQ_CODE = "JKQ"
JKQ_TOWN_CODES: tuple[str, ...] = (
    "320412105",  # 横林镇
    "320412104",  # 遥观镇
    "320412106",  # 横山桥镇
    "320412003",  # 潞城街道
    "320412002",  # 丁堰街道
    "320412001",  # 戚墅堰街道
)
JKQ = ReportingUnit(JKQ_CODE, "常州经济开发区", "经开区", "320412", JKQ_TOWN_CODES)

REPORTING_UNITS: tuple[ReportingUnit, ...] = (
    *(
        ReportingUnit(
            d.adcode,
            d.name + ("（不含经开区）" if d.adcode == JKQ.district_adcode else ""),
            d.short_name,
            d.adcode,
        )
        for d in DISTRICTS
    ),
    JKQ,
)
REPORTING_UNIT_BY_CODE: dict[str, ReportingUnit] = {u.code: u for u in REPORTING_UNITS}


def reporting_unit_for(district_adcode: str, town_code: str | None) -> str:
    """Return the reporting-unit code of a place given its district and town."""
    if town_code in JKQ_TOWN_CODES:
        return JKQ_CODE
    return district_adcode


# --- Industries --------------------------------------------------------------------------

# GB/T 4754-2017 sections (门类) by two-digit division (大类).
_SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50),
    "F": (51, 52), "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69),
    "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79), "O": (80, 82),
    "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}  # fmt: skip
# Division numbers not used by GB/T 4754-2017.
_UNUSED_DIVISIONS = frozenset({4})


class IndustryGroup(StrEnum):
    ACCIDENT_PRONE = "accident_prone"  # 工伤事故高发
    DISEASE_PRONE = "disease_prone"  # 职业病高发


@dataclass(frozen=True)
class KeyIndustry:
    """A key industry of the plan (重点行业) and the code prefixes that define it."""

    id: str
    name: str
    group: IndustryGroup
    code_prefixes: tuple[str, ...]
    default_risk_class: int
    color: str


KEY_INDUSTRIES: tuple[KeyIndustry, ...] = (
    # Hazardous chemicals is a licence flag on an enterprise, not a code range.
    KeyIndustry("hazchem", "危险化学品", IndustryGroup.ACCIDENT_PRONE, (), 5, "#b2182b"),
    KeyIndustry("chemical", "化工", IndustryGroup.ACCIDENT_PRONE,
                ("25", "26", "27", "28", "29"), 5, "#e7298a"),
    KeyIndustry("construction", "建筑施工", IndustryGroup.ACCIDENT_PRONE,
                ("47", "48", "49", "50"), 5, "#d95f02"),
    KeyIndustry("transport", "交通运输", IndustryGroup.ACCIDENT_PRONE,
                ("53", "54", "55", "56", "57", "58", "59", "60"), 4, "#7570b3"),
    KeyIndustry("machinery", "机械制造", IndustryGroup.ACCIDENT_PRONE,
                ("33", "34", "35", "36", "37", "38"), 4, "#1b9e77"),
    KeyIndustry("mining", "非煤矿山", IndustryGroup.DISEASE_PRONE,
                ("08", "09", "10", "11", "12"), 7, "#8c510a"),
    KeyIndustry("metallurgy", "冶金", IndustryGroup.DISEASE_PRONE, ("31", "32"), 6, "#525252"),
    KeyIndustry("building_materials", "建材", IndustryGroup.DISEASE_PRONE, ("30",), 6, "#a6761d"),
    KeyIndustry("shipbuilding", "船舶制造", IndustryGroup.DISEASE_PRONE, ("373",), 4, "#1f78b4"),
)  # fmt: skip
KEY_INDUSTRY_BY_ID: dict[str, KeyIndustry] = {k.id: k for k in KEY_INDUSTRIES}
KEY_INDUSTRY_BY_NAME: dict[str, KeyIndustry] = {k.name: k for k in KEY_INDUSTRIES}

_CODE_RE = re.compile(r"^([A-Ta-t])?\s*(\d{2,4})$")


def normalize_industry_code(code: str) -> str | None:
    """Return a GB/T 4754-2017 code as section letter plus digits (``"C2614"``), or None.

    Accepts codes with or without the section letter (``"2614"``, ``"C2614"``, ``"c 261"``).
    Returns None when the code is malformed, its division does not exist, or its letter
    does not match the division.
    """
    m = _CODE_RE.match(str(code).strip())
    if not m:
        return None
    letter, digits = m.group(1), m.group(2)
    division = int(digits[:2])
    if division in _UNUSED_DIVISIONS:
        return None
    section = next(
        (s for s, (lo, hi) in _SECTION_DIVISIONS.items() if lo <= division <= hi), None
    )
    if section is None or (letter and letter.upper() != section):
        return None
    return section + digits


def key_industry_for(code: str | None, hazchem_licence: bool = False) -> str | None:
    """Map an industry code (and the hazardous-chemicals licence flag) to a key industry id.

    The licence flag wins: a licensed enterprise is counted under 危险化学品 whatever its
    code. Otherwise the longest matching code prefix decides (so C373 is shipbuilding, not
    machinery). Returns None for an enterprise outside the nine key industries.
    """
    if hazchem_licence:
        return "hazchem"
    norm = normalize_industry_code(code) if code else None
    if norm is None:
        return None
    digits = norm[1:]
    best: tuple[int, str] | None = None
    for ind in KEY_INDUSTRIES:
        for prefix in ind.code_prefixes:
            if digits.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), ind.id)
    return best[1] if best else None


# --- Risk classes ------------------------------------------------------------------------

@dataclass(frozen=True)
class RiskClass:
    """One of the eight industry work-injury risk classes (人社部发〔2015〕71号)."""

    number: int
    name: str
    base_rate: float  # share of payroll


_RISK_RATES = (0.002, 0.004, 0.007, 0.009, 0.011, 0.013, 0.016, 0.019)
_CN_NUMERALS = "一二三四五六七八"
RISK_CLASSES: tuple[RiskClass, ...] = tuple(
    RiskClass(i + 1, f"{_CN_NUMERALS[i]}类", rate) for i, rate in enumerate(_RISK_RATES)
)
RISK_CLASS_BY_NUMBER: dict[int, RiskClass] = {r.number: r for r in RISK_CLASSES}


# --- Enterprise size ---------------------------------------------------------------------

@dataclass(frozen=True)
class SizeClass:
    id: str
    name: str
    min_employees: int  # inclusive


# Headcount thresholds of the industrial size standard (工信部联企业〔2011〕300号).
SIZE_CLASSES: tuple[SizeClass, ...] = (
    SizeClass("micro", "微型", 0),
    SizeClass("small", "小型", 20),
    SizeClass("medium", "中型", 300),
    SizeClass("large", "大型", 1000),
)


def size_class_for(employees: int) -> str:
    """Return the size class id for a headcount."""
    found = SIZE_CLASSES[0].id
    for s in SIZE_CLASSES:
        if employees >= s.min_employees:
            found = s.id
    return found


# --- Accidents, diseases, bases -----------------------------------------------------------

# GB 6441-1986 accident categories.
ACCIDENT_TYPES: tuple[str, ...] = (
    "物体打击", "车辆伤害", "机械伤害", "起重伤害", "触电", "淹溺", "灼烫", "火灾",
    "高处坠落", "坍塌", "冒顶片帮", "透水", "放炮", "火药爆炸", "瓦斯爆炸", "锅炉爆炸",
    "容器爆炸", "其他爆炸", "中毒和窒息", "其他伤害",
)  # fmt: skip

OCCUPATIONAL_DISEASES: tuple[str, ...] = ("尘肺病", "职业性噪声聋", "职业性化学中毒", "其他")
PNEUMOCONIOSIS = "尘肺病"
SHORT_DUST_EXPOSURE_YEARS = 5  # the plan's "接尘工龄不足5年"


class BaseStatus(StrEnum):
    EXISTING = "existing"  # 已建
    PLANNED = "planned"  # 规划
    CANDIDATE = "candidate"  # 候选


BASE_STATUS_NAMES: dict[str, str] = {"existing": "已建", "planned": "规划", "candidate": "候选"}
BASE_KINDS: tuple[str, ...] = ("安全体验中心", "技工院校", "工业园区", "大中型企业", "行业协会")

GEOCODE_SOURCES: tuple[str, ...] = ("file", "tianditu", "amap", "offline", "demo")
GEOCODE_PRECISIONS: tuple[str, ...] = ("exact", "street", "town", "district")

# Key positions whose training the plan counts: 分管负责人、安全管理部门主要负责人、一线班组长.
KEY_POSITIONS: tuple[str, ...] = ("分管负责人", "安全管理部门主要负责人", "一线班组长")
