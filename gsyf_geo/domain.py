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


# 常州经济开发区 has administered these 武进 towns since 2020 (data/gazetteer/README.md).
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
# Every division number 01–97 is used by GB/T 4754-2017 (04 is 渔业; 79 土地管理业 is new in
# 2017 and moved 80–96 of GB/T 4754-2011 up by one), so no division inside a section is refused.


class IndustryGroup(StrEnum):
    ACCIDENT_PRONE = "accident_prone"  # 工伤事故高发
    DISEASE_PRONE = "disease_prone"  # 职业病高发


@dataclass(frozen=True)
class KeyIndustry:
    """A key industry of the plan (重点行业) and the code prefixes that define it.

    ``default_risk_class`` is not how an enterprise's default class is found: that comes
    from its own code through :func:`default_risk_class`, since one key industry spans
    several classes (化工: 26 is 六类, 25 七类, 27–29 四类). It is None for every industry of
    this catalogue; a plan file may give one for an industry the catalogue lacks (its
    ``risk_class``), for codes the division table leaves open.
    """

    id: str
    name: str
    group: IndustryGroup
    code_prefixes: tuple[str, ...]
    default_risk_class: int | None
    color: str


# 非煤矿山 is 08 黑色金属矿采选业, 09 有色金属矿采选业, 10 非金属矿采选业, 12 其他采矿业 and group 119
# 其他开采专业及辅助性活动 (mining contractors and exploration support for such mines). Not coal:
# 06 and group 111 煤炭开采和洗选专业及辅助性活动 (B1110) are coal mining. Not oil and gas: 07 and
# group 112 are wells, not mines; 矿安〔2022〕4号《关于加强非煤矿山安全生产工作的指导意见》 defines
# 非煤矿山企业 as 金属非金属矿山企业、尾矿库企业、地质勘探单位、采掘施工企业, without oil and gas, which
# has its own safety regime (and no production in 常州).
KEY_INDUSTRIES: tuple[KeyIndustry, ...] = (
    # Hazardous chemicals is a licence flag on an enterprise, not a code range.
    KeyIndustry("hazchem", "危险化学品", IndustryGroup.ACCIDENT_PRONE, (), None, "#b2182b"),
    KeyIndustry("chemical", "化工", IndustryGroup.ACCIDENT_PRONE,
                ("25", "26", "27", "28", "29"), None, "#e7298a"),
    KeyIndustry("construction", "建筑施工", IndustryGroup.ACCIDENT_PRONE,
                ("47", "48", "49", "50"), None, "#d95f02"),
    KeyIndustry("transport", "交通运输", IndustryGroup.ACCIDENT_PRONE,
                ("53", "54", "55", "56", "57", "58", "59", "60"), None, "#7570b3"),
    KeyIndustry("machinery", "机械制造", IndustryGroup.ACCIDENT_PRONE,
                ("33", "34", "35", "36", "37", "38"), None, "#1b9e77"),
    KeyIndustry("mining", "非煤矿山", IndustryGroup.DISEASE_PRONE,
                ("08", "09", "10", "119", "12"), None, "#8c510a"),
    KeyIndustry("metallurgy", "冶金", IndustryGroup.DISEASE_PRONE, ("31", "32"), None, "#525252"),
    KeyIndustry("building_materials", "建材", IndustryGroup.DISEASE_PRONE, ("30",), None,
                "#a6761d"),
    KeyIndustry("shipbuilding", "船舶制造", IndustryGroup.DISEASE_PRONE, ("373",), None,
                "#1f78b4"),
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


@dataclass(frozen=True)
class IndustryRiskRow:
    """One row of the industry risk-class table: a GB/T 4754-2017 code prefix and its class.

    ``table_name`` is the industry as the 2015 table names it (its GB/T 4754-2011 division),
    which is the row's citation; ``note`` says where GB/T 4754-2017 renumbered or renamed it.
    """

    prefix: str
    risk_class: int
    table_name: str
    note: str = ""


# 工伤保险行业风险分类表: the annex of 人社部发〔2015〕71号《人力资源社会保障部 财政部关于调整
# 工伤保险费率政策的通知》 (in force from 2015-10-01). It lists, under each class 一…八, the
# GB/T 4754-2011 divisions (大类) by name; its eight rows name all 96 divisions 01–96 of 2011.
# Text checked against public copies of the annex (e.g. ddtbk.com/techan/271213.html,
# 360docs.net/doc/3918510865.html). Enterprises here carry GB/T 4754-2017 codes, so each row
# below is keyed by the 2017 prefix of the division the 2015 table names:
# - 01–78 keep their 2011 numbers; a few were renamed (noted).
# - 2017 split 2011's 58 装卸搬运和运输代理业 (五类) and 59 仓储业 (二类) into 58 多式联运和运输代理业
#   and 59 装卸搬运和仓储业, so those rows go down to the group (中类): 582 运输代理业 (2011 582)
#   and 591 装卸搬运 (2011 581) are 五类, the rest of 59 (2011 59 仓储业) is 二类.
# - 2017 added 79 土地管理业, so 2011's 79–96 are 2017's 80–97.
# Left out, so :func:`default_risk_class` returns None: 581 多式联运 and 79 土地管理业, both new
# in 2017 and named by no row of the 2015 table. A province may refine classes within a
# division (e.g. by 中类); that is not modelled here.
INDUSTRY_RISK_TABLE: tuple[IndustryRiskRow, ...] = (
    IndustryRiskRow("01", 4, "农业"),
    IndustryRiskRow("02", 5, "林业"),
    IndustryRiskRow("03", 4, "畜牧业"),
    IndustryRiskRow("04", 6, "渔业"),
    IndustryRiskRow("05", 4, "农、林、牧、渔服务业", "2017: 农、林、牧、渔专业及辅助性活动"),
    IndustryRiskRow("06", 8, "煤炭开采和洗选业"),
    IndustryRiskRow("07", 7, "石油和天然气开采业"),
    IndustryRiskRow("08", 8, "黑色金属矿采选业"),
    IndustryRiskRow("09", 8, "有色金属矿采选业"),
    IndustryRiskRow("10", 8, "非金属矿采选业"),
    IndustryRiskRow("11", 5, "开采辅助活动", "2017: 开采专业及辅助性活动"),
    IndustryRiskRow("12", 7, "其他采矿业"),
    IndustryRiskRow("13", 3, "农副食品加工业"),
    IndustryRiskRow("14", 3, "食品制造业"),
    IndustryRiskRow("15", 3, "酒、饮料和精制茶制造业"),
    IndustryRiskRow("16", 3, "烟草制品业"),
    IndustryRiskRow("17", 3, "纺织业"),
    IndustryRiskRow("18", 4, "纺织服装、服饰业"),
    IndustryRiskRow("19", 4, "皮革、毛皮、羽毛及其制品和制鞋业"),
    IndustryRiskRow("20", 3, "木材加工和木、竹、藤、棕、草制品业"),
    IndustryRiskRow("21", 5, "家具制造业"),
    IndustryRiskRow("22", 5, "造纸和纸制品业"),
    IndustryRiskRow("23", 4, "印刷和记录媒介复制业"),
    IndustryRiskRow("24", 3, "文教、工美、体育和娱乐用品制造业"),
    IndustryRiskRow("25", 7, "石油加工、炼焦和核燃料加工业", "2017: 石油、煤炭及其他燃料加工业"),
    IndustryRiskRow("26", 6, "化学原料和化学制品制造业"),
    IndustryRiskRow("27", 4, "医药制造业"),
    IndustryRiskRow("28", 4, "化学纤维制造业"),
    IndustryRiskRow("29", 4, "橡胶和塑料制品业"),
    IndustryRiskRow("30", 6, "非金属矿物制品业"),
    IndustryRiskRow("31", 6, "黑色金属冶炼和压延加工业"),
    IndustryRiskRow("32", 6, "有色金属冶炼和压延加工业"),
    IndustryRiskRow("33", 4, "金属制品业"),
    IndustryRiskRow("34", 4, "通用设备制造业"),
    IndustryRiskRow("35", 4, "专用设备制造业"),
    IndustryRiskRow("36", 4, "汽车制造业"),
    IndustryRiskRow("37", 4, "铁路、船舶、航空航天和其他运输设备制造业"),
    IndustryRiskRow("38", 4, "电气机械和器材制造业"),
    IndustryRiskRow("39", 3, "计算机、通信和其他电子设备制造业"),
    IndustryRiskRow("40", 3, "仪器仪表制造业"),
    IndustryRiskRow("41", 3, "其他制造业"),
    IndustryRiskRow("42", 4, "废弃资源综合利用业"),
    IndustryRiskRow("43", 4, "金属制品、机械和设备修理业"),
    IndustryRiskRow("44", 4, "电力、热力生产和供应业"),
    IndustryRiskRow("45", 4, "燃气生产和供应业"),
    IndustryRiskRow("46", 3, "水的生产和供应业"),
    IndustryRiskRow("47", 6, "房屋建筑业"),
    IndustryRiskRow("48", 6, "土木工程建筑业"),
    IndustryRiskRow("49", 5, "建筑安装业"),
    IndustryRiskRow("50", 5, "建筑装饰和其他建筑业", "2017: 建筑装饰、装修和其他建筑业"),
    IndustryRiskRow("51", 2, "批发业"),
    IndustryRiskRow("52", 2, "零售业"),
    IndustryRiskRow("53", 4, "铁路运输业"),
    IndustryRiskRow("54", 5, "道路运输业"),
    IndustryRiskRow("55", 5, "水上运输业"),
    IndustryRiskRow("56", 4, "航空运输业"),
    IndustryRiskRow("57", 4, "管道运输业"),
    IndustryRiskRow("582", 5, "装卸搬运和运输代理业", "2017 582 运输代理业 = 2011 582"),
    IndustryRiskRow("59", 2, "仓储业", "2017 59 装卸搬运和仓储业 less 591 = 2011 59"),
    IndustryRiskRow("591", 5, "装卸搬运和运输代理业", "2017 591 装卸搬运 = 2011 581"),
    IndustryRiskRow("60", 2, "邮政业"),
    IndustryRiskRow("61", 2, "住宿业"),
    IndustryRiskRow("62", 2, "餐饮业"),
    IndustryRiskRow("63", 2, "电信、广播电视和卫星传输服务"),
    IndustryRiskRow("64", 2, "互联网和相关服务"),
    IndustryRiskRow("65", 1, "软件和信息技术服务业"),
    IndustryRiskRow("66", 1, "货币金融服务"),
    IndustryRiskRow("67", 1, "资本市场服务"),
    IndustryRiskRow("68", 1, "保险业"),
    IndustryRiskRow("69", 1, "其他金融业"),
    IndustryRiskRow("70", 2, "房地产业"),
    IndustryRiskRow("71", 2, "租赁业"),
    IndustryRiskRow("72", 2, "商务服务业"),
    IndustryRiskRow("73", 2, "研究和试验发展"),
    IndustryRiskRow("74", 2, "专业技术服务业"),
    IndustryRiskRow("75", 1, "科技推广和应用服务业"),
    IndustryRiskRow("76", 3, "水利管理业"),
    IndustryRiskRow("77", 3, "生态保护和环境治理业"),
    IndustryRiskRow("78", 3, "公共设施管理业"),
    IndustryRiskRow("80", 2, "居民服务业", "2011: 79"),
    IndustryRiskRow("81", 3, "机动车、电子产品和日用产品修理业", "2011: 80"),
    IndustryRiskRow("82", 2, "其他服务业", "2011: 81"),
    IndustryRiskRow("83", 2, "教育", "2011: 82"),
    IndustryRiskRow("84", 2, "卫生", "2011: 83"),
    IndustryRiskRow("85", 1, "社会工作", "2011: 84"),
    IndustryRiskRow("86", 2, "新闻和出版业", "2011: 85"),
    IndustryRiskRow("87", 1, "广播、电视、电影和影视录音制作业",
                    "2011: 86; 2017: 广播、电视、电影和录音制作业"),
    IndustryRiskRow("88", 2, "文化艺术业", "2011: 87"),
    IndustryRiskRow("89", 4, "体育", "2011: 88"),
    IndustryRiskRow("90", 3, "娱乐业", "2011: 89"),
    IndustryRiskRow("91", 1, "中国共产党机关", "2011: 90"),
    IndustryRiskRow("92", 1, "国家机构", "2011: 91"),
    IndustryRiskRow("93", 1, "人民政协、民主党派", "2011: 92"),
    IndustryRiskRow("94", 1, "社会保障", "2011: 93"),
    IndustryRiskRow("95", 1, "群众团体、社会团体和其他成员组织", "2011: 94"),
    IndustryRiskRow("96", 1, "基层群众自治组织", "2011: 95; 2017: 基层群众自治组织及其他组织"),
    IndustryRiskRow("97", 1, "国际组织", "2011: 96"),
)  # fmt: skip
_RISK_CLASS_BY_PREFIX: dict[str, int] = {r.prefix: r.risk_class for r in INDUSTRY_RISK_TABLE}


def default_risk_class(industry_code: str | None) -> int | None:
    """The default industry risk class (1–8) of a GB/T 4754-2017 code, or None.

    Looks the code up in :data:`INDUSTRY_RISK_TABLE` (人社部发〔2015〕71号), the longest
    matching prefix winning (so G5910 装卸搬运 is 五类 while G5920 通用仓储 is 二类). Returns
    None for a malformed code and for codes the table does not class (581 多式联运 and 79
    土地管理业, new in GB/T 4754-2017). An enterprise's own declared class, where known,
    takes precedence over this default; this is only the fallback.
    """
    norm = normalize_industry_code(industry_code) if industry_code else None
    if norm is None:
        return None
    digits = norm[1:]
    for n in range(len(digits), 1, -1):
        found = _RISK_CLASS_BY_PREFIX.get(digits[:n])
        if found is not None:
            return found
    return None


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
