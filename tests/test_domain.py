"""Domain constants and metric definitions."""

from __future__ import annotations

import numpy as np
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
        ("B0610", False, None),  # coal mining is not 非煤矿山
        ("C1311", False, None),  # food processing is not a key industry
        ("F5166", False, None),
    ],
)
def test_key_industry_from_gbt4754_code(code, hazchem, expected):
    assert domain.key_industry_for(code, hazchem) == expected


@pytest.mark.parametrize("code", ["X2614", "C0614", "0400", "E2614", "26145", "", "化工"])
def test_malformed_or_mismatched_codes_are_rejected(code):
    assert domain.normalize_industry_code(code) is None


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
