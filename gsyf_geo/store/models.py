"""SQLAlchemy 2 models of the store.

Every located table carries ``lon``/``lat`` (WGS-84), ``x``/``y`` (EPSG:4549 metres,
computed at ingest), a :class:`PointGeometry` column, and the ``district`` and
``reporting_unit`` that scopes filter on. ``is_demo`` marks synthetic rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gsyf_geo.store.types import PointGeometry


class Base(DeclarativeBase):
    pass


class LocatedMixin:
    """Columns shared by every table whose rows have a place."""

    district: Mapped[str] = mapped_column(String(6), index=True)
    town_code: Mapped[str | None] = mapped_column(String(9), index=True)
    reporting_unit: Mapped[str] = mapped_column(String(6), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    x: Mapped[float | None] = mapped_column(Float)
    y: Mapped[float | None] = mapped_column(Float)
    geom = mapped_column(PointGeometry, nullable=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


def _gist(table: str) -> Index:
    return Index(f"ix_{table}_geom_gist", "geom", postgresql_using="gist").ddl_if(
        dialect="postgresql"
    )


class ImportBatch(Base):
    """One load of data: an import of a file, or the demo generator."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    user_name: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="running")
    note: Mapped[str | None] = mapped_column(Text)


class Enterprise(LocatedMixin, Base):
    """An employer (用人单位), keyed by its 统一社会信用代码."""

    __tablename__ = "enterprise"
    __table_args__ = (_gist("enterprise"), Index("ix_enterprise_xy", "x", "y"))

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    industry_code: Mapped[str | None] = mapped_column(String(5))
    key_industry: Mapped[str | None] = mapped_column(String(24), index=True)
    hazchem_licence: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_class: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(300))
    geocode_source: Mapped[str | None] = mapped_column(String(16))
    geocode_precision: Mapped[str | None] = mapped_column(String(16))
    outside_named_district: Mapped[bool] = mapped_column(Boolean, default=False)
    employees: Mapped[int] = mapped_column(Integer, default=0)
    insured: Mapped[int] = mapped_column(Integer, default=0)
    key_staff: Mapped[int] = mapped_column(Integer, default=0)
    key_staff_trained: Mapped[int] = mapped_column(Integer, default=0)
    publicity_reached: Mapped[bool | None] = mapped_column(Boolean)
    # 是否重点企业; None: the default rule of gsyf_geo.metrics.is_key_enterprise applies.
    key_enterprise: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    demonstration_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    demonstration_year: Mapped[int | None] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class InsuranceSnapshot(Base):
    """An enterprise's insurance position at the end of a year."""

    __tablename__ = "insurance_snapshot"

    credit_code: Mapped[str] = mapped_column(
        ForeignKey("enterprise.credit_code", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    district: Mapped[str] = mapped_column(String(6), index=True)
    reporting_unit: Mapped[str] = mapped_column(String(6), index=True)
    employees: Mapped[int] = mapped_column(Integer)
    insured: Mapped[int] = mapped_column(Integer)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class UnitYearTotal(Base):
    """Yearly insurance totals of a reporting unit, all industries (人社 statistics)."""

    __tablename__ = "unit_year_total"

    reporting_unit: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    district: Mapped[str] = mapped_column(String(6), index=True)
    insured_total: Mapped[int | None] = mapped_column(Integer)
    flexible_insured: Mapped[int | None] = mapped_column(Integer)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class ConstructionProject(LocatedMixin, Base):
    """A construction project (工程建设项目) and whether it is insured by project (同舟计划)."""

    __tablename__ = "construction_project"
    __table_args__ = (_gist("construction_project"),)

    project_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date, index=True)
    cost_wan_yuan: Mapped[float | None] = mapped_column(Float)
    workers: Mapped[int | None] = mapped_column(Integer)
    insured_by_project: Mapped[bool] = mapped_column(Boolean, default=False)
    contractor_credit_code: Mapped[str | None] = mapped_column(String(18))
    geocode_source: Mapped[str | None] = mapped_column(String(16))
    geocode_precision: Mapped[str | None] = mapped_column(String(16))
    outside_named_district: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class TrainingBase(LocatedMixin, Base):
    """A publicity/training base (宣传培训基地): existing, planned or a candidate site."""

    __tablename__ = "training_base"
    __table_args__ = (_gist("training_base"),)

    site_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(12), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(300))
    geocode_source: Mapped[str | None] = mapped_column(String(16))
    geocode_precision: Mapped[str | None] = mapped_column(String(16))
    outside_named_district: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class WorkInjury(LocatedMixin, Base):
    """A recognised work injury (工伤认定). No personal data is stored."""

    __tablename__ = "work_injury"
    __table_args__ = (_gist("work_injury"),)

    record_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    injury_date: Mapped[date] = mapped_column(Date, index=True)
    # 认定日期; None: the accident rate counts the record on its injury date.
    recognition_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    key_industry: Mapped[str | None] = mapped_column(String(24), index=True)
    accident_type: Mapped[str | None] = mapped_column(String(16))
    commuting: Mapped[bool] = mapped_column(Boolean, default=False)
    fatal: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class DiseaseCase(Base):
    """A newly diagnosed occupational disease case."""

    __tablename__ = "disease_case"

    case_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    diagnosis_date: Mapped[date] = mapped_column(Date, index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    district: Mapped[str] = mapped_column(String(6), index=True)
    reporting_unit: Mapped[str] = mapped_column(String(6), index=True)
    key_industry: Mapped[str | None] = mapped_column(String(24))
    disease: Mapped[str] = mapped_column(String(24))
    exposure_years: Mapped[float | None] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class PlanTaskStatus(Base):
    """Status of a task of a plan's task list, with who changed it and when."""

    __tablename__ = "plan_task_status"

    plan_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class Setting(Base):
    """Key/value facts about the store (for example, that it holds demo data)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class TrainingRecord(Base):
    """A training or publicity activity that reached an enterprise (培训/宣传记录)."""

    __tablename__ = "training_record"

    record_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    activity: Mapped[str] = mapped_column(String(12), index=True)  # "training" | "publicity"
    activity_date: Mapped[date] = mapped_column(Date, index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    district: Mapped[str] = mapped_column(String(6), index=True)
    reporting_unit: Mapped[str] = mapped_column(String(6), index=True)
    participants: Mapped[int | None] = mapped_column(Integer)
    key_staff_trained: Mapped[int | None] = mapped_column(Integer)
    provider: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(200))
    checkup_project: Mapped[bool] = mapped_column(Boolean, default=False)  # 体检式 project
    base_site_code: Mapped[str | None] = mapped_column(String(40))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class TrainingInstitution(Base):
    """A training institution, and the year it was named a demonstration one (培训示范机构)."""

    __tablename__ = "training_institution"

    institution_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(6), index=True)
    reporting_unit: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str | None] = mapped_column(String(24))
    demonstration_year: Mapped[int | None] = mapped_column(Integer)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class Expert(Base):
    """A member of the work-injury prevention expert pool (专家库). No personal data."""

    __tablename__ = "expert"

    expert_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    field: Mapped[str | None] = mapped_column(String(40))
    recommended_by: Mapped[str | None] = mapped_column(String(100))
    joined_year: Mapped[int] = mapped_column(Integer)
    left_year: Mapped[int | None] = mapped_column(Integer)
    district: Mapped[str] = mapped_column(String(6), default="320400")
    reporting_unit: Mapped[str] = mapped_column(String(6), default="320400")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class GeocodeCache(Base):
    """Answers of online geocoders, so that an address is never asked twice.

    Keyed by provider and the query text; ``found`` False caches "no usable answer" too.
    Coordinates are WGS-84 (an Amap answer is converted from GCJ-02 before it is stored).
    """

    __tablename__ = "geocode_cache"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    query: Mapped[str] = mapped_column(String(300), primary_key=True)
    found: Mapped[bool] = mapped_column(Boolean, default=False)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(40))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)


class SitingScenario(Base):
    """A named training-base siting scenario: its parameters and the answer found (JSON text)."""

    __tablename__ = "siting_scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(20), index=True)
    problem: Mapped[str] = mapped_column(String(12))
    objective: Mapped[float | None] = mapped_column(Float)
    parameters: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PublicityActivity(Base):
    """A publicity activity, meeting or other recorded piece of plan work (宣传活动记录).

    ``kind`` is a recurring item of the plan (its id, name or an alias, e.g. 安全生产月) or a
    free kind such as 宣传活动, 培训活动, 推进会, 费率调整. ``district`` is where it took
    place; ``reach`` the people it reached (人次), when known.
    """

    __tablename__ = "publicity_activity"

    activity_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    activity_date: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(6), index=True)
    reporting_unit: Mapped[str] = mapped_column(String(6), index=True)
    reach: Mapped[int | None] = mapped_column(Integer)
    organiser: Mapped[str | None] = mapped_column(String(100))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class PlanTask(Base):
    """A row of an imported annual task list (任务清单 of a year after the plan file's own).

    Keyed by plan and task id (``<year>-<two-digit row>``), so importing the same file again
    changes nothing. Statuses live in ``plan_task_status`` like those of the file's tasks.
    """

    __tablename__ = "plan_task"

    plan_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    group_no: Mapped[int] = mapped_column(Integer)
    group_name: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text)
    departments_text: Mapped[str] = mapped_column(Text)
    deadline_text: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date | None] = mapped_column(Date)
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class AppUser(Base):
    """An account of the app (see :mod:`gsyf_geo.auth`).

    ``unit_scope`` is the text of a :class:`~gsyf_geo.store.scope.Scope` (``district:320402``,
    ``unit:JKQ``) for a district officer, NULL (the whole city) for the other roles.
    ``failed_count`` and ``locked_until`` rate-limit wrong passwords.
    """

    __tablename__ = "app_user"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_scope: Mapped[str | None] = mapped_column(String(24))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEvent(Base):
    """One audited action: who (an account, ``open-demo`` or ``anonymous``), when, what, how many rows."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user_name: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str | None] = mapped_column(String(255))
    rows: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
