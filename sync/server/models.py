"""Tables of the reference central system (its own schema, separate from the desktop's store).

Everything a counter may download carries `change_seq`, a position taken from the single
`feed_clock` row. Taking it locks that row until commit, so feed positions become visible in
increasing order even with several server processes on one PostgreSQL database: a reader that has
seen position N can never later find a smaller one appearing (the feed never skips a change).
Timestamps are ISO 8601 text in UTC; dossier fields live in `record` (the wire snapshot), with the
columns that constraints and queries need pulled out beside it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class FeedClock(Base):
    __tablename__ = "feed_clock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class CatalogueVersion(Base):
    __tablename__ = "catalogue_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)


class CalendarVersion(Base):
    __tablename__ = "calendar_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(40))
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)


class Agency(Base):
    __tablename__ = "agencies"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    e_identifier: Mapped[str] = mapped_column(String(32), unique=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)


class ProcedureRef(Base):
    """Which (TTHC code, version) exist, so an upload naming an unknown procedure is refused."""

    __tablename__ = "procedures"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)


class CounterRow(Base):
    __tablename__ = "counters"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    receiving_point: Mapped[str] = mapped_column(String(64))
    enrolled: Mapped[bool] = mapped_column(Boolean, default=False)


class CounterAgency(Base):
    """The agencies a counter is enrolled for: it may write their dossiers and lease their codes."""

    __tablename__ = "counter_agencies"
    counter_code: Mapped[str] = mapped_column(ForeignKey("counters.code"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), primary_key=True)


class EnrolmentToken(Base):
    __tablename__ = "enrolment_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    counter_code: Mapped[str] = mapped_column(ForeignKey("counters.code"))
    created_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[str | None] = mapped_column(String(40))
    used_request_id: Mapped[str | None] = mapped_column(String(64))


class Credential(Base):
    __tablename__ = "credentials"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    counter_code: Mapped[str] = mapped_column(ForeignKey("counters.code"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40))


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_receiving_day", "receiving_agency", "received_day"),
        Index("ix_dossiers_resolving_day", "resolving_agency", "received_day"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The legal identifier is unique province-wide: the constraint is the last word on it.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    receiving_agency: Mapped[str] = mapped_column(String(64))
    resolving_agency: Mapped[str] = mapped_column(String(64))
    received_day: Mapped[str] = mapped_column(String(10))  # VN date, "2026-11-23"
    status: Mapped[int] = mapped_column(Integer)
    row_version: Mapped[int] = mapped_column(Integer)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    counter_code: Mapped[str] = mapped_column(String(64))  # last writer
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[str] = mapped_column(String(40))


class DossierEvent(Base):
    """History of every applied change, as the counter recorded it (who, when, why)."""

    __tablename__ = "dossier_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[int | None] = mapped_column(Integer)
    to_status: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    counter_code: Mapped[str] = mapped_column(String(64))


class AppliedEntry(Base):
    """The recorded outcome of an upload entry: a repeated idempotency key gets it back.

    Keys are scoped by counter, so no counter can read, block or poison another's entries by
    sending the same key.
    """

    __tablename__ = "applied_entries"
    counter_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))  # applied | rejected
    code: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    row_version: Mapped[int | None] = mapped_column(Integer)
    change_seq: Mapped[int | None] = mapped_column(BigInteger)
    applied_at: Mapped[str] = mapped_column(String(40))


class JournalEntry(Base):
    """A counter's change of a kind this protocol version does not apply (fees, payments…):
    kept as sent, in order, for the central services that will process it — nothing is lost."""

    __tablename__ = "counter_journal"
    counter_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    entity_type: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[str] = mapped_column(String(40))


class Lease(Base):
    """A block of dossier-code numbers of one agency on one day.

    state: active (held by `counter_code`), returned (the counter gave back first_unused..; `last`
    was cut to what it kept) or free (a returned range in the pool, `counter_code` NULL).
    """

    __tablename__ = "leases"
    __table_args__ = (
        Index("ix_leases_agency_day", "agency_eid", "day"),
        Index("ix_leases_counter_seq", "counter_code", "change_seq"),
        UniqueConstraint("request_id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    agency_eid: Mapped[str] = mapped_column(String(32))
    day: Mapped[str] = mapped_column(String(10))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    counter_code: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    change_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[str] = mapped_column(String(40))


class Blob(Base):
    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    counter_code: Mapped[str] = mapped_column(String(64))  # who uploaded it first
    created_at: Mapped[str] = mapped_column(String(40))


class BlobChunk(Base):
    """Part of an upload in progress; private to the uploading counter until complete."""

    __tablename__ = "blob_chunks"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    counter_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEntry(Base):
    """Every request: who (counter, credential), what (method, path), outcome (status)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[str] = mapped_column(String(40), index=True)
    counter_code: Mapped[str | None] = mapped_column(String(64))
    credential_id: Mapped[str | None] = mapped_column(String(36))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")
