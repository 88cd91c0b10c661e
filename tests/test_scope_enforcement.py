"""A district officer's scope, tried the ways an outsider would (issue 12's probes rerun).

- In the query layer: a 天宁-scoped write that would replace a 武进 row (and move it into
  天宁) is refused, by ``upsert`` and ``insert``, for single and composite keys, with a
  message naming nothing of the 武进 row; the store is unchanged.
- In an import file: new rows elsewhere and rows that already exist elsewhere are refused,
  and nothing of the other district's rows (name, codes) reaches the problems.
- On the pages: the filters, a link's ``?unit=``, the siting and targets scopes and the
  list an export is made from all stay inside the officer's unit.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from importing_support import ENTERPRISE_HEADERS, credit_code, csv_bytes, enterprise_rows
from streamlit.testing.v1 import AppTest

from gsyf_geo.auth.accounts import add_user
from gsyf_geo.auth.roles import OFFICER
from gsyf_geo.geography import towns
from gsyf_geo.importing.load import import_file, prepare_import
from gsyf_geo.store import CITY, Scope, Store
from gsyf_geo.store.scope import ScopeError

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
TIANNING = Scope.unit("320402")
QINGLONG = "320402002"  # 青龙街道, 天宁区
FIRM = "常州市测试0号机械有限公司"  # enterprise_rows(...)[0], in 武进 湖塘镇


def _tianning_point() -> tuple[float, float]:
    t = towns().set_index("code")
    return float(t.at[QINGLONG, "lon"]), float(t.at[QINGLONG, "lat"])


def _leaks(text: str) -> list[str]:
    """What of the 武进 firm a message must not show."""
    return [w for w in (FIRM, "武进", "320412", "湖塘") if w in text]


@pytest.fixture
def wujin_store(store) -> Store:
    """Three 武进 enterprises (loaded city-wide, as an administrator would) and their 2024 snapshots."""
    result = import_file(store, "enterprise", csv_bytes(ENTERPRISE_HEADERS, enterprise_rows(3)), "wj.csv", user="admin")
    assert result.inserted == 3
    snaps = pd.DataFrame({"credit_code": [credit_code(i) for i in range(3)], "year": 2024,
                          "district": "320412", "reporting_unit": "320412", "employees": 100, "insured": 90})  # fmt: skip
    store.upsert("insurance_snapshot", snaps)
    return store


# --- the query layer ---------------------------------------------------------------------------


def test_a_tianning_write_cannot_replace_a_wujin_enterprise(wujin_store):
    store = wujin_store
    before = store.read("enterprise").drop(columns="geometry").sort_values("credit_code").reset_index(drop=True)
    moved = pd.DataFrame(before.iloc[[1, 0]]).reset_index(drop=True)  # the 武进 firm is the second row
    lon, lat = _tianning_point()
    moved = moved.assign(name="天宁某公司", district="320402", town_code=QINGLONG, lon=lon, lat=lat)
    for write in (store.upsert, store.insert):
        with pytest.raises(ScopeError) as err:
            write("enterprise", moved.drop(columns=["x", "y", "reporting_unit"]), TIANNING)
        message = str(err.value)
        assert "第 1 行" in message and "权限范围（天宁区）以外" in message
        assert not _leaks(message), message
    after = store.read("enterprise").drop(columns="geometry").sort_values("credit_code").reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)  # nothing moved into 天宁, no name changed
    assert store.count("enterprise", TIANNING) == 0


def test_a_composite_key_is_checked_too(wujin_store):
    row = pd.DataFrame({"credit_code": [credit_code(2)], "year": [2024], "district": ["320402"],
                        "reporting_unit": ["320402"], "employees": [1], "insured": [1]})  # fmt: skip
    with pytest.raises(ScopeError, match="权限范围（天宁区）以外"):
        wujin_store.upsert("insurance_snapshot", row, TIANNING)
    assert wujin_store.read("insurance_snapshot").set_index("credit_code").at[credit_code(2), "insured"] == 90


def test_writes_inside_the_scope_still_work(wujin_store):
    lon, lat = _tianning_point()
    new = pd.DataFrame({"credit_code": [credit_code(50, "320402")], "name": ["天宁新公司"], "district": ["320402"],
                        "town_code": [QINGLONG], "lon": [lon], "lat": [lat], "employees": [10], "insured": [9]})  # fmt: skip
    assert wujin_store.upsert("enterprise", new, TIANNING) == (1, 0)
    assert wujin_store.upsert("enterprise", new.assign(name="天宁新公司（更名）"), TIANNING) == (0, 1)
    # A city-wide caller (an administrator) may still move a firm between districts.
    assert wujin_store.upsert("enterprise", new.assign(district="320412", town_code="320412100"), CITY) == (0, 1)


# --- an import file ------------------------------------------------------------------------------


def _tianning_rows(codes: list[str]) -> list[list[object]]:
    lon, lat = _tianning_point()
    return [[c, f"天宁测试{i}号有限公司", "C3412", 50, 40, "天宁区", "青龙街道", "常州市天宁区青龙街道", lon, lat]
            for i, c in enumerate(codes)]  # fmt: skip


def test_an_import_cannot_overwrite_or_add_rows_elsewhere(wujin_store):
    store = wujin_store
    own = credit_code(70, "320402")
    rows = _tianning_rows([own, credit_code(0)])  # a new 天宁 firm; a 武进 firm's code, moved to 天宁
    rows += enterprise_rows(1, start=80)  # a new firm in 武进
    data = csv_bytes(ENTERPRISE_HEADERS, rows)
    prep = prepare_import(store, "enterprise", data, "tn.csv", scope=TIANNING, online=False)
    problems = [p for p in prep.problems if p.level == "error"]
    by_row = {p.row: str(p) for p in problems}
    assert set(by_row) == {3, 4}  # file rows 3 (the 武进 code) and 4 (the new 武进 firm); row 2 is fine
    assert "权限范围（天宁区）以外" in by_row[3]
    assert "不在您的权限范围" in by_row[4]
    everything = "\n".join(str(p) for p in prep.problems)
    assert FIRM not in everything and credit_code(1) not in everything  # nothing of the stored 武进 rows
    result = import_file(store, "enterprise", data, "tn.csv", scope=TIANNING, user="tn")
    assert not result.loaded and store.count("enterprise", TIANNING) == 0
    partial = import_file(store, "enterprise", data, "tn.csv", scope=TIANNING, user="tn", partial=True)
    assert (partial.inserted, partial.updated, partial.rejected) == (1, 0, 2)
    ent = store.read("enterprise").set_index("credit_code")
    assert ent.at[credit_code(0), "name"] == FIRM and ent.at[credit_code(0), "district"] == "320412"
    assert ent.at[own, "district"] == "320402"


def test_same_name_notes_name_no_firm_outside_the_scope(wujin_store):
    lon, lat = _tianning_point()
    row = [credit_code(90, "320402"), FIRM, "C3412", 50, 40, "天宁区", "青龙街道", "地址", lon, lat]
    data = csv_bytes(ENTERPRISE_HEADERS, [row])
    city = prepare_import(wujin_store, "enterprise", data, "a.csv", scope=CITY, online=False)
    assert any(credit_code(0) in str(p) for p in city.problems)  # an administrator sees the duplicate
    scoped = prepare_import(wujin_store, "enterprise", data, "a.csv", scope=TIANNING, online=False)
    assert not any(credit_code(0) in str(p) for p in scoped.problems)


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def officer_db(demo_db_url) -> str:
    store = Store(demo_db_url)
    store.create_schema()
    add_user(store, "tn", OFFICER, "password-123", unit="320402")
    store.engine.dispose()
    return demo_db_url


def _as_officer(page: str | None = None, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["_auth_user"] = "tn"
    at.session_state["_auth_seen"] = time.time()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _listing(at: AppTest) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "统一社会信用代码" in df.value.columns)


def test_map_filters_and_links_stay_in_the_officers_unit(officer_db):
    n = Store(officer_db).count("enterprise", TIANNING)
    at = _as_officer(params={"unit": "320412"})  # a link to 武进
    assert any("不在您的权限范围" in w.value for w in at.warning)
    assert at.sidebar.selectbox(key="unit").options == ["天宁区"]
    t = towns()
    assert set(at.sidebar.multiselect(key="towns").options) == set(t.loc[t["district_adcode"] == "320402", "name"])
    listing = _listing(at)
    assert set(listing["统计单元"]) == {"天宁"} and len(listing) == min(n, 1_000)
    assert next(m.value for m in at.metric if m.label == "企业") == f"{n:,}"
    assert "unit" not in at.query_params  # the URL shows the officer's own view
    assert {"导出 Excel", "导出 CSV"} <= {b.label for b in at.get("download_button")}  # made from this list


def test_siting_and_targets_offer_only_the_officers_unit(officer_db):
    at = _as_officer("views/siting.py")
    assert at.sidebar.selectbox(key="siting_scope").options == ["天宁区"]
    assert "保存当前方案" in [b.label for b in at.button]
    next(b for b in at.button if b.label == "保存当前方案").click()
    at.run()
    assert any("无权保存选址方案" in e.value for e in at.error)  # an officer runs, a planner saves
    at = _as_officer("views/targets.py")
    assert at.sidebar.selectbox(key="targets_scope").options == ["天宁区"]


def test_a_whole_district_officer_may_pick_its_units_but_no_other(demo_db_url):
    store = Store(demo_db_url)
    store.create_schema()
    add_user(store, "wj", OFFICER, "password-123", unit="district:320412")
    n_jkq = store.count("enterprise", Scope.unit("JKQ"))
    store.engine.dispose()
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["_auth_user"] = "wj"
    at.session_state["_auth_seen"] = time.time()
    at.run()
    box = at.sidebar.selectbox(key="unit")
    assert box.options == ["武进区", "武进", "经开区"] and box.value == "city"
    assert set(_listing(at)["统计单元"]) == {"武进", "经开区"}
    box.set_value("JKQ").run()
    assert not at.exception
    assert set(_listing(at)["统计单元"]) == {"经开区"} and len(_listing(at)) == min(n_jkq, 1_000)
    assert at.query_params["unit"] == "JKQ"
