"""The import itself: check a file against the store, place its rows, load it in one go.

:func:`prepare_import` reads and checks a file and works out, row by row, what loading it
would do (insert, update, unchanged, rejected) without writing anything but geocoder
answers to their cache. :func:`load_prepared` then writes, in ONE transaction of
:meth:`Store.transaction`: the import batch record, the new and changed rows (upserted on
the natural key), the batch's counts. By default a file with any rejected row changes no
data (only a "rejected" batch record is kept); ``partial=True`` loads the good rows. An
exception in the middle (including one raised by the progress callback) rolls everything
back. :func:`import_file` does both.
"""

from __future__ import annotations

import getpass
import hashlib
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String

from gsyf_geo.crs import normalize_system, to_wgs84
from gsyf_geo.domain import (
    DISTRICT_BY_ADCODE,
    JKQ,
    JKQ_TOWN_CODES,
    key_industry_for,
    reporting_unit_for,
)
from gsyf_geo.importing import geocode as G
from gsyf_geo.importing import schema as S
from gsyf_geo.importing.problems import (
    BUSY_MESSAGE,
    ERROR,
    WARNING,
    ImportFileError,
    Problem,
    StoreBusyError,
    is_store_busy,
)
from gsyf_geo.importing.readers import read_table
from gsyf_geo.importing.validate import Parsed, parse_table
from gsyf_geo.store import CITY, KINDS, Scope, Store
from gsyf_geo.tabular import to_csv_bytes

ProgressFn = Callable[[float, str], None]
WRITE_CHUNK = 1_000
_NAME_CODES_LISTED = 3  # other codes named in a same-name note
_FLOAT_TOL = 1e-9

# How a row got its place, for the summary (beyond the stored geocode sources).
REUSED = "stored"
ENTERPRISE = "enterprise"
_PLACE_LABELS = {
    **S.GEOCODE_SOURCE_LABELS,
    REUSED: "沿用库中位置",
    ENTERPRISE: "所在单位位置",
}

STATUS_NAMES = {
    "done": "已导入",
    "partial": "已部分导入",
    "unchanged": "无变化",
    "rejected": "已拒绝",
    "running": "进行中",
}


def os_user() -> str:
    """The operating-system user running the import."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


@dataclass
class Prepared:
    """A checked file and what loading it would do (nothing written yet)."""

    kind: str
    file_name: str
    sha256: str
    crs: str
    parsed: Parsed | None = None
    frame: pd.DataFrame | None = None  # store rows, index = spreadsheet row number
    action: pd.Series | None = None  # "insert" | "update" | "unchanged" per row
    placed_by: pd.Series | None = None  # (source, precision) per located row
    file_problems: list[Problem] = field(default_factory=list)
    geocoder_notes: list[str] = field(default_factory=list)
    file_format: str | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + (self.parsed.problems if self.parsed else [])

    @property
    def readable(self) -> bool:
        return self.parsed is not None and not self.file_problems

    @property
    def rows_read(self) -> int:
        return self.parsed.rows_read if self.parsed else 0

    @property
    def bad_rows(self) -> set[int]:
        return self.parsed.bad_rows if self.parsed else set()

    @property
    def good_rows(self) -> list[int]:
        if self.frame is None:
            return []
        return [r for r in self.frame.index if r not in self.bad_rows]

    @property
    def omitted(self) -> dict[str, int]:
        """Problems left out of :attr:`problems` (over the limit), by level."""
        return dict(self.parsed.omitted) if self.parsed else {}

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.level == ERROR) + self.omitted.get(ERROR, 0)


@dataclass
class ImportResult:
    """What an import did (or would have done), for the summary and the report."""

    kind: str
    file_name: str
    sha256: str
    user: str
    status: str  # "done" | "partial" | "unchanged" | "rejected"
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0
    placed: dict[tuple[str, str | None], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    batch_id: int | None = None
    file_format: str | None = None
    omitted: dict[str, int] = field(default_factory=dict)  # problems left out of the list, by level

    @property
    def loaded(self) -> bool:
        """True when the file was accepted (exit status 0)."""
        return self.status != "rejected"

    def summary_lines(self) -> list[str]:
        """The summary in Chinese, one line each."""
        spec = S.kind_spec(self.kind)
        fmt = f"，{self.file_format}" if self.file_format else ""
        lines = [f"文件：{self.file_name}（{spec.title}{fmt}）"]
        lines.append(
            f"读取 {self.rows_read} 行：新增 {self.inserted}，更新 {self.updated}，"
            f"未变 {self.unchanged}，拒绝 {self.rejected}"
        )
        if self.placed:
            parts = [f"{_place_label(k)} {n}" for k, n in sorted(self.placed.items(), key=_place_order)]
            lines.append("定位：" + "；".join(parts))
        if self.flagged:
            lines.append(f"超出所填辖市区（已保留并标记）：{self.flagged} 行")
        errors = sum(1 for p in self.problems if p.level == ERROR) + self.omitted.get(ERROR, 0)
        warnings_ = sum(1 for p in self.problems if p.level == WARNING) + self.omitted.get(WARNING, 0)
        if errors or warnings_:
            shown = f"（清单列出前 {len(self.problems):,} 条）" if self.omitted else ""
            lines.append(f"问题：错误 {errors:,} 条，提示 {warnings_:,} 条{shown}")
        verdict = {
            "done": "结果：已导入。",
            "unchanged": "结果：与库中数据相同，未做任何改动。",
            "partial": f"结果：已导入无误的行，{self.rejected} 行被拒绝。",
            "rejected": "结果：未导入，库中数据未改变。"
            + ("请改正错误后重新导入，或使用“仅导入无误的行”（--partial）。" if self.rows_read else ""),
        }[self.status]
        lines.append(verdict)
        return lines

    def problems_frame(self) -> pd.DataFrame:
        """The problems as a table with Chinese headers (file, row, column, message, level)."""
        return problems_frame(self.problems)

    def report_csv(self) -> bytes:
        """The problems as CSV in UTF-8 with BOM (Excel opens it with the right encoding)."""
        return report_csv(self.problems, sum(self.omitted.values()))


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "文件": [p.file for p in problems],
            "行号": pd.array([p.row for p in problems], dtype="Int64"),
            "列": [p.column or "" for p in problems],
            "问题": [p.message for p in problems],
            "级别": [{"error": "错误", "warning": "提示"}[p.level] for p in problems],
        }
    )


def report_csv(problems: list[Problem], omitted: int = 0) -> bytes:
    """The problems as CSV (UTF-8 with BOM, text kept as text); a last line counts the
    problems left out of the list (see :class:`~gsyf_geo.importing.limits.ImportLimits`)."""
    frame = problems_frame(problems)
    if omitted:
        more = pd.DataFrame({"文件": [""], "行号": pd.array([None], dtype="Int64"), "列": [""],
                             "问题": [f"另有 {omitted:,} 条问题未列出"], "级别": [""]})  # fmt: skip
        frame = pd.concat([frame, more], ignore_index=True)
    return to_csv_bytes(frame)


def _place_label(key: tuple[str, str | None]) -> str:
    source, precision = key
    label = _PLACE_LABELS.get(source, source)
    if precision and source not in ("file", REUSED):
        label += f"·{S.GEOCODE_PRECISION_LABELS.get(precision, precision)}"
    return label


def _place_order(item: tuple[tuple[str, str | None], int]) -> tuple[int, int]:
    order = list(_PLACE_LABELS)
    (source, precision), _ = item
    p = list(S.GEOCODE_PRECISION_LABELS).index(precision) if precision in S.GEOCODE_PRECISION_LABELS else 9
    return (order.index(source) if source in order else 99, p)


# --- preparing -------------------------------------------------------------------------------


def _progress(progress: ProgressFn | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def prepare_import(
    store: Store,
    kind: str,
    data: bytes,
    file_name: str,
    crs: str = "wgs84",
    scope: Scope = CITY,
    online: bool = True,
    geocoders: list[G.OnlineGeocoder] | None = None,
    progress: ProgressFn | None = None,
) -> Prepared:
    """Read and check a file; work out what loading it would change. Writes no data.

    Parameters
    ----------
    store
        The store (read for existing rows, enterprises and the geocoder cache).
    kind
        One of :data:`gsyf_geo.importing.schema.IMPORTABLE_KINDS`.
    data, file_name
        The file's bytes and name.
    crs
        Coordinate system of the file's coordinates: ``wgs84``, ``gcj02`` or ``bd09``.
    scope
        Rows outside it are rejected.
    online
        Ask the configured online geocoders for rows without coordinates (False: offline
        fallback only, as for a quick preview).
    geocoders
        The online geocoders (default: :func:`gsyf_geo.importing.geocode.configured_geocoders`).
    progress
        ``progress(fraction, message)``, called now and then.
    """
    S.kind_spec(kind)
    crs = normalize_system(crs)
    name = PurePath(file_name).name or "上传文件"
    prep = Prepared(kind, name, hashlib.sha256(data).hexdigest(), crs)
    _progress(progress, 0.02, "读取文件…")
    try:
        table = read_table(data, name)
        _progress(progress, 0.08, "检查表头和各行…")
        prep.file_format = table.description
        prep.parsed = parse_table(
            table, kind, lambda f: _progress(progress, 0.08 + 0.17 * f, "检查各行…")
        )
    except ImportFileError as exc:
        prep.file_problems = exc.problems or [Problem(name, None, None, str(exc))]
        return prep
    _progress(progress, 0.25, "对照库中数据…")
    _build_frame(store, prep, scope, online, geocoders, progress)
    return prep


def _stored_columns(kind: str) -> dict[str, object]:
    return {c.name: c for c in KINDS[kind].__table__.c}


def _read_existing(store: Store, kind: str, keys: pd.DataFrame) -> pd.DataFrame:
    """Stored rows of ``kind`` whose key is in ``keys`` (indexed by the key)."""
    spec = S.kind_spec(kind)
    table = store.table(kind)
    first = spec.key[0]
    values = sorted({v for v in keys[first].dropna().tolist()})
    parts = []
    for start in range(0, len(values), 5_000):
        part = store.read(kind, where=[table.c[first].in_(values[start : start + 5_000])])
        parts.append(pd.DataFrame(part.drop(columns="geometry", errors="ignore")))
    if not parts:
        cols = [c.name for c in table.c if c.name != "geom"]
        return pd.DataFrame(columns=cols).set_index(list(spec.key))
    out = pd.concat(parts, ignore_index=True)
    return out.set_index(list(spec.key))


def _enterprises(store: Store, codes: list[str]) -> pd.DataFrame:
    table = store.table("enterprise")
    cols = ["credit_code", "name", "district", "town_code", "reporting_unit", "key_industry",
            "lon", "lat", "hazchem_licence"]  # fmt: skip
    parts = []
    for start in range(0, len(codes), 5_000):
        part = store.read("enterprise", where=[table.c.credit_code.in_(codes[start : start + 5_000])],
                          columns=cols)  # fmt: skip
        parts.append(pd.DataFrame(part.drop(columns="geometry", errors="ignore")))
    if not parts:
        return pd.DataFrame(columns=cols).set_index("credit_code")
    return pd.concat(parts, ignore_index=True).set_index("credit_code")


def _build_frame(
    store: Store,
    prep: Prepared,
    scope: Scope,
    online: bool,
    geocoders: list[G.OnlineGeocoder] | None,
    progress: ProgressFn | None,
    names_in_file: dict[str, list[str]] | None = None,
) -> None:
    """Store rows of ``prep.parsed.values``, their place and action (see :func:`prepare_import`).

    ``names_in_file``: the enterprise names that carry more than one code in the whole
    file, with those codes (when ``values`` is one block of the file; None: ``values`` is
    the whole file).
    """
    parsed = prep.parsed
    assert parsed is not None
    spec = S.kind_spec(prep.kind)
    stored = _stored_columns(prep.kind)
    v = parsed.values.copy(deep=False)  # columns are replaced, never written into
    present = parsed.present

    # Store columns taken from the file; NOT NULL columns with a default get it when blank.
    frame = pd.DataFrame(index=v.index)
    for col in spec.columns:
        if col.field not in present or not col.stored or col.export_only:
            continue
        target = "town_code" if col.field == "town" else col.field
        if target not in stored:
            continue
        series = v[col.field].astype(object)
        sql_col = stored[target]
        if not sql_col.nullable and sql_col.default is not None and not col.required:
            series = series.where(series.notna(), sql_col.default.arg)
        frame[target] = series
    frame["is_demo"] = False

    keys = frame[list(spec.key)] if all(k in frame for k in spec.key) else pd.DataFrame(index=v.index)
    existing = _read_existing(store, prep.kind, keys) if not keys.empty else None
    existing = _refuse_outside(prep, frame, existing, scope)

    codes = sorted(set(frame["credit_code"].dropna())) if "credit_code" in frame else []
    enterprises = _enterprises(store, codes) if codes and prep.kind != "enterprise" else None

    _enterprise_links(prep, frame, v, enterprises, existing)
    _progress(progress, 0.35, "确定位置…")
    if spec.located:
        _place(store, prep, frame, v, existing, enterprises, online, geocoders, progress)
    if "district" in frame:
        frame["reporting_unit"] = _reporting_units(frame, v, spec)
    _scope_check(prep, frame, scope)
    prep.frame = frame
    _progress(progress, 0.85, "比较库中已有记录…")
    prep.action = _classify(prep.kind, frame, existing)
    if prep.kind == "enterprise":
        _enterprise_duplicates(store, prep, frame, scope, names_in_file)


def _refuse_outside(
    prep: Prepared, frame: pd.DataFrame, existing: pd.DataFrame | None, scope: Scope
) -> pd.DataFrame | None:
    """Rows whose key is already stored outside ``scope`` are errors (they would replace a
    row the caller may not touch); those stored rows are then forgotten, so that nothing of
    them (name, place) reaches the preview. The message names nothing of the stored row."""
    if scope.kind == "city" or existing is None or existing.empty or "district" not in existing:
        return existing
    inside = scope.contains(existing["district"].to_numpy(), existing["reporting_unit"].to_numpy())
    if inside.all():
        return existing
    outside = existing.index[~inside]
    spec = S.kind_spec(prep.kind)
    keys = frame[list(spec.key)]
    key_values = keys.iloc[:, 0] if len(spec.key) == 1 else pd.Series(list(map(tuple, keys.to_numpy())), index=keys.index)
    for r in frame.index[key_values.isin(set(outside)).to_numpy()]:
        prep.parsed.add(r, spec.key[0], f"该记录已存在于您的权限范围（{scope.label}）以外，不能导入或修改")
    return existing[inside]


def _enterprise_duplicates(
    store: Store,
    prep: Prepared,
    frame: pd.DataFrame,
    scope: Scope = CITY,
    names_in_file: dict[str, list[str]] | None = None,
) -> None:
    """Report codes already stored (to be updated) and names registered under other codes.

    ``names_in_file``: names with more than one code in the whole file and their codes,
    when ``frame`` is one block of it (None: taken from ``frame``).
    """
    parsed = prep.parsed
    for r in frame.index[prep.action == "update"]:
        parsed.add(r, "credit_code", "库中已有该统一社会信用代码，本行将更新该单位的记录", WARNING)
    if "name" not in frame:
        return
    # One pass: each name's first code, and the codes of names that carry more than one.
    first_code: dict[str, str] = {}
    in_file: dict[str, set[str]] = {}
    for code, name in zip(frame["credit_code"].tolist(), frame["name"].tolist(), strict=True):
        if _blank(code) or _blank(name):
            continue
        known = first_code.setdefault(name, code)
        if known != code:
            in_file.setdefault(name, {known}).add(code)
    if names_in_file is not None:
        in_file = {n: set(codes) for n, codes in names_in_file.items() if n in first_code}
    stored: dict[str, set[str]] = {}
    if store.count("enterprise"):
        names = sorted(first_code)
        table = store.table("enterprise")
        for start in range(0, len(names), 5_000):
            part = store.read("enterprise", scope, where=[table.c.name.in_(names[start : start + 5_000])],
                              columns=["credit_code", "name"])  # fmt: skip
            for code, name in zip(part["credit_code"], part["name"], strict=True):
                stored.setdefault(name, set()).add(code)
    # Per name, once: how many codes carry it and the first few, so that each row costs O(1)
    # however many rows share a name.
    first: dict[str, tuple[int, list[str]]] = {}
    for name in set(in_file) | set(stored):
        if name not in first_code:
            continue
        every = in_file.get(name, {first_code[name]}) | stored.get(name, set())
        first[name] = (len(every), sorted(every)[: _NAME_CODES_LISTED + 1])
    del first_code
    for r, code, name in zip(frame.index, frame["credit_code"].tolist(), frame["name"].tolist(), strict=True):
        if _blank(code) or _blank(name) or name not in first:
            continue
        count, listed_codes = first[name]
        if count - 1 > 0:
            listed = "、".join([c for c in listed_codes if c != code][:_NAME_CODES_LISTED])
            more = f" 等 {count - 1:,} 个" if count - 1 > _NAME_CODES_LISTED else ""
            parsed.add(r, "name", f"同名单位另有统一社会信用代码 {listed}{more}：请核对是否重复登记", WARNING)


def _records_by_key(df: pd.DataFrame | None) -> dict[object, dict]:
    return {} if df is None or df.empty else df.to_dict("index")


def _enterprise_links(
    prep: Prepared,
    frame: pd.DataFrame,
    v: pd.DataFrame,
    enterprises: pd.DataFrame | None,
    existing: pd.DataFrame | None,
) -> None:
    """Checks and fills that depend on the enterprise register."""
    parsed = prep.parsed
    kind = prep.kind
    if kind == "enterprise":
        _enterprise_kind(prep, frame, existing)
        return
    ent = _records_by_key(enterprises)
    codes = frame["credit_code"].tolist() if "credit_code" in frame else [None] * len(frame)
    names = v["unit_name"].tolist() if "unit_name" in v else [None] * len(frame)
    for r, code, name in zip(frame.index, codes, names, strict=True):
        if _blank(code):
            continue
        if code not in ent:
            if kind == "insurance_snapshot":
                parsed.add(r, "credit_code", "企业名录中没有该单位：请先导入企业名录")
            else:
                parsed.add(r, "credit_code", "企业名录中没有该单位（已保留此行）", WARNING)
        elif name and name != ent[code]["name"]:
            parsed.add(r, "unit_name", "与企业名录中该代码的单位名称不一致（以统一社会信用代码为准）",
                       WARNING)  # fmt: skip

    def from_enterprise(column: str) -> list[object]:
        return [ent[c][column] if not _blank(c) and c in ent else None for c in codes]

    if kind == "insurance_snapshot":
        frame["district"] = from_enterprise("district")
        frame["reporting_unit"] = from_enterprise("reporting_unit")
        return
    if kind in ("work_injury", "disease_case"):
        given = frame["key_industry"].tolist() if "key_industry" in frame else [None] * len(frame)
        frame["key_industry"] = [
            g if not _blank(g) else e for g, e in zip(given, from_enterprise("key_industry"), strict=True)
        ]
    if kind in ("disease_case", "training_record"):
        given = frame["district"].tolist() if "district" in frame else [None] * len(frame)
        jkq = v["_jkq"].tolist() if "_jkq" in v else [False] * len(frame)
        ent_district, ent_unit = from_enterprise("district"), from_enterprise("reporting_unit")
        district = []
        for i, r in enumerate(frame.index):
            if not _blank(given[i]):
                district.append(given[i])
                continue
            district.append(ent_district[i])
            jkq[i] = ent_unit[i] == JKQ.code
            if ent_district[i] is None and not _has_error(parsed, r, "district"):
                parsed.add(r, "district", "缺少辖市区（企业名录中也没有该单位）")
        frame["district"] = district
        v["_jkq"] = jkq


def _has_error(parsed: Parsed, row: int, f: str) -> bool:
    return (row, parsed.column_of(f)) in parsed.cells


def _enterprise_kind(prep: Prepared, frame: pd.DataFrame, existing: pd.DataFrame | None) -> None:
    """Key industry from code and licence; notes on names that differ from the store."""
    parsed = prep.parsed
    old = _records_by_key(existing)
    codes = frame["credit_code"].tolist()
    if "industry_code" in frame or "hazchem_licence" in frame:
        def stored(code: object, column: str) -> object:
            return old[code][column] if code in old else None

        industry = (frame["industry_code"].tolist() if "industry_code" in frame
                    else [stored(c, "industry_code") for c in codes])  # fmt: skip
        hazchem = (frame["hazchem_licence"].tolist() if "hazchem_licence" in frame
                   else [stored(c, "hazchem_licence") for c in codes])  # fmt: skip
        frame["key_industry"] = [
            key_industry_for(None if _blank(i) else i, bool(h) if not _blank(h) else False)
            for i, h in zip(industry, hazchem, strict=True)
        ]
    if not old or "name" not in frame:
        return
    for r, code, name in zip(frame.index, codes, frame["name"].tolist(), strict=True):
        if code in old and name is not None and old[code]["name"] != name:
            parsed.add(r, "name", "与库中该代码的单位名称不同，将更新为本文件中的名称", WARNING)


def _reporting_units(frame: pd.DataFrame, v: pd.DataFrame, spec: S.KindSpec) -> list[str | None]:
    if spec.kind == "insurance_snapshot":
        return frame["reporting_unit"].tolist()
    n = len(frame)
    jkq = v["_jkq"].tolist() if "_jkq" in v else [False] * n
    if "town_code" in frame:
        town = frame["town_code"].tolist()
    elif "town" in v:
        town = v["town"].tolist()
    else:
        town = [None] * n
    out: list[str | None] = []
    for d, t, j in zip(frame["district"].tolist(), town, jkq, strict=True):
        if _blank(d):
            out.append(None)
            continue
        t = None if _blank(t) else t
        if t is None and not spec.located and j and d == JKQ.district_adcode:
            out.append(JKQ.code)
        else:
            out.append(reporting_unit_for(d, t))
    return out


def _scope_check(prep: Prepared, frame: pd.DataFrame, scope: Scope) -> None:
    if scope.kind == "city" or "district" not in frame or "reporting_unit" not in frame:
        return
    inside = scope.contains(frame["district"].to_numpy(), frame["reporting_unit"].to_numpy())
    for r in frame.index[~inside]:
        if frame.at[r, "district"] is not None:
            prep.parsed.add(r, "district", f"不在您的权限范围（{scope.label}）内")


# --- places ----------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _place(
    store: Store,
    prep: Prepared,
    frame: pd.DataFrame,
    v: pd.DataFrame,
    existing: pd.DataFrame | None,
    enterprises: pd.DataFrame | None,
    online: bool,
    geocoders: list[G.OnlineGeocoder] | None,
    progress: ProgressFn | None,
) -> None:
    """Coordinates, district, town and geocode columns of located rows (see module doc)."""
    parsed = prep.parsed
    spec = S.kind_spec(prep.kind)
    idx = frame.index
    n = len(idx)
    address = v["address"] if "address" in v else pd.Series(None, index=idx, dtype=object)
    key = spec.key[0]
    stores_address = "address" in _stored_columns(prep.kind)

    # What the row names: district (column, else address) and town (column, else address).
    named = v["district"].tolist() if "district" in v else [None] * n
    jkq = [bool(j) for j in v["_jkq"].tolist()] if "_jkq" in v else [False] * n
    town = v["town"].tolist() if "town" in v else [None] * n
    addresses = address.tolist()
    for i in range(n):
        if named[i] is None:
            hit = G.district_in_text(addresses[i])
            if hit:
                named[i], jkq[i] = hit
        if town[i] is None:
            t = G.town_in_text(addresses[i], named[i])
            if t:
                town[i] = t[0]
                named[i] = named[i] or t[1]

    # Coordinates of the file, converted to WGS-84.
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if "lon" in v and "lat" in v:
        lon = np.array(pd.to_numeric(v["lon"], errors="coerce"), dtype=float)
        lat = np.array(pd.to_numeric(v["lat"], errors="coerce"), dtype=float)
    has_xy = ~(np.isnan(lon) | np.isnan(lat))
    if has_xy.any():
        wlon, wlat = to_wgs84(lon[has_xy], lat[has_xy], prep.crs)
        lon[has_xy], lat[has_xy] = wlon, wlat
    source = np.full(n, None, dtype=object)
    precision = np.full(n, None, dtype=object)
    placed_by = np.full(n, None, dtype=object)
    file_source = v["geocode_source"] if "geocode_source" in v else None
    file_precision = v["geocode_precision"] if "geocode_precision" in v else None
    _place_keys: dict[tuple, tuple] = {}
    for i in np.flatnonzero(has_xy):
        r = idx[i]
        source[i] = (file_source.get(r) if file_source is not None else None) or "file"
        precision[i] = (file_precision.get(r) if file_precision is not None else None) or "exact"
        key = ("file", precision[i]) if source[i] == "file" else (source[i], precision[i])
        placed_by[i] = _place_keys.setdefault(key, key)  # one tuple per kind of place

    # Rows without coordinates: the stored place, an online geocoder, the enterprise, offline.
    stored_district = np.full(n, None, dtype=object)
    stored_town = np.full(n, None, dtype=object)
    need: list[int] = []
    old_rows = _existing_map(prep.kind, existing)
    keys = frame[key].tolist() if key in frame else [None] * n
    for i in np.flatnonzero(~has_xy):
        r = idx[i]
        old = old_rows.get((keys[i],)) if keys[i] is not None else None
        if old is not None:
            stored_district[i] = old.get("district")
            stored_town[i] = old.get("town_code")
        same_address = (
            not stores_address or _blank(addresses[i]) or addresses[i] == old.get("address")
        ) if old is not None else False  # fmt: skip
        if (
            old is not None
            and not _blank(old.get("lon"))
            and same_address
            and (named[i] is None or named[i] == old.get("district"))
        ):
            lon[i], lat[i] = float(old["lon"]), float(old["lat"])
            source[i] = old.get("geocode_source")
            precision[i] = old.get("geocode_precision")
            placed_by[i] = (REUSED, None)
            continue
        need.append(i)

    hits: dict[str, tuple[str, G.GeoHit]] = {}
    if online and need:
        providers = G.configured_geocoders() if geocoders is None else geocoders
        queries = {i: G.geocode_query(str(addresses[i])) for i in need if not _blank(addresses[i])}
        if providers and queries:
            def step(done: int, total: int) -> None:
                _progress(progress, 0.35 + 0.45 * done / max(total, 1), f"在线地理编码 {done}/{total}…")

            result = G.geocode_online(store, queries.values(), providers, step)
            hits = {i: result.hits[q] for i, q in queries.items() if q in result.hits}
            prep.geocoder_notes = list(result.failures or [])
            for note in prep.geocoder_notes:
                parsed.problems.append(Problem(prep.file_name, None, None,
                                               f"{note}：其余地址改用离线估计", WARNING))  # fmt: skip

    town_pts, district_pts = G.town_points(), G.district_points()
    ent = _records_by_key(enterprises)
    codes = frame["credit_code"].tolist() if "credit_code" in frame else [None] * n
    town_district = dict(zip(G.towns()["code"], G.towns()["district_adcode"], strict=True))
    for i in need:
        r = idx[i]
        e = ent.get(codes[i]) if not _blank(codes[i]) else None
        if i in hits:
            provider, hit = hits[i]
            lon[i], lat[i], source[i], precision[i] = hit.lon, hit.lat, provider, hit.precision
        elif (
            prep.kind == "work_injury" and e is not None and not _blank(e["lon"])
            and town[i] is None and named[i] in (None, e["district"])
        ):  # fmt: skip
            lon[i], lat[i] = e["lon"], e["lat"]
            source[i], precision[i] = ENTERPRISE, "exact"
            named[i] = named[i] or e["district"]
            town[i] = e["town_code"]
        elif town[i] is not None and town[i] in town_pts:
            lon[i], lat[i] = town_pts[town[i]]
            source[i], precision[i] = "offline", "town"
        elif named[i] is not None:
            lon[i], lat[i] = district_pts[named[i]]
            source[i], precision[i] = "offline", "district"
        else:
            parsed.add(r, "address" if "address" in v else "district",
                       "无法确定位置：请填写经纬度，或在地址、辖市区、乡镇（街道）中写明所在区县")  # fmt: skip
            continue
        placed_by[i] = (source[i], precision[i])

    # Where the points are; outside the city rejected, outside the named district flagged.
    located = ~np.isnan(lon)
    point_district = np.full(n, None, dtype=object)
    inside = np.zeros(n, dtype=bool)
    if located.any():
        point_district[located], inside[located] = G.in_changzhou(lon[located], lat[located])
    district = np.full(n, None, dtype=object)
    flag = np.zeros(n, dtype=bool)
    crs_note = "" if prep.crs == "wgs84" else f"（由 {prep.crs.upper()} 换算）"
    for i, r in enumerate(idx):
        if not located[i]:
            continue
        if not inside[i]:
            if has_xy[i]:
                parsed.add(r, "lon", f"坐标（WGS-84：{lon[i]:.6f}, {lat[i]:.6f}{crs_note}）不在常州市范围内")
            else:
                parsed.add(r, None, "定位结果不在常州市范围内")
            continue
        d = named[i] or point_district[i] or stored_district[i]
        if d is None:
            parsed.add(r, "district", "无法确定所在辖市区：请填写“辖市区”")
            continue
        district[i] = d
        if named[i] is not None and point_district[i] is not None and point_district[i] != named[i]:
            flag[i] = True
            what = "坐标" if has_xy[i] else "定位结果"
            parsed.add(
                r, "lon" if has_xy[i] and "lon" in v else ("district" if "district" in v else None),
                f"{what}位于{DISTRICT_BY_ADCODE[point_district[i]].name}，不在所填"
                f"{DISTRICT_BY_ADCODE[named[i]].name}内：已保留并标记“超出所填区县”",
                WARNING,
            )  # fmt: skip
        if town[i] is not None and town_district.get(town[i]) != d:
            town[i] = None
        if town[i] is None and stored_town[i] is not None and stored_district[i] == d:
            town[i] = stored_town[i]
        if jkq[i] and town[i] not in JKQ_TOWN_CODES:
            parsed.add(r, "district", "填写为经开区，但未能确定所属镇（街道）：按武进区统计", WARNING)

    frame["district"] = district
    frame["town_code"] = [None if t is None else str(t) for t in town]
    frame["lon"] = np.where(located, lon, np.nan)
    frame["lat"] = np.where(located, lat, np.nan)
    if spec.geocode_columns:
        frame["geocode_source"] = source
        frame["geocode_precision"] = precision
        frame["outside_named_district"] = flag
    prep.placed_by = pd.Series(placed_by, index=idx, dtype=object)


# --- comparing with the store ----------------------------------------------------------------


def _norm(value: object, sql_type: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(sql_type, Boolean):
        return bool(value)
    if isinstance(sql_type, Integer):
        return int(value)
    if isinstance(sql_type, Float):
        return float(value)
    if isinstance(sql_type, Date):
        if isinstance(value, str):
            return date.fromisoformat(value[:10])
        if isinstance(value, datetime | pd.Timestamp):
            return value.date()
        return value
    if isinstance(sql_type, DateTime):
        return pd.Timestamp(value).to_pydatetime()
    return str(value)


def _same(a: object, b: object, sql_type: object) -> bool:
    a, b = _norm(a, sql_type), _norm(b, sql_type)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= _FLOAT_TOL
    return a == b


def _existing_map(kind: str, existing: pd.DataFrame | None) -> dict[tuple, dict]:
    """Stored rows by normalised key tuple."""
    if existing is None or existing.empty:
        return {}
    spec = S.kind_spec(kind)
    stored = _stored_columns(kind)
    flat = existing.reset_index()
    out: dict[tuple, dict] = {}
    for rec in flat.to_dict("records"):
        out[tuple(_norm(rec[k], stored[k].type) for k in spec.key)] = rec
    return out


def _classify(kind: str, frame: pd.DataFrame, existing: pd.DataFrame | None) -> pd.Series:
    """``insert``, ``update`` or ``unchanged`` for each row of ``frame``."""
    spec = S.kind_spec(kind)
    stored = _stored_columns(kind)
    # is_demo is not the file's: a row that changes becomes real data, an unchanged one stays.
    compare = [c for c in frame.columns if c in stored and c not in spec.key and c != "is_demo"]
    actions = pd.Series("insert", index=frame.index, dtype=object)
    old_rows = _existing_map(kind, existing)
    if not old_rows:
        return actions
    types = {c: stored[c].type for c in frame.columns if c in stored}
    out = []
    for rec in frame.to_dict("records"):
        k = tuple(_norm(rec[c], types[c]) for c in spec.key)
        old = old_rows.get(k)
        if old is None:
            out.append("insert")
            continue
        same = all(_same(rec[c], old.get(c), types[c]) for c in compare if c in old)
        out.append("unchanged" if same else "update")
    return pd.Series(out, index=frame.index, dtype=object)


# --- loading ---------------------------------------------------------------------------------


def load_prepared(
    store: Store,
    prep: Prepared,
    partial: bool = False,
    user: str | None = None,
    scope: Scope = CITY,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Write a prepared file to the store in one transaction.

    All-or-nothing unless ``partial``: with any rejected row nothing but a "rejected"
    import record is written. Re-importing an unchanged file writes no row.

    Parameters
    ----------
    store, prep
        The store and the result of :func:`prepare_import`.
    partial
        Load the good rows even when others are rejected.
    user
        Who imports (default: the operating-system user).
    scope
        Passed to :meth:`Store.upsert`.
    progress
        ``progress(fraction, message)``; called inside the transaction between chunks, so
        an exception it raises leaves the store as it was.
    """
    user = user or os_user()
    result = ImportResult(
        prep.kind, prep.file_name, prep.sha256, user, "rejected",
        rows_read=prep.rows_read, problems=list(prep.problems),
        file_format=prep.file_format, omitted=prep.omitted,
    )  # fmt: skip
    bad = prep.bad_rows
    result.rejected = len(bad) if prep.readable else 0
    if prep.readable and prep.frame is not None:
        result.flagged = int(
            prep.frame.get("outside_named_district", pd.Series(False, index=prep.frame.index))
            .loc[prep.good_rows].astype(bool).sum()
        )  # fmt: skip
        if prep.placed_by is not None:
            counts = Counter(k for r, k in prep.placed_by.items() if k is not None and r not in bad)
            result.placed = dict(counts)
    accept = prep.readable and (not bad or (partial and bool(prep.good_rows)))
    if not accept:
        _record_batch(store, prep, result, user, status="rejected")
        return result

    # No copies of a large frame when every row is good and changed (a first import).
    keep = ~prep.frame.index.isin(list(bad)) if bad else None
    action = prep.action if keep is None else prep.action[keep]
    write = (action != "unchanged").to_numpy()
    if keep is not None:
        write_rows = keep.copy()
        write_rows[keep] = write
    else:
        write_rows = write
    changed = prep.frame if write_rows.all() else prep.frame[write_rows]
    result.inserted = int((action == "insert").sum())
    result.updated = int((action == "update").sum())
    result.unchanged = int((action == "unchanged").sum())
    if bad:
        result.status = "partial"
    elif changed.empty:
        result.status = "unchanged"
    else:
        result.status = "done"

    write_rows(store, prep, result, lambda: [changed], len(changed), scope, progress)
    return result


def write_rows(
    store: Store,
    prep: Prepared,
    result: ImportResult,
    blocks: Callable[[], Iterable[pd.DataFrame]],
    total: int,
    scope: Scope = CITY,
    progress: ProgressFn | None = None,
) -> None:
    """Write the rows to store (``blocks()``: frames of store rows) with the batch record,
    in ONE transaction; sets ``result.batch_id``. An exception rolls everything back."""
    _progress(progress, 0.88, "写入数据库…")
    with store.transaction() as conn:
        batch_id = store.start_batch(
            prep.kind, conn, file_name=prep.file_name, file_sha256=prep.sha256, user_name=result.user
        )
        done = 0
        for block in blocks():
            for start in range(0, len(block), WRITE_CHUNK):
                part = block.iloc[start : start + WRITE_CHUNK].copy()
                part["batch_id"] = batch_id
                store.upsert(prep.kind, _for_store(part, prep.kind), scope, conn=conn)
                done += len(part)
                _progress(progress, 0.88 + 0.11 * done / max(total, 1), f"写入数据库 {done}/{total}…")
        store.finish_batch(
            batch_id, conn, rows_read=result.rows_read, inserted=result.inserted,
            updated=result.updated, rejected=result.rejected, status=result.status,
            note=_batch_note(result),
        )  # fmt: skip
    result.batch_id = batch_id
    _progress(progress, 1.0, "完成")


def _for_store(part: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Rows as the store takes them: plain Python values, NaN as None."""
    stored = _stored_columns(kind)
    out: dict[str, pd.Series] = {}
    for c in part.columns:
        if c not in stored:
            continue
        t = stored[c].type
        # Values already of the stored type pass as they are; the rest go through _norm.
        plain = next((py for sql, py in _PLAIN_TYPES if isinstance(t, sql)), None)
        values = part[c].tolist()
        if plain is None:
            values = [_norm(x, t) for x in values]
        else:
            values = [x if type(x) is plain else _norm(x, t) for x in values]
        out[c] = pd.Series(values, dtype=float if isinstance(t, Float) else object)
    return pd.DataFrame(out)


# Stored column type → the Python type _norm gives its values (None stays None too).
_PLAIN_TYPES: tuple[tuple[type, type], ...] = (
    (Boolean, bool), (Integer, int), (Float, float), (Date, date), (String, str),
)


def _batch_note(result: ImportResult) -> str:
    parts = [f"未变 {result.unchanged} 行"]
    if result.placed:
        parts.append("定位：" + "，".join(f"{_place_label(k)} {n}" for k, n in result.placed.items()))
    if result.flagged:
        parts.append(f"超出所填区县 {result.flagged} 行")
    return "；".join(parts)


def _record_batch(store: Store, prep: Prepared, result: ImportResult, user: str, status: str) -> None:
    """Record a rejected import (no data is written)."""
    with store.transaction() as conn:
        batch_id = store.start_batch(
            prep.kind, conn, file_name=prep.file_name, file_sha256=prep.sha256, user_name=user
        )
        errors = [p for p in result.problems if p.level == ERROR]
        total = len(errors) + result.omitted.get(ERROR, 0)
        # Row, column and kind of fault only: the history is shown to every visitor.
        note = f"错误 {total:,} 条" + (f"；首条：{errors[0].safe_text}" if errors else "")
        store.finish_batch(
            batch_id, conn, rows_read=result.rows_read, inserted=0, updated=0,
            rejected=result.rejected, status=status, note=note[:1000],
        )  # fmt: skip
    result.batch_id = batch_id


def import_file(
    store: Store,
    kind: str,
    data: bytes | os.PathLike,
    file_name: str,
    crs: str = "wgs84",
    partial: bool = False,
    user: str | None = None,
    scope: Scope = CITY,
    geocoders: list[G.OnlineGeocoder] | None = None,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Check and load a file (as :func:`prepare_import` then :func:`load_prepared` would),
    block by block in bounded memory (:func:`gsyf_geo.importing.blocks.import_blocks`).

    ``data`` is the file's bytes or its path (read as a stream). Bad input never raises:
    an unreadable file, a bad header or bad rows come back as a rejected
    :class:`ImportResult` with its problems.
    """
    from gsyf_geo.importing.blocks import import_blocks

    return import_blocks(store, kind, data, file_name, crs, partial, user, scope, geocoders, progress)


def load_with_retry(
    store: Store,
    prep: Prepared,
    partial: bool = False,
    user: str | None = None,
    scope: Scope = CITY,
    progress: ProgressFn | None = None,
    attempts: int | None = None,
) -> ImportResult:
    """:func:`load_prepared`, tried again while another writer holds the store.

    Each attempt waits for the lock (the store's busy timeout); a failed attempt rolled
    everything back. After ``attempts`` (default ``GSYF_IMPORT_ATTEMPTS`` or 3) tries it
    raises :class:`~gsyf_geo.importing.problems.StoreBusyError` ("数据库正忙，请稍后重试").
    """
    return retry_busy(lambda: load_prepared(store, prep, partial, user, scope, progress), progress, attempts)


def retry_busy(
    load: Callable[[], ImportResult], progress: ProgressFn | None = None, attempts: int | None = None
) -> ImportResult:
    """``load()``, tried again while another writer holds the store (see :func:`load_with_retry`)."""
    from sqlalchemy.exc import OperationalError

    if attempts is None:
        raw = os.environ.get("GSYF_IMPORT_ATTEMPTS", "").strip()
        attempts = int(raw) if raw.isdigit() and int(raw) > 0 else 3
    for attempt in range(attempts):
        try:
            return load()
        except OperationalError as exc:
            if not is_store_busy(exc):
                raise
            if attempt + 1 < attempts:
                _progress(progress, 0.88, "数据库正忙，稍后重试…")
                time.sleep(min(0.5 * 2**attempt, 5.0))
    raise StoreBusyError()


STORE_ERROR_MESSAGE = "数据库出错，导入未完成，库中数据未改变：请稍后重试；如仍出错，请告知管理员"


def import_file_guarded(
    store: Store, kind: str, data: bytes | os.PathLike, file_name: str, **kwargs: object
) -> tuple[ImportResult | None, str | None]:
    """:func:`import_file` for the page and the CLI: (result, None), or (None, a Chinese
    message) when the store failed — "数据库正忙，请稍后重试" when another writer held it
    through every retry. The message never shows SQL, parameters or paths."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return import_file(store, kind, data, file_name, **kwargs), None
    except StoreBusyError as exc:
        return None, str(exc)
    except SQLAlchemyError as exc:
        return None, BUSY_MESSAGE if is_store_busy(exc) else STORE_ERROR_MESSAGE
