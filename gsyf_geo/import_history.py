"""The import history in plain Chinese, as the 数据导入 page lists it.

Built from the store's import records (``import_batch``): newest first, no file hash in the
table (it is kept for :func:`fingerprints`), the demo generator's loads called 演示数据（自动生成）,
and the records' notes ("未变 0 行；定位：文件坐标 2") rewritten as sentences ("文件坐标定位 2 行").
"""

from __future__ import annotations

import re

import pandas as pd

from gsyf_geo.importing.load import STATUS_NAMES
from gsyf_geo.importing.preview import kind_title
from gsyf_geo.store import Store

COLUMNS = ["时间", "数据类型", "文件", "操作人", "读取", "新增", "更新", "拒绝", "结果", "说明"]
"""Columns of :func:`plain_history`."""

OPEN_DEMO_OPERATOR = "开放演示（未登录）"
SYSTEM_OPERATOR = "系统"
_DEMO_KINDS = {"demo": "演示数据（自动生成）", "demo-clear": "删除演示数据"}
_WHOLE_PLACES = ("沿用库中位置", "所在单位位置")  # already a sentence: "沿用库中位置 3 行"


def _kind_title(kind: str) -> str:
    return "演示数据" if kind in _DEMO_KINDS else kind_title(kind)


def operator_name(user_name: object) -> str:
    """Who imported, as shown to users (the open demo and the demo generator in Chinese)."""
    if user_name is None or pd.isna(user_name) or not str(user_name).strip():
        return SYSTEM_OPERATOR
    if user_name == "open-demo":
        return OPEN_DEMO_OPERATOR
    return user_name


def plain_places(text: str) -> str:
    """"定位：文件坐标 2，天地图·精确 3" → "文件坐标定位 2 行，天地图定位（精确）3 行"."""
    body = text.split("：", 1)[1] if text.startswith("定位：") else text
    out = []
    for part in re.split(r"[，；]", body):
        part = part.strip()
        m = re.fullmatch(r"(.+?)\s*([\d,]+)", part)
        if not m:
            if part:
                out.append(part)
            continue
        label, n = m.group(1).strip(), m.group(2)
        if label in _WHOLE_PLACES:
            out.append(f"{label} {n} 行")
        elif "·" in label:
            source, precision = label.split("·", 1)
            out.append(f"{source}定位（{precision}）{n} 行")
        else:
            out.append(f"{label}定位 {n} 行")
    return "，".join(out)


def plain_note(note: str | None, kind: str = "") -> str:
    """An import record's note as a sentence: no zero counts, places as "文件坐标定位 2 行"."""
    if kind == "demo":
        return "生成演示城市（合成数据，非真实统计）"
    if kind == "demo-clear":
        return "删除全部演示数据，导入的真实数据保留"
    parts = []
    for part in (note or "").split("；"):
        part = part.strip()
        if not part or re.fullmatch(r"未变 0 行|超出所填区县 0 行", part):
            continue
        if part.startswith("定位："):
            part = plain_places(part)
        elif part.startswith("超出所填区县"):
            part = part.replace("超出所填区县", "坐标超出所填区县", 1)
        elif part.startswith("首条："):
            part = "第一处：" + part.split("：", 1)[1]
        parts.append(part)
    return "；".join(parts)


def plain_history(store: Store, limit: int = 200, user: str | None = None) -> pd.DataFrame:
    """The import records, newest first, in plain Chinese (columns :data:`COLUMNS`).

    Parameters
    ----------
    store
        The store.
    limit
        At most this many records (the newest).
    user
        Only the records of this account (a district officer sees their own imports).
    """
    b = store.batches()
    if user is not None and not b.empty:
        b = b[b["user_name"] == user]
    if b.empty:
        return pd.DataFrame(columns=COLUMNS)
    b = b.sort_values(["started_at", "id"], ascending=False).head(limit)
    kinds = b["kind"].fillna("").tolist()
    return pd.DataFrame(
        {
            "时间": pd.to_datetime(b["started_at"]).dt.strftime("%Y-%m-%d %H:%M"),
            "数据类型": [_kind_title(k) for k in kinds],
            "文件": [_DEMO_KINDS.get(k) or (f or "") for k, f in zip(kinds, b["file_name"].fillna(""), strict=True)],
            "操作人": [operator_name(u) for u in b["user_name"]],
            "读取": b["rows_read"].fillna(0).astype(int),
            "新增": b["inserted"].fillna(0).astype(int),
            "更新": b["updated"].fillna(0).astype(int),
            "拒绝": b["rejected"].fillna(0).astype(int),
            "结果": [{"demo": "已生成", "demo-clear": "已删除"}.get(k) or STATUS_NAMES.get(s, "未知")
                     for k, s in zip(kinds, b["status"], strict=True)],  # fmt: skip
            "说明": [plain_note(n, k) for n, k in zip(b["note"], kinds, strict=True)],
        }
    ).reset_index(drop=True)


def fingerprints(store: Store, limit: int = 200, user: str | None = None) -> pd.DataFrame:
    """Time, file and file fingerprint (SHA-256) of the imported files, newest first: to check
    whether two imports were of the same file. Demo loads have none and are left out."""
    b = store.batches()
    b = b[b["file_sha256"].notna() & (b["file_sha256"] != "")]
    if user is not None:
        b = b[b["user_name"] == user]
    b = b.sort_values(["started_at", "id"], ascending=False).head(limit)
    return pd.DataFrame(
        {
            "时间": pd.to_datetime(b["started_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "文件": b["file_name"].fillna(""),
            "文件指纹": b["file_sha256"],
        }
    ).reset_index(drop=True)
