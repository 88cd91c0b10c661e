"""Domain constants and metric definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gsyf_geo import domain, metrics


@pytest.mark.parametrize(
    "code,hazchem,expected",
    [
        ("C2614", False, "chemical"),
        ("2614", False, "chemical"),
        ("C2614", True, "hazchem"),
        ("C3021", False, "building_materials"),
        ("C3120", False, "metallurgy"),
        ("C3220", False, "metallurgy"),
        ("C3411", False, "machinery"),
        ("C3660", False, "machinery"),
        ("C3731", False, "shipbuilding"),  # longest prefix wins over machinery C37
        ("C3711", False, "machinery"),  # rail equipment
        ("E4710", False, "construction"),
        ("E5010", False, "construction"),
        ("G5430", False, "transport"),
        ("G6010", False, "transport"),
        ("B1011", False, "mining"),
        ("B0810", False, "mining"),
        ("B1190", False, "mining"),  # 其他开采专业及辅助性活动
        ("B1200", False, "mining"),  # 其他采矿业
        ("B0610", False, None),  # coal mining is not 非煤矿山
        ("B1110", False, None),  # nor are coal-mining auxiliary activities
        ("B0710", False, None),  # oil and gas wells are not mines
        ("B1120", False, None),  # nor their auxiliary activities
        ("A0411", False, None),  # 渔业 is a valid code, not a key industry
        ("C1311", False, None),  # food processing is not a key industry
        ("F5166", False, None),
    ],
)
def test_key_industry_from_gbt4754_code(code, hazchem, expected):
    assert domain.key_industry_for(code, hazchem) == expected


@pytest.mark.parametrize("code", ["X2614", "C0614", "A0614", "E2614", "26145", "", "化工",
                                  "0011", "9800", "U9800"])  # fmt: skip
def test_malformed_or_mismatched_codes_are_rejected(code):
    assert domain.normalize_industry_code(code) is None


@pytest.mark.parametrize("code,expected", [("0411", "A0411"), ("A0422", "A0422"), ("04", "A04"),
                                           ("N7910", "N7910"), ("T9700", "T9700")])  # fmt: skip
def test_every_gbt4754_2017_division_is_accepted(code, expected):
    # 04 渔业 exists in GB/T 4754-2017; so do 79 土地管理业 and 97 国际组织.
    assert domain.normalize_industry_code(code) == expected


def test_divisions_01_to_97_all_exist():
    assert all(domain.normalize_industry_code(f"{d:02d}") for d in range(1, 98))


# 人社部发〔2015〕71号 附件《工伤保险行业风险分类表》, rows keyed by GB/T 4754-2017 codes.
@pytest.mark.parametrize(
    "code,expected",
    [
        ("2614", 6), ("C2614", 6),  # 化学原料和化学制品制造业: 六类
        ("2511", 7),  # 石油加工、炼焦和核燃料加工业: 七类
        ("2710", 4), ("2822", 4), ("2927", 4),  # 医药, 化学纤维, 橡胶和塑料: 四类
        ("4710", 6), ("4812", 6),  # 房屋建筑业, 土木工程建筑业: 六类
        ("4910", 5), ("5011", 5),  # 建筑安装业, 建筑装饰和其他建筑业: 五类
        ("0810", 8), ("0916", 8), ("1011", 8), ("0610", 8),  # ore and coal mining: 八类
        ("0710", 7), ("1200", 7),  # 石油和天然气开采业, 其他采矿业: 七类
        ("B1110", 5), ("B1190", 5),  # 开采辅助活动: 五类
        ("5411", 5), ("5437", 5), ("5511", 5),  # 道路运输业, 水上运输业: 五类
        ("5320", 4), ("5611", 4), ("5720", 4),  # 铁路, 航空, 管道运输业: 四类
        ("5821", 5),  # 2017 582 运输代理业 = 2011 582 (装卸搬运和运输代理业): 五类
        ("5910", 5),  # 2017 591 装卸搬运 = 2011 581: 五类
        ("5920", 2), ("5942", 2),  # the rest of 2017 59 = 2011 59 仓储业: 二类
        ("6020", 2),  # 邮政业
        ("3130", 6), ("3252", 6), ("3021", 6),  # 冶金, 建材: 六类
        ("3411", 4), ("3731", 4),  # 通用设备, 船舶: 四类
        ("0411", 6),  # 渔业: 六类
        ("0211", 5),  # 林业: 五类
        ("6510", 1),  # 软件和信息技术服务业: 一类
        ("80", 2), ("81", 3), ("83", 2), ("85", 1), ("89", 4), ("90", 3), ("97", 1),  # renumbered
    ],
)  # fmt: skip
def test_default_risk_class_follows_the_2015_table(code, expected):
    assert domain.default_risk_class(code) == expected


@pytest.mark.parametrize("code", ["5810", "N79", "N7910", "58", None, "", "X2614", "化工"])
def test_codes_the_2015_table_does_not_class_have_no_default(code):
    # 581 多式联运 and 79 土地管理业 are new in GB/T 4754-2017; 58 alone spans 五类 and none.
    assert domain.default_risk_class(code) is None


def test_risk_table_names_every_2011_division_once_in_eight_classes():
    """The 2015 annex lists 15, 19, 16, 23, 9, 7, 3 and 4 divisions under 一类 … 八类 (96)."""
    names = {(r.risk_class, r.table_name) for r in domain.INDUSTRY_RISK_TABLE}
    per_class = [sum(1 for c, _ in names if c == k) for k in range(1, 9)]
    assert per_class == [15, 19, 16, 23, 9, 7, 3, 4]
    assert len({n for _, n in names}) == 96
    prefixes = [r.prefix for r in domain.INDUSTRY_RISK_TABLE]
    assert len(prefixes) == len(set(prefixes))
    assert all(domain.normalize_industry_code(p) for p in prefixes)
    # Every 2017 division has a class at division level except 58 (split) and 79 (new).
    missing = [d for d in range(1, 98) if domain.default_risk_class(f"{d:02d}") is None]
    assert missing == [58, 79]


def test_key_industries_span_several_risk_classes():
    """One key industry has no single class: the default follows the enterprise's code."""
    chemical = domain.KEY_INDUSTRY_BY_ID["chemical"]
    classes = {domain.default_risk_class(p) for p in chemical.code_prefixes}
    assert classes == {4, 6, 7}
    assert all(k.default_risk_class is None for k in domain.KEY_INDUSTRIES)


def test_siting_risk_weight_falls_back_to_the_code_default_class():
    from gsyf_geo.siting.weights import MEAN_BASE_RATE, class_factor

    risk = pd.Series([None, None, None, 2])
    codes = pd.Series(["C2614", "G5920", "N7910", "C2614"])
    rates = class_factor(risk, codes) * MEAN_BASE_RATE
    # 六类 1.3%, 二类 0.4%, no default → 四类 0.9%, a declared class wins over the default.
    assert rates == pytest.approx([0.013, 0.004, 0.009, 0.004])


def test_nine_key_industries_in_two_groups():
    names = [k.name for k in domain.KEY_INDUSTRIES]
    assert names == ["危险化学品", "化工", "建筑施工", "交通运输", "机械制造",
                     "非煤矿山", "冶金", "建材", "船舶制造"]  # fmt: skip
    disease = [k.name for k in domain.KEY_INDUSTRIES if k.group == "disease_prone"]
    assert disease == ["非煤矿山", "冶金", "建材", "船舶制造"]


def test_eight_risk_classes_with_base_rates():
    rates = [r.base_rate * 100 for r in domain.RISK_CLASSES]
    assert rates == pytest.approx([0.2, 0.4, 0.7, 0.9, 1.1, 1.3, 1.6, 1.9])
    assert domain.RISK_CLASS_BY_NUMBER[8].name == "八类"


def test_reporting_units_six_districts_plus_jkq():
    units = {u.code: u for u in domain.REPORTING_UNITS}
    assert len(units) == 7 and units["JKQ"].short_name == "经开区"
    assert domain.reporting_unit_for("320412", "320412105") == "JKQ"
    assert domain.reporting_unit_for("320412", "320412100") == "320412"
    assert domain.reporting_unit_for("320411", None) == "320411"


@pytest.mark.parametrize("n,size", [(0, "micro"), (19, "micro"), (20, "small"), (299, "small"),
                                    (300, "medium"), (999, "medium"), (1000, "large")])  # fmt: skip
def test_size_classes_by_headcount(n, size):
    assert domain.size_class_for(n) == size


def test_accident_rate_per_10000_excluding_commuting():
    assert metrics.accident_rate(45, 10_000) == pytest.approx(45.0)
    assert metrics.accident_rate(3, 1_500) == pytest.approx(20.0)


def test_no_denominator_is_no_data_not_zero():
    assert metrics.accident_rate(0, 0) is None
    assert metrics.training_coverage(5, None) is None
    assert metrics.enrollment_rate(float("nan"), 10) is None
    assert metrics.training_coverage(0, 10) == 0.0


def test_enrollment_gap_never_negative():
    gap = metrics.enrollment_gap(np.array([10, 5, 0]), np.array([8, 7, 0]))
    assert list(gap) == [2, 0, 0]


def test_change_against_baseline():
    assert metrics.change_against(36.0, 45.0) == pytest.approx(-0.2)
    assert metrics.change_against(1.0, None) is None


def test_every_metric_has_a_chinese_definition():
    for m in metrics.METRICS.values():
        assert m.name and m.definition and any("\u4e00" <= ch <= "\u9fff" for ch in m.name)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "无数据"), (float("nan"), "无数据"), (0, "0"), (1_500, "1,500"), (999_999, "999,999"),
     (1_000_000, "100.0万"), (4_729_321, "472.9万"), (-2_000_000, "-200.0万")],
)  # fmt: skip
def test_compact_count_fits_a_figure_tile(value, shown):
    assert metrics.compact_count(value) == shown


def test_risk_map_grade_takes_the_code_default_class_when_none_is_declared():
    from gsyf_geo.analysis.filters import _risk_class_or_default

    ent = pd.DataFrame({"risk_class": [None, 3, None, None],
                        "industry_code": ["E4710", "E4710", "N7910", None]})  # fmt: skip
    rc = _risk_class_or_default(ent)
    assert rc[:2].tolist() == [6.0, 3.0] and np.isnan(rc[2:]).all()
