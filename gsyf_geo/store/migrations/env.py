"""Alembic environment of the store.

Run from code by :mod:`gsyf_geo.store.migrations` (the connection, already inside its
transaction, comes in ``config.attributes["connection"]``), or by a developer's ``alembic``
command with the top-level ``alembic.ini`` (the database of ``sqlalchemy.url`` there, else
``GSYF_DB_URL``). Only online mode: the baseline creates its tables through the connection.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from gsyf_geo.store import models
from gsyf_geo.store.migrations import configure_options

config = context.config
if config.config_file_name is not None:  # the developer's alembic.ini: show what runs
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=models.Base.metadata,
        **configure_options(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from gsyf_geo.store.query import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) mode is not supported: run against a database")
run_migrations_online()
