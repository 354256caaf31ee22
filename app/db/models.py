"""SQLAlchemy 2.0 models of the local store (and, later, the central server).

UUID text primary keys everywhere; legal identifiers (dossier code, TTHC code, e-identifier) are
separate unique columns. Rows a citizen was given a paper for are never deleted: corrections are new
events. `events` is the append-only history/audit trail and `outbox` the sync queue; services write
both in the same transaction as the change itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.db.types import VNDateTime, new_id


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: VNDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def pk() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


class AdministrativeUnit(Base):
    __tablename__ = "admin_units"
    id: Mapped[str] = pk()
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))  # province | commune
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("admin_units.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[str | None] = mapped_column(ForeignKey("admin_units.id"))


class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[str] = pk()
    code: Mapped[str] = mapped_column(String(64), unique=True)  # catalogue id
    e_identifier: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(300))
    parent_name: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[str] = mapped_column(ForeignKey("admin_units.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


class ReceivingPoint(Base):
    __tablename__ = "receiving_points"
    id: Mapped[str] = pk()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("admin_units.id"))
    place: Mapped[str] = mapped_column(String(100))


class Counter(Base):
    __tablename__ = "counters"
    id: Mapped[str] = pk()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    receiving_point_id: Mapped[str] = mapped_column(ForeignKey("receiving_points.id"))


class Procedure(Base):
    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: Mapped[str] = pk()
    code: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(Text)
    search_fold: Mapped[str] = mapped_column(Text)  # folded code + name + field
    field: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    resolving_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    receiving_agencies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    duration_value: Mapped[int] = mapped_column(Integer)
    duration_unit: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(Text, default="")
    result_delivery: Mapped[list[Any]] = mapped_column(JSON, default=list)
    channels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    components: Mapped[list[ProcedureComponent]] = relationship(
        order_by="ProcedureComponent.position", lazy="selectin"
    )
    fees: Mapped[list[FeeItem]] = relationship(order_by="FeeItem.position", lazy="selectin")


class ProcedureComponent(Base):
    __tablename__ = "procedure_components"
    id: Mapped[str] = pk()
    procedure_id: Mapped[str] = mapped_column(ForeignKey("procedures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    originals: Mapped[int] = mapped_column(Integer)
    copies: Mapped[int] = mapped_column(Integer)
    must_digitise: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")


class FeeItem(Base):
    __tablename__ = "fee_items"
    id: Mapped[str] = pk()
    procedure_id: Mapped[str] = mapped_column(ForeignKey("procedures.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))
    tiers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cap: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


class WorkRulesRow(Base):
    """Office hours, weekly pattern and cut-off of a unit, versioned by effective date."""

    __tablename__ = "work_rules"
    __table_args__ = (UniqueConstraint("unit_id", "effective_from"),)
    id: Mapped[str] = pk()
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("admin_units.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    weekdays: Mapped[list[Any]] = mapped_column(JSON)
    periods: Mapped[list[Any]] = mapped_column(JSON)  # [["07:30","11:30"], ...]
    cutoff: Mapped[str] = mapped_column(String(8))
    hours_per_day: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class CalendarExceptionRow(Base):
    __tablename__ = "calendar_exceptions"
    id: Mapped[str] = pk()
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # day-off | make-up
    note: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="")
    effective_from: Mapped[date | None] = mapped_column(Date)


class User(Base):
    """An officer's account. Never deleted: an officer who leaves is locked (`active` False,
    with when and why), so every past event still names a known account."""

    __tablename__ = "users"
    id: Mapped[str] = pk()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("admin_units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    role: Mapped[str] = mapped_column(String(32), default="can_bo_mot_cua")  # permissions.Role
    password_hash: Mapped[str] = mapped_column(String(200), default="")  # "" = no password yet
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime | None]
    # Consecutive failed sign-ins; the lockout is computed from these two (domain.passwords).
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]
    locked_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime | None]


class Station(Base):
    """This workstation: its counter, mode (standalone or central) and code settings. One row."""

    __tablename__ = "station"
    id: Mapped[str] = pk()
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"))
    mode: Mapped[str] = mapped_column(String(16), default="standalone")
    code_width: Mapped[int] = mapped_column(Integer, default=4)
    lease_block_size: Mapped[int] = mapped_column(Integer, default=50)
    max_reappointments: Mapped[int] = mapped_column(Integer, default=1)
    default_officer: Mapped[str] = mapped_column(String(64))


class CodeLease(Base):
    __tablename__ = "code_leases"
    __table_args__ = (Index("ix_code_leases_agency_day", "agency_eid", "day"),)
    id: Mapped[str] = pk()
    agency_eid: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next_seq: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))  # self | central
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | returned
    leased_at: Mapped[datetime]


class BookSequence(Base):
    """Running entry numbers of a logbook (quyển sổ theo dõi hồ sơ)."""

    __tablename__ = "book_sequences"
    book_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_entry: Mapped[int] = mapped_column(Integer, default=0)


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_received_point", "receiving_point_id", "received_at"),
        Index("ix_dossiers_status_appointment", "status", "appointment"),
    )
    id: Mapped[str] = pk()
    # Local integer key, only for the full-text index's rowid (stable across VACUUM).
    num: Mapped[int] = mapped_column(Integer, unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_id: Mapped[str] = mapped_column(ForeignKey("procedures.id"))
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_name: Mapped[str] = mapped_column(Text)
    receiving_point_id: Mapped[str] = mapped_column(ForeignKey("receiving_points.id"))
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"))
    receiving_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    receiving_agency_name: Mapped[str] = mapped_column(String(300))
    receiving_agency_eid: Mapped[str] = mapped_column(String(32))
    resolving_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    resolving_agency_name: Mapped[str] = mapped_column(String(300))
    channel: Mapped[int] = mapped_column(Integer, default=1)
    applicant_type: Mapped[int] = mapped_column(Integer, default=1)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_name_fold: Mapped[str] = mapped_column(String(200))
    applicant_id_number: Mapped[str] = mapped_column(String(20), index=True)
    applicant_id_kind: Mapped[str] = mapped_column(String(8))
    applicant_dob: Mapped[date | None] = mapped_column(Date)
    applicant_sex: Mapped[str | None] = mapped_column(String(8))
    applicant_address: Mapped[str] = mapped_column(Text, default="")
    applicant_phone: Mapped[str] = mapped_column(String(20), default="")
    applicant_email: Mapped[str] = mapped_column(String(200), default="")
    submitter_name: Mapped[str] = mapped_column(String(200), default="")
    submitter_id_number: Mapped[str] = mapped_column(String(20), default="")
    sets: Mapped[int] = mapped_column(Integer, default=1)
    delivery: Mapped[str] = mapped_column(String(16), default="counter")
    delivery_address: Mapped[str] = mapped_column(Text, default="")
    duration_value: Mapped[int] = mapped_column(Integer)
    duration_unit: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    clock_start: Mapped[datetime]
    appointment: Mapped[datetime]
    original_appointment: Mapped[datetime]
    warning_at: Mapped[datetime]
    status: Mapped[int] = mapped_column(Integer)
    resume_status: Mapped[int | None] = mapped_column(Integer)
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    reappoint_count: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None]
    transferred_at: Mapped[datetime | None]
    result_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    book_no: Mapped[str] = mapped_column(String(64))
    entry_no: Mapped[int] = mapped_column(Integer)
    officer: Mapped[str] = mapped_column(String(64))
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    components: Mapped[list[DossierComponent]] = relationship(
        order_by="(DossierComponent.round, DossierComponent.position)", lazy="selectin"
    )


class DossierComponent(Base):
    __tablename__ = "dossier_components"
    id: Mapped[str] = pk()
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    component_id: Mapped[str | None] = mapped_column(ForeignKey("procedure_components.id"))
    round: Mapped[int] = mapped_column(Integer, default=0)  # 0 = first reception, n = supplement n
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    originals: Mapped[int] = mapped_column(Integer)
    copies: Mapped[int] = mapped_column(Integer)


class Event(Base):
    """Append-only history and audit of every state change and sensitive read: who, when,
    where, what, why. Hash-chained; triggers (migrations 0001, 0004) forbid UPDATE and DELETE."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_dossier", "dossier_id", "seq"),)
    id: Mapped[str] = pk()
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    dossier_id: Mapped[str | None] = mapped_column(ForeignKey("dossiers.id"))
    from_status: Mapped[int | None] = mapped_column(Integer)
    to_status: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Hash chain (domain.audit_chain): SHA-256 over the previous hash and this entry.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class OutboxEntry(Base):
    """A change waiting to be uploaded; `id` is the idempotency key the server deduplicates on."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_seq", "state", "seq"),)
    id: Mapped[str] = pk()
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime]
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|rejected
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


from app.db import fee_models as fee_models  # noqa: E402
from app.db import scan_models as scan_models  # noqa: E402

# The sync tables live in their own module but must be on this metadata (Alembic, tests).
from app.db import sync_models as sync_models  # noqa: E402
