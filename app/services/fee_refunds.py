"""Refunds of fees: separate transactions with their own document number and reason.

A refund never edits the payment or its receipt (both stay as evidence); it is a row of its own,
numbered `HT<year>-<seq>` per calendar year, written with its event and outbox entry in one
transaction. It is refused once the dossier has a result (status 9/10 or a result time, which a
refusal also sets): Tiền Giang 2025 Art. 17(4), DOMAIN §7. A cash refund comes out of the
drawer it is paid from (the approving officer's open session, else the still-open session the
payment was taken in), so the drawer still reconciles at close. Refunding is the supervisor's
permission (`domain.permissions`), not the collecting officer's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.fee_models import CashSession, FeePayment, FeeRefund
from app.db.models import Dossier
from app.domain.cash import expected_cash
from app.domain.clock import VN_TZ
from app.domain.errors import NotFoundError, StateError, ValidationError
from app.domain.lifecycle import Status
from app.domain.money import amount_in_words, format_vnd
from app.domain.permissions import Permission
from app.domain.text import clean_text
from app.services.authz import require
from app.services.cash_sessions import cash_flows, open_session_of
from app.services.context import ServiceContext
from app.services.fee_journal import record_fee_change
from app.services.fee_views import METHOD_LABELS, RefundView
from app.services.queries import find_by_code

REFUND_METHODS = ("cash", "transfer", "card", "online")
HAS_RESULT = {Status.RESOLVED, Status.RETURNED}


def refund_view(session: Session, row: FeeRefund) -> RefundView:
    dossier = session.get(Dossier, row.dossier_id)
    return RefundView(
        id=row.id,
        document_no=row.document_no,
        dossier_code=dossier.code if dossier else "",
        payment_id=row.payment_id,
        amount=row.amount,
        amount_words=amount_in_words(row.amount),
        method=row.method,
        method_label=METHOD_LABELS.get(row.method, row.method),
        reference=row.reference,
        reason=row.reason,
        officer=row.officer,
        session_id=row.session_id,
        business_date=row.business_date,
        created_at=row.created_at,
    )


def refunded_amount(session: Session, payment_id: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(FeeRefund.amount), 0)).where(
            FeeRefund.payment_id == payment_id
        )
    )
    return int(total or 0)


@dataclass(frozen=True)
class RefundPayment:
    code: str
    reason: str
    amount: int | None = None  # None: everything still refundable
    method: str | None = None  # None: cash for a cash payment, else a bank transfer
    reference: str = ""
    payment_id: str | None = None  # None: the dossier's latest refundable payment
    officer: str | None = None


def _refundable_payment(session: Session, dossier: Dossier, payment_id: str | None) -> FeePayment:
    query = select(FeePayment).where(
        FeePayment.dossier_id == dossier.id,
        FeePayment.state == "confirmed",
        FeePayment.method != "exempt",
    )
    if payment_id:
        query = query.where(FeePayment.id == payment_id)
    for row in session.scalars(query.order_by(FeePayment.created_at.desc())):
        if row.amount > refunded_amount(session, row.id):
            return row
    raise NotFoundError(
        "refund.nothing_paid", "Hồ sơ không có khoản phí, lệ phí đã thu nào còn để hoàn trả."
    )


def refund_payment(ctx: ServiceContext, cmd: RefundPayment) -> RefundView:
    reason = clean_text(cmd.reason)
    if not reason:
        raise ValidationError(
            "refund.reason", "Hoàn trả phí, lệ phí phải ghi rõ lý do.", field="reason"
        )
    if cmd.method is not None and cmd.method not in REFUND_METHODS:
        raise ValidationError(
            "refund.method",
            f"Hình thức hoàn trả phải là một trong: {', '.join(REFUND_METHODS)}.",
            field="method",
        )
    now = ctx.clock.now()
    with ctx.db.write() as session:
        # Refunds are the supervisor's decision (domain.permissions), not the collecting officer's.
        user = require(session, None, cmd.officer, Permission.REFUND, now)
        dossier = find_by_code(session, cmd.code)
        if Status(dossier.status) in HAS_RESULT or dossier.result_at is not None:
            raise StateError(
                "refund.after_result",
                "Hồ sơ đã có kết quả giải quyết: không hoàn trả phí, lệ phí.",
            )
        payment = _refundable_payment(session, dossier, cmd.payment_id)
        refundable = payment.amount - refunded_amount(session, payment.id)
        amount = refundable if cmd.amount is None else cmd.amount
        if isinstance(amount, bool) or not 0 < amount <= refundable:
            raise ValidationError(
                "refund.amount",
                f"Số tiền hoàn trả phải lớn hơn 0 và không quá {format_vnd(refundable)}.",
                field="amount",
            )
        method = cmd.method or ("cash" if payment.method == "cash" else "transfer")
        # Cash goes back out of a drawer: the approving officer's own open session, else the
        # session the payment was taken in if it is still open (the supervisor approves, the
        # collecting officer hands the money back).
        drawer = open_session_of(session, user.username)
        if drawer is None and payment.session_id:
            taken_in = session.get(CashSession, payment.session_id)
            drawer = taken_in if taken_in and taken_in.state == "open" else None
        if method == "cash":
            if drawer is None:
                raise StateError(
                    "cash.no_session", "Hoàn trả tiền mặt cần một ca thu tiền đang mở."
                )
            # The money has to physically be in this drawer: a transfer or card payment is
            # refunded by transfer, or from a drawer that holds enough cash.
            in_drawer = expected_cash(drawer.opening_float, *cash_flows(session, drawer.id))
            if amount > in_drawer:
                raise StateError(
                    "cash.insufficient",
                    f"Ca thu tiền chỉ còn {format_vnd(in_drawer)} tiền mặt: không đủ để hoàn "
                    f"trả {format_vnd(amount)}.",
                )
        year = now.astimezone(VN_TZ).year
        seq = (
            int(
                session.scalar(
                    select(func.coalesce(func.max(FeeRefund.seq), 0)).where(FeeRefund.year == year)
                )
                or 0
            )
            + 1
        )
        row = FeeRefund(
            payment_id=payment.id,
            dossier_id=dossier.id,
            document_no=f"HT{year}-{seq:06d}",
            year=year,
            seq=seq,
            amount=amount,
            method=method,
            reference=clean_text(cmd.reference),
            reason=reason,
            officer=user.username,
            session_id=drawer.id if drawer else None,
            business_date=drawer.business_date if drawer else now.date(),
            created_at=now,
        )
        session.add(row)
        record_fee_change(
            session,
            ctx,
            row,
            action="fee-refund",
            actor=user.username,
            at=now,
            dossier_id=dossier.id,
            reason=reason,
            data={"amount": amount, "method": method, "document_no": row.document_no},
        )
        return refund_view(session, row)
