"""What is called 演示数据 follows what is demo: the banner names the kinds still synthetic
after a real import, a figure's label says 演示数据 / 含演示数据 / nothing for its own data and
scope, and nothing is labelled once no demo row is left. Also the import history's plain
Chinese notes."""

from __future__ import annotations

import re

from importing_support import ENTERPRISE_HEADERS, csv_bytes, enterprise_rows

from gsyf_geo.domain import DEMO_LABEL
from gsyf_geo.import_history import operator_name, plain_note, plain_places
from gsyf_geo.importing.load import import_file
from gsyf_geo.store import Scope, Store
from gsyf_geo.store.demo_status import demo_status

WUJIN = Scope.district("320412")
TIANNING = Scope.district("320402")


def test_banner_and_labels_follow_a_real_import_then_the_demo_clear(demo_db_url):
    store = Store(demo_db_url)
    try:
        before = demo_status(store)
        assert before.banner() == f"当前为{DEMO_LABEL}"
        assert before.label(["work_injury"]) == "演示数据"
        firms = before.rows("enterprise")

        result = import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3, start=800)),
                             "武进名单.csv", user="王科长")  # fmt: skip
        assert result.inserted == 3
        after = demo_status(store)
        banner = after.banner()
        assert banner.startswith(f"部分数据为{DEMO_LABEL}：")
        wholly = banner.split("：", 1)[1].split("为演示数据", 1)[0].split("、")
        assert "工伤记录" in wholly and "培训记录" in wholly and "企业名录" not in wholly
        assert f"企业名录 {firms + 3:,} 条中 {firms:,} 条为演示数据" in banner
        assert banner.endswith("导入的真实数据：企业名录 3 条（武进区）。")
        # Figures: the enterprises of the city and of 武进 are partly demo, 天宁's wholly.
        assert after.label(["enterprise"]) == "含演示数据"
        assert after.label(["enterprise"], WUJIN) == "含演示数据"
        assert after.label(["enterprise"], TIANNING) == "演示数据"
        assert after.label(["work_injury", "enterprise"], TIANNING) == "演示数据"
        assert after.banner(TIANNING) == f"当前为{DEMO_LABEL}"
        assert after.real_units("enterprise") == ["320412"]

        store.delete_all(demo_only=True)  # what `python -m gsyf_geo demo --clear` does
        cleared = demo_status(store)
        assert not cleared.any_demo()
        assert cleared.banner() is None and cleared.banner(WUJIN) is None
        assert cleared.label(["enterprise"]) is None
        assert cleared.rows("enterprise") == 3
    finally:
        store.engine.dispose()


def test_an_empty_store_has_no_banner(store):
    status = demo_status(store)
    assert status.banner() is None and status.label(["enterprise", "work_injury"]) is None


def test_import_notes_in_plain_chinese():
    assert plain_places("定位：文件坐标 2") == "文件坐标定位 2 行"
    note = "未变 0 行；定位：文件坐标 2，天地图·精确 3，沿用库中位置 4；超出所填区县 1 行"
    assert plain_note(note) == "文件坐标定位 2 行，天地图定位（精确）3 行，沿用库中位置 4 行；坐标超出所填区县 1 行"
    assert plain_note("未变 7 行") == "未变 7 行"
    assert plain_note("错误 3 条；首条：a.csv，第 3 行，“职工人数”列：不是数字") == (
        "错误 3 条；第一处：a.csv，第 3 行，“职工人数”列：不是数字"
    )
    assert plain_note("demo", "demo") == "生成演示城市（合成数据，非真实统计）"
    assert not re.search(r"[A-Za-z]{3,}", plain_note(None, "demo-clear"))
    assert operator_name("open-demo") == "开放演示（未登录）"
    assert operator_name(None) == operator_name(float("nan")) == "系统"
    assert operator_name("王科长") == "王科长"


def _labels_script() -> None:
    import streamlit as st

    from gsyf_geo.store import Scope
    from views.common import demo_banner, demo_label, get_store

    demo_banner(get_store())
    st.text(demo_label("work_injury") + "|" + demo_label(["enterprise"]) + "|"
            + demo_label("enterprise", Scope.district("320402")))


def test_page_helpers_label_figures_by_what_is_demo_now(demo_db_url):
    """views.common: the banner and a figure's label change as soon as an import lands (the
    cached counts follow the store's data version)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_labels_script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text[0].value == "（演示数据）|（演示数据）|（演示数据）"
    assert [w.value for w in at.warning][-1] == f"当前为{DEMO_LABEL}"
    store = Store(demo_db_url)
    import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(2, start=900)), "x.csv",
                user="王科长")  # fmt: skip
    store.engine.dispose()
    at.run()
    assert at.text[0].value == "（演示数据）|（含演示数据）|（演示数据）"
    assert "导入的真实数据：企业名录 2 条（武进区）" in [w.value for w in at.warning][-1]


def test_map_data_is_labelled_demo_only_while_it_draws_on_demo_rows(demo_db_url):
    """The map, its printouts and the list exports carry 演示数据 from ``MapData.is_demo``."""
    from gsyf_geo.analysis.mapdata import load_map_data
    from gsyf_geo.store.demo_status import any_demo_rows

    store = Store(demo_db_url)
    try:
        assert load_map_data(store, TIANNING).is_demo
        import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3, start=850)),
                    "武进名单.csv", user="王科长")  # fmt: skip
        store.delete_all(TIANNING, demo_only=True)  # 天宁 without demo rows; 武进 still has some
        assert not any_demo_rows(store, ["enterprise", "work_injury"], TIANNING)
        assert not load_map_data(store, TIANNING).is_demo
        assert load_map_data(store, WUJIN).is_demo
        store.delete_all(demo_only=True)
        real = load_map_data(store, WUJIN)
        assert len(real.enterprises) == 3 and not real.is_demo
    finally:
        store.engine.dispose()
