"""The geocoding chain with recorded responses (no network): Tianditu, Amap, the cache,
failures and the offline fallback."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse

import pytest
from importing_support import credit_code, csv_bytes, town_point

from gsyf_geo.crs import gcj02_to_wgs84
from gsyf_geo.importing import geocode as G
from gsyf_geo.importing.load import import_file
from gsyf_geo.store.models import GeocodeCache

HEADERS = ["统一社会信用代码", "单位名称", "职工人数", "参保人数", "辖市区", "单位地址"]
ADDRESS = "常州市武进区湖塘镇花园街 58 号"
# What Tianditu answers for a door-plate match (recorded shape of /geocoder?ds=...).
TIANDITU_HIT = {"msg": "ok", "location": {"score": 100, "level": "门址", "lon": 119.95123,
                "lat": 31.71456, "keyWord": ADDRESS}, "searchVersion": "6.4.9V", "status": "0"}  # fmt: skip
TIANDITU_NONE = {"msg": "无结果", "searchVersion": "6.4.9V", "status": "101"}
TIANDITU_BEIJING = {"msg": "ok", "location": {"score": 60, "level": "兴趣点", "lon": 116.40,
                    "lat": 39.90, "keyWord": "x"}, "status": "0"}  # fmt: skip
# Amap /v3/geocode/geo answers in GCJ-02.
AMAP_HIT = {"status": "1", "info": "OK", "infocode": "10000", "count": "1", "geocodes": [
    {"formatted_address": "江苏省常州市武进区花园街58号", "province": "江苏省", "city": "常州市",
     "district": "武进区", "location": "119.955612,31.712003", "level": "门牌号"}]}  # fmt: skip
AMAP_KEY_ERROR = {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}


class FakeHttp:
    """Replays recorded answers by host; counts requests."""

    def __init__(self, answers: dict[str, object]):
        self.answers = answers
        self.urls: list[str] = []

    def __call__(self, url: str, timeout: float = 10.0) -> bytes:
        self.urls.append(url)
        host = urllib.parse.urlsplit(url).hostname
        answer = self.answers[host]
        if isinstance(answer, Exception):
            raise answer
        return json.dumps(answer, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def http(monkeypatch):
    def install(answers):
        fake = FakeHttp(answers)
        monkeypatch.setattr(G, "_http_get", fake)
        return fake

    return install


@pytest.fixture
def keys(monkeypatch):
    def set_keys(tianditu: str | None = None, amap: str | None = None):
        for name, value in (("GSYF_TIANDITU_KEY", tianditu), ("GSYF_AMAP_KEY", amap)):
            if value:
                monkeypatch.setenv(name, value)
            else:
                monkeypatch.delenv(name, raising=False)

    return set_keys


def _file(rows):
    return csv_bytes(HEADERS, rows)


def _rows(n=1, address=ADDRESS, district="武进区"):
    return [[credit_code(i), f"单位{i}", 10, 8, district, address] for i in range(n)]


def _cache_rows(store):
    with store.engine.connect() as conn:
        return conn.execute(GeocodeCache.__table__.select()).mappings().all()


def test_no_key_no_network(store, http, keys):
    keys()
    fake = http({})
    result = import_file(store, "enterprise", _file(_rows()), "a.csv")
    assert fake.urls == []
    assert result.placed == {("offline", "town"): 1}
    assert G.configured_geocoders() == []


def test_tianditu_answer_is_used_and_cached(store, http, keys):
    keys(tianditu="TK")
    fake = http({"api.tianditu.gov.cn": TIANDITU_HIT})
    result = import_file(store, "enterprise", _file(_rows(3)), "a.csv")  # same address 3 times
    assert len(fake.urls) == 1
    query = json.loads(urllib.parse.parse_qs(urllib.parse.urlsplit(fake.urls[0]).query)["ds"][0])
    assert query == {"keyWord": ADDRESS.replace(" ", "")}
    assert result.placed == {("tianditu", "exact"): 3}
    ent = store.read("enterprise")
    assert ent["lon"].tolist() == [119.95123] * 3 and ent["lat"].tolist() == [31.71456] * 3
    assert set(ent["geocode_source"]) == {"tianditu"} and set(ent["geocode_precision"]) == {"exact"}
    cached = _cache_rows(store)
    assert [(c["provider"], c["found"], c["level"]) for c in cached] == [("tianditu", True, "门址")]
    # A later file with the same address asks nothing.
    import_file(store, "enterprise", _file([[credit_code(9), "别家", 5, 5, "武进区", ADDRESS]]), "b.csv")
    assert len(fake.urls) == 1


def test_amap_answer_is_converted_from_gcj02(store, http, keys):
    keys(amap="AK")
    fake = http({"restapi.amap.com": AMAP_HIT})
    result = import_file(store, "enterprise", _file(_rows()), "a.csv")
    assert len(fake.urls) == 1 and "city=%E5%B8%B8%E5%B7%9E" in fake.urls[0]
    assert result.placed == {("amap", "exact"): 1}
    lon, lat = gcj02_to_wgs84(119.955612, 31.712003)
    ent = store.read("enterprise").iloc[0]
    assert ent["lon"] == pytest.approx(lon, abs=1e-9) and ent["lat"] == pytest.approx(lat, abs=1e-9)
    assert 0.004 < 119.955612 - ent["lon"] < 0.006  # the GCJ-02 offset (~500 m) was removed


def test_tianditu_first_then_amap_for_what_it_did_not_find(store, http, keys):
    keys(tianditu="TK", amap="AK")
    fake = http({"api.tianditu.gov.cn": TIANDITU_NONE, "restapi.amap.com": AMAP_HIT})
    result = import_file(store, "enterprise", _file(_rows()), "a.csv")
    assert [urllib.parse.urlsplit(u).hostname for u in fake.urls] == ["api.tianditu.gov.cn", "restapi.amap.com"]
    assert result.placed == {("amap", "exact"): 1}
    assert {(c["provider"], c["found"]) for c in _cache_rows(store)} == {("tianditu", False), ("amap", True)}
    import_file(store, "enterprise", _file([[credit_code(5), "x", 1, 1, "武进区", ADDRESS]]), "b.csv")
    assert len(fake.urls) == 2  # both answers (the miss too) came from the cache


def test_answer_outside_changzhou_falls_back_offline_and_is_cached_as_a_miss(store, http, keys):
    keys(tianditu="TK")
    fake = http({"api.tianditu.gov.cn": TIANDITU_BEIJING})
    result = import_file(store, "enterprise", _file(_rows()), "a.csv")
    assert result.placed == {("offline", "town"): 1}
    assert [c["found"] for c in _cache_rows(store)] == [False]
    import_file(store, "enterprise", _file(_rows()), "a.csv")
    assert len(fake.urls) == 1


@pytest.mark.parametrize(
    "failure", [urllib.error.URLError("no route to host"), TimeoutError("timed out")]
)
def test_network_failure_falls_back_offline_with_a_note_and_caches_nothing(store, http, keys, failure):
    keys(tianditu="TK")
    fake = http({"api.tianditu.gov.cn": failure})
    result = import_file(store, "enterprise", _file(_rows(3, address=None) + [[credit_code(7), "y", 1, 1, "", ADDRESS],
                                                                             [credit_code(8), "z", 1, 1, "", "常州市新北区春江街道 1 号"]]),
                         "a.csv")  # fmt: skip
    assert len(fake.urls) == 1  # the provider is not asked again after it failed
    assert result.status == "done"
    assert any("天地图地理编码服务无法访问" in p.message for p in result.problems)
    assert _cache_rows(store) == []


def test_refused_key_is_reported_and_not_cached(store, http, keys):
    keys(amap="BAD")
    http({"restapi.amap.com": AMAP_KEY_ERROR})
    result = import_file(store, "enterprise", _file(_rows()), "a.csv")
    assert result.placed == {("offline", "town"): 1}
    assert any("高德拒绝了请求：INVALID_USER_KEY" in p.message for p in result.problems)
    assert _cache_rows(store) == []


def test_geocoded_point_outside_the_named_district_is_flagged(store, http, keys):
    keys(tianditu="TK")
    http({"api.tianditu.gov.cn": TIANDITU_HIT})  # a point in 武进
    result = import_file(store, "enterprise", _file(_rows(district="天宁区")), "a.csv")
    ent = store.read("enterprise").iloc[0]
    assert result.flagged == 1 and bool(ent["outside_named_district"]) and ent["district"] == "320402"
    assert any("定位结果位于武进区，不在所填天宁区内" in p.message for p in result.problems)


def test_preview_does_not_go_online(store, http, keys):
    from gsyf_geo.importing.load import prepare_import

    keys(tianditu="TK")
    fake = http({"api.tianditu.gov.cn": TIANDITU_HIT})
    prep = prepare_import(store, "enterprise", _file(_rows()), "a.csv", online=False)
    assert fake.urls == [] and prep.placed_by.tolist() == [("offline", "town")]


@pytest.mark.parametrize(
    ("level", "precision"),
    [("门址", "exact"), ("门牌号", "exact"), ("兴趣点", "exact"), ("道路", "street"),
     ("道路交叉路口", "street"), ("乡镇", "town"), ("开发区", "town"), ("区县", "district"),
     ("城市", None), ("省", None), ("未知", None), (None, "street")],
)  # fmt: skip
def test_provider_levels_map_to_precisions(level, precision):
    assert G.level_precision(level) == precision


@pytest.mark.parametrize(
    ("text", "expected"),
    [("常州市武进区湖塘镇花园街", ("320412", False)), ("江苏省常州市新北区", ("320411", False)),
     ("常州经开区横林镇", ("320412", True)), ("金坛市直溪镇", ("320413", False)),
     ("常州市钟楼区", ("320404", False)), ("溧阳市天目湖镇", ("320481", False)),
     ("新北路 8 号", None), ("南京市玄武区", None), (None, None)],
)  # fmt: skip
def test_district_in_address_text(text, expected):
    assert G.district_in_text(text) == expected


def test_town_in_address_text():
    assert G.town_in_text("常州市武进区湖塘镇花园街") == ("320412100", "320412")
    assert G.town_in_text("金坛区经济开发区某路", "320413") == ("320413400", "320413")
    assert G.town_in_text("某某高新区 8 号") is None  # generic name without its district
    assert G.town_in_text("常州经济开发区某路", "320412") is None


def test_offline_points_lie_in_their_district():
    from gsyf_geo.geography import locate_district

    for adcode, (lon, lat) in G.district_points().items():
        assert locate_district(lon, lat)[0] == adcode
    lon, lat = town_point("320412100")
    assert G.town_points()["320412100"] == (lon, lat)
