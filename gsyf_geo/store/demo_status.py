"""Which stored data are demo (synthetic) rows: per kind, district and reporting unit.

The demo banner of every page and the demo labels of single figures read this, so that
after real data are imported (say the enterprises of one district) only what is still
synthetic is called 演示数据, and nothing at all once no demo row is left.

One grouped count per kind (``is_demo`` by district and reporting unit): cheap enough for a
page load, and cached by the pages on :meth:`Store.data_version`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select

from gsyf_geo.domain import DEMO_LABEL, DISTRICT_BY_ADCODE, REPORTING_UNIT_BY_CODE
from gsyf_geo.store.query import KINDS, Store
from gsyf_geo.store.scope import CITY, Scope

KIND_NAMES: dict[str, str] = {
    "enterprise": "企业名录",
    "insurance_snapshot": "参保情况",
    "unit_year_total": "参保人数统计",
    "construction_project": "工程建设项目",
    "training_base": "培训基地",
    "work_injury": "工伤记录",
    "disease_case": "职业病病例",
    "training_record": "培训记录",
    "training_institution": "培训示范机构",
    "expert": "专家库",
    "publicity_activity": "宣传活动",
}
"""Short Chinese names of the stored kinds, as the demo banner lists them (store order)."""

DEMO = "演示数据"
PARTLY_DEMO = "含演示数据"


@dataclass(frozen=True)
class DemoStatus:
    """Row counts of every kind by (district, reporting unit, is_demo).

    ``counts`` maps ``(kind, district, reporting_unit, is_demo)`` to a number of rows.
    """

    counts: dict[tuple[str, str, str, bool], int] = field(default_factory=dict)

    def rows(self, kind: str, scope: Scope = CITY, demo: bool | None = None) -> int:
        """Rows of ``kind`` inside ``scope`` (only demo rows, only real rows, or all)."""
        return sum(
            n for (k, d, u, is_demo), n in self.counts.items()
            if k == kind and _inside(scope, d, u) and (demo is None or is_demo == demo)
        )  # fmt: skip

    def real_units(self, kind: str, scope: Scope = CITY) -> list[str]:
        """Reporting units (codes, domain order) that hold real rows of ``kind`` in ``scope``."""
        have = {u for (k, d, u, is_demo), n in self.counts.items()
                if k == kind and not is_demo and n and _inside(scope, d, u)}  # fmt: skip
        return [u for u in REPORTING_UNIT_BY_CODE if u in have] + sorted(have - set(REPORTING_UNIT_BY_CODE))

    def any_demo(self, scope: Scope = CITY) -> bool:
        """Whether any demo row lies inside ``scope``."""
        return any(self.rows(k, scope, demo=True) for k in KINDS)

    def label(self, kinds: Iterable[str], scope: Scope = CITY) -> str | None:
        """The demo label of a figure computed from ``kinds`` inside ``scope``.

        Returns
        -------
        str or None
            ``"演示数据"`` when every row it draws on is demo, ``"含演示数据"`` when some are,
            None when none is (or there is no row at all).
        """
        kinds = list(kinds)
        demo = sum(self.rows(k, scope, demo=True) for k in kinds)
        real = sum(self.rows(k, scope, demo=False) for k in kinds)
        if not demo:
            return None
        return DEMO if not real else PARTLY_DEMO

    def banner(self, scope: Scope = CITY) -> str | None:
        """The page banner: which data inside ``scope`` are demo; None when none is.

        Everything demo (no real row anywhere in ``scope``): "当前为演示数据（…）". Otherwise it
        names the kinds that are wholly demo, the kinds that are partly demo (with counts),
        and where the imported real rows of those are.
        """
        wholly, partly, real_units = [], [], []
        for kind, name in KIND_NAMES.items():
            demo = self.rows(kind, scope, demo=True)
            real = self.rows(kind, scope, demo=False)
            if demo and not real:
                wholly.append(name)
            elif demo:
                partly.append(f"{name} {demo + real:,} 条中 {demo:,} 条")
                units = "、".join(unit_name(u) for u in self.real_units(kind, scope))
                real_units.append(f"{name} {real:,} 条" + (f"（{units}）" if units else ""))
        if not wholly and not partly:
            return None
        if not partly and not any(self.rows(k, scope, demo=False) for k in KINDS):
            return f"当前为{DEMO_LABEL}"
        parts = []
        if wholly:
            parts.append("、".join(wholly) + "为演示数据")
        if partly:
            parts.append("；".join(partly) + "为演示数据")
        text = f"部分数据为{DEMO_LABEL}：" + "；".join(parts) + "。"
        if real_units:
            text += "导入的真实数据：" + "；".join(real_units) + "。"
        return text


def unit_name(code: str) -> str:
    """Chinese name of a reporting unit: 天宁区…溧阳市, 经开区."""
    if code in DISTRICT_BY_ADCODE:
        return DISTRICT_BY_ADCODE[code].name
    unit = REPORTING_UNIT_BY_CODE.get(code)
    return unit.short_name if unit else code


def _inside(scope: Scope, district: str, unit: str) -> bool:
    if scope.kind == "city":
        return True
    if scope.kind == "district":
        return district == scope.code
    return unit == scope.code


def demo_status(store: Store) -> DemoStatus:
    """Count the rows of every kind by district, reporting unit and ``is_demo`` (one query each)."""
    counts: dict[tuple[str, str, str, bool], int] = {}
    with store.engine.connect() as conn:
        for kind, model in KINDS.items():
            t = model.__table__
            query = select(t.c.district, t.c.reporting_unit, t.c.is_demo, func.count()).group_by(
                t.c.district, t.c.reporting_unit, t.c.is_demo
            )
            for district, unit, is_demo, n in conn.execute(query):
                key = (kind, str(district), str(unit), bool(is_demo))
                counts[key] = counts.get(key, 0) + int(n)
    return DemoStatus(counts)


def any_demo_rows(store: Store, kinds: Iterable[str], scope: Scope = CITY) -> bool:
    """Whether any row of ``kinds`` inside ``scope`` is demo: for a figure or a printout drawn
    from those kinds (one ``EXISTS`` per kind, cheap enough for every map redraw)."""
    with store.engine.connect() as conn:
        for kind in kinds:
            t = KINDS[kind].__table__
            if conn.execute(select(exists().where(t.c.is_demo.is_(True), scope.clause(t)))).scalar():
                return True
    return False
