"""A link's parameters the risk map cannot use are named, in Chinese, never interpreted."""

from __future__ import annotations

import pytest

from gsyf_geo.analysis.filters import MapState
from gsyf_geo.analysis.linkcheck import QUOTE_CHARS, link_problems, quote

INDICATORS = ("accident_rate", "training_coverage")
BASEMAPS = ("none", "osm")
YEARS = (2020, 2021, 2022, 2023, 2024, 2025)


def problems(**params):
    return link_problems(params, INDICATORS, BASEMAPS, YEARS)


def test_a_link_the_map_writes_itself_has_no_problem():
    state = MapState(unit="320412", towns=("320412100",), industries=("chemical",), sizes=(),
                     years=(2023, 2025), layers=("districts",), indicator="training_coverage",
                     basemap="osm", include_commuting=True, scheme="quantiles", color_by="grade")  # fmt: skip
    assert link_problems(state.to_params(), INDICATORS, BASEMAPS, YEARS) == []
    assert problems(layers="-") == []  # "no layer" is a valid choice


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"years": "²-2024"}, "年份"),
        ({"years": "9" * 5000}, "年份"),
        ({"years": "٢٠٢٤-2025"}, "年份"),  # Arabic-Indic digits: \d would take them, int() too
        ({"towns": "32041210０"}, "乡镇代码"),  # a full-width digit
        ({"years": "2010-2025"}, "超出已有数据（2020–2025年）"),
        ({"unit": "320999"}, "辖市区"),
        ({"towns": "abc"}, "乡镇代码"),
        ({"industries": "chemical,bogus"}, "重点行业"),
        ({"grades": "x"}, "风险等级"),
        ({"layers": "districts,<script>"}, "图层"),
        ({"indicator": "drop table"}, "专题指标"),
        ({"basemap": "google"}, "底图"),
        ({"scheme": "x"}, "分级方法"),
        ({"color": "x"}, "企业着色方式"),
        ({"commuting": "yes"}, "上下班"),
        ({"utm_source": "mail"}, "无法识别"),
    ],
)
def test_each_bad_parameter_is_named(params, expected):
    found = link_problems(params, INDICATORS, BASEMAPS, YEARS)
    assert len(found) == 1 and expected in found[0], found


def test_edges_of_the_year_range():
    assert problems(years="2020-2025") == []  # exactly the data's years
    assert problems(years="2025-2020") == []  # reversed is read sorted, as the map does
    assert len(problems(years="2019-2025")) == 1
    assert len(problems(years="2020-2026")) == 1


def test_the_map_reads_the_same_links_without_raising():
    for years in ("²-2024", "9" * 5000, "٢٠٢٤-2025", "2023-2025-"):
        assert MapState.from_params({"years": years}).years is None
    assert MapState.from_params({"years": "2025-2023"}).years == (2023, 2025)
    assert MapState.from_params({"towns": "32041210０,320412100"}).towns == ("320412100",)


def test_quoted_values_are_short_and_inert():
    long = quote("9" * 5000)
    assert len(long) <= QUOTE_CHARS + 3 and long.endswith("…”")
    shown = quote("<img src=x onerror=alert(1)>")
    assert "<" not in shown and ">" not in shown and "(" not in shown
    assert "*" not in quote("**bold**") and "[" not in quote("[x](javascript:1)")
