#!/usr/bin/env bash
# Regenerate the print examples under docs/examples/ from a small demo city (1,500 firms, seed 7).
# Usage: bash scripts/print_examples.sh   (needs .venv and a CJK font, e.g. apt install fonts-noto-cjk)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export GSYF_DB_URL="sqlite:///$tmp/demo.sqlite"
py=.venv/bin/python
out=docs/examples
$py -m gsyf_geo demo --enterprises 1500 --seed 7 >/dev/null
$py -m gsyf_geo export map --indicator accident_rate --size a4-landscape --format png --dpi 110 \
    --out "$out/工伤事故发生率_全市_A4横向.png"
$py -m gsyf_geo export map --indicator change_2020 --unit 320412 --size a4-portrait --format pdf \
    --out "$out/事故率较2020年变化_武进区_A4纵向.pdf"
$py -m gsyf_geo export map --indicator training_coverage --size slide-16x9 --format svg \
    --out "$out/重要岗位培训覆盖率_全市_16x9.svg"
$py -m gsyf_geo export brief --as-of 2026-11-30 --dpi 80 --out "$out/推进会汇报_全市.pptx"
$py -m gsyf_geo export brief --as-of 2026-11-30 --dpi 80 --scope district:320402 --out "$out/推进会汇报_天宁区.pdf"
$py -m gsyf_geo export followup --list gaps --out "$out/参保缺口企业清单_全市.xlsx"
$py - <<'PY'
from datetime import date
from pathlib import Path

from gsyf_geo.monitor.evaluation import evaluate_plan
from gsyf_geo.plan import default_plan
from gsyf_geo.printing.charts import chart_file_name, matrix_png, overview_png, trend_png
from gsyf_geo.store import Store

out = Path("docs/examples")
plan = default_plan()
results = evaluate_plan(Store(), plan, date(2026, 11, 30))
accident = next(r for r in results if r.info.id == "accident_rate")
(out / chart_file_name(accident)).write_bytes(trend_png(accident, plan, dpi=110))
sub = f"{plan.title} · 评估日期 2026-11-30 · 演示数据"
(out / "目标总览_全市.png").write_bytes(overview_png(results, plan, "全市 规划目标完成情况", sub, dpi=90))
(out / "期末评估矩阵_全市.png").write_bytes(matrix_png(results, plan, "期末评估：各统计单元评价", sub, dpi=90))
PY
ls -la "$out"
