"""Tables of fee collection: the unit's fee policy, cash sessions, payments, receipts and refunds.

Same conventions as app/db/models.py (UUID text keys, Vietnam-local timestamps, legal identifiers
as separate unique columns). Money is whole đồng in integers. Payments, receipts, refunds and cash
sessions are never deleted (migration 0003 adds the triggers): a cancelled receipt stays, marked
cancelled with its reason, and a refund is a row of its own with its own document number. A
payment keeps the breakdown it was computed from (`lines`, `basis`), so a receipt can be reprinted
exactly as issued even after the catalogue changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models import Base, pk


class FeePolicy(Base):
    """How a unit collects fees, versioned by effective date (DOMAIN §4.9): whether cash is
    accepted, the account VietQR pays into, and the receipt provider with its symbol and series.
    `unit_id` None is the province-wide default."""

    __tablename__ = "fee_policies"
    __table_args__ = (UniqueConstraint("unit_id", "effective_from"),)
    id: Mapped[str] = pk()
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("admin_units.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    cash_allowed: Mapped[bool] = mapped_column(Boolean)
    vietqr_bin: Mapped[str] = mapped_column(String(6), default="")
    vietqr_account: Mapped[str] = mapped_column(String(19), default="")
    vietqr_account_name: Mapped[str] = mapped_column(String(200), default="")
    receipt_provider: Mapped[str] = mapped_column(String(32), default="local")
    receipt_template: Mapped[str] = mapped_column(String(32))
    receipt_series: Mapped[str] = mapped_column(String(32))  # may contain {yy}
    note: Mapped[str] = mapped_column(Text, default="")
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class CashSession(Base):
    """One officer's drawer from opening (counted float) to close (counted by denomination)."""

    __tablename__ = "cash_sessions"
    __table_args__ = (
        Index("ix_cash_sessions_point_day", "receiving_point_id", "business_date"),
        Index("ix_cash_sessions_officer_state", "officer", "state"),
    )
    id: Mapped[str] = pk()
    officer: Mapped[str] = mapped_column(String(64))
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"))
    receiving_point_id: Mapped[str] = mapped_column(ForeignKey("receiving_points.id"))
    workstation: Mapped[str] = mapped_column(String(64))
    business_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    opened_at: Mapped[datetime]
    opening_float: Mapped[int] = mapped_column(Integer)
    opening_counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    counted_counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    counted_total: Mapped[int | None] = mapped_column(Integer)
    expected_total: Mapped[int | None] = mapped_column(Integer)
    difference: Mapped[int | None] = mapped_column(Integer)
    difference_reason: Mapped[str] = mapped_column(Text, default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1)


class FeePayment(Base):
    """A payment of a dossier's fees: cash, VietQR transfer (awaiting until confirmed), card
    terminal, national portal, or an exemption (amount 0, with its legal reason)."""

    __tablename__ = "fee_payments"
    __table_args__ = (
        Index("ix_fee_payments_dossier", "dossier_id", "created_at"),
        Index("ix_fee_payments_day", "business_date", "state"),
        Index("ix_fee_payments_memo", "memo"),
    )
    id: Mapped[str] = pk()
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    method: Mapped[str] = mapped_column(String(16))  # cash|vietqr|card|online|exempt
    state: Mapped[str] = mapped_column(String(16))  # awaiting|confirmed|cancelled
    amount: Mapped[int] = mapped_column(Integer)  # fee_amount + postage
    fee_amount: Mapped[int] = mapped_column(Integer)
    postage: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reference: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    memo: Mapped[str] = mapped_column(String(25), default="")
    qr_payload: Mapped[str] = mapped_column(Text, default="")
    officer: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    business_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1)


class FeeReceipt(Base):
    """A receipt as the provider issued it; `data` keeps what was printed (payer, lines)."""

    __tablename__ = "fee_receipts"
    __table_args__ = (
        UniqueConstraint("provider", "template_symbol", "series", "year", "number"),
        Index("ix_fee_receipts_payment", "payment_id"),
    )
    id: Mapped[str] = pk()
    payment_id: Mapped[str] = mapped_column(ForeignKey("fee_payments.id"))
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    provider: Mapped[str] = mapped_column(String(32))
    standalone: Mapped[bool] = mapped_column(Boolean)
    template_symbol: Mapped[str] = mapped_column(String(32))
    series: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    lookup_code: Mapped[str] = mapped_column(String(64), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    business_date: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(16), default="issued")  # issued | cancelled
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")


class FeeRefund(Base):
    """Money given back: a transaction of its own, with its own document number and reason."""

    __tablename__ = "fee_refunds"
    __table_args__ = (UniqueConstraint("year", "seq"),)
    id: Mapped[str] = pk()
    payment_id: Mapped[str] = mapped_column(ForeignKey("fee_payments.id"), index=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    document_no: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))  # cash | transfer | card | online
    reference: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text)
    officer: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(ForeignKey("cash_sessions.id"), index=True)
    business_date: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime]
