"""The importable kinds and their columns: one :class:`ColumnSpec` list per kind.

Each column has the Chinese header of the template, the variants a file may use instead
(aliases; spaces, full-width brackets and a bracketed unit are ignored anyway), a type, a
required flag and the store column it fills. ``docs/import_columns.md`` is generated from
here by :func:`columns_markdown` (``python -m gsyf_geo.importing.schema``), and a test
keeps the two equal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from gsyf_geo.credit_code import credit_code_check_char
from gsyf_geo.domain import (
    ACCIDENT_TYPES,
    BASE_KINDS,
    BASE_STATUS_NAMES,
    KEY_INDUSTRIES,
    OCCUPATIONAL_DISEASES,
    PNEUMOCONIOSIS,
)

# Column types (see :mod:`gsyf_geo.importing.validate` for how each is parsed).
TEXT = "text"
INT = "int"
FLOAT = "float"
BOOL = "bool"
DATE = "date"
YEAR = "year"
CREDIT_CODE = "credit_code"
INDUSTRY_CODE = "industry_code"
RISK_CLASS = "risk_class"
DISTRICT = "district"
TOWN = "town"
CHOICE = "choice"
LON = "lon"
LAT = "lat"

TYPE_NAMES: dict[str, str] = {
    TEXT: "文本",
    INT: "整数",
    FLOAT: "数值",
    BOOL: "是/否",
    DATE: "日期（如 2023-05-01）",
    YEAR: "年份（四位数）",
    CREDIT_CODE: "18位统一社会信用代码",
    INDUSTRY_CODE: "GB/T 4754-2017 行业代码（如 C2614 或 2614）",
    RISK_CLASS: "1–8（或 一类…八类）",
    DISTRICT: "辖市区名称（如 武进区；经开区可填“经开区”）",
    TOWN: "乡镇（街道）名称",
    CHOICE: "可选值之一",
    LON: "经度（度）",
    LAT: "纬度（度）",
}

# Store values and labels of the location bookkeeping columns (export adds them; an import
# accepts them back so that a round trip changes nothing).
GEOCODE_SOURCE_LABELS: dict[str, str] = {
    "file": "文件坐标",
    "tianditu": "天地图",
    "amap": "高德",
    "offline": "离线估计",
    "demo": "演示数据",
}
GEOCODE_PRECISION_LABELS: dict[str, str] = {
    "exact": "精确",
    "street": "道路",
    "town": "乡镇",
    "district": "区县",
}


@dataclass(frozen=True)
class Choice:
    """An allowed value: what is stored, the label written in files, other accepted spellings."""

    value: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an importable file.

    Attributes
    ----------
    field
        Name in the parsed rows: the store column it fills, or (``stored=False``) a helper
        such as the address of a project, used to place the row but not kept.
    header
        The Chinese header of the template and of exports.
    type
        One of the type constants of this module.
    required
        The column must be present and every row must fill it.
    aliases
        Other headers accepted for this column.
    example
        The value of the template's example row.
    note
        What the column means (documentation).
    choices
        For ``CHOICE`` columns, the allowed values.
    lo, hi
        Inclusive bounds of numbers and years (``None``: none). Dates use ``min_date`` and
        ``future_days`` (how far past today a date may lie).
    unit
        A unit a number may carry in the cell (``"人"``, ``"万元"``), stripped before parsing.
    stored
        False for helper columns that are read but not stored.
    export_only
        True for the bookkeeping columns an export adds (not in the template).
    personal
        The column may hold personal data (a person's name, an ID number, a phone, an
        address): a problem with one of its cells says row, column and the kind of fault,
        never the cell's content.
    """

    field: str
    header: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: object = ""
    note: str = ""
    choices: tuple[Choice, ...] = ()
    lo: float | None = None
    hi: float | None = None
    unit: str | None = None
    min_date: date | None = None
    future_days: int = 0
    stored: bool = True
    export_only: bool = False
    text_format: bool = field(default=False)  # written as text in XLSX (codes keep leading zeros)
    personal: bool = False  # may hold personal data: problems and history never quote its cells


@dataclass(frozen=True)
class KindSpec:
    """An importable kind: its columns, natural key and how its rows are placed."""

    kind: str
    title: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    located: bool = False  # rows carry lon/lat (LocatedMixin)
    geocode_columns: bool = False  # rows store geocode_source/precision and the flag
    note: str = ""

    @cached_property
    def by_field(self) -> dict[str, ColumnSpec]:
        return {c.field: c for c in self.columns}

    @property
    def template_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if not c.export_only)

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns if c.required)


def normalize_header(text: object) -> str:
    """Normalise a header for matching: NFKC (full-width → half-width), no spaces or marks.

    ``" 统一社会信用代码 * "`` and ``"统一社会信用代码"`` normalise alike, as do
    ``"工程造价（万元）"`` and ``"工程造价(万元)"``.
    """
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = re.sub(r"[\s*＊:：]+", "", s)
    return s.lower()


def strip_brackets(norm: str) -> str:
    """A normalised header without bracketed parts: ``"工程造价(万元)"`` → ``"工程造价"``."""
    return re.sub(r"[(\[【〔][^)\]】〕]*[)\]】〕]", "", norm)


# --- shared columns ----------------------------------------------------------------------

_EXAMPLE_CODE_BODY = "91320412MA1P3G5Q4"
EXAMPLE_CREDIT_CODE = _EXAMPLE_CODE_BODY[:17] + credit_code_check_char(_EXAMPLE_CODE_BODY[:17])
_EXAMPLE_CONTRACTOR_BODY = "91320411MA1N7K2H0"
EXAMPLE_CONTRACTOR_CODE = _EXAMPLE_CONTRACTOR_BODY[:17] + credit_code_check_char(
    _EXAMPLE_CONTRACTOR_BODY[:17]
)

_CODE_ALIASES = ("信用代码", "社会信用代码", "统一信用代码", "统一代码", "单位统一社会信用代码",
                 "企业统一社会信用代码", "用人单位统一社会信用代码")  # fmt: skip
_NAME_ALIASES = ("名称", "企业名称", "用人单位名称", "用人单位", "单位", "企业")
_DISTRICT_ALIASES = ("区县", "所在区县", "所属区县", "所属辖市区", "所在辖市区", "区", "县区",
                     "行政区", "行政区划", "区(市)", "市区")  # fmt: skip
_TOWN_ALIASES = ("乡镇", "街道", "镇街", "镇(街道)", "乡镇街道", "所属乡镇", "所在乡镇", "所属街道",
                 "所在镇街", "乡镇(街道、园区)")  # fmt: skip
_TODAY_EVENT = dict(min_date=date(1990, 1, 1), future_days=0)


def _credit(required: bool, note: str, header: str = "统一社会信用代码") -> ColumnSpec:
    return ColumnSpec(
        "credit_code", header, CREDIT_CODE, required, _CODE_ALIASES,
        EXAMPLE_CREDIT_CODE, note, text_format=True,
    )  # fmt: skip


def _name_info() -> ColumnSpec:
    return ColumnSpec(
        "unit_name", "单位名称", TEXT, False, _NAME_ALIASES, "常州市示例机械有限公司",
        "供核对，不入库（单位以统一社会信用代码为准）", stored=False, personal=True,
    )  # fmt: skip


def _district(required: bool = False, example: str = "武进区", note: str = "") -> ColumnSpec:
    return ColumnSpec(
        "district", "辖市区", DISTRICT, required, _DISTRICT_ALIASES, example,
        note or "天宁区、钟楼区、新北区、武进区、金坛区、溧阳市（也可填简称或6位代码）；"
        "经开区所辖镇街填“经开区”或武进区并填写乡镇（街道）",
    )  # fmt: skip


def _town(stored: bool = True, example: str = "湖塘镇") -> ColumnSpec:
    return ColumnSpec(
        "town", "乡镇（街道）", TOWN, False, _TOWN_ALIASES, example,
        "乡镇（街道）名称；用于定位和经开区统计" + ("" if stored else "，不单独入库"),
        stored=stored,
    )  # fmt: skip


def _lonlat(example: tuple[float, float]) -> tuple[ColumnSpec, ColumnSpec]:
    return (
        ColumnSpec("lon", "经度", LON, False, ("lon", "lng", "longitude", "x坐标", "东经"),
                   example[0], "坐标系按导入时的选择（默认 WGS-84）；与纬度同时填写"),
        ColumnSpec("lat", "纬度", LAT, False, ("lat", "latitude", "y坐标", "北纬"),
                   example[1], "与经度同时填写"),
    )  # fmt: skip


def _key_industry() -> ColumnSpec:
    return ColumnSpec(
        "key_industry", "重点行业", CHOICE, False, ("所属重点行业", "行业"), "机械制造",
        "九类重点行业之一；空白时按企业名录中该单位的行业",
        choices=tuple(Choice(k.id, k.name) for k in KEY_INDUSTRIES),
    )  # fmt: skip


def _geocode_extras() -> tuple[ColumnSpec, ...]:
    return (
        ColumnSpec("geocode_source", "定位来源", CHOICE, False, ("坐标来源",), "",
                   "导出时附加：坐标的来源；导入时随坐标一并保留",
                   choices=tuple(Choice(k, v) for k, v in GEOCODE_SOURCE_LABELS.items()),
                   export_only=True),
        ColumnSpec("geocode_precision", "定位精度", CHOICE, False, ("坐标精度",), "",
                   "导出时附加：精确、道路、乡镇或区县",
                   choices=tuple(Choice(k, v) for k, v in GEOCODE_PRECISION_LABELS.items()),
                   export_only=True),
        ColumnSpec("outside_named_district", "超出所填区县", BOOL, False, ("超出区县",), "",
                   "导出时附加：坐标不在所填辖市区内（导入时重新计算）", export_only=True),
    )  # fmt: skip


# --- kinds -------------------------------------------------------------------------------

_ENTERPRISE = KindSpec(
    "enterprise",
    "企业名录",
    (
        _credit(True, "主键：再次导入同一代码即更新该单位"),
        ColumnSpec("name", "单位名称", TEXT, True, _NAME_ALIASES, "常州市示例机械有限公司",
                   "单位全称", personal=True),
        ColumnSpec("industry_code", "行业代码", INDUSTRY_CODE, False,
                   ("国民经济行业代码", "行业分类代码", "国标行业代码", "行业类别代码",
                    "所属行业代码"), "C3412",
                   "GB/T 4754-2017 代码，带或不带门类字母；决定重点行业", text_format=True),
        ColumnSpec("hazchem_licence", "危险化学品许可", BOOL, False,
                   ("危化品许可", "危险化学品经营许可", "危险化学品经营许可证", "危化企业",
                    "是否危化企业"), "否", "持危险化学品许可的单位计入“危险化学品”行业"),
        ColumnSpec("risk_class", "行业风险类别", RISK_CLASS, False,
                   ("风险类别", "工伤保险行业风险类别", "行业风险类", "风险类"), 4,
                   "工伤保险行业风险类别 1–8", lo=1, hi=8),
        ColumnSpec("employees", "职工人数", INT, True,
                   ("从业人数", "职工数", "用工人数", "员工人数", "在职职工人数", "从业人员数"),
                   120, "年末职工人数", lo=0, hi=1_000_000, unit="人"),
        ColumnSpec("insured", "参保人数", INT, True,
                   ("工伤保险参保人数", "参加工伤保险人数", "工伤参保人数", "参保职工人数"),
                   115, "参加工伤保险人数，不得大于职工人数", lo=0, hi=1_000_000, unit="人"),
        ColumnSpec("key_staff", "重要岗位人数", INT, False,
                   ("重要岗位人员数", "重点岗位人数"), 6,
                   "分管负责人、安全管理部门主要负责人、一线班组长人数；空白按 0",
                   lo=0, hi=100_000, unit="人"),
        ColumnSpec("key_staff_trained", "重要岗位已培训人数", INT, False,
                   ("重要岗位培训人数", "重点岗位已培训人数", "已培训重要岗位人数"), 6,
                   "不得大于重要岗位人数；空白按 0", lo=0, hi=100_000, unit="人"),
        ColumnSpec("publicity_reached", "已开展宣传", BOOL, False,
                   ("宣传覆盖", "是否宣传", "已宣传", "宣传到位"), "是",
                   "工伤预防宣传是否已覆盖本单位；空白表示无数据"),
        ColumnSpec("key_enterprise", "是否重点企业", BOOL, False,
                   ("重点企业", "重点行业重点企业"), "是",
                   "重点行业重点企业（重要岗位培训覆盖率的对象）；空白按默认规则：重点行业企业中"
                   "职工人数≥20人或持危险化学品许可的为重点企业"),
        ColumnSpec("demonstration_unit", "工伤预防示范单位", BOOL, False,
                   ("示范单位", "是否示范单位"), "否", "空白按 否"),
        ColumnSpec("demonstration_year", "示范单位命名年度", YEAR, False,
                   ("示范年度", "示范单位年度", "命名年度"), "", "", lo=2000, hi=2035),
        _district(),
        _town(),
        ColumnSpec("address", "单位地址", TEXT, False,
                   ("地址", "注册地址", "经营地址", "详细地址", "生产经营地址", "住所",
                    "单位详细地址"), "常州市武进区湖塘镇示例路 88 号",
                   "无坐标时用于定位（在线地理编码或按区县、乡镇估计）", personal=True),
        *_lonlat((119.9452, 31.7128)),
        *_geocode_extras(),
    ),
    key=("credit_code",),
    located=True,
    geocode_columns=True,
    note="一行一个用人单位。重点行业由行业代码和危险化学品许可推定。",
)

_SNAPSHOT = KindSpec(
    "insurance_snapshot",
    "年度参保情况",
    (
        _credit(True, "须已在企业名录中"),
        _name_info(),
        ColumnSpec("year", "年度", YEAR, True, ("统计年度", "年份", "参保年度"), 2024,
                   "年末数据所属年度；不晚于当年", lo=2000),
        ColumnSpec("employees", "职工人数", INT, True,
                   ("从业人数", "职工数", "用工人数", "员工人数", "年末职工人数"), 120,
                   "年末职工人数", lo=0, hi=1_000_000, unit="人"),
        ColumnSpec("insured", "参保人数", INT, True,
                   ("工伤保险参保人数", "参加工伤保险人数", "工伤参保人数", "年末参保人数"), 115,
                   "不得大于职工人数", lo=0, hi=1_000_000, unit="人"),
    ),
    key=("credit_code", "year"),
    note="一行一个单位一个年度。辖市区取自企业名录。",
)

_PROJECT = KindSpec(
    "construction_project",
    "工程建设项目",
    (
        ColumnSpec("project_code", "项目编号", TEXT, True,
                   ("项目代码", "工程编号", "项目编码", "编号", "工程代码"), "320412-2024-0001",
                   "主键", text_format=True),
        ColumnSpec("name", "项目名称", TEXT, True, ("工程名称", "名称"), "示例花园一期住宅工程",
                   "项目全称"),
        ColumnSpec("start_date", "开工日期", DATE, False,
                   ("开工时间", "实际开工日期", "计划开工日期"), "2024-03-15", "",
                   min_date=date(1990, 1, 1), future_days=730),
        ColumnSpec("cost_wan_yuan", "工程造价（万元）", FLOAT, False,
                   ("造价", "合同价", "合同价格", "工程造价", "合同金额", "总投资"), 3200.5,
                   "万元", lo=0, hi=100_000_000, unit="万元"),
        ColumnSpec("workers", "用工人数", INT, False,
                   ("施工人数", "工人人数", "务工人员数", "务工人数"), 180, "",
                   lo=0, hi=100_000, unit="人"),
        ColumnSpec("insured_by_project", "按项目参保", BOOL, True,
                   ("是否按项目参保", "项目参保", "同舟计划参保", "已按项目参保",
                    "按项目参加工伤保险"), "是", "是否按项目参加工伤保险（同舟计划）"),
        ColumnSpec("contractor_credit_code", "施工单位统一社会信用代码", CREDIT_CODE, False,
                   ("施工单位信用代码", "总承包单位统一社会信用代码", "施工总承包单位信用代码",
                    "统一社会信用代码", "信用代码"),
                   EXAMPLE_CONTRACTOR_CODE, "施工总承包单位", text_format=True),
        ColumnSpec("contractor_name", "施工单位名称", TEXT, False,
                   ("施工单位", "总承包单位", "施工总承包单位"), "常州市示例建设工程有限公司",
                   "供核对，不入库", stored=False, personal=True),
        _district(),
        _town(),
        ColumnSpec("address", "项目地址", TEXT, False,
                   ("工程地址", "建设地点", "地址", "地点", "项目地点"),
                   "常州市武进区湖塘镇示例路与样板路交叉口", "无坐标时用于定位，不入库",
                   stored=False, personal=True),
        *_lonlat((119.9521, 31.7063)),
        *_geocode_extras(),
    ),
    key=("project_code",),
    located=True,
    geocode_columns=True,
    note="一行一个工程建设项目（住建部门数据）。",
)

_BASE = KindSpec(
    "training_base",
    "宣传培训基地及候选点",
    (
        ColumnSpec("site_code", "基地编号", TEXT, True,
                   ("编号", "点位编号", "站点编号", "基地代码", "候选点编号"), "BASE-101",
                   "主键", text_format=True),
        ColumnSpec("name", "基地名称", TEXT, True, ("名称", "点位名称", "单位名称", "候选点名称"),
                   "常州市示例工伤预防宣传培训基地", ""),
        ColumnSpec("kind", "基地类型", CHOICE, True, ("类型", "类别", "基地类别"), "技工院校",
                   "、".join(BASE_KINDS), choices=tuple(Choice(k, k) for k in BASE_KINDS)),
        ColumnSpec("status", "状态", CHOICE, True, ("建设状态", "基地状态"), "已建",
                   "已建、规划或候选",
                   choices=(
                       Choice("existing", BASE_STATUS_NAMES["existing"], ("已建成", "建成")),
                       Choice("planned", BASE_STATUS_NAMES["planned"], ("拟建", "在建", "计划")),
                       Choice("candidate", BASE_STATUS_NAMES["candidate"], ("候选点", "备选")),
                   )),
        ColumnSpec("year", "建成年度", YEAR, False, ("年度", "建设年度", "计划年度"), 2024,
                   "已建为建成年度，规划为计划年度", lo=2000, hi=2035),
        ColumnSpec("capacity", "培训容量（人）", INT, False,
                   ("容量", "培训能力", "年培训能力", "培训容量"), 200, "",
                   lo=0, hi=100_000, unit="人"),
        _district(),
        _town(),
        ColumnSpec("address", "地址", TEXT, False, ("基地地址", "详细地址", "单位地址"),
                   "常州市武进区湖塘镇示例路 1 号", "无坐标时用于定位", personal=True),
        *_lonlat((119.9401, 31.7182)),
        *_geocode_extras(),
    ),
    key=("site_code",),
    located=True,
    geocode_columns=True,
    note="已建、规划的宣传培训基地和选址候选点。",
)

_INJURY = KindSpec(
    "work_injury",
    "工伤认定记录",
    (
        ColumnSpec("record_id", "工伤认定编号", TEXT, True,
                   ("认定编号", "记录编号", "编号", "认定书编号", "工伤编号"), "WI2024-000001",
                   "主键；不含个人信息", text_format=True),
        ColumnSpec("injury_date", "受伤日期", DATE, True,
                   ("事故日期", "受伤时间", "事故发生日期", "发生日期", "事故时间"), "2024-05-20",
                   "", **_TODAY_EVENT),
        ColumnSpec("recognition_date", "认定日期", DATE, False,
                   ("工伤认定日期", "认定时间", "认定决定日期"), "2024-06-28",
                   "工伤认定决定日期，不得早于受伤日期；事故率按认定日期计年度，空白按受伤日期",
                   **_TODAY_EVENT),
        _credit(False, "所在单位；可空"),
        _name_info(),
        _key_industry(),
        ColumnSpec("accident_type", "事故类别", CHOICE, False, ("事故类型", "伤害类别", "事故类别(GB6441)"),
                   "机械伤害", "GB 6441-1986 二十类之一",
                   choices=tuple(Choice(a, a) for a in ACCIDENT_TYPES)),
        ColumnSpec("commuting", "上下班途中", BOOL, False,
                   ("是否上下班途中", "上下班途中受伤"), "否", "空白按 否"),
        ColumnSpec("fatal", "死亡", BOOL, False, ("是否死亡", "因工死亡"), "否", "空白按 否"),
        _district(),
        _town(),
        ColumnSpec("address", "事故地点", TEXT, False,
                   ("地点", "受伤地点", "事故发生地点", "地址", "发生地点"),
                   "常州市武进区湖塘镇示例路 88 号", "无坐标时用于定位，不入库", stored=False,
                   personal=True),
        *_lonlat((119.9452, 31.7128)),
    ),
    key=("record_id",),
    located=True,
    note="一行一起认定的工伤，不含个人信息。无坐标、地址和辖市区时放在所在单位的位置。",
)

_DISEASE = KindSpec(
    "disease_case",
    "职业病新发病例",
    (
        ColumnSpec("case_id", "病例编号", TEXT, True,
                   ("报告卡编号", "编号", "诊断编号", "诊断证明书编号", "病例号"), "OD2024-0001",
                   "主键；不含个人信息", text_format=True),
        ColumnSpec("diagnosis_date", "诊断日期", DATE, True, ("诊断时间", "确诊日期"),
                   "2024-06-10", "", **_TODAY_EVENT),
        _credit(False, "用人单位；可空"),
        _name_info(),
        _district(note="空白时取企业名录中该单位的辖市区；经开区填“经开区”"),
        _town(stored=False),
        _key_industry(),
        ColumnSpec("disease", "职业病名称", CHOICE, True,
                   ("职业病种类", "病种", "疾病名称", "职业病", "诊断结论"), PNEUMOCONIOSIS,
                   "、".join(OCCUPATIONAL_DISEASES),
                   choices=(
                       Choice(PNEUMOCONIOSIS, PNEUMOCONIOSIS, ("尘肺", "矽肺", "硅肺", "煤工尘肺")),
                       Choice("职业性噪声聋", "职业性噪声聋", ("噪声聋",)),
                       Choice("职业性化学中毒", "职业性化学中毒", ("化学中毒", "职业中毒")),
                       Choice("其他", "其他", ("其它",)),
                   )),
        ColumnSpec("exposure_years", "接害工龄（年）", FLOAT, False,
                   ("接尘工龄", "接害工龄", "接尘工龄(年)", "工龄"), 6.5, "",
                   lo=0, hi=60, unit="年"),
    ),
    key=("case_id",),
    note="一行一例新诊断的职业病，不含个人信息。",
)

_TRAINING = KindSpec(
    "training_record",
    "培训和宣传记录",
    (
        ColumnSpec("record_id", "记录编号", TEXT, True, ("编号", "活动编号"), "TR2024-000001",
                   "主键", text_format=True),
        ColumnSpec("activity", "活动类型", CHOICE, True, ("类型", "类别", "活动类别"), "培训",
                   "培训或宣传",
                   choices=(Choice("training", "培训", ("培训活动",)),
                            Choice("publicity", "宣传", ("宣传活动",)))),
        ColumnSpec("activity_date", "活动日期", DATE, True,
                   ("日期", "培训日期", "开展日期", "宣传日期"), "2024-04-18", "", **_TODAY_EVENT),
        _credit(False, "覆盖的单位；可空"),
        _name_info(),
        _district(note="空白时取企业名录中该单位的辖市区；经开区填“经开区”"),
        _town(stored=False),
        ColumnSpec("participants", "参加人数", INT, False, ("参训人数", "人数", "覆盖人数"), 45,
                   "", lo=0, hi=1_000_000, unit="人"),
        ColumnSpec("key_staff_trained", "重要岗位培训人数", INT, False,
                   ("重要岗位参训人数", "重要岗位已培训人数"), 5, "不得大于参加人数",
                   lo=0, hi=100_000, unit="人"),
        ColumnSpec("provider", "实施单位", TEXT, False,
                   ("培训机构", "承办单位", "组织单位", "实施机构"), "常州市示例安全培训中心", ""),
        ColumnSpec("topic", "主题", TEXT, False, ("培训主题", "活动主题", "内容"),
                   "重要岗位工伤预防培训", ""),
        ColumnSpec("checkup_project", "体检式项目", BOOL, False,
                   ("是否体检式项目", "体检式"), "否", "空白按 否"),
        ColumnSpec("base_site_code", "基地编号", TEXT, False, ("培训基地编号",), "BASE-101",
                   "在基地开展时填写", text_format=True),
    ),
    key=("record_id",),
    note="一行一次培训或宣传活动。",
)

_ACTIVITY = KindSpec(
    "publicity_activity",
    "宣传活动记录",
    (
        ColumnSpec("activity_id", "活动编号", TEXT, True, ("编号", "记录编号", "活动记录编号"),
                   "PA2024-0001", "主键", text_format=True),
        ColumnSpec("activity_date", "活动日期", DATE, True,
                   ("日期", "开展日期", "举办日期", "活动时间"), "2024-06-12", "", **_TODAY_EVENT),
        ColumnSpec("kind", "活动类型", TEXT, True, ("类型", "类别", "活动类别", "常规工作"),
                   "安全生产月",
                   "计划中的常规工作名称（如 工伤保险暨工伤预防宣传月、职业病防治法宣传周、安全生产月、"
                   "全市工伤预防工作推进会、费率调整），或 宣传活动、培训活动、推进会 等"),
        ColumnSpec("name", "活动名称", TEXT, False, ("名称", "主题", "活动主题"),
                   "2024年安全生产月宣传咨询日", ""),
        ColumnSpec("place", "活动地点", TEXT, False, ("地点", "举办地点", "开展地点"),
                   "武进区市民广场", ""),
        _district(True, note="活动举办地所在辖市区（市级工作填组织单位所在辖市区）；经开区填“经开区”"),
        _town(stored=False),
        ColumnSpec("reach", "覆盖人次", INT, False,
                   ("人次", "参与人次", "受众人次", "覆盖人数", "参加人数"), 3500,
                   "活动覆盖的人次；空白表示未统计", lo=0, hi=10_000_000, unit="人次"),
        ColumnSpec("organiser", "组织单位", TEXT, False, ("主办单位", "承办单位", "组织部门"),
                   "武进区应急管理局", ""),
    ),
    key=("activity_id",),
    note="一行一次宣传活动、会议或其他计划常规工作（如费率浮动调整）。",
)

KIND_SPECS: dict[str, KindSpec] = {
    s.kind: s for s in (_ENTERPRISE, _SNAPSHOT, _PROJECT, _BASE, _INJURY, _DISEASE, _TRAINING,
                          _ACTIVITY)
}
IMPORTABLE_KINDS: tuple[str, ...] = tuple(KIND_SPECS)


def kind_spec(kind: str) -> KindSpec:
    """The spec of an importable kind; ``ValueError`` (Chinese) for an unknown one."""
    try:
        return KIND_SPECS[kind]
    except KeyError:
        allowed = "、".join(f"{k}（{s.title}）" for k, s in KIND_SPECS.items())
        raise ValueError(f"未知的数据类型“{kind}”。可选：{allowed}") from None


def _example_text(col: ColumnSpec) -> str:
    return "" if col.example in ("", None) else str(col.example)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def allowed_values(col: ColumnSpec) -> str:
    """Allowed values or range of a column, in Chinese (for templates and docs)."""
    if col.choices:
        return "、".join(c.label for c in col.choices)
    if col.lo is not None and col.hi is not None:
        return f"{_num(col.lo)}–{_num(col.hi)}"
    if col.type == YEAR and col.lo is not None:
        return f"{_num(col.lo)}–当年"
    if col.type == DATE and col.min_date is not None:
        limit = "今天" if col.future_days == 0 else f"今天起 {col.future_days} 天内"
        return f"{col.min_date.isoformat()} 至{limit}"
    return ""


def _limits_lines() -> list[str]:
    from gsyf_geo.importing.limits import limits_markdown

    return limits_markdown()


def columns_markdown() -> str:
    """The column list of every importable kind as Markdown (``docs/import_columns.md``)."""
    lines = [
        "# 导入文件的列 / Import columns",
        "",
        "本文件由 `gsyf_geo/importing/schema.py` 生成（`python -m gsyf_geo.importing.schema`），",
        "测试保证二者一致，请勿手工编辑。",
        "",
        "- 文件格式：CSV（UTF-8、UTF-8 带 BOM、GBK/GB18030）、XLSX、XLS；读取第一个工作表。",
        "- 表头行可在前 20 行内（上方的标题行会被跳过）；列顺序任意；表头中的空格、全角括号、",
        "  “*”号和括号内的单位不影响识别，也接受“别名”一栏中的写法。",
        "- 行号按电子表格中看到的行号（表头所在行为第 1 行时，第一条数据为第 2 行）。",
        "- 是/否列接受：是、否、Y、N、1、0、TRUE、FALSE、√、×、有、无。",
        "- 日期接受：2023-05-01、2023/5/1、2023.5.1、2023年5月1日、20230501 及 Excel 日期单元格。",
        "- 坐标按导入时选择的坐标系（WGS-84、GCJ-02 高德/腾讯、BD-09 百度）换算为 WGS-84 入库；",
        "  不在常州市范围内的坐标被拒绝，不在所填辖市区内的坐标保留并标记“超出所填区县”。",
        "- 没有坐标的行依次定位：在线地理编码（设置了 `GSYF_TIANDITU_KEY` 天地图或 `GSYF_AMAP_KEY`",
        "  高德密钥时；结果存入缓存，同一地址不会重复查询）→ 地址或“乡镇（街道）”列中的乡镇 →",
        "  乡镇中心（精度“乡镇”）→ 辖市区 → 区内代表点（精度“区县”）。文件未给坐标时保留库中已有的位置。",
        "- 默认全部或全不：任何一行有错误时整个文件不导入，库中数据不变（导入记录中留一条“已拒绝”）；",
        "  `--partial` 只导入无误的行。导入在一个事务中完成，中途中断不留下任何改动。",
        "- 以主键（各表上方“主键”所列）更新：重复导入同一文件不改变任何数据；改正后的文件就地更新。",
        "  文件中没有的列保持库中原值；空白单元格表示清空该项（标明“空白按 0/否”的列除外）。",
        "",
        "命令：`python -m gsyf_geo template KIND`（模板）、`python -m gsyf_geo import KIND FILE`、",
        "`python -m gsyf_geo export KIND --format xlsx --out FILE`。",
        "",
        *_limits_lines(),
        "",
        "- 导出的 CSV 中，以 =、+、-、@、制表符或回车开头的文字前加一个英文单引号 '（防止 Excel 当作公式执行），",
        "  再次导入时自动去掉；导出的 XLSX 中文字一律存为文本，不会成为公式。",
        "- 问题清单和导入记录只写行号、列名和问题类别；可能含个人信息的列（单位名称、地址等）不引用单元格内容，",
        "  其他列最多引用单元格的前 20 个字。",
        "",
    ]
    for spec in KIND_SPECS.values():
        key_headers = "、".join(spec.by_field[k].header for k in spec.key)
        lines += [f"## {spec.title}（`{spec.kind}`）", "", spec.note, "", f"主键：{key_headers}", ""]
        lines += ["| 列名 | 必填 | 类型 | 可选值/范围 | 别名 | 说明 | 示例 |", "|---|---|---|---|---|---|---|"]
        for col in spec.columns:
            note = col.note + ("（仅导出）" if col.export_only else "")
            cells = [
                col.header,
                "是" if col.required else "",
                TYPE_NAMES[col.type],
                allowed_values(col),
                "、".join(col.aliases),
                note,
                _example_text(col),
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - writes the docs file's content
    print(columns_markdown(), end="")
