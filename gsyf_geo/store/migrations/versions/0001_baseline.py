"""Baseline: the store's schema as the models defined it when migrations began.

Every table, column and index of ``gsyf_geo/store/models.py`` at that time, written out here so
that this revision keeps meaning the same schema whatever the models become. A database made
before migrations existed (by ``metadata.create_all``) is brought to exactly this schema and
stamped with this revision (:meth:`gsyf_geo.store.Store.create_schema`), so :data:`metadata`
is also what that repair compares with.

Geometry: ``geom`` is :class:`~gsyf_geo.store.types.PointGeometry`, ``geometry(Point, 4326)``
with a GiST index on PostgreSQL (the PostGIS extension is created first) and a WKB blob without
spatial index on SQLite (no SpatiaLite there).

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gsyf_geo.store.types import PointGeometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

metadata = sa.MetaData()


def _gist(table: str) -> sa.Index:
    """The GiST index of a table's ``geom`` column, on PostgreSQL only."""
    return sa.Index(f"ix_{table}_geom_gist", "geom", postgresql_using="gist").ddl_if(
        dialect="postgresql"
    )


sa.Table(
    "app_user",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("unit_scope", sa.String(24), nullable=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("failed_count", sa.Integer(), nullable=False),
    sa.Column("locked_until", sa.DateTime(), nullable=True),
)

sa.Table(
    "audit_event",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(), nullable=False, index=True),
    sa.Column("user_name", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False, index=True),
    sa.Column("target", sa.String(255), nullable=True),
    sa.Column("rows", sa.Integer(), nullable=True),
    sa.Column("detail", sa.Text(), nullable=True),
)

sa.Table(
    "geocode_cache",
    metadata,
    sa.Column("provider", sa.String(16), primary_key=True),
    sa.Column("query", sa.String(300), primary_key=True),
    sa.Column("found", sa.Boolean(), nullable=False),
    sa.Column("lon", sa.Float(), nullable=True),
    sa.Column("lat", sa.Float(), nullable=True),
    sa.Column("precision", sa.String(16), nullable=True),
    sa.Column("level", sa.String(40), nullable=True),
    sa.Column("fetched_at", sa.DateTime(), nullable=False),
)

sa.Table(
    "import_batch",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=True),
    sa.Column("file_sha256", sa.String(64), nullable=True),
    sa.Column("user_name", sa.String(64), nullable=True),
    sa.Column("started_at", sa.DateTime(), nullable=False),
    sa.Column("finished_at", sa.DateTime(), nullable=True),
    sa.Column("rows_read", sa.Integer(), nullable=False),
    sa.Column("inserted", sa.Integer(), nullable=False),
    sa.Column("updated", sa.Integer(), nullable=False),
    sa.Column("rejected", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
)

sa.Table(
    "plan_task_status",
    metadata,
    sa.Column("plan_id", sa.String(40), primary_key=True),
    sa.Column("task_id", sa.String(20), primary_key=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("evidence", sa.Text(), nullable=True),
    sa.Column("updated_by", sa.String(64), nullable=True),
    sa.Column("updated_at", sa.DateTime(), nullable=True),
)

sa.Table(
    "setting",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=True),
)

sa.Table(
    "siting_scenario",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("scope", sa.String(20), nullable=False, index=True),
    sa.Column("problem", sa.String(12), nullable=False),
    sa.Column("objective", sa.Float(), nullable=True),
    sa.Column("parameters", sa.Text(), nullable=False),
    sa.Column("result", sa.Text(), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

sa.Table(
    "construction_project",
    metadata,
    sa.Column("project_code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("start_date", sa.Date(), nullable=True, index=True),
    sa.Column("cost_wan_yuan", sa.Float(), nullable=True),
    sa.Column("workers", sa.Integer(), nullable=True),
    sa.Column("insured_by_project", sa.Boolean(), nullable=False),
    sa.Column("contractor_credit_code", sa.String(18), nullable=True),
    sa.Column("geocode_source", sa.String(16), nullable=True),
    sa.Column("geocode_precision", sa.String(16), nullable=True),
    sa.Column("outside_named_district", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("town_code", sa.String(9), nullable=True, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("lon", sa.Float(), nullable=True),
    sa.Column("lat", sa.Float(), nullable=True),
    sa.Column("x", sa.Float(), nullable=True),
    sa.Column("y", sa.Float(), nullable=True),
    sa.Column("geom", PointGeometry(), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    _gist("construction_project"),
)

sa.Table(
    "disease_case",
    metadata,
    sa.Column("case_id", sa.String(40), primary_key=True),
    sa.Column("diagnosis_date", sa.Date(), nullable=False, index=True),
    sa.Column("credit_code", sa.String(18), nullable=True, index=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("key_industry", sa.String(24), nullable=True),
    sa.Column("disease", sa.String(24), nullable=False),
    sa.Column("exposure_years", sa.Float(), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
)

sa.Table(
    "enterprise",
    metadata,
    sa.Column("credit_code", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("industry_code", sa.String(5), nullable=True),
    sa.Column("key_industry", sa.String(24), nullable=True, index=True),
    sa.Column("hazchem_licence", sa.Boolean(), nullable=False),
    sa.Column("risk_class", sa.Integer(), nullable=True),
    sa.Column("address", sa.String(300), nullable=True),
    sa.Column("geocode_source", sa.String(16), nullable=True),
    sa.Column("geocode_precision", sa.String(16), nullable=True),
    sa.Column("outside_named_district", sa.Boolean(), nullable=False),
    sa.Column("employees", sa.Integer(), nullable=False),
    sa.Column("insured", sa.Integer(), nullable=False),
    sa.Column("key_staff", sa.Integer(), nullable=False),
    sa.Column("key_staff_trained", sa.Integer(), nullable=False),
    sa.Column("publicity_reached", sa.Boolean(), nullable=True),
    sa.Column("key_enterprise", sa.Boolean(), nullable=True),
    sa.Column("demonstration_unit", sa.Boolean(), nullable=False),
    sa.Column("demonstration_year", sa.Integer(), nullable=True),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("town_code", sa.String(9), nullable=True, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("lon", sa.Float(), nullable=True),
    sa.Column("lat", sa.Float(), nullable=True),
    sa.Column("x", sa.Float(), nullable=True),
    sa.Column("y", sa.Float(), nullable=True),
    sa.Column("geom", PointGeometry(), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    _gist("enterprise"),
    sa.Index("ix_enterprise_xy", "x", "y"),
)

sa.Table(
    "expert",
    metadata,
    sa.Column("expert_code", sa.String(40), primary_key=True),
    sa.Column("field", sa.String(40), nullable=True),
    sa.Column("recommended_by", sa.String(100), nullable=True),
    sa.Column("joined_year", sa.Integer(), nullable=False),
    sa.Column("left_year", sa.Integer(), nullable=True),
    sa.Column("district", sa.String(6), nullable=False),
    sa.Column("reporting_unit", sa.String(6), nullable=False),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
)

sa.Table(
    "plan_task",
    metadata,
    sa.Column("plan_id", sa.String(40), primary_key=True),
    sa.Column("task_id", sa.String(20), primary_key=True),
    sa.Column("year", sa.Integer(), nullable=False, index=True),
    sa.Column("row_no", sa.Integer(), nullable=False),
    sa.Column("group_no", sa.Integer(), nullable=False),
    sa.Column("group_name", sa.Text(), nullable=False),
    sa.Column("measure", sa.Text(), nullable=False),
    sa.Column("departments_text", sa.Text(), nullable=False),
    sa.Column("deadline_text", sa.String(100), nullable=False),
    sa.Column("deadline", sa.Date(), nullable=True),
    sa.Column("ongoing", sa.Boolean(), nullable=False),
    sa.Column("imported_at", sa.DateTime(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
)

sa.Table(
    "publicity_activity",
    metadata,
    sa.Column("activity_id", sa.String(40), primary_key=True),
    sa.Column("activity_date", sa.Date(), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("place", sa.String(200), nullable=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("reach", sa.Integer(), nullable=True),
    sa.Column("organiser", sa.String(100), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
)

sa.Table(
    "training_base",
    metadata,
    sa.Column("site_code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("year", sa.Integer(), nullable=True),
    sa.Column("capacity", sa.Integer(), nullable=True),
    sa.Column("address", sa.String(300), nullable=True),
    sa.Column("geocode_source", sa.String(16), nullable=True),
    sa.Column("geocode_precision", sa.String(16), nullable=True),
    sa.Column("outside_named_district", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("town_code", sa.String(9), nullable=True, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("lon", sa.Float(), nullable=True),
    sa.Column("lat", sa.Float(), nullable=True),
    sa.Column("x", sa.Float(), nullable=True),
    sa.Column("y", sa.Float(), nullable=True),
    sa.Column("geom", PointGeometry(), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    _gist("training_base"),
)

sa.Table(
    "training_institution",
    metadata,
    sa.Column("institution_code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("kind", sa.String(24), nullable=True),
    sa.Column("demonstration_year", sa.Integer(), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
)

sa.Table(
    "training_record",
    metadata,
    sa.Column("record_id", sa.String(40), primary_key=True),
    sa.Column("activity", sa.String(12), nullable=False, index=True),
    sa.Column("activity_date", sa.Date(), nullable=False, index=True),
    sa.Column("credit_code", sa.String(18), nullable=True, index=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("participants", sa.Integer(), nullable=True),
    sa.Column("key_staff_trained", sa.Integer(), nullable=True),
    sa.Column("provider", sa.String(200), nullable=True),
    sa.Column("topic", sa.String(200), nullable=True),
    sa.Column("checkup_project", sa.Boolean(), nullable=False),
    sa.Column("base_site_code", sa.String(40), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
)

sa.Table(
    "unit_year_total",
    metadata,
    sa.Column("reporting_unit", sa.String(6), primary_key=True),
    sa.Column("year", sa.Integer(), primary_key=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("insured_total", sa.Integer(), nullable=True),
    sa.Column("flexible_insured", sa.Integer(), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
)

sa.Table(
    "work_injury",
    metadata,
    sa.Column("record_id", sa.String(40), primary_key=True),
    sa.Column("injury_date", sa.Date(), nullable=False, index=True),
    sa.Column("recognition_date", sa.Date(), nullable=True, index=True),
    sa.Column("credit_code", sa.String(18), nullable=True, index=True),
    sa.Column("key_industry", sa.String(24), nullable=True, index=True),
    sa.Column("accident_type", sa.String(16), nullable=True),
    sa.Column("commuting", sa.Boolean(), nullable=False),
    sa.Column("fatal", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("town_code", sa.String(9), nullable=True, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("lon", sa.Float(), nullable=True),
    sa.Column("lat", sa.Float(), nullable=True),
    sa.Column("x", sa.Float(), nullable=True),
    sa.Column("y", sa.Float(), nullable=True),
    sa.Column("geom", PointGeometry(), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    _gist("work_injury"),
)

sa.Table(
    "insurance_snapshot",
    metadata,
    sa.Column(
        "credit_code",
        sa.String(18),
        sa.ForeignKey("enterprise.credit_code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("year", sa.Integer(), primary_key=True),
    sa.Column("district", sa.String(6), nullable=False, index=True),
    sa.Column("reporting_unit", sa.String(6), nullable=False, index=True),
    sa.Column("employees", sa.Integer(), nullable=False),
    sa.Column("insured", sa.Integer(), nullable=False),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    metadata.create_all(bind, checkfirst=False)


def downgrade() -> None:
    # The PostGIS extension stays: other databases' objects may use it.
    metadata.drop_all(op.get_bind(), checkfirst=False)
