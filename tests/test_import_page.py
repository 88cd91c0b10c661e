"""The import page: AppTest drives what it can (kind, template downloads, history); the
page's logic (preview with highlighted problems, history table) is tested directly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from importing_support import ENTERPRISE_HEADERS, csv_bytes, enterprise_rows
from streamlit.testing.v1 import AppTest

from gsyf_geo.importing.load import import_file, prepare_import
from gsyf_geo.importing.preview import (
    ERROR_STYLE,
    PROBLEM_COLUMN,
    WARNING_STYLE,
    history_table,
    preview_table,
    styled,
)
from gsyf_geo.importing.schema import KIND_SPECS
from gsyf_geo.store import Store

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGE = "views/import_data.py"


@pytest.fixture
def page_db(demo_sqlite_path, tmp_path, monkeypatch) -> str:
    path = tmp_path / "page.sqlite"
    shutil.copyfile(demo_sqlite_path, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("GSYF_DB_URL", url)
    monkeypatch.delenv("GSYF_TIANDITU_KEY", raising=False)
    monkeypatch.delenv("GSYF_AMAP_KEY", raising=False)
    return url


def _page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_offers_every_kind_and_its_templates(page_db):
    at = _page()
    assert [t.value for t in at.title] == ["数据导入"]
    kind = at.selectbox(key="import_kind")
    assert kind.options == [s.title for s in KIND_SPECS.values()]
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载模板（XLSX）", "下载模板（CSV）"]
    kind.set_value("training_base").run()
    assert not at.exception
    assert [b.key for b in at.get("download_button")] == ["tpl_xlsx_training_base", "tpl_csv_training_base"]
    notes = at.dataframe[0].value
    assert notes["列名"].tolist()[:4] == ["基地编号", "基地名称", "基地类型", "状态"]
    assert at.radio(key="import_crs").options == ["WGS-84（GPS、天地图）", "GCJ-02（高德、腾讯）", "BD-09（百度）"]
    kind.set_value("disease_case").run()
    assert not at.radio  # no coordinates in this kind


def test_page_shows_the_import_history_in_plain_chinese(page_db):
    store = Store(page_db)
    import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2)), "今年的名单.csv",
                user="王科长")  # fmt: skip
    rows = enterprise_rows(2)
    rows[0][3] = "x"
    import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, rows), "有错的名单.csv", user="王科长")
    store.engine.dispose()
    at = _page()
    # The table's cells are markdown with data made literal (backslash escapes): as shown.
    recent = at.table[0].value.reset_index().map(lambda v: re.sub(r"\\(.)", r"\1", str(v)))
    assert recent.columns.tolist() == ["时间", "数据类型", "文件", "操作人", "行数", "结果", "说明"]
    assert recent["文件"].tolist() == ["有错的名单.csv", "今年的名单.csv", "演示数据（自动生成）"]
    assert recent["结果"].tolist() == ["已拒绝", "已导入", "已生成"]
    assert recent["数据类型"].tolist() == ["企业名录", "企业名录", "演示数据"]
    assert recent["操作人"].tolist() == ["王科长", "王科长", "系统"]
    assert recent["行数"].tolist()[:2] == ["读取 2：新增 0，更新 0，拒绝 1", "读取 2：新增 2，更新 0，拒绝 0"]
    assert recent["说明"].tolist()[1] == "文件坐标定位 2 行"
    assert recent["说明"].tolist()[0].startswith("错误 1 条；第一处：有错的名单.csv，第 2 行，“职工人数”列")
    assert recent["说明"].tolist()[2] == "生成演示城市（合成数据，非真实统计）"
    shown = " ".join(recent.astype(str).to_numpy().ravel())
    for raw in ("定位：", "demo", "seed", "open-demo"):
        assert raw not in shown, raw
    # The hash is not in the table; the full history and the fingerprints are in an expander.
    assert at.expander[-1].label == "全部导入记录与文件指纹"
    prints = at.dataframe[-1].value
    assert prints.columns.tolist() == ["时间", "文件", "文件指纹"]
    assert prints["文件"].tolist() == ["有错的名单.csv", "今年的名单.csv"]
    assert prints["文件指纹"].str.fullmatch("[0-9a-f]{64}").all()
    assert "当前为演示数据（合成数据，非真实统计）" not in [w.value for w in at.warning]  # 2 real firms
    assert any("导入的真实数据：企业名录 2 条（武进区）" in w.value for w in at.warning)


def test_preview_highlights_problem_cells(store):
    rows = enterprise_rows(3)
    rows[1][3] = "一百"  # error in 职工人数, row 3
    rows[2][6] = "春江街道"  # a town of another district: a note, row 4
    prep = prepare_import(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, rows), "p.csv", online=False)
    table, css = preview_table(prep)
    assert table.index.tolist() == [2, 3, 4] and table.index.name == "行号"
    assert table.columns.tolist() == [PROBLEM_COLUMN, *ENTERPRISE_HEADERS]
    assert table.at[3, "职工人数"] == "一百"
    assert css.at[3, "职工人数"] == ERROR_STYLE and css.at[3, PROBLEM_COLUMN] == ERROR_STYLE
    assert css.at[4, "乡镇（街道）"] == WARNING_STYLE and css.at[4, PROBLEM_COLUMN] == WARNING_STYLE
    assert (css.loc[2] == "").all()
    assert "职工人数：不是数字：“一百”" in table.at[3, PROBLEM_COLUMN]
    html = styled(table, css).to_html()
    assert "#f8d7da" in html and "#fff3cd" in html
    assert store.count("enterprise") == 0  # a preview writes nothing


def test_preview_puts_rows_with_errors_on_screen(store):
    rows = enterprise_rows(150)
    rows[140][4] = 10_000
    prep = prepare_import(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, rows), "p.csv", online=False)
    table, css = preview_table(prep, limit=20)
    assert len(table) == 20 and 142 in table.index
    assert css.at[142, "参保人数"] == ERROR_STYLE


def test_preview_of_an_unreadable_file_lists_the_problem(store):
    prep = prepare_import(store, "enterprise", b"\x00\x01\x02binary", "x.csv", online=False)
    table, _ = preview_table(prep)
    assert not prep.readable and "既不是 Excel 表格" in table.iloc[0, 0]


def test_history_table_is_newest_first_with_chinese_headers(store):
    assert history_table(store).columns.tolist()[:3] == ["开始时间", "数据类型", "文件"]
    import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)), "a.csv", user="甲")
    import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(1)), "a.csv", user="乙")
    h = history_table(store)
    assert h["操作人"].tolist() == ["乙", "甲"]
    assert h["结果"].tolist() == ["无变化", "已导入"]
    assert h["新增"].tolist() == [0, 1]
