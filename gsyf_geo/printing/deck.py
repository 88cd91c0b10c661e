"""The meeting deck (推进会汇报材料): a 16:9 Chinese PowerPoint and the same slides as PDF.

:func:`build_brief` collects the content once (:class:`Brief`, a list of :class:`Slide`);
:meth:`Brief.pptx` writes it with python-pptx (text and tables stay editable; maps and
charts are pictures), :meth:`Brief.pdf` draws the same slides with matplotlib into a
multi-page PDF (no LibreOffice needed, so the PDF looks the same on every server).

Slides, in order: title; headline figures; choropleth maps of the main indicators
(:mod:`.mapimage`); the targets with their verdicts and trends
(:mod:`gsyf_geo.monitor.evaluation`); trend charts of the accident rate and training
coverage with the target line (:mod:`.charts`); the final-evaluation matrix; the units
ranked by accident rate; the bases map with existing and planned sites; notes (data date,
evaluation date, definitions and verdict rules). A district or unit scope reads only that
scope's data (a district officer's own deck).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from gsyf_geo.analysis.filters import MapState, apply_state
from gsyf_geo.analysis.indicators import INDICATORS, headline, unit_indicators
from gsyf_geo.analysis.mapdata import load_map_data
from gsyf_geo.domain import DEMO_LABEL
from gsyf_geo.monitor.evaluation import TargetResult, definition_text, evaluate_plan, overview_table
from gsyf_geo.monitor.status import STATUS_COLORS, STATUSES, is_complete
from gsyf_geo.monitor.values import units_in_scope
from gsyf_geo.plan import Plan
from gsyf_geo.printing import charts
from gsyf_geo.printing.fonts import use_cjk_font
from gsyf_geo.printing.mapimage import data_date_of, draw_map, figure_bytes, map_view
from gsyf_geo.store import CITY, Scope, Store

SLIDE_W, SLIDE_H = 4000 / 300, 7.5  # inches, 16:9 (PowerPoint widescreen)
TARGET_ROWS_PER_SLIDE = 8
FONT = "Microsoft YaHei"  # the deck's font; PowerPoint substitutes another CJK font where missing
TEXT = "#1d2b3a"
GREY = "#52606d"
DEMO_RED = "#c0392b"
GOOD, BAD = STATUS_COLORS["达标"], STATUS_COLORS["未达标"]
VERDICT_NOTES = (
    "只评价完整年度；当年未结束的数值为“截至某月某日”累计，不据以评价。",
    "达标：已达到计划要求；进行中：期限未到、不差于应达进度；落后：差于应达进度；未达标：期限已过仍未达到。",
    "样本不足：比率类指标的分母少于计划规定的最小样本（默认20），不作评价；无数据：缺少所需数据，从不按零计。",
    "区县范围：比率类指标按同一要求评价；全市总量指标只显示本区数值及占全市比例（不分解）。",
    "完整规则见 docs/verdicts.md；数值口径见各指标定义。",
)


@dataclass
class Slide:
    """One slide's content, drawn the same way in PPTX and PDF.

    ``kind`` is ``"title"``, ``"figures"`` (tiles: label, value, note, colour),
    ``"picture"`` (``image`` under the title), ``"full"`` (``image`` filling the slide: a
    printed map with its own title), ``"table"`` (``table``; cells of ``status_columns``
    coloured by status, of ``trend_column`` by ``trend_colors``) or ``"text"`` (``bullets``).
    """

    kind: str
    title: str
    subtitle: str = ""
    image: bytes | None = None
    table: pd.DataFrame | None = None
    status_columns: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()
    trend_colors: list[str | None] = field(default_factory=list)
    tiles: list[tuple[str, str, str, str]] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    notes: str = ""


@dataclass
class Brief:
    """The deck's content; :meth:`pptx` and :meth:`pdf` write it."""

    title: str
    scope_label: str
    slides: list[Slide]
    is_demo: bool
    footer: str

    @property
    def slide_count(self) -> int:
        return len(self.slides)

    def file_stem(self) -> str:
        """``"推进会汇报_全市_2026-11-30"``."""
        return f"推进会汇报_{self.scope_label}_{self.footer.split('评估日期 ')[-1][:10]}"

    def pptx(self) -> bytes:
        """The deck as a 16:9 PowerPoint file."""
        return _write_pptx(self)

    def pdf(self) -> bytes:
        """The same slides as a multi-page PDF (one page per slide, 16:9)."""
        return _write_pdf(self)


# --------------------------------------------------------------------------- content


def _fmt(value: float | None, fmt: str) -> str:
    return "无数据" if value is None or pd.isna(value) else fmt.format(value)


def trend_text(result: TargetResult) -> tuple[str, str | None]:
    """The change between the last two complete years with values, and whether it is
    toward the target (green) or away from it (red).

    ``("↓ 下降（向好）", green)``; ``("—", None)`` with fewer than two such years. Up is good
    for ``at_least`` targets, down for the others (``at_most``, ``reduce_by``,
    ``decreasing_yearly``).
    """
    done = [
        (y, v) for y, v in sorted(result.values.city.items())
        if v is not None and (result.as_of is None or is_complete(y, result.as_of))
    ]  # fmt: skip
    if len(done) < 2:
        return "—", None
    (y0, v0), (y1, v1) = done[-2], done[-1]
    if v1 == v0:
        return f"→ 持平（{y1}年较{y0}年）", None
    up = v1 > v0
    good = up if result.target.direction == "at_least" else not up
    word = "上升" if up else "下降"
    return f"{'↑' if up else '↓'} {word}（{'向好' if good else '变差'}，{y1}年较{y0}年）", GOOD if good else BAD


def _target_slides(results: Sequence[TargetResult], plan: Plan, scope_label: str) -> list[Slide]:
    table = overview_table(results, plan)
    trends = [trend_text(r) for r in results]
    df = pd.DataFrame({
        "指标": table["指标"], "当前值": table["当前值"], "目标": table["目标"], "期限": table["期限"],
        "状态": table["状态"], "趋势": [t for t, _ in trends],
    })  # fmt: skip
    colors = [c for _, c in trends]
    slides = []
    n = max(1, -(-len(df) // TARGET_ROWS_PER_SLIDE))
    for i in range(n):
        part = slice(i * TARGET_ROWS_PER_SLIDE, (i + 1) * TARGET_ROWS_PER_SLIDE)
        slides.append(Slide(
            "table", f"规划目标完成情况（{i + 1}/{n}）", subtitle=f"{scope_label} · {plan.title}",
            table=df.iloc[part].reset_index(drop=True), status_columns=("状态",),
            widths=(3.0, 2.4, 2.4, 1.3, 0.8, 2.0), trend_colors=colors[part],
            notes="状态按 docs/verdicts.md 的规则判定；趋势为最近两个完整年度的变化，颜色表示是否朝目标方向。",
        ))  # fmt: skip
    return slides


def _ranked(table: pd.DataFrame, codes: list[str], base_year: int | None) -> pd.DataFrame:
    rows = table.loc[[c for c in codes if c in table.index]].copy()
    rows = rows.sort_values("accident_rate", na_position="last", kind="stable")
    out = pd.DataFrame({
        "排名": range(1, len(rows) + 1),
        "统计单元": rows["name"].to_numpy(),
        "万人事故率": [_fmt(v, "{:.1f}") for v in rows["accident_rate"]],
    })  # fmt: skip
    if base_year is not None and f"change_{base_year}" in rows:
        out[f"较{base_year}年"] = [_fmt(v, "{:+.1%}") for v in rows[f"change_{base_year}"]]
    out["参保率"] = [_fmt(v, "{:.1%}") for v in rows["enrollment_rate"]]
    out["培训覆盖率"] = [_fmt(v, "{:.1%}") for v in rows["training_coverage"]]
    out["宣传覆盖率"] = [_fmt(v, "{:.1%}") for v in rows["publicity_coverage"]]
    out["参保缺口（人）"] = [_fmt(v, "{:,.0f}") for v in rows["gap"]]
    return out


def build_brief(
    store: Store, plan: Plan | None, *, scope: Scope = CITY, as_of: date | None = None, dpi: int = 200,
    map_indicators: Sequence[str] | None = None,
) -> Brief:
    """Collect the deck's content for ``scope`` on ``as_of`` (default today).

    Parameters
    ----------
    store
        The store; only ``scope``'s rows are read.
    plan
        The plan whose targets are judged (required).
    scope
        The city, a district (``Scope.district("320412")``) or a reporting unit.
    as_of
        The evaluation date.
    dpi
        Resolution of the pictures (maps, charts).
    map_indicators
        Indicators with a map slide (default: accident rate, its change against the plan's
        baseline, training and publicity coverage).
    """
    if plan is None:
        raise ValueError("没有可用的规划目标文件（data/plan/*.json），无法生成汇报材料。")
    day = as_of or date.today()
    label = "全市" if scope.kind == "city" else scope.label
    data = load_map_data(store, scope, plan)
    data_date = data_date_of(store)
    codes = units_in_scope(scope)
    base_year = plan.baseline_year
    state = MapState(layers=("districts",))
    view = apply_state(data, state)
    table = unit_indicators(view, data.years)
    totals = headline(view, data.years)
    results = evaluate_plan(store, plan, day, scope)
    y0, y1 = view.years
    demo = bool(data.is_demo)
    footer = " · ".join(filter(None, [
        f"{label} · {plan.title}", f"数据更新 {data_date.isoformat()}" if data_date else "",
        f"评估日期 {day.isoformat()}",
    ]))  # fmt: skip

    slides: list[Slide] = []
    slides.append(Slide(
        "title", f"{label}工伤预防工作推进会", subtitle="\n".join(filter(None, [
            plan.title, f"规划目标完成情况与风险地图（{y1}年）",
            f"评估日期：{day.isoformat()}　数据更新：{data_date.isoformat() if data_date else '未知'}",
            DEMO_LABEL if demo else "",
        ])),  # fmt: skip
        notes="本材料由 gsyf_geo 按当前数据自动生成；数值口径与“目标监测”页面、风险地图一致。",
    ))

    counts = pd.Series([r.city.status for r in results]).value_counts()
    verdicts = " · ".join(f"{s} {int(counts.get(s, 0))}" for s in STATUSES if counts.get(s, 0))
    change = totals.get(f"change_{base_year}")
    tiles = [
        ("重点行业企业", _fmt(totals["enterprises"], "{:,.0f} 家"), "", TEXT),
        ("职工人数", _fmt(totals["employees"], "{:,.0f} 人"), "", TEXT),
        ("参保人数", _fmt(totals["insured"], "{:,.0f} 人"), f"{y1}年末", TEXT),
        ("参保缺口", _fmt(totals["gap"], "{:,.0f} 人"), "职工人数 − 参保人数", TEXT),
        (f"工伤人数（{y1}年）", _fmt(totals["injuries"], "{:,.0f} 人"), "认定工伤，不含上下班途中", TEXT),
        ("万人事故率", _fmt(totals["accident_rate"], "{:.1f}"),
         f"较{base_year}年 {_fmt(change, '{:+.1%}')}" if change is not None else "人/万人", TEXT),
        ("重要岗位培训覆盖率", _fmt(totals["training_coverage"], "{:.1%}"), "重点企业", TEXT),
        ("宣传覆盖率", _fmt(totals["publicity_coverage"], "{:.1%}"), "重点行业企业", TEXT),
        ("新开工项目按项目参保率", _fmt(totals["project_insurance_rate"], "{:.1%}"), f"{y1}年开工", TEXT),
        ("宣传培训基地（已建）", _fmt(totals["bases_existing"], "{:,.0f} 家"), "", TEXT),
    ]  # fmt: skip
    slides.append(Slide(
        "figures", f"主要数据（{label}，{y1}年）", subtitle=f"规划目标 {len(results)} 项：{verdicts}",
        tiles=tiles, notes="万人事故率 = 认定工伤人数（不含上下班途中）÷ 平均参保人数 × 10000。",
    ))  # fmt: skip

    indicators = list(map_indicators or ["accident_rate", f"change_{base_year}", "training_coverage",
                                          "publicity_coverage"])  # fmt: skip
    indicators = [i for i in indicators if i in INDICATORS]
    with use_cjk_font():
        for ind in indicators:
            mv = map_view(data, MapState(layers=("districts",), indicator=ind), plan, data_date=data_date,
                          view=view, table=table)  # fmt: skip
            mv.unit_label, mv.focus_units = label, tuple(codes)
            slides.append(Slide("full", mv.title, image=figure_bytes(draw_map(mv, "slide-16x9"), "png", dpi),
                                notes=f"{mv.indicator.name}：{mv.subtitle}"))  # fmt: skip
    slides += _target_slides(results, plan, label)
    by_metric = {r.info.id: r for r in reversed(results)}  # the first target of a metric wins
    for metric in ("accident_rate", "training_coverage"):
        r = by_metric.get(metric)
        if r is None:
            continue
        with use_cjk_font():
            fig = charts.trend_figure(r, plan, size=(12.0, 5.6))
            png = figure_bytes(fig, "png", dpi)
        slides.append(Slide("picture", f"{r.target.name}：趋势与目标", subtitle=f"评价：{r.city.status}",
                            image=png, notes=r.city.reason))  # fmt: skip
    with use_cjk_font():
        fig = charts.matrix_figure(results, plan, "期末评估：各统计单元评价", size=(SLIDE_W, SLIDE_H))
        slides.append(Slide("full", "期末评估：各统计单元评价", image=figure_bytes(fig, "png", dpi),
                            notes="不分解：全市总量指标，区县只显示本区数值及占全市比例。"))  # fmt: skip
    slides.append(Slide(
        "table", "各统计单元排名（按万人事故率，由低到高）", subtitle=f"{label} · {y1}年",
        table=_ranked(table, codes, base_year), widths=(0.6, 1.6, 1.2, 1.2, 1.1, 1.2, 1.2, 1.4),
        notes="排名按万人事故率由低到高；无数据的单元排在最后。",
    ))  # fmt: skip
    with use_cjk_font():
        mv = map_view(data, MapState(layers=("districts", "bases"), indicator="training_coverage"), plan,
                      data_date=data_date, view=view, table=table)  # fmt: skip
        mv.unit_label, mv.focus_units = label, tuple(codes)
        mv.title_text = f"{label} 宣传培训基地布局（已建与规划，{y1}年）"
        bases = figure_bytes(draw_map(mv, "slide-16x9"), "png", dpi)
    slides.append(Slide("full", mv.title, image=bases,
                        notes="底色为重要岗位培训覆盖率；三角形为宣传培训基地（蓝：已建，橙：规划）。"))  # fmt: skip
    definitions = [f"{r.target.name}：{definition_text(r)}" for r in results]
    shown = [r for r in results if r.info.id in ("accident_rate", "training_coverage", "publicity_coverage",
                                                  "enrollment_rate")]  # fmt: skip
    short = [textwrap.shorten(f"{r.info.name}：{r.info.definition}", 110, placeholder="…")
             for r in {r.info.id: r for r in reversed(shown)}.values()]  # fmt: skip
    slides.append(Slide(
        "text", "说明：数据日期、口径与评价规则",
        bullets=[
            f"数据更新：{data_date.isoformat() if data_date else '未知'}；评估日期：{day.isoformat()}；"
            f"地图年份：{y1}年；范围：{label}。",
            *( [f"{DEMO_LABEL}：本材料中的数字不是真实统计，仅供演示。"] if demo else []),
            *VERDICT_NOTES,
            "主要指标口径（全部指标的定义见本页备注）：",
            *short,
        ],
        notes="\n".join(definitions),
    ))  # fmt: skip
    return Brief(f"{label}工伤预防工作推进会", label, slides, demo, footer)


# --------------------------------------------------------------------------- PPTX


def _rgb(hex_color: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_color.lstrip("#")[:6].upper())


def _style_runs(frame, size: float, bold: bool = False, color: str = TEXT) -> None:
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    for para in frame.paragraphs:
        for run in para.runs:
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.name = FONT
            run.font.color.rgb = _rgb(color)
            rpr = run._r.get_or_add_rPr()
            for tag in ("a:ea", "a:cs"):
                el = rpr.find(qn(tag))
                if el is None:
                    el = rpr.makeelement(qn(tag), {})
                    rpr.append(el)
                el.set("typeface", FONT)


def _text(slide, left, top, width, height, text: str, size: float, bold=False, color=TEXT, align=None):
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    lines = text.split("\n")
    frame.text = lines[0]
    for line in lines[1:]:
        frame.add_paragraph().text = line
    if align is not None:
        for para in frame.paragraphs:
            para.alignment = align
    _style_runs(frame, size, bold, color)
    return box


def _title(slide, text: str, subtitle: str = "") -> None:
    from pptx.util import Inches

    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = Inches(0.4), Inches(0.2), Inches(12.5), Inches(0.7)
    shape.text = text
    frame = shape.text_frame
    frame.paragraphs[0].alignment = 1  # left
    _style_runs(frame, 26, True)
    if subtitle:
        _text(slide, 0.45, 0.85, 12.4, 0.4, subtitle, 13, color=GREY)


def _footer(slide, brief: Brief, number: int) -> None:
    _text(slide, 0.4, 7.08, 10.5, 0.3, brief.footer, 9, color=GREY)
    _text(slide, 12.2, 7.08, 0.8, 0.3, str(number), 9, color=GREY)
    if brief.is_demo:
        _text(slide, 8.6, 7.08, 3.6, 0.3, DEMO_LABEL, 9, bold=True, color=DEMO_RED)


def _picture(slide, image: bytes, left: float, top: float, max_w: float, max_h: float) -> None:
    from PIL import Image
    from pptx.util import Inches

    w, h = Image.open(io.BytesIO(image)).size
    scale = min(max_w / w, max_h / h)
    width, height = w * scale, h * scale
    slide.shapes.add_picture(io.BytesIO(image), Inches(left + (max_w - width) / 2), Inches(top),
                             Inches(width), Inches(height))  # fmt: skip


def _table(slide, s: Slide, top: float) -> None:
    from pptx.util import Inches

    df = s.table
    rows, cols = len(df) + 1, len(df.columns)
    height = min(5.9, 0.42 * rows)
    shape = slide.shapes.add_table(rows, cols, Inches(0.4), Inches(top), Inches(12.5), Inches(height))
    table = shape.table
    widths = s.widths or tuple([1.0] * cols)
    for i, w in enumerate(widths):
        table.columns[i].width = Inches(12.5 * w / sum(widths))
    status_idx = {list(df.columns).index(c) for c in s.status_columns}
    trend_idx = list(df.columns).index("趋势") if "趋势" in df.columns else None
    for c, name in enumerate(df.columns):
        cell = table.cell(0, c)
        cell.text = str(name)
        _style_runs(cell.text_frame, 12, True, "#ffffff")
    for r, row in enumerate(df.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            cell.text = text
            color = TEXT
            if c in status_idx and text in STATUS_COLORS:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(STATUS_COLORS[text])
                color = "#ffffff"
            elif c == trend_idx and s.trend_colors and s.trend_colors[r - 1]:
                color = s.trend_colors[r - 1]
            _style_runs(cell.text_frame, 11, c in status_idx, color)


def _write_pptx(brief: Brief) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = brief.title
    for number, s in enumerate(brief.slides, start=1):
        if s.kind == "title":
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            title = slide.shapes.title
            title.left, title.top, title.width, title.height = Inches(0.8), Inches(2.0), Inches(11.7), Inches(1.4)
            title.text = s.title
            _style_runs(title.text_frame, 40, True)
            sub = slide.placeholders[1]
            sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.6), Inches(11.7), Inches(2.2)
            lines = s.subtitle.split("\n")
            sub.text_frame.text = lines[0]
            for line in lines[1:]:
                sub.text_frame.add_paragraph().text = line
            _style_runs(sub.text_frame, 18, False, GREY)
            for para in sub.text_frame.paragraphs:
                if para.runs and para.runs[0].text == DEMO_LABEL:
                    _style_runs_para(para, DEMO_RED)
        elif s.kind == "full":
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            _title(slide, s.title)  # for the outline and screen readers; the picture covers it
            _picture(slide, s.image, 0.0, 0.0, SLIDE_W, SLIDE_H)
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            _title(slide, s.title, s.subtitle)
            if s.kind == "picture":
                _picture(slide, s.image, 0.4, 1.35, 12.5, 5.6)
            elif s.kind == "table":
                _table(slide, s, 1.4)
            elif s.kind == "figures":
                _tiles(slide, s.tiles)
            elif s.kind == "text":
                _text(slide, 0.5, 1.3, 12.3, 5.6, "\n".join(f"• {b}" for b in s.bullets), 12.5)
            _footer(slide, brief, number)
        if s.notes:
            slide.notes_slide.notes_text_frame.text = s.notes
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _style_runs_para(para, color: str) -> None:
    for run in para.runs:
        run.font.color.rgb = _rgb(color)
        run.font.bold = True


def _tiles(slide, tiles) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    cols = 5
    w, h, gap = 2.38, 2.2, 0.15
    for i, (label, value, note, color) in enumerate(tiles):
        r, c = divmod(i, cols)
        left, top = 0.45 + c * (w + gap), 1.6 + r * (h + 0.3)
        box = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(top), Inches(w), Inches(h))
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb("#eef3f9")
        box.line.color.rgb = _rgb("#c8d6e5")
        _text(slide, left + 0.1, top + 0.1, w - 0.2, 0.5, label, 13, color=GREY)
        _text(slide, left + 0.1, top + 0.65, w - 0.2, 0.8, value, 24, True, color)
        if note:
            _text(slide, left + 0.1, top + 1.5, w - 0.2, 0.6, note, 10.5, color=GREY)


# --------------------------------------------------------------------------- PDF


def _pdf_page(s: Slide, brief: Brief, number: int):
    """One slide as a matplotlib Figure (inside the CJK font context)."""
    import matplotlib.image as mpimg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    if s.kind == "table":
        fig = charts.table_figure(
            s.table, s.title, status_columns=s.status_columns, widths=s.widths or None,
            wrap=[max(4, int(w * 9)) for w in (s.widths or [1.0] * len(s.table.columns))],
            size=(SLIDE_W, SLIDE_H), subtitle=s.subtitle, font_size=10,
        )  # fmt: skip
        if s.trend_colors and "趋势" in s.table.columns:
            c = list(s.table.columns).index("趋势")
            for (r, cc), cell in fig.axes[0].tables[0].get_celld().items():
                if r > 0 and cc == c and s.trend_colors[r - 1]:
                    cell.get_text().set_color(s.trend_colors[r - 1])
    else:
        fig = Figure(figsize=(SLIDE_W, SLIDE_H))
        fig.patch.set_facecolor("white")
        if s.kind == "full":
            ax = fig.add_axes([0, 0, 1, 1])
            ax.imshow(mpimg.imread(io.BytesIO(s.image), format="png"))
            ax.set_axis_off()
            return fig
        if s.kind == "title":
            fig.text(0.06, 0.62, s.title, fontsize=36, fontweight="bold", color=TEXT)
            for i, line in enumerate(s.subtitle.split("\n")):
                fig.text(0.06, 0.52 - i * 0.06, line, fontsize=16,
                         color=DEMO_RED if line == DEMO_LABEL else GREY,
                         fontweight="bold" if line == DEMO_LABEL else "normal")  # fmt: skip
            return fig
        fig.text(0.03, 1 - 0.2 / SLIDE_H, s.title, fontsize=22, fontweight="bold", va="top", color=TEXT)
        if s.subtitle:
            fig.text(0.034, 1 - 0.85 / SLIDE_H, s.subtitle, fontsize=12, va="top", color=GREY)
        if s.kind == "picture":
            ax = fig.add_axes([0.03, 0.07, 0.94, 0.75])
            ax.imshow(mpimg.imread(io.BytesIO(s.image), format="png"))
            ax.set_axis_off()
        elif s.kind == "figures":
            for i, (label, value, note, color) in enumerate(s.tiles):
                r, c = divmod(i, 5)
                left, top = (0.45 + c * 2.53) / SLIDE_W, 1 - (1.6 + r * 2.5) / SLIDE_H
                w, h = 2.38 / SLIDE_W, 2.2 / SLIDE_H
                fig.patches.append(FancyBboxPatch((left, top - h), w, h, boxstyle="round,pad=0.003",
                                                  transform=fig.transFigure, fc="#eef3f9", ec="#c8d6e5"))  # fmt: skip
                fig.text(left + 0.01, top - 0.03, label, fontsize=12, color=GREY, va="top")
                fig.text(left + 0.01, top - 0.11, value, fontsize=22, fontweight="bold", color=color, va="top")
                fig.text(left + 0.01, top - 0.22, note, fontsize=10, color=GREY, va="top")
        elif s.kind == "text":
            y = 1 - 1.35 / SLIDE_H
            for b in s.bullets:
                wrapped = textwrap.wrap(b, 88) or [""]
                fig.text(0.04, y, "• " + "\n   ".join(wrapped), fontsize=12, va="top", color=TEXT)
                y -= 0.045 * len(wrapped) + 0.012
    fig.text(0.03, 0.02, brief.footer, fontsize=9, color=GREY)
    fig.text(0.97, 0.02, str(number), fontsize=9, color=GREY, ha="right")
    if brief.is_demo:
        fig.text(0.9, 0.02, DEMO_LABEL, fontsize=9, color=DEMO_RED, ha="right", fontweight="bold")
    return fig


def _write_pdf(brief: Brief) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    out = io.BytesIO()
    with use_cjk_font(), PdfPages(out, metadata={"Title": brief.title}) as pdf:
        for number, s in enumerate(brief.slides, start=1):
            pdf.savefig(_pdf_page(s, brief, number), facecolor="white")
    return out.getvalue()
