"""Placing rows on the map: names of places in text, online geocoders with a cache, fallback.

The chain for a row without coordinates (each step recorded as source and precision):

1. an online geocoder, when configured: 天地图 Tianditu (``GSYF_TIANDITU_KEY``; answers in
   CGCS2000, which is WGS-84 at this scale) or Amap (``GSYF_AMAP_KEY``; answers in GCJ-02,
   converted). Every answer, found or not, is cached in the ``geocode_cache`` table, so an
   address is never asked twice. A provider that fails (network, key, quota) is not used
   again for the rest of the import;
2. offline, from the text: the town (乡镇/街道) named in the row or its address → the town's
   approximate centre (precision ``"town"``); else the district → a representative point of
   the district (precision ``"district"``).

No network is touched unless a key is configured. Tests replace :func:`_http_get`.
"""

from __future__ import annotations

import json
import re
import unicodedata
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from sqlalchemy import select

from gsyf_geo.crs import gcj02_to_wgs84
from gsyf_geo.domain import DISTRICT_BY_ADCODE, DISTRICTS, JKQ
from gsyf_geo.geography import city_outline, locate_district, towns
from gsyf_geo.settings import amap_key, tianditu_key
from gsyf_geo.store.models import GeocodeCache

HTTP_TIMEOUT_S = 10.0
_CACHE_CHUNK = 500
_QUERY_MAX = 300

# --- names of places in text ----------------------------------------------------------------

_PROVINCE_CITY = re.compile(r"^(江苏省|江苏)?(常州市|常州)?")
# Old names still found in files: 金坛市 (to 2015), 武进市 (to 2002), 戚墅堰区 (to 2015, now 经开区).
_OLD_DISTRICT_NAMES: dict[str, str] = {"金坛市": "320413", "武进市": "320412", "戚墅堰区": "320412"}
_JKQ_NAMES = ("常州经济开发区", "常州经开区", "经开区", "常州市经济开发区", JKQ.name, JKQ.short_name)
# A short district name inside an address is a district unless a road or the like follows.
_NOT_DISTRICT_AFTER = "路街道桥巷弄里村大"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_district(text: str) -> tuple[str, bool] | None:
    """Parse a district cell: name, short name or adcode; ``经开区`` counts as 武进区.

    Returns
    -------
    (adcode, is_jkq) or None when the text names no district of 常州.
    """
    s = re.sub(r"\s+", "", _nfkc(str(text)))
    if not s:
        return None
    if s in _JKQ_NAMES or s.replace("常州市", "常州") in _JKQ_NAMES:
        return JKQ.district_adcode, True
    if s in DISTRICT_BY_ADCODE:
        return s, False
    rest = _PROVINCE_CITY.sub("", s) or s
    for d in DISTRICTS:
        if rest in (d.name, d.short_name):
            return d.adcode, False
    if rest in _OLD_DISTRICT_NAMES:
        return _OLD_DISTRICT_NAMES[rest], rest == "戚墅堰区"
    return None


def district_in_text(text: str | None) -> tuple[str, bool] | None:
    """The district an address names, if any (full names first, then short names)."""
    if not text:
        return None
    s = re.sub(r"\s+", "", _nfkc(str(text)))
    if any(name in s for name in ("常州经济开发区", "常州经开区", "常州市经开区")):
        return JKQ.district_adcode, True
    hits = [(s.find(d.name), d.adcode) for d in DISTRICTS if d.name in s]
    hits += [(s.find(old), code) for old, code in _OLD_DISTRICT_NAMES.items() if old in s]
    if hits:
        return min(hits)[1], "戚墅堰区" in s
    for d in DISTRICTS:
        for m in re.finditer(re.escape(d.short_name), s):
            after = s[m.end() : m.end() + 1]
            if not after or after not in _NOT_DISTRICT_AFTER:
                return d.adcode, False
    if "经开区" in s:
        return JKQ.district_adcode, True
    return None


# Town names that only mean a town inside their own district's context.
_GENERIC_TOWN_NAMES = frozenset({"经济开发区", "高新区"})


@lru_cache(maxsize=1)
def _town_names() -> tuple[tuple[str, str, str], ...]:
    """(name, code, district) of every town, longest names first."""
    t = towns()
    rows = zip(t["name"], t["code"], t["district_adcode"], strict=True)
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def town_in_text(text: str | None, district: str | None = None) -> tuple[str, str] | None:
    """The town (code, district) an address names, if any.

    Full town names only (``湖塘镇``, ``春江街道``); with ``district`` given only that
    district's towns count. Generic names (``高新区``, ``经济开发区``) need the district.
    """
    if not text:
        return None
    s = re.sub(r"\s+", "", _nfkc(str(text)))
    for name, code, d in _town_names():
        if district and d != district:
            continue
        if name in _GENERIC_TOWN_NAMES and district is None:
            continue
        if name in s:
            if name == "经济开发区" and ("常州经济开发区" in s or "武进经济开发区" in s):
                continue
            return code, d
    return None


@lru_cache(maxsize=1)
def _town_index() -> dict[str, list[tuple[str, str]]]:
    """Full and short town names → [(code, district)]."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name, code, d in _town_names():
        for key in {name, re.sub(r"(街道|镇)$", "", name)}:
            out.setdefault(key, []).append((str(code), str(d)))
    return out


@lru_cache(maxsize=4096)
def resolve_town(text: str, district: str | None) -> tuple[str | None, str | None, str | None]:
    """Resolve a town cell against the row's district.

    Returns
    -------
    (town_code, town_district, warning): the code and its district when found; a Chinese
    warning when the cell names no known town or a town of another district.
    """
    s = re.sub(r"\s+", "", _nfkc(str(text)))
    s = _PROVINCE_CITY.sub("", s)
    for d in DISTRICTS:
        if s.startswith(d.name) and len(s) > len(d.name):
            s = s[len(d.name) :]
    hits = _town_index().get(s, [])
    if not hits:
        return None, None, f"未识别的乡镇（街道）“{text}”，已忽略该项"
    if district is not None:
        same = [h for h in hits if h[1] == district]
        if not same:
            other = DISTRICT_BY_ADCODE[hits[0][1]].name
            mine = DISTRICT_BY_ADCODE[district].name
            return None, None, f"乡镇（街道）“{text}”属于{other}，不属于{mine}，已忽略该项"
        hits = same
    return hits[0][0], hits[0][1], None


# --- offline points ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def town_points() -> dict[str, tuple[float, float]]:
    """Approximate town centres (WGS-84) by town code."""
    t = towns().dropna(subset=["lon", "lat"])
    return {
        str(c): (float(x), float(y)) for c, x, y in zip(t["code"], t["lon"], t["lat"], strict=True)
    }


@lru_cache(maxsize=1)
def district_points() -> dict[str, tuple[float, float]]:
    """A representative point (WGS-84) per district: its most central town centre.

    The town whose centre has the smallest summed distance to the district's other town
    centres (a medoid); town centres lie well inside their district and on land, which a
    polygon's centroid in 武进 (with its share of Lake Taihu) would not.
    """
    t = towns().dropna(subset=["lon", "lat"])
    out: dict[str, tuple[float, float]] = {}
    for adcode, grp in t.groupby("district_adcode"):
        xy = grp[["lon", "lat"]].to_numpy(dtype=float)
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)).sum(axis=1)
        best = xy[int(np.argmin(d))]
        out[str(adcode)] = (float(best[0]), float(best[1]))
    return out


def in_changzhou(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(district adcode or None, inside the city outline) for each WGS-84 point."""
    import shapely

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    district = locate_district(lon, lat)
    inside = district != None  # noqa: E711 - element-wise test of an object array
    rest = np.flatnonzero(~inside)
    if rest.size:
        outline = city_outline()
        inside[rest] = shapely.contains_xy(outline, lon[rest], lat[rest])
    return district, inside


# --- online geocoders -----------------------------------------------------------------------


class GeocoderError(Exception):
    """A provider failed (network, key, quota): stop asking it for this import."""


@dataclass(frozen=True)
class GeoHit:
    """A geocoder's answer in WGS-84."""

    lon: float
    lat: float
    precision: str
    level: str | None = None


def _http_get(url: str, timeout: float = HTTP_TIMEOUT_S) -> bytes:
    """GET a URL and return the body (replaced in tests: they never touch the network)."""
    req = urllib.request.Request(url, headers={"User-Agent": "gsyf_geo"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - fixed https hosts
        return resp.read()


# Match levels of the providers → our precision; None: too coarse to use.
_LEVEL_PRECISION: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("国家", "省", "城市", "市", "未知"), None),
    (("区县",), "district"),
    (("乡镇", "村庄", "开发区", "街道"), "town"),
    (("道路", "交叉", "路口"), "street"),
    (("门址", "门牌", "单元", "兴趣点", "poi", "小区", "大厦", "机构", "园区", "站", "商圈", "楼"), "exact"),
)


def level_precision(level: str | None) -> str | None:
    """Map a provider's match level (``"门址"``, ``"道路"``, ``"区县"``…) to our precision.

    Unknown levels count as ``"street"``; country, province and city levels as unusable
    (``None``).
    """
    if not level:
        return "street"
    lv = str(level).strip().lower()
    for words, precision in _LEVEL_PRECISION:
        if precision is None:
            if lv in words:
                return None
        elif any(w in lv for w in words):
            return precision
    return "street"


class OnlineGeocoder:
    """An online geocoding provider (subclasses: :class:`Tianditu`, :class:`Amap`)."""

    name = ""
    label = ""

    def __init__(self, key: str) -> None:
        self.key = key

    def url(self, query: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def parse(self, payload: dict) -> GeoHit | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def lookup(self, query: str) -> GeoHit | None:
        """Ask the provider; None when it has no usable answer.

        Raises
        ------
        GeocoderError
            The provider could not be asked or refused (network, key, quota).
        """
        try:
            body = _http_get(self.url(query))
        except Exception as exc:  # noqa: BLE001 - any network failure
            raise GeocoderError(f"{self.label}地理编码服务无法访问（{exc.__class__.__name__}）") from None
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise GeocoderError(f"{self.label}地理编码服务返回了无法解析的内容") from None
        if not isinstance(payload, dict):
            raise GeocoderError(f"{self.label}地理编码服务返回了无法解析的内容")
        return self.parse(payload)


class Tianditu(OnlineGeocoder):
    """天地图 geocoder (``/geocoder?ds={"keyWord": ...}&tk=KEY``), answers in CGCS2000."""

    name = "tianditu"
    label = "天地图"
    endpoint = "https://api.tianditu.gov.cn/geocoder"

    def url(self, query: str) -> str:
        ds = json.dumps({"keyWord": query}, ensure_ascii=False)
        return f"{self.endpoint}?{urllib.parse.urlencode({'ds': ds, 'tk': self.key})}"

    def parse(self, payload: dict) -> GeoHit | None:
        if "status" not in payload:
            raise GeocoderError(f"天地图拒绝了请求：{payload.get('msg') or payload.get('message') or payload}")
        loc = payload.get("location")
        if str(payload.get("status")) != "0" or not isinstance(loc, dict):
            return None
        try:
            lon, lat = float(loc["lon"]), float(loc["lat"])
        except (KeyError, TypeError, ValueError):
            return None
        precision = level_precision(loc.get("level"))
        if precision is None:
            return None
        return GeoHit(lon, lat, precision, loc.get("level"))


class Amap(OnlineGeocoder):
    """Amap (高德) geocoder (``/v3/geocode/geo``), answers in GCJ-02 converted to WGS-84."""

    name = "amap"
    label = "高德"
    endpoint = "https://restapi.amap.com/v3/geocode/geo"

    def url(self, query: str) -> str:
        params = {"address": query, "city": "常州", "key": self.key, "output": "JSON"}
        return f"{self.endpoint}?{urllib.parse.urlencode(params)}"

    def parse(self, payload: dict) -> GeoHit | None:
        if str(payload.get("status")) != "1":
            raise GeocoderError(f"高德拒绝了请求：{payload.get('info') or payload}")
        geocodes = payload.get("geocodes") or []
        if not geocodes or not isinstance(geocodes[0], dict):
            return None
        first = geocodes[0]
        try:
            glon, glat = (float(v) for v in str(first.get("location", "")).split(","))
        except ValueError:
            return None
        level = first.get("level")
        precision = level_precision(level)
        if precision is None:
            return None
        lon, lat = gcj02_to_wgs84(glon, glat)
        return GeoHit(float(lon), float(lat), precision, level)


def configured_geocoders() -> list[OnlineGeocoder]:
    """The online geocoders configured by key, in order of preference (Tianditu first)."""
    out: list[OnlineGeocoder] = []
    if tianditu_key():
        out.append(Tianditu(tianditu_key()))
    if amap_key():
        out.append(Amap(amap_key()))
    return out


def geocode_query(address: str) -> str:
    """The query text sent for an address: prefixed with 常州市 unless it names the city."""
    s = re.sub(r"\s+", "", _nfkc(address))
    named = "常州" in s or any(s.startswith(d.name) for d in DISTRICTS) or s.startswith("江苏")
    return (s if named else "常州市" + s)[:_QUERY_MAX]


@dataclass
class OnlineResult:
    """What the online step found for each query, and what it cost."""

    hits: dict[str, tuple[str, GeoHit]]  # query → (provider name, hit)
    asked: int = 0  # HTTP requests made
    cached: int = 0  # answers taken from the cache
    failures: list[str] | None = None


def geocode_online(
    store,
    queries: Iterable[str],
    geocoders: list[OnlineGeocoder],
    progress: Callable[[int, int], None] | None = None,
) -> OnlineResult:
    """Look up addresses with the configured providers, through the cache.

    Each provider is asked only for queries that no earlier provider answered and that
    are not in its cache. Answers inside Changzhou count; others are cached as not found.

    Parameters
    ----------
    store
        The :class:`~gsyf_geo.store.Store` holding the cache.
    queries
        Query texts (see :func:`geocode_query`).
    geocoders
        Providers in order of preference.
    progress
        Called as ``progress(done, total)`` after each HTTP request.
    """
    todo = sorted(set(queries))
    result = OnlineResult(hits={}, failures=[])
    table = GeocodeCache.__table__
    for geo in geocoders:
        if not todo:
            break
        cached = _read_cache(store, geo.name, todo)
        result.cached += sum(1 for q in todo if q in cached)
        fresh: list[dict] = []
        missing = [q for q in todo if q not in cached]
        for i, q in enumerate(missing):
            try:
                hit = geo.lookup(q)
            except GeocoderError as exc:
                result.failures.append(str(exc))
                break
            result.asked += 1
            if hit is not None:
                _, inside = in_changzhou(np.array([hit.lon]), np.array([hit.lat]))
                if not inside[0]:
                    hit = None
            cached[q] = hit
            fresh.append(
                dict(provider=geo.name, query=q, found=hit is not None,
                     lon=hit.lon if hit else None, lat=hit.lat if hit else None,
                     precision=hit.precision if hit else None,
                     level=(str(hit.level)[:40] if hit and hit.level else None),
                     fetched_at=datetime.now())
            )  # fmt: skip
            if len(fresh) >= 50:
                _write_cache(store, table, fresh)
                fresh = []
            if progress:
                progress(i + 1, len(missing))
        if fresh:
            _write_cache(store, table, fresh)
        for q, hit in cached.items():
            if hit is not None:
                result.hits[q] = (geo.name, hit)
        todo = [q for q in todo if q not in result.hits]
    return result


def _read_cache(store, provider: str, queries: list[str]) -> dict[str, GeoHit | None]:
    table = GeocodeCache.__table__
    out: dict[str, GeoHit | None] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(queries), _CACHE_CHUNK):
            part = queries[start : start + _CACHE_CHUNK]
            rows = conn.execute(
                select(table.c.query, table.c.found, table.c.lon, table.c.lat, table.c.precision,
                       table.c.level)
                .where(table.c.provider == provider, table.c.query.in_(part))
            )  # fmt: skip
            for q, found, lon, lat, precision, level in rows:
                out[q] = GeoHit(lon, lat, precision, level) if found else None
    return out


def _write_cache(store, table, rows: list[dict]) -> None:
    """Cache answers in their own small transaction (kept even if the import is rejected)."""
    from sqlalchemy.dialects import postgresql, sqlite

    ins = (postgresql.insert if store.dialect == "postgresql" else sqlite.insert)(table)
    with store.transaction() as conn:
        conn.execute(ins.on_conflict_do_nothing(index_elements=["provider", "query"]), rows)
