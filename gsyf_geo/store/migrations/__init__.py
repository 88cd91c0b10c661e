"""Alembic migrations of the store's schema, run from code (no ``alembic.ini`` needed).

The revisions live in ``versions/`` beside this file; ``env.py`` is the Alembic environment.
:meth:`gsyf_geo.store.Store.create_schema` (called on app start, by ``python -m gsyf_geo init``
and ``python -m gsyf_geo db upgrade``) upgrades a database to :func:`head_revision` with
:func:`upgrade`; this module only knows how to run and inspect the revisions.

Adding a column or table: change ``gsyf_geo/store/models.py``, then write a revision, e.g. with
the top-level ``alembic.ini``: ``alembic revision --autogenerate --rev-id 0002 -m "..."``
(against an up-to-date database) and review it; ``tests/test_migrations.py`` fails until the
migrations build exactly the models' schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect

SCRIPT_LOCATION = Path(__file__).resolve().parent
# The first revision: the schema of the models when migrations began (versions/0001_baseline.py).
BASELINE = "0001"
VERSION_TABLE = "alembic_version"
# Tables of PostGIS and SpatiaLite themselves, never the store's.
_EXTENSION_TABLES = frozenset(
    {"spatial_ref_sys", "geometry_columns", "geography_columns", "raster_columns",
     "raster_overviews", "layer", "topology"}
)  # fmt: skip


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration of the store's migrations, built in code.

    Parameters
    ----------
    connection
        The connection the migrations run on (inside its transaction); without one, ``env.py``
        opens the database named by ``GSYF_DB_URL``.
    """
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    """The revisions (read once per process)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision: the schema of the current models."""
    head = script_directory().get_current_head()
    if head is None:  # pragma: no cover - the package always ships its revisions
        raise RuntimeError("no migration revisions found")
    return head


def baseline_metadata() -> MetaData:
    """The tables of the baseline revision, as written in ``versions/0001_baseline.py``."""
    return script_directory().get_revision(BASELINE).module.metadata


def current_revision(conn: Connection) -> str | None:
    """The revision the database is stamped with; None when it has no ``alembic_version`` row."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: Connection, revision: str = "head") -> None:
    """Run the migrations from the database's revision up to ``revision`` on ``conn``."""
    command.upgrade(alembic_config(conn), revision)


def stamp(conn: Connection, revision: str) -> None:
    """Record ``revision`` as the database's one, without running any migration."""
    command.stamp(alembic_config(conn), revision)


def object_filter(dialect_name: str) -> Callable[..., bool]:
    """``include_object`` for autogenerate on ``dialect_name``: what is the store's to compare.

    Leaves out the spatial extensions' own tables (PostGIS ``spatial_ref_sys`` and the like,
    with GeoAlchemy2's list), the version table, and an index the models declare for another
    backend only (the GiST indexes are ``ddl_if(dialect="postgresql")``), which this backend
    never has.
    """
    from geoalchemy2.alembic_helpers import include_object as geo_include_object

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and name in _EXTENSION_TABLES | {VERSION_TABLE}:
            return False
        if type_ == "index" and not reflected:
            only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
            if only_on is not None and only_on != dialect_name:
                return False
        return geo_include_object(obj, name, type_, reflected, compare_to)

    return include_object


def configure_options(dialect_name: str) -> dict[str, Any]:
    """Options of ``context.configure`` for the store, shared by ``env.py`` and the tests.

    SQLite runs ALTERs in batch mode (it cannot alter most things in place); GeoAlchemy2's
    helpers render and rewrite real ``Geometry`` columns (with their spatial indexes) should a
    revision add one. :class:`~gsyf_geo.store.types.PointGeometry` columns need no helper: they
    are plain ``geometry(Point, 4326)`` / BLOB columns with the GiST index declared on the table.
    """
    from geoalchemy2 import alembic_helpers

    return {
        "include_object": object_filter(dialect_name),
        "render_as_batch": dialect_name == "sqlite",
        "render_item": alembic_helpers.render_item,
        "process_revision_directives": alembic_helpers.writer,
        "user_module_prefix": "gsyf_geo.store.types.",
        "compare_type": True,
        "version_table": VERSION_TABLE,
    }


def schema_differences(conn: Connection, metadata: MetaData | None = None) -> list[Any]:
    """What autogenerate finds between the database and ``metadata`` (default: the models).

    Empty when the database has exactly the models' tables, columns, types, nullability,
    indexes and foreign keys.
    """
    if metadata is None:
        from gsyf_geo.store import models

        metadata = models.Base.metadata
    ctx = MigrationContext.configure(conn, opts=configure_options(conn.dialect.name))
    return compare_metadata(ctx, metadata)


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revision, the newest one, and whether it predates migrations.

    Attributes
    ----------
    current
        The stamped revision, None when there is none.
    head
        The newest revision shipped with this version of the app.
    has_tables
        Whether any of the store's tables exist (without a revision: made by an earlier version).
    """

    current: str | None
    head: str
    has_tables: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def known(self) -> bool:
        """False when the database names a revision this version does not ship (a newer one)."""
        if self.current is None:
            return True
        return any(r.revision == self.current for r in script_directory().walk_revisions())

    @property
    def unversioned(self) -> bool:
        """Made by a version before migrations: tables but no revision."""
        return self.current is None and self.has_tables


def schema_state(engine_or_conn: Engine | Connection) -> SchemaState:
    """Read where the database stands, changing nothing."""

    def _do(conn: Connection) -> SchemaState:
        tables = set(inspect(conn).get_table_names())
        current = current_revision(conn) if VERSION_TABLE in tables else None
        has_tables = bool(tables & set(baseline_metadata().tables))
        return SchemaState(current=current, head=head_revision(), has_tables=has_tables)

    if isinstance(engine_or_conn, Connection):
        return _do(engine_or_conn)
    with engine_or_conn.connect() as conn:
        return _do(conn)
