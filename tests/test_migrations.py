"""The schema is made and upgraded by Alembic migrations, on SQLite and on PostGIS.

What an operator relies on: a new database upgraded to the newest revision has exactly the
schema the code expects (so adding a column to the models without a migration fails here); a
database made by a version before migrations keeps its rows and is upgraded in place; running
the upgrade again changes nothing; ``python -m gsyf_geo db upgrade|current`` says where it stands.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect, text

from gsyf_geo.cli import main
from gsyf_geo.store import Store, migrations, models

# Tables PostGIS itself puts in the public schema; never the store's.
POSTGIS_TABLES = {"spatial_ref_sys"}


def _empty(url: str) -> Store:
    store = Store(url)
    store.drop_schema()
    return store


def _tables(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names()) - POSTGIS_TABLES


def _versions(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _old_style_database(store: Store) -> None:
    """The store as a version before migrations left it, with one enterprise and one injury.

    ``create_all`` of the models (no ``alembic_version``), without the newer nullable columns
    ``enterprise.key_enterprise`` and ``work_injury.recognition_date`` (and the latter's
    index), and without the newer ``audit_event`` table.
    """
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        models.Base.metadata.create_all(conn)
        conn.execute(text("DROP INDEX ix_work_injury_recognition_date"))
        conn.execute(text("ALTER TABLE work_injury DROP COLUMN recognition_date"))
        conn.execute(text("ALTER TABLE enterprise DROP COLUMN key_enterprise"))
        conn.execute(text("DROP TABLE audit_event"))
        conn.execute(
            text(
                "INSERT INTO enterprise (credit_code, name, district, reporting_unit, lon, lat,"
                " employees, insured, key_staff, key_staff_trained, hazchem_licence,"
                " outside_named_district, demonstration_unit, is_demo)"
                " VALUES ('91320412MA1X00009Z', '老库企业', '320412', '320412', 119.96, 31.70,"
                " 50, 40, 3, 0, false, false, false, false)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO work_injury (record_id, injury_date, district, reporting_unit,"
                " commuting, fatal, is_demo) VALUES ('R1', '2023-05-06', '320412', '320412',"
                " false, false, false)"
            )
        )
    assert "alembic_version" not in _tables(store)
    assert migrations.schema_state(store.engine).unversioned


# ------------------------------------------------------------------ a new database


def test_new_database_upgraded_to_head_has_exactly_the_models_schema(backend_url):
    store = _empty(backend_url)
    assert migrations.schema_state(store.engine).current is None
    store.create_schema()
    with store.engine.connect() as conn:
        # Every table, column, type, nullability, index and foreign key of models.py; a
        # column added to the models without a migration shows up here as "add_column".
        assert migrations.schema_differences(conn) == []
        assert migrations.current_revision(conn) == migrations.head_revision()
    assert _tables(store) == set(models.Base.metadata.tables) | {"alembic_version"}
    store.engine.dispose()


def test_the_comparison_catches_a_model_change_without_a_migration(backend_url):
    """The test above can fail: the models having a column or an index the database lacks
    (as after adding one to models.py without a migration) is reported."""
    store = _empty(backend_url)
    store.create_schema()
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE enterprise DROP COLUMN demonstration_year"))
        conn.execute(text("DROP INDEX ix_training_record_activity"))
    with store.engine.connect() as conn:
        found = {(d[0], d[3].name if d[0] == "add_column" else d[1].name)
                 for d in migrations.schema_differences(conn)}  # fmt: skip
    assert found == {("add_column", "demonstration_year"), ("add_index", "ix_training_record_activity")}
    store.engine.dispose()


def test_geometry_columns_on_each_backend(backend_url):
    store = _empty(backend_url)
    store.create_schema()
    located = [t.name for t in models.Base.metadata.sorted_tables if "geom" in t.c]
    assert {"enterprise", "work_injury", "training_base", "construction_project"} <= set(located)
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            got = {
                row.f_table_name: (row.type, row.srid)
                for row in conn.execute(
                    text("SELECT f_table_name, type, srid FROM geometry_columns"
                         " WHERE f_geometry_column = 'geom'")
                )
            }  # fmt: skip
            assert got == {name: ("POINT", 4326) for name in located}
            gist = {
                name
                for (name,) in conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gist (geom)%'")
                )
            }
            assert gist == {f"ix_{name}_geom_gist" for name in located}
        else:  # no SpatiaLite: WKB in a BLOB column, no spatial index
            for name in located:
                geom = next(c for c in inspect(conn).get_columns(name) if c["name"] == "geom")
                assert isinstance(geom["type"], sa.LargeBinary)
                assert not [ix for ix in inspect(conn).get_indexes(name) if "geom" in ix["column_names"]]
    # A point written through the store reads back as the same point.
    import pandas as pd

    store.upsert(
        "enterprise",
        pd.DataFrame({"credit_code": ["91320411MA1X00001A"], "name": ["滨江化工有限公司"],
                      "district": ["320411"], "town_code": ["320411004"],
                      "lon": [119.985], "lat": [31.955]}),
    )  # fmt: skip
    got = store.read("enterprise")
    assert (got.geometry.x.iloc[0], got.geometry.y.iloc[0]) == pytest.approx((119.985, 31.955))
    store.engine.dispose()


# ------------------------------------------------------------------ an old database


def test_old_database_is_upgraded_in_place_and_keeps_its_rows(backend_url):
    store = _empty(backend_url)
    _old_style_database(store)
    assert store.missing_columns() == {
        "enterprise": ["key_enterprise"],
        "work_injury": ["recognition_date"],
    }

    Store(backend_url).create_schema()  # what the app and `init` / `db upgrade` do

    upgraded = Store(backend_url)
    assert _versions(upgraded) == [migrations.head_revision()]
    assert upgraded.missing_columns() == {}
    with upgraded.engine.connect() as conn:
        assert migrations.schema_differences(conn) == []  # indexes and new tables too
    ent = upgraded.read("enterprise")
    assert ent["credit_code"].tolist() == ["91320412MA1X00009Z"]
    assert ent["name"].tolist() == ["老库企业"] and ent["key_enterprise"].isna().all()
    injury = upgraded.read("work_injury")
    assert injury["record_id"].tolist() == ["R1"] and injury["recognition_date"].isna().all()
    assert upgraded.count("enterprise") == 1
    # The new table works.
    with upgraded.engine.begin() as conn:
        conn.execute(
            models.AuditEvent.__table__.insert().values(
                at=sa.func.now(), user_name="admin", action="login"
            )
        )
    store.engine.dispose()
    upgraded.engine.dispose()


def test_old_database_missing_a_required_column_is_refused_untouched(backend_url):
    """A column that cannot be NULL cannot be added to existing rows: say so, change nothing."""
    store = _empty(backend_url)
    _old_style_database(store)
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE enterprise DROP COLUMN insured"))
    with pytest.raises(RuntimeError, match="缺少必填列 insured"):
        Store(backend_url).create_schema()
    after = migrations.schema_state(store.engine)
    assert after.unversioned  # not stamped
    if store.dialect == "postgresql":  # one transaction: nothing of the repair is left
        assert store.missing_columns()["enterprise"] == ["insured", "key_enterprise"]
    store.engine.dispose()


# ------------------------------------------------------------------ upgrading again


def test_upgrading_twice_is_a_no_op(backend_url):
    store = _empty(backend_url)
    _old_style_database(store)
    store.create_schema()
    schema_before = {
        name: [(c["name"], str(c["type"])) for c in inspect(store.engine).get_columns(name)]
        for name in _tables(store)
    }
    store.create_schema()
    with store.engine.begin() as conn:  # and the plain migration command
        migrations.upgrade(conn)
    assert _versions(store) == [migrations.head_revision()]
    schema_after = {
        name: [(c["name"], str(c["type"])) for c in inspect(store.engine).get_columns(name)]
        for name in _tables(store)
    }
    assert schema_after == schema_before
    assert store.read("enterprise")["name"].tolist() == ["老库企业"]
    store.engine.dispose()


def test_downgrade_to_base_then_upgrade_again(backend_url):
    """The baseline's downgrade removes exactly what its upgrade made."""
    store = _empty(backend_url)
    store.create_schema()
    from alembic import command

    with store.engine.begin() as conn:
        command.downgrade(migrations.alembic_config(conn), "base")
    assert _tables(store) <= {"alembic_version"}
    store.create_schema()
    with store.engine.connect() as conn:
        assert migrations.schema_differences(conn) == []
    store.engine.dispose()


def test_two_processes_creating_the_schema_at_once(pg_url):
    """App start and a CLI command on a new PostGIS database: both succeed, schema built once."""
    _empty(pg_url).engine.dispose()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def start() -> None:
        store = Store(pg_url)
        try:
            barrier.wait()
            store.create_schema()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            store.engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = Store(pg_url)
    assert _versions(store) == [migrations.head_revision()]
    store.engine.dispose()


# ------------------------------------------------------------------ the command line


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run ``python -m gsyf_geo ARGS`` (its ``main``) against the database ``url``."""

    def run(*args: str, url: str) -> Ran:
        monkeypatch.setenv("GSYF_DB_URL", url)
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def test_db_current_and_upgrade_commands(backend_url, cli):
    _empty(backend_url).engine.dispose()
    head = migrations.head_revision()

    out = cli("db", "current", url=backend_url)
    assert out.returncode == 1 and "尚未建表" in out.stdout and "db upgrade" in out.stdout

    out = cli("db", "upgrade", url=backend_url)
    assert out.returncode == 0, out.stderr
    assert f"已升级到最新版本：{head}" in out.stdout

    out = cli("db", "current", url=backend_url)
    assert out.returncode == 0 and f"当前版本：{head}" in out.stdout and "已是最新版本" in out.stdout

    out = cli("db", "upgrade", url=backend_url)
    assert out.returncode == 0 and "无需升级" in out.stdout


def test_db_commands_on_an_old_database(backend_url, cli):
    store = _empty(backend_url)
    _old_style_database(store)
    store.engine.dispose()
    out = cli("db", "current", url=backend_url)
    assert out.returncode == 1 and "早期版本" in out.stdout
    out = cli("db", "upgrade", url=backend_url)
    assert out.returncode == 0, out.stderr
    assert "早期版本" in out.stdout and f"已升级到最新版本：{migrations.head_revision()}" in out.stdout
    assert Store(backend_url).read("enterprise")["name"].tolist() == ["老库企业"]


def test_db_commands_say_what_is_wrong_in_chinese(tmp_path, cli):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert cli("db", "upgrade", url=url).returncode == 0
    store = Store(url)
    with store.engine.begin() as conn:  # a database upgraded by a newer version of the app
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.engine.dispose()
    for action in ("current", "upgrade"):
        out = cli("db", action, url=url)
        assert out.returncode == 1 and "不认识" in out.stdout + out.stderr
        assert "Traceback" not in out.stderr
    out = cli("db", "upgrade", url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert out.returncode == 1 and "无法连接数据库" in out.stderr
    assert "Traceback" not in out.stderr and "SELECT" not in out.stderr


def test_db_upgrade_as_an_application_account_without_superuser(pg_url, cli):
    """The documented server setup: the app's own account owns the database; PostGIS is
    created by a superuser first. Without that step the command says so in Chinese."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin_url = make_url(pg_url)
    name = f"{admin_url.database}_app"
    role = f"{name}_user"
    admin = create_engine(admin_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'app-pw-1'"))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{role}"'))
    app_url = admin_url.set(database=name, username=role, password="app-pw-1").render_as_string(
        hide_password=False
    )
    try:
        out = cli("db", "upgrade", url=app_url)
        assert out.returncode == 1 and "CREATE EXTENSION postgis" in out.stderr
        assert "app-pw-1" not in out.stdout + out.stderr
        superuser_in_app_db = create_engine(admin_url.set(database=name), isolation_level="AUTOCOMMIT")
        with superuser_in_app_db.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        superuser_in_app_db.dispose()
        out = cli("db", "upgrade", url=app_url)
        assert out.returncode == 0, out.stderr
        assert cli("db", "current", url=app_url).returncode == 0
        store = Store(app_url)
        with store.engine.connect() as conn:
            assert migrations.schema_differences(conn) == []
        store.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
