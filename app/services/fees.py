"""Payments of a dossier's fees: record, confirm a transfer, cancel an unconfirmed one.

`record_payment` validates first, then writes the payment with its event and outbox entry in one
transaction: cash only where the unit's policy in force at reception allows it, and only into the
officer's open cash session; VietQR creates a payment "awaiting confirmation" carrying the payload
to show the applicant; card and portal payments need their transaction reference; an exemption
needs its legal reason. The receipt of money taken is issued right after, in its own transaction
(fee_receipts.py). Quotes and fee state: fee_quotes.py; refunds: fee_refunds.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.fee_models import CashSession, FeePayment
from app.db.models import Dossier, ReceivingPoint
from app.domain.errors import (
    AppError,
    ConfigurationError,
    NotFoundError,
    StateError,
    ValidationError,
)
from app.domain.fees import FeeQuote, exemption
from app.domain.lifecycle import Status
from app.domain.permissions import Permission
from app.domain.text import clean_text
from app.domain.vietqr import build_payload, payment_memo
from app.services.authz import require
from app.services.cash_sessions import open_session_of
from app.services.context import ServiceContext
from app.services.fee_journal import record_fee_change
from app.services.fee_policy import require_policy
from app.services.fee_quotes import (
    FeeRequest,
    Tally,
    cash_allowed,
    dossier_quote,
    payment_view,
    tally,
)
from app.services.fee_receipts import issue_receipt
from app.services.fee_views import PaymentView, ReceiptView
from app.services.queries import find_by_code

log = logging.getLogger(__name__)
METHODS = ("cash", "vietqr", "card", "online", "exempt")
# A dossier refused, withdrawn or stopped is not processed: nothing is collected for it.
NOT_PAYABLE = {Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED}


@dataclass(frozen=True)
class RecordPayment:
    code: str
    method: str
    reference: str = ""
    reason: str = ""  # exemption: why (required); other methods: a note
    legal_basis: str = ""  # exemption: the legal text it rests on
    request: FeeRequest = field(default_factory=FeeRequest)
    officer: str | None = None


def _validated(cmd: RecordPayment) -> None:
    if cmd.method not in METHODS:
        raise ValidationError(
            "payment.method",
            f"Phương thức thanh toán phải là một trong: {', '.join(METHODS)}.",
            field="method",
        )
    if cmd.method in ("card", "online") and not clean_text(cmd.reference):
        what = "mã giao dịch trên máy POS" if cmd.method == "card" else "mã giao dịch của Cổng DVC"
        raise ValidationError("payment.reference_required", f"Phải nhập {what}.", field="reference")
    if cmd.method == "exempt" and not clean_text(cmd.reason):
        raise ValidationError(
            "fee.adjustment_reason",
            "Miễn phí, lệ phí phải ghi rõ lý do (căn cứ pháp lý).",
            field="reason",
        )


def _refuse_if_settled(counts: Tally) -> None:
    if counts.awaiting:
        raise StateError(
            "payment.awaiting",
            "Hồ sơ đang có khoản chuyển khoản chờ xác nhận; hãy xác nhận hoặc hủy khoản đó.",
        )
    if counts.exempt:
        raise StateError("payment.already_exempt", "Hồ sơ đã được ghi nhận miễn phí, lệ phí.")
    if counts.paid > counts.refunded:
        raise StateError("payment.already_paid", "Hồ sơ đã nộp phí, lệ phí.")


def _check_amount(cmd: RecordPayment, quote: FeeQuote) -> None:
    if cmd.method == "exempt":
        if quote.postage:
            raise ValidationError(
                "payment.exempt_postage",
                "Cước bưu chính không thuộc diện miễn: ghi nhận miễn phí, lệ phí riêng và thu "
                "cước bằng phương thức khác.",
                field="postage",
            )
        if quote.gross_fee_total == 0:
            raise StateError("payment.nothing_to_exempt", "Hồ sơ không có phí, lệ phí để miễn.")
    elif quote.total == 0:
        raise StateError(
            "payment.nothing_due",
            "Hồ sơ được miễn toàn bộ: ghi nhận bằng phương thức «exempt»."
            if quote.exempt
            else "Hồ sơ không phải nộp phí, lệ phí.",
        )


def _check_cash(session: Session, dossier: Dossier, drawer: CashSession | None) -> None:
    if not cash_allowed(session, dossier):
        raise StateError(
            "payment.cash_not_allowed",
            "Đơn vị không thu tiền mặt đối với hồ sơ này; hãy dùng chuyển khoản VietQR, thẻ "
            "hoặc thanh toán trực tuyến.",
        )
    if drawer is None:
        raise StateError(
            "cash.no_session", "Chưa mở ca thu tiền: hãy mở ca (đếm tiền đầu ca) trước."
        )


def _vietqr(session: Session, dossier: Dossier, amount: int, day: date) -> tuple[str, str]:
    """(memo, payload) of a transfer into the account of the policy in force today."""
    point = session.get(ReceivingPoint, dossier.receiving_point_id)
    assert point is not None  # foreign key
    policy = require_policy(session, point.unit_id, day)
    if not (policy.vietqr_bin and policy.vietqr_account):
        raise ConfigurationError(
            "payment.no_account", "Đơn vị chưa khai báo tài khoản nhận chuyển khoản."
        )
    memo = payment_memo(dossier.code)
    return memo, build_payload(policy.vietqr_bin, policy.vietqr_account, amount, memo)


def record_payment(ctx: ServiceContext, cmd: RecordPayment) -> PaymentView:
    _validated(cmd)
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, cmd.officer, Permission.COLLECT_FEE, now)
        dossier = find_by_code(session, cmd.code)
        if Status(dossier.status) in NOT_PAYABLE:
            raise StateError(
                "payment.dossier_closed",
                f"Hồ sơ đang ở trạng thái «{Status(dossier.status).label}»: không thu phí.",
            )
        _refuse_if_settled(tally(session, dossier.id))
        extra = (exemption(cmd.reason, cmd.legal_basis),) if cmd.method == "exempt" else ()
        quote = dossier_quote(session, dossier, cmd.request, extra)
        _check_amount(cmd, quote)
        drawer = open_session_of(session, user.username)
        if cmd.method == "cash":
            _check_cash(session, dossier, drawer)
        memo, payload = ("", "")
        if cmd.method == "vietqr":
            memo, payload = _vietqr(session, dossier, quote.total, now.date())
        confirmed = cmd.method != "vietqr"
        row = FeePayment(
            dossier_id=dossier.id,
            method=cmd.method,
            state="confirmed" if confirmed else "awaiting",
            amount=quote.total,
            fee_amount=quote.fee_total,
            postage=quote.postage,
            lines=[x.to_json() for x in quote.lines],
            basis=quote.basis.to_json(),
            reference=clean_text(cmd.reference),
            reason=clean_text(cmd.reason),
            memo=memo,
            qr_payload=payload,
            officer=user.username,
            session_id=drawer.id if drawer else None,
            business_date=drawer.business_date if drawer else now.date(),
            created_at=now,
            confirmed_at=now if confirmed else None,
            confirmed_by=user.username if confirmed else None,
            cancel_reason="",
        )
        session.add(row)
        record_fee_change(
            session,
            ctx,
            row,
            action="fee-payment",
            actor=user.username,
            at=now,
            dossier_id=dossier.id,
            reason=row.reason,
            data={"method": row.method, "amount": row.amount, "state": row.state},
        )
        payment_id, officer = row.id, user.username
    return _with_receipt(ctx, payment_id, officer)


def _with_receipt(ctx: ServiceContext, payment_id: str, officer: str) -> PaymentView:
    """Issue the receipt of money just taken (own transaction); if the provider refuses, the
    payment stays recorded and shows as "receipt pending" for a later `issue_receipt`."""
    with ctx.db.read() as session:
        row = session.get(FeePayment, payment_id)
        assert row is not None
        needs_receipt = row.state == "confirmed" and row.fee_amount > 0
    if needs_receipt:
        try:
            issue_receipt(ctx, payment_id, officer=officer)
        except AppError as error:
            log.warning("receipt not issued for payment %s: %s", payment_id, error.code)
    with ctx.db.read() as session:
        row = session.get(FeePayment, payment_id)
        assert row is not None
        return payment_view(session, row)


def find_payment(session: Session, ref: str, state: str | None = None) -> FeePayment:
    """A payment by id, or the latest payment of a dossier code (in `state` if given)."""
    row = session.get(FeePayment, ref.strip())
    if row is None:
        dossier = find_by_code(session, ref)
        query = select(FeePayment).where(FeePayment.dossier_id == dossier.id)
        if state:
            query = query.where(FeePayment.state == state)
        row = session.scalars(query.order_by(FeePayment.created_at.desc())).first()
    if row is None or (state and row.state != state):
        raise NotFoundError(
            "payment.not_found",
            "Không tìm thấy khoản thu chờ xác nhận."
            if state == "awaiting"
            else "Không tìm thấy khoản thu.",
        )
    return row


def confirm_payment(
    ctx: ServiceContext, ref: str, *, reference: str = "", officer: str | None = None
) -> PaymentView:
    """The officer saw the transfer arrive (bank app, statement): the payment becomes paid."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.COLLECT_FEE, now)
        row = find_payment(session, ref, "awaiting")
        drawer = open_session_of(session, user.username)
        row.state = "confirmed"
        row.confirmed_at = now
        row.confirmed_by = user.username
        row.reference = clean_text(reference) or row.reference
        if row.session_id is None and drawer is not None:
            row.session_id = drawer.id
        # Money counts on the day it is confirmed (or in the session that confirmed it).
        row.business_date = drawer.business_date if drawer else now.date()
        row.row_version += 1
        record_fee_change(
            session,
            ctx,
            row,
            action="fee-payment-confirm",
            actor=user.username,
            at=now,
            dossier_id=row.dossier_id,
            data={"amount": row.amount, "reference": row.reference},
        )
        payment_id, username = row.id, user.username
    return _with_receipt(ctx, payment_id, username)


def cancel_awaiting_payment(
    ctx: ServiceContext, ref: str, reason: str, *, officer: str | None = None
) -> PaymentView:
    """The applicant did not transfer after all: the awaiting payment is kept, cancelled."""
    text = clean_text(reason)
    if not text:
        raise ValidationError(
            "payment.cancel_reason", "Hủy khoản thu phải ghi rõ lý do.", field="reason"
        )
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.COLLECT_FEE, now)
        row = find_payment(session, ref, "awaiting")
        row.state = "cancelled"
        row.cancelled_at = now
        row.cancel_reason = text
        row.row_version += 1
        record_fee_change(
            session,
            ctx,
            row,
            action="fee-payment-cancel",
            actor=user.username,
            at=now,
            dossier_id=row.dossier_id,
            reason=text,
        )
        return payment_view(session, row)


def issue_payment_receipt(
    ctx: ServiceContext, ref: str, *, officer: str | None = None
) -> ReceiptView:
    """Issue (or return) the receipt of a payment given by id or by its dossier's code — e.g. to
    complete a payment whose receipt is pending."""
    with ctx.db.read() as session:
        payment_id = find_payment(session, ref, "confirmed").id
    return issue_receipt(ctx, payment_id, officer=officer)
