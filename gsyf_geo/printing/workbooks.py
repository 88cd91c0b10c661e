"""Follow-up workbooks (跟进清单) for district officers: one sheet per district.

Three lists, each an Excel workbook with one sheet per district (经开区's enterprises are on
武进区's sheet, as they belong to 武进区):

- ``gaps`` — 参保缺口企业: key-industry enterprises whose employees exceed their insured
  (gap = employees − insured > 0), largest gap first;
- ``untrained`` — 重要岗位未培训: 重点企业 with key-position staff not trained by the end of
  the last chosen year (training records), most untrained first;
- ``uninsured_projects`` — 未按项目参保的新开工项目: construction projects started in the
  chosen years and not insured by project.

Rows come from the same view as the risk map (:func:`gsyf_geo.analysis.filters.apply_state`
of :func:`gsyf_geo.analysis.mapdata.load_map_data`), so a list matches what the map shows
for the same filters. Every sheet states its filters in the title row, has a frozen header,
an autofilter, column widths and number formats. Text is written as text, never as a
formula (:data:`gsyf_geo.tabular.XLSXWRITER_OPTIONS` and ``write_string``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from gsyf_geo.analysis.enterprise_list import filter_words, list_file_stem
from gsyf_geo.analysis.filters import FilteredView, MapState, apply_state
from gsyf_geo.analysis.mapdata import load_map_data
from gsyf_geo.domain import DEMO_LABEL, DISTRICTS, KEY_INDUSTRY_BY_ID
from gsyf_geo.geography import towns
from gsyf_geo.printing.mapimage import data_date_of
from gsyf_geo.store import CITY, Scope, Store
from gsyf_geo.tabular import XLSXWRITER_OPTIONS

LISTS: dict[str, str] = {
    "gaps": "参保缺口企业清单",
    "untrained": "重要岗位人员未培训企业清单",
    "uninsured_projects": "未按项目参保的新开工项目清单",
}
COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.0"
# Column -> number format; other columns are text.
FORMATS: dict[str, str] = {
    "职工人数": COUNT_FORMAT, "参保人数": COUNT_FORMAT, "参保缺口（人）": COUNT_FORMAT, "参保率": RATE_FORMAT,
    "重要岗位人员": COUNT_FORMAT, "已培训人数": COUNT_FORMAT, "未培训人数": COUNT_FORMAT, "培训覆盖率": RATE_FORMAT,
    "开工日期": DATE_FORMAT, "工程造价（万元）": MONEY_FORMAT, "施工人数": COUNT_FORMAT,
}  # fmt: skip
TITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 3


@dataclass
class Workbook:
    """A written workbook: its bytes, title, file name and how many rows it lists."""

    data: bytes
    title: str
    file_name: str
    rows: int
    sheets: tuple[str, ...]


def _town_names() -> dict[str, str]:
    t = towns()
    return dict(zip(t["code"], t["name"], strict=True))


def _rate(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return (num.astype(float) / den.where(den > 0)).astype(float)


def list_frame(view: FilteredView, kind: str) -> pd.DataFrame:
    """The rows of list ``kind`` (a key of :data:`LISTS`) with Chinese headers and a
    ``district`` column (adcode) for the split into sheets."""
    names = _town_names()
    industry = {k: v.name for k, v in KEY_INDUSTRY_BY_ID.items()}
    end = view.years[1]
    if kind == "uninsured_projects":
        pr = view.projects[~view.projects["insured_by_project"].astype(bool)]
        pr = pr.sort_values(["cost_wan_yuan", "project_code"], ascending=[False, True], kind="stable")
        return pd.DataFrame({
            "项目编号": pr["project_code"], "项目名称": pr["name"], "乡镇（街道）": pr["town_code"].map(names),
            "开工日期": pd.to_datetime(pr["start_date"]), "工程造价（万元）": pr["cost_wan_yuan"],
            "施工人数": pr["workers"], "按项目参保": "否", "district": pr["district"].astype(str),
        }).reset_index(drop=True)  # fmt: skip
    ent = view.enterprises
    if kind == "gaps":
        ent = ent[(ent["gap"].fillna(0) > 0) & ent["key_industry"].notna()]
        ent = ent.sort_values(["gap", "credit_code"], ascending=[False, True], kind="stable")
        return pd.DataFrame({
            "统一社会信用代码": ent["credit_code"], "单位名称": ent["name"],
            "乡镇（街道）": ent["town_code"].map(names), "重点行业": ent["key_industry"].map(industry),
            "职工人数": ent["employees"], "参保人数": ent["insured"], "参保缺口（人）": ent["gap"],
            "参保率": _rate(ent["insured"], ent["employees"]), "地址": ent["address"],
            "district": ent["district"].astype(str),
        }).reset_index(drop=True)  # fmt: skip
    if kind == "untrained":
        trained = ent.get(f"trained_{end}")
        trained = trained.fillna(0) if trained is not None else pd.Series(0.0, index=ent.index)
        staff = ent["key_staff"].fillna(0)
        untrained = (staff - trained).clip(lower=0)
        keep = ent["key_enterprise"].fillna(False).astype(bool) & (untrained > 0)
        ent, trained, staff, untrained = ent[keep], trained[keep], staff[keep], untrained[keep]
        order = np.lexsort((ent["credit_code"].to_numpy(), -untrained.to_numpy()))
        frame = pd.DataFrame({
            "统一社会信用代码": ent["credit_code"], "单位名称": ent["name"],
            "乡镇（街道）": ent["town_code"].map(names), "重点行业": ent["key_industry"].map(industry),
            "重要岗位人员": staff, "已培训人数": trained, "未培训人数": untrained,
            "培训覆盖率": _rate(trained, staff), "地址": ent["address"], "district": ent["district"].astype(str),
        })  # fmt: skip
        return frame.iloc[order].reset_index(drop=True)
    raise ValueError(f"未知的清单 {kind}（可选：{'、'.join(LISTS)}）")


def _width(values: list[str]) -> float:
    longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in v) for v in values), default=6)
    return float(min(max(longest + 2, 8), 48))


def write_workbook(frame: pd.DataFrame, title: str, note: str, districts: list[tuple[str, str]]) -> bytes:
    """One sheet per (adcode, name) of ``districts`` with that district's rows of ``frame``.

    Row 1: the title with the filters; row 2: the note (data date, demo label); row 4: the
    header (bold, frozen, autofilter); then the rows with number formats per column.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSXWRITER_OPTIONS})
    bold_title = book.add_format({"bold": True, "font_size": 13})
    italic = book.add_format({"italic": True, "font_color": "#9c5700"})
    header = book.add_format({"bold": True, "bg_color": "#dce7f3", "border": 1, "text_wrap": True, "valign": "top"})
    formats = {name: book.add_format({"num_format": f}) for name, f in FORMATS.items()}
    columns = [c for c in frame.columns if c != "district"]
    for adcode, name in districts:
        rows = frame[frame["district"] == adcode][columns]
        sheet = book.add_worksheet(name[:31])
        sheet.write_string(TITLE_ROW, 0, f"{title}（{name}，共 {len(rows):,} 条）", bold_title)
        sheet.write_string(NOTE_ROW, 0, note, italic)
        for c, col in enumerate(columns):
            sheet.write_string(HEADER_ROW, c, col, header)
            sample = [col] + ["" if pd.isna(v) else str(v) for v in rows[col].head(200)]
            sheet.set_column(c, c, 12 if col in FORMATS else _width(sample), formats.get(col))
        for r, record in enumerate(rows.itertuples(index=False), start=HEADER_ROW + 1):
            for c, (col, value) in enumerate(zip(columns, record, strict=True)):
                if value is None or (not isinstance(value, str) and pd.isna(value)):
                    continue
                if col in FORMATS:
                    if isinstance(value, pd.Timestamp | date):
                        sheet.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), formats[col])
                    else:
                        sheet.write_number(r, c, float(value), formats[col])
                else:
                    sheet.write_string(r, c, str(value))
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(rows), 1), len(columns) - 1)
    book.close()
    return buffer.getvalue()


def followup_workbook(
    store: Store, plan=None, *, kind: str = "gaps", scope: Scope = CITY, state: MapState | None = None,
) -> Workbook:
    """The follow-up list ``kind`` for ``scope``, one sheet per district in it.

    ``state`` carries the map's filters (industries, sizes, grades, towns, years); its unit
    is narrowed to ``scope`` by reading only ``scope``'s data.
    """
    if kind not in LISTS:
        raise ValueError(f"未知的清单 {kind}（可选：{'、'.join(LISTS)}）")
    state = state or MapState()
    data = load_map_data(store, scope, plan)
    view = apply_state(data, state)
    frame = list_frame(view, kind)
    label = "全市" if scope.kind == "city" else scope.label
    y0, y1 = view.years
    period = f"{y0}年" if y0 == y1 else f"{y0}–{y1}年"
    # Every filter by name (towns too), the years already in the title.
    filters = [t for t in filter_words(state, (y0, y1)) if not t.startswith("年份")]
    title = f"{LISTS[kind]} · {label} · {period}" + (" · 筛选：" + "；".join(filters) if filters else " · 筛选：无")
    day = data_date_of(store)
    note = "　".join(filter(None, [
        f"数据更新：{day.isoformat()}" if day else "", f"导出：{date.today().isoformat()}",
        DEMO_LABEL if data.is_demo else "", "按“筛选”列出；表头可筛选排序。",
    ]))  # fmt: skip
    if scope.kind == "city":
        districts = [(d.adcode, d.name) for d in DISTRICTS]
    elif scope.kind == "district":
        districts = [(d.adcode, d.name) for d in DISTRICTS if d.adcode == scope.code]
    else:
        from gsyf_geo.domain import REPORTING_UNIT_BY_CODE

        parent = REPORTING_UNIT_BY_CODE[scope.code].district_adcode
        districts = [(d.adcode, d.name) for d in DISTRICTS if d.adcode == parent]
    data_bytes = write_workbook(frame, title, note, districts)
    name = list_file_stem(label, state, (y0, y1), None, prefix=LISTS[kind])
    return Workbook(data_bytes, title, f"{name}.xlsx", len(frame),
                    tuple(name for _, name in districts))  # fmt: skip
