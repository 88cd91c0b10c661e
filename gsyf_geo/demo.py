"""Synthetic demo data: a plausible, clearly labelled, entirely fictional 常州.

:func:`generate_demo` builds one DataFrame per store kind from a seed (pure, reproducible);
:func:`load_demo` replaces the demo rows of a :class:`~gsyf_geo.store.Store` with them in one
transaction. Every row is ``is_demo=True`` and the store records the seed
(setting ``demo_seed``) and size (``demo_enterprises``), so the UI can label it
(:data:`gsyf_geo.domain.DEMO_LABEL`).

Calibration (synthetic, from public figures of the 2021–2025 plan; see ``_INDUSTRY_MIX`` and
the other module constants):

- N key-industry enterprises (machinery 42%, construction 15%, chemical 10%, transport 12%,
  building materials 8%, metallurgy 8%, hazardous chemicals 3%, mining 1%, shipbuilding 1%),
  clustered by industry (chemicals at the 滨江 park in 春江/魏村 and salt chemicals in 金坛,
  quarries and building materials in 溧阳, metals and rail in 经开区, machinery across 武进
  and 新北, construction and transport by population). About 45 employees each on average
  (median ≈ 22, heavy tail, capped at 20,000), ~90% of them insured.
- City-wide insurance totals per reporting unit (1.48M in 2020 → 1.55M in 2021 → ≈1.97M in
  2025), ~1,500 construction projects a year and ~60 training-base candidates: these describe
  the whole city and do not scale with N.
- Year-end insurance snapshots from 2019 (so that 2020 has an average insured, like every
  other year).
- Work injuries at 35–50 per 10,000 average insured a year (excluding commuting, counted by
  recognition date), falling by ≥20% from 2020 to 2025 in 天宁, 钟楼, 新北 and 经开区 but less
  in 武进, 金坛 and 溧阳; commuting injuries ≈ 17.5% on top. Each injury is recognised
  after a lag (:func:`_recognition_lags`: most within 60 days, a tail up to a year), so
  injuries of late 2019 are recognised in 2020, and recognitions of late-2025 injuries run
  into 2026 (up to :data:`RECOGNITION_DATA_END`): counted by injury date, recent years are
  short until their recognitions finish.
- Three planted high-rate areas (:data:`PLANTED_HIGH_RATE_AREAS`: 横林, 奔牛, 溧城; 3 km
  around a fixed point, 2.5 times the injury frequency), the known answer of the hot-spot
  analysis.
- A 是否重点企业 flag on most enterprises (:func:`_key_enterprise_flags`), blank on the rest.
- Tens of new pneumoconiosis cases a year, mostly in building materials and mining in 武进 and
  溧阳, with the share of cases exposed for less than 5 years falling every year city-wide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from shapely.ops import nearest_points

from gsyf_geo.credit_code import CHAR_VALUE, CHARSET, ORG_WEIGHTS, WEIGHTS
from gsyf_geo.crs import from_metric, to_metric
from gsyf_geo.demo_activities import publicity_activities
from gsyf_geo.domain import (
    ACCIDENT_TYPES,
    DISTRICT_BY_ADCODE,
    DISTRICTS,
    JKQ_CODE,
    PNEUMOCONIOSIS,
    REPORTING_UNITS,
    BaseStatus,
    default_risk_class,
    reporting_unit_for,
)
from gsyf_geo.geography import districts, locate_district, towns
from gsyf_geo.metrics import KEY_ENTERPRISE_MIN_EMPLOYEES
from gsyf_geo.store import Store

DEMO_YEARS: tuple[int, ...] = (2020, 2021, 2022, 2023, 2024, 2025)
"""Years the demo covers: the 2020 baseline and the plan period 2021–2025."""
SNAPSHOT_YEARS: tuple[int, ...] = (2019, *DEMO_YEARS)
"""Year-end insurance snapshots: from 2019, the start stock of the 2020 average insured."""
RECOGNITION_DATA_END = date(2026, 6, 30)
"""Last recognition date of the demo: recognitions of late-2025 injuries run into 2026."""

# The order in which kinds are inserted (parents before children).
DEMO_KINDS: tuple[str, ...] = (
    "enterprise", "insurance_snapshot", "unit_year_total", "construction_project",
    "training_base", "work_injury", "disease_case", "training_record",
    "training_institution", "expert", "publicity_activity",
)  # fmt: skip

_INSERT_CHUNK = 50_000  # rows per Store.insert call, to bound memory for large N

# --- The result -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoData:
    """The generated demo city: one DataFrame per store kind.

    Columns are named as the model columns of :mod:`gsyf_geo.store.models`. Located kinds
    carry ``lon``/``lat`` (WGS-84), ``district`` and ``town_code``; the store derives
    ``x``/``y``/``geom``/``reporting_unit`` on insert. Dates are ``datetime64`` columns.
    ``batch_id`` is not set (:func:`load_demo` sets it).
    """

    enterprise: pd.DataFrame
    insurance_snapshot: pd.DataFrame
    unit_year_total: pd.DataFrame
    construction_project: pd.DataFrame
    training_base: pd.DataFrame
    work_injury: pd.DataFrame
    disease_case: pd.DataFrame
    training_record: pd.DataFrame
    training_institution: pd.DataFrame
    expert: pd.DataFrame
    publicity_activity: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        """The DataFrames by kind, in insertion order (parents first)."""
        return {kind: getattr(self, kind) for kind in DEMO_KINDS}

    def counts(self) -> dict[str, int]:
        """Row count per kind."""
        return {kind: len(df) for kind, df in self.frames().items()}


# --- Industries -----------------------------------------------------------------------------

# Share of the N enterprises per key industry (the brief's rough mix, rounded up to 100%:
# machinery +2 and construction/metallurgy +1 each, the rest as given).
_INDUSTRY_MIX: dict[str, float] = {
    "machinery": 0.42, "construction": 0.15, "transport": 0.12, "chemical": 0.10,
    "building_materials": 0.08, "metallurgy": 0.08, "hazchem": 0.03, "mining": 0.01,
    "shipbuilding": 0.01,
}  # fmt: skip

# GB/T 4754-2017 classes per industry: (code, weight, word used in company names).
_INDUSTRY_CODES: dict[str, tuple[tuple[str, float, str], ...]] = {
    "machinery": (
        ("C3311", 3, "钢结构"), ("C3411", 1, "锅炉"), ("C3441", 2, "泵业"),
        ("C3451", 3, "轴承"), ("C3484", 6, "精密机械"), ("C3511", 1, "矿山机械"),
        ("C3514", 2, "工程机械"), ("C3610", 0.3, "汽车"), ("C3670", 5, "汽车零部件"),
        ("C3716", 1, "轨道交通配件"), ("C3811", 2, "发电设备"), ("C3812", 4, "电机"),
        ("C3821", 2, "变压器"), ("C3841", 2, "新能源科技"),
    ),
    "construction": (
        ("E4710", 5, "建设工程"), ("E4790", 2, "建筑工程"), ("E4812", 1, "路桥工程"),
        ("E4813", 2, "市政工程"), ("E4910", 1.5, "电力安装工程"), ("E4920", 1.5, "安装工程"),
        ("E5011", 1, "装饰工程"), ("E5012", 1, "装饰装潢工程"),
    ),
    "transport": (
        ("G5431", 5, "物流"), ("G5435", 1.5, "危险品运输"), ("G5437", 1.5, "城市配送"),
        ("G5910", 1, "装卸搬运"), ("G5920", 1.5, "仓储"), ("G6020", 1.5, "快递"),
        ("G5821", 1, "货运代理"), ("G5421", 0.5, "客运"),
    ),
    "chemical": (
        ("C2614", 4, "化工"), ("C2619", 2, "化学"), ("C2631", 1, "农药化工"),
        ("C2641", 2, "涂料"), ("C2651", 2, "新材料"), ("C2661", 2, "化学助剂"),
        ("C2710", 1.5, "制药"), ("C2822", 1, "化纤"), ("C2927", 2, "塑料制品"),
    ),
    "hazchem": (
        ("C2614", 5, "化工"), ("C2619", 2, "化学"), ("C2641", 1.5, "涂料"),
        ("C2661", 2, "精细化工"), ("C2631", 1, "农药化工"),
    ),
    "building_materials": (
        ("C3011", 1, "水泥"), ("C3012", 1, "石灰"), ("C3021", 3, "水泥制品"),
        ("C3022", 2, "混凝土构件"), ("C3031", 2, "新型墙材"), ("C3041", 0.5, "玻璃"),
        ("C3061", 1, "玻纤"), ("C3089", 1, "耐火材料"), ("C3099", 2, "新型建材"),
    ),
    "metallurgy": (
        ("C3120", 1, "特钢"), ("C3130", 5, "钢管"), ("C3140", 1, "合金"),
        ("C3211", 0.5, "铜业"), ("C3216", 0.5, "铝业"), ("C3251", 2, "铜材"),
        ("C3252", 2, "铝材"),
    ),
    "mining": (
        ("B1011", 4, "矿业"), ("B1012", 2, "石材"), ("B1019", 3, "砂石"),
    ),
    "shipbuilding": (
        ("C3731", 4, "船舶"), ("C3734", 3, "船舶配套"), ("C3735", 1, "船舶修造"),
    ),
}  # fmt: skip

# Place-dependent classes: (industry, town codes, share of that industry's enterprises there
# that get one of these classes instead). Rail in 戚墅堰/丁堰/潞城, batteries in 金坛/溧阳,
# auto parts in 孟河 and 武进高新区, salt chemicals and salt mining in 金坛.
_LOCAL_CODES: tuple[tuple[str, tuple[str, ...], float, tuple[tuple[str, str], ...]], ...] = (
    ("machinery", ("320412001", "320412002", "320412003"), 0.5,
     (("C3712", "轨道交通装备"), ("C3716", "轨道交通配件"))),
    ("machinery", ("320413400", "320413402", "320481001"), 0.4, (("C3841", "动力电池"),)),
    ("machinery", ("320411101", "320412411"), 0.4, (("C3670", "汽车零部件"),)),
    ("chemical", ("320413106", "320413400"), 0.6, (("C2612", "盐化工"), ("C2613", "盐化"))),
    ("hazchem", ("320413106", "320413400"), 0.6, (("C2612", "氯碱化工"), ("C2613", "盐化工"))),
    ("mining", ("320413106",), 0.7, (("B1030", "盐矿"),)),
)  # fmt: skip

# Median headcount per industry before the lognormal tail (sigma _SIZE_SIGMA).
_SIZE_MEDIAN: dict[str, float] = {
    "machinery": 22, "construction": 30, "transport": 14, "chemical": 26, "hazchem": 24,
    "building_materials": 17, "metallurgy": 27, "mining": 16, "shipbuilding": 45,
}  # fmt: skip
_SIZE_SIGMA = 1.2
_MAX_EMPLOYEES = 20_000

# Relative work-injury frequency per insured person (normalised to the city rate below).
_INJURY_MULT: dict[str, float] = {
    "construction": 1.5, "mining": 1.6, "transport": 1.3, "metallurgy": 1.2,
    "shipbuilding": 1.2, "building_materials": 1.1, "machinery": 1.0, "chemical": 0.8,
    "hazchem": 0.7,
}  # fmt: skip
_BASELINE_ACCIDENT_RATE = 48.0  # per 10,000 insured in 2020, excluding commuting


@dataclass(frozen=True)
class PlantedArea:
    """A place where the demo's work-injury frequency is ``factor`` times that elsewhere."""

    name: str
    lon: float
    lat: float
    radius_m: float
    factor: float


PLANTED_HIGH_RATE_AREAS: tuple[PlantedArea, ...] = (
    PlantedArea("横林", 120.139, 31.711, 3_000.0, 2.5),
    PlantedArea("奔牛", 119.799, 31.823, 3_000.0, 2.5),
    PlantedArea("溧城", 119.480, 31.420, 3_000.0, 2.5),
)
"""Planted high-rate areas (no randomness): enterprises within ``radius_m`` of the centre
have ``factor`` times the injury frequency per insured person (before the city rate is
normalised), so that the hot-spot analysis (:mod:`gsyf_geo.analysis.hotspots`) has a known
answer to find in the demo city."""


def planted_rate_factor(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Injury-frequency factor of each location (1 outside :data:`PLANTED_HIGH_RATE_AREAS`)."""
    x, y = to_metric(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    x, y = np.atleast_1d(x), np.atleast_1d(y)
    factor = np.ones(x.shape)
    for area in PLANTED_HIGH_RATE_AREAS:
        cx, cy = to_metric(area.lon, area.lat)
        inside = np.hypot(x - float(cx), y - float(cy)) <= area.radius_m
        factor = np.where(inside, factor * area.factor, factor)
    return factor
_COMMUTING_SHARE = 0.175  # commuting injuries on top of the others
# 2025 against 2020 accident rate per reporting unit (the plan's target is −20%).
_UNIT_RATE_CHANGE: dict[str, float] = {
    "320402": -0.24, "320404": -0.22, "320411": -0.27, "320412": -0.15, "320413": -0.12,
    "320481": -0.08, JKQ_CODE: -0.25,
}  # fmt: skip

_FATAL_SHARE: dict[str, float] = {
    "construction": 0.010, "mining": 0.015, "hazchem": 0.008, "chemical": 0.006,
    "transport": 0.008, "metallurgy": 0.005, "shipbuilding": 0.005,
    "building_materials": 0.004, "machinery": 0.002,
}  # fmt: skip
_FATAL_SHARE_COMMUTING = 0.004

# GB 6441-1986 accident types per industry (relative weights; the rest is 其他伤害).
_ACCIDENT_WEIGHTS: dict[str, dict[str, float]] = {
    "construction": {"高处坠落": 30, "物体打击": 22, "坍塌": 8, "起重伤害": 8, "机械伤害": 8,
                     "触电": 5, "车辆伤害": 4, "其他伤害": 15},
    "machinery": {"机械伤害": 40, "物体打击": 15, "起重伤害": 10, "车辆伤害": 4, "高处坠落": 4,
                  "灼烫": 3, "触电": 3, "其他伤害": 21},
    "transport": {"车辆伤害": 55, "物体打击": 10, "起重伤害": 5, "高处坠落": 5, "机械伤害": 5,
                  "淹溺": 2, "其他伤害": 18},
    "chemical": {"机械伤害": 15, "灼烫": 15, "中毒和窒息": 12, "物体打击": 12, "高处坠落": 8,
                 "火灾": 4, "其他爆炸": 4, "车辆伤害": 4, "容器爆炸": 3, "起重伤害": 3,
                 "其他伤害": 20},
    "hazchem": {"中毒和窒息": 15, "灼烫": 15, "机械伤害": 12, "物体打击": 10, "其他爆炸": 6,
                "火灾": 6, "高处坠落": 6, "容器爆炸": 4, "车辆伤害": 4, "其他伤害": 22},
    "mining": {"物体打击": 20, "机械伤害": 14, "车辆伤害": 12, "冒顶片帮": 10, "坍塌": 8,
               "高处坠落": 8, "放炮": 6, "透水": 1, "火药爆炸": 1, "其他伤害": 20},
    "metallurgy": {"机械伤害": 20, "灼烫": 18, "起重伤害": 15, "物体打击": 15,
                   "中毒和窒息": 5, "高处坠落": 5, "车辆伤害": 4, "其他爆炸": 2, "锅炉爆炸": 1,
                   "其他伤害": 15},
    "building_materials": {"机械伤害": 25, "物体打击": 18, "车辆伤害": 10, "高处坠落": 8,
                           "起重伤害": 8, "灼烫": 5, "坍塌": 3, "触电": 3, "其他伤害": 20},
    "shipbuilding": {"物体打击": 18, "高处坠落": 15, "起重伤害": 15, "机械伤害": 12, "灼烫": 8,
                     "触电": 4, "中毒和窒息": 4, "火灾": 3, "淹溺": 3, "其他伤害": 18},
}  # fmt: skip

if any(t not in ACCIDENT_TYPES for w in _ACCIDENT_WEIGHTS.values() for t in w):
    raise RuntimeError("_ACCIDENT_WEIGHTS names an accident type outside ACCIDENT_TYPES")

# --- Places ---------------------------------------------------------------------------------

# Share of population and economic activity per reporting unit (also the split of the
# city-wide insurance totals).
_UNIT_SHARE: dict[str, float] = {
    "320402": 0.12, "320404": 0.12, "320411": 0.22, "320412": 0.30, JKQ_CODE: 0.08,
    "320413": 0.08, "320481": 0.08,
}  # fmt: skip
# Within a unit, towns weigh 1 except these (town centres up, lakes and hills down).
_TOWN_ACTIVITY: dict[str, float] = {
    "320412100": 3.0, "320412411": 1.8, "320412400": 1.5, "320412102": 1.5,
    "320412412": 0.7, "320412413": 0.4, "320412110": 0.7, "320411002": 1.5, "320411006": 1.4,
    "320411003": 1.3, "320411103": 1.2, "320413001": 1.5, "320413100": 1.2, "320413401": 0.3,
    "320481001": 1.5, "320481002": 1.5, "320481106": 0.6, "320404116": 1.2, "320402109": 1.2,
}  # fmt: skip

# Where each industry's enterprises are: "*" = by activity city-wide, "unit:X" = by activity
# within a reporting unit, a town code = that town. Weights are relative.
_INDUSTRY_PLACES: dict[str, tuple[tuple[str, float], ...]] = {
    "machinery": (
        ("unit:320412", 0.33), ("unit:320411", 0.27), ("unit:JKQ", 0.09),
        ("unit:320402", 0.04), ("unit:320404", 0.05), ("unit:320413", 0.06),
        ("unit:320481", 0.05), ("320412411", 0.04), ("320412400", 0.02),
        ("320411101", 0.03), ("320411104", 0.02),
    ),
    "construction": (("*", 1.0),),
    "transport": (
        ("*", 0.85), ("320411122", 0.05), ("320411005", 0.04), ("320412102", 0.03),
        ("320402109", 0.03),
    ),
    "chemical": (
        ("320411004", 0.30), ("320411005", 0.12), ("320413106", 0.10), ("320413400", 0.06),
        ("unit:320412", 0.15), ("unit:320411", 0.08), ("unit:JKQ", 0.04),
        ("unit:320402", 0.03), ("unit:320404", 0.02), ("unit:320481", 0.04),
        ("320412110", 0.03), ("320412120", 0.03),
    ),
    "hazchem": (
        ("320411004", 0.40), ("320411005", 0.15), ("320413106", 0.12), ("320413400", 0.08),
        ("unit:320412", 0.10), ("unit:320411", 0.05), ("unit:JKQ", 0.04),
        ("unit:320481", 0.03), ("unit:320402", 0.03),
    ),
    "building_materials": (
        ("unit:320481", 0.36), ("320481109", 0.06), ("320481116", 0.05), ("320481103", 0.04),
        ("unit:320412", 0.14), ("320412110", 0.06), ("320412106", 0.05),
        ("unit:320413", 0.08), ("320413109", 0.04), ("*", 0.12),
    ),
    "mining": (
        ("unit:320481", 0.56), ("320481109", 0.10), ("320481103", 0.08), ("320481116", 0.06),
        ("320413109", 0.08), ("320413106", 0.06), ("320412110", 0.06), ("320412106", 0.06),
    ),
    "metallurgy": (
        ("320412105", 0.18), ("320412104", 0.14), ("320412003", 0.05), ("320412001", 0.04),
        ("unit:320412", 0.20), ("320402109", 0.08), ("unit:320411", 0.10),
        ("320481001", 0.05), ("unit:320413", 0.04), ("*", 0.12),
    ),
    "shipbuilding": (("320411005", 0.50), ("320411004", 0.35), ("320411101", 0.15)),
}  # fmt: skip

# Part of 武进's polygon is Lake Taihu (a strip reaching south to 31.33°N); nobody works
# there. Demo points of 武进 south of this latitude are redrawn.
_WUJIN_LAKE_SOUTH_OF = 31.47
_ANCHOR_INSET_M = 1_500.0  # a town seed outside its district is pulled this far inside
_MAX_PLACEMENT_ROUNDS = 60

# --- Words for names and addresses ------------------------------------------------------------

_NAME_SYLLABLES = tuple(
    "华瑞恒丰鑫达盛晨宏泰润嘉源通远兴昌佳锦德信诚和安顺捷博宇航力凯天星明科创优聚隆正海龙腾"
    "辰越卓晟立宝新伟成益汇金峰舜澄"
)
_ROAD_STEMS = tuple(
    "长江 黄河 龙城 通江 太湖 人民 青洋 晋陵 延政 常武 武宜 汉江 华山 衡山 泰山 珠江 辽河 淮河 "
    "富民 兴业 振兴 工业 创业 科技 环湖 滨江 东方 南环 北环 西环 锦绣 和平 建设 新城 玉龙 腾龙 "
    "天山 嵩山 峨眉 金鸡 古方 花园 向阳 翠竹 梅园 清潭 劳动 红梅 丽华 茶花".split()
)
_ROAD_SUFFIXES = ("路", "路", "路", "大道", "中路", "东路", "西路", "南路", "北路", "街")
_RIVER_STEMS = ("运", "澡港", "北塘", "德胜", "扁担", "武南", "永安", "通济", "新孟", "采菱", "南")
_PHASES = ("一期", "二期", "三期", "四期")
_ESTATE_SUFFIXES = ("花园", "家园", "苑", "府", "雅居", "新村", "华庭")


# --- Small helpers ------------------------------------------------------------------------------


def _cat(*parts: object) -> np.ndarray:
    """Concatenate string arrays (or scalars) element-wise."""
    out = np.asarray(parts[0]).astype(str)
    for p in parts[1:]:
        out = np.char.add(out, np.asarray(p).astype(str))
    return out


def _zfill(values: np.ndarray, width: int) -> np.ndarray:
    """Integers as zero-padded strings."""
    text = np.asarray(values).astype(np.int64).astype(str)
    return np.strings.zfill(text, width) if text.size else text


def _alloc(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` into integer counts proportional to ``shares`` (largest remainder)."""
    shares = np.asarray(shares, dtype=float) / np.sum(shares)
    raw = shares * total
    counts = np.floor(raw).astype(np.int64)
    rest = total - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def _lookup(keys: object, mapping: dict) -> np.ndarray:
    """Map each key through ``mapping`` (vectorised; a missing key gives NaN)."""
    return pd.Series(np.asarray(keys, dtype=object)).map(mapping).to_numpy(dtype=object)


_DISTRICT_INDEX = {d: i for i, d in enumerate(DISTRICT_BY_ADCODE)}
_DISTRICT_NAMES = {d.adcode: d.name for d in DISTRICT_BY_ADCODE.values()}


def _pick(rng: np.random.Generator, words: tuple[str, ...], n: int) -> np.ndarray:
    return np.asarray(words)[rng.integers(0, len(words), n)]


def _weighted_index(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws of an index with probability proportional to ``weights``."""
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), len(cdf) - 1)


def _dates(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """A uniformly random day within each given year, as ``datetime64[D]``."""
    years = np.asarray(years, dtype=np.int64)
    start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    end = (years - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    length = (end - start).astype(np.int64)
    return start + np.floor(rng.random(len(years)) * length).astype("timedelta64[D]")


def _date_column(days: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(days, dtype="datetime64[D]").astype("datetime64[s]"))


# --- Geography ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _town_table() -> pd.DataFrame:
    """Towns with an anchor point inside their own district and a placement sigma."""
    t = towns().copy().reset_index(drop=True)
    t["short"] = t["name"].str.replace(r"(街道|镇)$", "", regex=True)
    lon = t["lon"].to_numpy(dtype=float).copy()
    lat = t["lat"].to_numpy(dtype=float).copy()
    dist = t["district_adcode"].to_numpy(dtype=object)
    inside = (locate_district(lon, lat) == dist) & ~_in_water(lon, lat, dist)
    if not inside.all():
        for i in np.flatnonzero(~inside):  # a handful of towns, once
            lon[i], lat[i] = _pull_inside(lon[i], lat[i], dist[i])
    t["anchor_lon"], t["anchor_lat"] = lon, lat
    street = t["name"].str.endswith("街道").to_numpy()
    outer = np.isin(dist, ["320413", "320481"])
    t["sigma_m"] = np.where(street, 1_500.0, np.where(outer, 3_000.0, 2_500.0))
    t["unit"] = [
        reporting_unit_for(d, c) for d, c in zip(t["district_adcode"], t["code"], strict=True)
    ]
    activity = t["code"].map(_TOWN_ACTIVITY).fillna(1.0).to_numpy(dtype=float)
    unit_total = pd.Series(activity).groupby(t["unit"].to_numpy()).transform("sum").to_numpy()
    t["activity"] = activity / unit_total * t["unit"].map(_UNIT_SHARE).to_numpy(dtype=float)
    return t


def _pull_inside(lon: float, lat: float, adcode: str) -> tuple[float, float]:
    """The point nearest (lon, lat) of district ``adcode`` shrunk by ``_ANCHOR_INSET_M``.

    Falls back to the district's representative point.
    """
    geom = districts().set_index("adcode").geometry[adcode]
    metric = shapely.transform(geom, lambda c: np.column_stack(to_metric(c[:, 0], c[:, 1])))
    shrunk = metric.buffer(-_ANCHOR_INSET_M)
    if not shrunk.is_empty:
        x, y = to_metric(lon, lat)
        target = nearest_points(shrunk, shapely.Point(x, y))[0]
        new_lon, new_lat = from_metric(target.x, target.y)
        new_lon, new_lat = round(float(new_lon), 6), round(float(new_lat), 6)
        if locate_district(new_lon, new_lat)[0] == adcode:
            return new_lon, new_lat
    rp = geom.representative_point()
    return round(rp.x, 6), round(rp.y, 6)


def _in_water(lon: np.ndarray, lat: np.ndarray, district: np.ndarray) -> np.ndarray:
    return (np.asarray(district, dtype=object) == "320412") & (
        np.asarray(lat) < _WUJIN_LAKE_SOUTH_OF
    )


def _place(
    rng: np.random.Generator,
    lon0: np.ndarray,
    lat0: np.ndarray,
    sigma_m: np.ndarray | float,
    district: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Scatter points around centres (Gaussian, metres) keeping each inside its district.

    Candidates outside the named district (or in the lake) are drawn again; after
    ``_MAX_PLACEMENT_ROUNDS`` rounds a point falls back to its centre, which must be inside.
    Coordinates are rounded to 1e-6° before the test, so the stored value is the tested one.
    """
    n = len(lon0)
    x0, y0 = to_metric(np.asarray(lon0, dtype=float), np.asarray(lat0, dtype=float))
    x0, y0 = np.atleast_1d(x0), np.atleast_1d(y0)
    sigma = np.broadcast_to(np.asarray(sigma_m, dtype=float), (n,))
    district = np.asarray(district, dtype=object)
    lon = np.round(np.asarray(lon0, dtype=float), 6)
    lat = np.round(np.asarray(lat0, dtype=float), 6)
    todo = np.arange(n)
    for _ in range(_MAX_PLACEMENT_ROUNDS):
        if todo.size == 0:
            break
        dx = rng.normal(0.0, 1.0, todo.size) * sigma[todo]
        dy = rng.normal(0.0, 1.0, todo.size) * sigma[todo]
        cl, cb = from_metric(x0[todo] + dx, y0[todo] + dy)
        cl, cb = np.round(np.atleast_1d(cl), 6), np.round(np.atleast_1d(cb), 6)
        ok = (locate_district(cl, cb) == district[todo]) & ~_in_water(cl, cb, district[todo])
        lon[todo[ok]], lat[todo[ok]] = cl[ok], cb[ok]
        todo = todo[~ok]
    return lon, lat


def _units_of(town_codes: object) -> np.ndarray:
    """Reporting unit of each town code (:func:`gsyf_geo.domain.reporting_unit_for`)."""
    t = _town_table()
    return _lookup(town_codes, dict(zip(t["code"], t["unit"], strict=True)))


def _town_weights(spec: tuple[tuple[str, float], ...]) -> np.ndarray:
    """Probability of each town (in :func:`_town_table` order) for a placement spec."""
    t = _town_table()
    activity = t["activity"].to_numpy(dtype=float)
    units = t["unit"].to_numpy(dtype=object)
    codes = t["code"].to_numpy(dtype=object)
    w = np.zeros(len(t))
    for target, weight in spec:
        if target == "*":
            part = activity / activity.sum()
        elif target.startswith("unit:"):
            mask = units == target[5:]
            part = np.where(mask, activity, 0.0)
            part = part / part.sum()
        else:
            part = (codes == target).astype(float)
            if part.sum() == 0:
                raise ValueError(f"unknown town {target}")
        w += weight * part
    return w / w.sum()


# --- Generators per kind ----------------------------------------------------------------------


def _credit_codes(rng: np.random.Generator, districts_: np.ndarray) -> np.ndarray:
    """Unique valid 统一社会信用代码: "91" + district adcode + organisation code + check."""
    n = len(districts_)
    charset = np.frombuffer(CHARSET.encode(), dtype=np.uint8)
    body = np.zeros((n, 8), dtype=np.int64)  # values 0..30 (charset positions)
    new_style = rng.random(n) < 0.75  # "MA" codes of enterprises registered since 2015
    k_new = int(new_style.sum())
    k_old = n - k_new
    new_ids = rng.choice(31**6, size=k_new, replace=False)
    old_ids = rng.choice(10**8, size=k_old, replace=False)
    new_body = np.zeros((k_new, 8), dtype=np.int64)
    new_body[:, 0], new_body[:, 1] = CHAR_VALUE["M"], CHAR_VALUE["A"]
    for pos in range(7, 1, -1):
        new_body[:, pos] = new_ids % 31
        new_ids //= 31
    old_body = np.zeros((k_old, 8), dtype=np.int64)
    for pos in range(7, -1, -1):
        old_body[:, pos] = old_ids % 10
        old_ids //= 10
    body[new_style], body[~new_style] = new_body, old_body
    # GB 11714 check digit: letters count as 10..35 by their alphabet position.
    ascii_body = charset[body].astype(np.int64)
    alpha_value = np.where(ascii_body >= ord("A"), ascii_body - 55, ascii_body - ord("0"))
    c9 = 11 - (alpha_value @ ORG_WEIGHTS) % 11
    org_check = np.where(c9 == 11, 0, np.where(c9 == 10, CHAR_VALUE["X"], c9))
    prefix = np.array([[CHAR_VALUE[c] for c in "91" + d] for d in DISTRICT_BY_ADCODE])
    dist_idx = _lookup(districts_, _DISTRICT_INDEX).astype(np.int64)
    values = np.column_stack([prefix[dist_idx], body, org_check])  # 17 positions
    check = (31 - (values @ WEIGHTS) % 31) % 31
    full = np.column_stack([values, check])
    chars = np.ascontiguousarray(charset[full])
    return chars.view("S18").ravel().astype(str)


def _enterprises(rng: np.random.Generator, n: int) -> pd.DataFrame:
    t = _town_table()
    ind_ids = list(_INDUSTRY_MIX)
    counts = _alloc(n, np.array([_INDUSTRY_MIX[k] for k in ind_ids]))
    ind_idx = rng.permutation(np.repeat(np.arange(len(ind_ids)), counts))
    industry = np.asarray(ind_ids, dtype=object)[ind_idx]

    # Towns, industry classes and name words, industry by industry.
    town_idx = np.zeros(n, dtype=np.int64)
    code = np.empty(n, dtype=object)
    word = np.empty(n, dtype=object)
    codes_t = t["code"].to_numpy(dtype=object)
    for k, ind in enumerate(ind_ids):
        rows = np.flatnonzero(ind_idx == k)
        if rows.size == 0:
            continue
        town_idx[rows] = _weighted_index(rng, _town_weights(_INDUSTRY_PLACES[ind]), rows.size)
        table = _INDUSTRY_CODES[ind]
        pick = _weighted_index(rng, np.array([w for _, w, _ in table]), rows.size)
        code[rows] = np.array([c for c, _, _ in table], dtype=object)[pick]
        word[rows] = np.array([wd for _, _, wd in table], dtype=object)[pick]
    for ind, local_towns, share, choices in _LOCAL_CODES:
        rows = np.flatnonzero((industry == ind) & np.isin(codes_t[town_idx], local_towns))
        hit = rows[rng.random(rows.size) < share]
        pick = rng.integers(0, len(choices), hit.size)
        code[hit] = np.array([c for c, _ in choices], dtype=object)[pick]
        word[hit] = np.array([wd for _, wd in choices], dtype=object)[pick]

    town_code = codes_t[town_idx]
    district = t["district_adcode"].to_numpy(dtype=object)[town_idx]
    unit = t["unit"].to_numpy(dtype=object)[town_idx]
    lon, lat = _place(
        rng,
        t["anchor_lon"].to_numpy()[town_idx],
        t["anchor_lat"].to_numpy()[town_idx],
        t["sigma_m"].to_numpy()[town_idx],
        district,
    )

    # Risk class: the default class of the enterprise's code, one class off now and then.
    default_risk = _default_risk(code)
    shift = rng.choice(np.array([-1, 0, 1]), size=n, p=[0.15, 0.70, 0.15])
    risk = np.clip(default_risk + shift, 1, 8)

    # Headcount: lognormal with a heavy tail, by industry.
    median = np.array([_SIZE_MEDIAN[k] for k in ind_ids], dtype=float)[ind_idx]
    employees = np.rint(median * np.exp(rng.normal(0.0, _SIZE_SIGMA, n)))
    employees = np.clip(employees, 3, _MAX_EMPLOYEES).astype(np.int64)

    # Enrolment: lower in small firms, construction and transport.
    base = np.select([employees < 20, employees < 300, employees < 1000], [0.80, 0.90, 0.95], 0.975)
    adjust = np.select(
        [industry == "construction", industry == "transport",
         np.isin(industry, ["chemical", "hazchem"])],
        [-0.10, -0.07, 0.02], 0.0,
    )  # fmt: skip
    rate = np.clip(base + adjust + rng.normal(0.0, 0.05, n), 0.3, 1.0)
    rate = np.where(rng.random(n) < 0.35, np.maximum(rate, 1.0), rate)  # many insure everyone
    insured = rng.binomial(employees, rate)

    # Key positions (分管负责人, 安全管理部门主要负责人, 一线班组长) and their training.
    key_staff = np.rint(3 + employees / 40).astype(np.int64)
    strict = np.isin(industry, ["hazchem", "chemical", "mining"])  # 100% due in 2021
    dusty = np.isin(industry, ["building_materials", "metallurgy"])
    trained_share = np.where(
        strict,
        np.where(rng.random(n) < 0.85, 1.0, rng.uniform(0.6, 1.0, n)),
        np.where(dusty, rng.beta(8, 1.2, n), rng.beta(4.5, 1.8, n)),
    )
    key_staff_trained = np.minimum(np.rint(key_staff * trained_share), key_staff).astype(np.int64)
    publicity = rng.random(n) < np.where(employees >= 300, 0.92, np.where(strict, 0.88, 0.78))

    # Demonstration units: ~40 city-wide, mostly large enterprises, 8 a year from 2021.
    n_demo = min(40, n // 20)
    demo_rows = rng.choice(n, size=n_demo, replace=False, p=employees**1.5 / np.sum(employees**1.5))
    demo_year = pd.array([None] * n, dtype="Int64")
    demo_year[demo_rows] = np.repeat(np.arange(2021, 2026), 8)[:n_demo]
    demonstration = np.zeros(n, dtype=bool)
    demonstration[demo_rows] = True

    # Names and addresses.
    prefix = np.select(
        [district == "320481", district == "320413", district == "320412"],
        ["溧阳市", "常州市金坛", "常州市武进"], "常州市",
    )  # fmt: skip
    prefix = np.where((prefix == "常州市") & (rng.random(n) < 0.3), "江苏", prefix)
    prefix = np.where(unit == JKQ_CODE, "常州", prefix)
    trade = _cat(_pick(rng, _NAME_SYLLABLES, n), _pick(rng, _NAME_SYLLABLES, n))
    suffix = np.where(
        employees >= 1000, np.where(rng.random(n) < 0.5, "股份有限公司", "集团有限公司"), "有限公司"
    )
    name = _cat(prefix, trade, word.astype(str), suffix)
    dname = _lookup(district, _DISTRICT_NAMES)
    road = _cat(_pick(rng, _ROAD_STEMS, n), _pick(rng, _ROAD_SUFFIXES, n))
    address = _cat(dname, t["name"].to_numpy()[town_idx], road, rng.integers(1, 999, n), "号")

    hazchem = industry == "hazchem"
    return pd.DataFrame(
        {
            "credit_code": _credit_codes(rng, district),
            "name": name,
            "industry_code": code.astype(str),
            "key_industry": industry.astype(str),
            "hazchem_licence": hazchem,
            "risk_class": risk.astype(np.int64),
            "address": address,
            "geocode_source": "demo",
            "geocode_precision": "exact",
            "outside_named_district": False,
            "employees": employees,
            "insured": insured.astype(np.int64),
            "key_staff": key_staff,
            "key_staff_trained": key_staff_trained,
            "publicity_reached": publicity,
            "demonstration_unit": demonstration,
            "demonstration_year": demo_year,
            "district": district.astype(str),
            "town_code": town_code.astype(str),
            "lon": lon,
            "lat": lat,
            "is_demo": True,
        }
    )


def _key_enterprise_flags(rng: np.random.Generator, ent: pd.DataFrame) -> pd.Series:
    """是否重点企业: set on 70% of enterprises, blank (the default rule applies) on the rest.

    A set flag mostly agrees with the default rule (≥20 employees or a 危险化学品 licence);
    a tenth of the small 危化品/化工/矿山 enterprises with at least 10 employees are named
    重点企业 anyway, and 3% of the larger ones are not.
    """
    n = len(ent)
    employees = ent["employees"].to_numpy()
    default = (employees >= KEY_ENTERPRISE_MIN_EMPLOYEES) | ent["hazchem_licence"].to_numpy(bool)
    strict = ent["key_industry"].isin(["hazchem", "chemical", "mining"]).to_numpy()
    u = rng.random(n)
    flag = np.where(~default & strict & (employees >= 10) & (u < 0.10), True, default)
    flag = np.where(default & (u > 0.97), False, flag)
    blank = rng.random(n) >= 0.70
    return pd.Series(pd.array(np.where(blank, None, flag), dtype="boolean"), index=ent.index)


def _snapshots(rng: np.random.Generator, ent: pd.DataFrame) -> pd.DataFrame:
    """Year-end (employees, insured) per enterprise, 2019–2025; 2025 equals the enterprise table."""
    n, years = len(ent), np.asarray(SNAPSHOT_YEARS)
    back = (years[-1] - years)[None, :]  # years before 2025
    emp25 = ent["employees"].to_numpy(dtype=np.int64)
    ins25 = ent["insured"].to_numpy(dtype=np.int64)
    growth = np.clip(rng.normal(0.03, 0.03, n), -0.05, 0.12)[:, None]
    employees = np.maximum(np.rint(emp25[:, None] / (1 + growth) ** back), 1).astype(np.int64)
    rate25 = ins25 / emp25
    drift = rng.uniform(0.0, 0.025, n)[:, None]  # enrolment improved by this much a year
    rate = np.clip(rate25[:, None] - drift * back, 0.0, 1.0)
    insured = np.minimum(np.rint(rate * employees), employees).astype(np.int64)
    employees[:, -1], insured[:, -1] = emp25, ins25
    unit = _units_of(ent["town_code"])
    return pd.DataFrame(
        {
            "credit_code": np.repeat(ent["credit_code"].to_numpy(), len(years)),
            "year": np.tile(years, n),
            "district": np.repeat(ent["district"].to_numpy(), len(years)),
            "reporting_unit": np.repeat(np.asarray(unit), len(years)),
            "employees": employees.ravel(),
            "insured": insured.ravel(),
            "is_demo": True,
        }
    )


# City-wide insured persons (all industries) at each year end and the flexible-employment part.
_CITY_INSURED = (1_480_000, 1_552_000, 1_640_000, 1_738_000, 1_852_000, 1_968_000)
_CITY_FLEXIBLE = (2_600, 4_900, 8_300, 11_600, 13_900, 15_800)
# Drift of each unit's share over the period (新北 and 武进 grow, the centre and 溧阳 less).
_UNIT_SHARE_DRIFT: dict[str, float] = {
    "320402": -0.004, "320404": -0.004, "320411": 0.010, "320412": 0.004, JKQ_CODE: 0.002,
    "320413": -0.002, "320481": -0.006,
}  # fmt: skip


def _unit_totals(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    codes = [u.code for u in REPORTING_UNITS]
    for yi, year in enumerate(DEMO_YEARS):
        frac = yi / (len(DEMO_YEARS) - 1)
        share = np.array([_UNIT_SHARE[c] + _UNIT_SHARE_DRIFT[c] * frac for c in codes])
        share = share * rng.uniform(0.99, 1.01, len(codes))
        share /= share.sum()
        total = _CITY_INSURED[yi] * rng.uniform(0.998, 1.002)
        insured = _alloc(int(round(total)), share)
        flex = _alloc(
            int(round(_CITY_FLEXIBLE[yi] * rng.uniform(0.97, 1.03))),
            share * rng.uniform(0.8, 1.2, len(codes)),
        )
        for u, ins, fl in zip(REPORTING_UNITS, insured, flex, strict=True):
            rows.append((u.code, year, u.district_adcode, int(ins), int(fl)))
    df = pd.DataFrame(
        rows, columns=["reporting_unit", "year", "district", "insured_total", "flexible_insured"]
    )
    df["is_demo"] = True
    return df


_PROJECT_KINDS = ("小区", "厂房", "道路", "桥梁")
_PROJECT_KIND_WEIGHTS = np.array([0.45, 0.30, 0.17, 0.08])
# Share of new projects insured by project (同舟计划), 2020 → 2025, and per-district offsets.
_PROJECT_INSURED_FROM, _PROJECT_INSURED_TO = 0.85, 0.95
_PROJECT_INSURED_OFFSET: dict[str, float] = {
    "320402": 0.02, "320404": 0.01, "320411": 0.02, "320412": 0.0, "320413": -0.04,
    "320481": -0.05,
}  # fmt: skip


def _projects(rng: np.random.Generator, ent: pd.DataFrame) -> pd.DataFrame:
    t = _town_table()
    per_year = rng.integers(1_440, 1_581, len(DEMO_YEARS))
    year = np.repeat(np.asarray(DEMO_YEARS), per_year)
    n = len(year)
    town_idx = _weighted_index(rng, _town_weights(_INDUSTRY_PLACES["construction"]), n)
    district = t["district_adcode"].to_numpy(dtype=object)[town_idx]
    lon, lat = _place(
        rng,
        t["anchor_lon"].to_numpy()[town_idx],
        t["anchor_lat"].to_numpy()[town_idx],
        t["sigma_m"].to_numpy()[town_idx],
        district,
    )
    start = _dates(rng, year)
    kind = _weighted_index(rng, _PROJECT_KIND_WEIGHTS, n)

    # Cost (万元), workers and insurance by project.
    cost = np.exp(rng.normal(np.log(3_000), 1.2, n)) * np.where(kind == 0, 1.6, 1.0)
    cost = np.round(np.clip(cost, 20.0, 500_000.0), 1)
    workers = np.clip(np.rint(12 * np.sqrt(cost) * rng.lognormal(0.0, 0.3, n) / 6), 20, 800)
    dist_codes = list(_PROJECT_INSURED_OFFSET)
    grid = (
        np.linspace(_PROJECT_INSURED_FROM, _PROJECT_INSURED_TO, len(DEMO_YEARS))[None, :]
        + np.array([_PROJECT_INSURED_OFFSET[d] for d in dist_codes])[:, None]
        + rng.normal(0.0, 0.015, (len(dist_codes), len(DEMO_YEARS)))
    )
    grid = np.clip(grid, 0.75, 0.99)
    d_idx = np.array([dist_codes.index(d) for d in DISTRICT_BY_ADCODE])  # adcode order
    row_d = _lookup(district, _DISTRICT_INDEX).astype(np.int64)
    p_insured = grid[d_idx[row_d], year - DEMO_YEARS[0]]
    insured_by_project = rng.random(n) < p_insured

    # Contractors: a construction enterprise of the same district, weighted by size.
    contractor = np.full(n, None, dtype=object)
    builders = ent[ent["key_industry"] == "construction"]
    uses_local = rng.random(n) < 0.7
    for d in DISTRICT_BY_ADCODE:
        rows = np.flatnonzero((district == d) & uses_local)
        pool = builders[builders["district"] == d]
        if pool.empty:
            pool = builders
        if pool.empty or rows.size == 0:
            continue
        pick = _weighted_index(rng, pool["employees"].to_numpy(dtype=float), rows.size)
        contractor[rows] = pool["credit_code"].to_numpy()[pick]

    # Names and codes: 320411-2021-0001, numbered by start date within district and year.
    short = t["short"].to_numpy()[town_idx]
    trade = _cat(_pick(rng, _NAME_SYLLABLES, n), _pick(rng, _NAME_SYLLABLES, n))
    phase = _pick(rng, _PHASES, n)
    road = _cat(_pick(rng, _ROAD_STEMS, n), _pick(rng, _ROAD_SUFFIXES, n))
    stem = np.select(
        [kind == 0, kind == 1, kind == 2],
        [
            _cat(short, trade, _pick(rng, _ESTATE_SUFFIXES, n), phase),
            _cat(short, trade, "智能制造", phase),
            _cat(road, "改扩建"),
        ],
        _cat(road, "跨", _pick(rng, _RIVER_STEMS, n), "河"),
    )
    names = _cat(stem, np.asarray(_PROJECT_KINDS)[kind], "工程")
    order = np.lexsort((np.arange(n), start, row_d, year))
    seq = np.empty(n, dtype=np.int64)
    key = year[order] * 10 + row_d[order]
    first = np.searchsorted(key, key, side="left")
    seq[order] = np.arange(n) - first + 1
    code = _cat(district.astype(str), "-", year, "-", _zfill(seq, 4))
    df = pd.DataFrame(
        {
            "project_code": code,
            "name": names,
            "start_date": _date_column(start),
            "cost_wan_yuan": cost,
            "workers": workers.astype(np.int64),
            "insured_by_project": insured_by_project,
            "contractor_credit_code": contractor,
            "geocode_source": "demo",
            "geocode_precision": "exact",
            "outside_named_district": False,
            "district": district.astype(str),
            "town_code": t["code"].to_numpy()[town_idx].astype(str),
            "lon": lon,
            "lat": lat,
            "is_demo": True,
        }
    )
    return df.iloc[order].reset_index(drop=True)


# Bases that exist or are planned: (code, name, kind, status, year, town code, capacity).
_BASES: tuple[tuple[str, str, str, str, int, str, int], ...] = (
    ("BASE-001", "常州市建筑施工安全体验中心", "安全体验中心", "existing", 2021, "320404003", 300),
    ("BASE-002", "常州技师学院工伤预防宣传培训基地", "技工院校", "existing", 2021, "320411002", 240),
    ("BASE-003", "武进高新区装备制造企业工伤预防实训基地", "大中型企业", "existing", 2022,
     "320412411", 150),
    ("BASE-004", "滨江化工园区危险化学品工伤预防培训基地", "工业园区", "existing", 2022,
     "320411004", 200),
    ("BASE-005", "溧阳市建材行业粉尘危害防治培训基地", "行业协会", "existing", 2023, "320481109", 120),
    ("BASE-006", "经开区轨道交通装备工伤预防实训基地", "大中型企业", "existing", 2023, "320412001", 180),
    ("BASE-007", "金坛盐化工产业园工伤预防培训基地", "工业园区", "existing", 2024, "320413106", 150),
    ("BASE-008", "常州交通运输安全驾驶培训基地", "技工院校", "existing", 2024, "320402005", 260),
    ("BASE-009", "武进区建筑施工安全体验馆", "安全体验中心", "existing", 2025, "320412100", 220),
    ("BASE-010", "新北区机械行业工伤预防培训基地", "行业协会", "planned", 2025, "320411006", 160),
    ("BASE-011", "金坛区工伤预防宣传培训基地", "技工院校", "planned", 2025, "320413001", 200),
)  # fmt: skip
# The construction safety experience centre of 钟楼经济开发区 (given, not scattered).
_EXPERIENCE_CENTRE = (119.905, 31.788)

# Candidate sites: industrial parks where industries cluster, schools and associations.
_PARKS: tuple[tuple[str, str], ...] = (
    ("320411004", "春江精细化工产业园"), ("320411005", "魏村临江产业园"),
    ("320411104", "罗溪智能制造产业园"), ("320411101", "孟河汽摩配件产业园"),
    ("320411006", "新桥装备制造产业园"), ("320412411", "武进高新区装备制造产业园"),
    ("320412400", "武进经开区新能源产业园"), ("320412102", "牛塘工具五金产业园"),
    ("320412103", "洛阳机电产业园"), ("320412110", "雪堰建材产业园"),
    ("320412105", "横林金属材料产业园"), ("320412104", "遥观钢管产业园"),
    ("320412001", "戚墅堰轨道交通产业园"), ("320413106", "直溪盐化工产业园"),
    ("320413400", "金坛经开区动力电池产业园"), ("320413402", "华罗庚高新区先进制造产业园"),
    ("320481001", "昆仑新能源产业园"), ("320481109", "上兴建材产业园"),
    ("320404116", "邹区机电产业园"), ("320402109", "郑陆冶金机械产业园"),
)  # fmt: skip
_SCHOOL_TOWNS = (
    "320402005", "320404001", "320411002", "320412100", "320413001", "320481002", "320412001",
    "320411003", "320412411", "320481001",
)  # fmt: skip
_ASSOCIATIONS: tuple[tuple[str, str], ...] = (
    ("320402005", "天宁区交通运输行业协会"), ("320404001", "钟楼区建筑业协会"),
    ("320411002", "新北区化工行业协会"), ("320411006", "新北区机械行业协会"),
    ("320412100", "武进区建筑业协会"), ("320412411", "武进区机械行业协会"),
    ("320412003", "常州经开区冶金行业协会"), ("320413001", "金坛区化工行业协会"),
    ("320481002", "溧阳市建材行业协会"), ("320481001", "溧阳市矿山安全协会"),
)  # fmt: skip
_N_CANDIDATE_ENTERPRISES = 20


def _training_bases(rng: np.random.Generator, ent: pd.DataFrame) -> pd.DataFrame:
    t = _town_table().set_index("code")
    rows: list[dict[str, object]] = []
    for code, name, kind, status, year, town, capacity in _BASES:
        rows.append(
            dict(
                site_code=code,
                name=name,
                kind=kind,
                status=status,
                year=year,
                town_code=town,
                capacity=capacity,
                sigma=800.0,
            )
        )
    schools = _pick(rng, _NAME_SYLLABLES, 2 * len(_SCHOOL_TOWNS)).reshape(-1, 2)
    cands: list[dict[str, object]] = []
    for town, park in _PARKS:
        cands.append(
            dict(name=park + "工伤预防培训点", kind="工业园区", town_code=town, sigma=1200.0)
        )
    for town, (a, b) in zip(_SCHOOL_TOWNS, schools, strict=True):
        dist = DISTRICT_BY_ADCODE[t.loc[town, "district_adcode"]].short_name
        cands.append(
            dict(name=f"常州市{dist}{a}{b}技工学校", kind="技工院校", town_code=town, sigma=800.0)
        )
    for town, assoc in _ASSOCIATIONS:
        cands.append(
            dict(name=assoc + "工伤预防宣传点", kind="行业协会", town_code=town, sigma=800.0)
        )
    base = pd.DataFrame(rows + cands)
    n_fixed = len(rows)
    base.loc[n_fixed:, "status"] = "candidate"
    base.loc[n_fixed:, "year"] = None
    base.loc[n_fixed:, "capacity"] = rng.integers(5, 51, len(cands)) * 10
    town = base["town_code"].to_numpy(dtype=object)
    district = t.loc[town, "district_adcode"].to_numpy(dtype=object)
    lon, lat = _place(
        rng,
        t.loc[town, "anchor_lon"].to_numpy(),
        t.loc[town, "anchor_lat"].to_numpy(),
        base["sigma"].to_numpy(dtype=float),
        district,
    )
    lon[0], lat[0] = _EXPERIENCE_CENTRE  # BASE-001 at its known place
    base["lon"], base["lat"], base["district"] = lon, lat, district

    # Large enterprises as candidate sites, at their own place.
    big = ent.sort_values(["employees", "credit_code"], ascending=[False, True]).head(
        _N_CANDIDATE_ENTERPRISES
    )
    big_rows = pd.DataFrame(
        {
            "name": big["name"].to_numpy() + "工伤预防实训点",
            "kind": "大中型企业",
            "status": "candidate",
            "year": None,
            "town_code": big["town_code"].to_numpy(),
            "capacity": rng.integers(5, 31, len(big)) * 10,
            "lon": big["lon"].to_numpy(),
            "lat": big["lat"].to_numpy(),
            "district": big["district"].to_numpy(),
        }
    )
    out = pd.concat([base.drop(columns="sigma"), big_rows], ignore_index=True)
    is_cand = (out["status"] == BaseStatus.CANDIDATE.value).to_numpy()
    out.loc[is_cand, "site_code"] = _cat("CAND-", _zfill(np.arange(1, is_cand.sum() + 1), 3))
    dname = _lookup(out["district"], _DISTRICT_NAMES)
    tname = t.loc[out["town_code"].to_numpy(dtype=object), "name"].to_numpy()
    road = _cat(_pick(rng, _ROAD_STEMS, len(out)), _pick(rng, _ROAD_SUFFIXES, len(out)))
    address = _cat(dname, tname, road, rng.integers(1, 999, len(out)), "号")
    return pd.DataFrame(
        {
            "site_code": out["site_code"].astype(str),
            "name": out["name"].astype(str),
            "kind": out["kind"].astype(str),
            "status": out["status"].astype(str),
            "year": pd.array(out["year"].tolist(), dtype="Int64"),
            "capacity": out["capacity"].astype(np.int64),
            "address": address,
            "geocode_source": "demo",
            "geocode_precision": "exact",
            "outside_named_district": False,
            "district": out["district"].astype(str),
            "town_code": out["town_code"].astype(str),
            "lon": out["lon"].astype(float),
            "lat": out["lat"].astype(float),
            "is_demo": True,
        }
    )


def _unit_trends(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Accident-rate factor per reporting unit and year (1 in 2020)."""
    codes = [u.code for u in REPORTING_UNITS]
    steps = np.linspace(0.0, 1.0, len(DEMO_YEARS))
    trend = np.empty((len(codes), len(DEMO_YEARS)))
    for i, c in enumerate(codes):
        path = 1.0 + _UNIT_RATE_CHANGE[c] * steps
        wobble = rng.normal(0.0, 0.025, len(DEMO_YEARS))
        wobble[0] = wobble[-1] = 0.0
        trend[i] = path * (1.0 + wobble)
    return codes, trend


def _default_risk(codes: np.ndarray) -> np.ndarray:
    """Default risk class of each industry code (人社部发〔2015〕71号 table)."""
    by_code = {c: default_risk_class(c) for c in set(codes)}
    unclassed = sorted(c for c, r in by_code.items() if r is None)
    if unclassed:
        raise RuntimeError(f"demo industry codes without a default risk class: {unclassed}")
    return np.array([by_code[c] for c in codes], dtype=np.int64)


def _recognition_lags(rng: np.random.Generator, m: int) -> np.ndarray:
    """Days from injury to recognition: 85% within 60 days (median ≈ 30), a tail to a year."""
    short = np.clip(np.rint(rng.gamma(4.0, 8.0, m)), 5, 60)
    long = np.clip(np.rint(60 + rng.exponential(70.0, m)), 61, 365)
    return np.where(rng.random(m) < 0.85, short, long).astype(np.int64)


def _injuries(
    rng: np.random.Generator, ent: pd.DataFrame, snap: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    n, ny = len(ent), len(DEMO_YEARS)
    industry = ent["key_industry"].to_numpy(dtype=object)
    ind_ids = list(_INDUSTRY_MIX)
    ind_idx = _lookup(industry, {k: i for i, k in enumerate(ind_ids)}).astype(np.int64)
    # Exposure of a year: the average insured (mean of the previous and this year end).
    stock = snap["insured"].to_numpy(dtype=float).reshape(n, len(SNAPSHOT_YEARS))
    ins = (stock[:, :-1] + stock[:, 1:]) / 2.0
    default_risk = _default_risk(ent["industry_code"].to_numpy(dtype=object))
    mult = np.array([_INJURY_MULT[k] for k in ind_ids])[ind_idx]
    mult = mult * (1.0 + 0.12 * (ent["risk_class"].to_numpy() - default_risk))
    mult = mult * planted_rate_factor(ent["lon"].to_numpy(float), ent["lat"].to_numpy(float))
    codes, trend = _unit_trends(rng)
    unit = _units_of(ent["town_code"])
    unit_idx = _lookup(unit, {c: i for i, c in enumerate(codes)}).astype(np.int64)
    lam = ins * mult[:, None] * trend[unit_idx]
    scale = _BASELINE_ACCIDENT_RATE / 10_000 * ins[:, 0].sum() / max(lam[:, 0].sum(), 1e-9)
    lam *= scale
    # Poisson per enterprise-year conditioned on each unit-year total (a multinomial split of
    # the expected count), so that the designed unit trends show at any N; commuting
    # injuries are plain Poisson.
    k_work = np.zeros((n, ny), dtype=np.int64)
    for ui in range(len(codes)):
        rows = np.flatnonzero(unit_idx == ui)
        for yi in range(ny):
            cell = lam[rows, yi]
            total = cell.sum()
            if total > 0:
                k_work[rows, yi] = rng.multinomial(int(round(total)), cell / total)
    k_comm = rng.poisson(lam * _COMMUTING_SHARE)
    cell_w = np.repeat(np.arange(n * ny), k_work.ravel())
    cell_c = np.repeat(np.arange(n * ny), k_comm.ravel())
    cell = np.concatenate([cell_w, cell_c])
    commuting = np.concatenate([np.zeros(cell_w.size, bool), np.ones(cell_c.size, bool)])
    e, yi = cell // ny, cell % ny
    year = np.asarray(DEMO_YEARS)[yi]  # the year of recognition
    m = cell.size
    day = _dates(rng, year)  # recognition date

    # Accident types by industry; commuting accidents are traffic accidents.
    accident = np.empty(m, dtype=object)
    for k, ind in enumerate(ind_ids):
        rows = np.flatnonzero(ind_idx[e] == k)
        weights = _ACCIDENT_WEIGHTS[ind]
        types = np.array(list(weights), dtype=object)
        accident[rows] = types[_weighted_index(rng, np.array(list(weights.values())), rows.size)]
    accident[commuting] = "车辆伤害"
    fatal_p = np.array([_FATAL_SHARE[k] for k in ind_ids])[ind_idx[e]]
    fatal = rng.random(m) < np.where(commuting, _FATAL_SHARE_COMMUTING, fatal_p)

    # Place: the enterprise; construction accidents at a project of the same unit and year.
    lon = ent["lon"].to_numpy(dtype=float)[e]
    lat = ent["lat"].to_numpy(dtype=float)[e]
    district = ent["district"].to_numpy(dtype=object)[e]
    town = ent["town_code"].to_numpy(dtype=object)[e]
    inj_unit = unit[e]
    site = np.flatnonzero((industry[e] == "construction") & ~commuting)
    if site.size and len(projects):
        p_unit = _units_of(projects["town_code"])
        p_year = projects["start_date"].dt.year.to_numpy()
        groups = (
            pd.DataFrame({"unit": inj_unit[site], "year": year[site]})
            .groupby(["unit", "year"], sort=True)
            .indices
        )
        for (u, y), members in groups.items():
            pool = np.flatnonzero((p_unit == u) & (p_year == y))
            if pool.size == 0:
                continue
            rows = site[members]
            chosen = pool[rng.integers(0, pool.size, rows.size)]
            lon[rows] = projects["lon"].to_numpy()[chosen]
            lat[rows] = projects["lat"].to_numpy()[chosen]
            town[rows] = projects["town_code"].to_numpy(dtype=object)[chosen]
        lon[site], lat[site] = _place(rng, lon[site], lat[site], 200.0, district[site])

    # Injury dates: the recognition date less a lag (drawn last, so nothing above changes).
    injured = day - _recognition_lags(rng, m).astype("timedelta64[D]")
    # Recognitions in 2026 of late-2025 injuries: the 2025 recognitions of late-2024
    # injuries, one year on, up to the end of the demo's data.
    tail = np.flatnonzero((year == DEMO_YEARS[-1]) & (injured.astype("datetime64[Y]").astype(int) + 1970 < year))
    shifted_day = (day[tail].astype("datetime64[D]") + np.timedelta64(365, "D"))
    keep = shifted_day <= np.datetime64(RECOGNITION_DATA_END)
    tail = tail[keep]
    if tail.size:
        day = np.concatenate([day, shifted_day[keep]])
        injured = np.concatenate([injured, injured[tail] + np.timedelta64(365, "D")])
        year = np.concatenate([year, np.full(tail.size, DEMO_YEARS[-1] + 1)])
        e = np.concatenate([e, e[tail]])
        commuting = np.concatenate([commuting, commuting[tail]])
        accident = np.concatenate([accident, accident[tail]])
        fatal = np.concatenate([fatal, fatal[tail]])
        lon = np.concatenate([lon, lon[tail]])
        lat = np.concatenate([lat, lat[tail]])
        district = np.concatenate([district, district[tail]])
        town = np.concatenate([town, town[tail]])
        m = day.size

    # Record ids (认定编号) numbered by recognition date within each year: WI2021-000001.
    order = np.lexsort((commuting, e, day))
    year_o = year[order]
    seq = np.arange(m) - np.searchsorted(year_o, year_o, side="left") + 1
    df = pd.DataFrame(
        {
            "record_id": _cat("WI", year_o, "-", _zfill(seq, 6)),
            "injury_date": _date_column(injured[order]),
            "recognition_date": _date_column(day[order]),
            "credit_code": ent["credit_code"].to_numpy()[e[order]],
            "key_industry": industry[e[order]].astype(str),
            "accident_type": accident[order].astype(str),
            "commuting": commuting[order],
            "fatal": fatal[order],
            "district": district[order].astype(str),
            "town_code": town[order].astype(str),
            "lon": lon[order],
            "lat": lat[order],
            "is_demo": True,
        }
    )
    return df


# New pneumoconiosis cases a year (city-wide) and the share exposed for less than 5 years.
_PNEUMO_PER_YEAR = (62, 60, 57, 55, 52, 49)
_PNEUMO_SHORT_SHARE = (0.18, 0.16, 0.14, 0.12, 0.105, 0.09)
_PNEUMO_INDUSTRY_WEIGHT: dict[str, float] = {
    "mining": 3.0, "building_materials": 1.0, "metallurgy": 0.25, "shipbuilding": 0.1,
    "machinery": 0.01,
}  # fmt: skip
_PNEUMO_DISTRICT_WEIGHT: dict[str, float] = {"320412": 1.3, "320481": 1.3}
# Other occupational diseases: (disease, cases a year, industries, exposure years range).
_OTHER_DISEASES: tuple[tuple[str, float, tuple[str, ...], tuple[float, float]], ...] = (
    ("职业性噪声聋", 12.0, ("machinery", "metallurgy", "shipbuilding", "building_materials"),
     (3.0, 30.0)),
    ("职业性化学中毒", 4.0, ("chemical", "hazchem"), (0.3, 20.0)),
    ("其他", 3.0, tuple(_INDUSTRY_MIX), (1.0, 25.0)),
)  # fmt: skip


def _diseases(rng: np.random.Generator, ent: pd.DataFrame) -> pd.DataFrame:
    industry = ent["key_industry"].to_numpy(dtype=object)
    district = ent["district"].to_numpy(dtype=object)
    size = ent["employees"].to_numpy(dtype=float) ** 0.6
    # City-wide counts, thinned only for toy cities (fewer than 1,000 enterprises).
    scale = min(1.0, len(ent) / 1_000)
    parts: list[pd.DataFrame] = []

    w = size * np.array([_PNEUMO_INDUSTRY_WEIGHT.get(k, 0.0) for k in industry])
    w *= pd.Series(district).map(_PNEUMO_DISTRICT_WEIGHT).fillna(0.7).to_numpy(dtype=float)
    prev_share = 1.0
    for yi, year in enumerate(DEMO_YEARS):
        k = int(rng.poisson(_PNEUMO_PER_YEAR[yi] * scale))
        if k == 0 or w.sum() <= 0:
            continue
        who = _weighted_index(rng, w, k)
        n_short = int(round(_PNEUMO_SHORT_SHARE[yi] * k))
        while n_short > 0 and n_short / k >= prev_share:  # keep the city share falling
            n_short -= 1
        prev_share = n_short / k
        short = np.zeros(k, bool)
        short[rng.permutation(k)[:n_short]] = True
        exposure = np.where(
            short,
            np.round(rng.uniform(0.5, 4.9, k), 1),
            np.round(np.minimum(5.0 + rng.gamma(2.0, 6.0, k), 40.0), 1),
        )
        parts.append(
            pd.DataFrame(
                {"e": who, "year": year, "disease": PNEUMOCONIOSIS, "exposure_years": exposure}
            )
        )
    for disease, rate, industries, (lo, hi) in _OTHER_DISEASES:
        wd = size * np.isin(industry, industries)
        for year in DEMO_YEARS:
            k = int(rng.poisson(rate * scale))
            if k == 0 or wd.sum() <= 0:
                continue
            parts.append(pd.DataFrame({
                "e": _weighted_index(rng, wd, k), "year": year, "disease": disease,
                "exposure_years": np.round(rng.uniform(lo, hi, k), 1),
            }))  # fmt: skip
    cols = ["case_id", "diagnosis_date", "credit_code", "district", "reporting_unit",
            "key_industry", "disease", "exposure_years", "is_demo"]  # fmt: skip
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    cases = pd.concat(parts, ignore_index=True)
    e = cases["e"].to_numpy()
    year = cases["year"].to_numpy(dtype=np.int64)
    day = _dates(rng, year)
    order = np.lexsort((e, day))
    year_o = year[order]
    seq = np.arange(len(cases)) - np.searchsorted(year_o, year_o, side="left") + 1
    e_o = e[order]
    unit = _units_of(ent["town_code"].to_numpy()[e_o])
    return pd.DataFrame(
        {
            "case_id": _cat("OD", year_o, "-", _zfill(seq, 4)),
            "diagnosis_date": _date_column(day[order]),
            "credit_code": ent["credit_code"].to_numpy()[e_o],
            "district": district[e_o].astype(str),
            "reporting_unit": unit.astype(str),
            "key_industry": industry[e_o].astype(str),
            "disease": cases["disease"].to_numpy()[order].astype(str),
            "exposure_years": cases["exposure_years"].to_numpy(dtype=float)[order],
            "is_demo": True,
        }
    )


# --- Public API -------------------------------------------------------------------------------


_PROVIDERS = ("常州市安全生产培训中心", "常州技师学院", "常州市建筑施工安全体验中心",
              "江苏省工伤预防服务中心常州站", "常州市职业卫生技术服务中心")  # fmt: skip
_EXPERT_FIELDS = ("工伤保险管理", "安全生产", "安全培训", "职业卫生", "财务管理", "教育研究")
_RECOMMENDERS = ("市人社局", "市应急局", "市卫健委", "市住建局", "市交通局", "市总工会")
# Training institutions named demonstration ones per year (plan: 2 in 2021, 10 by 2025).
_INSTITUTION_DEMO_YEARS = (2021, 2021, 2022, 2022, 2023, 2023, 2024, 2024, 2025, 2025)
# 体检式 project units per year (2021 task list: 70 units in 2021).
_CHECKUP_UNITS = {2021: 70, 2022: 80, 2023: 90, 2024: 90, 2025: 100}


def _programme(
    rng: np.random.Generator, ent: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Training and publicity records, training institutions and the expert pool."""
    years = np.array(DEMO_YEARS[1:])
    # Publicity: one record per reached enterprise; training: one per enterprise with
    # trained key staff. Priority industries were trained first (2021 task list).
    pub = ent[ent["publicity_reached"].astype(bool)]
    trn = ent[ent["key_staff_trained"] > 0]
    early = trn["key_industry"].isin(["hazchem", "chemical", "mining", "building_materials"])
    trn_year = np.where(
        early.to_numpy(),
        rng.choice(years, len(trn), p=[0.6, 0.15, 0.1, 0.1, 0.05]),
        rng.choice(years, len(trn), p=[0.15, 0.2, 0.25, 0.2, 0.2]),
    )
    checkup = np.zeros(len(trn), dtype=bool)
    for year, n in _CHECKUP_UNITS.items():
        idx = np.flatnonzero(trn_year == year)
        checkup[rng.choice(idx, min(n, len(idx)), replace=False)] = True
    frames = []
    for activity, df, yr in (
        ("publicity", pub, rng.choice(years, len(pub))),
        ("training", trn, trn_year),
    ):
        participants = np.maximum(
            1, (df["employees"].to_numpy() * rng.uniform(0.2, 0.8, len(df))).astype(int)
        )
        if activity == "training":  # a session trains at least its key staff
            participants = np.maximum(participants, df["key_staff_trained"].to_numpy())
        frames.append(pd.DataFrame({
            "activity": activity,
            "activity_date": _date_column(_dates(rng, yr)),
            "credit_code": df["credit_code"].to_numpy(),
            "district": df["district"].to_numpy(),
            "reporting_unit": _units_of(df["town_code"].to_numpy()),
            "participants": participants,
            "key_staff_trained": df["key_staff_trained"].to_numpy() if activity == "training" else 0,
            "provider": _pick(rng, _PROVIDERS, len(df)),
            "topic": "工伤预防宣传" if activity == "publicity" else "重要岗位工伤预防培训",
            "checkup_project": checkup if activity == "training" else False,
        }))  # fmt: skip
    rec = pd.concat(frames, ignore_index=True).sort_values(
        ["activity_date", "credit_code", "activity"], kind="stable"
    )
    yr = rec["activity_date"].dt.year.astype(str).to_numpy()
    seq = rec.groupby(yr).cumcount().to_numpy() + 1
    rec.insert(0, "record_id", _cat("TR", yr, "-", _zfill(seq, 6)))
    rec["is_demo"] = True

    n_inst = 24
    inst_district = rng.choice(
        [d.adcode for d in DISTRICTS], n_inst, p=[0.14, 0.14, 0.22, 0.26, 0.12, 0.12]
    )
    demo_year = np.full(n_inst, None, dtype=object)
    demo_year[: len(_INSTITUTION_DEMO_YEARS)] = _INSTITUTION_DEMO_YEARS
    names = _pick(rng, _NAME_SYLLABLES, 2 * n_inst).reshape(-1, 2)
    kinds = rng.choice(["安全培训机构", "技工院校", "行业协会"], n_inst, p=[0.6, 0.25, 0.15])
    inst = pd.DataFrame({
        "institution_code": [f"INST-{i + 1:03d}" for i in range(n_inst)],
        "name": [f"常州市{a}{b}{k}" for (a, b), k in zip(names, kinds, strict=True)],
        "district": inst_district,
        "reporting_unit": inst_district,
        "kind": kinds,
        "demonstration_year": demo_year,
        "is_demo": True,
    })  # fmt: skip

    joined = np.concatenate([np.full(32, 2021), rng.choice(years[1:], 26)])
    left = np.where(rng.random(len(joined)) < 0.1, joined + rng.integers(1, 4, len(joined)), 0)
    experts = pd.DataFrame({
        "expert_code": [f"EXP-{i + 1:03d}" for i in range(len(joined))],
        "field": _pick(rng, _EXPERT_FIELDS, len(joined)),
        "recommended_by": _pick(rng, _RECOMMENDERS, len(joined)),
        "joined_year": joined,
        "left_year": [int(v) if 2021 < v <= 2025 else None for v in left],
        "district": "320400",
        "reporting_unit": "320400",
        "is_demo": True,
    })  # fmt: skip
    return rec.reset_index(drop=True), inst, experts


def generate_demo(enterprises: int = 20_000, seed: int = 2021) -> DemoData:
    """Generate a synthetic 常州 (pure: same arguments, same data).

    Parameters
    ----------
    enterprises
        Number of key-industry enterprises (N). Enterprise-level data (snapshots,
        injuries) scale with N; city-wide totals, construction projects, training bases
        and pneumoconiosis cases do not.
    seed
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    DemoData
        One DataFrame per store kind, every row ``is_demo=True``.
    """
    if enterprises < 1:
        raise ValueError("enterprises must be at least 1")
    root = np.random.default_rng(seed)
    # Children are keyed by position, so adding a stream at the end changes no earlier one.
    r_ent, r_snap, r_unit, r_proj, r_base, r_inj, r_dis, r_prog = root.spawn(8)
    ent = _enterprises(r_ent, int(enterprises))
    ent["key_enterprise"] = _key_enterprise_flags(np.random.default_rng([seed, 11]), ent)
    snap = _snapshots(r_snap, ent)
    units = _unit_totals(r_unit)
    projects = _projects(r_proj, ent)
    bases = _training_bases(r_base, ent)
    injuries = _injuries(r_inj, ent, snap, projects)
    diseases = _diseases(r_dis, ent)
    records, institutions, experts = _programme(r_prog, ent)
    return DemoData(
        enterprise=ent,
        insurance_snapshot=snap,
        unit_year_total=units,
        construction_project=projects,
        training_base=bases,
        work_injury=injuries,
        disease_case=diseases,
        training_record=records,
        training_institution=institutions,
        expert=experts,
        publicity_activity=publicity_activities(seed),
    )


_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "construction_project": ("start_date",),
    "work_injury": ("injury_date", "recognition_date"),
    "disease_case": ("diagnosis_date",),
    "training_record": ("activity_date",),
    "publicity_activity": ("activity_date",),
}


def load_demo(store: Store, enterprises: int = 20_000, seed: int = 2021) -> dict[str, int]:
    """Replace the store's demo data with a freshly generated demo city.

    In one transaction: deletes every ``is_demo`` row (real rows stay), records an import
    batch of kind ``"demo"``, inserts every kind, and sets the settings ``demo_seed`` and
    ``demo_enterprises``. Prints nothing.

    Parameters
    ----------
    store
        The store (schema created).
    enterprises
        Number of enterprises (see :func:`generate_demo`).
    seed
        Random seed.

    Returns
    -------
    dict of str to int
        Rows inserted per kind.
    """
    data = generate_demo(enterprises=enterprises, seed=seed)
    counts: dict[str, int] = {}
    with store.transaction() as conn:
        store.delete_all(conn=conn, demo_only=True)
        batch_id = store.start_batch("demo", conn, file_name=f"demo seed={seed}")
        for kind, df in data.frames().items():
            inserted = 0
            for start in range(0, len(df), _INSERT_CHUNK):
                part = df.iloc[start : start + _INSERT_CHUNK].copy()
                for column in _DATE_COLUMNS.get(kind, ()):
                    part[column] = part[column].dt.date
                part["batch_id"] = batch_id
                inserted += store.insert(kind, part, conn=conn)
            counts[kind] = inserted
        total = sum(counts.values())
        store.finish_batch(batch_id, conn, rows_read=total, inserted=total)
        store.set_setting("demo_seed", str(seed), conn=conn)
        store.set_setting("demo_enterprises", str(enterprises), conn=conn)
    return counts
