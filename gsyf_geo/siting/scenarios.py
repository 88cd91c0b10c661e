"""Named siting scenarios: save what was asked and what was found, compare two side by side.

A scenario is one row of ``siting_scenario`` (model
:class:`gsyf_geo.store.models.SitingScenario`): the parameters and the result summary as
JSON text, including the enterprises the scenario's new sites newly cover (those no
existing base reaches), so that a comparison still shows what was decided even after the
data change. Scenarios belong to the scope they were planned in; the city scope sees all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select

from gsyf_geo.siting.errors import SitingError
from gsyf_geo.siting.instance import district_name
from gsyf_geo.siting.result import PROBLEM_SHORT_NAMES, SitingResult, industry_name
from gsyf_geo.store.models import SitingScenario
from gsyf_geo.store.scope import CITY, Scope

MAX_NAME_LENGTH = 100
_TABLE = SitingScenario.__table__
NEWLY_FIELDS = ("demand_id", "name", "district", "key_industry", "weight", "lon", "lat", "sites")


def _visible(scope: Scope):
    return [] if scope.kind == "city" else [_TABLE.c.scope == str(scope)]


def _newly_rows(result: SitingResult) -> list[list[Any]]:
    """One compact row per newly covered enterprise (fields :data:`NEWLY_FIELDS`)."""
    nc = result.newly_covered
    if nc.empty:
        return []
    d = result.demand.set_index("demand_id")
    sites = nc.groupby("demand_id")["site_code"].agg(lambda s: ",".join(sorted(set(s))))
    ids = sites.index.to_numpy()
    sub = d.loc[ids]
    return [
        [str(i), str(r.name), str(r.district), None if pd.isna(r.key_industry) else str(r.key_industry),
         float(r.weight), round(float(r.lon), 6), round(float(r.lat), 6), sites[i]]
        for i, r in zip(ids, sub.itertuples(index=False), strict=True)
    ]  # fmt: skip


def save_scenario(
    store,
    name: str,
    result: SitingResult,
    *,
    scope: Scope = CITY,
    created_by: str | None = None,
    overwrite: bool = False,
) -> int:
    """Save ``result`` under ``name``; returns the scenario id.

    Raises
    ------
    SitingError
        Empty or too long name, a name already used in the scope (unless ``overwrite``),
        or a result planned outside the caller's scope.
    """
    name = (name or "").strip()
    if not name:
        raise SitingError("请为方案命名")
    if len(name) > MAX_NAME_LENGTH:
        raise SitingError(f"方案名称过长（最多 {MAX_NAME_LENGTH} 个字符）")
    planned_in = str(result.parameters.get("scope") or "city")
    if scope.kind != "city" and planned_in != str(scope):
        raise SitingError(f"该方案的范围（{planned_in}）不在权限范围（{scope.label}）内，未保存")
    summary = result.summary()
    summary["newly_covered"] = _newly_rows(result)
    summary.pop("newly_covered_ids", None)
    row = {
        "name": name,
        "scope": planned_in,
        "problem": result.problem,
        "objective": float(result.objective),
        "parameters": json.dumps(result.parameters, ensure_ascii=False),
        "result": json.dumps(summary, ensure_ascii=False),
        "created_by": created_by,
        "created_at": datetime.now(),
    }
    with store.transaction() as conn:
        existing = conn.execute(
            select(_TABLE.c.id).where(_TABLE.c.name == name, _TABLE.c.scope == planned_in)
        ).scalar_one_or_none()
        if existing is not None:
            if not overwrite:
                raise SitingError(f"已有同名方案「{name}」，请换一个名称或选择覆盖")
            conn.execute(delete(_TABLE).where(_TABLE.c.id == existing))
        res = conn.execute(_TABLE.insert().values(**row))
        return int(res.inserted_primary_key[0])


def list_scenarios(store, scope: Scope = CITY) -> pd.DataFrame:
    """Saved scenarios visible in ``scope``, newest first.

    Columns: ``id``, ``name``, ``scope``, ``problem``, ``problem_name``, ``objective``,
    ``p``, ``radius_km``, ``covered_share``, ``created_at``, ``created_by``.
    """
    with store.engine.connect() as conn:
        df = pd.read_sql(
            select(_TABLE)
            .where(*_visible(scope))
            .order_by(_TABLE.c.created_at.desc(), _TABLE.c.id.desc()),
            conn,
        )
    if df.empty:
        return pd.DataFrame(columns=["id", "name", "scope", "problem", "problem_name", "objective", "p",
                                     "radius_km", "covered_share", "created_at", "created_by"])  # fmt: skip
    params = df["parameters"].map(json.loads)
    summaries = df["result"].map(json.loads)
    return pd.DataFrame({
        "id": df["id"].astype(int),
        "name": df["name"],
        "scope": df["scope"],
        "problem": df["problem"],
        "problem_name": df["problem"].map(PROBLEM_SHORT_NAMES),
        "objective": df["objective"],
        "p": params.map(lambda d: d.get("p")),
        "radius_km": params.map(lambda d: d.get("radius_km")),
        "covered_share": summaries.map(lambda s: s.get("covered_share")),
        "created_at": df["created_at"],
        "created_by": df["created_by"],
    })  # fmt: skip


def load_scenario(store, scenario_id: int, scope: Scope = CITY) -> dict[str, Any]:
    """A saved scenario: ``id``, ``name``, ``scope``, ``problem``, ``parameters``, ``result``.

    Raises
    ------
    SitingError
        No such scenario in ``scope``.
    """
    with store.engine.connect() as conn:
        row = (
            conn.execute(select(_TABLE).where(_TABLE.c.id == int(scenario_id), *_visible(scope)))
            .mappings()
            .one_or_none()
        )
    if row is None:
        raise SitingError(f"未找到编号为 {scenario_id} 的方案（或不在权限范围内）")
    return {
        "id": int(row["id"]),
        "name": row["name"],
        "scope": row["scope"],
        "problem": row["problem"],
        "objective": row["objective"],
        "created_at": row["created_at"],
        "created_by": row["created_by"],
        "parameters": json.loads(row["parameters"]),
        "result": json.loads(row["result"]),
    }


def delete_scenario(store, scenario_id: int, scope: Scope = CITY) -> None:
    """Delete a saved scenario (only inside ``scope``)."""
    load_scenario(store, scenario_id, scope)
    with store.transaction() as conn:
        conn.execute(delete(_TABLE).where(_TABLE.c.id == int(scenario_id), *_visible(scope)))


def count_scenarios(store, scope: Scope = CITY) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(_TABLE).where(*_visible(scope))
            ).scalar_one()
        )


def newly_covered_frame(scenario: dict[str, Any]) -> pd.DataFrame:
    """The enterprises a saved scenario newly covers, one row each."""
    rows = scenario["result"].get("newly_covered") or []
    return pd.DataFrame(rows, columns=list(NEWLY_FIELDS))


@dataclass
class Comparison:
    """Two scenarios side by side.

    ``summary``: one row per figure (Chinese labels) with a column per scenario;
    ``enterprises``: every enterprise either newly covers, with ``in_a``/``in_b`` and
    ``which`` (仅方案A / 仅方案B / 两者).
    """

    a: dict[str, Any]
    b: dict[str, Any]
    summary: pd.DataFrame
    enterprises: pd.DataFrame


def compare_scenarios(store, a_id: int, b_id: int, scope: Scope = CITY) -> Comparison:
    """Compare two saved scenarios: headline figures and which enterprises each newly covers."""
    a = load_scenario(store, a_id, scope)
    b = load_scenario(store, b_id, scope)

    def figures(s: dict[str, Any]) -> dict[str, Any]:
        r, p = s["result"], s["parameters"]
        share = r.get("covered_share")
        return {
            "方案": s["name"],
            "问题": PROBLEM_SHORT_NAMES.get(s["problem"], s["problem"]),
            "新增基地数": len(r.get("chosen", [])),
            "服务半径（公里）": p.get("radius_km"),
            "绕行系数": p.get("detour"),
            "需求权重": r.get("weight_label"),
            "覆盖需求": round(float(r.get("covered_weight") or 0.0), 1),
            "覆盖率": None if share is None else f"{share:.1%}",
            "新增覆盖企业数": len(r.get("newly_covered") or []),
            "新选址": "、".join(c["name"] for c in r.get("chosen", [])),
            "求解状态": r.get("status_cn"),
        }

    fa, fb = figures(a), figures(b)
    summary = pd.DataFrame({"指标": list(fa), "方案A": [str(v) for v in fa.values()],
                            "方案B": [str(v) for v in fb.values()]})  # fmt: skip
    na, nb = newly_covered_frame(a), newly_covered_frame(b)
    ents = pd.concat([na.assign(in_a=True), nb.assign(in_b=True)], ignore_index=True)
    if ents.empty:
        ents = pd.DataFrame(columns=[*NEWLY_FIELDS, "in_a", "in_b", "which"])
    else:
        ents["in_a"] = ents["in_a"].astype("boolean").fillna(False).astype(bool)
        ents["in_b"] = ents["in_b"].astype("boolean").fillna(False).astype(bool)
        agg = {f: "first" for f in NEWLY_FIELDS if f not in ("demand_id", "sites")}
        agg.update({"in_a": "max", "in_b": "max"})
        ents = ents.groupby("demand_id", as_index=False).agg(agg)
        ents["which"] = np.where(ents["in_a"] & ents["in_b"], "两者",
                                 np.where(ents["in_a"], "仅方案A", "仅方案B"))  # fmt: skip
        ents["district_name"] = ents["district"].map(district_name)
        ents["industry_name"] = ents["key_industry"].map(industry_name)
        ents = ents.sort_values(["which", "weight"], ascending=[True, False]).reset_index(drop=True)
    return Comparison(a, b, summary, ents)
