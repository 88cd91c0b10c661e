"""The one query layer: every read and write of the store goes through :class:`Store`.

Each method takes a :class:`~gsyf_geo.store.scope.Scope`. Reads return pandas DataFrames
(GeoDataFrames in WGS-84 for located kinds); writes check every row against the scope
and run in one transaction, so a failure leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from gsyf_geo.crs import WGS84, to_metric
from gsyf_geo.domain import reporting_unit_for
from gsyf_geo.settings import db_url
from gsyf_geo.store import models
from gsyf_geo.store.scope import CITY, Scope, ScopeError

# Kinds of stored rows, by the name used in commands and imports.
KINDS: dict[str, type[models.Base]] = {
    "enterprise": models.Enterprise,
    "insurance_snapshot": models.InsuranceSnapshot,
    "unit_year_total": models.UnitYearTotal,
    "construction_project": models.ConstructionProject,
    "training_base": models.TrainingBase,
    "work_injury": models.WorkInjury,
    "disease_case": models.DiseaseCase,
    "training_record": models.TrainingRecord,
    "training_institution": models.TrainingInstitution,
    "expert": models.Expert,
    "publicity_activity": models.PublicityActivity,
}
LOCATED_KINDS = frozenset(
    k for k, m in KINDS.items() if issubclass(m, models.LocatedMixin)
)
# Children first, so deletes respect foreign keys.
_DELETE_ORDER = (
    "publicity_activity", "insurance_snapshot", "work_injury", "disease_case", "training_record",
    "training_institution", "expert", "construction_project",
    "training_base", "unit_year_total", "enterprise",
)  # fmt: skip
_CHUNK = 5_000
# pg_advisory_xact_lock key that serialises schema creation and upgrades ("gsyf" in ASCII).
_SCHEMA_LOCK_KEY = 0x67737966


def _sqlite_busy_ms() -> int:
    """How long (ms) a SQLite statement waits for another writer's lock: GSYF_SQLITE_BUSY_MS, default 30 s."""
    import os

    raw = os.environ.get("GSYF_SQLITE_BUSY_MS", "").strip()
    return int(raw) if raw.isdigit() else 30_000


def _enable_sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout={_sqlite_busy_ms()}")  # wait for a writer, then "locked"
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: the ``GSYF_DB_URL`` setting)."""
    url = url or db_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def locate_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Fill the derived place columns of located rows: x/y, geom and reporting unit.

    ``df`` needs ``lon``, ``lat`` (WGS-84, may be NaN), ``district`` and ``town_code``.
    """
    out = df.copy()
    lon = out["lon"].to_numpy(dtype=float)
    lat = out["lat"].to_numpy(dtype=float)
    has = ~(np.isnan(lon) | np.isnan(lat))
    x = np.full(len(out), np.nan)
    y = np.full(len(out), np.nan)
    if has.any():
        x[has], y[has] = to_metric(lon[has], lat[has])
    out["x"], out["y"] = x, y
    wkb = np.full(len(out), None, dtype=object)
    if has.any():
        wkb[has] = shapely.to_wkb(shapely.points(lon[has], lat[has]))
    out["geom"] = wkb
    if "town_code" not in out:
        out["town_code"] = None
    out["reporting_unit"] = [
        reporting_unit_for(d, t) for d, t in zip(out["district"], out["town_code"], strict=True)
    ]
    return out


def _records(df: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """DataFrame rows as dicts with NaN/NaT turned into None and numpy scalars into Python."""
    sub = df[list(columns)].astype(object)
    sub = sub.where(pd.notna(sub), None)
    return sub.to_dict("records")


class Store:
    """The store, on SQLite (embedded default) or PostGIS (``GSYF_DB_URL``).

    Parameters
    ----------
    url
        SQLAlchemy URL; default from :func:`gsyf_geo.settings.db_url`.
    """

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # --- schema -------------------------------------------------------------------------
    def create_schema(self) -> None:
        """Create the schema, or upgrade it, to the newest migration (Alembic, ``upgrade head``).

        The revisions are in ``gsyf_geo/store/migrations/versions/``; the first one builds the
        tables (and the PostGIS extension) as the models defined them when migrations began.
        A database made by an earlier version, without an ``alembic_version`` table (made by
        ``create_all``, perhaps lacking newer nullable columns), is first brought to that
        baseline: missing tables are created and every nullable column it lacks is added
        (``ALTER TABLE ... ADD COLUMN``, with its index; existing rows get NULL there). It is
        then stamped with the baseline revision and upgraded like any other. On PostgreSQL all
        of it is one transaction, serialised by an advisory lock, so two processes starting at
        once do not both build the schema.
        """
        from gsyf_geo.store import migrations

        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            state = migrations.schema_state(conn)
            if state.up_to_date:
                return
            if state.unversioned:
                self._bring_to_baseline(conn)
                migrations.stamp(conn, migrations.BASELINE)
            migrations.upgrade(conn)

    def _bring_to_baseline(self, conn: Connection) -> None:
        """Make a database of a version before migrations match the baseline revision."""
        from gsyf_geo.store import migrations

        baseline = migrations.baseline_metadata()
        if self.dialect == "postgresql":
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        baseline.create_all(conn)  # tables it lacks (checkfirst)
        self._add_missing_columns(conn, baseline)

    def missing_columns(
        self, conn: Connection | None = None, metadata: MetaData | None = None
    ) -> dict[str, list[str]]:
        """Columns of the models (or ``metadata``) that the database's existing tables lack."""
        metadata = metadata if metadata is not None else models.Base.metadata

        def _do(c: Connection) -> dict[str, list[str]]:
            inspector = inspect(c)
            have_tables = set(inspector.get_table_names())
            out: dict[str, list[str]] = {}
            for table in metadata.sorted_tables:
                if table.name not in have_tables:
                    continue
                have = {col["name"] for col in inspector.get_columns(table.name)}
                lacking = [col.name for col in table.columns if col.name not in have]
                if lacking:
                    out[table.name] = lacking
            return out

        if conn is not None:
            return _do(conn)
        with self.engine.connect() as c:
            return _do(c)

    def _add_missing_columns(self, conn: Connection, metadata: MetaData) -> None:
        for table_name, names in self.missing_columns(conn, metadata).items():
            table = metadata.tables[table_name]
            preparer = conn.dialect.identifier_preparer
            for name in names:
                col = table.columns[name]
                if not col.nullable or col.primary_key:
                    raise RuntimeError(
                        f"数据库表 {table_name} 缺少必填列 {name}，无法自动升级；请重建数据库"
                    )
                ddl = col.type.compile(dialect=conn.dialect)
                conn.execute(
                    text(
                        f"ALTER TABLE {preparer.quote(table_name)} "
                        f"ADD COLUMN {preparer.quote(name)} {ddl}"
                    )
                )
            for index in table.indexes:
                if any(c.name in names for c in index.columns):
                    index.create(conn, checkfirst=True)

    def drop_schema(self) -> None:
        """Drop every table of the store, with its migration record (tests start afresh)."""
        from gsyf_geo.store.migrations import VERSION_TABLE

        models.Base.metadata.drop_all(self.engine)
        with self.engine.begin() as conn:
            quoted = conn.dialect.identifier_preparer.quote(VERSION_TABLE)
            conn.execute(text(f"DROP TABLE IF EXISTS {quoted}"))

    @contextmanager
    def transaction(self) -> Iterable[Connection]:
        """One transaction: everything inside commits together or not at all."""
        with self.engine.begin() as conn:
            yield conn

    # --- settings -----------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(models.Setting.value).where(models.Setting.key == key)
            ).scalar_one_or_none()
        return default if value is None else value

    def set_setting(self, key: str, value: str | None, conn: Connection | None = None) -> None:
        """Set ``key`` to ``value``; None removes the setting."""

        def _do(c: Connection) -> None:
            c.execute(delete(models.Setting).where(models.Setting.key == key))
            if value is not None:
                c.execute(models.Setting.__table__.insert().values(key=key, value=value))

        if conn is not None:
            _do(conn)
        else:
            with self.transaction() as c:
                _do(c)

    @property
    def holds_demo_data(self) -> bool:
        """True when the store holds synthetic demo rows."""
        return self.get_setting("demo_seed") is not None

    # --- reads --------------------------------------------------------------------------
    def _table(self, kind: str):
        try:
            return KINDS[kind].__table__
        except KeyError:
            raise ValueError(f"未知的数据类型：{kind}") from None

    def count(self, kind: str, scope: Scope = CITY) -> int:
        table = self._table(kind)
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(table).where(scope.clause(table))
            ).scalar_one()

    def read(
        self,
        kind: str,
        scope: Scope = CITY,
        where: Sequence[Any] = (),
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Rows of ``kind`` inside ``scope``.

        Parameters
        ----------
        kind
            One of :data:`KINDS`.
        scope
            The part of the city to read.
        where
            Extra SQLAlchemy conditions on the kind's table (``store.table(kind).c``).
        columns
            Columns to return; default all but the geometry blob.

        Returns
        -------
        GeoDataFrame (located kinds, WGS-84 points from lon/lat) or DataFrame.
        """
        table = self._table(kind)
        names = list(columns) if columns else [c.name for c in table.c if c.name != "geom"]
        located = kind in LOCATED_KINDS
        if located:
            names += [n for n in ("lon", "lat") if n not in names]
        stmt = select(*(table.c[n] for n in names)).where(scope.clause(table), *where)
        with self.engine.connect() as conn:
            df = pd.read_sql(stmt, conn)
        if not located:
            return df
        geometry = gpd.points_from_xy(df["lon"], df["lat"], crs=WGS84)
        geometry[df["lon"].isna().to_numpy() | df["lat"].isna().to_numpy()] = None  # not POINT(NaN NaN)
        return gpd.GeoDataFrame(df, geometry=geometry, crs=WGS84)

    def table(self, kind: str):
        """The SQLAlchemy table of a kind, for building ``where`` conditions."""
        return self._table(kind)

    def within_radius(
        self, kind: str, x: float, y: float, radius_m: float, scope: Scope = CITY
    ) -> pd.DataFrame:
        """Rows of a located kind within ``radius_m`` metres of (x, y) in EPSG:4549.

        Portable: a B-tree range on x/y narrows the rows, the exact circle test follows.
        """
        table = self._table(kind)
        box = (
            table.c.x.between(x - radius_m, x + radius_m),
            table.c.y.between(y - radius_m, y + radius_m),
        )
        df = self.read(kind, scope, where=box)
        d2 = (df["x"] - x) ** 2 + (df["y"] - y) ** 2
        return df[d2 <= radius_m**2].reset_index(drop=True)

    # --- writes -------------------------------------------------------------------------
    def _check_scope(self, kind: str, df: pd.DataFrame, scope: Scope) -> None:
        if scope.kind == "city" or df.empty:
            return
        inside = scope.contains(df["district"].to_numpy(), df["reporting_unit"].to_numpy())
        if not inside.all():
            first = int(np.flatnonzero(~inside)[0])
            raise ScopeError(
                f"第 {first + 1} 行不在权限范围（{scope.label}）内，未写入任何数据"
            )

    def _check_replaced(self, conn: Connection, table, pk: list[str], df: pd.DataFrame, scope: Scope) -> None:
        """Refuse a write whose rows would replace stored rows outside ``scope``.

        The message names the row of ``df`` only, never anything of the stored row (its
        name, its district): those belong to a part of the city the caller may not see.
        """
        if scope.kind == "city" or df.empty:
            return
        outside = ~scope.clause(table)
        first = pk[0]
        keys = df[first].astype(object).tolist()
        found: list[pd.DataFrame] = []
        for start in range(0, len(keys), _CHUNK):
            stmt = select(*(table.c[k] for k in pk)).where(
                table.c[first].in_(keys[start : start + _CHUNK]), outside
            )
            part = pd.read_sql(stmt, conn)
            if not part.empty:
                found.append(part)
        if not found:
            return
        taken = pd.concat(found, ignore_index=True).drop_duplicates()
        mine = df[pk].reset_index(drop=True).astype(object)
        hits = mine.reset_index().merge(taken.astype(object), on=pk, how="inner")
        if hits.empty:
            return
        row = int(hits["index"].min())
        raise ScopeError(
            f"第 {row + 1} 行对应的记录已存在于您的权限范围（{scope.label}）以外，"
            "不能覆盖或改到本范围；未写入任何数据"
        )

    def _prepare(self, kind: str, df: pd.DataFrame) -> pd.DataFrame:
        if kind in LOCATED_KINDS:
            df = locate_columns(df)
        elif "reporting_unit" not in df and "district" in df:
            df = df.assign(reporting_unit=df["district"])
        return df

    def upsert(
        self,
        kind: str,
        df: pd.DataFrame,
        scope: Scope = CITY,
        conn: Connection | None = None,
    ) -> tuple[int, int]:
        """Insert new rows and update existing ones (matched on the primary key).

        Returns
        -------
        (inserted, updated)
        """
        if df.empty:
            return 0, 0
        df = self._prepare(kind, df)
        self._check_scope(kind, df, scope)
        table = self._table(kind)
        pk = [c.name for c in table.primary_key.columns]
        cols = [c.name for c in table.c if c.name in df.columns]
        records = _records(df, cols)
        ins = (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)
        update_cols = [c for c in cols if c not in pk]
        stmt = (
            ins.on_conflict_do_update(
                index_elements=pk, set_={c: ins.excluded[c] for c in update_cols}
            )
            if update_cols
            else ins.on_conflict_do_nothing(index_elements=pk)
        )

        def _do(c: Connection) -> tuple[int, int]:
            self._check_replaced(c, table, pk, df, scope)
            existing = self._existing_keys(c, table, pk, df)
            for start in range(0, len(records), _CHUNK):
                c.execute(stmt, records[start : start + _CHUNK])
            return len(records) - existing, existing

        if conn is not None:
            return _do(conn)
        with self.transaction() as c:
            return _do(c)

    def _existing_keys(self, conn: Connection, table, pk: list[str], df: pd.DataFrame) -> int:
        if len(pk) == 1:
            keys = df[pk[0]].astype(object).tolist()
            found = 0
            for start in range(0, len(keys), _CHUNK):
                found += conn.execute(
                    select(func.count())
                    .select_from(table)
                    .where(table.c[pk[0]].in_(keys[start : start + _CHUNK]))
                ).scalar_one()
            return found
        current = pd.read_sql(select(*(table.c[k] for k in pk)), conn)
        if current.empty:
            return 0
        merged = df[pk].merge(current, on=pk, how="inner")
        return len(merged)

    def insert(
        self,
        kind: str,
        df: pd.DataFrame,
        scope: Scope = CITY,
        conn: Connection | None = None,
    ) -> int:
        """Plain bulk insert (fails on an existing key). Returns rows inserted."""
        if df.empty:
            return 0
        df = self._prepare(kind, df)
        self._check_scope(kind, df, scope)
        table = self._table(kind)
        cols = [c.name for c in table.c if c.name in df.columns]
        records = _records(df, cols)

        def _do(c: Connection) -> int:
            self._check_replaced(c, table, [k.name for k in table.primary_key.columns], df, scope)
            for start in range(0, len(records), _CHUNK):
                c.execute(table.insert(), records[start : start + _CHUNK])
            return len(records)

        if conn is not None:
            return _do(conn)
        with self.transaction() as c:
            return _do(c)

    def delete_all(self, scope: Scope = CITY, conn: Connection | None = None, demo_only: bool = False) -> None:
        """Delete every stored row inside ``scope`` (children first)."""

        def _do(c: Connection) -> None:
            for kind in _DELETE_ORDER:
                table = self._table(kind)
                cond = [scope.clause(table)]
                if demo_only:
                    cond.append(table.c.is_demo.is_(True))
                c.execute(delete(table).where(*cond))

        if conn is not None:
            _do(conn)
        else:
            with self.transaction() as c:
                _do(c)

    # --- import batches -----------------------------------------------------------------
    def start_batch(
        self,
        kind: str,
        conn: Connection,
        file_name: str | None = None,
        file_sha256: str | None = None,
        user_name: str | None = None,
    ) -> int:
        """Record the start of a load and return its batch id."""
        result = conn.execute(
            models.ImportBatch.__table__.insert().values(
                kind=kind,
                file_name=file_name,
                file_sha256=file_sha256,
                user_name=user_name,
                started_at=datetime.now(),
                status="running",
            )
        )
        return int(result.inserted_primary_key[0])

    def finish_batch(self, batch_id: int, conn: Connection, **counts: Any) -> None:
        table = models.ImportBatch.__table__
        conn.execute(
            update(table)
            .where(table.c.id == batch_id)
            .values(finished_at=datetime.now(), status=counts.pop("status", "done"), **counts)
        )

    def data_version(self) -> str:
        """A token that changes whenever a load finishes (for caches of derived data)."""
        table = models.ImportBatch.__table__
        with self.engine.connect() as conn:
            last, n = conn.execute(select(func.max(table.c.id), func.count()).select_from(table)).one()
        return f"{last}-{n}"

    def batches(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(models.ImportBatch.__table__), conn)
