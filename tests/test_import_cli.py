"""``python -m gsyf_geo import | export | template``, run as a user runs them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from importing_support import (
    ENTERPRISE_HEADERS,
    credit_code,
    csv_bytes,
    enterprise_rows,
    xlsx_bytes,
)

from gsyf_geo.cli import main
from gsyf_geo.importing.readers import read_table
from gsyf_geo.importing.schema import IMPORTABLE_KINDS, KIND_SPECS
from gsyf_geo.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("GSYF_DB_URL", url)
    for key in ("GSYF_TIANDITU_KEY", "GSYF_AMAP_KEY"):
        monkeypatch.delenv(key, raising=False)
    return url


def _count(url: str, kind: str) -> int:
    store = Store(url)
    try:
        return store.count(kind)
    finally:
        store.engine.dispose()


def test_import_prints_a_chinese_summary_and_exits_zero(db, tmp_path, capsys):
    f = tmp_path / "企业.xlsx"
    f.write_bytes(xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(4)))
    assert main(["import", "enterprise", str(f)]) == 0
    out = capsys.readouterr().out
    assert "读取 4 行：新增 4，更新 0，未变 0，拒绝 0" in out
    assert "定位：文件坐标 4" in out and "结果：已导入。" in out
    assert main(["import", "enterprise", str(f)]) == 0
    assert "未变 4" in capsys.readouterr().out
    assert _count(db, "enterprise") == 4


def test_rejected_file_exits_non_zero_and_writes_the_report(db, tmp_path, capsys):
    rows = enterprise_rows(3)
    rows[1][3] = "很多"
    f = tmp_path / "bad.csv"
    f.write_bytes(csv_bytes(ENTERPRISE_HEADERS, rows, "gbk"))
    report = tmp_path / "问题.csv"
    assert main(["import", "enterprise", str(f), "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "bad.csv，第 3 行，“职工人数”列：不是数字：“很多”" in out
    assert "结果：未导入，库中数据未改变" in out
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    problems = pd.read_csv(report, encoding="utf-8-sig")
    assert problems.iloc[0].tolist() == ["bad.csv", 3, "职工人数", "不是数字：“很多”", "错误"]
    assert _count(db, "enterprise") == 0
    assert main(["import", "enterprise", str(f), "--partial"]) == 0
    assert _count(db, "enterprise") == 2


def test_crs_option_converts(db, tmp_path):
    from gsyf_geo.crs import wgs84_to_gcj02

    rows = enterprise_rows(1)
    lon, lat = rows[0][8], rows[0][9]
    rows[0][8], rows[0][9] = (repr(v) for v in wgs84_to_gcj02(lon, lat))
    f = tmp_path / "gcj.csv"
    f.write_bytes(csv_bytes(ENTERPRISE_HEADERS, rows))
    assert main(["import", "enterprise", str(f), "--crs", "gcj02"]) == 0
    ent = Store(db).read("enterprise")
    assert ent["lon"].iloc[0] == pytest.approx(lon, abs=1e-7)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "people", "x.csv"], "未知的数据类型“people”"),
        (["import", "enterprise", "/nonexistent/企业.csv"], "找不到文件"),
        (["import", "enterprise", "FILE", "--crs", "utm"], "不支持的坐标系“utm”"),
        (["export", "people", "--out", "x.csv"], "未知的数据类型"),
        (["template", "people"], "未知的数据类型"),
    ],
)
def test_usage_errors_are_chinese_and_exit_2(db, tmp_path, capsys, args, message):
    f = tmp_path / "企业.csv"
    f.write_bytes(csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)))
    args = [str(f) if a == "FILE" else a for a in args]
    assert main(args) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", IMPORTABLE_KINDS)
def test_template_command_writes_headers_and_one_example_row(db, tmp_path, kind, fmt):
    out = tmp_path / f"t.{fmt}"
    assert main(["template", kind, "--format", fmt, "--out", str(out)]) == 0
    table = read_table(out.read_bytes(), out.name)
    assert table.rows[0][1] == [c.header for c in KIND_SPECS[kind].template_columns]
    filled = [cells for _, cells in table.rows if any(c not in (None, "") for c in cells)]
    assert len(filled) == 2  # headers and one example row
    if fmt == "csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_template_default_file_name(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["template", "construction_project"]) == 0
    assert (tmp_path / "导入模板_工程建设项目.xlsx").is_file()


def test_export_then_import_is_a_no_op(db, tmp_path, capsys):
    f = tmp_path / "e.csv"
    f.write_bytes(csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3)))
    main(["import", "enterprise", str(f)])
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"export.{fmt}"
        assert main(["export", "enterprise", "--format", fmt, "--out", str(out)]) == 0
        assert "已导出 企业名录 3 行" in capsys.readouterr().out
        assert main(["import", "enterprise", str(out)]) == 0
        assert "新增 0，更新 0，未变 3，拒绝 0" in capsys.readouterr().out
    frame = pd.read_excel(tmp_path / "export.xlsx", dtype=str)
    assert frame.loc[0, "统一社会信用代码"] == credit_code(0)
    assert frame.columns[-3:].tolist() == ["定位来源", "定位精度", "超出所填区县"]


def test_real_process_with_broken_input_shows_no_traceback(tmp_path):
    """The command as users run it: a broken spreadsheet gives a Chinese message, exit 1."""
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    env = {**os.environ, "GSYF_DB_URL": f"sqlite:///{tmp_path / 's.sqlite'}"}
    env.pop("GSYF_TIANDITU_KEY", None)
    env.pop("GSYF_AMAP_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "gsyf_geo", "import", "enterprise", str(bad)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "无法读取 Excel（.xlsx）文件" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_report_lists_every_problem(db, tmp_path):
    rows = enterprise_rows(30)
    for r in rows:
        r[4] = 10_000
    f = tmp_path / "bad.csv"
    f.write_bytes(csv_bytes(ENTERPRISE_HEADERS, rows))
    report = tmp_path / "r.csv"
    assert main(["import", "enterprise", str(f), "--report", str(report)]) == 1
    frame = pd.read_csv(io.BytesIO(report.read_bytes()), encoding="utf-8-sig")
    assert frame["行号"].tolist() == list(range(2, 32))


def test_xlsx_template_keeps_codes_typed_later_as_text(db, tmp_path):
    """Code columns are formatted as text far below the example, so Excel keeps a typed
    统一社会信用代码 or 行业代码 such as 0511 as written."""
    import openpyxl

    out = tmp_path / "t.xlsx"
    assert main(["template", "enterprise", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["数据"]
    headers = [c.value for c in ws[1]]
    for header in ("统一社会信用代码", "行业代码"):
        assert ws.cell(row=500, column=headers.index(header) + 1).number_format == "@"
    # counts stay numbers (shown with thousands separators since 6c8ac8f), never text
    assert ws.cell(row=500, column=headers.index("职工人数") + 1).number_format in ("General", "#,##0")
