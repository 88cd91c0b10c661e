"""What a risk-map link (its query parameters) asked for that the map cannot show.

:meth:`~gsyf_geo.analysis.filters.MapState.from_params` never raises: what it cannot use
falls back to the default. This module says *what* fell back, in Chinese, so the page can
tell the user instead of silently showing something else. Values from the link are quoted
shortened (a link may carry anything: a 5,000-digit year, markup), never interpreted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gsyf_geo.analysis.filters import (
    CLASS_SCHEMES,
    COLOR_BY,
    LAYERS,
    SIZE_IDS,
    TOWN_PARAM,
    YEARS_PARAM,
)
from gsyf_geo.analysis.risk import RISK_GRADE_BY_ID
from gsyf_geo.domain import KEY_INDUSTRY_BY_ID, REPORTING_UNIT_BY_CODE

QUOTE_CHARS = 20
"""At most this many characters of a bad value are quoted back."""



def quote(value: str, limit: int = QUOTE_CHARS) -> str:
    """A value from a link, made safe to show: shortened, and with anything that is not a
    letter, digit or common punctuation replaced, so it cannot become markup or markdown."""
    short = value[:limit]
    safe = "".join(c if (c.isalnum() or c in "-_.,:") else "?" for c in short)
    return f"“{safe}{'…' if len(value) > limit else ''}”"


def _value(params: Mapping[str, str | list[str]], key: str) -> str:
    value = params.get(key, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def link_problems(
    params: Mapping[str, str | list[str]],
    indicators: Iterable[str],
    basemaps: Iterable[str],
    data_years: Iterable[int] = (),
) -> list[str]:
    """Chinese sentences, one per parameter of ``params`` the map could not use.

    Parameters
    ----------
    params
        The query parameters (``st.query_params.to_dict()``).
    indicators, basemaps
        The indicator and basemap ids the page offers.
    data_years
        The years the data holds; a range outside them is reported (the map clips it).

    Returns
    -------
    list of str
        Empty when every parameter was understood.
    """
    out: list[str] = []
    known = {"unit", "towns", "industries", "sizes", "grades", "years", "layers", "indicator",
             "basemap", "commuting", "scheme", "color"}  # fmt: skip
    for key in params:
        if key not in known:
            out.append(f"链接中的参数 {quote(str(key))} 无法识别，已忽略。")

    def bad_items(key: str, allowed: Iterable[str], what: str) -> None:
        text = _value(params, key)
        if key == "layers" and text == "-":
            return
        allowed = set(allowed)
        bad = [v for v in text.split(",") if v and v not in allowed]
        if bad:
            shown = "、".join(quote(v) for v in bad[:3]) + ("等" if len(bad) > 3 else "")
            out.append(f"链接中的{what} {shown} 无法识别，已忽略。")

    unit = _value(params, "unit")
    if unit and unit != "city" and unit not in REPORTING_UNIT_BY_CODE:
        out.append(f"链接中的辖市区 {quote(unit)} 无法识别，已显示全市。")
    towns = [t for t in _value(params, "towns").split(",") if t]
    bad_towns = [t for t in towns if not TOWN_PARAM.fullmatch(t)]
    if bad_towns:
        out.append(f"链接中的乡镇代码 {quote(bad_towns[0])} 无效（应为 9 位数字），已忽略。")
    bad_items("industries", KEY_INDUSTRY_BY_ID, "重点行业")
    bad_items("sizes", SIZE_IDS, "企业规模")
    bad_items("grades", RISK_GRADE_BY_ID, "风险等级")
    bad_items("layers", LAYERS, "图层")

    years = _value(params, "years")
    if years:
        m = YEARS_PARAM.fullmatch(years)
        held = sorted(set(data_years))
        if not m:
            out.append(f"链接中的年份 {quote(years)} 无效（应写作如 2023-2025），已改为最近一年。")
        elif held and (min(int(m[1]), int(m[2])) < held[0] or max(int(m[1]), int(m[2])) > held[-1]):
            out.append(f"链接中的年份 {quote(years)} 超出已有数据（{held[0]}–{held[-1]}年），已按已有年份显示。")

    for key, allowed, what in (
        ("indicator", set(indicators), "专题指标"),
        ("basemap", set(basemaps), "底图"),
        ("scheme", set(CLASS_SCHEMES), "分级方法"),
        ("color", set(COLOR_BY), "企业着色方式"),
    ):
        text = _value(params, key)
        if text and text not in allowed:
            out.append(f"链接中的{what} {quote(text)} 无法识别，已改用默认值。")
    commuting = _value(params, "commuting")
    if commuting not in ("", "0", "1"):
        out.append(f"链接中“是否含上下班途中事故”的值 {quote(commuting)} 无效（应为 0 或 1），已按不含显示。")
    return out
